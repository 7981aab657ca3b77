"""The region tree (district > street > community > grid > micro-grid) and departments."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

# Sent inside the move's transaction; governance.regions rewrites every copy of the old path.
region_moved = Signal()


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICROGRID = "microgrid", _("Micro-grid")


LEVEL_ORDER = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.MICROGRID]
PARENT_LEVEL: dict[str, str] = {child: parent for parent, child in zip(LEVEL_ORDER, LEVEL_ORDER[1:], strict=False)}


class Region(models.Model):
    """One node of the tree. `path` is a materialized path ("/1/4/17/") so that a
    subtree is one indexed `path LIKE '/1/4/%'` filter at any size."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    # Administrative division code (district/street/community) or the local grid code.
    code = models.CharField(_("code"), max_length=32, unique=True)
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    # GeoJSON Polygon/MultiPolygon geometry in WGS-84 (lon, lat); optional.
    boundary = models.JSONField(_("boundary (GeoJSON, WGS-84)"), null=True, blank=True)
    population_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="district", parent__isnull=True) | (~models.Q(level="district") & models.Q(parent__isnull=False))),
                name="region_only_district_is_root",
            )
        ]

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent is not None else '/'}{self.pk}/"
        if new_path != self.path:
            old, self.path = self.path, new_path
            if old:  # moved: the subtree and every copy of its paths follow (governance.regions)
                region_moved.send(sender=Region, region=self, old=old, new=new_path)
            else:
                Region.objects.filter(pk=self.pk).update(path=new_path)

    def clean(self):
        expected = PARENT_LEVEL.get(self.level)
        if self.parent is None and expected is not None:
            raise ValidationError({"parent": _("A %(level)s needs a parent.") % {"level": self.get_level_display()}})
        if self.parent is not None and self.parent.level != expected:
            raise ValidationError(
                {"parent": _("The parent of a %(level)s must be a %(parent)s.")
                 % {"level": self.get_level_display(), "parent": RegionLevel(expected).label if expected else "-"}}
            )
        if self.boundary:
            from governance.geo import validate_geojson

            validate_geojson(self.boundary)

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return Region.objects.filter(pk__in=ids).order_by("path")

    def ancestor_at(self, level):
        """The ancestor (or self) at `level`, or None."""
        if self.level == level:
            return self
        return self.ancestors().filter(level=level).first()

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def contains(self, other: "Region") -> bool:
        return bool(other and other.path.startswith(self.path))


class PartyBranch(models.Model):
    """支部建在网格上: the Party branch that serves a grid."""

    grid = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="party_branch",
                                limit_choices_to={"level": RegionLevel.GRID}, verbose_name=_("grid"))
    name = models.CharField(_("branch name"), max_length=100)
    secretary = models.CharField(_("secretary"), max_length=50)
    members = models.TextField(_("members"), blank=True, help_text=_("One name per line."))
    member_count = models.PositiveIntegerField(_("member count"), default=0)

    class Meta:
        verbose_name = _("Party branch")
        verbose_name_plural = _("Party branches")

    def __str__(self):
        return self.name


class Council(models.Model):
    """居民议事会: the residents' council of a community. Its members hold the council-member role
    on it (Assignment.target), and see what is put to the council."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="councils",
                               limit_choices_to={"level": RegionLevel.COMMUNITY}, verbose_name=_("community"))
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    term_starts = models.DateField(_("term starts"), null=True, blank=True)
    term_ends = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("residents' council")
        verbose_name_plural = _("residents' councils")
        ordering = ["region", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    UTILITY = "utility", _("Utility company")


class Department(models.Model):
    """A district department or a utility company that takes orders directly."""

    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments",
                                 limit_choices_to={"level": RegionLevel.DISTRICT}, verbose_name=_("district"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.GOVERNMENT)
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["district", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="department_code_unique_in_district")]

    def __str__(self):
        return self.name
