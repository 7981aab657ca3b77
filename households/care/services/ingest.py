"""Meter readings in: validated in one tight pass, stored idempotently on (meter, ts), rolled up hourly.

PostgreSQL (three round trips per batch, whatever its size): a transaction-scoped advisory lock
serialises the batches of one utility; the validated rows are COPYed (binary) into a per-session
TEMP staging table (no WAL, no index); then ONE statement with data-modifying CTEs dedupes them
(first occurrence wins), holds the batch's meters against deletion (FOR KEY SHARE: readings and
hourly usage have no database FK, see models.Reading.meter), reads each touched meter's stored
readings over its own hour range, recomputes cumulative deltas with a window function over
stored + new readings (so out-of-order readings fix their neighbours), inserts the new readings
with their deltas, rewrites the stored deltas that changed, rolls up again only the hours holding
a new reading or a changed delta (inserting the new hours, updating the changed ones), moves the
meters' last reading forward and closes the device alerts of homes whose meters all report again.
Plain INSERTs (no ON CONFLICT): the statement sees every stored row of the utility's meters
and the lock keeps it so until commit.

SQLite (the embedded default): the same rules in a few portable statements.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from governance.errors import ValidationFailed
from households.care.models import HourlyUsage, Meter, Reading, ValueMode
from households.care.services import alerts as alert_services

MAX_BATCH = 5000
# Consecutive cumulative readings further apart than this say nothing about *when* the water
# or power was used: their difference is not put into any hour (the hours stay "no data").
MAX_CUMULATIVE_GAP_HOURS = 3
FUTURE_SLACK = timedelta(minutes=10)
FOUR_PLACES = Decimal("0.0001")
VALUE_LIMIT = 10**10 - 1  # numeric(14, 4): 10 digits before the point, even once rounded
# pg_advisory_xact_lock(key1, key2): key1 says "care ingest", key2 is the utility.
LOCK_NAMESPACE = 0x6361_7265  # "care"


def hold_meter_for_delete(sender, instance: Meter, **kwargs) -> None:
    """pre_delete of a Meter (inside the deletion's transaction, before Django cascades to its
    readings and hours): lock the meter row. A batch holding it (FOR KEY SHARE) commits first and
    its rows are deleted with the others; a batch after it waits, then finds no meter and stores
    nothing. Without this, a batch committed between the cascade's DELETE of the readings and that
    of the meter row would leave rows behind (there is no database FK to refuse them: see
    models.Reading.meter). SQLite serialises writers anyway (and ignores FOR UPDATE)."""
    list(Meter.objects.select_for_update().filter(pk=instance.pk).values_list("pk", flat=True))


def epoch_hour(ts: datetime) -> int:
    """The hour a reading's usage belongs to: the interval *ending* at ts, so 10:00:00 counts in 09:00."""
    return math.ceil(ts.timestamp() / 3600) - 1


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    devices_back: list[int] = field(default_factory=list)  # device alerts closed by this batch

    def as_dict(self) -> dict:
        return {"received": self.received, "stored": self.stored, "duplicates": self.duplicates,
                "errors": self.errors}


def _parse_ts(raw):
    if isinstance(raw, datetime):
        ts = raw
    elif isinstance(raw, str):
        try:
            ts = datetime.fromisoformat(raw)  # C-fast path for the usual ISO 8601
        except ValueError:
            try:
                ts = parse_datetime(raw.strip())
            except ValueError:
                ts = None
    else:
        ts = None
    if ts is None:
        raise ValueError(_("Not a timestamp (ISO 8601 expected, e.g. 2026-11-25T10:00:00+08:00)."))
    if ts.utcoffset() is None:
        raise ValueError(_("The timestamp needs a UTC offset (e.g. +08:00)."))
    return ts


def _parse_value(raw):
    """A finite number below 1e10 (negative ones are refused by the caller, with the meter's words).
    Floats and ints pass as they are (PostgreSQL rounds them to 4 places, half away from zero);
    anything else becomes a Decimal."""
    kind = type(raw)
    if (kind is float or kind is int) and -VALUE_LIMIT < raw < VALUE_LIMIT:  # NaN fails the test
        return raw
    if kind is bool or raw is None:
        raise ValueError(_("Not a number."))
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        raise ValueError(_("Not a number."))
    return value


