"""Care detector bench: synthetic homes → the REAL ingestion service → the REAL sweep at successive
"now"s (hourly) → recall, false alarms per home-month and median detection delay, for seed_rule,
practice_rule and the default detector side by side. Optionally (--perf, PostgreSQL) the ratios
of ingest vs a raw COPY and of the sweep vs one hand-written aggregate.

    .venv/bin/python -m bench.care                       # seeds 2,3 (held out), 40 homes each, SQLite in memory
    .venv/bin/python -m bench.care --seeds 1 --homes 40  # the tuning seed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_db .venv/bin/python -m bench.care --perf

Runs in a throw-away test database (test_<name>, or SQLite in memory), never the demo's."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("AXES_ENABLED", "false")
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


T0 = datetime(2026, 8, 31, 16, 0, tzinfo=UTC)  # 2026-09-01 00:00 in Shanghai
DETECTORS = ["seed_rule", "practice_rule", "default"]


def _place_homes(world, homes):
    """Buildings, units, households, persons tagged 独居老人 and their two meters (bulk)."""
    from households.care.models import Meter, MeterKind, ValueMode
    from households.models import Building, Household, Person, PersonTag, TagType, Unit

    tag, _ = TagType.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人", "watch": True})
    meters = {}
    for i, home in enumerate(homes):
        grid = world.grids[i % len(world.grids)]
        b = Building.objects.create(grid=grid, name=f"B{home.key}", address="基准测试小区", region_path=grid.path)
        u = Unit.objects.create(building=b, number="101", region_path=grid.path)
        hh = Household.objects.create(unit=u, number=home.key, region_path=grid.path)
        person = Person.objects.create(household=hh, name=f"老人{i}", region_path=grid.path)
        PersonTag.objects.create(person=person, tag=tag)
        home.person = person
        for kind, utility, cumulative in ((MeterKind.WATER, "water_co", home.water_cumulative),
                                          (MeterKind.ELECTRICITY, "power_co", home.power_cumulative)):
            m = Meter.objects.create(unit=u, kind=kind, utility=world.departments[utility],
                                     external_id=f"{kind[0].upper()}-{home.key}", region_path=grid.path,
                                     mode=ValueMode.CUMULATIVE if cumulative else ValueMode.INTERVAL)
            meters[(home.key, kind)] = m
    return meters


def _rows(homes, meters, hours, registers):
    """Readings of `hours` (hour indexes) for every meter, stamped at the end of each hour."""
    by_utility = {}
    for home in homes:
        for kind, series, cumulative in (("water", home.water, home.water_cumulative),
                                         ("electricity", home.power, home.power_cumulative)):
            meter = meters[(home.key, kind)]
            for h in hours:
                use = series[h]
                if use is None:
                    continue
                if cumulative:
                    registers[meter.pk] = registers.get(meter.pk, 1000.0) + use
                    value = round(registers[meter.pk], 4)
                else:
                    value = round(use, 4)
                by_utility.setdefault(meter.utility_id, []).append(
                    {"meter": meter.external_id, "ts": (T0 + timedelta(hours=h + 1)).isoformat(), "value": value})
    return by_utility


def _ingest(world, by_utility, now):
    from governance.models import Department
    from households.care.services import readings_ingest

    for utility_id, rows in by_utility.items():
        utility = Department.objects.get(pk=utility_id)
        for i in range(0, len(rows), 5000):
            result = readings_ingest(utility=utility, rows=rows[i:i + 5000], now=now)
            assert not result.errors, result.errors[:3]


def _label(alert_time, home):
    for inc in home.incidents:
        t = T0 + timedelta(hours=inc.start)
        if t <= alert_time <= t + timedelta(hours=inc.hours):
            return "incident", inc
    for trip in home.trips:
        if T0 + timedelta(hours=trip.start) <= alert_time <= T0 + timedelta(hours=trip.end + 6):
            return ("flagged_trip" if trip.flagged else "unflagged_trip"), trip
    return "false", None


def simulate(seed, args, world, admin):
    from bench.care.generator import make_homes
    from households.care.models import CARE_KINDS, AwayFlag
    from households.care.services import alert_resolve, care_sweep

    homes = make_homes(seed, args.homes, warmup_days=args.warmup, eval_days=args.days)
    meters = _place_homes(world, homes)
    for home in homes:
        for trip in home.trips:
            if trip.flagged:
                AwayFlag.objects.create(person=home.person, starts_at=T0 + timedelta(hours=trip.start - 2),
                                        ends_at=T0 + timedelta(hours=trip.end + 2), note="探亲",
                                        region_path=home.person.region_path)
    registers = {}
    warm = args.warmup * 24
    _ingest(world, _rows(homes, meters, range(warm), registers), T0 + timedelta(hours=warm))
    by_key = {h.person.household.unit_id: h for h in homes}
    found = {d: [] for d in DETECTORS}
    timing = {d: 0.0 for d in DETECTORS}
    for h in range(warm, warm + args.days * 24):
        now = T0 + timedelta(hours=h + 1, minutes=5)
        _ingest(world, _rows(homes, meters, [h], registers), now)
        for detector in args.detectors:
            started = time.perf_counter()
            result = care_sweep(now=now, detector=detector, escalate=False)
            timing[detector] += time.perf_counter() - started
            for alert in result.raised:
                home = by_key[alert.unit_id]
                label, _what = _label(now, home)
                found[detector].append((alert.kind, label, now, home, _what))
                # staff go round: the outcome closes the alert (a device alert once the meter is fixed)
                if alert.kind in CARE_KINDS:
                    outcome = "needed_help" if label == "incident" else ("away" if "trip" in label else "false_alarm")
                else:
                    outcome = "device_fixed"
                alert_resolve(alert=alert, actor=admin, outcome=outcome, note="bench", now=now)
    return homes, found, timing


def score(homes, found, detector, days):
    incidents = [(home, inc) for home in homes for inc in home.incidents]
    delays, per_arch_fa = [], {}
    for home, inc in incidents:
        hits = [t for kind, label, t, h, what in found[detector]
                if h is home and label == "incident" and what is inc and kind != "device"]
        if hits:
            delays.append((min(hits) - (T0 + timedelta(hours=inc.start))).total_seconds() / 3600)
    care = [(kind, label, h) for kind, label, _t, h, _w in found[detector] if kind != "device"]
    false = [h for _k, label, h in care if label in ("false", "flagged_trip")]
    for h in false:
        per_arch_fa[h.archetype] = per_arch_fa.get(h.archetype, 0) + 1
    home_months = len(homes) * days / 30
    devices = sum(1 for kind, *_ in found[detector] if kind == "device")
    return {
        "incidents": len(incidents), "detected": len(delays),
        "recall": len(delays) / len(incidents) if incidents else float("nan"),
        "fa_per_home_month": len(false) / home_months,
        "median_delay_h": statistics.median(delays) if delays else float("nan"),
        "unflagged_trip_alerts": sum(1 for _k, label, _h in care if label == "unflagged_trip"),
        "device_per_home_month": devices / home_months,
        "fa_by_archetype": per_arch_fa,
    }


def perf(args, world):
    """--perf (PostgreSQL): the ingest ratio, then the sweep ratio over the rows ingested."""
    from django.db import connection

    if connection.vendor != "postgresql":
        print("perf: needs PostgreSQL (set DATABASE_URL)")
        return
    perf_ingest(args, world)
    perf_sweep(args, world)


def perf_ingest(args, world):
    """Ingest of 5,000-reading batches (each its own committed transaction, as the API does) vs a
    raw COPY of the same rows, two baselines printed side by side:
    * regular: COPY into a logged copy of the readings table (same indexes), committed: the
      baseline of the target (WAL and commit paid like the service pays them);
    * TEMP: COPY into a TEMP copy (no WAL, never committed): the earlier, harder baseline."""
    from django.db import connection, transaction

    from bench.care.generator import make_homes
    from households.care.models import Reading

    homes = make_homes(99, args.perf_homes, warmup_days=args.perf_days, eval_days=0)
    meters = _place_homes(world, homes)
    rows = _rows(homes, meters, range(args.perf_days * 24), {})
    total = sum(len(r) for r in rows.values())
    started = time.perf_counter()
    _ingest(world, rows, T0 + timedelta(days=args.perf_days, hours=1))
    ingest_s = time.perf_counter() - started
    ids = {m.external_id: m.pk for m in meters.values()}
    table = Reading._meta.db_table

    def copy_into(cur, target):
        with cur.cursor.copy(f"COPY {target} (meter_id, ts, value, hour, received_at) FROM STDIN") as cp:
            for utility_rows in rows.values():
                for r in utility_rows:
                    cp.write_row((ids[r["meter"]], r["ts"], r["value"], 0, "2026-09-01T00:00:00+00"))

    # regular (logged) table with the same indexes, created and committed first, then one COPY, committed
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS bench_copy_target; CREATE TABLE bench_copy_target (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        copy_into(cur, "bench_copy_target")
    regular_s = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE bench_copy_target")
    # TEMP table (no WAL), not committed
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE copy_target (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        copy_into(cur, "copy_target")
        temp_s = time.perf_counter() - started
        cur.execute("DROP TABLE copy_target")
    print(f"\nperf on PostgreSQL: {len(homes)} homes × {args.perf_days} days × 2 meters = {total} readings")
    print(f"  ingest (service, batches of 5,000, each committed): {total / ingest_s:,.0f} readings/s ({ingest_s:.1f} s)")
    print(f"  {'baseline':<58}{'readings/s':>12}{'s':>7}{'ratio ingest/COPY':>19}")
    print(f"  {'COPY into a logged copy of the table, same indexes, committed':<58}"
          f"{total / regular_s:>12,.0f}{regular_s:>7.1f}{regular_s / ingest_s:>19.2f}   (target ≥ 0.20)")
    print(f"  {'COPY into a TEMP copy (no WAL, not committed)':<58}"
          f"{total / temp_s:>12,.0f}{temp_s:>7.1f}{temp_s / ingest_s:>19.2f}")


def perf_sweep(args, world):
    """The default detector's sweep statement vs one hand-written aggregate over the same rows."""
    from django.db import connection

    from households.care.detection import _params, default_sql
    from households.care.services import ensure_defaults
    from households.care.services.sweep import hour_of

    cfg = ensure_defaults(world.district)
    now = T0 + timedelta(days=args.perf_days, minutes=5)
    params = _params(cfg, hour_of(now), now.date())
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(default_sql(), params)
        cur.fetchall()
        sweep_s = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute("""SELECT m.unit_id, u.hour, SUM(u.usage) FROM care_hourlyusage u
                       JOIN care_meter m ON m.id = u.meter_id WHERE u.hour >= %s AND u.hour < %s
                       GROUP BY m.unit_id, u.hour""", [params["lo"], params["now_h"]])
        cur.fetchall()
        agg_s = time.perf_counter() - started
    print(f"  sweep (default detector SQL): {sweep_s:.2f} s   one GROUP BY over the same rows: {agg_s:.2f} s   "
          f"ratio = {sweep_s / agg_s:.1f}× (target ≤ 2×)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.care")
    parser.add_argument("--seeds", default="2,3", help="comma-separated generator seeds (1 was used for tuning)")
    parser.add_argument("--homes", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=28, help="days of history before the evaluation")
    parser.add_argument("--days", type=int, default=30, help="days evaluated, sweeping every hour")
    parser.add_argument("--detectors", default=",".join(DETECTORS))
    parser.add_argument("--set", action="append", default=[], help="override a CareSettings field: name=value")
    parser.add_argument("--perf", action="store_true", help="also the ingest/COPY and sweep/aggregate ratios")
    parser.add_argument("--perf-homes", type=int, default=2000)
    parser.add_argument("--perf-days", type=int, default=30)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    args.detectors = args.detectors.split(",")
    connection = _django()
    from governance.seed import seed as seed_world
    from households.care.services import ensure_defaults

    world = seed_world()
    cfg = ensure_defaults(world.district)
    for item in args.set:
        name, value = item.split("=", 1)
        setattr(cfg, name, type(getattr(cfg, name))(value) if not hasattr(getattr(cfg, name), "quantize")
                else __import__("decimal").Decimal(value))
    cfg.save()
    admin = world.users["admin"]
    print(f"database: {connection.vendor}; homes per seed: {args.homes}; warm-up {args.warmup} d; "
          f"evaluated {args.days} d, swept hourly; settings overrides: {args.set or 'none'}")
    if not args.skip_quality:
        all_homes, all_found = [], {d: [] for d in DETECTORS}
        timing = {d: 0.0 for d in DETECTORS}
        for seed in [int(s) for s in args.seeds.split(",") if s]:
            homes, found, t = simulate(seed, args, world, admin)
            all_homes += homes
            for d in DETECTORS:
                all_found[d] += found[d]
                timing[d] += t[d]
        print(f"\n{'detector':<15}{'incidents':>10}{'recall':>8}{'FA/home-month':>15}{'median delay h':>16}"
              f"{'unflagged-trip alerts':>23}{'device/home-month':>19}{'sweep s':>9}")
        for d in args.detectors:
            s = score(all_homes, all_found, d, args.days)
            print(f"{d:<15}{s['detected']:>4}/{s['incidents']:<5}{s['recall']:>8.2f}{s['fa_per_home_month']:>15.2f}"
                  f"{s['median_delay_h']:>16.1f}{s['unflagged_trip_alerts']:>23}{s['device_per_home_month']:>19.2f}"
                  f"{timing[d]:>9.1f}")
            if args.verbose:
                print(f"    false alarms by archetype: {s['fa_by_archetype']}")
        print("targets (default): recall ≥ 0.95, ≤ 0.3 false alarms per home-month, median delay ≤ 6 h")
    if args.perf:
        perf(args, world)
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0) \
        if connection.vendor == "postgresql" else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
