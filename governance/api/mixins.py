"""The API's side of governance.access: every viewset scopes through it."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission, IsAuthenticated

from governance import access
from governance.errors import Forbidden

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    # For the type checker the mixin is the view it is mixed into (request, super().get_queryset()).
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class TokenScope(BasePermission):
    """A token narrowed by `scopes` may only reach views whose `token_scope` it lists."""

    def has_permission(self, request, view):
        token = request.auth
        needed = getattr(view, "token_scope", None)
        if token is None or not hasattr(token, "allows"):
            return True
        if needed is None:
            return not token.scopes
        if not token.allows(needed):
            raise Forbidden()
        return True


class ScopedViewMixin(_ViewBase):
    """List and detail rows through `access.scope`; object actions through `access.require`.

    Set `access_actions = {"accept": "accept", ...}` to map viewset actions to policy
    actions; reads default to "view", writes to "change".
    """

    permission_classes = [IsAuthenticated, TokenScope]
    access_actions: dict[str, str] = {}
    # True where each action's service checks its own right (work orders: accept, dispatch, …):
    # the view then requires only "view" of the object, never nothing.
    service_checks_rights = False

    def access_action(self) -> str:
        action = getattr(self, "action", None) or ""
        if action in self.access_actions:
            return self.access_actions[action]
        if action in ("list", "retrieve", "metadata") or self.request.method in ("GET", "HEAD", "OPTIONS"):
            return "view"
        return "change"

    def get_queryset(self):
        return access.scope(super().get_queryset(), self.request.user, "view")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        access.require(request.user, "view" if self.service_checks_rights else self.access_action(), obj)
