"""Helpers every order service shares: the row lock, who counts as the handler, the move."""

from __future__ import annotations

from django.utils.translation import gettext as _

from governance import access
from governance.errors import Forbidden
from workorders import clock, deadlines, lifecycle
from workorders.models import WorkOrder
from workorders.selectors import is_handler


def now():
    return clock.now()


def locked(order: WorkOrder) -> WorkOrder:
    """The order re-read under a row lock (two doors acting at once serialize here)."""
    return lifecycle.MACHINE.lock(order)


def ensure_handler(user, order: WorkOrder, action: str | None = None) -> None:
    """The state first (409 says what is wrong with the order), then the person (403)."""
    if action is not None:
        lifecycle.check(order, action)
    if not is_handler(user, order):
        raise Forbidden(_("This order is assigned to someone else."))



def transition(order: WorkOrder, action: str, *, actor, note: str = "", data: dict | None = None,
               at=None, restart_handling: bool = False):
    """The move through the core machine (status, right, save, timeline row, audit) with the
    stage clock restarted when the status changes. The caller holds the row lock (`locked`)."""
    at = at or now()

    def enter_stage(o, before):
        if o.status != before:
            deadlines.enter_stage(o, at, restart_handling=restart_handling)

    return lifecycle.MACHINE.apply(order, action, actor=actor, note=note, data=data, at=at,
                                   before_save=enter_stage)


def require(actor, action: str, order: WorkOrder) -> None:
    access.require(actor, action, order)
