"""Automatic 督办 up the hierarchy: overdue → level 1 (the holders and the community are told);
still overdue one more full stage limit later → level 2 (the street's officers); one more →
level 3 (the district's administrators), the top. The limit is counted in the category's own
unit through governance.workdays — across the 2025 National Day holiday (Oct 1–8 off) and its
调休 Saturday (Oct 11 is a working day), on a fixed clock."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from governance import workdays
from governance.models import Notification
from workorders import services
from workorders.models import TimelineEntry, WorkOrder

from .conftest import at, clock, jpeg

pytestmark = pytest.mark.django_db



def dispatched(world, make_order, code, moment, **kw):
    u = world.users
    with clock(moment):
        order = make_order(code, **kw)
        services.order_accept(order=order, actor=u["liu_district"])
        return services.order_dispatch(order=order, actor=u["liu_district"])


def told(world, name, level):
    prefix = "wo:sweep:" if level == 1 else f"wo:sweep:l{level}:"
    rows = Notification.objects.filter(user=world.users[name], dedup_key__startswith=prefix)
    if level == 1:
        rows = rows.exclude(dedup_key__startswith="wo:sweep:l")
    return list(rows.values_list("title", flat=True))


def auto_levels(order):
    return list(TimelineEntry.objects.filter(order=order, action="supervise", actor__isnull=True)
                .order_by("at", "id").values_list("data", flat=True))


def test_work_days_level_by_level_to_the_district(world, make_order, calendar_2025):
    # 非法小广告: 1 working day, 城管. Dispatched Tue Sep 30 10:00 → due Thu Oct 9 17:00 (winter hours).
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    assert order.due_at == at(2025, 10, 9, 17, 0)
    # One more working day after the due moment: Fri Oct 10 at the close of office — not the
    # 9 calendar days the stage took (Sep 30 → Oct 9), as calendar arithmetic would say.
    assert order.escalate_at == at(2025, 10, 10, 17, 0)

    assert services.sweep(at(2025, 10, 9, 17, 1))["overdue"] == 1
    order.refresh_from_db()
    assert order.supervise_level == 1
    assert len(told(world, "sun_department", 1)) == 1  # the department holds it
    assert told(world, "zhao_community", 1) == []  # a department's order: not the community's to chase

    assert services.sweep(at(2025, 10, 10, 16, 59))["escalated"] == 0
    assert services.sweep(at(2025, 10, 10, 17, 1))["escalated"] == 1
    order.refresh_from_db()
    assert order.supervise_level == 2
    # Level 3 one more working day on: Saturday Oct 11 is a 调休 working day.
    assert order.escalate_at == at(2025, 10, 11, 17, 0)
    assert len(told(world, "chen_street", 2)) == 1
    assert told(world, "zhou_outsider", 2) == [] and told(world, "liu_district", 3) == []

    assert services.sweep(at(2025, 10, 11, 16, 59))["escalated"] == 0
    assert services.sweep(at(2025, 10, 11, 17, 1))["escalated"] == 1
    order.refresh_from_db()
    assert order.supervise_level == 3 and order.escalate_at is None  # the top of the hierarchy
    assert len(told(world, "liu_district", 3)) == 1
    assert told(world, "chen_street", 3) == []

    assert services.sweep(at(2025, 10, 20, 9, 0))["escalated"] == 0  # nothing above the district
    assert auto_levels(order) == [{"level": 2, "auto": True}, {"level": 3, "auto": True}]


def test_work_hours_skip_the_lunch_break(world, make_order, calendar_2025):
    # 占道经营: 2 working hours. Dispatched Fri Oct 10 16:30 → due Sat Oct 11 (调休) 10:00.
    order = dispatched(world, make_order, "e0401", at(2025, 10, 10, 16, 30))
    assert order.due_at == at(2025, 10, 11, 10, 0)
    assert order.escalate_at == at(2025, 10, 11, 12, 0)
    services.sweep(at(2025, 10, 11, 10, 1))
    services.sweep(at(2025, 10, 11, 12, 1))
    order.refresh_from_db()
    # 12:00 → 2 working hours after the lunch break (13:30) → 15:30.
    assert order.supervise_level == 2 and order.escalate_at == at(2025, 10, 11, 15, 30)


def test_a_late_beat_catches_up_in_one_run_and_a_second_run_changes_nothing(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    counts = services.sweep(at(2025, 10, 13, 9, 0))  # the first beat after the weekend
    assert counts["overdue"] == 1 and counts["escalated"] == 2  # 0 → 1 → 2 → 3 in one run
    order.refresh_from_db()
    assert order.supervise_level == 3 and order.escalate_at is None
    assert services.sweep(at(2025, 10, 13, 9, 0)) == {"overdue": 0, "marked": 0, "cleared": 0, "escalated": 0}
    assert len(told(world, "chen_street", 2)) == 1 and len(told(world, "liu_district", 3)) == 1


def test_territorial_order_tells_the_community_at_level_one(world, make_order, calendar_2025):
    # 邻里纠纷 goes to the grid: nobody from a department holds it, so the community is the next level.
    order = dispatched(world, make_order, "e0601", at(2025, 9, 30, 10, 0))
    assert order.assigned_department_id is None
    services.sweep(order.due_at + dt.timedelta(minutes=1))
    assert len(told(world, "zhao_community", 1)) == 1
    assert told(world, "he_community", 1) == []  # the other community's staff


def test_parked_stays_and_other_street_told_only_of_its_own(world, make_order, calendar_2025):
    a = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    parked = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    b = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0), who="feng_resident", grid=6)
    services.sweep(at(2025, 10, 9, 17, 1))
    WorkOrder.objects.filter(pk=parked.pk).update(parked=True)
    assert services.sweep(at(2025, 10, 10, 17, 1))["escalated"] == 2
    levels = dict(WorkOrder.objects.values_list("pk", "supervise_level"))
    assert (levels[a.pk], levels[parked.pk], levels[b.pk]) == (2, 1, 2)
    assert len(told(world, "chen_street", 2)) == 1 and len(told(world, "zhou_outsider", 2)) == 1


def test_by_hand_raise_moves_the_next_automatic_level_one_limit_later(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    services.sweep(at(2025, 10, 9, 17, 1))
    with clock(at(2025, 10, 10, 9, 0)):  # the street raises it to 2 by hand on Friday morning
        order = services.order_supervise(order=order, actor=world.users["chen_street"], note="今天必须处理")
    assert order.supervise_level == 2
    # One working day after the raise: the close of office on the 调休 Saturday (without the raise
    # level 2 would have come on Friday 17:00 and level 3 now follow at once).
    assert order.escalate_at == at(2025, 10, 11, 17, 0)
    assert services.sweep(at(2025, 10, 10, 17, 1))["escalated"] == 0
    assert services.sweep(at(2025, 10, 11, 17, 1))["escalated"] == 1
    assert WorkOrder.objects.get(pk=order.pk).supervise_level == 3


def test_an_extension_reschedules_and_closing_clears(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    with clock(at(2025, 10, 13, 9, 0)):
        services.order_start(order=order, actor=world.users["sun_department"])
        order = services.order_handle(order=order, actor=world.users["sun_department"], note="已清除",
                                      photo_files=[jpeg()])
    # handled → the verification stage (1 working day): its own clock and its own escalation moment
    assert order.stage == "verify" and order.due_at is not None
    assert order.escalate_at == workdays.deadline(order.due_at, 1, "work_days").at
    with clock(at(2025, 10, 13, 10, 0)):
        order = services.order_verify_close(order=order, actor=world.users["chen_street"])
    assert order.escalate_at is None


def test_the_migration_backfills_open_orders_like_the_service(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    closed = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    WorkOrder.objects.filter(pk=order.pk).update(escalate_at=None)
    WorkOrder.objects.filter(pk=closed.pk).update(escalate_at=None, status="closed", stage="")
    migration = importlib.import_module("workorders.migrations.0007_escalate_at")
    migration.backfill_escalate_at(django_apps, SimpleNamespace(connection=connection), chunk=1)
    assert WorkOrder.objects.get(pk=order.pk).escalate_at == at(2025, 10, 10, 17, 0)
    assert WorkOrder.objects.get(pk=closed.pk).escalate_at is None


def test_after_parking_the_next_level_comes_one_limit_after_the_unpark(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0201", at(2025, 9, 30, 10, 0))
    services.sweep(at(2025, 10, 9, 17, 1))
    WorkOrder.objects.filter(pk=order.pk).update(parked=True)  # 挂账 approved: out of the overdue count
    assert services.sweep(at(2025, 10, 13, 9, 0))["escalated"] == 0
    with clock(at(2025, 10, 13, 9, 0)):
        order = services.order_unpark(order=order, actor=world.users["chen_street"], note="预算已到位")
    # Its level-2 moment (Oct 10) passed while parked: not at once, but one working day from now
    # (a period in working days ends at the close of office of the next working day).
    assert order.escalate_at == at(2025, 10, 14, 17, 0)
    assert services.sweep(at(2025, 10, 13, 9, 5))["escalated"] == 0
    assert services.sweep(at(2025, 10, 14, 17, 1))["escalated"] == 1
    assert WorkOrder.objects.get(pk=order.pk).supervise_level == 2
