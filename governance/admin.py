from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance import services, uploads
from governance.admin_site import (
    ObjectPagesMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    run_service_action,
    site,
)
from governance.models import (
    ApiToken,
    Assignment,
    AuditEvent,
    Ballot,
    Council,
    Department,
    Elector,
    Holiday,
    HolidayYear,
    Notification,
    Objection,
    OfficeHours,
    OutboxDelivery,
    OutboxMessage,
    PartyBranch,
    Publicity,
    PublicityItem,
    Region,
    User,
    Vote,
    VoteStatus,
    WebhookEndpoint,
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
class OutboxMessageAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Outbound deliveries. A dead letter (a day of failures) is retried here, with a new
    window, or discarded so the rest of its stream goes on (governance.outbox)."""

    list_display = ["created_at", "topic", "endpoint", "url", "stream", "status", "attempts", "next_attempt_at",
                    "delivered_at"]
    list_filter = ["status", "topic", "endpoint"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "sealed"]
    inlines = [OutboxDeliveryInline]
    actions = ["retry_now", "discard"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        from governance import outbox

        queued = sum(outbox.message_retry_now(message=m, actor=request.user) for m in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, _("%(queued)s queued for delivery, %(skipped)s already delivered.")
                          % {"queued": queued, "skipped": skipped}, messages.SUCCESS)

    @admin.action(description=_("Discard (the rest of its stream goes on)"))
    def discard(self, request, queryset):
        from governance import outbox

        done = sum(outbox.message_discard(message=m, actor=request.user, reason=gettext("Discarded in the back office"))
                   for m in queryset)
        self.message_user(request, _("%(n)s discarded.") % {"n": done}, messages.SUCCESS)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "department", "owner_name", "topics", "active"]


@admin.register(WebhookEndpoint, site=site)
class WebhookEndpointAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Receivers outside Linli. The signing secret is made here and shown once; rotate it when
    a receiver's operator asks (messages not yet sent are signed with the new one)."""

    form = WebhookEndpointForm
    list_display = ["name", "url", "department", "owner_name", "active", "secret_prefix"]
    list_filter = ["active"]
    readonly_fields = ["secret_prefix", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        from governance import audit, outbox

        if change:
            super().save_model(request, obj, form, change)
            audit.record(actor=request.user, action="outbox.endpoint_change", obj=obj,
                         data={"fields": sorted(form.changed_data)})
            return
        created, raw = outbox.endpoint_create(actor=request.user, **{f: form.cleaned_data[f] for f in
                                                                       ("name", "url", "department", "owner_name",
                                                                        "topics")})
        if not form.cleaned_data["active"]:
            WebhookEndpoint.objects.filter(pk=created.pk).update(active=False)
        obj.pk = created.pk
        self.message_user(request, format_html(
            gettext("Endpoint created. Give its operator this signing secret now, it is shown only once: <code>{}</code>"),
            raw), messages.WARNING)

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        from governance import outbox

        for endpoint in queryset:
            raw = outbox.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
            self.message_user(request, format_html(
                gettext("New secret of {}, shown only once: <code>{}</code>"), endpoint.name, raw), messages.WARNING)


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


# --- votes -------------------------------------------------------------------------------------


class VoteForm(forms.ModelForm):
    rule = forms.ChoiceField(label=_("rule"))
    user = None  # the person at the page (VoteAdmin.get_form), for the region check
    electorate = forms.CharField(
        label=_("electorate"), required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("One voter per line, pasted from a spreadsheet (tabs or commas): key, name, weight, "
                    "username (optional, for voting in the portal). Replaces the whole electorate of a draft."))

    class Meta:
        model = Vote
        fields = ["title", "description", "region", "rule", "weight_label", "notice_days", "changeable", "opens_at",
                  "closes_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from governance import votes

        if "rule" in self.fields:  # absent when the page is read-only (an announced vote)
            cast(forms.ChoiceField, self.fields["rule"]).choices = [(k, r.label) for k, r in votes.RULES.items()]

    def clean(self):
        from governance import access, votes

        data = super().clean() or {}
        region = data.get("region")
        if region is not None and not self.instance.pk and not access.covers(self.user, region.path, model=Vote,
                                                                              action="add"):
            self.add_error("region", _("You may not put a vote to this region."))
        if data.get("electorate"):
            rows = votes.electorate_rows(data["electorate"])
            _electors, errors = votes.check_electorate(rows)
            if errors:  # all or nothing: the report names each bad row, nothing is saved
                row_word = gettext("Row")
                self.add_error("electorate", [f"{where.replace('row', row_word)}: {'; '.join(problems)}"
                                              for where, problems in errors.items()])
            data["electorate_rows"] = rows
        return data


class ElectorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Elector
    extra = 0
    fields = ["key", "label", "weight", "user"]


class BallotInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Ballot
    extra = 0
    fields = ["elector", "choice", "channel", "recorded_by", "cast_at", "changed_at"]


@admin.register(Vote, site=site)
class VoteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Put a vote, paste its electorate, announce it; the sweep opens and closes it on time;
    publish the counted result. Every step goes through governance.votes."""

    form = VoteForm
    list_display = ["title", "region", "status", "opens_at", "closes_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [ElectorInline, BallotInline]
    actions = ["announce", "publish"]

    def has_change_permission(self, request, obj=None):
        # Announced, a vote is fixed: its page is read-only (the actions still move it).
        return super().has_change_permission(request, obj) and (obj is None or obj.status == VoteStatus.DRAFT)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = cast(type[VoteForm], super().get_form(request, obj, change=change, **kwargs))
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = ["status", "announced_at", "counted_at", "published_at", "result_table"]
        if obj is not None:
            fields.append("region")
            if obj.status != VoteStatus.DRAFT:
                fields += [f for f in VoteForm.Meta.fields if f not in fields]
        return fields

    def get_fields(self, request, obj=None):
        fields = [*VoteForm.Meta.fields, "status", "announced_at", "counted_at", "published_at", "result_table"]
        if obj is None or obj.status == VoteStatus.DRAFT:
            fields.insert(len(VoteForm.Meta.fields), "electorate")
        return fields

    @admin.display(description=_("result"))
    def result_table(self, obj):
        if not obj.result:
            return "—"
        lines = [*obj.result["quorum"], *obj.result["passing"]]
        return format_html_join("", "<div>{} — {} ({}): {}</div>", (
            (line["text"], line["value"], line["share"], gettext("met") if line["met"] else gettext("not met"))
            for line in lines))

    def save_model(self, request, obj, form, change):
        from governance import votes

        fields = {f: form.cleaned_data[f] for f in VoteForm.Meta.fields if f in form.cleaned_data and f != "region"}
        if change:
            changed = {f: fields[f] for f in form.changed_data if f in fields}
            if changed:
                votes.vote_update(vote=Vote.objects.get(pk=obj.pk), actor=request.user, **changed)
        else:
            created = votes.vote_create(actor=request.user, region=form.cleaned_data["region"], **fields)
            obj.pk = created.pk
        if form.cleaned_data.get("electorate_rows"):
            votes.electorate_set(vote=Vote.objects.get(pk=obj.pk), rows=form.cleaned_data["electorate_rows"],
                                 actor=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # the inlines are read-only: the electorate comes from the pasted rows

    @admin.action(description=_("Announce (the notice period starts)"))
    def announce(self, request, queryset):
        from governance import votes

        run_service_action(self, request, queryset, lambda v: votes.vote_announce(vote=v, actor=request.user),
                           _("%(n)s announced."))

    @admin.action(description=_("Publish the result"))
    def publish(self, request, queryset):
        from governance import votes

        run_service_action(self, request, queryset, lambda v: votes.vote_publish(vote=v, actor=request.user),
                           _("%(n)s published."))


# --- publicity (公示) ---------------------------------------------------------------------------


class PublicityForm(forms.ModelForm):
    items_text = forms.CharField(
        label=_("items"), widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("One item per line, pasted from a spreadsheet (tabs or commas): key, text, amount (optional)."))
    user = None  # the person at the page, for the region check

    class Meta:
        model = Publicity
        fields = ["title", "body", "region", "kind", "days", "day_count"]

    def clean(self):
        from governance import access

        data = super().clean() or {}
        region = data.get("region")
        if region is not None and not access.covers(self.user, region.path, model=Publicity, action="add"):
            self.add_error("region", _("You may not publish to this region."))
        data["item_rows"] = [dict(zip(("key", "label", "amount"), row, strict=False))
                             for row in uploads.pasted_rows(data.get("items_text") or "")]
        return data


class PublicityItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PublicityItem
    extra = 0
    fields = ["key", "label", "amount", "status"]


class ObjectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Objection
    extra = 0
    fields = ["item", "reason", "status", "raised_at", "resolution", "resolved_by"]
    show_change_link = True


@admin.register(Publicity, site=site)
class PublicityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Publish a list for N days; residents object in the portal; decide each objection on its
    page. The sweep ends the period; items post unless an upheld objection holds them."""

    list_display = ["title", "region", "kind", "status", "starts_at", "ends_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [PublicityItemInline, ObjectionInline]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        return False  # a publicity is created, published, withdrawn: never edited behind its readers

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PublicityForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            cast(type[PublicityForm], form).user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*PublicityForm.Meta.fields, "items_text"]
        return [*PublicityForm.Meta.fields, "status", "starts_at", "ends_at", "ended_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*PublicityForm.Meta.fields, "status", "starts_at", "ends_at", "ended_at"]

    def save_model(self, request, obj, form, change):
        from governance import publicity

        d = form.cleaned_data
        created = publicity.publicity_create(actor=request.user, title=d["title"], body=d["body"], region=d["region"],
                                             kind=d["kind"], days=d["days"], day_count=d["day_count"],
                                             items=d["item_rows"])
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # the items come from the pasted rows

    @admin.action(description=_("Publish (the period starts)"))
    def publish(self, request, queryset):
        from governance import publicity

        run_service_action(self, request, queryset,
                           lambda p: publicity.publicity_publish(publicity=p, actor=request.user), _("%(n)s published."))


class ObjectionDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("decision"), choices=[("upheld", _("Uphold")), ("dismissed", _("Dismiss"))],
                                 widget=forms.RadioSelect)
    answer = forms.CharField(label=_("reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The objector reads it."))

    class Meta:
        model = Objection
        fields: list[str] = []


@admin.register(Objection, site=site)
class ObjectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Objections to publicity: decide each open one with a reason (governance.publicity)."""

    form = ObjectionDecisionForm
    list_display = ["publicity", "item", "status", "raised_at", "resolved_at"]
    list_filter = ["status"]
    list_select_related = ["publicity", "item"]
    readonly_fields = ["publicity", "item", "reason", "raised_at", "status", "resolution", "resolved_by",
                       "resolved_at"]

    def has_add_permission(self, request):
        return False  # residents object in the portal or the API

    def has_change_permission(self, request, obj=None):
        from governance.models import ObjectionStatus

        return self._may(request, "resolve", obj) and (obj is None or obj.status == ObjectionStatus.OPEN)

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and self.has_change_permission(request, obj):
            fields += ["decision", "answer"]
        return fields

    def save_model(self, request, obj, form, change):
        from governance import publicity

        publicity.objection_resolve(objection=Objection.objects.get(pk=obj.pk), actor=request.user,
                                    upheld=form.cleaned_data["decision"] == "upheld",
                                    resolution=form.cleaned_data["answer"])


@admin.register(Council, site=site)
class CouncilAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Residents' councils (居民议事会); members are given their role on one in their assignments."""

    list_display = ["name", "region", "term_starts", "term_ends"]
    list_select_related = ["region"]
    fields = ["region", "name", "term_starts", "term_ends"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":  # only the communities this person may add councils in
            from governance import access

            paths = access.region_paths(request.user, model=Council, action="add")
            kwargs["queryset"] = Region.objects.filter(access.paths_q("path", paths), level="community")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        from governance import audit

        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="council.change" if change else "council.create", obj=obj)

