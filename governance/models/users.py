"""Users (login by username or mobile) and their role assignments."""

from typing import TYPE_CHECKING, ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from governance.roles import DEPARTMENT_ROLES, REGION_ROLES, ROLE_LEVELS, Role
from governance.validators import validate_mobile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class User(AbstractUser):
    """A login. `mobile` is unique and may be used instead of the username."""

    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True,
                              validators=[validate_mobile])
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    large_text = models.BooleanField(_("large-text mode"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_service_account = models.BooleanField(
        _("service account"), default=False, help_text=_("A department system or device that logs in with an API token.")
    )

    objects: ClassVar["UserManager[Self]"] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if self.mobile == "":
            self.mobile = None
        super().save(*args, **kwargs)

    @cached_property
    def active_assignments(self) -> list["Assignment"]:
        """Assignments in force now, with region and department loaded (one query per request)."""
        return list(Assignment.objects.active().filter(user=self)
                    .select_related("region", "department", "target_type"))

    # Role questions are asked through governance.access (has_role, works_in_back_office),
    # which also answers for an anonymous visitor.


class AssignmentQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class Assignment(models.Model):
    """A user holds a role over a region, a department, or another object (compound, shop)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey("governance.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="assignments", verbose_name=_("region"))
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="assignments", verbose_name=_("department"))
    # Roles of later apps (compound, shop) point at their object here, so the core need not change.
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                    verbose_name=_("target type"))
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["user", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~(Q(role="department_staff") & Q(department__isnull=True)),
                name="assignment_department_role_has_department",
            ),
        ]

    def __str__(self):
        where = self.region or self.department or self.target or "-"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self):
        errors: dict[str, StrOrPromise] = {}
        if self.role in REGION_ROLES:
            if not self.region_id:
                errors["region"] = _("This role needs a region.")
            elif self.region is not None and self.region.level not in ROLE_LEVELS[self.role]:
                errors["region"] = _("A %(role)s is assigned to a region of level: %(levels)s.") % {
                    "role": self.get_role_display(),
                    "levels": ", ".join(sorted(ROLE_LEVELS[self.role])),
                }
        if self.role in DEPARTMENT_ROLES and not self.department_id:
            errors["department"] = _("This role needs a department.")
        if self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)
