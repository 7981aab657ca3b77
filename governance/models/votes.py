"""Votes (governance.votes): a question put to an electorate, its ballots and its published result."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTICE = "notice", _("Announced (notice period)")
    OPEN = "open", _("Open for ballots")
    CLOSED = "closed", _("Closed, being counted")
    PUBLISHED = "published", _("Result published")
    CANCELLED = "cancelled", _("Cancelled")


class BallotChoice(models.TextChoices):
    YES = "yes", _("Yes (同意)")
    NO = "no", _("No (反对)")
    ABSTAIN = "abstain", _("Abstain (弃权)")


class BallotChannel(models.TextChoices):
    PORTAL = "portal", _("In the portal")
    PAPER = "paper", _("On paper, recorded by staff")


class Vote(models.Model):
    """One question. Who may vote is its electorate (Elector rows, each with a weight such as the
    exclusive area of a unit); the quorum and pass rules are exact fractions (governance.votes)."""

    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    region = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     verbose_name=_("subject type"))
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(_("status"), max_length=12, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    rule = models.CharField(_("rule"), max_length=40)
    rule_text = models.JSONField(_("rule as written"), default=dict, editable=False)  # the rule when announced
    weight_label = models.CharField(_("weight"), max_length=40, default="", blank=True,
                                    help_text=_("What an elector's weight measures, e.g. exclusive area (m²)."))
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=0)
    changeable = models.BooleanField(_("ballots may be changed until the close"), default=False)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="vote_closes_after_it_opens")]

    def __str__(self):
        return self.title

    def audit_region(self):
        return self.region


class Elector(models.Model):
    """One voice of the electorate: an owner (a unit, a person), with a weight kept exactly."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electors", verbose_name=_("vote"))
    key = models.CharField(_("key"), max_length=64, help_text=_("One per voter, e.g. unit:123 or person:45."))
    label = models.CharField(_("voter"), max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("account"),
                             help_text=_("Who may vote in the portal; without an account staff record a paper ballot."))
    weight = models.DecimalField(_("weight"), max_digits=14, decimal_places=4, default=1)
    region_path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electorate")
        ordering = ["vote", "label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="elector_once_per_vote"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="elector_weight_not_negative"),
        ]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """One elector's ballot (at most one; changed in place where the vote allows it)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote"))
    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="ballot",
                                   verbose_name=_("elector"))
    choice = models.CharField(_("choice"), max_length=8, choices=BallotChoice.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=BallotChannel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))
    cast_at = models.DateTimeField(_("cast"))
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    region_path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote", "cast_at", "pk"]

    def __str__(self):
        return f"{self.elector} {self.get_choice_display()}"
