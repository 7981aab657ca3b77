"""The main loop: 受理/立案, 不予受理, 派遣 (with routing and manual override), 处置, 核查结案,
返工, 退回, reopen, 督办, merge and urgency changes. Each service: access.require, the row
lock, the transition table, a timeline row, the reporter's notice and the live push."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, images
from governance.errors import Forbidden, IllegalTransition, ValidationFailed
from governance.models import Department, Region
from governance.notify.services import lazy_format
from governance.roles import GRID_ROLES
from workorders import deadlines, events, lifecycle
from workorders import order_routing as routing
from workorders.choices import NON_DISPATCH_REASONS, PhotoStage, Status, Urgency
from workorders.models import Photo, PlusOne, WorkOrder
from workorders.rules import rule
from workorders.services.common import ensure_handler, locked, now, require, transition


@transaction.atomic
def order_accept(*, order: WorkOrder, actor, note: str = "") -> WorkOrder:
    require(actor, "accept", order)
    order = locked(order)
    order.accepted_at = now()
    transition(order, "accept", actor=actor, note=note)
    return order


@transaction.atomic
def order_reject(*, order: WorkOrder, actor, reason: str, message: str) -> WorkOrder:
    """不予受理: a reason from the list and a message the reporter reads."""
    require(actor, "reject", order)
    reasons = dict(NON_DISPATCH_REASONS)
    errors = {}
    if reason not in reasons:
        errors["reason"] = [_("Choose a reason from the list.")]
    if not (message or "").strip():
        errors["message"] = [_("Write a message to the reporter.")]
    if errors:
        raise ValidationFailed(fields=errors)
    order = locked(order)
    order.not_accepted_reason = reason
    transition(order, "reject", actor=actor, note=f"{reasons[reason]}：{message.strip()}", data={"reason": reason})
    return order


def _validate_target(order, actor, *, department, region, user):
    if sum(x is not None for x in (department, region)) != 1 and user is None:
        raise ValidationFailed(fields={"target": [_("Choose one department, street/community or grid worker.")]})
    if department is not None:
        if not isinstance(department, Department) or not department.active \
                or not order.region_path.startswith(f"/{department.district_id}/"):
            raise ValidationFailed(fields={"department": [_("This department does not serve the place.")]})
    if region is not None:
        if region.level not in ("street", "community", "grid") or not order.region_path.startswith(region.path):
            raise ValidationFailed(fields={"region": [_("Choose the street, community or grid of the place.")]})
    if user is not None:
        from governance.models import Assignment

        grid_ok = Assignment.objects.active().filter(
            user=user, role__in=list(GRID_ROLES), region__path__in=_prefixes(order.region_path)).exists()
        if not grid_ok:
            raise ValidationFailed(fields={"user": [_("This person is not a grid worker of the place.")]})


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


@transaction.atomic
def order_dispatch(*, order: WorkOrder, actor, department=None, region: Region | None = None, user=None,
                   reason: str = "", note: str = "") -> WorkOrder:
    """派遣. Without a target the routing rules decide; a target other than the rules'
    suggestion is a manual override and needs a reason (kept on the timeline)."""
    require(actor, "dispatch", order)
    order = locked(order)
    suggested = routing.route(order.category, order.region)
    override = any(x is not None for x in (department, region, user))
    if not override:
        department, region, user = suggested.department, suggested.region, suggested.user
    else:
        if user is not None and region is None:
            region = routing.grid_of(order.region)
        _validate_target(order, actor, department=department, region=region, user=user)
        same = (department == suggested.department and region == suggested.region and user == suggested.user)
        if not same and not reason.strip():
            raise ValidationFailed(fields={"reason": [_("Say why you route it differently from the rules.")]})
        override = not same
    if department is not None and not access.may_at_all(actor, "dispatch_department", WorkOrder):
        raise Forbidden(_("Only the street or the district dispatches to departments; "
                          "a community dispatches to its grid workers."))
    if order.status == Status.DISPATCHED and not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Say why you re-dispatch the order.")]})
    order.assigned_department, order.assigned_region, order.assigned_user = department, region, user
    order.routing_mode = suggested.mode if not override else ("specialist" if department else
                                                              ("grid" if user else "territorial"))
    first = order.dispatched_at is None
    if first:
        order.dispatched_at = now()
    target = department or user or region
    data = {"department": getattr(department, "pk", None), "region": getattr(region, "pk", None),
            "user": getattr(user, "pk", None), "override": override, "mode": order.routing_mode}
    text = _("to %(target)s") % {"target": target}
    if reason.strip():
        text += "；" + _("reason: %(reason)s") % {"reason": reason.strip()}
    if note.strip():
        text += "；" + note.strip()
    transition(order, "dispatch", actor=actor, note=text, data=data)
    if user is not None:
        events.notify_user(user, order, title=lazy_format(gettext_lazy("New order for you: %(number)s"),
                                                         number=order.number),
                           body=order.description[:200], key=f"wo:{order.pk}:assigned:{user.pk}:{int(order.updated_at.timestamp())}")
    return order


@transaction.atomic
def order_start(*, order: WorkOrder, actor, note: str = "") -> WorkOrder:
    """签收 / start handling: the unit the order was dispatched to."""
    require(actor, "start", order)
    order = locked(order)
    ensure_handler(actor, order, "start")
    order.started_at = order.started_at or now()
    transition(order, "start", actor=actor, note=note)
    return order


@transaction.atomic
def order_handle(*, order: WorkOrder, actor, note: str, photo_files=()) -> WorkOrder:
    """处置完毕 with the result; after-photos when the category requires them."""
    require(actor, "handle", order)
    order = locked(order)
    ensure_handler(actor, order, "handle")
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Describe what was done.")]})
    has_after = bool(photo_files) or order.photos.filter(stage=PhotoStage.HANDLED).exists()
    if order.category.after_photos_required and not has_after:
        raise ValidationFailed(fields={"photos": [_("This category needs photos after handling.")]})
    cleaned = [images.clean_image(f) for f in photo_files]
    order.handled_at = now()
    entry = transition(order, "handle", actor=actor, note=note.strip())
    for content in cleaned:
        Photo.objects.create(order=order, stage=PhotoStage.HANDLED, entry=entry, image=content, size=content.size,
                             uploaded_by=actor)
    return order


@transaction.atomic
def order_verify_close(*, order: WorkOrder, actor, note: str = "") -> WorkOrder:
    """核查结案 by the dispatcher's side — never by the one who handled it."""
    require(actor, "verify", order)
    order = locked(order)
    last_handler = order.timeline.filter(action="handle").order_by("-at", "-id").values_list("actor_id", flat=True).first()
    if last_handler == actor.pk and not actor.is_superuser:
        raise Forbidden(_("Whoever handled an order cannot verify it."))
    order.closed_at = now()
    order.followup_due_at = deadlines.followup_deadline(order.closed_at)
    order.followed_up_at = None
    transition(order, "verify", actor=actor, note=note)
    return order