def _validate(rows: list, meters: dict, now: datetime, result: IngestResult) -> list[tuple]:
    """One pass over the batch: (index, meter, ts, value) of every good row, errors by index.
    The usual row (a dict, a known meter, an ISO string with an offset, a JSON number) costs a
    few dictionary lookups and one C-level datetime parse."""
    limit = now + FUTURE_SLACK
    errors = result.errors
    good: list[tuple] = []
    append = good.append
    fromiso = datetime.fromisoformat
    for index, row in enumerate(rows):
        if type(row) is not dict:
            if not isinstance(row, dict):
                errors.append({"index": index, "field": "", "message": _("Each reading is an object.")})
                continue
        ext = row.get("meter")
        meter = meters.get(ext if type(ext) is str else (None if ext is None else str(ext)))
        if meter is None:
            # Another utility's meter is answered like a missing one: ids leak nothing.
            errors.append({"index": index, "field": "meter", "message": _("Unknown meter.")})
            continue
        raw: Any = row.get("ts")
        try:
            ts = fromiso(raw)
            if ts.tzinfo is None:  # fromisoformat's tzinfo is a fixed offset, never one without an offset
                raise ValueError
        except (TypeError, ValueError):
            try:
                ts = _parse_ts(raw)
            except ValueError as exc:
                errors.append({"index": index, "field": "ts", "message": str(exc)})
                continue
        if ts > limit:
            errors.append({"index": index, "field": "ts", "message": _("The timestamp is in the future.")})
            continue
        value: Any = row.get("value")
        kind = type(value)
        if not ((kind is float or kind is int) and 0 <= value < VALUE_LIMIT):
            try:
                value = _parse_value(value)
            except ValueError as exc:
                errors.append({"index": index, "field": "value", "message": str(exc)})
                continue
            if value < 0:
                message = (_("An interval's usage cannot be negative.") if meter.mode == ValueMode.INTERVAL
                           else _("A meter register cannot be negative."))
                errors.append({"index": index, "field": "value", "message": message})
                continue
        append((index, meter, ts, value))
    return good


def readings_ingest(*, utility, rows: list, actor=None, now: datetime | None = None) -> IngestResult:
    """Store a batch of readings for `utility`'s meters. Bad rows are reported by index; good rows
    are stored. Sending the same batch again stores nothing new."""
    now = now or timezone.now()
    if not isinstance(rows, list):
        raise ValidationFailed(_("Send a list of readings."), fields={"readings": [_("Send a list of readings.")]})
    if len(rows) > MAX_BATCH:
        raise ValidationFailed(
            _("At most %(n)d readings per batch.") % {"n": MAX_BATCH},
            fields={"readings": [_("At most %(n)d readings per batch.") % {"n": MAX_BATCH}]},
        )
    result = IngestResult(received=len(rows))
    external_ids = {str(r.get("meter")) for r in rows if isinstance(r, dict) and r.get("meter") is not None}
    meters = {m.external_id: m for m in Meter.objects.filter(utility=utility, active=True,
                                                             external_id__in=external_ids)}
    good = _validate(rows, meters, now, result)
    if good:
        if connection.vendor == "postgresql":
            stored, closed = _store_postgresql(utility.pk, good, now)
        else:
            stored, closed = _store_portable(good, now)
        result.stored = stored
        result.duplicates = len(good) - stored
        result.devices_back = closed
        if closed:
            alert_services.devices_back_recorded(closed)
    return result


# --- PostgreSQL: COPY into staging, one statement ---------------------------------------------

STAGING = "care_reading_in"


@functools.cache
def _cumulative_delta_cases(a: str) -> str:
    """The WHEN … ELSE of a cumulative register's delta over the window `w` (ordered by ts per
    meter): none for the first reading or after a gap, a rollover past 0.9 × the register's
    maximum, else the difference; the one text both database paths use."""
    gap = MAX_CUMULATIVE_GAP_HOURS
    return (f"WHEN LAG({a}.value) OVER w IS NULL THEN NULL "
            f"WHEN {a}.hour - LAG({a}.hour) OVER w > {gap} THEN NULL "
            f"WHEN {a}.value >= LAG({a}.value) OVER w THEN {a}.value - LAG({a}.value) OVER w "
            f"WHEN m.rollover IS NOT NULL AND LAG({a}.value) OVER w > m.rollover * 0.9 "
            f"THEN {a}.value + m.rollover - LAG({a}.value) OVER w "
            f"ELSE {a}.value")


