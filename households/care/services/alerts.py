"""The alert lifecycle and the escalation ladder.

One transition table (`MACHINE`, governance.statemachine); an illegal move is a 409 listing the
moves the alert's state allows. Every move and every ladder step is a
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

from governance import access
from governance.errors import ValidationFailed
from governance.models import Assignment, Region, User
from governance.notify.services import lazy_format, notify
from governance.roles import GRID_ROLES, Role
from governance.statemachine import Machine, Move
from households.care import events
from households.care.models import (
    CARE_KINDS,
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Audience,
    EscalationStep,
    Meter,
    Outcome,
    VisitHelp,
    VisitTask,
)

S = AlertState


def _no_visit_for_a_device(alert: Alert, actor, at):
    if alert.kind == AlertKind.DEVICE:
        return _("A device alert is resolved, not visited: check the meter.")
    return None


def _record(alert: Alert, *, action, move, actor, before, note, data, at) -> AlertEvent:
    events.push(alert, action)  # after commit
    return AlertEvent.objects.create(alert=alert, at=at, actor=actor, action=action, step="",
                                     from_state=before, to_state=alert.state, note=note)


# The alert's lifecycle (governance.statemachine): grid staff with the "act" right move it.
MACHINE = Machine("care.alert", field="state", label=lambda state: AlertState(state).label, record=_record, moves={
    "acknowledge": Move((S.OPEN,), S.ACKNOWLEDGED, gettext_lazy("acknowledge"), right="act"),
    "visit": Move((S.OPEN, S.ACKNOWLEDGED), S.VISITING, gettext_lazy("start a visit"), right="act",
                  guard=_no_visit_for_a_device),
    "resolve": Move((S.OPEN, S.ACKNOWLEDGED, S.VISITING), S.RESOLVED, gettext_lazy("resolve"), right="act"),
})


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor, note: str = "", now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    alert, event = MACHINE.run(alert, "acknowledge", actor=actor, note=note, at=now, region=alert.grid,
                               change=lambda a: setattr(a, "acknowledged_at", now))
    _notify_followers(alert, event, exclude=actor)
    return alert


@transaction.atomic
def alert_start_visit(*, alert: Alert, actor, helpers: str = "", note: str = "",
                      now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    access.require(actor, "act", alert)
    if helpers not in VisitHelp.values:
        raise ValidationFailed(fields={"helpers": [_("Choose who comes along.")]})

    def acknowledged(a):
        a.acknowledged_at = a.acknowledged_at or now

    alert, event = MACHINE.run(alert, "visit", actor=actor, note=note, at=now, region=alert.grid,
                               audit_data={"helpers": helpers}, change=acknowledged)
    visit, _created = VisitTask.objects.get_or_create(alert=alert, defaults={"requested_at": now})
    visit.started_at, visit.started_by, visit.helpers = now, actor, helpers
    visit.save(update_fields=["started_at", "started_by", "helpers"])
    _notify_followers(alert, event, exclude=actor)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, outcome: str, note: str = "", now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    access.require(actor, "act", alert)
    if outcome not in Outcome.values:
        raise ValidationFailed(fields={"outcome": [_("Choose an outcome.")]})
    if outcome in (Outcome.NEEDED_HELP, Outcome.HOSPITAL) and not note.strip():
        raise ValidationFailed(fields={"note": [_("Say what happened.")]})

    def resolved(a):
        a.outcome, a.note, a.resolved_at = outcome, note, now

    alert, event = MACHINE.run(alert, "resolve", actor=actor, note=note, at=now, region=alert.grid,
                               audit_data={"outcome": outcome}, change=resolved)
    VisitTask.objects.filter(alert=alert, done_at__isnull=True, started_at__isnull=False).update(done_at=now)
    _notify_followers(alert, event, exclude=actor)
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


def _text_contacts_without_accounts(alert: Alert, step, *, now: datetime) -> list[str]:
    """Care contacts with no login get the step by SMS (urgent: no quiet hours), once per contact
    and step; returns who was texted ("张丽 137****1111"), for the alert's timeline."""
    from governance import pii
    from governance.notify.contact import notify_contact
    from households.models import CareContact

    if alert.person_id is None:
        return []
    who = alert.person.name if alert.person is not None else str(alert.unit)
    text = lazy_format(gettext_lazy("[Linli] %(kind)s: %(who)s. %(instruction)s Reply by calling the community."),
                       kind=AlertKind(alert.kind).label, who=who, instruction=step.instruction)
    texted = []
    for contact in CareContact.objects.filter(person_id=alert.person_id, active=True, user__isnull=True) \
            .order_by("priority", "pk"):
        notify_contact(phone=pii.decrypt(contact.phone_enc), text=str(text), kind="care_alert", obj=alert,
                       urgent=True, dedup_key=f"care:{alert.pk}:{step.code}:contact:{contact.pk}", now=now)
        texted.append(f"{contact.name} {contact.phone_masked}")
    return texted


