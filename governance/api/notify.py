"""API of the inbox and of the SMS-code login (thin: services and selectors do the work)."""

from django.contrib.auth import authenticate, login
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.fields import ScopedModelSerializer
from governance.api.mixins import TokenScope
from governance.api.pagination import Pagination
from governance.api.serializers import MeSerializer
from governance.errors import ValidationFailed
from governance.middleware import client_ip
from governance.models import Notification
from governance.notify import otp, selectors, services
from governance.validators import plausible_moment


class NotificationSerializer(ScopedModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "object_type", "object_id", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class InboxPagination(Pagination):
    """Pages carry the unread count, so a polling page updates its badge in the same request."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        assert self.request is not None  # set by paginate_queryset, which always runs first
        response.data["unread"] = selectors.unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {"type": "integer"}
        return schema


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, newest first. Pages poll with `?since=<ISO time>`
    (the websocket's fallback: events raised in a Celery worker reach open pages this way)."""

    serializer_class = NotificationSerializer
    pagination_class = InboxPagination
    permission_classes = [permissions.IsAuthenticated, TokenScope]
    queryset = Notification.objects.none()

    def get_queryset(self):
        since = self.request.query_params.get("since")
        moment = None
        if since:
            try:
                moment = parse_datetime(since.replace(" ", "+"))
            except ValueError:  # well-formed but impossible, e.g. an offset of +99:00
                moment = None
            if moment is not None and not plausible_moment(moment):
                moment = None
            if moment is None:
                raise ValidationFailed(_("Please correct the fields marked."),
                                       fields={"since": [_("Enter a date and time in ISO 8601 format.")]})
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.inbox(self.request.user, since=moment, unread_only=unread)

    @extend_schema(parameters=[
        OpenApiParameter("since", str, description="Only notifications created after this ISO 8601 time."),
        OpenApiParameter("unread", bool, description="Only unread notifications."),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            pk = 0
        notification = services.notification_mark_read(notification_id=pk, actor=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        return Response({"marked": services.notification_mark_all_read(actor=request.user)})


class SmsCodeRequestSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)


class SmsLoginSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=6)


class SmsCodeRequestView(APIView):
    """Send a one-time login code to a resident's mobile. The answer is the same whether
    or not the number has an account (202); too many requests → 429."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=SmsCodeRequestSerializer,
                   responses={202: inline_serializer("SmsCodeSent", {"detail": serializers.CharField()})})
    def post(self, request):
        data = SmsCodeRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        otp.request_login_code(mobile=data.validated_data["mobile"], ip=client_ip(request))
        return Response({"detail": str(otp.SENT_MESSAGE)}, status=status.HTTP_202_ACCEPTED)


class SmsLoginView(APIView):
    """Log in with mobile + code; starts a session and answers the caller's profile."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=SmsLoginSerializer, responses=MeSerializer)
    def post(self, request):
        # It starts a session, so it needs the CSRF token like the login page (no login CSRF).
        SessionAuthentication().enforce_csrf(request)
        data = SmsLoginSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        mobile, code = data.validated_data["mobile"], data.validated_data["code"]
        user = authenticate(request._request, username=mobile, mobile=mobile, sms_code=code)
        if user is None:
            raise ValidationFailed(otp.WRONG_CODE, code="invalid_code", fields={"code": [otp.WRONG_CODE]})
        login(request._request, user, backend="governance.auth.SmsCodeBackend")
        return Response(MeSerializer(user).data)
