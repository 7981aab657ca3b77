"""Demo data of care alerts (called by `manage.py seed_demo` after the households seed).

Watched homes are the 独居老人 of grid A1 (the households seed creates them; when it has not,
a few are created here). Each gets a water and an electricity meter and two weeks of hourly
readings up to now, fed through the real ingestion service. Alerts exist in every state, a
person is away with a flag, a water meter has gone silent, and one home stopped showing life a
few hours ago: the first beat sweep (every 15 min) raises a fresh alert for it. Idempotent."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from households.care.models import Alert, AlertKind, AwayFlag, Meter, MeterKind, ValueMode
from households.care.services import (
    alert_acknowledge,
    alert_resolve,
    alert_start_visit,
    alerts_escalate,
    ensure_defaults,
    readings_ingest,
)
from households.care.services.alerts import alert_raised
from households.models import Building, Household, Person, PersonTag, TagType, Unit

DAYS = 14
FALLBACK_ELDERLY = [("张桂英", "F"), ("李德华", "M"), ("赵淑珍", "F"), ("刘国庆", "M"), ("孙凤英", "F"), ("周秀兰", "F")]


def _watched_persons(world) -> list[Person]:
    grid = world.grids[0]
    tag, _ = TagType.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人", "watch": True})
    persons = list(Person.objects.filter(tags__tag=tag, household__unit__building__grid=grid, status="living")
                   .select_related("household__unit").distinct().order_by("pk"))
    if len(persons) >= 6:
        return persons[:6]
    building, _ = Building.objects.get_or_create(grid=grid, name="12号楼", address="和平里七区12号",
                                                 defaults={"floors": 6, "region_path": grid.path})
    for i, (name, sex) in enumerate(FALLBACK_ELDERLY[len(persons):], start=len(persons)):
        unit, _ = Unit.objects.get_or_create(building=building, entrance="1", number=f"{i + 1}01",
                                             defaults={"floor": i + 1, "region_path": grid.path})
        household, _ = Household.objects.get_or_create(unit=unit, number=f"C{i + 1:02d}",
                                                       defaults={"region_path": grid.path})
        person = Person.objects.create(household=household, name=name, sex=sex, relation="户主",
                                       region_path=grid.path)
        PersonTag.objects.create(person=person, tag=tag, source="社区摸排")
        persons.append(person)
    return persons


def _routine(rng, hours_ago_quiet: int, n: int, quiet_from: int | None):
    """Hourly water (m³) and power (kWh) of an ordinary day, local time; quiet after `quiet_from`."""
    water, power = [], []
    for i in range(n):
        local_hour = (i + hours_ago_quiet) % 24
        fridge = 0.03 + 0.01 * rng.random()
        awake = 7 <= local_hour < 22
        w = rng.choice([0.0, 0.006, 0.01, 0.02]) if awake and rng.random() < 0.5 else 0.0
        p = fridge + (rng.uniform(0.08, 0.2) if awake and rng.random() < 0.6 else 0.0)
        if local_hour in (7, 12, 18):
            w, p = w + 0.01, p + rng.uniform(0.3, 0.9)
        if quiet_from is not None and i >= quiet_from:
            w, p = 0.0, fridge
        water.append(round(w, 4))
        power.append(round(p, 4))
    return water, power


@transaction.atomic
def seed(world):
    if Meter.objects.filter(external_id__startswith="DEMO-").exists():
        return
    district = world.district
    ensure_defaults(district)
    persons = _watched_persons(world)
    water_co, power_co = world.departments["water_co"], world.departments["power_co"]
    now = timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0)
    n = DAYS * 24
    start = end - timedelta(hours=n)
    local_start_hour = timezone.localtime(start).hour
    rows = {water_co.pk: [], power_co.pk: []}
    # per home: (hours before now the quiet began, or None), silent water meter hours
    # 张桂英's home went quiet 20 hours ago — longer than any night or outing of hers, whatever the
    # hour now, so the first sweep raises a fresh alert.
    quiet = 20
    plans = [(quiet, 0), (None, 0), (None, 0), (None, 0), (None, 9), (48, 0)]
    for index, person in enumerate(persons):
        unit = person.household.unit
        quiet_hours, silent = plans[index]
        rng = random.Random(index)
        water, power = _routine(rng, local_start_hour, n, None if quiet_hours is None else n - quiet_hours)
        for kind, utility, series, mode in ((MeterKind.WATER, water_co, water, ValueMode.CUMULATIVE),
                                            (MeterKind.ELECTRICITY, power_co, power, ValueMode.INTERVAL)):
            meter = Meter.objects.create(unit=unit, kind=kind, utility=utility, mode=mode,
                                         external_id=f"DEMO-{kind[0].upper()}{unit.pk:05d}")
            register = 300.0 + 40 * index
            last = n - (silent if kind == MeterKind.WATER else 0)
            for i in range(last + 1):
                ts = start + timedelta(hours=i)
                use = series[i - 1] if i else 0.0
                register += use
                value = round(register, 4) if mode == ValueMode.CUMULATIVE else use
                rows[utility.pk].append({"meter": meter.external_id, "ts": ts.isoformat(), "value": value})
    for utility in (water_co, power_co):
        for i in range(0, len(rows[utility.pk]), 5000):
            readings_ingest(utility=utility, rows=rows[utility.pk][i:i + 5000], now=now)
    # The sixth person is staying with her son: a flag covers the quiet home, so no alert.
    AwayFlag.objects.create(person=persons[5], starts_at=now - timedelta(hours=50), ends_at=now + timedelta(days=3),
                            note="住儿子家", set_by=world.users["li_gridworker"])
    _alerts(world, persons, now)


def _alert(person, *, kind, raised_at, since_hours_before):
    unit = person.household.unit
    grid = unit.building.grid
    alert = Alert.objects.create(unit=unit, person=person, grid=grid, region_path=grid.path, kind=kind,
                                 since_hour=math.floor(raised_at.timestamp() / 3600) - since_hours_before,
                                 raised_at=raised_at, evidence={"hours": since_hours_before})
    alert_raised(alert, now=raised_at)
    return alert


def _alerts(world, persons, now):
    """Alerts in every state, each moved by the services on a clock in the past."""
    li, zhao = world.users["li_gridworker"], world.users["zhao_community"]
    district = world.district
    # resolved: last week's false alarm and a real fall
    a = _alert(persons[1], kind=AlertKind.NO_LIFE, raised_at=now - timedelta(days=6, hours=3), since_hours_before=6)
    alerts_escalate(district=district, now=a.raised_at)
    alert_acknowledge(alert=a, actor=li, note="电话无人接听，上门查看", now=a.raised_at + timedelta(minutes=6))
    alert_resolve(alert=a, actor=li, outcome="false_alarm", note="老人在邻居家打麻将", now=a.raised_at + timedelta(minutes=40))
    b = _alert(persons[2], kind=AlertKind.NO_LIFE, raised_at=now - timedelta(days=3, hours=8), since_hours_before=5)
    alerts_escalate(district=district, now=b.raised_at)
    alerts_escalate(district=district, now=b.raised_at + timedelta(minutes=31))
    alert_start_visit(alert=b, actor=zhao, helpers="property", note="敲门无应答，联系物业开门",
                      now=b.raised_at + timedelta(minutes=45))
    alert_resolve(alert=b, actor=zhao, outcome="hospital", note="老人在卫生间摔倒，已送医",
                  now=b.raised_at + timedelta(minutes=70))
    # open: water running at 李德华's, raised 20 minutes ago, first rungs taken
    c = _alert(persons[1], kind=AlertKind.WATER_RUNNING, raised_at=now - timedelta(minutes=20), since_hours_before=4)
    alerts_escalate(district=district, now=now)
    # acknowledged: 赵淑珍, the grid worker is calling
    d = _alert(persons[2], kind=AlertKind.NO_LIFE, raised_at=now - timedelta(minutes=50), since_hours_before=7)
    alerts_escalate(district=district, now=d.raised_at)
    alert_acknowledge(alert=d, actor=li, note="已致电，无人接听", now=d.raised_at + timedelta(minutes=4))
    # visiting: 刘国庆, a visit under way with the police
    e = _alert(persons[3], kind=AlertKind.NO_LIFE, raised_at=now - timedelta(hours=1, minutes=30), since_hours_before=8)
    alerts_escalate(district=district, now=e.raised_at + timedelta(minutes=35))
    alert_start_visit(alert=e, actor=li, helpers="police", note="敲门无应答，已报110",
                      now=e.raised_at + timedelta(minutes=50))
    alerts_escalate(district=district, now=now)
    return [a, b, c, d, e]
