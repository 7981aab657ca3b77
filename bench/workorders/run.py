"""Work-order bench (issue 7, Performance): Linli's own code paths against hand-written SQL
on the same data, side by side in one run, on PostgreSQL.

  (a) scoped order lists (page of 50, filtered by status) for a department and a community:
      the real API view (OrderViewSet.list: auth'd user loaded, filter, count, page,
      serializer, JSON) vs hand-written SQL (page + count), and the selector
      (selectors.orders → 50 model objects) vs the hand-written page query; the rows are
      checked equal, and the queries per page counted on page 1 and a deep page;
  (b) the real SLA sweep (workorders.services.sla.sweep: amber, overdue, 督办, timeline rows,
      notifications) over the open orders vs one hand-written UPDATE doing the same marking,
      for a busy beat (what became due in the last 5 minutes) and for a backlog (every open
      order swept for the first time); each trial runs in a transaction rolled back after;
  (c) figures without a baseline: the district's monthly KPI report and a community's
      hot spots over the whole data set (time, queries);
  (d) status change → the reporter's open order page over a real daphne server and the Redis
      channel layer (live.py): median / p95 latency (needs REDIS_URL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_db REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python -m bench workorders
    DATABASE_URL=… .venv/bin/python -m bench.workorders --orders 1000000 --households 200000 --repeat 15

The generated data stay in that database (see generator.py) and are reused by the next run."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time

TARGETS = {"list": 3.0, "sweep": 2.0}


def _django():
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kpi_db")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("AXES_ENABLED", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def side_by_side(a, b, *, repeat: int, warm: int = 2):
    """Median seconds of a() and b(), interleaved (ABBA…) so drift hits both alike."""
    for _ in range(warm):
        a()
        b()
    ta, tb = [], []
    for i in range(repeat):
        pair = ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta))
        for fn, acc in pair:
            t = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def queries_of(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


# --- (a) lists ----------------------------------------------------------------------------------

PAGE_SQL = """
SELECT o.id, o.number, o.channel, o.status, o.urgency, o.address, o.reported_at, o.due_at, o.handling_due_at,
       o.due_estimated, o.warned, o.overdue, o.parked, o.appealed, o.supervise_level, o.plus_ones, o.routing_mode,
       o.updated_at, o.followup_due_at, o.followed_up_at, c.id, c.kind, c.code, c.name, r.id, r.name, d.id, d.name, ar.id, ar.name, u.id, u.display_name
FROM workorders_workorder o
JOIN workorders_category c ON c.id = o.category_id
JOIN governance_region r ON r.id = o.region_id
LEFT JOIN governance_department d ON d.id = o.assigned_department_id
LEFT JOIN governance_region ar ON ar.id = o.assigned_region_id
LEFT JOIN governance_user u ON u.id = o.assigned_user_id
WHERE o.id IN (SELECT o.id FROM workorders_workorder o WHERE {where} AND o.status = %s
               ORDER BY o.reported_at DESC, o.id DESC LIMIT 50 OFFSET %s)
ORDER BY o.reported_at DESC, o.id DESC"""
# The page as a deferred join (ids by scope, filter and ordering; then those rows with their
# names), as selectors.ListRows asks it: in one piece PostgreSQL may walk wo_order_reported_at
# backwards through every newer order (a community's closed page 5: 0.3–0.6 s, both sides alike).
COUNT_SQL = "SELECT count(*) FROM workorders_workorder o WHERE {where} AND o.status = %s"


def _scope_sql(user):
    """The hand-written equivalent of the user's scope (one assignment: a department or a region)."""
    a = user.active_assignments[0]
    if a.department_id:
        return "o.assigned_department_id = %s", [a.department_id]
    return "o.region_path LIKE %s", [a.region.path + "%"]


