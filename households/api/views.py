"""The thin API of the household files: validate, call a service or selector, serialize."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import access
from governance.api.mixins import ScopedViewMixin
from governance.api.parsers import SafeJSONParser
from governance.errors import ValidationFailed
from governance.models import Region
from households import exports, selectors, services
from households.api import serializers as s
from households.models import (
    Business,
    CareContact,
    ChangeRequest,
    Compound,
    Household,
    ImportJob,
    Person,
    Registration,
    Rental,
    Visit,
)
from households.services import imports


class PersonViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Persons in scope, masked. Filters: q (name), last4, id_number and phone (exact, blind index), address,
    tag, grid."""

    queryset = Person.objects.select_related("household__unit__building").prefetch_related("phones").order_by("pk")
    serializer_class = s.PersonSerializer
    access_actions = {"reveal": "view", "tags": "view", "end_tag": "view"}

    def get_queryset(self):
        p = self.request.query_params
        if self.action == "list":
            grid = Region.objects.filter(pk=p["grid"]).first() if p.get("grid", "").isdigit() else None
            qs = selectors.person_search(self.request.user, text=p.get("q", ""), id_number=p.get("id_number", ""),
                                         last4=p.get("last4", ""), address=p.get("address", ""), tag=p.get("tag", ""),
                                         grid=grid, phone=p.get("phone", ""))
            return qs.prefetch_related("phones").order_by("pk")
        return super().get_queryset()

    def _with_tags(self, persons):
        return {**self.get_serializer_context(),
                "tags": selectors.person_tags(self.request.user, [p.pk for p in persons], purpose="api")}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.PersonSerializer(page, many=True, context=self._with_tags(page)).data)

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        return Response(s.PersonSerializer(person, context=self._with_tags([person])).data)

    @extend_schema(request=s.RevealSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        data = s.RevealSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        value = services.person_reveal(person=person, actor=request.user, **data.validated_data)
        return Response({"field": data.validated_data["field"], "value": value})


    @extend_schema(request=s.TagInputSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def tags(self, request, pk=None):
        """Record a special group (dated, with source and sub-type)."""
        person = self.get_object()
        data = s.TagInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.person_tag_add(person=person, actor=request.user, **data.validated_data)
        return Response(s.PersonSerializer(person, context=self._with_tags([person])).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TagEndSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"], url_path="end-tag")
    def end_tag(self, request, pk=None):
        """End a group membership (the dated row stays as history)."""
        from households.models import PersonTag

        person = self.get_object()
        data = s.TagEndSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        row = PersonTag.objects.filter(person=person, pk=data.validated_data["tag_id"]).select_related("tag").first()
        if row is None:
            from governance.errors import NotFound

            raise NotFound()
        services.person_tag_end(person_tag=row, actor=request.user, until=data.validated_data["until"])
        return Response(s.PersonSerializer(person, context=self._with_tags([person])).data)


class HouseholdViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Household.objects.select_related("unit__building").prefetch_related("members").order_by("pk")
    serializer_class = s.HouseholdSerializer
    filterset_fields = ["kind", "unit"]


class VisitViewSet(ScopedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Visit.objects.select_related("worker").order_by("-visited_at", "-id")
    serializer_class = s.HouseholdVisitSerializer
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    filterset_fields = ["person", "household", "channel"]

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.visit_log(
            actor=self.request.user, person=d.get("person"), household=d.get("household"),
            visited_at=d.get("visited_at"), place=d.get("place", ""), channel=d.get("channel"),
            findings=d.get("findings", ""), photos=d.get("photos", []), follow_up_needed=d.get("follow_up_needed", False),
            follow_up_note=d.get("follow_up_note", ""), proposed_changes=d.get("proposed_changes"),
            open_order=d.get("open_order", False))


class DueVisitsView(APIView):
    """The caller's due and overdue visits (set-based: constant queries)."""

    @extend_schema(responses=s.DueVisitSerializer(many=True))
    def get(self, request):
        rows = selectors.due_visits(request.user)
        return Response([{"person": r["person"].pk, "name": r["person"].name,
                          "address": str(r["person"].household.unit) if r["person"].household_id else "",
                          "interval_days": r["interval"], "last_visit": r["last_visit"], "due_at": r["due_at"],
                          "overdue": r["overdue"], "groups": r["reasons"]} for r in rows])


class GroupCountsView(APIView):
    """Persons per special group per grid and community (the groups the caller may see)."""

    @extend_schema(responses=s.GroupCountSerializer(many=True))
    def get(self, request):
        if selectors.visible_tags_q(request.user) is None:
            from governance.errors import Forbidden

            raise Forbidden()
        return Response(selectors.special_group_counts(request.user))


class VisitRatesView(APIView):
    """Monthly completion of due visits per grid and community (?month=YYYY-MM, default this month)."""

    @extend_schema(responses=s.VisitRateSerializer(many=True),
                   parameters=[OpenApiParameter("month", str, description="YYYY-MM")])
    def get(self, request):
        from django.utils import timezone

        if not access.may_at_all(request.user, "view", Visit):
            from governance.errors import Forbidden

            raise Forbidden()
        month = request.query_params.get("month") or timezone.localdate().strftime("%Y-%m")
        try:
            year, mon = (int(x) for x in month.split("-"))
            if not 1 <= mon <= 12:
                raise ValueError
        except ValueError:
            raise ValidationFailed("month: YYYY-MM", fields={"month": ["YYYY-MM"]}) from None
        return Response(selectors.completion_rates(request.user, year=year, month=mon))


class ChangeRequestViewSet(ScopedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ChangeRequest.objects.select_related("person").order_by("-created_at", "-id")
    serializer_class = s.ChangeRequestSerializer
    filterset_fields = ["status", "person"]
    access_actions = {"approve": "approve", "decline": "approve"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        person = access.get_or_404(Person, self.request.user, "view", pk=d["person"].pk)
        serializer.instance = services.change_request_create(person=person, changes=d.get("changes") or {},
                                                             reason=d.get("reason", ""), actor=self.request.user)

    @extend_schema(request=s.HouseholdReasonSerializer, responses=s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        req = services.change_request_approve(request=self.get_object(), actor=request.user)
        return Response(s.ChangeRequestSerializer(req).data)

    @extend_schema(request=s.HouseholdReasonSerializer, responses=s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = s.HouseholdReasonSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        req = services.change_request_decline(request=self.get_object(), actor=request.user,
                                              reason=data.validated_data["reason"])
        return Response(s.ChangeRequestSerializer(req).data)


class RegistrationViewSet(ScopedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Residents submit (POST); community staff list the queue, verify or decline."""

    queryset = Registration.objects.select_related("unit__building").order_by("-created_at", "-id")
    serializer_class = s.RegistrationSerializer
    filterset_fields = ["status"]
    access_actions = {"verify": "verify", "decline": "verify"}

    def get_serializer_class(self):
        return s.RegistrationCreateSerializer if self.action == "create" else s.RegistrationSerializer

    def create(self, request, *args, **kwargs):
        data = s.RegistrationCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        reg = services.registration_submit(user=request.user, **data.validated_data)
        return Response(s.RegistrationSerializer(reg).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        reg = self.get_object()
        services.registration_verify(registration=reg, actor=request.user)
        reg.refresh_from_db()
        return Response(s.RegistrationSerializer(reg).data)

    @extend_schema(request=s.HouseholdReasonSerializer, responses=s.RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = s.HouseholdReasonSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        reg = services.registration_decline(registration=self.get_object(), actor=request.user,
                                            reason=data.validated_data["reason"])
        return Response(s.RegistrationSerializer(reg).data)


class RentalViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Rentals in scope (公安: its district's rentals)."""

    queryset = Rental.objects.select_related("unit__building").order_by("ends_on", "id")
    serializer_class = s.RentalSerializer
    filterset_fields = ["unit", "registration_number"]


class RegistrationGapsView(APIView):
    """Rented units in scope whose latest rental has ended or has no registration number."""

    @extend_schema(responses=s.RegistrationGapSerializer(many=True))
    def get(self, request):
        if not access.may_at_all(request.user, "view", Rental):
            from governance.errors import Forbidden

            raise Forbidden()
        return Response(s.RegistrationGapSerializer(selectors.units_registration_gaps(request.user), many=True).data)


class CompoundViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Compounds (小区) in scope; a trustee, supervisor or owners' committee sees their own."""

    queryset = Compound.objects.select_related("community").prefetch_related("buildings").order_by("name", "id")
    serializer_class = s.CompoundSerializer


class BusinessViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """实有单位 in scope with their last fire-safety check; POST fire-check records a new one."""

    queryset = Business.objects.select_related("unit__building").prefetch_related("fire_checks").order_by("name", "id")
    serializer_class = s.BusinessSerializer
    filterset_fields = ["kind", "active"]
    access_actions = {"fire_check": "visit"}

    @extend_schema(request=s.FireCheckInputSerializer, responses=s.BusinessSerializer)
    @action(detail=True, methods=["post"], url_path="fire-check")
    def fire_check(self, request, pk=None):
        business = self.get_object()
        data = s.FireCheckInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.fire_check_record(business=business, actor=request.user, **data.validated_data)
        business = self.get_queryset().get(pk=business.pk)
        return Response(s.BusinessSerializer(business).data, status=status.HTTP_201_CREATED)


class CareContactViewSet(ScopedViewMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    queryset = CareContact.objects.order_by("person", "priority", "id")
    serializer_class = s.CareContactSerializer
    filterset_fields = ["person"]
    access_actions = {"destroy": "delete"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        person = access.get_or_404(Person, self.request.user, "view", pk=d["person"].pk)
        serializer.instance = services.care_contact_add(person=person, name=d["name"], relation=d["relation"],
                                                        phone=d["phone"], priority=d.get("priority", 1),
                                                        actor=self.request.user)

    def perform_destroy(self, instance):
        services.care_contact_remove(contact=instance, actor=self.request.user)


class ImportJobViewSet(ScopedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Upload (.xlsx/.csv) → checked in the background (poll `progress`, `errors`) → POST apply."""

    queryset = ImportJob.objects.order_by("-created_at", "-id")
    serializer_class = s.ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    access_actions = {"apply": "change"}

    def perform_create(self, serializer):
        d = serializer.validated_data
        region = access.get_or_404(Region, self.request.user, "view", pk=d["region"].pk)
        serializer.instance = imports.job_create(upload=d["file"], region=region, actor=self.request.user,
                                                 kind=d.get("kind", "households.persons"))

    def retrieve(self, request, *args, **kwargs):
        job = self.get_object()
        data = s.ImportJobSerializer(job).data
        data["progress"] = imports.job_progress(job)
        return Response(data)

    @extend_schema(request=None, responses=s.ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        job = imports.job_apply_request(job=self.get_object(), actor=request.user)
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportView(APIView):
    """台账 export as .xlsx: special_groups, rentals, businesses, visits (scoped, audited)."""

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY})
    def get(self, request, kind):
        if kind not in exports.KINDS:
            raise ValidationFailed(f"kind: {', '.join(exports.KINDS)}")
        name, content = exports.export_xlsx(kind=kind, user=request.user)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
