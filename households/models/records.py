"""What staff record about people: visit rules, visits, change requests and where each value came from."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models.core import Household, Person, TagType


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    NONE = "none", _("No regular visits")


FREQUENCY_DAYS: dict[str, int] = {Frequency.WEEKLY: 7, Frequency.MONTHLY: 30, Frequency.QUARTERLY: 91}


class VisitRule(models.Model):
    """How often a member of a special group is visited (editable; defaults from rules.yaml)."""

    tag = models.OneToOneField(TagType, on_delete=models.CASCADE, related_name="visit_rule", verbose_name=_("group"))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    interval_days = models.PositiveSmallIntegerField(
        _("interval (days)"), null=True, blank=True, help_text=_("Derived from the frequency unless set."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        constraints = [models.CheckConstraint(condition=models.Q(interval_days__isnull=True) | models.Q(interval_days__gt=0),
                                              name="visit_rule_interval_positive")]

    def __str__(self):
        return f"{self.tag} · {self.get_frequency_display()}"

    def save(self, *args, **kwargs):
        if self.frequency in FREQUENCY_DAYS and not self.interval_days:
            self.interval_days = FREQUENCY_DAYS[self.frequency]
        if self.frequency == Frequency.NONE:
            self.interval_days = None
        super().save(*args, **kwargs)


class VisitChannel(models.TextChoices):
    HOME = "home", _("Home visit (入户)")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    OUTDOOR = "outdoor", _("Met outside")
    OFFICE = "office", _("At the community office")


class Visit(models.Model):
    """走访: a grid worker's visit to a person or a household. Append-only."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                               verbose_name=_("person"))
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                                  verbose_name=_("household"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("visited by"))
    visited_at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=VisitChannel.choices, default=VisitChannel.HOME)
    findings = models.TextField(_("findings"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = models.CharField(_("follow-up"), max_length=300, blank=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["person", "-visited_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(person__isnull=False) | models.Q(household__isnull=False),
                                              name="visit_has_person_or_household")]

    def __str__(self):
        return f"{timezone.localtime(self.visited_at):%Y-%m-%d} {self.person or self.household}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    image = models.ImageField(_("photo"), upload_to="visits/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return self.image.name


class SourceKind(models.TextChoices):
    IMPORT = "import", _("Import batch")
    VISIT = "visit", _("Visit")
    RESIDENT = "resident", _("Resident request")
    STAFF = "staff", _("Staff edit")
    REGISTRATION = "registration", _("Self-registration")
    SEED = "seed", _("Demo data")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class ChangeRequest(models.Model):
    """A proposed correction of a person's file; community staff review the diff."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="change_requests",
                               verbose_name=_("person"))
    changes = models.JSONField(_("proposed values"), default=dict)
    previous = models.JSONField(_("values when proposed"), default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=SourceKind.choices, default=SourceKind.STAFF)
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests",
                              verbose_name=_("visit"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("proposed by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.person}"


class ChangeRequestEvent(models.Model):
    """One move of a change request (timeline, append-only)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=ChangeStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ChangeStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status}→{self.to_status}"


class FieldSource(models.Model):
    """Where the current value of one field of a person came from (provenance)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="field_sources")
    field = models.CharField(_("field"), max_length=40)
    kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    ref = models.CharField(_("reference"), max_length=60, blank=True, help_text=_("import job, visit or request id"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("field source")
        verbose_name_plural = _("field sources")
        constraints = [models.UniqueConstraint(fields=["person", "field"], name="field_source_unique")]

    def __str__(self):
        return f"{self.field}: {self.get_kind_display()} {self.ref}"


class FieldChange(models.Model):
    """History: one field of a person changed (values masked for personal data). Append-only."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="field_changes")
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=200, blank=True)
    new = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    ref = models.CharField(max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.field}: {self.old} → {self.new}"
