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
