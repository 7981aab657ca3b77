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
    from households.care.services.sweep import care_profiles_refresh

    homes = make_homes(seed, args.homes, warmup_days=args.warmup, eval_days=args.days,
                       fall_leaves_on=args.fall_leaves_on, tv_before_outings=args.tv_before_outings)
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
    signals = {d: [] for d in DETECTORS}
    timing = {d: 0.0 for d in [*DETECTORS, "profile"]}
    for h in range(warm, warm + args.days * 24):
        now = T0 + timedelta(hours=h + 1, minutes=5)
        _ingest(world, _rows(homes, meters, [h], registers), now)
        if (h + 1) % 24 == 3 and "default" in args.detectors:  # the daily beat task, at 03:05 local time
            started = time.perf_counter()
            care_profiles_refresh(now=now)
            timing["profile"] += time.perf_counter() - started
        for detector in args.detectors:
            started = time.perf_counter()
            result = care_sweep(now=now, detector=detector, escalate=False)
            timing[detector] += time.perf_counter() - started
            for alert in result.raised:
                home = by_key[alert.unit_id]
                label, _what = _label(now, home)
                found[detector].append((alert.kind, label, now, home, _what))
                signals[detector].append((label, alert.evidence.get("signal", alert.kind)))
                # staff go round: the outcome closes the alert (a device alert once the meter is fixed)
                if alert.kind in CARE_KINDS:
                    outcome = "needed_help" if label == "incident" else ("away" if "trip" in label else "false_alarm")
                else:
                    outcome = "device_fixed"
                alert_resolve(alert=alert, actor=admin, outcome=outcome, note="bench", now=now)
    if args.verbose:
        for d in args.detectors:
            tally = {}
            for label, signal in signals[d]:
                tally[(label, signal)] = tally.get((label, signal), 0) + 1
            print(f"  seed {seed} {d}: alerts by (label, signal): {dict(sorted(tally.items()))}")
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
        "delays": sorted(round(d, 1) for d in delays),
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


def _time_sql(cur, sql, params):
    started = time.perf_counter()
    cur.execute(sql, params)
    if cur.description:
        cur.fetchall()
    return time.perf_counter() - started


AGGREGATE_SQL = """SELECT m.unit_id, u.hour, SUM(u.usage) FROM care_hourlyusage u
                   JOIN care_meter m ON m.id = u.meter_id WHERE u.hour >= %(lo)s AND u.hour < %(now_h)s
                   GROUP BY m.unit_id, u.hour"""
# the same in double precision, as the detector sums (faster than numeric): the stricter baseline
AGGREGATE_FLOAT_SQL = AGGREGATE_SQL.replace("SUM(u.usage)", "SUM(CAST(u.usage AS DOUBLE PRECISION))")


def perf_sweep(args, world, *, now=None, label=""):
    """The sweep (device + default detector statements, profiles fresh) and the daily profile refresh
    (every home) vs one hand-written GROUP BY unit, hour over the same rows (the detector's
    `lookback_days`), all in one run; the aggregate is timed before and after."""
    from django.db import connection

    from households.care.detection import _params, candidates, profile_refresh, profile_refresh_sql
    from households.care.services import ensure_defaults
    from households.care.services.sweep import hour_of

    cfg = ensure_defaults(world.district)
    now = now or T0 + timedelta(days=args.perf_days, minutes=5)
    now_h = hour_of(now)
    params = _params(cfg, now_h, now.date())
    with connection.cursor() as cur:
        rows = _time_sql(cur, "SELECT COUNT(*) FROM care_hourlyusage WHERE hour >= %(lo)s AND hour < %(now_h)s",
                         params)
        cur.execute("SELECT COUNT(*) FROM care_hourlyusage WHERE hour >= %(lo)s AND hour < %(now_h)s", params)
        n_rows = cur.fetchone()[0]
        agg_1 = _time_sql(cur, AGGREGATE_SQL, params)
        agg_f1 = _time_sql(cur, AGGREGATE_FLOAT_SQL, params)
        # the daily refresh of every watched home (max age 0: all of them), statement by statement
        refresh_params = {**params, "stale_h": now_h}
        refresh_parts = [_time_sql(cur, sql, refresh_params) for sql in profile_refresh_sql()]
        refresh_s = sum(refresh_parts)
        cur.execute("SELECT COUNT(*) FROM care_homeprofile")
        n_profiles = cur.fetchone()[0]
    started = time.perf_counter()
    found = candidates(cfg, now_h=now_h, today=now.date(), detector="default")
    sweep_s = time.perf_counter() - started
    # the sweep again, as the beat runs it 15 min later (it first checks that no profile is stale)
    started = time.perf_counter()
    profile_refresh(cfg, now_h=now_h, today=now.date())
    candidates(cfg, now_h=now_h, today=now.date(), detector="default")
    sweep_2 = time.perf_counter() - started
    with connection.cursor() as cur:
        agg_2 = _time_sql(cur, AGGREGATE_SQL, params)
        agg_f2 = _time_sql(cur, AGGREGATE_FLOAT_SQL, params)
    agg = min(agg_1, agg_2, agg_f1, agg_f2)
    del rows
    print(f"\nsweep perf on PostgreSQL{label}: {n_profiles} watched homes, {n_rows:,} hourly rows in the "
          f"{cfg.lookback_days} days learned from")
    print(f"  one GROUP BY unit, hour over those rows: SUM(usage) {agg_1:.2f} s, again after {agg_2:.2f} s; "
          f"SUM in double precision {agg_f1:.2f} s, again after {agg_f2:.2f} s; ratios against the best: {agg:.2f} s")
    print(f"  sweep (device + default statements, {len(found)} candidates): {sweep_s:.2f} s, with the staleness "
          f"check: {sweep_2:.2f} s   ratio = {max(sweep_s, sweep_2) / agg:.2f}× (target ≤ 2×)")
    print(f"  daily profile refresh of every home: {refresh_s:.2f} s "
          f"({' + '.join(f'{x:.2f}' for x in refresh_parts)})   ratio = {refresh_s / agg:.2f}× (aim ≤ 2×)")


