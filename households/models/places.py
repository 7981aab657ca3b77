"""Rentals (出租房屋) and businesses and places (实有单位)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models.core import Household, Person, Unit


class Rental(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rentals", verbose_name=_("unit"))
    landlord = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="rentals_let",
                                 verbose_name=_("landlord"))
    landlord_name = models.CharField(_("landlord name"), max_length=50, blank=True)
    tenant_household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="rentals", verbose_name=_("tenant household"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), db_index=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True,
                                           help_text=_("出租房屋登记备案号"))
    registered_on = models.DateField(_("registered"), null=True, blank=True)
    tenants_count = models.PositiveSmallIntegerField(_("tenants"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rental")
        verbose_name_plural = _("rentals")
        ordering = ["ends_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="rental_ends_after_start")]

    def __str__(self):
        return f"{self.unit} {self.starts_on}–{self.ends_on}"


class BusinessKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    NINE_SMALL = "nine_small", _("Small place (九小场所)")
    WORKSHOP = "workshop", _("Workshop")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class Business(models.Model):
    """实有单位: a shop, one of the 九小场所, a workshop."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=BusinessKind.choices, default=BusinessKind.SHOP)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="businesses", verbose_name=_("address"))
    owner_name = models.CharField(_("owner"), max_length=50)
    owner_phone_enc = models.TextField(blank=True, editable=False)
    owner_phone_masked = models.CharField(_("owner phone"), max_length=30, blank=True, editable=False)
    licence_number = models.CharField(_("business licence number"), max_length=40, blank=True)
    employees = models.PositiveSmallIntegerField(_("employees"), default=0)
    active = models.BooleanField(_("active"), default=True)
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("business or place")
        verbose_name_plural = _("businesses and places")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FireCheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    HAZARD = "hazard", _("Hazard found")
    FIXED = "fixed", _("Hazard fixed")


class FireCheck(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="fire_checks",
                                 verbose_name=_("business"))
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=8, choices=FireCheckResult.choices)
    findings = models.CharField(_("findings"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("checked by"))
    next_due = models.DateField(_("next check"), null=True, blank=True)

    class Meta:
        verbose_name = _("fire-safety check")
        verbose_name_plural = _("fire-safety checks")
        ordering = ["-checked_on", "-id"]

    def __str__(self):
        return f"{self.business} {self.checked_on} {self.get_result_display()}"
