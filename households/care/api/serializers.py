from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import ScopedModelSerializer
from households.care.models import Alert, AlertEvent, AwayFlag, Outcome, VisitHelp


class ReadingSerializer(serializers.Serializer):
    """One reading. Rows are checked one by one by the service (row errors, not a 400 of the batch)."""

    meter = serializers.CharField(help_text=_("The utility's meter number"))
    ts = serializers.DateTimeField(help_text=_("End of the interval / time of the register reading, with offset"))
    value = serializers.DecimalField(max_digits=14, decimal_places=4,
                                     help_text=_("Register (cumulative meters) or use in the interval"))


class ReadingBatchSerializer(serializers.Serializer):
    readings = serializers.ListField(child=serializers.JSONField(), max_length=5000, allow_empty=False)


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]  # a field named like Serializer.errors (stubs only)


class AlertEventSerializer(ScopedModelSerializer):
    actor = serializers.CharField(read_only=True, allow_null=True)  # null: a step of the sweep

    class Meta:
        model = AlertEvent
        fields = ["at", "actor", "action", "step", "from_state", "to_state", "note", "notified"]


class AlertSerializer(ScopedModelSerializer):
    # Blank until the alert is resolved: declared, so the schema's enum admits "" (a read-only
    # field generated from the model loses allow_blank).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    person_name = serializers.CharField(source="person.name", default="", read_only=True)
    home = serializers.CharField(source="unit", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "kind", "detector", "state", "person", "person_name", "unit", "home", "grid", "grid_name",
                  "raised_at", "acknowledged_at", "resolved_at", "outcome", "note", "since_hour", "evidence"]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    timeline = AlertEventSerializer(source="events", many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = AlertSerializer.Meta.fields + ["timeline"]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VisitSerializer(NoteSerializer):
    helpers = serializers.ChoiceField(choices=VisitHelp.choices, required=False, default="")


class ResolveSerializer(NoteSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class AwayFlagSerializer(ScopedModelSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name", read_only=True)
    set_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = AwayFlag
        fields = ["id", "person", "person_name", "starts_at", "ends_at", "note", "set_by", "created_at",
                  "cancelled_at"]
        read_only_fields = ["set_by", "created_at", "cancelled_at"]
