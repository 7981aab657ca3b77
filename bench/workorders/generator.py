"""The bench's data: a district of 12 streets × 6 communities × 5 grids (plus the demo's
personas and regions), buildings and units for `households` dwellings, `orders` work
orders over a year (≈11 % open, the rest closed / not accepted / merged) and follow-up
answers for 60 % of the closed ones. Written with COPY (psycopg `cursor.copy`), explicit
ids, one transaction per table.

The database is kept between runs: a row in `bench_workorders_meta` records what was
generated; the same sizes again skip the generation. Only a database that is empty of
orders or was made by this generator is touched."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, transaction

GEN_VERSION = "3"
T0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # the bench's "now": 2026-11-20 10:00 in Shanghai
EXTRA_STREETS = 10
COMMUNITIES_PER_STREET = 6
GRIDS_PER_COMMUNITY = 5
UNITS_PER_BUILDING = 48
OPEN_SHARE = 0.11
OPEN_STATUSES = (("reported", 0.08), ("accepted", 0.08), ("dispatched", 0.36), ("in_progress", 0.36),
                 ("handled", 0.12))
STAGE = {"reported": "accept", "accepted": "dispatch", "dispatched": "handle", "in_progress": "handle",
         "handled": "verify"}


def _meta_get():
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_workorders_meta (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("SELECT key, value FROM bench_workorders_meta")
        return dict(cur.fetchall())


def _meta_set(values: dict):
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_workorders_meta")
        for k, v in values.items():
            cur.execute("INSERT INTO bench_workorders_meta (key, value) VALUES (%s, %s)", [k, str(v)])


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _defaults(model) -> dict[str, str]:
    """Text of each column's default, so columns added later still get a legal value."""
    from django.db.models import NOT_PROVIDED

    out = {}
    for f in model._meta.concrete_fields:
        if f.default is not NOT_PROVIDED:
            out[f.column] = _text(f.get_default())
        elif f.null:
            out[f.column] = "\\N"
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.column] = T0.isoformat()
        else:
            out[f.column] = ""
    return out


def _copy(model, rows_iter, *, batch: int = 20000) -> int:
    """COPY rows (dicts of column -> text) into the model's table."""
    cols = [f.column for f in model._meta.concrete_fields]
    base = _defaults(model)
    table = model._meta.db_table
    n = 0
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg's cursor
        with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            buf = []
            for row in rows_iter:
                full = base | row
                buf.append("\t".join(full[c] for c in cols))
                n += 1
                if len(buf) >= batch:
                    copy.write("\n".join(buf) + "\n")
                    buf = []
            if buf:
                copy.write("\n".join(buf) + "\n")
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return n


def _regions(world):
    from governance.models import Region

    grids = list(world.grids)
    for s in range(EXTRA_STREETS):
        code = f"110105{s + 10:03d}"
        street, _ = Region.objects.get_or_create(code=code, defaults={"level": "street", "name": f"基准{s + 1}街道",
                                                                       "parent": world.district})
        for c in range(COMMUNITIES_PER_STREET):
            comm, _ = Region.objects.get_or_create(code=f"{code}{c + 1:03d}", defaults={
                "level": "community", "name": f"基准{s + 1}街道第{c + 1}社区", "parent": street})
            for g in range(GRIDS_PER_COMMUNITY):
                grid, _ = Region.objects.get_or_create(code=f"{comm.code}{g + 1:03d}", defaults={
                    "level": "grid", "name": f"{comm.name}第{g + 1}网格", "parent": comm})
                grids.append(grid)
    return grids


