"""Publicity (公示, governance.publicity): a batch of items shown to a region for a period, the
objections residents raise against it, and how staff resolve them."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PublicityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (公示中)")
    DECIDING = "deciding", _("Period over, objections to resolve")
    ENDED = "ended", _("Ended, items posted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DayCount(models.TextChoices):
    NATURAL = "natural", _("Natural days")
    WORKING = "working", _("Working days")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Published")
    POSTED = "posted", _("Posted")
    HELD = "held", _("Held (objection upheld)")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("To be resolved")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Publicity(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    region = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, help_text=_("Which app's batch this is, e.g. points.claims."))
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     verbose_name=_("subject type"))
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    days = models.PositiveSmallIntegerField(_("period (days)"))
    day_count = models.CharField(_("days counted as"), max_length=8, choices=DayCount.choices,
                                 default=DayCount.NATURAL)
    status = models.CharField(_("status"), max_length=10, choices=PublicityStatus.choices,
                              default=PublicityStatus.DRAFT)
    starts_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(_("period ends"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicity (公示)")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="publicity_at_least_a_day")]

    def __str__(self):
        return self.title

    def audit_region(self):
        return self.region


class PublicityItem(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("publicity"))
    key = models.CharField(_("key"), max_length=64, help_text=_("The app's own reference, e.g. claim:123."))
    label = models.CharField(_("item"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    region_path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("published item")
        verbose_name_plural = _("published items")
        ordering = ["publicity", "pk"]
        constraints = [models.UniqueConstraint(fields=["publicity", "key"], name="publicity_item_once")]

    def __str__(self):
        return self.label


class Objection(models.Model):
    """A resident's objection to one item, or to the batch as a whole (no item)."""

    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections",
                                  verbose_name=_("publicity"))
    item = models.ForeignKey(PublicityItem, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="objections", verbose_name=_("item"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("raised by"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    raised_at = models.DateTimeField(_("raised"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    region_path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["publicity", "raised_at", "pk"]

    def __str__(self):
        return f"{self.publicity}: {self.reason[:40]}"
