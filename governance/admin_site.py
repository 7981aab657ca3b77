"""The back office. `is_staff` alone grants nothing: a user enters with a staff role,
and every model admin scopes rows and actions through governance.access."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from governance import access

if TYPE_CHECKING:
    # For the type checker the mixins are the ModelAdmin they are mixed into (self.model, super()).
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class LinliAdminSite(admin.AdminSite):
    site_header = _("Linli back office")
    site_title = _("Linli")
    index_title = _("Community governance")

    def has_permission(self, request):
        return access.works_in_back_office(request.user)

    def get_app_list(self, request, app_label=None):
        # The login page builds the menu too: a visitor who may not enter sees none, and no
        # model admin is ever asked about a user it cannot answer for.
        if not self.has_permission(request):
            return []
        return super().get_app_list(request, app_label)


class ObjectPagesMixin(_AdminBase):
    """One answer for every object page (change, delete, history), as ROLES.md says:
    no right on the model → 403; an object outside the user's rows → 404 (never
    Django's redirect to the index, which would tell a hidden id from a missing one)."""

    def _object_page_guard(self, request, object_id):
        from django.contrib.admin.utils import unquote
        from django.core.exceptions import PermissionDenied

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._object_page_guard(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._object_page_guard(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._object_page_guard(request, object_id)
        return super().history_view(request, object_id, extra_context)


class ScopedAdminMixin(ObjectPagesMixin):
    """Rows through access.scope, permissions through the model's Policy.
    Actions that change state call services; they never write fields behind them."""

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, "view")

    def _may(self, request, action, obj=None):
        if obj is None:
            return access.may_at_all(request.user, action, self.model)
        return access.can(request.user, action, obj)

    def has_module_permission(self, request):
        return self._may(request, "view")

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", obj) or self._may(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj)

    def has_add_permission(self, request):
        return self._may(request, "add")

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", obj)


class ReadOnlyAdminMixin:
    """Append-only records (audit, ledgers, timelines): nobody edits or deletes them here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def run_service_action(modeladmin, request, queryset, fn, done=None) -> int:
    """An admin action that calls a service for each selected row: a refused row shows the
    service's message and the others go on; `done` (e.g. _("%(n)s approved.")) reports the count."""
    from django.contrib import messages

    from governance.errors import DomainError

    n = 0
    for obj in queryset:
        try:
            fn(obj)
            n += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
    if n and done:
        modeladmin.message_user(request, done % {"n": n}, messages.SUCCESS)
    return n


site = LinliAdminSite(name="admin")
