"""三率 and the loop's KPIs (workorders.kpi): the figures, the scoping, the weights, the
work-hour clock and the constant query count."""

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from governance import workdays
from governance.errors import Forbidden, NotFound, ValidationFailed
from governance.models import AuditEvent
from workorders.kpi import selectors as kpi
from workorders.kpi import services as kpi_services
from workorders.kpi.models import KpiWeights

from .kpi_factory import at, order

pytestmark = pytest.mark.django_db

NOV = kpi.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def street_a_orders(world, cats):
    """Street A: five scored orders, one appealed, one not accepted; street B: one."""
    cg = world.departments["chengguan"]
    c = cats["e0102"]
    day = dict(dispatched_at=at("2026-11-02", 10, 30))
    o = {
        # reported Mon 10:00, closed 15:00: 2 h + 1.5 h of office time (winter hours)
        "ok": order(world, c, status="closed", reported=at("2026-11-02", 10), closed=at("2026-11-02", 15),
                    handled_at=at("2026-11-02", 14), dept=cg, followup=(True, True, "satisfied"), **day),
        # closed the next morning: 2 + 3.5 + 1.5 = 7 h; was overdue once, reworked
        "late": order(world, c, status="closed", reported=at("2026-11-02", 10), closed=at("2026-11-03", 10),
                      handled_at=at("2026-11-03", 9), ever_overdue=True, rework_count=1, dept=cg,
                      followup=(False, True, "basic"), **day),
        # Fri 16:00 → Mon 09:30: 1 + 1 = 2 h; extended
        "ext": order(world, c, grid=3, status="closed", reported=at("2026-11-06", 16), closed=at("2026-11-09", 9, 30),
                     handled_at=at("2026-11-09", 9), extension_count=1, followup=(True, False, "unsatisfied"),
                     **day),
        "parked": order(world, c, status="in_progress", parked=True, dept=cg, **day),
        "overdue": order(world, c, status="dispatched", overdue=True, **day),
        "appealed": order(world, c, status="closed", appealed=True, closed=at("2026-11-04"), dept=cg,
                          followup=(False, False, "unsatisfied"), **day),
        "rejected": order(world, c, status="not_accepted"),
        "street_b": order(world, c, grid=6, status="closed", closed=at("2026-11-03"),
                          followup=(True, True, "satisfied"), **day),
        "october": order(world, c, status="closed", reported=at("2026-10-20"), closed=at("2026-10-21")),
    }
    return o


def test_three_rates_and_loop_figures_for_a_street(world, street_a_orders):
    rep = kpi.report(world.users["chen_street"], group="region", period=NOV)
    assert rep.region == world.streets[0]
    t = rep.total.as_dict(rep.weights)
    assert t["orders"] == 5 and t["closed"] == 3 and t["appealed"] == 1
    assert t["closure_rate"] == 0.6 and t["on_time_closure_rate"] == round(2 / 3, 4)
    assert t["followed_up"] == 3
    assert t["response_rate"] == round(2 / 3, 4) and t["resolution_rate"] == round(2 / 3, 4)
    assert t["satisfaction_rate"] == 0.6  # (1 + 0.8 + 0) / 3
    expected = 100 * (0.30 * round(2 / 3, 4) + 0.35 * round(2 / 3, 4) + 0.35 * 0.6)
    assert t["score"] == pytest.approx(expected, abs=0.01)
    assert t["rework_rate"] == round(1 / 3, 4) and t["extension_rate"] == 0.2
    assert t["parked"] == 1 and t["overdue"] == 1
    assert t["median_work_hours"] == 3.5 and t["mean_work_hours"] == round(12.5 / 3, 2)
    assert t["median_hours"] == 24.0 and t["mean_hours"] == 31.5  # 5 h, 24 h, 65.5 h on the clock
    # grouped by the street's communities: grids 0 (A) and 3 (青年路)
    by = {r.label: r.as_dict(rep.weights) for r in rep.rows}
    assert by[world.communities[0].name]["orders"] == 4
    assert by[world.communities[1].name]["orders"] == 1
    assert by[world.communities[1].name]["median_work_hours"] == 2.0