def alert_raised(alert: Alert, *, now: datetime) -> None:
    """Timeline and first notice of a new alert. Care alerts then climb the ladder; a device
    alert is a lower notice to the grid's staff only (it is never a care alert)."""
    event = AlertEvent.objects.create(alert=alert, at=now, action="raised", to_state=AlertState.OPEN,
                                      note=str(alert.get_kind_display()))
    events.push(alert, "raised")  # after commit
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
                if step.audience == Audience.CONTACTS:
                    texted = _text_contacts_without_accounts(alert, step, now=now)
                    event.notified += len(texted)
                    if texted:
                        event.note = f"{event.note} · SMS: {', '.join(texted)}"[:500]
                event.save(update_fields=["notified", "note"])
                events.push(alert, "escalate")
            taken += 1
    return taken


# --- device alerts close themselves ----------------------------------------------------------
# A home's device alert is resolved by the system (outcome "meter repaired", no actor, a timeline
# row) when a batch brings a reading of one of its meters from after the silence began and every
# active meter of the home has then reported since. Set-based: on PostgreSQL these CTEs are part
# of the ingest statement (they read its `fresh(meter_id, ts)`: each meter's newest new reading).

DEVICE_BACK_NOTE = gettext_lazy("The meters report again: closed by the system.")


def device_back_ctes() -> str:
    alert, event, meter = Alert._meta.db_table, AlertEvent._meta.db_table, Meter._meta.db_table
    since = "to_timestamp(a.since_hour * 3600)"
    return f"""
    back AS (
        SELECT a.id, a.state FROM {alert} a
        WHERE a.kind = '{AlertKind.DEVICE.value}' AND a.state <> '{AlertState.RESOLVED.value}'
          AND EXISTS (SELECT 1 FROM {meter} m JOIN fresh f ON f.meter_id = m.id
                      WHERE m.unit_id = a.unit_id AND f.ts > {since})
          AND NOT EXISTS (SELECT 1 FROM {meter} m LEFT JOIN fresh f ON f.meter_id = m.id
                          WHERE m.unit_id = a.unit_id AND m.active
                            AND COALESCE(GREATEST(m.last_reading_at, f.ts), '-infinity') <= {since})
        FOR UPDATE OF a
    ),
    devices_back AS (
        UPDATE {alert} a SET state = '{AlertState.RESOLVED.value}', outcome = '{Outcome.DEVICE_FIXED.value}',
            note = %(back_note)s, resolved_at = %(now)s
        FROM back b WHERE a.id = b.id
        RETURNING a.id, b.state AS from_state
    ),
    devices_back_events AS (
        INSERT INTO {event} (alert_id, at, actor_id, action, step, from_state, to_state, note, notified)
        SELECT id, %(now)s, NULL, 'resolve', '', from_state, '{AlertState.RESOLVED.value}', %(back_note)s, 0
        FROM devices_back
        RETURNING alert_id
    )"""


def _back_note() -> str:
    """Stored text: in the site's language, whoever's request carried the readings."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(DEVICE_BACK_NOTE)


def device_back_params(now: datetime) -> dict:
    return {"back_note": _back_note()}


def devices_back(*, latest: dict[int, datetime], now: datetime) -> list[int]:
    """The same rule without data-modifying CTEs (SQLite): `latest` is each meter's newest reading
    in the batch, the meters' last_reading_at already moved. One query when nothing is open."""
    units = Meter.objects.filter(pk__in=list(latest)).values("unit_id")
    candidates = list(Alert.objects.filter(kind=AlertKind.DEVICE, unit_id__in=units)
                      .exclude(state=AlertState.RESOLVED).values_list("pk", "unit_id", "since_hour", "state"))
    if not candidates:
        return []
    meters: dict[int, list[tuple]] = {}
    for pk, unit_id, last in Meter.objects.filter(unit_id__in={c[1] for c in candidates}, active=True).values_list(
            "pk", "unit_id", "last_reading_at"):
        meters.setdefault(unit_id, []).append((pk, last))
    back = []
    for pk, unit_id, since_hour, state in candidates:
        since = since_hour * 3600
        home = meters.get(unit_id, [])
        fresh = any(m in latest and latest[m].timestamp() > since for m, _last in home)
        if fresh and all(last is not None and last.timestamp() > since for _m, last in home):
            back.append((pk, state))
    if not back:
        return []
    ids = [pk for pk, _state in back]
    note = _back_note()
    Alert.objects.filter(pk__in=ids).exclude(state=AlertState.RESOLVED).update(
        state=AlertState.RESOLVED, outcome=Outcome.DEVICE_FIXED, note=note, resolved_at=now)
    AlertEvent.objects.bulk_create([AlertEvent(alert_id=pk, at=now, action="resolve", from_state=state,
                                               to_state=AlertState.RESOLVED, note=note) for pk, state in back])
    return sorted(ids)


def devices_back_recorded(alert_ids: list[int]) -> None:
    """After the ingest closed device alerts: the open lists hear of it (after commit)."""
    events.push_ids(alert_ids, "resolve")
