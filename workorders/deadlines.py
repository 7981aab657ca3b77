"""Stage deadlines from governance.workdays (DESIGN.md §4 "Time").

The clock of a stage starts when the order enters it. The handling clock starts at the
first dispatch and runs on through rework and re-dispatch: only an approved extension
moves it, and a change of urgency recomputes it from the dispatch. 挂账 does not stop it
either; a parked order simply leaves the overdue count (see sla.py).

Automatic 督办: an order turns overdue at level 1; while it stays overdue it goes up one level
(2: the street, 3: the district — rules "max_supervise_level") each time one more full stage
limit has passed, counted in the limit's own unit (工作时 / 工作日 / 自然时 / 自然日) from the due
moment, then from each escalation. `escalate_at` holds the next such moment; it is set here
whenever the due moment is, so the sweep only compares timestamps."""

from __future__ import annotations

import datetime as dt

from governance import workdays
from workorders.choices import ApplicationKind, ApplicationStatus, Stage
from workorders.lifecycle import STAGE_OF
from workorders.rules import rule


def _warn_from(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    # Amber at a share of the elapsed wall time; for working-time limits that share is
    # taken of the working time, so a weekend inside the window does not turn it amber early.
    share = float(rule("sla_warning_at"))
    return start + (due - start) * share


def _warn_for(start, limit, unit, due):
    if unit in ("work_hours", "work_days"):
        hours = workdays.workhours_between(start, due)
        return workdays.add_work_hours(start, hours * float(rule("sla_warning_at"))).at
    return _warn_from(start, due)


def followup_deadline(closed_at: dt.datetime) -> dt.datetime:
    """When the 回访 of an order closed at `closed_at` is due (rules "followup_call")."""
    limit, unit = rule("followup_call")
    return workdays.deadline(closed_at, limit, unit).at


def stage_limit(order) -> tuple[float, str]:
    """(limit, unit) of the order's current stage, the same one its due moment was counted with:
    the category's limit for the urgency, or the request type's when that cap decided it."""
    if order.stage != Stage.HANDLE:
        return rule(order.stage)
    limit, unit = order.category.limit_for(order.urgency)
    if order.request_type_id and order.dispatched_at is not None:
        rt = order.request_type
        cap = workdays.deadline(order.reported_at, float(rt.limit), rt.limit_unit)
        if cap.at < workdays.deadline(order.dispatched_at, limit, unit).at:
            return float(rt.limit), rt.limit_unit
    return limit, unit


def escalation_after(order, at: dt.datetime | None, *, level: int | None = None) -> dt.datetime | None:
    """The next automatic 督办 moment: one full stage limit after `at`, or None when the order
    (at `level`, default its own) is already at the top, or has no clock."""
    level = order.supervise_level if level is None else level
    if at is None or order.stage == Stage.NONE or max(level, 1) >= int(rule("max_supervise_level")):
        return None
    limit, unit = stage_limit(order)
    return workdays.deadline(at, limit, unit).at


def escalation_not_before(order, now: dt.datetime) -> None:
    """After a raise by hand or the end of 挂账: the next automatic level comes one full stage
    limit after `now` at the earliest (not at once for a moment that passed meanwhile)."""
    later = escalation_after(order, max(now, order.due_at) if order.due_at else None)
    order.escalate_at = max(later, order.escalate_at) if later and order.escalate_at else later


def handling_deadline(order) -> workdays.Deadline:
    """Category limit for the order's urgency from the first dispatch; a request type's own limit
    (接诉即办, counted from receipt) caps it when it is sooner; approved extensions add to it."""
    limit, unit = order.category.limit_for(order.urgency)
    due = workdays.deadline(order.dispatched_at, limit, unit)
    if order.request_type_id:
        rt = order.request_type
        cap = workdays.deadline(order.reported_at, float(rt.limit), rt.limit_unit)
        if cap.at < due.at:
            due = cap
    estimated = due.estimated
    at = due.at
    extensions = order.applications.filter(kind=ApplicationKind.EXTENSION, status=ApplicationStatus.APPROVED)
    for ext in extensions.order_by("decided_at"):
        moved = workdays.deadline(at, float(ext.extra_limit), ext.extra_unit)
        at, estimated = moved.at, estimated or moved.estimated
    return workdays.Deadline(at, estimated)


def enter_stage(order, now: dt.datetime, *, restart_handling: bool = False) -> None:
    """Set the stage clock for the order's (new) status; fields only, the caller saves."""
    stage = STAGE_OF.get(order.status, Stage.NONE)
    order.stage = stage
    order.stage_started_at = now
    if stage == Stage.NONE:
        order.due_at = order.warn_at = None
        order.due_estimated = False
        order.warned = order.overdue = False
        order.escalate_at = None
        return
    if stage == Stage.HANDLE:
        if order.handling_due_at is None or restart_handling:
            order.handling_due_at = handling_deadline(order).at
        limit, unit = order.category.limit_for(order.urgency)
        start = order.dispatched_at
        due = workdays.Deadline(order.handling_due_at, False)
    else:
        limit, unit = rule(stage)
        start = now
        due = workdays.deadline(now, limit, unit)
    order.due_at = due.at
    order.due_estimated = due.estimated
    order.warn_at = _warn_for(start, limit, unit, due.at)
    order.escalate_at = escalation_after(order, due.at)
    mark(order, now)


def recompute_handling(order, now: dt.datetime) -> None:
    """After an extension or an urgency change: the handling clock from the dispatch again."""
    if order.dispatched_at is None:
        return
    order.handling_due_at = handling_deadline(order).at
    if order.stage == Stage.HANDLE:
        limit, unit = order.category.limit_for(order.urgency)
        order.due_at = order.handling_due_at
        order.warn_at = _warn_for(order.dispatched_at, limit, unit, order.due_at)
        order.escalate_at = escalation_after(order, order.due_at)
        mark(order, now)


def mark(order, now: dt.datetime) -> None:
    """Amber / overdue flags as of `now` (the same rule the sweeper applies in bulk)."""
    order.warned = bool(order.warn_at and order.warn_at <= now)
    overdue = bool(order.due_at and order.due_at <= now)
    if overdue and not order.overdue:
        order.overdue_at = now
        order.ever_overdue = True
    if not overdue:
        order.overdue_at = None
    order.overdue = overdue
