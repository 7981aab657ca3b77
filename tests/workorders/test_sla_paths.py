"""The sweep's one-statement PostgreSQL path and its portable path (the one SQLite runs) must
leave the same flags, timeline rows, holders (hence notifications) and counts on the same data."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils.translation import gettext as _

from workorders.models import TimelineEntry, WorkOrder
from workorders.services import sla

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
FLAGS = ("status", "parked", "warned", "overdue", "overdue_at", "ever_overdue", "supervise_level", "escalate_at")


def _states(world, make_order):
    """One order per case the sweep tells apart."""
    h = dt.timedelta(hours=1)
    dept, user = world.departments["chengguan"], world.users["sun_department"]
    cases = [
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, assigned_user=user),                     # newly overdue, level 0
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, supervise_level=2, assigned_user=user),  # newly, already supervised
        dict(due_at=NOW - h, warn_at=None, assigned_department=dept),                      # newly, no amber date
        dict(due_at=NOW + h, warn_at=NOW - h, assigned_department=dept),                   # amber only
        dict(due_at=NOW + h, warn_at=NOW + h / 2),                                         # nothing yet
        dict(due_at=None, warn_at=None),                                                   # no deadline
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, warned=True, overdue=True, overdue_at=NOW - h,
             ever_overdue=True, supervise_level=1),                                        # swept before
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, parked=True),                            # parked (挂账)
        dict(due_at=NOW + 5 * h, warn_at=NOW - h, overdue=True, overdue_at=NOW - 3 * h,
             ever_overdue=True),                                                           # extension moved the date
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, status="closed", overdue=True, overdue_at=NOW - h),  # closed
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, status="handled"),                      # newly, handled
        dict(stage_started_at=NOW - 5 * h, due_at=NOW - 3 * h, warn_at=NOW - 4 * h, warned=True, overdue=True,
             overdue_at=NOW - 3 * h, ever_overdue=True, supervise_level=1,
             escalate_at=NOW - h),                                                         # due for 督办 level 2
        dict(due_at=NOW - h, warn_at=NOW - 2 * h, escalate_at=NOW - h / 2),               # newly, and 督办 2 at once
    ]
    for kw in cases:
        order = make_order()
        WorkOrder.objects.filter(pk=order.pk).update(**kw)


def _outcome(run):
    """Run one marking path plus the rest of the sweep, read what it left, then roll it all back."""
    with transaction.atomic():
        tl_before = set(TimelineEntry.objects.values_list("pk", flat=True))
        holders, counts = run()
        holders = sorted((r["assigned_user_id"] or 0, r["assigned_department_id"] or 0, r["region_path"], r["n"])
                         for r in holders)
        flags = list(WorkOrder.objects.order_by("pk").values_list("pk", *FLAGS))
        timeline = sorted(TimelineEntry.objects.exclude(pk__in=tl_before).values_list(
            "order_id", "at", "actor_id", "action", "from_status", "to_status", "note", "public", "data"))
        transaction.set_rollback(True)
    return holders, counts, flags, timeline


@pytest.mark.postgres
def test_postgres_path_matches_the_portable_path(world, make_order):
    _states(world, make_order)
    live = WorkOrder.objects.filter(status__in=sla.OPEN_STATUSES, parked=False)
    portable = _outcome(lambda: sla._mark_portable(live, NOW))
    postgres = _outcome(lambda: sla._mark_postgres(NOW))
    assert portable == postgres
    holders, counts, flags, timeline = postgres
    assert counts == {"overdue": 5, "marked": 7}  # 5 newly overdue, 2 turning amber
    assert [row[6] for row in timeline].count(_("overdue: supervised automatically")) == 4
    assert len(holders) == 3 and sum(n for *_k, n in holders) == 5
    # and the whole sweep on PostgreSQL: a second run at the same moment changes nothing
    # escalated: the new one 1 → 2; the one due for level 2 since NOW-1h (16:00 Shanghai) reached it,
    # and one more working hour later is NOW (office closes at 17:00), so it goes on to 3.
    assert sla.sweep(NOW) == {"overdue": 5, "marked": 7, "cleared": 2, "escalated": 3}
    assert list(WorkOrder.objects.filter(supervise_level=3).values_list("escalate_at", flat=True)) == [None]
    assert sla.sweep(NOW) == {"overdue": 0, "marked": 0, "cleared": 0, "escalated": 0}
