"""The alert lifecycle and the escalation ladder.

One transition table; an illegal move is a 409. Every move and every ladder step is a
timeline row (AlertEvent) and a notification (governance.notify). The ladder is re-derived from
the database by the sweep (`alerts_escalate`), so a lost task only delays a step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, audit
from governance.errors import IllegalTransition, ValidationFailed
from governance.models import Assignment, Region, User
from governance.notify.services import lazy_format, notify
from governance.roles import GRID_ROLES, Role
from households.care.models import (
    CARE_KINDS,
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Audience,
    EscalationStep,
    Outcome,
    VisitHelp,
    VisitTask,
)

S = AlertState
# (state, action) -> next state. Nothing else is possible.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, "acknowledge"): S.ACKNOWLEDGED,
    (S.OPEN, "visit"): S.VISITING,
    (S.ACKNOWLEDGED, "visit"): S.VISITING,
    (S.OPEN, "resolve"): S.RESOLVED,
    (S.ACKNOWLEDGED, "resolve"): S.RESOLVED,
    (S.VISITING, "resolve"): S.RESOLVED,
}
ACTION_LABELS = {"acknowledge": gettext_lazy("acknowledge"), "visit": gettext_lazy("start a visit"),
                 "resolve": gettext_lazy("resolve")}


def _transition(alert: Alert, action: str, *, actor, note: str, now: datetime, step: str = "") -> AlertEvent:
    target = TRANSITIONS.get((alert.state, action))
    if target is None or (action == "visit" and alert.kind == AlertKind.DEVICE):
        raise IllegalTransition(
            _("A %(state)s alert cannot be moved to “%(action)s”.")
            % {"state": alert.get_state_display(), "action": ACTION_LABELS.get(action, action)}
        )
    before = alert.state
    alert.state = target
    return AlertEvent.objects.create(alert=alert, at=now, actor=actor, action=action, step=step,
                                     from_state=before, to_state=target, note=note)


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor, note: str = "", now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    access.require(actor, "act", alert)
    alert = _locked(alert)
    event = _transition(alert, "acknowledge", actor=actor, note=note, now=now)
    alert.acknowledged_at = now
    alert.save(update_fields=["state", "acknowledged_at"])
    _notify_followers(alert, event, exclude=actor)
    audit.record(actor=actor, action="care.alert.acknowledge", obj=alert, region=alert.grid)
    return alert


@transaction.atomic
def alert_start_visit(*, alert: Alert, actor, helpers: str = "", note: str = "",
                      now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    access.require(actor, "act", alert)
    if helpers not in VisitHelp.values:
        raise ValidationFailed(fields={"helpers": [_("Choose who comes along.")]})
    alert = _locked(alert)
    event = _transition(alert, "visit", actor=actor, note=note, now=now)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
    alert.save(update_fields=["state", "acknowledged_at"])
    visit, _created = VisitTask.objects.get_or_create(alert=alert, defaults={"requested_at": now})
    visit.started_at, visit.started_by, visit.helpers = now, actor, helpers
    visit.save(update_fields=["started_at", "started_by", "helpers"])
    _notify_followers(alert, event, exclude=actor)
    audit.record(actor=actor, action="care.alert.visit", obj=alert, region=alert.grid, data={"helpers": helpers})
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, outcome: str, note: str = "", now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    access.require(actor, "act", alert)
    if outcome not in Outcome.values:
        raise ValidationFailed(fields={"outcome": [_("Choose an outcome.")]})
    if outcome in (Outcome.NEEDED_HELP, Outcome.HOSPITAL) and not note.strip():
        raise ValidationFailed(fields={"note": [_("Say what happened.")]})
    alert = _locked(alert)
    event = _transition(alert, "resolve", actor=actor, note=note, now=now)
    alert.outcome, alert.note, alert.resolved_at = outcome, note, now
    alert.save(update_fields=["state", "outcome", "note", "resolved_at"])
    VisitTask.objects.filter(alert=alert, done_at__isnull=True, started_at__isnull=False).update(done_at=now)
    _notify_followers(alert, event, exclude=actor)
    audit.record(actor=actor, action="care.alert.resolve", obj=alert, region=alert.grid, data={"outcome": outcome})
    return alert


# --- who hears about it ---------------------------------------------------------------

def _region_ids_on_path(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def recipients(alert: Alert, audience: str) -> list[User]:
    if audience == Audience.CONTACTS:
        if alert.person_id is None:
            return []
        return list(User.objects.filter(care_contacts__person_id=alert.person_id, care_contacts__active=True,
                                        is_active=True).distinct())
    if audience == Audience.GRID:
        q = Q(role__in=GRID_ROLES, region_id__in=_region_ids_on_path(alert.region_path))
    else:
        role = Role.COMMUNITY_STAFF if audience == Audience.COMMUNITY else Role.STREET_OFFICER
        q = Q(role=role, region_id__in=_region_ids_on_path(alert.region_path))
    user_ids = Assignment.objects.active().filter(q).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _url(alert: Alert) -> str:
    return reverse("care:alert", kwargs={"pk": alert.pk})


def _title(alert: Alert):
    """Lazy: governance.notify renders it in each recipient's language."""
    who = alert.person.name if alert.person is not None else str(alert.unit)
    return lazy_format(gettext_lazy("%(kind)s: %(who)s"), kind=AlertKind(alert.kind).label, who=who)


