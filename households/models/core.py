"""一户一档: the one address model (Building → Unit, under a grid) and the one person model.

`region_path` is the grid's materialized path copied onto every row by the service that
places it (households.services.placement), so scoping 600k persons is one indexed
`region_path LIKE '/1/4/17/%'` without joins."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.pii import IdType, PhoneKind, Sex  # the PII choices live with the PII helpers

if TYPE_CHECKING:
    from governance.models import Region


def region_of_path(path: str) -> "Region | None":
    """The deepest region of a materialized path (for audit rows), or None."""
    from governance.models import Region

    ids = [p for p in (path or "").strip("/").split("/") if p]
    return Region.objects.filter(pk=ids[-1]).first() if ids else None


class AuditedByPath:
    """Audit rows of a placed row (governance.audit.record) go to the deepest region of its
    `region_path`. A plain mixin: no fields, no migration."""

    region_path: str  # the model's CharField

    def audit_region(self) -> "Region | None":
        return region_of_path(self.region_path)


class Compound(AuditedByPath, models.Model):
    """小区 / 物业管理区域: the buildings one property service runs. Its trustee, trust
    supervisor and owners' committee hold their roles on it (Assignment.target)."""

    community = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="compounds",
                                  limit_choices_to={"level": "community"}, verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["community", "name"]

    def __str__(self):
        return self.name


class Building(AuditedByPath, models.Model):
    compound = models.ForeignKey(Compound, null=True, blank=True, on_delete=models.SET_NULL, related_name="buildings",
                                 verbose_name=_("compound"))
    grid = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="buildings",
                             limit_choices_to={"level__in": ["grid", "microgrid"]}, verbose_name=_("grid"))
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 3号楼"))
    address = models.CharField(_("street address"), max_length=200)
    # WGS-84, as phones report it; converted to GCJ-02 only to draw on Chinese map tiles.
    lon = models.DecimalField(_("longitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["grid", "name"]

    def __str__(self):
        return f"{self.address} {self.name}"


class Unit(AuditedByPath, models.Model):
    """A dwelling or a business place: the one address every app points at."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    entrance = models.CharField(_("entrance"), max_length=20, blank=True, help_text=_("单元"))
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    number = models.CharField(_("room"), max_length=20)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "entrance", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "number"], name="unit_unique_in_building")
        ]

    def __str__(self):
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building} {entrance}{self.number}"


class HouseholdType(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    RESIDENT = "resident", _("Resident (常住)")
    RENTING = "renting", _("Renting (租住)")


class Household(AuditedByPath, models.Model):
    number = models.CharField(_("household number"), max_length=40, help_text=_("户号"))
    kind = models.CharField(_("type"), max_length=12, choices=HouseholdType.choices, default=HouseholdType.RESIDENT)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit"))
    head = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("head of household"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="household_number_unique_in_unit")]

    def __str__(self):
        return f"{self.unit} ({self.number})"


class PersonStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Person(AuditedByPath, models.Model):
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("household"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name=_("login"))
    name = models.CharField(_("name"), max_length=50)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.LIVING)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # PIPL: the ID number is stored encrypted (MultiFernet, rotatable) with an HMAC blind index
    # for exact lookup and dedup, and the masked form / last 4 for display and search.
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices, blank=True)
    id_number_enc = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=30, blank=True, editable=False)
    id_last4 = models.CharField(_("ID last 4"), max_length=4, blank=True, editable=False, db_index=True)
    region_path = models.CharField(_("region path"), max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~models.Q(id_number_hash=""),
                                    name="person_id_number_unique"),
        ]

    def __str__(self):
        return self.name


class PersonPhone(models.Model):
    """One of a person's phone numbers, encrypted like the ID number."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=10, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    number_enc = models.TextField(editable=False)
    number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    masked = models.CharField(_("number"), max_length=30, editable=False)
    last4 = models.CharField(max_length=4, editable=False, db_index=True)
    label = models.CharField(_("label"), max_length=30, blank=True)
    primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["-primary", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "number_hash"], name="person_phone_unique")]

    def __str__(self):
        return self.masked


class TagType(models.Model):
    """A special group (独居老人, 低保, ...): editable; sensitive ones need a granted role to see."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sensitive = models.BooleanField(_("sensitive (PIPL Art. 28)"), default=False)
    watch = models.BooleanField(_("watched by care alerts"), default=False)
    restricted = models.BooleanField(_("restricted further (重点人员)"), default=False)
    subtypes = models.JSONField(_("sub-types"), default=list, blank=True)
    attr_choices = models.JSONField(_("attribute choices"), default=dict, blank=True,
                                    help_text=_('e.g. {"grade": ["一级", "二级"]}'))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class PersonTag(models.Model):
    """A person's membership of a special group, dated, with its source."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags", verbose_name=_("person"))
    tag = models.ForeignKey(TagType, on_delete=models.PROTECT, related_name="person_tags", verbose_name=_("group"))
    subtype = models.CharField(_("sub-type"), max_length=40, blank=True)
    attrs = models.JSONField(_("attributes"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("special-group tag")
        verbose_name_plural = _("special-group tags")
        indexes = [models.Index(fields=["tag", "person"])]

    def __str__(self):
        return f"{self.person} · {self.tag}"
