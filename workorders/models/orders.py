"""一网统管: categories, routing rules, duty roster, orders, timeline, photos, applications
(extension / parking / appeal), follow-up calls and duplicate "+1"s."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance import pii
from workorders.choices import (
    STEP,
    ApplicationKind,
    ApplicationStatus,
    CategoryKind,
    Channel,
    FollowUpChannel,
    LimitUnit,
    PhotoStage,
    RoutingMode,
    Satisfaction,
    Stage,
    Status,
    TerritorialLevel,
    Urgency,
)


class Category(models.Model):
    """A 大类 (parent null, 2-digit code) or 小类 (4-digit code) of GB/T 30428, or a local extension.
    Orders are filed under a 小类; a 大类 groups them."""

    kind = models.CharField(_("kind"), max_length=10, choices=CategoryKind.choices)
    code = models.CharField(_("code"), max_length=8, help_text=_("2 digits for a class, 4 for a subclass"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("class"))
    name = models.CharField(_("name"), max_length=60)
    is_local = models.BooleanField(_("local extension"), default=False)
    department_code = models.CharField(
        _("responsible unit"), max_length=40, blank=True,
        help_text=_("Department code (chengguan, water_co …), or 'grid' / 'street' for territorial work."))
    accept_condition = models.TextField(_("acceptance condition"), blank=True)
    close_condition = models.TextField(_("closing condition"), blank=True)
    limit = models.DecimalField(_("handling limit"), max_digits=6, decimal_places=2, default=1)
    limit_unit = models.CharField(_("unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORK_DAYS)
    urgent_factor = models.DecimalField(_("urgent factor"), max_digits=4, decimal_places=2, default=0.5,
                                        help_text=_("Urgent orders get this share of the limit."))
    critical_hours = models.DecimalField(_("critical limit (natural hours)"), max_digits=6, decimal_places=2,
                                         null=True, blank=True)
    after_photos_required = models.BooleanField(_("after-photos required"), default=True)
    routing_mode = models.CharField(_("default routing"), max_length=12, choices=RoutingMode.choices,
                                    default=RoutingMode.SPECIALIST)
    public_space = models.BooleanField(_("public space (may appear on public lists)"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="wo_category_code_unique_per_kind"),
            models.CheckConstraint(condition=Q(limit__gt=0), name="wo_category_limit_positive"),
        ]

    def __str__(self):
        return f"{self.full_code} {self.name}"

    @property
    def full_code(self) -> str:
        return f"{'E' if self.kind == CategoryKind.EVENT else 'C'}{self.code}"

    def limit_for(self, urgency: str) -> tuple[float, str]:
        """(limit, unit) of the handling stage for an urgency (rules.yaml `urgency`)."""
        if urgency == Urgency.CRITICAL and self.critical_hours:
            return float(self.critical_hours), LimitUnit.HOURS
        if urgency in (Urgency.URGENT, Urgency.CRITICAL):
            return float(self.limit * self.urgent_factor), self.limit_unit
        return float(self.limit), self.limit_unit


class RequestType(models.Model):
    """接诉即办 request types: 咨询, 求助, 投诉, 举报, 建议, 表扬."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=20)
    limit = models.DecimalField(_("limit"), max_digits=6, decimal_places=2, default=7)
    limit_unit = models.CharField(_("unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.DAYS)
    private = models.BooleanField(_("private (never public, reporter protected)"), default=False)

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RoutingRule(models.Model):
    """Where orders of a category in a region subtree go. The most specific rule wins
    (deepest region, then a subclass over its class over 'any category')."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules",
                                 verbose_name=_("category"), help_text=_("Empty: any category."))
    region = models.ForeignKey("governance.Region", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("region (with its subtree)"))
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    mode = models.CharField(_("mode"), max_length=12, choices=RoutingMode.choices)
    department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("department"))
    territorial_level = models.CharField(_("territorial level"), max_length=10, choices=TerritorialLevel.choices,
                                         default=TerritorialLevel.STREET)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["region_path", "category"]
        constraints = [
            models.CheckConstraint(condition=~Q(mode="specialist") | Q(department__isnull=False),
                                   name="wo_routing_specialist_has_department"),
        ]

    def __str__(self):
        category = self.category or _("any")  # outside the f-string, so xgettext can see it
        return f"{category} @ {self.region}: {self.get_mode_display()}"

    def save(self, *args, **kwargs):
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class DutyRoster(models.Model):
    """Who of a grid is on duty: on a weekday (every week) or on a date (overrides the weekday)."""

    grid = models.ForeignKey("governance.Region", on_delete=models.CASCADE, related_name="+",
                             limit_choices_to={"level": "grid"}, verbose_name=_("grid"))
    region_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("grid worker"))
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty roster entry")
        verbose_name_plural = _("duty roster")
        ordering = ["grid", "date", "weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__isnull=False) ^ Q(date__isnull=False),
                                   name="wo_duty_weekday_xor_date"),
            models.CheckConstraint(condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="wo_duty_weekday_range"),
        ]

    def __str__(self):
        return f"{self.grid} · {self.user} · {self.date or self.weekday}"

    def save(self, *args, **kwargs):
        self.region_path = self.grid.path
        super().save(*args, **kwargs)


class WorkOrder(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reported_orders", verbose_name=_("reporter"))
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    # The caller's phone, encrypted at rest like every resident's number (governance.pii); read and
    # written through the `contact_phone` property, shown masked to those who do not handle the order.
    contact_phone_enc = models.TextField(_("contact phone (encrypted)"), blank=True, default="", editable=False)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=30, blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("filed by"))
    external_id = models.CharField(_("sender's id"), max_length=64, null=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="orders", verbose_name=_("category"))
    request_type = models.ForeignKey(RequestType, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
                                     verbose_name=_("request type"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("description"))
    # WGS-84 as the phone reports it; converted only to draw on Chinese tiles.
    lon = models.DecimalField(_("longitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    building = models.ForeignKey("households.Building", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("building"))
    unit = models.ForeignKey("households.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("unit"))
    region = models.ForeignKey("governance.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("grid"))
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    is_public = models.BooleanField(_("on public lists"), default=False, editable=False)
    # Routing
    routing_mode = models.CharField(_("routing"), max_length=12, choices=RoutingMode.choices, blank=True)
    assigned_department = models.ForeignKey("governance.Department", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("assigned department"))
    assigned_region = models.ForeignKey("governance.Region", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("assigned street/community"))
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="assigned_orders", verbose_name=_("assigned person"))
    # Lifecycle
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.REPORTED)
    reported_at = models.DateTimeField(_("reported"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # 回访: due a rule-set time after closing (rules "followup_call"); done at the first answer.
    followup_due_at = models.DateTimeField(_("follow-up call due"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    not_accepted_reason = models.CharField(_("reason not accepted"), max_length=20, blank=True)
    # Deadlines: the current stage's clock, and the handling clock kept across stages.
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True, default=Stage.ACCEPT)
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("amber from"), null=True, blank=True)
    due_estimated = models.BooleanField(_("due date estimated"), default=False)
    handling_due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    warned = models.BooleanField(_("amber"), default=False)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    ever_overdue = models.BooleanField(_("was overdue"), default=False)
    # The next automatic 督办 if still overdue then (deadlines.escalation_after; null: none ahead).
    escalate_at = models.DateTimeField(_("next automatic supervision"), null=True, blank=True)
    # Flags
    parked = models.BooleanField(_("parked (挂账)"), default=False)
    appealed = models.BooleanField(_("excluded from scoring (申诉 approved)"), default=False)
    supervise_level = models.PositiveSmallIntegerField(_("supervision (督办) level"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    verbose_name=_("merged into"))
    plus_ones = models.PositiveIntegerField(_("+1s"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["region_path", "status", "-reported_at"], name="wo_order_region_status"),
            models.Index(fields=["assigned_department", "status", "-reported_at"], name="wo_order_dept_status"),
            models.Index(fields=["status", "due_at"], name="wo_order_status_due"),
            models.Index(fields=["reporter", "-reported_at"], name="wo_order_reporter"),
            # KPI reports select a period across the whole district.
            models.Index(fields=["reported_at"], name="wo_order_reported_at"),
            # The follow-ups still owed (a small share of the closed orders).
            models.Index(fields=["followup_due_at"], name="wo_order_followup_due",
                         condition=Q(followup_due_at__isnull=False, followed_up_at__isnull=True)),
            # The sweep's automatic 督办: only orders with an escalation ahead, and it reads those due.
            models.Index(fields=["escalate_at"], name="wo_order_escalate_at", condition=Q(escalate_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], condition=Q(external_id__isnull=False),
                                    name="wo_order_external_id_unique"),
            models.CheckConstraint(condition=~Q(status="merged") | Q(merged_into__isnull=False),
                                   name="wo_order_merged_has_target"),
            models.CheckConstraint(condition=Q(reporter__isnull=False) | ~Q(contact_name=""),
                                   name="wo_order_has_reporter_or_contact"),
        ]

    def __str__(self):
        return f"{self.number} {self.category.name if self.category_id else ''}"

    @property
    def contact_phone(self) -> str:
        return pii.decrypt(self.contact_phone_enc)

    @contact_phone.setter
    def contact_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.contact_phone_enc = pii.encrypt(value)
        self.contact_phone_masked = pii.mask_phone(value) if value else ""

    @property
    def followup_owed(self) -> bool:
        """Closed, and the 回访 not made yet (selectors.followups_owed() is the same in SQL)."""
        return self.status == Status.CLOSED and self.followup_due_at is not None and self.followed_up_at is None

    @property
    def followup_overdue(self) -> bool:
        from workorders import clock

        return self.followup_owed and self.followup_due_at <= clock.now()

    def audit_region(self):
        return self.region

    @property
    def is_private(self) -> bool:
        return (self.request_type is not None and self.request_type.private) or not self.category.public_space


class TimelineEntry(models.Model):
    """One step of an order. Append-only."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("order"))
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the reporter"), default=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.action}"

    @property
    def action_label(self):
        return STEP.get(self.action, self.action)

    @property
    def to_label(self):
        return Status(self.to_status).label if self.to_status in Status.values else self.to_status


def photo_path(instance, filename):
    return f"orders/{instance.order_id}/{instance.stage}/{filename}"


class Photo(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos", verbose_name=_("order"))
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices)
    entry = models.ForeignKey(TimelineEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos",
                              verbose_name=_("step"))
    image = models.ImageField(_("image"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("uploaded by"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.get_stage_display()}"

    def get_absolute_url(self):
        # Through the access check, never the bare file under MEDIA_URL.
        from django.urls import reverse

        return reverse("workorders:photo", kwargs={"pk": self.pk})


class OrderApplication(models.Model):
    """延期 / 挂账 / 申诉: asked by the handling unit, decided by someone else."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="applications", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.REQUESTED)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.TextField(_("explanation"), blank=True)
    extra_limit = models.DecimalField(_("extra time"), max_digits=6, decimal_places=2, null=True, blank=True)
    extra_unit = models.CharField(_("unit"), max_length=12, choices=LimitUnit.choices, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("application (extension / parking / appeal)")
        verbose_name_plural = _("applications")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], condition=Q(status="requested"),
                                    name="wo_one_open_application_per_kind"),
            models.CheckConstraint(condition=~Q(kind="extension") | Q(extra_limit__gt=0),
                                   name="wo_extension_has_time"),
        ]

    def __str__(self):
        return f"{self.order_id} {self.get_kind_display()} {self.get_status_display()}"


class FollowUp(models.Model):
    """回访: by someone other than the handler; the reporter's own answers."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="followups", verbose_name=_("order"))
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("called by"))
    channel = models.CharField(_("channel"), max_length=10, choices=FollowUpChannel.choices,
                               default=FollowUpChannel.PHONE)
    at = models.DateTimeField(_("time"))
    contacted_in_time = models.BooleanField(_("contacted in time"))
    solved = models.BooleanField(_("solved"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.order_id} {self.get_satisfaction_display()}"


class PlusOne(models.Model):
    """A resident says "me too" on an open order instead of filing a duplicate."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="plus_one_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("+1")
        verbose_name_plural = _("+1s")
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="wo_plus_one_once")]

    def __str__(self):
        return f"+1 {self.order_id}"
class WorkorderRules(models.Model):
    """One row (key "district"): the loop's defaults an office edits in admin. Absent, the
    code defaults in workorders/rules.py apply; read only through rules.rule()."""

    key = models.CharField(max_length=20, unique=True, default="district", editable=False)
    reopen_window_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"), default=7, help_text=_("The reporter may reopen a closed order within these days."))
    sla_warning_at = models.DecimalField(
        _("amber at share of the limit"), max_digits=3, decimal_places=2, default=Decimal("0.80"),
        help_text=_("An order turns amber when this share of its time limit has passed (e.g. 0.80)."))
    followup_limit = models.PositiveSmallIntegerField(
        _("follow-up call limit"), default=2, help_text=_("The follow-up call is due this long after closing."))
    followup_unit = models.CharField(_("follow-up call limit unit"), max_length=12, choices=LimitUnit.choices,
                                     default=LimitUnit.WORK_DAYS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("work-order rules")
        verbose_name_plural = _("work-order rules")
        constraints = [
            models.CheckConstraint(condition=Q(sla_warning_at__gt=0, sla_warning_at__lt=1),
                                   name="wo_rules_warning_share_in_unit_range"),
            models.CheckConstraint(condition=Q(followup_limit__gt=0), name="wo_rules_followup_limit_positive"),
        ]

    def __str__(self):
        return str(_("Work-order rules of the district"))
