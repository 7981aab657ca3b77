"""Helpers every order service shares: the row lock, who counts as the handler, the move."""

from __future__ import annotations

from django.utils.translation import gettext as _

from governance import access
from governance.errors import Forbidden
from governance.roles import DEPARTMENT_ROLES, Role
from workorders import clock, deadlines, events, lifecycle
from workorders.models import WorkOrder


def now():
    return clock.now()


def locked(order: WorkOrder) -> WorkOrder:
    """The order re-read under a row lock (two doors acting at once serialize here)."""
    return (WorkOrder.objects.select_for_update(of=("self",))
            .select_related("category", "request_type", "region", "assigned_region", "assigned_department")
            .get(pk=order.pk))


def is_handler(user, order: WorkOrder) -> bool:
    """Whoever the order is assigned to: the person, the department's staff, or staff of the
    assigned street/community (and the grid's staff when a grid worker holds it)."""
    if user.is_superuser or access.has_role(user, Role.DISTRICT_ADMIN):
        return True
    if order.assigned_user_id and order.assigned_user_id == user.pk:
        return True
    for a in user.active_assignments:
        if a.role in DEPARTMENT_ROLES and order.assigned_department_id and a.department_id == order.assigned_department_id:
            return True
        if a.role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER) and order.assigned_region_id \
                and not order.assigned_department_id and order.assigned_region is not None \
                and a.region is not None and order.assigned_region.path.startswith(a.region.path):
            return True
        if a.role == Role.GRID_LEADER and order.assigned_user_id and a.region is not None \
                and order.region_path.startswith(a.region.path):
            return True
    return False


def handler_ids_in_path(user, order: WorkOrder) -> bool:
    """Cheap version for lists (no queries): may this user see the reporter's identity?"""
    if user.is_superuser:
        return True
    if order.reporter_id == user.pk:
        return True
    if order.assigned_user_id == user.pk:
        return True
    for a in user.active_assignments:
        if a.role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_ADMIN) and a.region_id \
                and order.region_path.startswith(a.region.path):
            return True
        if a.role in DEPARTMENT_ROLES and a.department_id == order.assigned_department_id:
            return True
    return False


def ensure_handler(user, order: WorkOrder, action: str | None = None) -> None:
    """The state first (409 says what is wrong with the order), then the person (403)."""
    if action is not None:
        lifecycle.check(order, action)
    if not is_handler(user, order):
        raise Forbidden(_("This order is assigned to someone else."))



def transition(order: WorkOrder, action: str, *, actor, note: str = "", data: dict | None = None,
               at=None, restart_handling: bool = False):
    """Check the table, move, restart the stage clock, save, and record the step."""
    mv = lifecycle.check(order, action)
    before = order.status
    at = at or now()
    if mv.target is not None and mv.target != before:
        order.status = mv.target
        deadlines.enter_stage(order, at, restart_handling=restart_handling)
    order.save()
    return events.record(order, action=action, actor=actor, from_status=before, note=note, data=data)


def require(actor, action: str, order: WorkOrder) -> None:
    access.require(actor, action, order)
