from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    fieldsets = BaseUserAdmin.fieldsets + (
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
class AuditEventAdmin(ObjectPagesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "region", "ip", "purpose"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["object_repr", "purpose", "actor__username", "object_id"]
    list_select_related = ["actor", "region"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        from django.db.models import Q

        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        # District administrators read the audit trail of their district.
        paths = [a.region.path for a in user.active_assignments if a.role == "district_admin"]
        if not paths:
            return qs.none()
        q = Q()
        for p in paths:
            q |= Q(region_path__startswith=p)
        return qs.filter(q)

    def has_module_permission(self, request):
        return request.user.is_superuser or request.user.has_role("district_admin")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


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

    def has_add_permission(self, request, *args):
        return False


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
        token, raw = ApiToken.issue(name=obj.name, user=obj.user, department=obj.department, scopes=obj.scopes)
        obj.pk = token.pk
        obj.prefix, obj.key_hash = token.prefix, token.key_hash
        self.message_user(
            request,
            format_html(_("Token issued. Copy it now, it is shown only once: <code>{}</code>"), raw),
            messages.WARNING,
        )


@admin.register(Holiday, site=site)
class HolidayAdmin(ObjectPagesMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def has_module_permission(self, request):
        return request.user.is_superuser or request.user.has_role("district_admin")

    has_view_permission = has_change_permission = has_add_permission = has_delete_permission = (
        lambda self, request, obj=None: self.has_module_permission(request)
    )


@admin.register(HolidayYear, site=site)
class HolidayYearAdmin(HolidayAdmin):
    list_display = ["year", "source", "entered_at"]
    list_filter = []
    date_hierarchy = None


@admin.register(OfficeHours, site=site)
class OfficeHoursAdmin(HolidayAdmin):
    list_display = ["name", "valid_from_month_day", "periods"]
    list_filter = []
    date_hierarchy = None
