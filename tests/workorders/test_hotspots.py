"""未诉先办 hot spots: recurring category × place × time-of-day clusters and rising trends."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.errors import Forbidden, NotFound, ValidationFailed
from households.models import Building
from workorders.kpi import hotspots

from .kpi_factory import at, order

pytestmark = pytest.mark.django_db

NOW = at("2026-11-25", 12)


def weeks_ago(n, hour):
    day = (NOW - dt.timedelta(weeks=n)).date()
    return at(day, hour)


@pytest.fixture
def scene(world, cats):
    g = world.grids[0]
    b = Building.objects.create(grid=g, name="3号楼", address="和平里七区", region_path=g.path)
    trash, lamp = cats["e0102"], cats["e0401"]
    # the evening rubbish at building 3: four times over three weeks, plus two mornings
    for n, status in ((1, "reported"), (1, "closed"), (3, "closed"), (5, "closed")):
        order(world, trash, building=b, reported=weeks_ago(n, 19), status=status)
    for n in (2, 4):
        order(world, trash, building=b, reported=weeks_ago(n, 8))
    # the same category in one ~100 m cell (no building), mornings in two weeks
    for n, dx in ((1, 0.0001), (2, 0.0002), (2, 0.0003)):
        order(world, trash, lon=116.43010 + dx, lat=39.96010, reported=weeks_ago(n, 7))
    # a merged duplicate and an order outside the window do not count
    order(world, trash, building=b, reported=weeks_ago(6, 20), status="merged",
          merged_into=order(world, trash, reported=weeks_ago(6, 20)))
    order(world, trash, building=b, reported=weeks_ago(12, 19))
    # rising: lamps in grid A1 (no place finer than the grid): 4 in the last fortnight, 1 before
    for weeks in (0.2, 0.5, 1, 1.5, 5):
        order(world, lamp, reported=NOW - dt.timedelta(weeks=weeks))
    # steady: the same category at building 3 in the mornings — 3 recent but 9 before
    for weeks in (0.3, 0.6, 1.2, 3, 3, 4, 4, 5, 5, 6, 6, 7):
        order(world, lamp, building=b, reported=NOW - dt.timedelta(weeks=weeks))
    # street B: out of scope for community A
    for n in (1, 2, 3):
        order(world, trash, grid=6, reported=weeks_ago(n, 19))
    return {"building": b}


def test_recurring_clusters_in_a_community(world, scene):
    rows = hotspots.clusters(world.users["zhao_community"], region=world.communities[0], now=NOW)
    found = {(r["place"]["kind"], r["band"], r["category"]["name"].split()[-1]): r for r in rows}
    evening = found[("building", "evening", "暴露垃圾")]
    assert evening["count"] == 4 and evening["weeks"] == 3 and evening["open"] == 1
    assert evening["place"]["label"] == "和平里七区 3号楼"
    cell = found[("cell", "morning", "暴露垃圾")]
    assert cell["count"] == 3 and cell["weeks"] == 2
    assert abs(cell["place"]["lat"] - 39.9601) < 0.001
    assert ("building", "morning", "暴露垃圾") not in found  # only two
    assert all(r["place"]["key"] != f"g{world.grids[6].pk}" for r in rows)


def test_rising_trends(world, scene):
    rows = hotspots.rising(world.users["zhao_community"], region=world.communities[0], now=NOW)
    assert [(r["place"]["kind"], r["recent"], r["before"]) for r in rows] == [("grid", 4, 1)]
    assert rows[0]["rate_before"] == pytest.approx(1 / 3, abs=0.01)
    steadier = hotspots.Params(factor=1.0, min_count=3)
    keys = {r["place"]["kind"] for r in hotspots.rising(world.users["zhao_community"], region=world.communities[0],
                                                         params=steadier, now=NOW)}
    assert keys == {"grid", "building"}  # with factor 1 the steady building (3 vs 3 a fortnight) counts too


def test_scope_and_rights(world, scene):
    li = hotspots.hotspots(world.users["li_gridworker"], now=NOW)
    assert li["region"]["id"] == world.grids[0].pk and li["clusters"]
    assert hotspots.hotspots(world.users["wu_gridworker"], now=NOW)["clusters"] == []
    with pytest.raises(NotFound):
        hotspots.hotspots(world.users["li_gridworker"], region_id=world.grids[1].pk, now=NOW)
    for persona in ("wang_resident", "sun_department"):
        with pytest.raises(Forbidden):
            hotspots.hotspots(world.users[persona], now=NOW)
    district = hotspots.hotspots(world.users["liu_district"], now=NOW)
    assert any(r["place"]["key"] == f"g{world.grids[6].pk}" for r in district["clusters"])


def test_params_are_checked():
    assert hotspots.parse_params(weeks="6", min_count="4") == hotspots.Params(weeks=6, min_count=4)
    with pytest.raises(ValidationFailed) as exc:
        hotspots.parse_params(weeks="1", min_count="x")
    assert set(exc.value.fields) == {"weeks", "min_count"}


def test_queries_do_not_grow_with_orders(world, cats, scene):
    user = world.users["liu_district"]
    hotspots.hotspots(user, now=NOW)
    with CaptureQueriesContext(connection) as few:
        hotspots.hotspots(user, now=NOW)
    for n in range(10):
        b = Building.objects.create(grid=world.grids[n % 12], name=f"{n}号楼", address="测试", region_path=world.grids[n % 12].path)
        for w in (1, 2, 3):
            order(world, cats["e0102"], grid=n % 12, building=b, reported=weeks_ago(w, 15))
    with CaptureQueriesContext(connection) as many:
        data = hotspots.hotspots(user, now=NOW)
    assert len(data["clusters"]) > 3
    assert len(many) == len(few) <= 10
