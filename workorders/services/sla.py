"""The deadline sweeper (beat, every 300 s): re-derives from the database what is due.

Set-based, so 100k open orders cost a handful of statements, not 100k saves:
1. a timeline row for every order that turns overdue now (INSERT … SELECT, one statement),
   noting the automatic 督办 where nobody supervised it yet;
2. one UPDATE marks amber (warn_at passed), overdue (due passed) and 督办 level 1 (the next
   level up is told automatically; a superior raises it by hand with order_supervise);
3. orders no longer overdue (an approved extension moved the date) lose the flag;
4. one inbox row per person holding newly overdue orders (and per department's staff);
5. automatic 督办 level 2: an order at level 1 still overdue one more full stage limit after it
   turned overdue (overdue_at + (due_at - stage_started_at) passed) goes up a level, with a
   timeline row, and the street officers of its street are told (one row per officer). This
   step is the same portable statements on every database, run before the marking.
On PostgreSQL steps 1, 2 and the holders of 4 are ONE statement (data-modifying CTEs: one scan
of the open orders, as a hand-written UPDATE would); other databases (SQLite in development)
run the portable statements. tests/workorders/test_sla_paths.py holds the two to the same result.
Parked orders (挂账) are left out: they have their own count. A lost beat only delays: the
next run finds the same rows from the same columns, and a second run changes nothing."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Case, Count, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.choices import OPEN_STATUSES
from workorders.models import TimelineEntry, WorkOrder


def _insert_timeline(qs, *, at, action, note_level0, note_other, data="{}") -> int:
    """INSERT INTO timeline SELECT … FROM orders WHERE <qs>: one statement, any size."""
    select_sql, params = qs.values("pk").query.sql_with_params()
    where = select_sql[select_sql.index(" FROM "):]
    o, t = WorkOrder._meta.db_table, TimelineEntry._meta.db_table
    sql = (f"INSERT INTO {t} (order_id, at, actor_id, action, from_status, to_status, note, public, data) "
           f"SELECT {o}.id, %s, NULL, %s, {o}.status, {o}.status, "
           f"CASE WHEN {o}.supervise_level = 0 THEN %s ELSE %s END, %s, %s{where}")
    with connection.cursor() as cur:
        cur.execute(sql, [at, action, note_level0, note_other, False, data, *params])
        return cur.rowcount


def _insert_overdue_timeline(qs, *, at) -> int:
    return _insert_timeline(qs, at=at, action="overdue", note_level0=str(_("overdue: supervised automatically")),
                            note_other=str(_("overdue")))


AUTO_LEVEL = 2  # the sweep raises 督办 up to here; beyond, a superior raises it by hand (order_supervise)


def _escalate(live, now) -> dict[str, int]:
    """督办 level 1 → 2 for orders still overdue one more full stage limit after turning overdue;
    returns {order region_path: number of orders raised} for the notification."""
    escalate_at = ExpressionWrapper(F("overdue_at") + (F("due_at") - F("stage_started_at")),
                                    output_field=DateTimeField())
    due = live.filter(overdue=True, supervise_level=AUTO_LEVEL - 1, overdue_at__isnull=False,
                      due_at__gt=F("stage_started_at")).alias(escalate_at=escalate_at).filter(escalate_at__lte=now)
    # One GROUP BY (usually empty: then nothing else runs), one INSERT … SELECT, one UPDATE.
    per_path = dict(due.order_by().values_list("region_path").annotate(n=Count("pk")).values_list("region_path", "n"))
    if not per_path:
        return {}
    note = str(_("still overdue: supervised at level %(level)s automatically") % {"level": AUTO_LEVEL})
    _insert_timeline(due, at=now, action="supervise", note_level0=note, note_other=note,
                     data=f'{{"level": {AUTO_LEVEL}, "auto": true}}')
    due.update(supervise_level=AUTO_LEVEL)
    return per_path


def _mark_portable(live, now) -> tuple[list[dict], dict[str, int]]:
    """Any database: holders GROUP BY, timeline INSERT … SELECT, then the marking UPDATE."""
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
    return holders, counts


_MARK_PG = """
WITH old AS (
  SELECT id, (NOT overdue AND due_at <= %(now)s) AS newly, supervise_level AS level_before
  FROM {o}
  WHERE status = ANY(%(open)s) AND NOT parked
    AND ((NOT warned AND warn_at <= %(now)s) OR (NOT overdue AND due_at <= %(now)s))
  FOR UPDATE
), upd AS (
  UPDATE {o} SET
    warned = {o}.warned OR ({o}.warn_at IS NOT NULL AND {o}.warn_at <= %(now)s),
    overdue = {o}.overdue OR ({o}.due_at IS NOT NULL AND {o}.due_at <= %(now)s),
    overdue_at = CASE WHEN old.newly THEN %(now)s ELSE {o}.overdue_at END,
    ever_overdue = {o}.ever_overdue OR ({o}.due_at IS NOT NULL AND {o}.due_at <= %(now)s),
    supervise_level = CASE WHEN old.newly AND old.level_before = 0 THEN 1 ELSE {o}.supervise_level END
  FROM old WHERE {o}.id = old.id
  RETURNING {o}.id, {o}.status, {o}.assigned_user_id, {o}.assigned_department_id, old.newly, old.level_before
), ins AS (
  INSERT INTO {t} (order_id, at, actor_id, action, from_status, to_status, note, public, data)
  SELECT id, %(now)s, NULL, 'overdue', status, status,
         CASE WHEN level_before = 0 THEN %(auto)s ELSE %(plain)s END, false, '{{}}'::jsonb
  FROM upd WHERE newly
  RETURNING 1
)
SELECT assigned_user_id, assigned_department_id, count(*) FILTER (WHERE newly),
       (SELECT count(*) FROM upd), (SELECT count(*) FROM ins)
