"""The deadline sweeper (beat, every 300 s): re-derives from the database what is due.

Set-based, so 100k open orders cost a handful of statements, not 100k saves:
1. a timeline row for every order that turns overdue now (INSERT … SELECT, one statement),
   noting the automatic 督办 where nobody supervised it yet;
2. one UPDATE marks amber (warn_at passed), overdue (due passed) and 督办 level 1;
3. orders no longer overdue (an approved extension moved the date) lose the flag;
4. automatic 督办 beyond level 1: an order still overdue when its `escalate_at` passes goes up a
   level — 2 the street, 3 the district (rules "max_supervise_level") — each level one more full
   stage limit later, counted in the limit's unit (工作时/工作日 via governance.workdays; the
   moments are computed in workorders/deadlines.py when the due moment is, so finding them is
   one indexed SELECT; only the orders raised now get their next moment computed, in Python,
   then one INSERT … SELECT of timeline rows per level reached and one UPDATE);
5. one inbox row per person told: level 1 the holders (assigned person or department staff) and
   the community of the place for orders no department holds; level 2 the street officers of the
   street; level 3 the district administrators.
On PostgreSQL steps 1, 2 and the holders of 5 are ONE statement (data-modifying CTEs: one scan
of the open orders, as a hand-written UPDATE would); other databases (SQLite in development)
run the portable statements. tests/workorders/test_sla_paths.py holds the two to the same result.
Parked orders (挂账) are left out: they have their own count. A lost beat only delays: the
next run finds the same rows from the same columns, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders import deadlines
from workorders.choices import OPEN_STATUSES
from workorders.models import TimelineEntry, WorkOrder
from workorders.rules import rule


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


class _Due(NamedTuple):
    level: int
    region_path: str
    escalate_at: dt.datetime | None  # never None here: the SELECT filters on escalate_at <= now
    stage: str
    urgency: str
    category_id: int
    request_type_id: int | None
    reported_at: dt.datetime
    dispatched_at: dt.datetime | None


CHUNK = 5000  # ids per statement (SQLite's bound-parameter limit)


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _escalate(now) -> dict[tuple[int, str], int]:
    """Automatic 督办 beyond level 1: every open, overdue order whose `escalate_at` has passed goes
    up a level (at most to rules "max_supervise_level"), with a timeline row; if its next moment
    (one more full stage limit, in the limit's unit) has passed too, it goes on at once — so a late
    beat catches up, and a second run at the same moment does nothing. One indexed SELECT finds
    and locks them; per level reached one INSERT … SELECT of timeline rows; then ONE update writes
    each order's final level and next moment (a row is rewritten once, however far it climbs).
    Returns {(new level, order region_path): number of orders} for the notifications."""
    from governance import workdays

    top = int(rule("max_supervise_level"))
    if top <= 1:
        return {}
    found = (WorkOrder.objects.select_for_update().filter(
        status__in=OPEN_STATUSES, parked=False, overdue=True, supervise_level__gte=1, supervise_level__lt=top,
        escalate_at__lte=now).order_by().values_list("pk", "supervise_level", "region_path", "escalate_at", "stage",
                                                    "urgency", "category_id", "request_type_id", "reported_at",
                                                    "dispatched_at"))
    due = {row[0]: _Due(*row[1:]) for row in found}
    if not due:
        return {}
    limits = _Limits(due.values())
    raised: dict[tuple[int, str], int] = defaultdict(int)
    reached: dict[int, list[int]] = defaultdict(list)  # level -> orders that reached it now
    final: list[tuple[int, int, dt.datetime | None]] = []  # (pk, level, next escalate_at)
    for pk, row in due.items():
        level, at = row.level, row.escalate_at
        assert at is not None
        nxt: dt.datetime | None = None
        while True:
            level += 1
            reached[level].append(pk)
            raised[(level, row.region_path)] += 1
            if level >= top:
                nxt = None
                break
            at = nxt = workdays.deadline(at, *limits.of(row)).at
            if at > now:
                break
        final.append((pk, level, nxt))
    for level, ids in sorted(reached.items()):
        note = str(_("still overdue: supervised at level %(level)s automatically") % {"level": level})
        data = json.dumps({"level": level, "auto": True})
        for chunk in _chunks(ids):
            _insert_timeline(WorkOrder.objects.filter(pk__in=chunk), at=now, action="supervise", note_level0=note,
                             note_other=note, data=data)
    _set_levels(final)
    return dict(raised)


class _Limits:
    """The stage limit each order's moments are counted with (deadlines.stage_limit), the
    categories and request types read once; cached per (stage, urgency, category) unless a
    request type's cap (which depends on the order's own dates) is involved."""

    def __init__(self, rows):
        from workorders.models import Category, RequestType

        rows = list(rows)
        self.categories = Category.objects.in_bulk({r.category_id for r in rows})
        self.rtypes = RequestType.objects.in_bulk({r.request_type_id for r in rows if r.request_type_id})
        self.cache: dict[tuple, tuple[float, str]] = {}

    def of(self, r: _Due) -> tuple[float, str]:
        from types import SimpleNamespace

        key = (r.stage, r.urgency, r.category_id)
        if not r.request_type_id and key in self.cache:
            return self.cache[key]
        limit = deadlines.stage_limit(SimpleNamespace(
            stage=r.stage, urgency=r.urgency, category=self.categories[r.category_id],
            request_type_id=r.request_type_id, request_type=self.rtypes.get(r.request_type_id),
            reported_at=r.reported_at, dispatched_at=r.dispatched_at))
        if not r.request_type_id:
            self.cache[key] = limit
        return limit


def _set_levels(rows: list[tuple[int, int, dt.datetime | None]]) -> None:
    """(pk, supervise_level, escalate_at) for each order: one UPDATE on PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {WorkOrder._meta.db_table} o SET supervise_level = v.level, escalate_at = v.at "
                        f"FROM unnest(%s::bigint[], %s::int[], %s::timestamptz[]) AS v(id, level, at) WHERE o.id = v.id",
                        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]])
        return
    WorkOrder.objects.bulk_update([WorkOrder(pk=pk, supervise_level=level, escalate_at=at) for pk, level, at in rows],
                                  ["supervise_level", "escalate_at"], batch_size=500)


