"""The back office for work orders: queues by status / overdue / parked, scoped by
governance.access. Nothing here writes an order's fields: actions call the services."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from governance import access, audit
from governance.admin_site import ReadOnlyAdminMixin, ScopedAdminMixin, site
from governance.errors import DomainError
from governance.models import Region
from governance.pagination import IdsFirstPaginator
from workorders import clock, selectors, services
from workorders.choices import OPEN_STATUSES, Status
from workorders.models import (
    Category,
    DutyRoster,
    FollowUp,
    OrderApplication,
    Photo,
    RequestType,
    RoutingRule,
    TimelineEntry,
    WorkOrder,
    WorkorderRules,
)


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("accept", _("To accept")), ("dispatch", _("To dispatch")), ("handling", _("Being handled")),
                ("verify", _("To verify")), ("overdue", _("Overdue")), ("amber", _("Due soon")),
                ("parked", _("Parked (挂账)")), ("supervised", _("Supervised (督办)")),
                ("followup", _("Follow-up call due (回访)")), ("followup_overdue", _("Follow-up call overdue"))]

    def queryset(self, request, queryset):
        v = self.value() or ""
        live = Q(status__in=OPEN_STATUSES)
        q = {
            "accept": Q(status=Status.REPORTED), "dispatch": Q(status=Status.ACCEPTED),
            "handling": Q(status__in=[Status.DISPATCHED, Status.IN_PROGRESS]), "verify": Q(status=Status.HANDLED),
            "overdue": live & Q(overdue=True, parked=False), "amber": live & Q(warned=True, overdue=False, parked=False),
            "parked": live & Q(parked=True), "supervised": live & Q(supervise_level__gt=0),
            "followup": selectors.followups_owed(),
            "followup_overdue": selectors.followups_owed() & Q(followup_due_at__lte=clock.now()),
        }.get(v)
        return queryset.filter(q) if q is not None else queryset


class RegionFilter(admin.SimpleListFilter):
    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = access.scope(Region.objects.filter(level__in=["street", "community", "grid"]), request.user, "view")
        return [(r.pk, f"{'— ' * (r.path.count('/') - 3)}{r.name}") for r in regions.order_by("path")[:200]]

    def queryset(self, request, queryset):
        region_id = self.value()
        if not region_id:
            return queryset
        path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
        return queryset.filter(region_path__startswith=path) if path else queryset.none()


class OrderPartInline(ReadOnlyAdminMixin):
    """Rows of an order (timeline, photos, requests, follow-ups): whoever may view the order
    in the back office sees them; nobody edits them here."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return obj is None or access.can(request.user, "view", obj)


class TimelineInline(OrderPartInline, admin.TabularInline):
    model = TimelineEntry
    readonly_fields = ("at", "who", "action", "from_status", "to_status", "note", "public")
    fields = readonly_fields
    extra = 0

    @admin.display(description=_("actor"))
    def who(self, obj):
        # The reporter's identity is for handlers (staff page, API); the back office masks it.
        if obj.actor_id and obj.actor_id == obj.order.reporter_id:
            from workorders.selectors import mask_name

            return mask_name(str(obj.actor))
        return obj.actor or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "order")


class PhotoInline(OrderPartInline, admin.TabularInline):
    model = Photo
    readonly_fields = ("stage", "image", "width", "height", "uploaded_by", "at")
    fields = readonly_fields
    extra = 0


class ApplicationInline(OrderPartInline, admin.TabularInline):
    model = OrderApplication
    readonly_fields = ("kind", "status", "reason", "note", "extra_limit", "extra_unit", "requested_by", "decided_by",
                       "decision_note")
    fields = readonly_fields
    extra = 0


class FollowUpInline(OrderPartInline, admin.TabularInline):
    model = FollowUp
    readonly_fields = ("at", "caller", "channel", "contacted_in_time", "solved", "satisfaction", "comment")
    fields = readonly_fields
    extra = 0


