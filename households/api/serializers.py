from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.fields import ALL_ROWS, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from governance.models import User
from households.models import (
    Business,
    CareContact,
    ChangeRequest,
    Compound,
    FireCheckResult,
    Household,
    IdType,
    ImportJob,
    Person,
    Registration,
    Rental,
    TagType,
    Unit,
    Visit,
    VisitChannel,
)


class TagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="tag.code")
    name = serializers.CharField(source="tag.name")
    subtype = serializers.CharField()
    attrs = serializers.JSONField()
    # A declared field named "source" shadows Field.source in the stubs only: DRF's metaclass moves
    # declared fields into _declared_fields, so the attribute is never assigned (as governance's "parent").
    source = serializers.CharField()  # type: ignore[assignment]
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)


# The shapes of the nested lists below, for the schema (each was declared an object).
class PhoneBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField(help_text="Masked, e.g. 138****5678.")


class MemberBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.CharField()
    status = serializers.CharField()


class DiffRowSerializer(serializers.Serializer):
    field = serializers.CharField()
    previous = serializers.CharField(allow_blank=True, allow_null=True)
    current = serializers.CharField(allow_blank=True, allow_null=True)
    proposed = serializers.CharField(allow_blank=True, allow_null=True)


class FireCheckBriefSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    result = serializers.CharField()
    findings = serializers.CharField(allow_blank=True)
    next_due = serializers.DateField(allow_null=True)