def bench_list(persona, status, page, repeat):
    from django.db import connection
    from rest_framework.test import APIRequestFactory, force_authenticate

    from governance.models import User
    from workorders import selectors
    from workorders.api.views import OrderViewSet

    pk = User.objects.get(username=persona).pk
    where, params = _scope_sql(User.objects.get(pk=pk))
    view = OrderViewSet.as_view({"get": "list"}, throttle_classes=[])
    factory = APIRequestFactory()
    with connection.cursor() as cur:
        cur.execute(COUNT_SQL.format(where=where), [*params, status])
        page = max(1, min(page, -(-cur.fetchone()[0] // 50)))  # a deep page that exists at this size
    offset = (page - 1) * 50

    def api():
        request = factory.get("/api/v1/orders/", {"status": status, "page": page})
        force_authenticate(request, user=User.objects.get(pk=pk))
        response = view(request)
        response.render()
        assert response.status_code == 200, response.content[:300]
        return json.loads(response.content)

    def sql_api():
        with connection.cursor() as cur:
            cur.execute(COUNT_SQL.format(where=where), [*params, status])
            count = cur.fetchone()[0]
            cur.execute(PAGE_SQL.format(where=where), [*params, status, offset])
            rows = cur.fetchall()
        return json.dumps({"count": count, "results": rows}, default=str)

    def selector():
        # What the list reads: the scoped, filtered page as rows (selectors.list_rows).
        user = User.objects.get(pk=pk)
        qs = selectors.orders(user).filter(status=status).order_by("-reported_at", "-id")
        return selectors.list_rows(qs)[offset:offset + 50]

    def selector_objects():
        # The same page as 50 model objects with their related rows (the staff pages' way).
        user = User.objects.get(pk=pk)
        return list(selectors.orders(user).filter(status=status).order_by("-reported_at", "-id")[offset:offset + 50])

    def sql_page():
        with connection.cursor() as cur:
            cur.execute(PAGE_SQL.format(where=where), [*params, status, offset])
            return cur.fetchall()

    got = [o["id"] for o in api()["results"]]
    want = [r[0] for r in sql_page()]
    assert got == want == [r["id"] for r in selector()] == [o.pk for o in selector_objects()], \
        f"{persona}: the API, the selector and the SQL disagree"
    count = json.loads(sql_api())["count"]
    t_api, t_sql_api = side_by_side(api, sql_api, repeat=repeat)
    t_sel, t_sql = side_by_side(selector, sql_page, repeat=repeat)
    t_obj, t_sql_obj = side_by_side(selector_objects, sql_page, repeat=repeat)
    q1 = queries_of(lambda: _api_page(view, factory, pk, status, 1))
    deep = page if page > 1 else (2 if count > 50 else 1)
    qn = queries_of(lambda: _api_page(view, factory, pk, status, deep))
    label = f"{persona} status={status} page {page} ({count} rows)"
    return [
        (f"(a) API list · {label}", t_api, t_sql_api, "list", f"{q1}/{qn}"),
        (f"(a) selector rows · {label}", t_sel, t_sql, "list", ""),
        (f"    (info) selector as model objects · {label}", t_obj, t_sql_obj, "", ""),
    ], len(got)


def _api_page(view, factory, pk, status, page):
    from rest_framework.test import force_authenticate

    from governance.models import User

    request = factory.get("/api/v1/orders/", {"status": status, "page": page})
    force_authenticate(request, user=User.objects.get(pk=pk))
    view(request).render()


# --- (b) sweep ----------------------------------------------------------------------------------

MARK_SQL = """
UPDATE workorders_workorder SET
  warned = warned OR (warn_at <= %(now)s),
  overdue = overdue OR (due_at <= %(now)s),
  overdue_at = CASE WHEN NOT overdue AND due_at <= %(now)s THEN %(now)s ELSE overdue_at END,
  ever_overdue = ever_overdue OR (due_at <= %(now)s),
  supervise_level = CASE WHEN NOT overdue AND due_at <= %(now)s AND supervise_level = 0 THEN 1
                         ELSE supervise_level END
WHERE status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'handled') AND NOT parked
  AND ((NOT warned AND warn_at <= %(now)s) OR (NOT overdue AND due_at <= %(now)s))"""


def _mark(now):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(MARK_SQL, {"now": now})
        return cur.rowcount


def _vacuum():
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("workorders_workorder", "workorders_timelineentry", "governance_notification"):
            cur.execute(f"VACUUM {table}")


def bench_sweep(repeat):
    from django.db import transaction

    from bench.workorders.generator import T0
    from workorders.choices import OPEN_STATUSES
    from workorders.models import WorkOrder
    from workorders.services import sla

    n_open = WorkOrder.objects.filter(status__in=OPEN_STATUSES).count()
    out = []
    info = {}
    for scenario, before in (("busy beat: due in the last 5 min", T0 - dt.timedelta(minutes=5)),
                             ("backlog: first sweep of all", None)):
        def trial(fn, before=before):
            def run():
                with transaction.atomic():
                    if before is not None:
                        # the state the previous beat left: the real sweep 5 minutes earlier (its
                        # automatic 督办 included — a bare marking UPDATE would leave every
                        # escalation since the data were made for the timed sweep to catch up)
                        sla.sweep(before)
                    t = time.perf_counter()
                    result = fn()
                    elapsed = time.perf_counter() - t
                    transaction.set_rollback(True)
                _vacuum()  # the rolled-back rows are dead tuples: clear them so trials stay alike
                run.elapsed.append(elapsed)
                run.result = result
            run.elapsed = []
            return run

        a = trial(lambda: sla.sweep(T0))
        b = trial(lambda: _mark(T0))
        for _ in range(1):
            a()
            b()
        a.elapsed.clear()
        b.elapsed.clear()
        for i in range(repeat):
            for fn in ((a, b) if i % 2 == 0 else (b, a)):
                fn()
        info[scenario] = (a.result, b.result)
        out.append((f"(b) SLA sweep · {scenario} · {n_open} open: {a.result}; UPDATE rows {b.result}",
                    statistics.median(a.elapsed), statistics.median(b.elapsed), "sweep", ""))
    return out


# --- (c) figures --------------------------------------------------------------------------------


def bench_figures(repeat):
    from governance.models import User
    from workorders.kpi import hotspots
    from workorders.kpi import selectors as kpi

    rows = []
    district = User.objects.get(username="liu_district")
    period = kpi.Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    for group in ("region", "unit"):
        kpi.report(district, group=group, period=period)
        times = []
        for _ in range(max(3, repeat // 3)):
            t = time.perf_counter()
            rep = kpi.report(district, group=group, period=period)
            times.append(time.perf_counter() - t)
        q = queries_of(lambda g=group: kpi.report(User.objects.get(username="liu_district"), group=g, period=period))
        t_ = rep.total.as_dict(rep.weights)
        rows.append((f"(c) KPI month, district by {group}: {t_['orders']} orders, median "
                     f"{t_['median_work_hours']} work h, score {t_['score']}", statistics.median(times), None, "",
                     str(q)))
    from bench.workorders.generator import T0

    community = User.objects.get(username="zhao_community")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        data = hotspots.hotspots(community, now=T0)
        times.append(time.perf_counter() - t)
    q = queries_of(lambda: hotspots.hotspots(User.objects.get(username="zhao_community"), now=T0))
    rows.append((f"(c) hot spots, community A, 8 weeks: {len(data['clusters'])} clusters, {len(data['rising'])} rising",
                 statistics.median(times), None, "", str(q)))
    return rows


# --- main ---------------------------------------------------------------------------------------


def _table(rows):
    print()
    print(f"{'measure':<100} {'Linli ms':>10} {'SQL ms':>9} {'ratio':>7} {'target':>7} {'queries':>8}")
    ok = True
    for name, mine, base, kind, queries in rows:
        ratio = mine / base if base else None
        target = TARGETS.get(kind)
        flag = ""
        if ratio is not None and target is not None and ratio > target:
            flag, ok = " !", False
        print(f"{name:<100} {mine * 1000:>10.2f} {base * 1000 if base else float('nan'):>9.2f} "
              f"{(f'{ratio:.2f}×' if ratio else '-'):>7} {(f'≤{target:g}×' if target else '-'):>7} {queries:>8}{flag}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench.workorders", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--regenerate", action="store_true", help="generate again even if the sizes match")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: lists,sweep,figures,live")
    parser.add_argument("--reporters", type=int, default=20, help="(d) websocket clients")
    parser.add_argument("--changes", type=int, default=200, help="(d) status changes measured")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    _django()
    from django.conf import settings

    from bench.workorders import generator

    print(f"database {settings.DATABASES['default']['NAME']}: {args.orders} orders, {args.households} dwellings")
    generator.ensure(orders=args.orders, households=args.households, regenerate=args.regenerate)
    skip = set(filter(None, args.skip.split(",")))
    rows = []
    if "lists" not in skip:
        for persona, status, page in (("sun_department", "dispatched", 1), ("sun_department", "dispatched", 20),
                                      ("sun_department", "closed", 1), ("zhao_community", "dispatched", 1),
                                      ("zhao_community", "closed", 5)):
            got, _n = bench_list(persona, status, page, args.repeat)
            rows += got
            print(f"  measured {got[0][0]}", flush=True)
    if "sweep" not in skip:
        rows += bench_sweep(max(3, args.repeat // 5))
        print("  measured the sweep", flush=True)
    if "figures" not in skip:
        rows += bench_figures(args.repeat)
    ok = _table(rows) if rows else True
    live_result = None
    if "live" not in skip:
        if "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
            from bench.workorders import live

            try:
                live_result = live.run(reporters=args.reporters, changes=args.changes)
            except (RuntimeError, OSError, ConnectionError) as exc:
                print(f"(d) live: failed — {exc}")
                ok = False
        else:
            print("(d) live: skipped — set REDIS_URL for the Redis channel layer")
    if live_result is not None:
        r = live_result
        good = r["p95"] <= 1.0 and not r["lost"]
        ok &= good
        print(f"(d) status change → reporter's open page, daphne + Redis, {r['reporters']} sockets, "
              f"{r['changes']} changes: median {r['median'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, "
              f"max {r['max'] * 1000:.0f} ms, lost {r['lost']} (target p95 ≤ 1000 ms){'' if good else ' !'}")
    print("\nqueries: per API page, page 1 / a deep page (constant = no query per row).")
    print("all ratios within target" if ok else "some ratios above target (marked !)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
