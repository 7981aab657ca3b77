"""The care API: readings from utilities (token-scoped), alerts and away periods for the community."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.mixins import ScopedViewMixin, TokenScope
from governance.errors import Forbidden, NotFound
from governance.models.regions import DepartmentKind
from households.care import services
from households.care.api import serializers as s
from households.care.models import Alert, AwayFlag
from households.models import Person


class MeterReadingsView(APIView):
    """POST a batch of up to 5,000 readings of your utility's meters (Bearer token with scope
    "meter_readings", issued to the utility). Idempotent on (meter, ts); bad rows are answered
    by index in `errors` while the good ones are stored."""

    permission_classes = [IsAuthenticated, TokenScope]
    token_scope = "meter_readings"

    @extend_schema(request=s.ReadingBatchSerializer, responses=s.IngestResultSerializer)
    def post(self, request):
        token = request.auth
        department = getattr(token, "department", None)
        if department is None or department.kind != DepartmentKind.UTILITY or not token.allows("meter_readings"):
            raise Forbidden(_("Readings are sent with a utility's API token."))
        batch = s.ReadingBatchSerializer(data=request.data, context={"request": request})
        batch.is_valid(raise_exception=True)
        result = services.readings_ingest(utility=department, rows=batch.validated_data["readings"],
                                          actor=request.user)
        return Response(result.as_dict(), status=status.HTTP_200_OK)


class AlertViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Care alerts of the caller's area (care contacts: of the persons they care for).
    Commands: acknowledge → visit → resolve (illegal moves answer 409)."""

    queryset = Alert.objects.select_related("person", "unit__building", "grid").order_by("-raised_at", "-id")
    serializer_class = s.AlertSerializer
    filterset_fields = ["state", "kind", "grid", "person"]
    access_actions = {"acknowledge": "act", "visit": "act", "resolve": "act"}

    def get_serializer_class(self):
        return s.AlertDetailSerializer if self.action == "retrieve" else s.AlertSerializer

    def _answer(self, alert):
        return Response(s.AlertDetailSerializer(alert).data)

    @extend_schema(request=s.NoteSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        data = s.NoteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._answer(services.alert_acknowledge(alert=alert, actor=request.user, **data.validated_data))

    @extend_schema(request=s.VisitSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        alert = self.get_object()
        data = s.VisitSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._answer(services.alert_start_visit(alert=alert, actor=request.user, **data.validated_data))

    @extend_schema(request=s.ResolveSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        alert = self.get_object()
        data = s.ResolveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._answer(services.alert_resolve(alert=alert, actor=request.user, **data.validated_data))


class AwayFlagViewSet(ScopedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Away periods the caller may see; create one for yourself, a person you care for, or (staff)
    anyone in your area; cancel one."""

    queryset = AwayFlag.objects.select_related("person", "set_by").order_by("-starts_at", "-id")
    serializer_class = s.AwayFlagSerializer
    filterset_fields = ["person"]
    access_actions = {"cancel": "change"}

    def create(self, request, *args, **kwargs):
        data = s.AwayFlagSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = Person.objects.filter(pk=v["person_id"]).first()
        if person is None:
            raise NotFound()
        flag = services.away_flag_set(person=person, starts_at=v["starts_at"], ends_at=v["ends_at"],
                                      note=v.get("note", ""), actor=request.user)
        return Response(s.AwayFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.AwayFlagSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        flag = services.away_flag_cancel(flag=self.get_object(), actor=request.user)
        return Response(s.AwayFlagSerializer(flag).data)