def _send(users, alert: Alert, *, body, key: str, exclude=None, sms: bool = False) -> int:
    count = 0
    channels = ("inbox", "push", "sms") if sms else ("inbox", "push")
    for user in users:
        if exclude is not None and user.pk == exclude.pk:
            continue
        notify(user=user, title=_title(alert), body=body, url=_url(alert), kind="care_alert", obj=alert,
               channels=channels, dedup_key=f"care:{alert.pk}:{key}")
        count += 1
    return count


def _notify_followers(alert: Alert, event: AlertEvent, *, exclude) -> None:
    """A move is told to the grid and the care contacts (the people already on the ladder)."""
    users = {u.pk: u for u in recipients(alert, Audience.GRID) + recipients(alert, Audience.CONTACTS)}
    body = lazy_format(gettext_lazy("%(state)s by %(actor)s. %(note)s"), state=AlertState(alert.state).label,
                       actor=exclude or gettext_lazy("the system"), note=event.note)
    event.notified = _send(users.values(), alert, body=body, key=f"event:{event.pk}", exclude=exclude)
    event.save(update_fields=["notified"])


def alert_raised(alert: Alert, *, now: datetime) -> None:
    """Timeline and first notice of a new alert. Care alerts then climb the ladder; a device
    alert is a lower notice to the grid's staff only (it is never a care alert)."""
    event = AlertEvent.objects.create(alert=alert, at=now, action="raised", to_state=AlertState.OPEN,
                                      note=str(alert.get_kind_display()))
    if alert.kind == AlertKind.DEVICE:
        event.notified = _send(recipients(alert, Audience.GRID), alert, key="raised",
                               body=gettext_lazy("A meter of this home stopped reporting: check the device."))
        event.save(update_fields=["notified"])


def alerts_escalate(*, district: Region, now: datetime | None = None) -> int:
    """Climb the ladder for every care alert that is due, from the database (idempotent: a step
    is a unique timeline row per alert, so a step is never taken twice)."""
    now = now or timezone.now()
    taken = 0
    for step in EscalationStep.objects.filter(district=district).order_by("order"):
        states = [s.strip() for s in step.while_states.split(",") if s.strip()]
        due = (Alert.objects.filter(region_path__startswith=district.path, kind__in=CARE_KINDS, state__in=states,
                                    raised_at__lte=now - timedelta(minutes=step.after_minutes))
               .exclude(events__step=step.code).select_related("person", "unit__building"))
        for alert in due:
            with transaction.atomic():
                users = recipients(alert, step.audience)
                event = AlertEvent.objects.create(alert=alert, at=now, action="escalate", step=step.code,
                                                  note=step.instruction)
                if step.create_visit:
                    VisitTask.objects.get_or_create(alert=alert, defaults={"requested_at": now})
                event.notified = _send(users, alert, key=f"step:{step.code}", body=step.instruction,
                                       sms=step.audience in (Audience.GRID, Audience.CONTACTS, Audience.COMMUNITY))
                event.save(update_fields=["notified"])
            taken += 1
    return taken
