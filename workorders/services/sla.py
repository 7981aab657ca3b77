"""The deadline sweeper (beat, every 300 s): re-derives from the database what is due.

Set-based, so 100k open orders cost a handful of statements, not 100k saves:
1. a timeline row for every order that turns overdue now (INSERT … SELECT, one statement),
   noting the automatic 督办 where nobody supervised it yet;
2. one UPDATE marks amber (warn_at passed), overdue (due passed) and 督办 level 1 (the next
   level up is told automatically; a superior raises it by hand with order_supervise);
3. orders no longer overdue (an approved extension moved the date) lose the flag;
4. one inbox row per person holding newly overdue orders (and per department's staff).
Parked orders (挂账) are left out: they have their own count. A lost beat only delays: the
next run finds the same rows from the same columns, and a second run changes nothing."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.choices import OPEN_STATUSES
from workorders.models import TimelineEntry, WorkOrder


def _insert_overdue_timeline(qs, *, at) -> int:
    """INSERT INTO timeline SELECT … FROM orders WHERE <qs>: one statement, any size."""
    select_sql, params = qs.values("pk").query.sql_with_params()
    where = select_sql[select_sql.index(" FROM "):]
    o, t = WorkOrder._meta.db_table, TimelineEntry._meta.db_table
    sql = (f"INSERT INTO {t} (order_id, at, actor_id, action, from_status, to_status, note, public, data) "
           f"SELECT {o}.id, %s, NULL, %s, {o}.status, {o}.status, "
           f"CASE WHEN {o}.supervise_level = 0 THEN %s ELSE %s END, %s, %s{where}")
    with connection.cursor() as cur:
        cur.execute(sql, [at, "overdue", str(_("overdue: supervised automatically")), str(_("overdue")), False, "{}",
                          *params])
        return cur.rowcount


@transaction.atomic
def sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    live = WorkOrder.objects.filter(status__in=OPEN_STATUSES, parked=False)
    turning = live.filter(overdue=False, due_at__lte=now)
    holders = list(turning.values("assigned_user_id", "assigned_department_id").annotate(n=Count("pk")))
    counts = {"overdue": _insert_overdue_timeline(turning, at=now) if holders else 0}
    newly = Q(overdue=False, due_at__lte=now)
    counts["marked"] = live.filter(Q(warned=False, warn_at__lte=now) | newly).update(
        warned=Case(When(warn_at__lte=now, then=Value(True)), default=F("warned")),
        overdue=Case(When(due_at__lte=now, then=Value(True)), default=F("overdue")),
        overdue_at=Case(When(newly, then=Value(now)), default=F("overdue_at")),
        ever_overdue=Case(When(due_at__lte=now, then=Value(True)), default=F("ever_overdue")),
        supervise_level=Case(When(newly & Q(supervise_level=0), then=Value(1)), default=F("supervise_level"),
                             output_field=WorkOrder._meta.get_field("supervise_level")),
    )
    counts["cleared"] = WorkOrder.objects.filter(overdue=True).filter(
        Q(due_at__gt=now) | Q(due_at__isnull=True) | ~Q(status__in=OPEN_STATUSES)).update(overdue=False, overdue_at=None)
    _notify_holders(holders, now)
    return counts


def _notify_holders(holders: list[dict], now) -> None:
    """One inbox row per person holding newly overdue orders, and per department's staff."""
    from collections import defaultdict

    from django.urls import reverse
    from django.utils.translation import ngettext

    from governance.models import Assignment, User
    from governance.notify.services import notify
    from governance.roles import Role

    if not holders:
        return
    per_user: dict[int, int] = defaultdict(int)
    per_dept: dict[int, int] = defaultdict(int)
    for row in holders:
        if row["assigned_user_id"]:
            per_user[row["assigned_user_id"]] += row["n"]
        elif row["assigned_department_id"]:
            per_dept[row["assigned_department_id"]] += row["n"]
    if per_dept:
        for a in Assignment.objects.active().filter(role=Role.DEPARTMENT_STAFF, department_id__in=per_dept):
            per_user[a.user_id] += per_dept[a.department_id]
    key = f"wo:sweep:{now.isoformat()}"
    url = reverse("workorders:staff")
    users = User.objects.in_bulk(list(per_user))
    for uid, n in per_user.items():  # one per person, not per order: a handful of rows
        notify(user=users[uid], kind="workorder", url=url, dedup_key=key,
               title=ngettext("%(n)s order is overdue", "%(n)s orders are overdue", n) % {"n": n})