def _mark_portable(live, now) -> tuple[list[dict], dict[str, int]]:
    """Any database: holders GROUP BY, timeline INSERT … SELECT, then the marking UPDATE."""
    turning = live.filter(overdue=False, due_at__lte=now)
    holders = list(turning.values("assigned_user_id", "assigned_department_id", "region_path")
                   .annotate(n=Count("pk")).order_by())
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
  RETURNING {o}.id, {o}.status, {o}.assigned_user_id, {o}.assigned_department_id, {o}.region_path, old.newly,
            old.level_before
), ins AS (
  INSERT INTO {t} (order_id, at, actor_id, action, from_status, to_status, note, public, data)
  SELECT id, %(now)s, NULL, 'overdue', status, status,
         CASE WHEN level_before = 0 THEN %(auto)s ELSE %(plain)s END, false, '{{}}'::jsonb
  FROM upd WHERE newly
  RETURNING 1
)
SELECT assigned_user_id, assigned_department_id, region_path, count(*) FILTER (WHERE newly),
       (SELECT count(*) FROM upd), (SELECT count(*) FROM ins)
FROM upd GROUP BY 1, 2, 3"""


def _mark_postgres(now) -> tuple[list[dict], dict[str, int]]:
    """PostgreSQL: the same marking, timeline rows and holders in ONE statement (one scan of the open
    orders): data-modifying CTEs, the rows locked and their before-values read in `old`."""
    sql = _MARK_PG.format(o=WorkOrder._meta.db_table, t=TimelineEntry._meta.db_table)
    params = {"now": now, "open": [str(s) for s in OPEN_STATUSES],
              "auto": str(_("overdue: supervised automatically")), "plain": str(_("overdue"))}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    holders = [{"assigned_user_id": u, "assigned_department_id": d, "region_path": p, "n": n}
               for u, d, p, n, _m, _i in rows if n]
    return holders, {"overdue": rows[0][5] if rows else 0, "marked": rows[0][4] if rows else 0}


@transaction.atomic
def sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        holders, counts = _mark_postgres(now)
    else:
        holders, counts = _mark_portable(WorkOrder.objects.filter(status__in=OPEN_STATUSES, parked=False), now)
    counts["cleared"] = WorkOrder.objects.filter(overdue=True).filter(
        Q(due_at__gt=now) | Q(due_at__isnull=True) | ~Q(status__in=OPEN_STATUSES)).update(overdue=False, overdue_at=None)
    raised = _escalate(now)
    _notify_holders(holders, now)
    counts["escalated"] = sum(raised.values())
    _notify_levels(raised, now)
    return counts


# Who hears of an automatic 督办 at each level above 1 (ROLES.md: the street officer supervises
# and closes; the district administrator holds all orders of the district). Higher levels: the district.
LEVEL_RECIPIENTS = {2: ("street_officer", "street"), 3: ("district_admin", "district")}


def _notify_levels(raised: dict[tuple[int, str], int], now) -> None:  # {(level, order region_path): n}
    """One inbox row per person of the level an order was raised to, whose region holds it."""
    from django.urls import reverse
    from django.utils.translation import ngettext_lazy

    from governance.models import Assignment
    from governance.notify.services import lazy_format, notify

    if not raised:
        return
    url = reverse("workorders:staff")
    for level in sorted({level for level, _path in raised}):
        role, region_level = LEVEL_RECIPIENTS.get(level, LEVEL_RECIPIENTS[max(LEVEL_RECIPIENTS)])
        paths = {path: n for (lvl, path), n in raised.items() if lvl == level}
        per_user: dict[int, tuple] = {}
        for a in Assignment.objects.active().filter(role=role, region__level=region_level).select_related("user", "region"):
            n = sum(k for path, k in paths.items() if path.startswith(a.region.path))
            if n:
                user, before = per_user.get(a.user_id, (a.user, 0))
                per_user[a.user_id] = (user, before + n)
        for user, n in per_user.values():
            notify(user=user, kind="workorder", url=url, dedup_key=f"wo:sweep:l{level}:{now.isoformat()}",
                   title=lazy_format(ngettext_lazy("%(n)s overdue order raised to supervision (督办) level %(level)s",
                                                   "%(n)s overdue orders raised to supervision (督办) level %(level)s",
                                                   "n"), n=n, level=level))


def _community_path(region_path: str) -> str | None:
    parts = [p for p in region_path.strip("/").split("/") if p]  # district / street / community / grid …
    return "/" + "/".join(parts[:3]) + "/" if len(parts) >= 3 else None


def _notify_holders(holders: list[dict], now) -> None:
    """督办 level 1: one inbox row per person holding newly overdue orders (the assigned person,
    or the department's staff) and per staff member of the next level up — the community of the
    place, for every order no department holds."""
    from django.urls import reverse
    from django.utils.translation import ngettext_lazy

    from governance.models import Assignment, User
    from governance.notify.services import lazy_format, notify
    from governance.roles import Role

    if not holders:
        return
    depts = {row["assigned_department_id"] for row in holders if row["assigned_department_id"]}
    communities = {_community_path(row["region_path"]) for row in holders if not row["assigned_department_id"]}
    dept_staff: dict[int, set[int]] = defaultdict(set)
    community_staff: dict[str, set[int]] = defaultdict(set)
    if depts:
        for uid, dept in Assignment.objects.active().filter(role=Role.DEPARTMENT_STAFF, department_id__in=depts) \
                .values_list("user_id", "department_id"):
            dept_staff[dept].add(uid)
    communities.discard(None)
    if communities:
        for uid, path in Assignment.objects.active().filter(role=Role.COMMUNITY_STAFF, region__path__in=communities) \
                .values_list("user_id", "region__path"):
            community_staff[path].add(uid)
    per_user: dict[int, int] = defaultdict(int)
    for row in holders:
        told = {row["assigned_user_id"]} if row["assigned_user_id"] else set()
        if row["assigned_department_id"]:
            told |= dept_staff[row["assigned_department_id"]]
        else:
            told |= community_staff[_community_path(row["region_path"]) or ""]
        for uid in told:
            per_user[uid] += row["n"]
    key = f"wo:sweep:{now.isoformat()}"
    url = reverse("workorders:staff")
    users = User.objects.in_bulk(list(per_user))
    for uid, n in per_user.items():  # one per person, not per order: a handful of rows
        notify(user=users[uid], kind="workorder", url=url, dedup_key=key,
               title=lazy_format(ngettext_lazy("%(n)s order is overdue", "%(n)s orders are overdue", "n"), n=n))
