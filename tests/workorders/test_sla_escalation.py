"""Automatic 督办 beyond level 1: an order at level 1 still overdue one more full stage limit
after it turned overdue goes to level 2 in the sweep; the street officers of its street are told."""

import datetime as dt

import pytest

from governance.models import Notification
from workorders.models import TimelineEntry, WorkOrder
from workorders.services import sla

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def overdue_order(make_order, *, started, due, overdue_at, level=1, **kw):
    order = make_order(**kw)
    WorkOrder.objects.filter(pk=order.pk).update(
        status="dispatched", stage_started_at=started, due_at=due, warn_at=due - H, warned=True, overdue=True,
        overdue_at=overdue_at, ever_overdue=True, supervise_level=level)
    return order


def test_level_two_after_one_more_full_limit(world, make_order):
    # limit 2 h (started NOW-5h, due NOW-3h), overdue since NOW-3h: one more limit passed at NOW-1h.
    raised = overdue_order(make_order, started=NOW - 5 * H, due=NOW - 3 * H, overdue_at=NOW - 3 * H)
    # limit 4 h, overdue since NOW-3h: one more limit not over until NOW+1h.
    not_yet = overdue_order(make_order, started=NOW - 7 * H, due=NOW - 3 * H, overdue_at=NOW - 3 * H)
    # already level 2 by hand, and a parked one: the sweep leaves both alone.
    by_hand = overdue_order(make_order, started=NOW - 5 * H, due=NOW - 3 * H, overdue_at=NOW - 3 * H, level=2)
    parked = overdue_order(make_order, started=NOW - 5 * H, due=NOW - 3 * H, overdue_at=NOW - 3 * H)
    WorkOrder.objects.filter(pk=parked.pk).update(parked=True)
    in_b = overdue_order(make_order, started=NOW - 5 * H, due=NOW - 3 * H, overdue_at=NOW - 3 * H,
                         who="feng_resident", grid=6)

    counts = sla.sweep(NOW)
    assert counts["escalated"] == 2
    levels = dict(WorkOrder.objects.values_list("pk", "supervise_level"))
    assert (levels[raised.pk], levels[not_yet.pk], levels[by_hand.pk], levels[parked.pk], levels[in_b.pk]) == \
        (2, 1, 2, 1, 2)
    rows = TimelineEntry.objects.filter(action="supervise", actor__isnull=True)
    assert sorted(rows.values_list("order_id", flat=True)) == sorted([raised.pk, in_b.pk])
    assert all(r.data == {"level": 2, "auto": True} and r.from_status == r.to_status == "dispatched" for r in rows)
    # each street's officer hears of their own street's order only
    chen = Notification.objects.filter(user=world.users["chen_street"], dedup_key__startswith="wo:sweep:l2:")
    zhou = Notification.objects.filter(user=world.users["zhou_outsider"], dedup_key__startswith="wo:sweep:l2:")
    assert chen.count() == 1 and zhou.count() == 1

    # a second run changes nothing; the order not yet due goes up once its time has come
    assert sla.sweep(NOW)["escalated"] == 0
    assert sla.sweep(NOW + 2 * H)["escalated"] == 1
    assert WorkOrder.objects.get(pk=not_yet.pk).supervise_level == 2
    assert TimelineEntry.objects.filter(action="supervise", actor__isnull=True).count() == 3