def _ingest_sql() -> str:
    reading, meter, hourly = Reading._meta.db_table, Meter._meta.db_table, HourlyUsage._meta.db_table
    gap = MAX_CUMULATIVE_GAP_HOURS
    return f"""
    WITH
    s AS (  -- the batch, first occurrence of each (meter, ts) kept
        SELECT DISTINCT ON (meter_id, ts) meter_id, ts, ROUND(value::numeric, 4)::numeric(14, 4) AS value,
               CEIL(DATE_PART('epoch', ts) / 3600)::bigint - 1 AS hour
        FROM {STAGING} ORDER BY meter_id, ts, idx
    ),
    rng AS (SELECT meter_id, MIN(hour) AS lo, MAX(hour) AS hi FROM s GROUP BY meter_id),
    mtr AS (  -- the batch's meters, held against deletion until commit (no database FK: see Reading.meter)
        SELECT id, mode, rollover FROM {meter} WHERE id IN (SELECT meter_id FROM rng) FOR KEY SHARE
    ),
    old AS (  -- what is stored over each meter's touched hours, widened by the gap either side
        SELECT r.id, r.meter_id, r.ts, r.value, r.delta, r.hour
        FROM rng CROSS JOIN LATERAL (
            SELECT id, meter_id, ts, value, delta, hour FROM {reading}
            WHERE meter_id = rng.meter_id
              AND ts > to_timestamp((rng.lo - {gap}) * 3600) AND ts <= to_timestamp((rng.hi + {gap} + 1) * 3600)
        ) r
    ),
    new AS (
        SELECT s.* FROM s WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.meter_id = s.meter_id AND o.ts = s.ts)
    ),
    calc AS (
        SELECT a.id, a.meter_id, a.ts, a.value, a.delta AS old_delta, a.hour, rng.lo, rng.hi,
            CASE
                WHEN m.mode = '{ValueMode.INTERVAL.value}' THEN a.value
                {_cumulative_delta_cases('a')}
            END AS new_delta
        FROM (SELECT id, meter_id, ts, value, delta, hour FROM old
              UNION ALL SELECT NULL, meter_id, ts, value, NULL, hour FROM new) a
        JOIN rng ON rng.meter_id = a.meter_id
        JOIN mtr m ON m.id = a.meter_id
        WINDOW w AS (PARTITION BY a.meter_id ORDER BY a.ts)
    ),
    ins AS (  -- a plain INSERT: `new` holds no stored (meter, ts) and the lock keeps it so
        INSERT INTO {reading} (meter_id, ts, value, delta, hour, received_at)
        SELECT meter_id, ts, value, new_delta, hour, %(now)s FROM calc WHERE id IS NULL
        RETURNING 1
    ),
    changed AS (
        SELECT id, new_delta FROM calc
        WHERE id IS NOT NULL AND hour >= lo AND old_delta IS DISTINCT FROM new_delta
    ),
    upd AS (  -- stored readings whose delta a new neighbour changed; `= ANY(ARRAY(…))` makes them
        -- primary-key lookups: with a join on id the planner, misled by the CTEs' estimates,
        -- hashed the whole readings table for a single late reading (~200 ms at 700,000 rows)
        UPDATE {reading} r SET delta = c.new_delta FROM changed c
        WHERE r.id = ANY(ARRAY(SELECT id FROM changed)) AND r.id = c.id
        RETURNING 1
    ),
    hours AS (  -- only the hours holding a new reading or a changed delta are rolled up again
        SELECT meter_id, hour, SUM(new_delta) AS usage FROM calc WHERE hour >= lo
        GROUP BY meter_id, hour
        HAVING BOOL_OR(id IS NULL OR old_delta IS DISTINCT FROM new_delta) AND COUNT(new_delta) > 0
    ),
    have AS (
        SELECT h.id, h.meter_id, h.hour, h.usage
        FROM rng CROSS JOIN LATERAL (
            SELECT id, meter_id, hour, usage FROM {hourly}
            WHERE meter_id = rng.meter_id AND hour >= rng.lo AND hour <= rng.hi + {gap}
        ) h
    ),
    roll_new AS (
        INSERT INTO {hourly} (meter_id, hour, usage)
        SELECT x.meter_id, x.hour, x.usage FROM hours x
        WHERE NOT EXISTS (SELECT 1 FROM have h WHERE h.meter_id = x.meter_id AND h.hour = x.hour)
        ORDER BY x.meter_id, x.hour
        RETURNING 1
    ),
    roll_upd AS (
        UPDATE {hourly} u SET usage = x.usage
        FROM hours x JOIN have h ON h.meter_id = x.meter_id AND h.hour = x.hour
        WHERE u.id = h.id AND h.usage <> x.usage
        RETURNING 1
    ),
    fresh AS (SELECT meter_id, MAX(ts) AS ts FROM new GROUP BY meter_id),
    last_reading AS (
        UPDATE {meter} m SET last_reading_at = GREATEST(m.last_reading_at, f.ts)
        FROM fresh f WHERE m.id = f.meter_id
        RETURNING m.id
    ),
    {alert_services.device_back_ctes()}
    SELECT (SELECT COUNT(*) FROM ins), ARRAY(SELECT id FROM devices_back ORDER BY id)
    """


