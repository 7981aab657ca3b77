from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import Department, Region, User
from households.models import Building, Unit
from workorders import lifecycle, selectors
from workorders.choices import Channel, LimitUnit, Satisfaction, Urgency
from workorders.models import Category, OrderApplication, Photo, RequestType, TimelineEntry, WorkOrder


class CategorySerializer(serializers.ModelSerializer):
    full_code = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "kind", "code", "full_code", "name", "parent", "department_code", "accept_condition",
                  "close_condition", "limit", "limit_unit", "critical_hours", "after_photos_required",
                  "routing_mode", "public_space", "is_local"]


class RequestTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestType
        fields = ["id", "code", "name", "limit", "limit_unit", "private"]


_DT = serializers.DateTimeField()


def _iso(value):
    return _DT.to_representation(value) if value is not None else None


def _ref(obj):
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


class _Ref(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrderCategoryRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OrderContact(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    masked = serializers.BooleanField()


class OrderListSerializer(serializers.ModelSerializer):
    """No personal data in lists: the reporter's identity is on the detail, for handlers."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.SerializerMethodField()
    region = _Ref(read_only=True)
    assigned_department = _Ref(read_only=True, allow_null=True)
    assigned_region = _Ref(read_only=True, allow_null=True)
    assigned_user = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "channel", "status", "status_label", "category", "urgency", "region", "address",
                  "reported_at", "due_at", "handling_due_at", "due_estimated", "warned", "overdue", "parked",
                  "appealed", "supervise_level", "plus_ones", "routing_mode", "assigned_department",
                  "assigned_region", "assigned_user", "updated_at"]

    @extend_schema_field(OrderCategoryRef)
    def get_category(self, obj):
        return {"id": obj.category_id, "code": obj.category.full_code, "name": obj.category.name}

    def to_representation(self, obj):
        """The list's rows, written out by hand: the same keys and formats as the declared fields
        (which document the schema) at a fraction of the per-field cost on a 50-row page."""
        if type(self) is not OrderListSerializer:
            return super().to_representation(obj)
        dt = _iso
        ref = _ref
        return {
            "id": obj.pk, "number": obj.number, "channel": obj.channel, "status": obj.status,
            "status_label": str(obj.get_status_display()), "category": self.get_category(obj),
            "urgency": obj.urgency, "region": ref(obj.region), "address": obj.address,
            "reported_at": dt(obj.reported_at), "due_at": dt(obj.due_at), "handling_due_at": dt(obj.handling_due_at),
            "due_estimated": obj.due_estimated, "warned": obj.warned, "overdue": obj.overdue, "parked": obj.parked,
            "appealed": obj.appealed, "supervise_level": obj.supervise_level, "plus_ones": obj.plus_ones,
            "routing_mode": obj.routing_mode, "assigned_department": ref(obj.assigned_department),
            "assigned_region": ref(obj.assigned_region), "assigned_user": self.get_assigned_user(obj),
            "updated_at": dt(obj.updated_at),
        }

    @extend_schema_field(_Ref(allow_null=True))
    def get_assigned_user(self, obj):
        return {"id": obj.assigned_user_id, "name": str(obj.assigned_user)} if obj.assigned_user_id else None


class TimelineSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "action", "from_status", "to_status", "note", "actor", "public", "photos"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, obj):
        if not obj.actor_id:
            return None
        if obj.actor_id == self.context.get("reporter_id") and not self.context.get("show_reporter"):
            return selectors.mask_name(str(obj.actor))  # the reporter's identity: handlers only
        return str(obj.actor)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_photos(self, obj):
        return [p.get_absolute_url() for p in obj.photos.all()]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "stage", "url", "width", "height", "size", "at"]

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj):
        return obj.get_absolute_url()


class ApplicationSerializer(serializers.ModelSerializer):
    requested_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()
    decided_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = OrderApplication
        fields = ["id", "order", "kind", "status", "reason", "note", "extra_limit", "extra_unit", "requested_by",
                  "requested_at", "decided_by", "decided_at", "decision_note"]


class OrderDetailSerializer(OrderListSerializer):
    contact = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    applications = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    request_type = RequestTypeSerializer(read_only=True)

    class Meta(OrderListSerializer.Meta):
        fields = OrderListSerializer.Meta.fields + [
            "description", "lon", "lat", "building", "unit", "request_type", "contact", "accepted_at",
            "dispatched_at", "started_at", "handled_at", "closed_at", "not_accepted_reason", "rework_count",
            "extension_count", "reopen_count", "merged_into", "timeline", "photos", "applications", "actions"]

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(OrderContact)
    def get_contact(self, obj):
        """The reporter's identity for those who handle the order; masked for anyone else."""
        if self.context.get("show_reporter"):
            return {"name": obj.contact_name, "phone": obj.contact_phone, "masked": False}
        return {"name": selectors.mask_name(obj.contact_name), "phone": selectors.mask_phone(obj.contact_phone),
                "masked": True}

    @extend_schema_field(TimelineSerializer(many=True))
    def get_timeline(self, obj):
        context = {"reporter_id": obj.reporter_id, "show_reporter": self.context.get("show_reporter")}
        return TimelineSerializer(selectors.order_timeline(self._user(), obj), many=True, context=context).data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj):
        return PhotoSerializer(obj.photos.all(), many=True).data

    @extend_schema_field(ApplicationSerializer(many=True))
    def get_applications(self, obj):
        if not selectors.is_staff_viewer(self._user()):
            return []
        return ApplicationSerializer(obj.applications.select_related("requested_by", "decided_by"), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj):
        return lifecycle.available_actions(obj)


class ReportSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True))
    request_type = serializers.PrimaryKeyRelatedField(queryset=RequestType.objects.all(), required=False,
                                                      allow_null=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    description = serializers.CharField(max_length=2000)
    lon = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    lat = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=3)


class OrderNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20)
    message = serializers.CharField(max_length=2000)


class DispatchSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class HandleSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=6)


class PhotosSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=6)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionSerializer(serializers.Serializer):
    extra_limit = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    extra_unit = serializers.ChoiceField(choices=LimitUnit.choices)
    note = serializers.CharField(max_length=2000)


class ListedReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text=_("id of the order this one duplicates"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class UrgencySerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpSerializer(serializers.Serializer):
    contacted_in_time = serializers.BooleanField()
    solved = serializers.BooleanField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