class PersonSerializer(ScopedModelSerializer):
    """Masked by default: full numbers only through POST /persons/{id}/reveal/ with a purpose."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phones = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "sex", "birth_date", "relation", "status", "household", "id_type", "id_number",
                  "phones", "address", "tags"]

    @extend_schema_field(PhoneBriefSerializer(many=True))
    def get_phones(self, obj) -> list:
        return [{"id": p.id, "kind": p.kind, "number": p.masked} for p in obj.phones.all()]

    def get_address(self, obj) -> str:
        return str(obj.household.unit) if obj.household_id else ""

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, obj):
        tags = self.context.get("tags", {}).get(obj.pk, [])
        return TagSerializer(tags, many=True).data


class HouseholdSerializer(ScopedModelSerializer):
    address = serializers.CharField(source="unit.__str__", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "number", "kind", "unit", "address", "head", "members"]

    @extend_schema_field(MemberBriefSerializer(many=True))
    def get_members(self, obj) -> list:
        return [{"id": p.id, "name": p.name, "relation": p.relation, "status": p.status} for p in obj.members.all()]


class TagInputSerializer(serializers.Serializer):
    tag = serializers.SlugRelatedField(slug_field="code", queryset=TagType.objects.all())
    subtype = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    attrs = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    source = serializers.CharField(  # type: ignore[assignment]  # shadows Field.source in the stubs only (see TagSerializer)
        max_length=100, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class TagEndSerializer(serializers.Serializer):
    tag_id = serializers.IntegerField()
    until = serializers.DateField(required=False, allow_null=True, default=None)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])
    purpose = serializers.CharField(max_length=200)
    phone_id = serializers.IntegerField(required=False)


class HouseholdVisitSerializer(ScopedModelSerializer):
    photos = serializers.ListField(child=serializers.ImageField(), required=False, write_only=True)
    worker: serializers.StringRelatedField[User] = serializers.StringRelatedField(read_only=True)
    open_order = serializers.BooleanField(required=False, write_only=True, default=False)
    proposed_changes = serializers.JSONField(required=False, write_only=True)
    channel = serializers.ChoiceField(choices=VisitChannel.choices, default=VisitChannel.HOME)

    class Meta:
        model = Visit
        fields = ["id", "person", "household", "worker", "visited_at", "place", "channel", "findings",
                  "follow_up_needed", "follow_up_note", "photos", "open_order", "proposed_changes"]
        read_only_fields = ["worker"]
        extra_kwargs = {"visited_at": {"required": False}}


class ChangeRequestSerializer(ScopedModelSerializer):
    diff = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = ["id", "person", "status", "reason", "source", "created_at", "decline_reason", "diff", "changes"]
        read_only_fields = ["status", "source", "created_at", "decline_reason", "diff"]
        extra_kwargs = {"changes": {"write_only": True}}

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_diff(self, obj) -> list:
        from households.services import change_request_diff

        return change_request_diff(obj)


class HouseholdReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RegistrationSerializer(ScopedModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    address = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "name", "id_type", "id_number", "phone", "unit", "address", "address_note", "status",
                  "decline_reason", "created_at", "person"]
        read_only_fields = fields


class RegistrationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20)
    # Deliberately every unit: a newcomer names the flat they live in, which no scope gives them yet.
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), scope=ALL_ROWS)
    address_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RentalSerializer(ScopedModelSerializer):
    address = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Rental
        fields = ["id", "unit", "address", "landlord_name", "tenant_household", "starts_on", "ends_on",
                  "registration_number", "registered_on", "tenants_count"]


class CompoundSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    buildings = serializers.SerializerMethodField()

    class Meta:
        model = Compound
        fields = ["id", "name", "address", "community", "community_name", "buildings"]

    def get_buildings(self, compound) -> list[str]:
        return [str(b) for b in compound.buildings.all()]


class BusinessSerializer(ScopedModelSerializer):
    address = serializers.CharField(source="unit.__str__", read_only=True)
    owner_phone = serializers.CharField(source="owner_phone_masked", read_only=True)
    last_fire_check = serializers.SerializerMethodField()

    class Meta:
        model = Business
        fields = ["id", "name", "kind", "unit", "address", "owner_name", "owner_phone", "licence_number", "employees",
                  "active", "last_fire_check"]

    @extend_schema_field(FireCheckBriefSerializer(allow_null=True))
    def get_last_fire_check(self, obj) -> dict | None:
        checks = list(obj.fire_checks.all())  # prefetched, newest first
        if not checks:
            return None
        c = checks[0]
        return {"checked_on": c.checked_on, "result": c.result, "findings": c.findings, "next_due": c.next_due}


class FireCheckInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=FireCheckResult.choices)
    findings = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    checked_on = serializers.DateField(required=False)
    next_due = serializers.DateField(required=False)


class RegistrationGapSerializer(ScopedModelSerializer):
    address = serializers.CharField(source="__str__", read_only=True)
    rental_ends = serializers.DateField(read_only=True)
    rental_reg = serializers.CharField(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "address", "rental_ends", "rental_reg"]


class CareContactSerializer(ScopedModelSerializer):
    phone = serializers.CharField(write_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = CareContact
        fields = ["id", "person", "name", "relation", "phone", "phone_masked", "priority"]



IMPORT_KINDS = [("households.persons", "households.persons: 姓名, 证件号码, 电话, 地址, 楼号, 单元, 门牌号, 户号, 与户主关系"),
                ("households.tags", "households.tags: 证件号码, 类别 (a special group's name or code), 姓名, 开始日期, 备注"),
                ("households.businesses", "households.businesses: 名称, 类型, 地址, 楼号, 单元, 门牌号, 负责人, 电话, "
                                          "营业执照号, 从业人数")]


class ImportJobSerializer(ScopedModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=IMPORT_KINDS, default="households.persons",
                                   help_text="Which list: persons (台账), or special groups from 民政/残联 lists.")

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file", "original_name", "status", "total_rows", "processed_rows", "progress", "errors",
                  "summary", "region", "created_at", "finished_at"]
        read_only_fields = ["original_name", "status", "total_rows", "processed_rows", "progress", "errors",
                            "summary", "created_at", "finished_at"]
        extra_kwargs = {"file": {"write_only": True}}


class DueVisitSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    interval_days = serializers.IntegerField()
    last_visit = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    groups = serializers.ListField(child=serializers.CharField())


class GroupCountSerializer(serializers.Serializer):
    path = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    groups = serializers.DictField(child=serializers.IntegerField())


class VisitRateSerializer(serializers.Serializer):
    level = serializers.CharField()
    path = serializers.CharField()
    name = serializers.CharField()
    owed = serializers.FloatField()
    done = serializers.FloatField()
    rate = serializers.FloatField(allow_null=True)

