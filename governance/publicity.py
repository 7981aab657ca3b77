"""Publicity (公示) with objections: a batch of items shown to a region for N days, during which
any resident there may object with a reason; staff uphold or dismiss each objection with theirs;
when the period is over and no objection is left open, every item posts unless an upheld
objection holds it (one against the whole batch holds all of it).

    pub = publicity.publicity_create(actor=staff, title="11月积分公示", region=community, kind="points.claims",
                                     days=5, day_count="working", items=[{"key": "claim:7", "label": "王秀兰 义务巡逻 +10"}])
    publicity.publicity_publish(publicity=pub, actor=staff)
    publicity.objection_raise(publicity=pub, actor=resident, item=item, reason="当天并未参加")
    publicity.objection_resolve(objection=o, actor=staff, upheld=False, resolution="有签到记录和照片")
    publicity.items_posted.connect(receiver, dispatch_uid=...)   # the app posts what passed

The beat sweep ends each period on time. States through governance.statemachine. The app that
published the batch acts on `items_posted` (sender=Publicity, publicity=, posted=[items],
held=[items]), sent in the transaction that ends the publicity, so both commit or neither.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, audit, workdays
from governance.errors import Conflict, Forbidden, ValidationFailed
from governance.models.publicity import (
    DayCount,
    ItemStatus,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityItem,
    PublicityStatus,
)
from governance.statemachine import Machine, Move

items_posted = Signal()


def period_end(start: dt.datetime, days: int, day_count: str) -> dt.datetime:
    """Working days: close of office on the n-th working day after the start day. Natural days:
    midnight at the end of the n-th day after it."""
    if day_count == DayCount.WORKING:
        return workdays.add_workdays(start, days).at
    local = timezone.localtime(start, workdays.TZ)
    end_day = local.date() + dt.timedelta(days=days + 1)
    return dt.datetime.combine(end_day, dt.time(0, 0), tzinfo=workdays.TZ)


def _has_items(pub: Publicity, actor, at):
    return None if pub.items.exists() else _("There is nothing to publish.")


def _no_open_objection(pub: Publicity, actor, at):
    if pub.objections.filter(status=ObjectionStatus.OPEN).exists():
        return _("Resolve every objection first.")
    return None


def _period_over(pub: Publicity, actor, at):
    return None if pub.ends_at is not None and at >= pub.ends_at else _("The publicity period is not over.")


def _over_and_settled(pub: Publicity, actor, at):
    return _period_over(pub, actor, at) or _no_open_objection(pub, actor, at)


P, OB = PublicityStatus, ObjectionStatus
MACHINE = Machine("publicity", label=lambda s: PublicityStatus(s).label, moves={
    "publish": Move((P.DRAFT,), P.PUBLISHED, gettext_lazy("publish"), guard=_has_items),
    "await": Move((P.PUBLISHED,), P.DECIDING, gettext_lazy("wait for the objections to be resolved"), right=None,
                  guard=_period_over),
    "end": Move((P.PUBLISHED, P.DECIDING), P.ENDED, gettext_lazy("end and post"), right="resolve",
                guard=_over_and_settled),
    "withdraw": Move((P.DRAFT, P.PUBLISHED, P.DECIDING), P.WITHDRAWN, gettext_lazy("withdraw")),
})
OBJECTION_MACHINE = Machine("objection", label=lambda s: ObjectionStatus(s).label, moves={
    "uphold": Move((OB.OPEN,), OB.UPHELD, gettext_lazy("uphold"), right="resolve"),
    "dismiss": Move((OB.OPEN,), OB.DISMISSED, gettext_lazy("dismiss"), right="resolve"),
})


def _items(rows: list[dict], pub: Publicity) -> list[PublicityItem]:
    errors: dict[str, list[str]] = {}
    items, seen = [], set()
    for i, row in enumerate(rows, start=1):
        key, label = str(row.get("key", "")).strip(), str(row.get("label", "")).strip()
        problems = []
        if not key or not label:
            problems.append(_("a key and a text are needed"))
        if key in seen:
            problems.append(_("this item is listed twice"))
        seen.add(key)
        amount = row.get("amount")
        if amount not in (None, ""):
            try:
                amount = Decimal(str(amount)).quantize(Decimal("0.01"))
                if abs(amount) >= Decimal("1e14"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(_("the amount must be a number"))
                amount = None
        else:
            amount = None
        if problems:
            errors[f"row {i}"] = [str(p) for p in problems]
        items.append(PublicityItem(publicity=pub, key=key, label=label[:200], detail=str(row.get("detail", "")),
                                   amount=amount, region_path=pub.region_path))
    if not items:
        errors["items"] = [_("Publish at least one item.")]
    if errors:
        raise ValidationFailed(_("Nothing was saved: correct the rows marked."), fields=errors)
    return items


@transaction.atomic
def publicity_create(*, actor, title: str, region, kind: str, days: int, items: list[dict],
                     day_count: str = DayCount.NATURAL, body: str = "", subject=None) -> Publicity:
    access.need_actor(actor)
    if not access.is_system(actor) and not access.covers(actor, region.path, model=Publicity, action="add"):
        raise Forbidden(_("You may not publish to this region."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Write a title.")]
    if not isinstance(days, int) or days < 1 or days > 90:
        errors["days"] = [_("A publicity runs from 1 to 90 days.")]
    if day_count not in DayCount.values:
        errors["day_count"] = [_("Choose natural or working days.")]
    if errors:
        raise ValidationFailed(fields=errors)
    pub = Publicity(title=title.strip(), body=body, region=region, region_path=region.path, kind=kind, days=days,
                    day_count=day_count, created_by=None if access.is_system(actor) else actor)
    if subject is not None:
        pub.subject = subject
    rows = _items(items, pub)
    pub.save()
    PublicityItem.objects.bulk_create(rows)
    audit.record(actor=actor, action="publicity.create", obj=pub, data={"items": len(rows), "kind": kind})
    return pub


@transaction.atomic
def publicity_publish(*, publicity: Publicity, actor, at=None) -> Publicity:
    at = at or timezone.now()

    def dates(p):
        p.starts_at, p.ends_at = at, period_end(at, p.days, p.day_count)

    pub, _entry = MACHINE.run(publicity, "publish", actor=actor, at=at, change=dates)
    return pub


@transaction.atomic
def publicity_withdraw(*, publicity: Publicity, actor, reason: str, at=None) -> Publicity:
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why it is withdrawn.")]})
    pub, _entry = MACHINE.run(publicity, "withdraw", actor=actor, at=at or timezone.now(),
                              audit_data={"reason": reason.strip()})
    return pub


def _finish(pub: Publicity, *, actor, at) -> Publicity:
    """End a locked publicity: each item posts or is held; the app hears it in this transaction."""
    upheld = pub.objections.filter(status=ObjectionStatus.UPHELD)
    whole_batch = upheld.filter(item__isnull=True).exists()
    held_ids = set(upheld.exclude(item__isnull=True).values_list("item_id", flat=True))
    items = list(pub.items.all())
    held = [i for i in items if whole_batch or i.pk in held_ids]
    posted = [i for i in items if i not in held]
    PublicityItem.objects.filter(pk__in=[i.pk for i in held]).update(status=ItemStatus.HELD)
    PublicityItem.objects.filter(pk__in=[i.pk for i in posted]).update(status=ItemStatus.POSTED)
    for i in held:
        i.status = ItemStatus.HELD
    for i in posted:
        i.status = ItemStatus.POSTED

    pub.ended_at = at
    MACHINE.apply(pub, "end", actor=actor, at=at, audit_data={"posted": len(posted), "held": len(held)})
    items_posted.send(sender=Publicity, publicity=pub, posted=posted, held=held)
    return pub


@transaction.atomic
def publicity_end(*, publicity: Publicity, actor, at=None) -> Publicity:
    """At the end of the period: post now, or wait while an objection is still open."""
    at = at or timezone.now()
    pub = MACHINE.lock(publicity)
    if pub.status == PublicityStatus.PUBLISHED and pub.objections.filter(status=ObjectionStatus.OPEN).exists():
        MACHINE.apply(pub, "await", actor=actor, at=at)
        return pub
    return _finish(pub, actor=actor, at=at)


# --- objections ---------------------------------------------------------------------------------


@transaction.atomic
def objection_raise(*, publicity: Publicity, actor, reason: str, item: PublicityItem | None = None,
                    at=None) -> Objection:
    at = at or timezone.now()
    access.require(actor, "object", publicity)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say what is wrong.")]})
    if item is not None and item.publicity_id != publicity.pk:
        raise ValidationFailed(fields={"item": [_("This item is not in this publicity.")]})
    pub = MACHINE.lock(publicity)
    if pub.status != PublicityStatus.PUBLISHED or pub.ends_at is None or at >= pub.ends_at:
        raise Conflict(_("Objections are taken only while the publicity runs."))
    if Objection.objects.filter(publicity=pub, item=item, user=actor, status=ObjectionStatus.OPEN).exists():
        raise Conflict(_("Your objection to this is already waiting for an answer."))
    objection = Objection.objects.create(publicity=pub, item=item, user=actor, reason=reason.strip()[:2000],
                                         raised_at=at, region_path=pub.region_path)
    audit.record(actor=actor, action="publicity.objection", obj=pub,
                 data={"objection": objection.pk, "item": getattr(item, "pk", None)})
    return objection


@transaction.atomic
def objection_resolve(*, objection: Objection, actor, upheld: bool, resolution: str, at=None) -> Objection:
    """Uphold or dismiss, with the reason the objector reads. Resolving the last open objection of
    a publicity whose period is over ends it."""
    at = at or timezone.now()
    if not (resolution or "").strip():
        raise ValidationFailed(fields={"resolution": [_("Give the reason for the decision.")]})

    def decided(o):
        o.resolution, o.resolved_by, o.resolved_at = resolution.strip(), actor, at

    pub = MACHINE.lock(objection.publicity)  # the publicity first: objections and its end serialize
    objection, _entry = OBJECTION_MACHINE.run(objection, "uphold" if upheld else "dismiss", actor=actor, at=at,
                                              change=decided, region=pub.region)
    if pub.status == PublicityStatus.DECIDING and not pub.objections.filter(status=ObjectionStatus.OPEN).exists():
        _finish(pub, actor=actor, at=at)
    return objection


# --- on time ---------------------------------------------------------------------------------------


def sweep(*, now=None) -> int:
    """Beat: end each publicity whose period is over (or set it waiting for its objections)."""
    now = now or timezone.now()
    ended = 0
    for pub in Publicity.objects.filter(status=PublicityStatus.PUBLISHED, ends_at__lte=now):
        publicity_end(publicity=pub, actor=access.system(), at=now)
        ended += 1
    return ended