@transaction.atomic
def order_return_rework(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """返工: the check found it not done; back to the handler, the handling clock runs on."""
    require(actor, "rework", order)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say what is still wrong.")]})
    order = locked(order)
    order.rework_count = F("rework_count") + 1
    transition(order, "rework", actor=actor, note=reason.strip())
    order.refresh_from_db(fields=["rework_count"])
    return order


@transaction.atomic
def order_send_back(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """退回: the receiving unit says it is not theirs; back to the dispatcher to re-dispatch."""
    require(actor, "send_back", order)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the order is not yours.")]})
    order = locked(order)
    ensure_handler(actor, order, "send_back")
    before = {"department": order.assigned_department_id, "region": order.assigned_region_id,
              "user": order.assigned_user_id}
    order.assigned_department = order.assigned_region = order.assigned_user = None
    transition(order, "send_back", actor=actor, note=reason.strip(), data={"from": before})
    return order


@transaction.atomic
def order_reopen(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """The reporter says it is not solved, within the window after closing (rules: 7 days)."""
    require(actor, "reopen", order)
    order = locked(order)
    if order.reporter_id != actor.pk and not actor.is_superuser:
        raise Forbidden(_("Only the reporter may reopen an order."))
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say what is still wrong.")]})
    if order.status == Status.CLOSED:
        window = dt.timedelta(days=rule("reopen_window_days"))
        if order.closed_at and now() > order.closed_at + window:
            raise IllegalTransition(_("An order can be reopened within %(days)s days of closing.")
                                    % {"days": rule("reopen_window_days")})
    order.reopen_count = F("reopen_count") + 1
    order.dispatched_at = now()
    order.closed_at = None
    order.followup_due_at = None
    order.handled_at = None
    transition(order, "reopen", actor=actor, note=reason.strip(), restart_handling=True)
    order.refresh_from_db(fields=["reopen_count"])
    return order


@transaction.atomic
def order_supervise(*, order: WorkOrder, actor, note: str) -> WorkOrder:
    """督办 by a superior: raises the level; the handler is told."""
    require(actor, "supervise", order)
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Write what you demand.")]})
    order = locked(order)
    order.supervise_level = min(order.supervise_level + 1, 9)
    deadlines.escalation_not_before(order, now())
    transition(order, "supervise", actor=actor, note=note.strip(), data={"level": order.supervise_level})
    events.notify_user(order.assigned_user, order,
                       title=lazy_format(gettext_lazy("Supervision (督办): %(number)s"), number=order.number),
                       body=note, key=f"wo:{order.pk}:supervise:{order.supervise_level}")
    return order


@transaction.atomic
def order_change_urgency(*, order: WorkOrder, actor, urgency: str, note: str = "") -> WorkOrder:
    require(actor, "change_urgency", order)
    if urgency not in Urgency.values:
        raise ValidationFailed(fields={"urgency": [_("Unknown urgency.")]})
    order = locked(order)
    old = order.urgency
    order.urgency = urgency
    deadlines.recompute_handling(order, now())
    transition(order, "change_urgency", actor=actor, note=note, data={"from": old, "to": urgency})
    return order


@transaction.atomic
def order_merge(*, order: WorkOrder, into: WorkOrder, actor, note: str = "") -> WorkOrder:
    """A duplicate joins the original: its reporter follows the original as a "+1"."""
    require(actor, "merge", order)
    require(actor, "view", into)
    if order.pk == into.pk:
        raise ValidationFailed(fields={"into": [_("An order cannot be merged into itself.")]})
    order, into = locked(order), locked(into)
    if into.status in (Status.MERGED, Status.NOT_ACCEPTED):
        raise IllegalTransition(_("The target order is not open."))
    order.merged_into = into
    transition(order, "merge", actor=actor, note=note or into.number, data={"into": into.pk})
    added = 0
    for uid in {order.reporter_id, *order.plus_one_rows.values_list("user_id", flat=True)} - {None, into.reporter_id}:
        _row, created = PlusOne.objects.get_or_create(order=into, user_id=uid)
        added += created
    WorkOrder.objects.filter(pk=into.pk).update(plus_ones=F("plus_ones") + added)
    lifecycle.step(into, "plus_one", actor=actor, note=_("merged from %(number)s") % {"number": order.number},
                   data={"from": order.pk}, notify=False)
    events.push(into, "merge")
    return order