def _store_postgresql(utility_id: int, good: list[tuple], now: datetime) -> tuple[int, list[int]]:
    with transaction.atomic(), connection.cursor() as cursor:
        # jit off for this transaction: the CTEs' row estimates are far above the batch's 5,000
        # rows and grow with the readings table, so past ~600,000 stored readings the plan's cost
        # crossed jit_above_cost and every batch spent ~90 ms compiling (more than the whole
        # statement takes without it) for a statement that runs once.
        cursor.execute(
            f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {int(utility_id)}); SET LOCAL jit = off; "
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (idx integer, meter_id bigint, ts timestamptz, "
            "value float8) ON COMMIT DELETE ROWS")
        # Binary COPY; values travel as float8 (exact to 15 significant digits: every value
        # below 1e10 with 4 decimals) and are rounded to 4 places in SQL.
        with cursor.cursor.copy(f"COPY {STAGING} (idx, meter_id, ts, value) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int8", "timestamptz", "float8"])
            write = copy.write_row
            for index, meter, ts, value in good:
                write((index, meter.id, ts, float(value)))
        cursor.execute(_ingest_sql(), {"now": now, **alert_services.device_back_params(now)})
        stored, closed = cursor.fetchone()
        return stored, closed


# --- SQLite (and any other database): portable statements ------------------------------------

def _store_portable(good: list[tuple], now: datetime) -> tuple[int, list[int]]:
    parsed: dict[tuple[int, datetime], tuple] = {}
    for _index, meter, ts, value in good:
        key = (meter.pk, ts)
        if key in parsed:
            continue
        if not isinstance(value, Decimal):
            value = Decimal(repr(value)) if type(value) is float else Decimal(value)
        value = value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
        parsed[key] = (meter, ts, value, value if meter.mode == ValueMode.INTERVAL else None, epoch_hour(ts))
    return _store(_with_batch_deltas(list(parsed.values())), now)


def _with_batch_deltas(readings: list[tuple]) -> list[tuple]:
    """A first guess of each cumulative reading's delta from its predecessor *within the batch*
    (same rule as `_recompute_deltas`), so the recompute after the insert only rewrites the rows
    whose predecessor was already stored (and their neighbours), not every row just written.
    The recompute stays the authority: it fixes any row whose guess differs."""
    gap = MAX_CUMULATIVE_GAP_HOURS
    out = []
    previous = None
    for reading in sorted(readings, key=lambda r: (r[0].pk, r[1])):
        meter, ts, value, delta, hour = reading
        if meter.mode == ValueMode.CUMULATIVE:
            if previous is None or previous[0].pk != meter.pk or hour - previous[4] > gap:
                delta = None
            elif value >= previous[2]:
                delta = value - previous[2]
            elif meter.rollover is not None and previous[2] > meter.rollover * Decimal("0.9"):
                delta = value + meter.rollover - previous[2]
            else:
                delta = value
            reading = (meter, ts, value, delta, hour)
        out.append(reading)
        previous = reading
    return out


def _insert_portable(readings: list[tuple], now: datetime) -> int:
    meter_ids = sorted({r[0].pk for r in readings})
    before = Reading.objects.filter(meter_id__in=meter_ids, received_at=now).count()
    Reading.objects.bulk_create([Reading(meter=m, ts=ts, value=v, delta=d, hour=h, received_at=now)
                                 for m, ts, v, d, h in readings], ignore_conflicts=True, batch_size=1000)
    return Reading.objects.filter(meter_id__in=meter_ids, received_at=now).count() - before


@transaction.atomic
def _store(readings: list[tuple], now: datetime) -> tuple[int, list[int]]:
    stored = _insert_portable(readings, now)
    closed: list[int] = []
    if stored:
        # Per meter, the hours the batch touched: only those (and the next few, whose cumulative
        # deltas depend on them) are recomputed and rolled up, not the batch's whole time span.
        ranges: dict[int, list] = {}
        latest: dict[int, datetime] = {}
        cumulative: set[int] = set()
        for meter, ts, _value, _delta, hour in readings:
            pk = meter.pk
            rng = ranges.get(pk)
            if rng is None:
                ranges[pk] = [hour, hour]
                latest[pk] = ts
                if meter.mode == ValueMode.CUMULATIVE:
                    cumulative.add(pk)
            else:
                if hour < rng[0]:
                    rng[0] = hour
                elif hour > rng[1]:
                    rng[1] = hour
                if ts > latest[pk]:
                    latest[pk] = ts
        if cumulative:
            _recompute_deltas({pk: ranges[pk] for pk in cumulative})
        _rollup(ranges)
        _update_last_reading(latest)
        closed = alert_services.devices_back(latest=latest, now=now)
    return stored, closed


