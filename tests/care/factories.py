"""Care test helpers: a watched home (person tagged 独居老人, two meters) and hourly series fed
through the real ingestion service."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from households.care.models import Meter, MeterKind, ValueMode
from households.care.services import readings_ingest
from households.models import Building, Household, Person, PersonTag, TagType, Unit

_seq = itertools.count(1)
T0 = datetime(2026, 10, 1, 16, 0, tzinfo=UTC)  # 2026-10-02 00:00 in Shanghai


def watched_home(world, *, grid=None, name="张桂英", tagged=True, mode=ValueMode.INTERVAL):
    n = next(_seq)
    grid = grid or world.grids[0]
    building = Building.objects.create(grid=grid, name=f"{n}号楼", address="和平里七区", region_path=grid.path)
    unit = Unit.objects.create(building=building, entrance="1", number=f"{100 + n}", region_path=grid.path)
    household = Household.objects.create(number=f"H{n:05d}", unit=unit, region_path=grid.path)
    person = Person.objects.create(household=household, name=name, region_path=grid.path)
    if tagged:
        tag, _ = TagType.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人", "watch": True})
        if not tag.watch:
            TagType.objects.filter(pk=tag.pk).update(watch=True)
        PersonTag.objects.create(person=person, tag=tag)
    water_co, power_co = world.departments["water_co"], world.departments["power_co"]
    water = Meter.objects.create(unit=unit, kind=MeterKind.WATER, utility=water_co, external_id=f"W{n:06d}", mode=mode)
    power = Meter.objects.create(unit=unit, kind=MeterKind.ELECTRICITY, utility=power_co,
                                 external_id=f"E{n:06d}", mode=mode)
    return person, water, power


def feed_hourly(meter, values, *, start=T0, now=None):
    """Interval meter: value i is the use of hour i after `start` (reading stamped at the hour's end)."""
    rows = [{"meter": meter.external_id, "ts": (start + timedelta(hours=i + 1)).isoformat(), "value": v}
            for i, v in enumerate(values)]
    out = []
    for chunk in range(0, len(rows), 5000):
        out.append(readings_ingest(utility=meter.utility, rows=rows[chunk:chunk + 5000],
                                   now=now or start + timedelta(hours=len(values) + 1)))
    return out


def make_alert(world, *, kind="no_life", state="open", grid=None, now=None, person=None):
    """An alert as the sweep raises it (timeline row included), moved to `state` by the services."""
    from django.utils import timezone

    from households.care.models import Alert
    from households.care.services import alert_acknowledge, alert_resolve, alert_start_visit
    from households.care.services.alerts import alert_raised

    now = now or timezone.now()
    if person is None:
        person, _w, _p = watched_home(world, grid=grid)
    unit = person.household.unit
    grid = unit.building.grid
    alert = Alert.objects.create(unit=unit, person=person, grid=grid, region_path=grid.path, kind=kind,
                                 since_hour=int(now.timestamp()) // 3600 - 5, raised_at=now)
    alert_raised(alert, now=now)
    actor = world.users["admin"]
    if state in ("acknowledged", "visiting", "resolved"):
        alert = alert_acknowledge(alert=alert, actor=actor, now=now)
    if state in ("visiting",) and kind != "device":
        alert = alert_start_visit(alert=alert, actor=actor, now=now)
    if state == "resolved":
        alert = alert_resolve(alert=alert, actor=actor, outcome="ok", note="", now=now)
    return alert


def care_contact(person, user, *, name="张丽", relation="女儿"):
    from households.models import CareContact

    return CareContact.objects.create(person=person, user=user, name=name, relation=relation, phone_enc="-",
                                      phone_hash=f"test-{person.pk}-{user.pk}", phone_masked="139****0000")
