from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance import access
from governance.api.fields import ALL_ROWS, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from governance.models import Department, Region, User
from households import selectors as places
from workorders import clock, lifecycle, selectors
from workorders.choices import CategoryKind, Channel, LimitUnit, Satisfaction, Status, Urgency
from workorders.models import Category, OrderApplication, Photo, RequestType, TimelineEntry, WorkOrder


class CategorySerializer(ScopedModelSerializer):
    full_code = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "kind", "code", "full_code", "name", "parent", "department_code", "accept_condition",
                  "close_condition", "limit", "limit_unit", "critical_hours", "after_photos_required",
                  "routing_mode", "public_space", "is_local"]


class RequestTypeSerializer(ScopedModelSerializer):
    class Meta:
        model = RequestType
        fields = ["id", "code", "name", "limit", "limit_unit", "private"]


_DT = serializers.DateTimeField()


def _iso(value):
    return _DT.to_representation(value) if value is not None else None


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


# 回访 state of an order: owed (closed, the call still to be made), overdue (owed and past its
# due time), done (made, or the reporter answered); null while the order is not closed.
FOLLOWUP_STATES = ["owed", "overdue", "done"]


def followup_state(status, due_at, followed_up_at, now):
    """The same rule as WorkOrder.followup_owed / followup_overdue (and selectors.followups_owed)."""
    if status != Status.CLOSED:
        return None
    if followed_up_at is not None:
        return "done"
    if due_at is None:
        return None
    return "overdue" if due_at <= now else "owed"


def _user_name(display_name, first_name, last_name, username):
    """str(User) from its columns: display name, else full name, else username."""
    return display_name or f"{first_name} {last_name}".strip() or username


