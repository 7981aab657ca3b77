"""The back office. `is_staff` alone grants nothing: a user enters with a staff role,
and every model admin scopes rows and actions through governance.access."""

import contextvars
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin import helpers
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

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def with_request(request, *args, **kwargs):
            # The page renders here, while the request is known, so read-only links can be
            # checked against who is looking (see _readonly_admin_url).
            token = _admin_request.set(request)
            try:
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response
            finally:
                _admin_request.reset(token)

        return with_request

    def get_app_list(self, request, app_label=None):
        # The login page builds the menu too: a visitor who may not enter sees none, and no
        # model admin is ever asked about a user it cannot answer for.
        if not self.has_permission(request):
            return []
        return super().get_app_list(request, app_label)


_admin_request: contextvars.ContextVar = contextvars.ContextVar("linli_admin_request", default=None)
_django_readonly_admin_url = helpers.AdminReadonlyField.get_admin_url  # type: ignore[attr-defined]  # not in the stubs


def _readonly_admin_url(self, remote_field, remote_obj):
    """A read-only foreign key links to the related object's page only for a viewer who may open
    it; for anyone else it is its name (Django links it whenever the model is registered, so a grid
    worker saw links to user accounts and to regions outside their grid)."""
    request = _admin_request.get()
    related_admin = self.model_admin.admin_site._registry.get(remote_field.model) if self.model_admin else None
    if request is not None and related_admin is not None and not (
            related_admin.has_view_permission(request) and related_admin.has_view_permission(request, remote_obj)):
        return str(remote_obj)
    return _django_readonly_admin_url(self, remote_field, remote_obj)


# Django offers no hook for this link; the one patch of Django in Linli, applied here, once.
helpers.AdminReadonlyField.get_admin_url = _readonly_admin_url  # type: ignore[attr-defined]


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

    def get_readonly_fields(self, request, obj=None):
        # A raw-id or autocomplete field offers a lookup of the related rows: for a user who may
        # not view those (a department on a rental's landlord), the field is shown, not offered.
        fields = list(super().get_readonly_fields(request, obj))
        for name in [*self.raw_id_fields, *self.autocomplete_fields]:
            related = self.model._meta.get_field(name).related_model
            related_admin = self.admin_site._registry.get(related)
            if related_admin is not None and not related_admin.has_view_permission(request) and name not in fields:
                fields.append(name)
        return fields

    def _may(self, request, action, obj=None):
        if obj is None:  # the back office opens to roles with the right, not to owners of rows
            return access.may_at_all(request.user, action, self.model, roles_only=True)
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