def perf_sweep_generated(args, world):
    """--perf-sweep-homes N: N watched homes with two meters each, their hourly usage generated in SQL
    (generate_series, a day/night routine with random use, never through ingest), then perf_sweep."""
    from django.db import connection

    from households.care.models import Meter, MeterKind, ValueMode
    from households.models import Building, Household, Person, PersonTag, TagType, Unit

    n = args.perf_sweep_homes
    started = time.perf_counter()
    tag, _ = TagType.objects.get_or_create(code="elderly_alone", defaults={"name": "独居老人", "watch": True})
    grids = world.grids
    buildings = Building.objects.bulk_create(
        [Building(grid=grids[i % len(grids)], name=f"P{i}", address="基准测试小区", region_path=grids[i % len(grids)].path)
         for i in range(n)], batch_size=5000)
    units = Unit.objects.bulk_create([Unit(building=b, number="101", region_path=b.region_path) for b in buildings],
                                     batch_size=5000)
    households = Household.objects.bulk_create(
        [Household(unit=u, number=f"P{i}", region_path=u.region_path) for i, u in enumerate(units)], batch_size=5000)
    persons = Person.objects.bulk_create(
        [Person(household=h, name=f"老人{i}", region_path=h.region_path) for i, h in enumerate(households)],
        batch_size=5000)
    PersonTag.objects.bulk_create([PersonTag(person=p, tag=tag) for p in persons], batch_size=5000)
    Meter.objects.bulk_create(
        [Meter(unit=u, kind=kind, utility=world.departments[utility], external_id=f"P{kind[0]}{u.pk}",
               region_path=u.region_path, mode=ValueMode.INTERVAL)
         for u in units for kind, utility in ((MeterKind.WATER, "water_co"), (MeterKind.ELECTRICITY, "power_co"))],
        batch_size=5000)
    now = T0 + timedelta(days=args.perf_days, minutes=5)
    h1 = int(now.timestamp()) // 3600
    h0 = h1 - args.perf_days * 24
    with connection.cursor() as cur:
        # Per home a wake-up hour 5–8 and a bedtime 20–23 (local); while awake water is used in 45 % of
        # hours and lights/appliances in 55 % (meals at 7, 12, 18), at night only a flush now and then;
        # the fridge runs always (cycling). About 1 % of homes went quiet 2–10 hours ago.
        cur.execute("""
            INSERT INTO care_hourlyusage (meter_id, hour, usage)
            SELECT m.id, g.h,
                   ROUND(CAST(CASE
                     WHEN quiet.unit_id IS NOT NULL AND g.h >= %(h1)s - quiet.hours
                         THEN CASE WHEN m.kind = 'water' THEN 0 ELSE 0.035 + 0.012 * ((g.h + m.unit_id) %% 3 - 1) END
                     WHEN (g.h + 8) %% 24 BETWEEN 5 + m.unit_id %% 4 AND 20 + (m.unit_id / 4) %% 4 THEN
                         CASE WHEN m.kind = 'water'
                              THEN CASE WHEN random() < 0.45 THEN 0.006 + 0.034 * random() ELSE 0 END
                                   + CASE WHEN (g.h + 8) %% 24 IN (7, 12, 18) THEN 0.01 ELSE 0 END
                              ELSE 0.035 + 0.012 * ((g.h + m.unit_id) %% 3 - 1)
                                   + CASE WHEN random() < 0.55 THEN 0.07 + 0.18 * random() ELSE 0 END
                                   + CASE WHEN (g.h + 8) %% 24 IN (7, 12, 18) THEN 0.3 + 0.7 * random() ELSE 0 END
                         END
                     ELSE CASE WHEN m.kind = 'water' THEN CASE WHEN random() < 0.04 THEN 0.006 ELSE 0 END
                               ELSE 0.035 + 0.012 * ((g.h + m.unit_id) %% 3 - 1) END
                   END AS numeric), 4)
            FROM care_meter m
            CROSS JOIN generate_series(%(h0)s, %(h1)s - 1) AS g(h)
            LEFT JOIN (SELECT id AS unit_id, 2 + id %% 9 AS hours FROM households_unit WHERE id %% 100 = 7) quiet
                   ON quiet.unit_id = m.unit_id
            WHERE m.external_id LIKE 'P%%'
        """, {"h0": h0, "h1": h1})
        generated = cur.rowcount
        cur.execute("ANALYZE")
    print(f"\ngenerated {n} homes and {generated:,} hourly rows in SQL in {time.perf_counter() - started:.0f} s")
    perf_sweep(args, world, now=now, label=" (usage generated in SQL)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.care")
    parser.add_argument("--seeds", default="2,3", help="comma-separated generator seeds (1 was used for tuning)")
    parser.add_argument("--homes", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=28, help="days of history before the evaluation")
    parser.add_argument("--days", type=int, default=30, help="days evaluated, sweeping every hour")
    parser.add_argument("--detectors", default=",".join(DETECTORS))
    parser.add_argument("--fall-leaves-on", type=float, default=None,
                        help="share of falls that leave an appliance on (generator assumption; default "
                             "bench.care.generator.FALL_LEAVES_ON)")
    parser.add_argument("--tv-before-outings", action="store_true",
                        help="the generator before 2026-11-25: a television stretch before outings too, not only before bed")
    parser.add_argument("--set", action="append", default=[], help="override a CareSettings field: name=value")
    parser.add_argument("--perf", action="store_true", help="also the ingest/COPY and sweep/aggregate ratios")
    parser.add_argument("--perf-homes", type=int, default=2000)
    parser.add_argument("--perf-days", type=int, default=30)
    parser.add_argument("--perf-sweep-homes", type=int, default=0,
                        help="PostgreSQL: sweep and profile refresh over N homes whose hourly usage is generated in SQL")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    args.detectors = args.detectors.split(",")
    if args.fall_leaves_on is None:
        from bench.care.generator import FALL_LEAVES_ON

        args.fall_leaves_on = FALL_LEAVES_ON
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
          f"evaluated {args.days} d, swept hourly; falls leaving an appliance on: {args.fall_leaves_on:.2f}; "
          f"television before outings too (generator before 2026-11-25): {'yes' if args.tv_before_outings else 'no'}; "
          f"settings overrides: {args.set or 'none'}")
    if not args.skip_quality:
        all_homes, all_found = [], {d: [] for d in DETECTORS}
        timing = {d: 0.0 for d in [*DETECTORS, "profile"]}
        for seed in [int(s) for s in args.seeds.split(",") if s]:
            homes, found, t = simulate(seed, args, world, admin)
            all_homes += homes
            for d in DETECTORS:
                all_found[d] += found[d]
            for d in timing:
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
                print(f"    delays (h): {s['delays']}")
        print(f"(default: the daily profile refresh took {timing['profile']:.1f} s in all)")
        print("targets (default): recall ≥ 0.95, ≤ 0.3 false alarms per home-month, median delay ≤ 6 h")
    if args.perf:
        perf(args, world)
    if args.perf_sweep_homes:
        if connection.vendor == "postgresql":
            perf_sweep_generated(args, world)
        else:
            print("perf: needs PostgreSQL (set DATABASE_URL)")
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0) \
        if connection.vendor == "postgresql" else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
