"""延期申请, 挂账/缓办 and 申诉: the handling unit asks, someone else decides (two keys).

* An approved extension moves the handling deadline (the only thing that does).
* An approved parking takes the order out of the overdue count into its own; the clock runs on.
* An approved appeal excludes the order from scoring (三率 and on-time figures)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from governance.errors import Conflict, Forbidden, ValidationFailed
from workorders import deadlines
from workorders.choices import APPEAL_REASONS, PARK_REASONS, ApplicationKind, ApplicationStatus, LimitUnit
from workorders.lifecycle import check
from workorders.models import OrderApplication, WorkOrder
from workorders.services.common import ensure_handler, locked, now, require, transition

K = ApplicationKind


def _open(order, kind):
    return order.applications.filter(kind=kind, status=ApplicationStatus.REQUESTED).first()


def _request(order, actor, kind, *, reason="", note="", extra_limit=None, extra_unit=""):
    if _open(order, kind) is not None:
        raise Conflict(_("A request of this kind is already waiting for a decision."))
    app = OrderApplication.objects.create(order=order, kind=kind, reason=reason, note=note.strip(),
                                          extra_limit=extra_limit, extra_unit=extra_unit, requested_by=actor,
                                          requested_at=now())
    transition(order, f"{kind}_request", actor=actor, note=note.strip(), data={"application": app.pk, "reason": reason})
    return app


def _decide(app: OrderApplication, actor, approve: bool, note: str):
    if app.status != ApplicationStatus.REQUESTED:
        raise Conflict(_("This request was already decided."))
    if app.requested_by_id == actor.pk:
        raise Forbidden(_("Whoever asked cannot decide."))
    if not approve and not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Say why the request is denied.")]})
    app.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DENIED
    app.decided_by, app.decided_at, app.decision_note = actor, now(), (note or "").strip()
    app.save()
    return app


@transaction.atomic
def extension_request(*, order: WorkOrder, actor, extra_limit, extra_unit: str, note: str) -> OrderApplication:
    require(actor, "extension_request", order)
    order = locked(order)
    ensure_handler(actor, order, "extension_request")
    check(order, "extension_request")
    errors = {}
    try:
        limit_ok = float(extra_limit) > 0
    except (TypeError, ValueError):
        limit_ok = False
    if not limit_ok:
        errors["extra_limit"] = [_("How much more time?")]
    if extra_unit not in LimitUnit.values:
        errors["extra_unit"] = [_("Unknown unit.")]
    if not (note or "").strip():
        errors["note"] = [_("Say why more time is needed.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return _request(order, actor, K.EXTENSION, note=note, extra_limit=extra_limit, extra_unit=extra_unit)


@transaction.atomic
def extension_decide(*, application: OrderApplication, actor, approve: bool, note: str = "") -> OrderApplication:
    order = application.order
    require(actor, "extension_decide", order)
    order = locked(order)
    check(order, "extension_decide")
    app = _decide(OrderApplication.objects.select_for_update().get(pk=application.pk), actor, approve, note)
    if approve:
        order.extension_count += 1
        deadlines.recompute_handling(order, now())
    transition(order, "extension_decide", actor=actor, note=note,
               data={"application": app.pk, "approved": approve,
                     "handling_due_at": order.handling_due_at.isoformat() if order.handling_due_at else None})
    return app


@transaction.atomic
def park_request(*, order: WorkOrder, actor, reason: str, note: str) -> OrderApplication:
    require(actor, "park_request", order)
    order = locked(order)
    ensure_handler(actor, order, "park_request")
    check(order, "park_request")
    if reason not in dict(PARK_REASONS):
        raise ValidationFailed(fields={"reason": [_("Choose a reason from the list.")]})
    if order.parked:
        raise Conflict(_("The order is parked already."))
    return _request(order, actor, K.PARK, reason=reason, note=note)


@transaction.atomic
def park_decide(*, application: OrderApplication, actor, approve: bool, note: str = "") -> OrderApplication:
    """Approved by the street: stays visible, out of the overdue count, in the parked count."""
    order = application.order
    require(actor, "park_decide", order)
    order = locked(order)
    check(order, "park_decide")
    app = _decide(OrderApplication.objects.select_for_update().get(pk=application.pk), actor, approve, note)
    if approve:
        order.parked = True
    transition(order, "park_decide", actor=actor, note=note or str(dict(PARK_REASONS).get(app.reason, "")),
               data={"application": app.pk, "approved": approve}, )
    return app


@transaction.atomic
def order_unpark(*, order: WorkOrder, actor, note: str) -> WorkOrder:
    require(actor, "park_decide", order)
    order = locked(order)
    if not order.parked:
        raise Conflict(_("The order is not parked."))
    order.parked = False
    deadlines.mark(order, now())
    deadlines.escalation_not_before(order, now())  # no jump to the top for the time it was parked
    transition(order, "unpark", actor=actor, note=note)
    return order


@transaction.atomic
def appeal_request(*, order: WorkOrder, actor, reason: str, note: str) -> OrderApplication:
    require(actor, "appeal_request", order)
    order = locked(order)
    check(order, "appeal_request")
    if reason not in dict(APPEAL_REASONS):
        raise ValidationFailed(fields={"reason": [_("Choose a reason from the list.")]})
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Explain the appeal.")]})
    if order.appealed:
        raise Conflict(_("The order is excluded from scoring already."))
    return _request(order, actor, K.APPEAL, reason=reason, note=note)


@transaction.atomic
def appeal_decide(*, application: OrderApplication, actor, approve: bool, note: str) -> OrderApplication:
    order = application.order
    require(actor, "appeal_decide", order)
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Give the reason for the decision.")]})
    order = locked(order)
    check(order, "appeal_decide")
    app = _decide(OrderApplication.objects.select_for_update().get(pk=application.pk), actor, approve, note)
    if approve:
        order.appealed = True
    transition(order, "appeal_decide", actor=actor, note=note, data={"application": app.pk, "approved": approve})
    return app


def application_decide(*, application: OrderApplication, actor, approve: bool, note: str = ""):
    """One door for the three kinds (API and admin)."""
    deciders: dict[str, Callable[..., OrderApplication]] = {
        K.EXTENSION: extension_decide, K.PARK: park_decide, K.APPEAL: appeal_decide}
    fn = deciders[application.kind]
    return fn(application=application, actor=actor, approve=approve, note=note)


def pending(order: WorkOrder):
    return list(order.applications.filter(status=ApplicationStatus.REQUESTED).select_related("requested_by"))

