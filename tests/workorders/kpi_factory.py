"""Orders in a chosen state, written directly (the KPI reads columns, not the path that set
them; the services' own tests cover the path). Shared by the KPI and hot-spot tests."""

import datetime as dt
import itertools

from governance.workdays import TZ
from workorders.models import FollowUp, WorkOrder

_seq = itertools.count(1)


def at(day, hour=10, minute=0):
    """A moment in Shanghai time (day: date or 'YYYY-MM-DD')."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


def order(world, category, *, grid=0, reported=None, status="reported", closed=None, dept=None, region=None,
          followup=None, **fields):
    g = world.grids[grid]
    reported = reported or at("2026-11-02")
    o = WorkOrder.objects.create(
        number=f"K{next(_seq):08d}", category=category, description="测试工单", region=g, region_path=g.path,
        reported_at=reported, status=status, closed_at=closed, contact_name="测试",
        assigned_department=dept, assigned_region=region, **fields)
    if followup is not None:
        contacted, solved, satisfaction = followup
        FollowUp.objects.create(order=o, caller=world.users["zhao_community"], at=(closed or reported),
                                contacted_in_time=contacted, solved=solved, satisfaction=satisfaction)
    return o