FROM upd GROUP BY 1, 2"""


def _mark_postgres(now) -> tuple[list[dict], dict[str, int]]:
    """PostgreSQL: the same marking, timeline rows and holders in ONE statement (one scan of the open
    orders): data-modifying CTEs, the rows locked and their before-values read in `old`."""
    sql = _MARK_PG.format(o=WorkOrder._meta.db_table, t=TimelineEntry._meta.db_table)
    params = {"now": now, "open": [str(s) for s in OPEN_STATUSES],
              "auto": str(_("overdue: supervised automatically")), "plain": str(_("overdue"))}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    holders = [{"assigned_user_id": u, "assigned_department_id": d, "n": n} for u, d, n, _m, _i in rows if n]
    return holders, {"overdue": rows[0][4] if rows else 0, "marked": rows[0][3] if rows else 0}


@transaction.atomic
def sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    streets = _escalate(WorkOrder.objects.filter(status__in=OPEN_STATUSES, parked=False), now)
    if connection.vendor == "postgresql":
        holders, counts = _mark_postgres(now)
    else:
        holders, counts = _mark_portable(WorkOrder.objects.filter(status__in=OPEN_STATUSES, parked=False), now)
    counts["cleared"] = WorkOrder.objects.filter(overdue=True).filter(
        Q(due_at__gt=now) | Q(due_at__isnull=True) | ~Q(status__in=OPEN_STATUSES)).update(overdue=False, overdue_at=None)
    _notify_holders(holders, now)
    counts["escalated"] = sum(streets.values())
    _notify_streets(streets, now)
    return counts


def _notify_streets(streets: dict[str, int], now) -> None:  # {order region_path: n}
    """One inbox row per street officer whose street has orders raised to 督办 level 2."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from governance.models import Assignment
    from governance.notify.services import notify
    from governance.roles import Role

    if not streets:
        return
    per_user: dict[int, tuple] = {}
    for a in Assignment.objects.active().filter(role=Role.STREET_OFFICER, region__level="street") \
            .select_related("user", "region"):
        n = sum(k for path, k in streets.items() if path.startswith(a.region.path))
        if n:
            user, before = per_user.get(a.user_id, (a.user, 0))
            per_user[a.user_id] = (user, before + n)
    url = reverse("workorders:staff")
    for user, n in per_user.values():
        notify(user=user, kind="workorder", url=url, dedup_key=f"wo:sweep:l{AUTO_LEVEL}:{now.isoformat()}",
               title=ngettext("%(n)s overdue order raised to supervision (督办) level 2",
                              "%(n)s overdue orders raised to supervision (督办) level 2", n) % {"n": n})


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
