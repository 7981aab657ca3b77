"""Deadlines and the sweeper on a fixed clock across the 2025 National Day holiday
(Oct 1–8 off) and its 调休 Saturday (Oct 11 is a working day), from chinesecalendar's data."""


import pytest

from governance.errors import Forbidden
from workorders import services
from workorders.models import TimelineEntry, WorkOrder

from .conftest import at, clock

pytestmark = pytest.mark.django_db



def dispatched(world, make_order, code, moment):
    u = world.users
    with clock(moment):
        order = make_order(code)
        services.order_accept(order=order, actor=u["zhao_community"])
        return services.order_dispatch(order=order, actor=u["chen_street"])


def test_accept_deadline_skips_the_holiday(world, make_order, calendar_2025):
    with clock(at(2025, 9, 30, 17, 20)):
        order = make_order()
    # 10 minutes left on Sep 30 (summer hours end 17:30), then 50 minutes on Thursday Oct 9.
    assert order.due_at == at(2025, 10, 9, 9, 20)
    assert services.sweep(at(2025, 10, 5, 12, 0))["overdue"] == 0
    assert services.sweep(at(2025, 10, 9, 9, 21))["overdue"] == 1


def test_work_days_across_national_day_with_amber_and_overdue(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0108", at(2025, 9, 30, 10, 0))  # 1 working day, 环卫
    # The next working day after Sep 30 is Oct 9: close of office there (winter hours from Oct 1).
    assert order.handling_due_at == at(2025, 10, 9, 17, 0)
    # 80 % of the 12.5 working hours: 5.5 h on Sep 30, 4.5 h on Oct 9 → 14:30.
    assert order.warn_at == at(2025, 10, 9, 14, 30)
    nothing = {"overdue": 0, "marked": 0, "cleared": 0, "escalated": 0}
    assert services.sweep(at(2025, 10, 8, 20, 0)) == nothing
    assert services.sweep(at(2025, 10, 9, 14, 29)) == nothing
    assert services.sweep(at(2025, 10, 9, 14, 31)) == {"overdue": 0, "marked": 1, "cleared": 0, "escalated": 0}
    order.refresh_from_db()
    assert order.warned and not order.overdue
    assert services.sweep(at(2025, 10, 9, 17, 1)) == {"overdue": 1, "marked": 1, "cleared": 0, "escalated": 0}
    order.refresh_from_db()
    assert order.overdue and order.ever_overdue and order.supervise_level == 1
    entry = TimelineEntry.objects.get(order=order, actor=None)
    assert entry.action == "overdue" and "督办" in entry.note
    # A second run changes nothing (idempotent re-derivation).
    assert services.sweep(at(2025, 10, 9, 17, 6)) == nothing
    assert world.users["sun_department"].notifications.count() == 0  # 环卫's order, not 城管's


def test_work_hours_run_into_the_makeup_saturday(world, make_order, calendar_2025):
    order = dispatched(world, make_order, "e0104", at(2025, 10, 10, 16, 30))  # 2 working hours
    # 30 min on Friday, then Saturday Oct 11 is a 调休 working day: 08:30 + 1.5 h.
    assert order.handling_due_at == at(2025, 10, 11, 10, 0)
    assert services.sweep(at(2025, 10, 11, 9, 59))["overdue"] == 0
    assert services.sweep(at(2025, 10, 11, 10, 1))["overdue"] == 1


def test_extension_moves_the_deadline_and_clears_overdue(world, make_order, calendar_2025):
    u = world.users
    order = dispatched(world, make_order, "e0401", at(2025, 10, 9, 9, 0))  # 2 working hours, 城管
    assert order.handling_due_at == at(2025, 10, 9, 11, 0)
    with clock(at(2025, 10, 9, 10, 0)):
        order = services.order_start(order=order, actor=u["sun_department"])
        app = services.extension_request(order=order, actor=u["sun_department"], extra_limit=1,
                                         extra_unit="work_days", note="需要联合执法")
    services.sweep(at(2025, 10, 9, 11, 30))
    order.refresh_from_db()
    assert order.overdue
    assert world.users["sun_department"].notifications.filter(dedup_key__startswith="wo:sweep:").count() == 1
    with clock(at(2025, 10, 9, 11, 40)):
        with pytest.raises(Forbidden):  # the requester cannot approve their own request
            services.extension_decide(application=app, actor=u["sun_department"], approve=True)
        services.extension_decide(application=app, actor=u["chen_street"], approve=True, note="同意")
    order.refresh_from_db()
    assert order.handling_due_at == at(2025, 10, 10, 17, 0) and not order.overdue and order.extension_count == 1
    assert order.ever_overdue  # it was late once: 按期结案 remembers


def test_urgency_change_recomputes(world, make_order, calendar_2025):
    u = world.users
    order = dispatched(world, make_order, "c0101", at(2025, 10, 9, 9, 0))  # 上水井盖: 2 natural hours
    assert order.handling_due_at == at(2025, 10, 9, 11, 0)
    with clock(at(2025, 10, 9, 9, 10)):
        order = services.order_change_urgency(order=order, actor=u["chen_street"], urgency="critical")
    assert order.handling_due_at == at(2025, 10, 9, 10, 0)  # 特急: the category's critical value (1 h)


def test_parked_orders_leave_the_overdue_count(world, make_order, calendar_2025):
    from workorders import selectors

    u = world.users
    order = dispatched(world, make_order, "e0401", at(2025, 10, 9, 9, 0))
    with clock(at(2025, 10, 9, 9, 30)):
        services.order_start(order=order, actor=u["sun_department"])
        app = services.park_request(order=order, actor=u["sun_department"], reason="budget", note="需列入明年预算")
        services.park_decide(application=app, actor=u["chen_street"], approve=True, note="同意挂账")
    services.sweep(at(2025, 10, 10, 9, 0))
    order.refresh_from_db()
    assert order.parked and not order.overdue
    counts = selectors.queue_counts(WorkOrder.objects.filter(pk=order.pk))
    assert counts["overdue"] == 0 and counts["parked"] == 1


def test_the_beat_entry_runs_the_sweeper(world, make_order):
    from governance.schedules import all_schedules
    from workorders.tasks import sweep_deadlines

    assert ("workorders.sweep_deadlines", 300) in all_schedules().values()
    make_order()
    assert sweep_deadlines.delay().get() == {"overdue": 0, "marked": 0, "cleared": 0, "escalated": 0}


def test_request_type_limit_caps_the_category_limit(world, make_order, rtypes, calendar_2025):
    from workorders.models import RequestType

    RequestType.objects.filter(code="help").update(limit=2, limit_unit="hours")
    u = world.users
    with clock(at(2025, 10, 9, 9, 0)):
        order = make_order("e0108", request_type=RequestType.objects.get(code="help"))  # 1 working day vs 2 hours
        services.order_accept(order=order, actor=u["zhao_community"])
        order = services.order_dispatch(order=order, actor=u["chen_street"])
    assert order.handling_due_at == at(2025, 10, 9, 11, 0)
