"""The sweep (beat, every 15 min): detectors over all watched homes in set-based SQL, new alerts
for what is not already open (or already raised on the same evidence), away flags respected,
then the ladder. The default detector compares the last hours with each home's profile, learned
once a day by `care_profiles_refresh` (its own beat task; the sweep first learns any watched home
whose profile is missing or more than a day old). Everything is re-derived from the database, so
running either twice is harmless."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from governance.models import Region
from households.care import detection
from households.care.models import Alert, AlertState, AwayFlag
from households.care.services.alerts import alert_raised, alerts_escalate
from households.care.services.config import ensure_defaults
from households.models import Person, Unit


@dataclass
class SweepResult:
    candidates: int = 0
    raised: list[Alert] = field(default_factory=list)
    suppressed_away: int = 0
    escalations: int = 0


def hour_of(now: datetime) -> int:
    """The first hour not yet complete at `now` (every hour before it may be judged)."""
    return math.floor(now.timestamp() / 3600)


def care_sweep(*, now: datetime | None = None, detector: str | None = None, escalate: bool = True) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    for district in Region.objects.filter(level="district"):
        cfg = ensure_defaults(district)
        if (detector or cfg.detector) == "default":
            detection.profile_refresh(cfg, now_h=hour_of(now), today=timezone.localdate(now))
        found = detection.candidates(cfg, now_h=hour_of(now), today=timezone.localdate(now),
                                     detector=detector or cfg.detector)
        result.candidates += len(found)
        _raise(found, cfg, detector or cfg.detector, now, result)
        if escalate:
            result.escalations += alerts_escalate(district=district, now=now)
    return result


def care_profiles_refresh(*, now: datetime | None = None, max_age_hours: int = 12) -> int:
    """Beat, daily: re-learn the profile of every watched home whose profile is at least
    `max_age_hours` old (set-based, one district at a time). Returns the number of homes learned."""
    now = now or timezone.now()
    learned = 0
    for district in Region.objects.filter(level="district"):
        cfg = ensure_defaults(district)
        learned += detection.profile_refresh(cfg, now_h=hour_of(now), today=timezone.localdate(now),
                                             max_age_hours=max_age_hours)
    return learned


def _raise(found, cfg, detector: str, now: datetime, result: SweepResult) -> None:
    if not found:
        return
    unit_ids = {c.unit_id for c in found}
    # One query each, whatever the number of homes: what is already raised (per home and kind: one
    # still open? the hour of the last), who is away.
    raised = {(r["unit_id"], r["kind"]): (r["still_open"] > 0, hour_of(r["last"]))
              for r in Alert.objects.filter(unit_id__in=unit_ids, detector=detector).values("unit_id", "kind")
              .annotate(last=Max("raised_at"), still_open=Count("pk", filter=~Q(state=AlertState.RESOLVED)))}
    away_units = set(AwayFlag.objects.filter(
        cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now,
        person__household__unit_id__in=unit_ids).values_list("person__household__unit_id", flat=True))
    places = {u["pk"]: u for u in Unit.objects.filter(pk__in=unit_ids).values(
        "pk", "building__grid_id", "building__grid__path")}
    persons = Person.objects.in_bulk({c.person_id for c in found if c.person_id})
    for c in found:
        still_open, last_hour = raised.get((c.unit_id, c.kind), (False, None))
        # Open: nothing new. Raised since this spell began: about the same evidence (no sign of life
        # is found as a quiet spell and, with a light left on, as a steady one), answered already.
        if still_open or (last_hour is not None and last_hour >= c.since_hour):
            continue
        if c.kind != "device" and c.unit_id in away_units:
            result.suppressed_away += 1
            continue
        place = places[c.unit_id]
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    unit_id=c.unit_id, person=persons.get(c.person_id), grid_id=place["building__grid_id"],
                    region_path=place["building__grid__path"], kind=c.kind, detector=detector,
                    since_hour=c.since_hour, evidence=c.evidence, raised_at=now)
                alert_raised(alert, now=now)
        except IntegrityError:  # a concurrent sweep raised it first
            continue
        result.raised.append(alert)
