"""Votes over the API: the votes a caller may see, their result once published (staff: once
counted), and a ballot — the caller's own, or a paper ballot recorded by staff."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance import votes
from governance.api.fields import ScopedPrimaryKeyRelatedField
from governance.api.mixins import ScopedViewMixin
from governance.models import BallotChannel, BallotChoice, Elector, Vote


class MyBallotSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=BallotChoice.choices, allow_null=True)
    cast_at = serializers.DateTimeField(allow_null=True)
    weight = serializers.DecimalField(max_digits=14, decimal_places=4)


class VoteSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    rule_label = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    my_ballot = serializers.SerializerMethodField()

    class Meta:
        model = Vote
        fields = ["id", "title", "description", "region", "region_name", "status", "rule", "rule_label",
                  "weight_label", "notice_days", "changeable", "opens_at", "closes_at", "announced_at",
                  "published_at", "result", "my_ballot"]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_rule_label(self, vote) -> str:
        return str(votes.rule_of(vote).label)

    def get_result(self, vote) -> dict | None:
        return vote.result if votes.result_visible(self._user(), vote) else None

    @extend_schema(responses=MyBallotSerializer)
    def get_my_ballot(self, vote) -> dict | None:
        elector = votes.my_elector(vote, self._user())
        if elector is None:
            return None
        ballot = getattr(elector, "ballot", None)
        return {"choice": ballot.choice if ballot else None, "cast_at": ballot.cast_at if ballot else None,
                "weight": elector.weight}



class BallotSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=BallotChoice.choices)
    channel = serializers.ChoiceField(choices=BallotChannel.choices, default=BallotChannel.PORTAL)
    elector = ScopedPrimaryKeyRelatedField(queryset=Elector.objects.all(), required=False, allow_null=True,
                                           help_text="A paper ballot's voter (staff only); none in the portal.")


class VoteViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Votes in the caller's area, or those the caller is an elector of (once announced)."""

    queryset = Vote.objects.select_related("region")
    serializer_class = VoteSerializer
    filterset_fields = ["status", "region"]
    service_checks_rights = True

    @extend_schema(request=BallotSerializer, responses=VoteSerializer)
    @action(detail=True, methods=["post"])
    def ballot(self, request, pk=None):
        """Cast (or, where the vote allows it, change) a ballot. A retry with the same choice
        returns the same ballot."""
        vote = self.get_object()
        ser = BallotSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        votes.ballot_cast(vote=vote, actor=request.user, choice=d["choice"], channel=d["channel"],
                          elector=d.get("elector"))
        vote.refresh_from_db()
        return Response(VoteSerializer(vote, context={"request": request}).data)