@admin.register(WorkOrder, site=site)
class WorkOrderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "category", "status", "deadline", "region", "assigned", "channel", "reported_at",
                    "plus_ones"]
    list_filter = [QueueFilter, "status", RegionFilter, "overdue", "parked", "channel", "urgency",
                   ("category__parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["category", "region", "assigned_department", "assigned_region", "assigned_user"]
    search_fields = ["number", "description", "address"]
    date_hierarchy = "reported_at"
    paginator = IdsFirstPaginator  # a community's page of a million orders: ids first, then the rows
    inlines = [TimelineInline, PhotoInline, ApplicationInline, FollowUpInline]
    actions = ["accept_selected", "dispatch_selected"]
    # The reporter's identity is on the staff page and the API, for handlers only.
    exclude = ["contact_name", "contact_phone_enc", "contact_phone_masked", "reporter", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_change_permission(self, request, obj=None):
        return False  # orders move only through the services (actions below, staff pages, API)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_dispatch_permission(self, request):
        return access.may_at_all(request.user, "dispatch", WorkOrder)

    def has_accept_permission(self, request):
        return access.may_at_all(request.user, "accept", WorkOrder)

    @admin.display(description=_("due"), ordering="due_at")
    def deadline(self, obj):
        if not obj.due_at:
            if obj.followup_owed:  # closed: the 回访 is what is due now
                text = _("follow-up by %(at)s") % {"at": timezone.localtime(obj.followup_due_at).strftime("%m-%d %H:%M")}
                if obj.followup_overdue:
                    return format_html('<strong style="color:#c0392b">⚠ {}</strong>', text)
                return text
            return "—"
        text = timezone.localtime(obj.due_at).strftime("%m-%d %H:%M")
        if obj.parked:
            return format_html('<span title="{}">⏸ {}</span>', _("parked"), text)
        if obj.overdue:
            return format_html('<strong style="color:#c0392b">⚠ {}</strong>', text)
        if obj.warned:
            return format_html('<span style="color:#e67e22">{}</span>', text)
        return text

    @admin.display(description=_("assigned to"))
    def assigned(self, obj):
        return obj.assigned_user or obj.assigned_department or obj.assigned_region or "—"

    def _bulk(self, request, queryset, fn, verb):
        done, failed = 0, []
        for order in queryset:
            try:
                fn(order)
                done += 1
            except DomainError as exc:
                failed.append(f"{order.number}: {exc.message}")
        if done:
            self.message_user(request, _("%(verb)s: %(n)s orders.") % {"verb": verb, "n": done}, messages.SUCCESS)
        for line in failed[:20]:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Accept (立案) the selected orders"), permissions=["accept"])
    def accept_selected(self, request, queryset):
        self._bulk(request, queryset, lambda o: services.order_accept(order=o, actor=request.user), _("Accepted"))

    @admin.action(description=_("Dispatch the selected orders by the routing rules"), permissions=["dispatch"])
    def dispatch_selected(self, request, queryset):
        self._bulk(request, queryset, lambda o: services.order_dispatch(order=o, actor=request.user), _("Dispatched"))


@admin.register(Category, site=site)
class CategoryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["full_code", "name", "parent", "department_code", "limit", "limit_unit", "critical_hours",
                    "routing_mode", "after_photos_required", "public_space", "active"]
    list_filter = ["kind", "routing_mode", "is_local", "public_space", "active"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(RequestType, site=site)
class RequestTypeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "limit", "limit_unit", "private"]


@admin.register(RoutingRule, site=site)
class RoutingRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["category", "region", "mode", "department", "territorial_level", "note"]
    list_filter = ["mode"]
    list_select_related = ["category", "region", "department"]
    autocomplete_fields = ["category", "region", "department"]


@admin.register(DutyRoster, site=site)
class DutyRosterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["grid", "user", "weekday", "date"]
    list_select_related = ["grid", "user"]
    autocomplete_fields = ["grid"]
    raw_id_fields = ["user"]


@admin.register(OrderApplication, site=site)
class OrderApplicationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "kind", "status", "reason", "requested_by", "requested_at", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["order", "order__category", "requested_by", "decided_by"]
    actions = ["approve", "deny"]

    def has_decide_permission(self, request):
        return access.may_at_all(request.user, "decide", OrderApplication)

    def _decide(self, request, queryset, approve):
        for app in queryset.filter(status="requested"):
            try:
                services.application_decide(application=app, actor=request.user, approve=approve,
                                            note=str(_("Decided in the back office")))
                self.message_user(request, f"{app}: ✓")
            except DomainError as exc:
                self.message_user(request, f"{app}: {exc.message}", messages.WARNING)

    @admin.action(description=_("Approve the selected requests"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Deny the selected requests"), permissions=["decide"])
    def deny(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(WorkorderRules, site=site)
class WorkorderRulesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The district's one row of loop defaults; absent, the code defaults apply (rules.py)."""

    list_display = ["__str__", "reopen_window_days", "sla_warning_at", "followup_limit", "followup_unit",
                    "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WorkorderRules.objects.filter(key="district").exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.key = "district"
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="workorders.rules_change", obj=obj,
                     data={f: str(getattr(obj, f)) for f in form.changed_data})
