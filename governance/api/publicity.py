"""Publicity (公示) over the API: what is published to the caller, objections to it, and staff
deciding them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance import publicity
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.mixins import ScopedViewMixin
from governance.models import Objection, Publicity, PublicityItem


class PublicityItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicityItem
        fields = ["id", "key", "label", "detail", "amount", "status"]
        read_only_fields = fields


class PublicitySerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    items = PublicityItemSerializer(many=True, read_only=True)

    class Meta:
        model = Publicity
        fields = ["id", "title", "body", "region", "region_name", "kind", "days", "day_count", "status", "starts_at",
                  "ends_at", "ended_at", "items"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "publicity", "item", "reason", "status", "raised_at", "resolution", "resolved_at"]
        read_only_fields = fields


class ObjectionInputSerializer(serializers.Serializer):
    item = ScopedPrimaryKeyRelatedField(queryset=PublicityItem.objects.all(), required=False, allow_null=True,
                                        help_text="The item objected to; none: the batch as a whole.")
    reason = serializers.CharField(max_length=2000)


class ObjectionDecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=2000)


class PublicityViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Publicity in the caller's area (staff), or published where the caller lives (residents)."""

    queryset = Publicity.objects.select_related("region").prefetch_related("items")
    serializer_class = PublicitySerializer
    filterset_fields = ["status", "kind", "region"]
    service_checks_rights = True

    @extend_schema(request=ObjectionInputSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        """Object to one item, or to the batch, while the publicity runs."""
        pub = self.get_object()
        ser = ObjectionInputSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        objection = publicity.objection_raise(publicity=pub, actor=request.user, item=ser.validated_data.get("item"),
                                              reason=ser.validated_data["reason"])
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Objections: staff see those of their area, a resident their own."""

    queryset = Objection.objects.all()
    serializer_class = ObjectionSerializer
    filterset_fields = ["status", "publicity"]
    service_checks_rights = True

    @extend_schema(request=ObjectionDecisionSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Uphold or dismiss, with the reason the objector reads."""
        objection = self.get_object()
        ser = ObjectionDecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        objection = publicity.objection_resolve(objection=objection, actor=request.user, **ser.validated_data)
        return Response(ObjectionSerializer(objection).data)
