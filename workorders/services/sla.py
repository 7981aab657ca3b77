"""The deadline sweeper (beat, every 300 s): re-derives from the database what is due.

Set-based, so 100k open orders cost a handful of statements, not 100k saves:
1. amber: open, not parked, not yet amber, warn_at passed → warned;
2. overdue: open, not parked, due passed, not yet overdue → overdue (+ ever_overdue);
3. 督办: newly overdue orders that nobody supervised yet are supervised by the next level
   up automatically (level 1; a superior raises it by hand with order_supervise);
4. a timeline row per change, written by INSERT … SELECT on the rows this run stamped,
   and one notification per handler.
A lost beat only delays: the next run finds the same rows from the same columns."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.choices import OPEN_STATUSES
from workorders.models import TimelineEntry, WorkOrder


def _insert_timeline(stamp_q: Q, *, action: str, note: str, at) -> int:
    """INSERT INTO timeline SELECT … FROM orders WHERE <stamp>: one statement, any size."""
    qs = WorkOrder.objects.filter(stamp_q).values("pk", "status")
    select_sql, params = qs.query.sql_with_params()
    # select_sql is "SELECT id, status FROM workorders_workorder WHERE …"
    where = select_sql[select_sql.index(" FROM "):]
    t = TimelineEntry._meta.db_table
    sql = (f"INSERT INTO {t} (order_id, at, actor_id, action, from_status, to_status, note, public, data) "
           f"SELECT {WorkOrder._meta.db_table}.id, %s, NULL, %s, {WorkOrder._meta.db_table}.status, "
           f"{WorkOrder._meta.db_table}.status, %s, %s, %s{where}")
    with connection.cursor() as cur:
        cur.execute(sql, [at, action, note, False, "{}", *params])
        return cur.rowcount


@transaction.atomic
def sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    live = WorkOrder.objects.filter(status__in=OPEN_STATUSES, parked=False)
    counts = {}
    counts["amber"] = live.filter(warned=False, warn_at__lte=now).update(warned=True)
    newly = live.filter(overdue=False, due_at__lte=now)
    counts["overdue"] = newly.update(overdue=True, overdue_at=now, ever_overdue=True)
    # Orders no longer overdue (an extension moved the due date) lose the flag.
    counts["cleared"] = WorkOrder.objects.filter(overdue=True).filter(
        Q(due_at__gt=now) | Q(due_at__isnull=True) | ~Q(status__in=OPEN_STATUSES)).update(overdue=False, overdue_at=None)
    # 督办: level 1 when it first turns overdue; one level more for each further stage length overdue.
    stamp = Q(status__in=OPEN_STATUSES, parked=False, overdue=True, overdue_at=now)
    counts["supervised"] = WorkOrder.objects.filter(stamp, supervise_level=0).update(supervise_level=1)
    if counts["overdue"]:
        _insert_timeline(stamp, action="overdue", note=_("overdue"), at=now)
    if counts["supervised"]:
        _insert_timeline(stamp & Q(supervise_level=1), action="auto_supervise", note=_("overdue: supervised automatically"), at=now)
    _notify_handlers(stamp, now)
    return counts


def _notify_handlers(stamp: Q, now) -> None:
    """One inbox row per person holding newly overdue orders, and per department's staff."""
    from collections import defaultdict

    from django.urls import reverse
    from django.utils.translation import ngettext

    from governance.models import Assignment, Notification
    from governance.roles import Role

    rows = list(WorkOrder.objects.filter(stamp).values_list("assigned_user_id", "assigned_department_id"))
    if not rows:
        return
    per_user: dict[int, int] = defaultdict(int)
    per_dept: dict[int, int] = defaultdict(int)
    for uid, dept in rows:
        if uid:
            per_user[uid] += 1
        elif dept:
            per_dept[dept] += 1
    if per_dept:
        for a in Assignment.objects.active(now).filter(role=Role.DEPARTMENT_STAFF, department_id__in=per_dept):
            per_user[a.user_id] += per_dept[a.department_id]
    key = f"wo:sweep:{now.isoformat()}"
    url = reverse("workorders:staff")
    Notification.objects.bulk_create([
        Notification(user_id=uid, kind="workorder", url=url, dedup_key=key,
                     title=ngettext("%(n)s order is overdue", "%(n)s orders are overdue", n) % {"n": n})
        for uid, n in per_user.items()
    ], ignore_conflicts=True)
