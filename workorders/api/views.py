"""The orders API: departments' systems and staff apps. Thin: a serializer validates, a
service acts (it checks access itself), the detail serializer answers."""

from typing import cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from governance import access, audit
from governance.api.mixins import ScopedViewMixin
from governance.api.parsers import SafeJSONParser
from governance.errors import NotFound
from workorders import selectors, services
from workorders.api import serializers as s
from workorders.api.filters import OrderFilter
from workorders.models import Category, OrderApplication, RequestType, TimelineEntry, WorkOrder

PARSERS = [SafeJSONParser, MultiPartParser, FormParser]


class OrderViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Work orders in the caller's scope: a department sees the orders routed to it, staff the
    orders located in their region, residents their own reports. Overdue first with `?ordering`."""

    queryset = WorkOrder.objects.select_related(*selectors.LIST_RELATED)
    filterset_class = OrderFilter
    parser_classes = PARSERS
    # Object actions are checked by the services (access.require); the scoped queryset gives the 404.
    access_actions = {}

    def get_serializer_class(self):
        if self.action == "list":
            return s.OrderListSerializer
        if self.action == "create":
            return s.ReportSerializer
        return s.OrderDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("ordering") == "due":
            return qs.order_by("-overdue", "due_at", "-id")
        return qs.order_by("-reported_at", "-id")

    service_checks_rights = True  # each action's service requires its right (access.require)

    def list(self, request, *args, **kwargs):
        # The scoped, filtered page read as plain rows: one count (without the joins the rows
        # need) and one page query; no model instances, no per-field serializer work. (A comment,
        # not a docstring: the schema takes the class docstring as the operation's description.)
        rows = selectors.list_rows(self.filter_queryset(self.get_queryset()))
        # The paginator needs only count() and slices: ListRows stands in for the queryset.
        page: list[dict] | None = self.paginate_queryset(cast("QuerySet", rows))
        if page is None:
            return Response(s.OrderListSerializer.rows(rows[:]))
        return self.get_paginated_response(s.OrderListSerializer.rows(page))

    def _detail(self, order, code=status.HTTP_200_OK):
        order = (WorkOrder.objects.select_related(*selectors.LIST_RELATED)
                 .prefetch_related(Prefetch("timeline", queryset=TimelineEntry.objects.select_related("actor")),
                                   "photos").get(pk=order.pk))
        show = selectors.may_see_reporter(self.request.user, order)
        if show and order.reporter_id != self.request.user.pk and order.contact_phone_enc:
            audit.record(actor=self.request.user, action="workorder.view_contact", obj=order,
                         purpose="handle the order")
        data = s.OrderDetailSerializer(order, context={"request": self.request, "show_reporter": show}).data
        return Response(data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=s.ReportSerializer, responses=s.OrderDetailSerializer)
    def create(self, request, *args, **kwargs):
        ser = s.ReportSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        files = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        d.pop("photos", None)
        order = services.order_report(actor=request.user, photo_files=files, **d)
        return self._detail(order, status.HTTP_201_CREATED)

    def _act(self, request, serializer_class, fn):
        order = self.get_object()
        ser = serializer_class(data=request.data, context={"request": request}) if serializer_class else None
        if ser is not None:
            ser.is_valid(raise_exception=True)
        result = fn(order, dict(ser.validated_data) if ser is not None else {})
        return self._detail(result if isinstance(result, WorkOrder) else order)

    def _files(self, request):
        return request.FILES.getlist("photos") if request.FILES else []

    @extend_schema(request=s.OrderNoteSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, s.OrderNoteSerializer,
                         lambda o, d: services.order_accept(order=o, actor=request.user, note=d["note"]))

    @extend_schema(request=s.RejectSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, s.RejectSerializer, lambda o, d: services.order_reject(
            order=o, actor=request.user, reason=d["reason"], message=d["message"]))

    @extend_schema(request=s.DispatchSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request, pk=None):
        return self._act(request, s.DispatchSerializer, lambda o, d: services.order_dispatch(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.OrderNoteSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(request, s.OrderNoteSerializer,
                         lambda o, d: services.order_start(order=o, actor=request.user, note=d["note"]))

    @extend_schema(request=s.HandleSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        return self._act(request, s.HandleSerializer, lambda o, d: services.order_handle(
            order=o, actor=request.user, note=d["note"], photo_files=self._files(request)))

    @extend_schema(request=s.OrderNoteSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(request, s.OrderNoteSerializer,
                         lambda o, d: services.order_verify_close(order=o, actor=request.user, note=d["note"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def rework(self, request, pk=None):
        return self._act(request, s.ReasonSerializer, lambda o, d: services.order_return_rework(
            order=o, actor=request.user, reason=d["reason"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-back", url_name="send-back")
    def send_back(self, request, pk=None):
        return self._act(request, s.ReasonSerializer, lambda o, d: services.order_send_back(
            order=o, actor=request.user, reason=d["reason"]))

    @extend_schema(request=s.ExtensionSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        return self._act(request, s.ExtensionSerializer, lambda o, d: services.extension_request(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.ListedReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def park(self, request, pk=None):
        return self._act(request, s.ListedReasonSerializer, lambda o, d: services.park_request(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.ListedReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        return self._act(request, s.ListedReasonSerializer, lambda o, d: services.appeal_request(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.OrderNoteSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._act(request, s.OrderNoteSerializer,
                         lambda o, d: services.order_supervise(order=o, actor=request.user, note=d["note"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(request, s.ReasonSerializer, lambda o, d: services.order_reopen(
            order=o, actor=request.user, reason=d["reason"]))

    @extend_schema(request=s.MergeSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        def go(o, d):
            access.require(request.user, "merge", o)
            try:
                into = access.get_or_404(WorkOrder, request.user, "view", pk=d["into"])
            except NotFound:
                from governance.errors import ValidationFailed

                raise ValidationFailed(fields={"into": ["No such order in your scope."]}) from None
            return services.order_merge(order=o, into=into, actor=request.user, note=d["note"])

        return self._act(request, s.MergeSerializer, go)

    @extend_schema(request=s.UrgencySerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def urgency(self, request, pk=None):
        return self._act(request, s.UrgencySerializer, lambda o, d: services.order_change_urgency(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.FollowUpSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request, pk=None):
        return self._act(request, s.FollowUpSerializer, lambda o, d: services.followup_record(
            order=o, actor=request.user, **d))

    @extend_schema(request=s.PhotosSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        return self._act(request, None, lambda o, d: services.order_add_photos(
            order=o, actor=request.user, files=self._files(request), note=request.data.get("note", "")))


class ApplicationViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Extension, parking and appeal requests in the caller's scope; `decide` approves or denies."""

    queryset = OrderApplication.objects.select_related("order", "requested_by", "decided_by")
    serializer_class = s.ApplicationSerializer
    filterset_fields = ["kind", "status", "order"]

    service_checks_rights = True  # decide checks the order's right (extension_/park_/appeal_decide)

    @extend_schema(request=s.DecideSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        app = self.get_object()
        ser = s.DecideSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        app = services.application_decide(application=app, actor=request.user, **ser.validated_data)
        return Response(s.ApplicationSerializer(app).data)


class CategoryViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.select_related("parent")
    serializer_class = s.CategorySerializer
    filterset_fields = ["kind", "parent", "active"]
    pagination_class = None


class RequestTypeViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = RequestType.objects.all()
    serializer_class = s.RequestTypeSerializer
    pagination_class = None