class _Page:
    """What the rows of one page share, computed once: time zone, status labels (current
    language), the clock for the 回访 state."""

    def __init__(self):
        self.tz = _DT.default_timezone()
        self.labels = {value: str(label) for value, label in Status.choices}
        self.now = clock.now()

    def iso(self, value):
        """DateTimeField.to_representation without its per-call lookups (same output)."""
        if value is None:
            return None
        if self.tz is None:
            return _iso(value)
        text = value.astimezone(self.tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class OrderListSerializer(ScopedModelSerializer):
    """No personal data in lists: the reporter's identity is on the detail, for handlers.

    The list action writes its rows with `rows()` from plain values (selectors.list_rows);
    the declared fields document the schema and serve the detail (and `to_representation`
    of a model object gives the same keys and formats)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.SerializerMethodField()
    region = _Ref(read_only=True)
    assigned_department = _Ref(read_only=True, allow_null=True)
    assigned_region = _Ref(read_only=True, allow_null=True)
    assigned_user = serializers.SerializerMethodField()
    followup_state = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "channel", "status", "status_label", "category", "urgency", "region", "address",
                  "reported_at", "due_at", "handling_due_at", "due_estimated", "warned", "overdue", "parked",
                  "appealed", "supervise_level", "plus_ones", "routing_mode", "assigned_department",
                  "assigned_region", "assigned_user", "updated_at", "followup_due_at", "followed_up_at",
                  "followup_state"]
        read_only_fields = ["followup_due_at", "followed_up_at"]

    @extend_schema_field(OrderCategoryRef)
    def get_category(self, obj):
        return {"id": obj.category_id, "code": obj.category.full_code, "name": obj.category.name}

    @extend_schema_field(_Ref(allow_null=True))
    def get_assigned_user(self, obj):
        return {"id": obj.assigned_user_id, "name": str(obj.assigned_user)} if obj.assigned_user_id else None

    @extend_schema_field(serializers.ChoiceField(choices=FOLLOWUP_STATES, allow_null=True))
    def get_followup_state(self, obj):
        return followup_state(obj.status, obj.followup_due_at, obj.followed_up_at, clock.now())

    @staticmethod
    def row(obj) -> dict:
        """A model object as a list row (the keys of selectors.LIST_VALUES)."""
        user = obj.assigned_user if obj.assigned_user_id else None
        return {
            "id": obj.pk, "number": obj.number, "channel": obj.channel, "status": obj.status, "urgency": obj.urgency,
            "address": obj.address, "reported_at": obj.reported_at, "due_at": obj.due_at,
            "handling_due_at": obj.handling_due_at, "due_estimated": obj.due_estimated, "warned": obj.warned,
            "overdue": obj.overdue, "parked": obj.parked, "appealed": obj.appealed,
            "supervise_level": obj.supervise_level, "plus_ones": obj.plus_ones, "routing_mode": obj.routing_mode,
            "updated_at": obj.updated_at, "followup_due_at": obj.followup_due_at,
            "followed_up_at": obj.followed_up_at, "category_id": obj.category_id,
            "category__kind": obj.category.kind, "category__code": obj.category.code,
            "category__name": obj.category.name, "region_id": obj.region_id, "region__name": obj.region.name,
            "assigned_department_id": obj.assigned_department_id,
            "assigned_department__name": obj.assigned_department.name if obj.assigned_department_id else None,
            "assigned_region_id": obj.assigned_region_id,
            "assigned_region__name": obj.assigned_region.name if obj.assigned_region_id else None,
            "assigned_user_id": obj.assigned_user_id,
            "assigned_user__display_name": user.display_name if user else None,
            "assigned_user__first_name": user.first_name if user else None,
            "assigned_user__last_name": user.last_name if user else None,
            "assigned_user__username": user.username if user else None,
        }

    @staticmethod
    def rows(rows, page: _Page | None = None) -> list[dict]:
        """A page of list rows (dicts of selectors.LIST_VALUES) written out by hand: the same keys
        and formats as the declared fields at a fraction of DRF's per-field cost."""
        p = page or _Page()
        dt, labels, now = p.iso, p.labels, p.now
        out = []
        for r in rows:
            status, due, done = r["status"], r["followup_due_at"], r["followed_up_at"]
            dept, aregion, user = r["assigned_department_id"], r["assigned_region_id"], r["assigned_user_id"]
            out.append({
                "id": r["id"], "number": r["number"], "channel": r["channel"], "status": status,
                "status_label": labels.get(status, status),
                "category": {"id": r["category_id"],
                             "code": f"{'E' if r['category__kind'] == CategoryKind.EVENT else 'C'}{r['category__code']}",
                             "name": r["category__name"]},
                "urgency": r["urgency"], "region": {"id": r["region_id"], "name": r["region__name"]},
                "address": r["address"], "reported_at": dt(r["reported_at"]), "due_at": dt(r["due_at"]),
                "handling_due_at": dt(r["handling_due_at"]), "due_estimated": r["due_estimated"],
                "warned": r["warned"], "overdue": r["overdue"], "parked": r["parked"], "appealed": r["appealed"],
                "supervise_level": r["supervise_level"], "plus_ones": r["plus_ones"],
                "routing_mode": r["routing_mode"],
                "assigned_department": {"id": dept, "name": r["assigned_department__name"]} if dept else None,
                "assigned_region": {"id": aregion, "name": r["assigned_region__name"]} if aregion else None,
                "assigned_user": {"id": user, "name": _user_name(
                    r["assigned_user__display_name"], r["assigned_user__first_name"], r["assigned_user__last_name"],
                    r["assigned_user__username"])} if user else None,
                "updated_at": dt(r["updated_at"]), "followup_due_at": dt(due), "followed_up_at": dt(done),
                "followup_state": followup_state(status, due, done, now),
            })
        return out

    def to_representation(self, obj):
        if type(self) is not OrderListSerializer:
            return super().to_representation(obj)
        return self.rows([self.row(obj)])[0]


class TimelineSerializer(ScopedModelSerializer):
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


class PhotoSerializer(ScopedModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "stage", "url", "width", "height", "size", "at"]

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj):
        return obj.get_absolute_url()


class ApplicationSerializer(ScopedModelSerializer):
    requested_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()
    decided_by = serializers.CharField(read_only=True, allow_null=True)  # null until decided

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
    request_type = RequestTypeSerializer(read_only=True, allow_null=True)

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
        return {"name": selectors.mask_name(obj.contact_name), "phone": obj.contact_phone_masked,
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
    category = ScopedPrimaryKeyRelatedField(queryset=Category.objects.filter(active=True))
    request_type = ScopedPrimaryKeyRelatedField(queryset=RequestType.objects.all(), required=False, allow_null=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    description = serializers.CharField(max_length=2000)
    lon = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    lat = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)
    # Deliberately every building and unit: anyone may report a problem at any address of the
    # district (a street, a neighbour's building); an address is not personal data.
    building = ScopedPrimaryKeyRelatedField(queryset=places.all_buildings(), scope=ALL_ROWS, required=False,
                                            allow_null=True)
    unit = ScopedPrimaryKeyRelatedField(queryset=places.all_units(), scope=ALL_ROWS, required=False, allow_null=True)
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
    department = ScopedPrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), scope=access.staff_covered, required=False,
                                        allow_null=True)
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