def _ranges_cte(ranges: dict[int, list]) -> str:
    """`rng(meter_id, lo, hi)`: each meter's first and last touched hour (integers, inlined)."""
    values = ",".join(f"({int(pk)},{int(lo)},{int(hi)})" for pk, (lo, hi) in sorted(ranges.items()))
    return f"rng(meter_id, lo, hi) AS (VALUES {values})"


def _in_list(ids) -> str:
    return ",".join(str(int(i)) for i in ids)


def _narrowing(ranges: dict[int, list], alias: str, before: int, after: int) -> str:
    """The meters as a literal list and the overall hour span: lets the planner walk the
    (meter, ts) index instead of hashing the whole readings table against `rng`."""
    lo = min(r[0] for r in ranges.values()) - before
    hi = max(r[1] for r in ranges.values()) + after
    return (f"{alias}.meter_id IN ({_in_list(sorted(ranges))}) "
            f"AND {alias}.hour >= {int(lo)} AND {alias}.hour <= {int(hi)}")


def _recompute_deltas(ranges: dict[int, list]) -> None:
    """Cumulative register → usage per reading, in time order per meter. A drop is a rollover
    (when the meter has one and the previous value was near it) or a reset to zero."""
    reading, meter = Reading._meta.db_table, Meter._meta.db_table
    gap = MAX_CUMULATIVE_GAP_HOURS
    sql = f"""
        WITH {_ranges_cte(ranges)}
        UPDATE {reading} SET delta = d.new_delta
        FROM (
            SELECT r.id, r.hour, rng.lo,
                CASE
                    {_cumulative_delta_cases('r')}
                END AS new_delta
            FROM rng JOIN {reading} r ON r.meter_id = rng.meter_id
                 AND r.hour >= rng.lo - {gap} AND r.hour <= rng.hi + {gap}
                 JOIN {meter} m ON m.id = r.meter_id
            WHERE {_narrowing(ranges, "r", gap, gap)}
            WINDOW w AS (PARTITION BY r.meter_id ORDER BY r.ts)
        ) d
        WHERE {reading}.id = d.id AND d.hour >= d.lo
          AND ({reading}.delta IS NULL OR d.new_delta IS NULL OR {reading}.delta <> d.new_delta)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _rollup(ranges: dict[int, list]) -> None:
    reading, hourly = Reading._meta.db_table, HourlyUsage._meta.db_table
    gap = MAX_CUMULATIVE_GAP_HOURS
    sql = f"""
        WITH {_ranges_cte(ranges)}
        INSERT INTO {hourly} (meter_id, hour, usage)
        SELECT r.meter_id, r.hour, SUM(r.delta)
        FROM rng JOIN {reading} r ON r.meter_id = rng.meter_id
             AND r.hour >= rng.lo AND r.hour <= rng.hi + {gap}
        WHERE {_narrowing(ranges, "r", 0, gap)} AND r.delta IS NOT NULL
        GROUP BY r.meter_id, r.hour
        ON CONFLICT (meter_id, hour) DO UPDATE SET usage = excluded.usage
        WHERE {hourly}.usage <> excluded.usage
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _update_last_reading(latest: dict[int, datetime]) -> None:
    """A meter's last reading: the newest it has (a late, older reading never moves it back)."""
    newest = Reading.objects.filter(meter_id=OuterRef("pk")).values("meter_id").annotate(m=Max("ts"))
    Meter.objects.filter(pk__in=list(latest)).update(last_reading_at=Subquery(newest.values("m")))


def readings_purge(*, now: datetime | None = None) -> dict:
    """Retention: raw readings and hourly usage older than each district's settings."""
    from households.care.services.config import all_settings

    now = now or timezone.now()
    purged = {"readings": 0, "hourly": 0}
    for cfg in all_settings():
        prefix = cfg.district.path
        cutoff = now - timedelta(days=cfg.reading_retention_days)
        purged["readings"] += Reading.objects.filter(meter__region_path__startswith=prefix, ts__lt=cutoff).delete()[0]
        rollup_cutoff = epoch_hour(now - timedelta(days=cfg.rollup_retention_days))
        purged["hourly"] += HourlyUsage.objects.filter(meter__region_path__startswith=prefix,
                                                       hour__lt=rollup_cutoff).delete()[0]
    return purged