def _buildings_and_units(grids, households, rnd):
    from households.models import Building, Unit

    n_buildings = -(-households // UNITS_PER_BUILDING)
    buildings = []
    start = (Building.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for i in range(n_buildings):
        g = grids[i % len(grids)]
        lon = 116.30 + (g.pk % 40) * 0.01 + rnd.random() * 0.008
        lat = 39.90 + (g.pk // 40) * 0.01 + rnd.random() * 0.008
        buildings.append((start + i, g, round(lon, 6), round(lat, 6)))
    _copy(Building, ({"id": str(bid), "grid_id": str(g.pk), "name": f"{bid % 40 + 1}号楼",
                      "address": f"{g.name}基准小区", "lon": str(lon), "lat": str(lat), "floors": "6",
                      "region_path": g.path} for bid, g, lon, lat in buildings))
    unit_start = (Unit.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    def units():
        uid = unit_start
        for bid, g, _lon, _lat in buildings:
            for k in range(UNITS_PER_BUILDING):
                yield {"id": str(uid), "building_id": str(bid), "entrance": str(k // 24 + 1), "floor": str(k % 6 + 1),
                       "number": f"{k % 6 + 1}0{k % 4 + 1}-{k}", "area_m2": "78.50", "region_path": g.path}
                uid += 1

    _copy(Unit, units())
    return [(bid, unit_start + j * UNITS_PER_BUILDING, g, lon, lat) for j, (bid, g, lon, lat) in enumerate(buildings)]


def _orders(n, buildings, world, rnd):
    from workorders.models import Category, WorkOrder

    subs = list(Category.objects.filter(parent__isnull=False).values_list("pk", "department_code"))
    depts = {code: d.pk for code, d in world.departments.items()}
    streets_of = {}  # grid path -> street id
    start = (WorkOrder.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    year = dt.timedelta(days=365)
    open_cum = []
    acc = 0.0
    for status, p in OPEN_STATUSES:
        acc += p
        open_cum.append((acc, status))

    def street_id(path):
        if path not in streets_of:
            streets_of[path] = int(path.strip("/").split("/")[1])
        return streets_of[path]

    def rows():
        for i in range(n):
            oid = start + i
            bid, first_unit, g, lon, lat = buildings[rnd.randrange(len(buildings))]
            cat, dept_code = subs[rnd.randrange(len(subs))]
            r = rnd.random()
            if r < OPEN_SHARE:
                x = rnd.random()
                status = next(s for c, s in open_cum if x <= c)
                reported = T0 - dt.timedelta(days=rnd.random() * 30)
            elif r < OPEN_SHARE + 0.04:
                status, reported = "not_accepted", T0 - year * rnd.random()
            elif r < OPEN_SHARE + 0.07 and oid > start:
                status, reported = "merged", T0 - year * rnd.random()
            else:
                status, reported = "closed", T0 - dt.timedelta(days=30) - (year - dt.timedelta(days=30)) * rnd.random()
            dept = depts.get(dept_code)
            row = {
                "id": str(oid), "number": f"B{oid:011d}", "channel": ("portal", "phone", "patrol", "12345")[oid % 4],
                "contact_name": "居民", "category_id": str(cat), "description": "基准测试：楼下垃圾堆放，请尽快处理",
                "lon": f"{lon + rnd.random() * 0.0005:.6f}", "lat": f"{lat + rnd.random() * 0.0005:.6f}",
                "address": g.name, "region_id": str(g.pk), "region_path": g.path, "is_public": "t",
                "status": status, "reported_at": reported.isoformat(), "updated_at": reported.isoformat(),
                "routing_mode": "specialist" if dept else "territorial",
            }
            if rnd.random() < 0.7:
                row["building_id"] = str(bid)
                row["unit_id"] = str(first_unit + rnd.randrange(UNITS_PER_BUILDING))
            if status in ("not_accepted", "merged", "reported"):
                row["stage"] = STAGE.get(status, "")
                if status == "merged":
                    row["merged_into_id"] = str(start)
                if status == "not_accepted":
                    row["not_accepted_reason"] = "duplicate"
            else:
                row["accepted_at"] = (reported + dt.timedelta(minutes=30)).isoformat()
                if dept:
                    row["assigned_department_id"] = str(dept)
                else:
                    row["assigned_region_id"] = str(street_id(g.path))
            if status in ("dispatched", "in_progress", "handled", "closed"):
                dispatched = reported + dt.timedelta(minutes=60)
                row["dispatched_at"] = dispatched.isoformat()
                row["handling_due_at"] = (dispatched + dt.timedelta(days=3)).isoformat()
            if status in ("in_progress", "handled", "closed"):
                row["started_at"] = (reported + dt.timedelta(hours=2)).isoformat()
            if status in ("handled", "closed"):
                handled = reported + dt.timedelta(hours=2 + rnd.random() * 60)
                row["handled_at"] = handled.isoformat()
                row["rework_count"] = "1" if rnd.random() < 0.05 else "0"
            if status == "closed":
                closed = reported + dt.timedelta(hours=4 + rnd.random() * 80)
                row["closed_at"] = closed.isoformat()
                row["stage"] = ""
                row["ever_overdue"] = "t" if rnd.random() < 0.08 else "f"
                row["appealed"] = "t" if rnd.random() < 0.01 else "f"
            if status in STAGE:
                # due dates spread over T0 - 3 days … T0 + 5 days; amber at 80 % of a 3-day stage
                due = T0 + dt.timedelta(days=rnd.random() * 8 - 3)
                row["stage"] = STAGE[status]
                row["stage_started_at"] = (due - dt.timedelta(days=3)).isoformat()
                row["due_at"] = due.isoformat()
                row["warn_at"] = (due - dt.timedelta(days=0.6)).isoformat()
                row["parked"] = "t" if rnd.random() < 0.02 else "f"
            yield row

    return _copy(WorkOrder, rows())


def _followups(world, rnd):
    """A follow-up for 60 % of the closed orders: INSERT … SELECT in the database."""
    from workorders.models import FollowUp, WorkOrder

    caller = world.users["zhao_community"].pk
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {FollowUp._meta.db_table} (order_id, caller_id, channel, at, contacted_in_time, solved, "
            f"satisfaction, comment) "
            f"SELECT id, %s, 'phone', closed_at + interval '1 day', (id %% 10) <> 0, (id %% 7) <> 0, "
            f"CASE WHEN id %% 9 = 0 THEN 'unsatisfied' WHEN id %% 4 = 0 THEN 'basic' ELSE 'satisfied' END, '' "
            f"FROM {WorkOrder._meta.db_table} WHERE status = 'closed' AND id %% 5 < 3", [caller])
        return cur.rowcount


def ensure(*, orders: int, households: int, seed: int = 20261120, regenerate: bool = False, log=print) -> dict:
    """Generate (or reuse) the data set; returns what is in the database."""
    from governance.seed import seed as seed_world
    from workorders.models import WorkOrder
    from workorders.reference import load_defaults

    if connection.vendor != "postgresql":
        raise SystemExit("bench/workorders runs on PostgreSQL (set DATABASE_URL)")
    want = {"version": GEN_VERSION, "orders": str(orders), "households": str(households), "seed": str(seed)}
    meta = _meta_get()
    world = seed_world()
    load_defaults()
    if meta == want and not regenerate:
        log(f"reusing the generated data ({orders} orders, {households} dwellings)")
        return want
    if not meta and WorkOrder.objects.exists():
        raise SystemExit("this database has work orders the bench did not make: use a database of its own")
    rnd = random.Random(seed)
    t = time.perf_counter()
    _meta_set({"version": GEN_VERSION, "state": "generating"})  # a failed run may be redone here
    with connection.cursor() as cur:
        cur.execute("TRUNCATE workorders_followup, workorders_timelineentry, workorders_workorder, "
                    "households_unit, households_building RESTART IDENTITY CASCADE")
    with transaction.atomic():
        grids = _regions(world)
        buildings = _buildings_and_units(grids, households, rnd)
    log(f"  {len(grids)} grids, {len(buildings)} buildings, {households} dwellings ({time.perf_counter() - t:.0f} s)")
    with transaction.atomic():
        n = _orders(orders, buildings, world, rnd)
    log(f"  {n} orders ({time.perf_counter() - t:.0f} s)")
    with transaction.atomic():
        f = _followups(world, rnd)
    log(f"  {f} follow-ups ({time.perf_counter() - t:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE workorders_workorder")
        cur.execute("VACUUM ANALYZE workorders_followup")
        cur.execute("ANALYZE households_unit")
        cur.execute("ANALYZE households_building")
    _meta_set(want)
    log(f"  generated in {time.perf_counter() - t:.0f} s")
    return want
