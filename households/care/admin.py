"""Back office: thresholds, ladder timings, consent records, meters, away periods; alerts read-only
with their timeline (the ladder is worked on /care/ or the API). Writes with a rule go through services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance.admin_site import ReadOnlyAdminMixin, ScopedAdminMixin, run_service_action, site
from households.care import services
from households.care.models import (
    Alert,
    AlertEvent,
    AwayFlag,
    CareSettings,
    Consent,
    EscalationStep,
    Meter,
    VisitTask,
)


@admin.register(CareSettings, site=site)
class CareSettingsAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["district", "detector", "lookback_days", "idle_min_hours", "device_gap_hours",
                    "reading_retention_days"]
    list_select_related = ["district"]
    fieldsets = [
        (None, {"fields": ["district", "detector", "lookback_days"]}),
        (_("Signs of life"), {"fields": ["water_active_m3", "power_active_kwh"]}),
        (_("No sign of life"), {"fields": ["idle_min_hours", "idle_margin_active", "idle_hour_window"]}),
        (_("Appliance left on"), {"fields": ["steady_level_kwh", "steady_tolerance_kwh", "steady_min_hours",
                                             "steady_margin_hours", "steady_hour_window", "steady_quiet_allowance"]}),
        (_("Water that never stops"), {"fields": ["flow_min_hours", "flow_margin_hours"]}),
        (_("Devices and retention"), {"fields": ["device_gap_hours", "reading_retention_days",
                                                 "rollup_retention_days"]}),
    ]


@admin.register(EscalationStep, site=site)
class EscalationStepAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "code", "after_minutes", "audience", "while_states", "create_visit", "district"]
    list_editable = ["after_minutes"]
    list_filter = ["audience"]
    list_select_related = ["district"]
    ordering = ["district", "order"]


@admin.register(Meter, site=site)
class MeterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["external_id", "kind", "unit", "utility", "mode", "active", "last_reading_at"]
    list_filter = ["kind", "mode", "active", "utility"]
    search_fields = ["external_id"]
    list_select_related = ["unit__building", "utility"]
    raw_id_fields = ["unit"]
    readonly_fields = ["last_reading_at"]


@admin.register(Consent, site=site)
class ConsentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "given_by", "date", "document", "withdrawn_at"]
    list_filter = ["withdrawn_at"]
    search_fields = ["person__name", "given_by"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["withdrawn_at"]
    actions = ["withdraw"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.consent_record(person=obj.person, given_by=obj.given_by, date=obj.date,
                                          document=obj.document, actor=request.user)
        obj.pk = created.pk

    @admin.action(description=_("Withdraw the selected consents"))
    def withdraw(self, request, queryset):
        run_service_action(self, request, queryset,
                           lambda consent: services.consent_withdraw(consent=consent, actor=request.user))


@admin.register(AwayFlag, site=site)
class AwayFlagAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "starts_at", "ends_at", "note", "set_by", "cancelled_at"]
    list_select_related = ["person", "set_by"]
    search_fields = ["person__name"]
    raw_id_fields = ["person"]
    readonly_fields = ["cancelled_at"]
    actions = ["cancel"]

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ["person", "starts_at", "ends_at", "note", "cancelled_at"]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.away_flag_set(person=obj.person, starts_at=obj.starts_at, ends_at=obj.ends_at,
                                         note=obj.note, actor=request.user)
        obj.pk = created.pk

    @admin.action(description=_("Cancel the selected away periods"))
    def cancel(self, request, queryset):
        run_service_action(self, request, queryset,
                           lambda flag: services.away_flag_cancel(flag=flag, actor=request.user))


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    fields = ("at", "action", "step", "from_state", "to_state", "actor", "notified", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisitTaskInline(admin.StackedInline):
    model = VisitTask
    readonly_fields = ["requested_at", "started_at", "started_by", "helpers", "done_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert, site=site)
class AlertAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["raised_at", "kind", "state", "person", "unit", "grid", "outcome", "detector"]
    list_filter = ["state", "kind", "outcome", "detector", "grid"]
    list_select_related = ["person", "unit__building", "grid"]
    search_fields = ["person__name"]
    date_hierarchy = "raised_at"
    inlines = [VisitTaskInline, AlertEventInline]
