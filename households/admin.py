"""Back office for the household files. Rows scoped by governance.access; actions call services."""

import contextvars
import re
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ImportForm

from governance import access, pii, uploads
from governance.admin_site import ReadOnlyAdminMixin, ScopedAdminMixin, run_service_action, site
from households import selectors, services
from households.admin_import import PersonImportResource
from households.models import (
    Building,
    Business,
    CareContact,
    ChangeRequest,
    Compound,
    FireCheck,
    Household,
    ImportJob,
    Person,
    Registration,
    Rental,
    TagType,
    Unit,
    Visit,
    VisitRule,
)


class HouseholdsAdminMixin(ScopedAdminMixin):
    """Scoped rows; the back office opens to roles with the right (ScopedAdminMixin._may)."""


# The user looking at a change form, for read-only displays that depend on who looks (sensitive
# groups). A context variable, not an attribute: a ModelAdmin is shared by every request.
_viewer: contextvars.ContextVar = contextvars.ContextVar("households_admin_viewer", default=None)


if TYPE_CHECKING:
    # For the type checker the mixin is the ModelAdmin it is mixed into (super().changeform_view).
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class ViewerMixin(_AdminBase):
    def changeform_view(self, request, *args, **kwargs):
        token = _viewer.set(request.user)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # render while the viewer is known (TemplateResponse renders late)
            return response
        finally:
            _viewer.reset(token)


class GridFilter(admin.SimpleListFilter):
    title = _("grid")
    parameter_name = "grid"

    def lookups(self, request, model_admin):
        from governance.models import Region

        grids = access.scope(Region.objects.filter(level="grid"), request.user, "view")
        return [(g.path, g.name) for g in grids]

    def queryset(self, request, queryset):
        return queryset.filter(region_path__startswith=self.value()) if self.value() else queryset


class TagFilter(admin.SimpleListFilter):
    title = _("special group")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(t.code, t.name) for t in TagType.objects.all()
                if not t.sensitive or request.user.is_superuser
                or any(selectors.may_see_tag(request.user, t, Person(region_path=a.region.path))
                       for a in request.user.active_assignments if a.region_id)]

    def queryset(self, request, queryset):
        tag = self.value()
        if not tag:
            return queryset
        return queryset.filter(pk__in=selectors.person_search(request.user, tag=tag).values("pk"))


