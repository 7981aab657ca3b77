"""Ways people and data come in: self-registration, care contacts, import jobs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models.imports import ImportJobBase, ImportStatus  # noqa: F401  (ImportStatus: re-exported)
from households.models.core import IdType, Person, Unit


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    DECLINED = "declined", _("Declined")


class Registration(models.Model):
    """A resident's self-registration; community staff verify it (linking the login to a Person)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations",
                             verbose_name=_("login"))
    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number_enc = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=30, editable=False)
    phone_enc = models.TextField(editable=False)
    phone_masked = models.CharField(_("phone"), max_length=30, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("address"))
    address_note = models.CharField(_("address as given"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING, db_index=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("matched person"))
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("resident registration")
        verbose_name_plural = _("resident registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"),
                                    name="registration_one_pending_per_user"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


class CareContact(models.Model):
    """A person's family contact, who may live outside the community. With `user` set, the
    contact holds a guardian grant "households.view_person" on that person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_contacts",
                               verbose_name=_("person cared for"))
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, help_text=_("e.g. 女儿, 儿子, 邻居"))
    phone_enc = models.TextField(editable=False)
    phone_hash = models.CharField(max_length=64, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=30, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="care_contacts", verbose_name=_("login"))
    priority = models.PositiveSmallIntegerField(_("call order"), default=1)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("care contact")
        verbose_name_plural = _("care contacts")
        ordering = ["person", "priority", "id"]

    def __str__(self):
        return f"{self.name} ({self.relation})"


class ImportJob(ImportJobBase):
    """One uploaded list of the household files (persons, special groups): the core pipeline
    (governance.imports) checks it row by row, then applies it all-or-nothing."""

    kind = models.CharField(_("kind"), max_length=60, default="households.persons")  # the 台账 of persons, mostly
    check_task = "households.tasks.import_check"
    apply_task = "households.tasks.import_apply"

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
