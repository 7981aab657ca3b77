from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance import services
from governance.admin_site import ObjectPagesMixin, ReadOnlyAdminMixin, ScopedAdminMixin, site
from governance.models import (
    ApiToken,
    Assignment,
    AuditEvent,
    Department,
    Holiday,
    HolidayYear,
    Notification,
    OfficeHours,
    OutboxDelivery,
    OutboxMessage,
    PartyBranch,
    Region,
    User,
)


class SuperuserOnlyMixin(ObjectPagesMixin):
    """Configuration kept by the system administrator (users, tokens, delivery plumbing)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["region", "department"]
    fields = ["role", "region", "department", "starts_at", "ends_at", "note"]


@admin.register(User, site=site)
class UserAdmin(SuperuserOnlyMixin, BaseUserAdmin):
    inlines = [AssignmentInline]
    list_display = ["username", "display_name", "mobile", "is_active", "is_service_account", "last_login"]
    search_fields = ["username", "display_name", "mobile"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),  # a tuple in Django; the stubs also allow a list or None
        (_("Linli"), {"fields": ("display_name", "mobile", "language", "large_text", "is_service_account")}),
    )


class PartyBranchInline(admin.StackedInline):
    model = PartyBranch
    extra = 0


@admin.register(Region, site=site)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    inlines = [PartyBranchInline]


@admin.register(Department, site=site)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "district", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    list_select_related = ["district"]


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "region", "ip", "purpose"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["object_repr", "purpose", "actor__username", "object_id"]
    list_select_related = ["actor", "region"]
    date_hierarchy = "at"


class OutboxDeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OutboxDelivery
    extra = 0
    readonly_fields = ["at", "status_code", "ok", "error", "duration_ms"]


@admin.register(OutboxMessage, site=site)
class OutboxMessageAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "topic", "url", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "topic"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [OutboxDeliveryInline]
    actions = ["retry_now"]

    def has_add_permission(self, request, *args):
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        from governance import outbox

        queued = sum(outbox.message_retry_now(message=m, actor=request.user) for m in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, _("%(queued)s queued for delivery, %(skipped)s already delivered.")
                          % {"queued": queued, "skipped": skipped}, messages.SUCCESS)


@admin.register(Notification, site=site)
class NotificationAdmin(ReadOnlyAdminMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "department", "scopes", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "user", "department", "scopes", "prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user", "department"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, raw = services.token_issue(actor=request.user, name=obj.name, user=obj.user, department=obj.department,
                                          scopes=obj.scopes)
        obj.pk = token.pk
        obj.prefix, obj.key_hash = token.prefix, token.key_hash
        self.message_user(
            request,
            format_html(gettext("Token issued. Copy it now, it is shown only once: <code>{}</code>"), raw),
            messages.WARNING,
        )


class HolidayCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("One row per day: date,kind,name — kind is "
                                                            "holiday (off) or workday (调休 make-up day)."))
    source = forms.CharField(label=_("Source"), max_length=200, required=False,
                             help_text=_("The notice the schedule comes from."))


@admin.register(Holiday, site=site)
class HolidayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    change_list_template = "admin/governance/holiday/change_list.html"

    def get_urls(self):
        own = [path("import-csv/", self.admin_site.admin_view(self.import_csv_view), name="governance_holiday_import")]
        return own + super().get_urls()

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        """Enter a new year's schedule (State Council notice) from a CSV file: all rows or none."""
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect, render

        from governance import workdays
        from governance.errors import DomainError

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HolidayCsvForm(request.POST or None, request.FILES or None)
        row_errors: list = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                try:
                    result = workdays.import_holiday_csv(text, source=form.cleaned_data["source"] or upload.name)
                except DomainError as exc:
                    form.add_error("file", exc.message)
                    row_errors = exc.fields.get("file", [])
                else:
                    self.message_user(request, _("Imported years: %(years)s.") % {
                        "years": ", ".join(str(y) for y in result)}, messages.SUCCESS)
                    return redirect("admin:governance_holiday_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "row_errors": row_errors, "title": _("Import holidays from CSV")}
        return render(request, "admin/governance/holiday/import.html", context)


@admin.register(HolidayYear, site=site)
class HolidayYearAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "source", "entered_at"]
    list_filter = []
    date_hierarchy = None


@admin.register(OfficeHours, site=site)
class OfficeHoursAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "valid_from_month_day", "periods"]
    list_filter = []
    date_hierarchy = None