class OfficeCSV(CSV):
    """CSV as Chinese offices save it — UTF-8 or GBK/GB18030 — read as bytes and decoded by the
    core (governance.uploads), where django-import-export would assume UTF-8 and fail."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = uploads.decode_text(in_stream, field="import_file")
        return super().create_dataset(in_stream, **kwargs)


@admin.register(Person, site=site)
class PersonAdmin(ViewerMixin, HouseholdsAdminMixin, ImportMixin, admin.ModelAdmin):
    """Search: name, last 4 of the ID, the exact ID (blind index), address. Filters: grid, group.
    Import (.xlsx/.csv) through django-import-export onto the one import pipeline (admin_import)."""

    resource_classes = [PersonImportResource]
    import_form_class = ImportForm
    skip_admin_log = True  # the import writes its own AuditEvent

    def get_import_formats(self):
        from import_export.formats.base_formats import XLSX

        return [XLSX, OfficeCSV]

    def has_import_permission(self, request):
        return self._may(request, "import")

    list_display = ["name", "id_number_masked", "sex", "birth_date", "relation", "status", "household"]
    list_filter = [GridFilter, TagFilter, "status"]
    list_select_related = ["household__unit__building"]
    search_fields = ["name", "id_last4", "household__unit__building__address"]
    search_help_text = _("Name, last 4 of the ID number, the full ID or phone number, or the address.")
    readonly_fields = ["id_type", "id_number_masked", "birth_date", "sex", "phones_masked", "groups"]
    fields = ["name", "household", "relation", "status", "id_type", "id_number_masked", "birth_date", "sex",
              "phones_masked", "groups"]
    autocomplete_fields = ["household"]

    def get_search_results(self, request, queryset, search_term):
        """Besides name / last 4 / address: a full ID number or phone number matches exactly through
        its blind index (the numbers themselves are stored encrypted, so LIKE cannot find them)."""
        term = search_term.strip()
        if re.fullmatch(r"[0-9A-Za-z]{15,18}", term):  # a resident ID / permit: exact only
            return queryset.filter(id_number_hash=pii.id_index(term)), False
        results, may_have_duplicates = super().get_search_results(request, queryset, term)
        if re.fullmatch(r"[0-9A-Za-z]{5,14}", term):  # a passport / permit number
            results |= queryset.filter(id_number_hash=pii.id_index(term))
        if re.fullmatch(r"[0-9+\-() ]{7,16}", term):  # a phone number
            results |= queryset.filter(phones__number_hash=pii.phone_index(term))
            may_have_duplicates = True
        return results, may_have_duplicates

    @admin.display(description=_("phones"))
    def phones_masked(self, obj):
        return ", ".join(p.masked for p in obj.phones.all())

    @admin.display(description=_("special groups"))
    def groups(self, obj):
        viewer = _viewer.get()
        if viewer is None or obj is None or obj.pk is None:
            return ""
        tags = selectors.person_tags(viewer, [obj.pk], purpose="admin").get(obj.pk, [])
        return ", ".join(f"{t.tag.name}{'·' + t.subtype if t.subtype else ''}" for t in tags)

    def save_model(self, request, obj, form, change):
        if change:
            services.person_update(person=Person.objects.get(pk=obj.pk),
                                   changes={f: form.cleaned_data[f] if f != "household" else form.cleaned_data[f].pk
                                            for f in form.changed_data}, actor=request.user)
        else:
            created = services.person_create(household=obj.household, name=obj.name, relation=obj.relation,
                                             actor=request.user)
            obj.pk = created.pk


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["entrance", "floor", "number", "area_m2"]
    show_change_link = True


@admin.register(Building, site=site)
class BuildingAdmin(ViewerMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    """The building view: every unit with its households and the groups of their members, at a glance."""

    list_display = ["address", "name", "grid", "floors"]
    list_filter = [GridFilter]
    search_fields = ["address", "name"]
    list_select_related = ["grid"]
    readonly_fields = ["at_a_glance"]
    fields = ["grid", "name", "address", "lon", "lat", "floors", "at_a_glance"]
    inlines = [UnitInline]

    @admin.display(description=_("units at a glance"))
    def at_a_glance(self, obj):
        viewer = _viewer.get()
        if obj is None or obj.pk is None or viewer is None:
            return ""
        units = obj.units.prefetch_related(Prefetch("households__members", queryset=Person.objects.order_by("pk")))
        persons = [p for u in units for h in u.households.all() for p in h.members.all()]
        tags = selectors.person_tags(viewer, [p.pk for p in persons], purpose="building view")
        rows = []
        for u in units:
            for h in u.households.all() or [None]:
                members = h.members.all() if h else []
                rows.append((f"{u.entrance}-{u.number}", h.number if h else "—", h.get_kind_display() if h else "",
                             "、".join(p.name + "".join(f"[{t.tag.name}]" for t in tags.get(p.pk, []))
                                      for p in members)))
        return format_html("<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
                           _("unit"), _("household"), _("type"), _("members and groups"),
                           format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows))

    def save_model(self, request, obj, form, change):
        obj.region_path = obj.grid.path
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for unit in formset.save(commit=False):
            unit.region_path = form.instance.region_path
            unit.save()
        for unit in formset.deleted_objects:
            unit.delete()


class MemberInline(admin.TabularInline):
    model = Person
    readonly_fields = ("name", "relation", "status", "id_number_masked")
    fields = readonly_fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household, site=site)
class HouseholdAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "unit", "head"]
    list_filter = [GridFilter, "kind"]
    search_fields = ["number", "unit__building__address"]
    list_select_related = ["unit__building", "head"]
    autocomplete_fields = ["unit", "head"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        obj.region_path = obj.unit.region_path
        super().save_model(request, obj, form, change)


@admin.register(Unit, site=site)
class UnitAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "floor", "area_m2"]
    list_filter = [GridFilter]
    search_fields = ["building__address", "number"]
    list_select_related = ["building"]
    autocomplete_fields = ["building"]

    def save_model(self, request, obj, form, change):
        obj.region_path = obj.building.region_path
        super().save_model(request, obj, form, change)


@admin.register(TagType, site=site)
class TagTypeAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "sensitive", "restricted", "watch"]


@admin.register(VisitRule, site=site)
class VisitRuleAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["tag", "frequency", "interval_days", "active"]
    list_editable = ["frequency", "interval_days", "active"]


@admin.register(Visit, site=site)
class VisitAdmin(ReadOnlyAdminMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["visited_at", "person", "household", "channel", "worker", "follow_up_needed"]
    list_filter = [GridFilter, "channel", "follow_up_needed"]
    list_select_related = ["person", "household", "worker"]
    search_fields = ["person__name", "findings"]


@admin.register(ChangeRequest, site=site)
class ChangeRequestAdmin(ReadOnlyAdminMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "source", "created_by", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["person", "created_by"]
    readonly_fields = ("person", "status", "source", "reason", "diff", "created_by", "decline_reason")
    fields = readonly_fields
    actions = ["approve", "decline_mismatch"]

    @admin.display(description=_("changes"))
    def diff(self, obj):
        return format_html_join("", "<p>{}: {} → <b>{}</b></p>",
                                ((r["field"], r["current"], r["proposed"]) for r in services.change_request_diff(obj)))

    @admin.action(description=_("Approve the selected changes"))
    def approve(self, request, queryset):
        run_service_action(self, request, queryset, lambda r: services.change_request_approve(request=r, actor=request.user),
             _("%(n)s approved."))

    @admin.action(description=_("Decline the selected changes (does not match records)"))
    def decline_mismatch(self, request, queryset):
        run_service_action(self, request, queryset, lambda r: services.change_request_decline(
            request=r, actor=request.user, reason=str(_("Does not match the records."))), _("%(n)s declined."))


@admin.register(Registration, site=site)
class RegistrationAdmin(ReadOnlyAdminMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "phone_masked", "unit", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["unit__building"]
    actions = ["verify", "decline_mismatch"]

    @admin.action(description=_("Verify: link the login to the household file"))
    def verify(self, request, queryset):
        run_service_action(self, request, queryset, lambda r: services.registration_verify(registration=r, actor=request.user),
             _("%(n)s verified."))

    @admin.action(description=_("Decline: does not match the records"))
    def decline_mismatch(self, request, queryset):
        run_service_action(self, request, queryset, lambda r: services.registration_decline(
            registration=r, actor=request.user, reason=str(_("Does not match the records."))), _("%(n)s declined."))


@admin.register(Rental, site=site)
class RentalAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "landlord_name", "starts_on", "ends_on", "registration_number"]
    list_filter = [GridFilter]
    list_select_related = ["unit__building"]
    search_fields = ["unit__building__address", "registration_number", "landlord_name"]
    autocomplete_fields = ["unit", "tenant_household"]
    raw_id_fields = ["landlord"]

    def save_model(self, request, obj, form, change):
        obj.region_path = obj.unit.region_path
        super().save_model(request, obj, form, change)


class FireCheckInline(admin.TabularInline):
    model = FireCheck
    extra = 0
    fields = ["checked_on", "result", "findings", "next_due", "checked_by"]
    readonly_fields = ["checked_by"]


@admin.register(Business, site=site)
class BusinessAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "owner_name", "owner_phone_masked", "licence_number"]
    list_filter = [GridFilter, "kind"]
    list_select_related = ["unit__building"]
    search_fields = ["name", "licence_number", "owner_name"]
    autocomplete_fields = ["unit"]
    inlines = [FireCheckInline]

    def save_model(self, request, obj, form, change):
        obj.region_path = obj.unit.region_path
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for check in formset.save(commit=False):
            check.checked_by_id = check.checked_by_id or request.user.pk
            check.save()


@admin.register(CareContact, site=site)
class CareContactAdmin(ReadOnlyAdminMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "relation", "phone_masked", "person", "user"]
    list_select_related = ["person", "user"]


@admin.register(ImportJob, site=site)
class ImportJobAdmin(ReadOnlyAdminMixin, HouseholdsAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "status", "total_rows", "created_by", "created_at"]
    readonly_fields = ["original_name", "status", "total_rows", "processed_rows", "summary", "errors"]


@admin.register(Compound, site=site)
class CompoundAdmin(HouseholdsAdminMixin, admin.ModelAdmin):
    """Compounds (小区): the buildings one property service runs; trustees, supervisors and owners'
    committees are given their role on a compound in the user's assignments."""

    list_display = ["name", "community", "address"]
    search_fields = ["name", "address"]
    list_select_related = ["community"]
    fields = ["community", "name", "address"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":  # only the communities this person may add compounds in
            from governance import access
            from governance.models import Region

            paths = access.region_paths(request.user, model=Compound, action="add")
            kwargs["queryset"] = Region.objects.filter(access.paths_q("path", paths), level="community")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["community"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.compound_create(community=form.cleaned_data["community"], name=form.cleaned_data["name"],
                                           address=form.cleaned_data["address"], actor=request.user)
        obj.pk = created.pk

