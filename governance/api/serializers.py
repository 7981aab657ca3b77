from django.conf import settings
from rest_framework import serializers

from governance.api.fields import ScopedModelSerializer
from governance.models import Assignment, Council, Department, Region, User


class RegionSerializer(ScopedModelSerializer):
    # A declared field named "parent" shadows Field.parent (the enclosing serializer) in the stubs only:
    # DRF's metaclass moves declared fields into _declared_fields, so the attribute is never assigned.
    parent: serializers.PrimaryKeyRelatedField[Region] = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        read_only=True, allow_null=True
    )

    class Meta:
        model = Region
        fields = ["id", "parent", "level", "name", "code", "path", "boundary"]


class DepartmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "district", "code", "name", "kind", "phone", "active"]


class CouncilSerializer(ScopedModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Council
        fields = ["id", "name", "region", "region_name", "term_starts", "term_ends"]
        read_only_fields = fields


class AssignmentSerializer(ScopedModelSerializer):
    # allow_null, not default=None: DRF skips a read-only field with a default on PATCH, so the
    # answer would lack a key the schema requires.
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["id", "role", "region", "region_name", "department", "department_name", "starts_at", "ends_at"]


class MeSerializer(ScopedModelSerializer):
    assignments = AssignmentSerializer(source="active_assignments", many=True, read_only=True)
    language = serializers.ChoiceField(choices=[("", "-"), *settings.LANGUAGES], required=False, allow_blank=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "mobile", "language", "large_text", "assignments"]
        read_only_fields = ["id", "username", "mobile", "assignments"]