def test_district_sees_every_street_and_others_their_own(world, street_a_orders):
    rep = kpi.report(world.users["liu_district"], group="region", period=NOV)
    by = {r.label: r.orders for r in rep.rows}
    assert by == {world.streets[0].name: 5, world.streets[1].name: 1}
    assert kpi.report(world.users["zhou_outsider"], period=NOV).total.orders == 1
    assert kpi.report(world.users["he_community"], period=NOV).total.orders == 1  # 安华里 = grid 6
    community = kpi.report(world.users["zhao_community"], period=NOV)
    assert community.region == world.communities[0] and community.total.orders == 4


def test_department_counts_only_its_own_unit(world, street_a_orders):
    rep = kpi.report(world.users["sun_department"], group="unit", period=NOV)
    assert [(r.label, r.orders) for r in rep.rows] == [("城管执法局", 3)]  # ok, late, parked (appealed apart)
    assert rep.total.appealed == 1
    assert kpi.report(world.users["qian_department"], period=NOV).total.orders == 0


def test_group_by_unit_category_and_month(world, street_a_orders):
    user = world.users["liu_district"]
    units = {r.label: r.orders for r in kpi.report(user, group="unit", period=NOV).rows}
    assert units == {"城管执法局": 3, gettext("Not assigned yet"): 3}
    cats = kpi.report(user, group="category", period=NOV).rows
    assert len(cats) == 1 and cats[0].label.startswith("E01") and cats[0].orders == 6
    months = kpi.report(user, group="month", period=kpi.Period(dt.date(2026, 10, 1), dt.date(2026, 11, 30))).rows
    assert [(r.as_dict(kpi.current_weights())["key"], r.orders) for r in months] == [("2026-10", 1), ("2026-11", 6)]


def test_who_may_read_kpis(world, street_a_orders):
    for persona in ("wang_resident", "li_gridworker", "xu_merchant"):
        with pytest.raises(Forbidden):
            kpi.report(world.users[persona], period=NOV)
    with pytest.raises(NotFound):
        kpi.resolve_region(world.users["chen_street"], world.streets[1].pk)
    with pytest.raises(NotFound):
        kpi.resolve_region(world.users["zhao_community"], world.streets[0].pk)  # above their community
    assert kpi.resolve_region(world.users["chen_street"], world.grids[0].pk) == world.grids[0]
    assert kpi.resolve_region(world.users["sun_department"], world.streets[1].pk) == world.streets[1]


def test_query_count_does_not_grow_with_orders(world, cats, street_a_orders):
    user = world.users["liu_district"]
    kpi.report(user, period=NOV)  # the user's assignments load once per user object
    for group in kpi.GROUPS:
        with CaptureQueriesContext(connection) as few:
            kpi.report(user, group=group, period=NOV)
        for i in range(12):
            order(world, cats["e0102"], grid=i % 12, status="closed", reported=at("2026-11-10", 9),
                  closed=at("2026-11-11", 9), followup=(True, True, "basic"))
        with CaptureQueriesContext(connection) as many:
            kpi.report(user, group=group, period=NOV)
        assert len(many) == len(few) <= 8, (group, [q["sql"][:60] for q in few], [q["sql"][:60] for q in many])


def test_weights_are_edited_by_the_district_only(world, street_a_orders):
    with pytest.raises(Forbidden):
        kpi_services.kpi_weights_update(actor=world.users["chen_street"], response=1, resolution=0, satisfaction=0,
                               basic_score=0.8)
    with pytest.raises(ValidationFailed) as exc:
        kpi_services.kpi_weights_update(actor=world.users["liu_district"], response=0.5, resolution=0.5, satisfaction=0.5,
                               basic_score=0.8)
    assert "satisfaction" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        kpi_services.kpi_weights_update(actor=world.users["liu_district"], response="x", resolution=0.5, satisfaction=0.5,
                               basic_score=2)
    assert set(exc.value.fields) == {"response", "basic_score"}
    assert not KpiWeights.objects.exists()
    kpi_services.kpi_weights_update(actor=world.users["liu_district"], response=0.2, resolution=0.2, satisfaction=0.6,
                           basic_score=0.5)
    t = kpi.report(world.users["chen_street"], period=NOV).total.as_dict(kpi.current_weights())
    assert t["satisfaction_rate"] == 0.5  # (1 + 0.5 + 0) / 3
    assert t["score"] == pytest.approx(100 * (0.2 * 0.6667 + 0.2 * 0.6667 + 0.6 * 0.5), abs=0.01)
    assert AuditEvent.objects.filter(action="workorders.kpi_weights_change").count() == 1


def test_a_new_follow_up_replaces_the_old_answer(world, street_a_orders):
    from workorders.models import FollowUp

    FollowUp.objects.create(order=street_a_orders["ext"], caller=world.users["chen_street"],
                            at=at("2026-11-12"), contacted_in_time=True, solved=True, satisfaction="satisfied")
    t = kpi.report(world.users["chen_street"], period=NOV).total
    assert t.followed_up == 3 and t.solved == 3 and t.unsatisfied == 0


def test_periods() -> None:
    assert kpi.parse_period(month="2026-02") == kpi.Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert kpi.parse_period(today=dt.date(2026, 11, 25)) == kpi.Period(dt.date(2026, 10, 27), dt.date(2026, 11, 25))
    assert kpi.parse_period(end="2026-11-10", today=dt.date(2026, 11, 25)).start == dt.date(2026, 10, 12)
    bad_periods: list[dict[str, Any]] = [{"month": "2026-13"}, {"start": "2026-11-10", "end": "2026-11-01"},
                                         {"start": "yesterday"}]
    for bad in bad_periods:
        with pytest.raises(ValidationFailed):
            kpi.parse_period(**bad)


def test_work_clock_counts_like_workdays_across_holidays_and_makeup_days(db):
    """National Day 2026 and its 调休 days, lunch breaks, nights: the fast clock agrees with
    governance.workdays.workhours_between on random pairs."""
    workdays.load_from_chinesecalendar([2026])
    workdays.invalidate()
    assert not workdays.is_workday(dt.date(2026, 10, 5)) and workdays.is_workday(dt.date(2026, 9, 20))
    rnd = random.Random(7)
    first = dt.date(2026, 9, 20)
    clock = kpi.WorkClock(first, dt.date(2026, 10, 31))
    for _i in range(300):
        a = dt.datetime.combine(first, dt.time(), workdays.TZ) + dt.timedelta(minutes=rnd.randrange(0, 40 * 1440))
        b = a + dt.timedelta(minutes=rnd.randrange(0, 12 * 1440))
        if b.date() > dt.date(2026, 10, 31):
            continue
        assert clock.between(a, b) == pytest.approx(workdays.workhours_between(a, b), abs=1e-6), (a, b)
    # the golden week itself has no office time
    assert clock.between(at("2026-10-01", 9), at("2026-10-07", 17)) == 0


def test_excel_export_is_scoped_and_audited(world, street_a_orders):
    import io

    from openpyxl import load_workbook

    body = kpi_services.export_xlsx(world.users["chen_street"], group="region", region=world.streets[0], period=NOV)
    ws = load_workbook(io.BytesIO(body)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[3] == tuple(str(title) for _k, title in kpi.export_columns())
    assert rows[-1][1] == 5 and rows[-1][3] == 0.6  # total: orders, closure rate
    ev = AuditEvent.objects.get(action="workorders.kpi_export")
    assert ev.actor == world.users["chen_street"] and ev.region == world.streets[0]
    with pytest.raises(Forbidden):
        kpi_services.export_xlsx(world.users["li_gridworker"], group="region", region=world.grids[0], period=NOV)


def test_the_demo_shows_its_own_handling_time(world):
    """`seed_demo`'s orders give the district a median handling time in work hours and a score."""
    from workorders.seed import seed as seed_orders

    seed_orders(world)
    rep = kpi.report(world.users["liu_district"], group="region")
    t = rep.total.as_dict(rep.weights)
    # (the demo's loop runs in the evening, so its work-hour figure may be 0: the clock hours are not)
    assert t["closed"] >= 3 and t["median_work_hours"] is not None and t["median_hours"] > 0
    assert t["followed_up"] >= 2 and t["score"] is not None
    assert t["appealed"] >= 1 and t["parked"] >= 1
