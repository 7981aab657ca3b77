"""Meter readings in: validated row by row, stored idempotently on (meter, ts), rolled up hourly.

The work per batch is a handful of set-based statements whatever its size:
insert (ON CONFLICT DO NOTHING; on PostgreSQL COPY into a staging table first) → cumulative deltas
recomputed with a window function over each touched meter's own hour range (so out-of-order
readings fix their neighbours) → hourly roll-up upserted over the same ranges (INSERT … SELECT …
ON CONFLICT DO UPDATE, rows whose usage did not change are left alone) → meters' last reading.
Same delta and roll-up SQL on SQLite (≥ 3.33) and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from governance.errors import ValidationFailed
from households.care.models import HourlyUsage, Meter, Reading, ValueMode

MAX_BATCH = 5000
# Consecutive cumulative readings further apart than this say nothing about *when* the water
# or power was used: their difference is not put into any hour (the hours stay "no data").
MAX_CUMULATIVE_GAP_HOURS = 3
FUTURE_SLACK = timedelta(minutes=10)
FOUR_PLACES = Decimal("0.0001")


def epoch_hour(ts: datetime) -> int:
    """The hour a reading's usage belongs to: the interval *ending* at ts, so 10:00:00 counts in 09:00."""
    return math.ceil(ts.timestamp() / 3600) - 1


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)

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
    if timezone.is_naive(ts):
        raise ValueError(_("The timestamp needs a UTC offset (e.g. +08:00)."))
    return ts


def _parse_value(raw):
    if type(raw) is float and -1e10 < raw < 1e10:  # fast path for JSON numbers; NaN/inf fail the test
        return Decimal(repr(raw)).quantize(FOUR_PLACES)
    if isinstance(raw, bool) or raw is None:
        raise ValueError(_("Not a number."))
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValueError(_("Not a number."))
    return value.quantize(FOUR_PLACES)


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
    parsed: dict[tuple[int, datetime], tuple] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            result.errors.append({"index": index, "field": "", "message": _("Each reading is an object.")})
            continue
        meter = meters.get(str(row.get("meter")))
        if meter is None:
            # Another utility's meter is answered like a missing one: ids leak nothing.
            result.errors.append({"index": index, "field": "meter", "message": _("Unknown meter.")})
            continue
        try:
            ts = _parse_ts(row.get("ts"))
        except ValueError as exc:
            result.errors.append({"index": index, "field": "ts", "message": str(exc)})
            continue
        if ts > now + FUTURE_SLACK:
            result.errors.append({"index": index, "field": "ts", "message": _("The timestamp is in the future.")})
            continue
        try:
            value = _parse_value(row.get("value"))
        except ValueError as exc:
            result.errors.append({"index": index, "field": "value", "message": str(exc)})
            continue
        if value < 0:
            message = (_("An interval's usage cannot be negative.") if meter.mode == ValueMode.INTERVAL
                       else _("A meter register cannot be negative."))
            result.errors.append({"index": index, "field": "value", "message": message})
            continue
        key = (meter.pk, ts)
        if key in parsed:
            result.duplicates += 1
            continue
        parsed[key] = (meter, ts, value, value if meter.mode == ValueMode.INTERVAL else None, epoch_hour(ts))
    if parsed:
        stored = _store(_with_batch_deltas(list(parsed.values())), now)
        result.stored = stored
        result.duplicates += len(parsed) - stored
    return result


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


def _insert_postgresql(readings: list[tuple], now: datetime) -> int:
    """COPY into a per-transaction staging table, then one INSERT … ON CONFLICT DO NOTHING."""
    table = Reading._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS care_reading_in (meter_id bigint, ts timestamptz, "
                       "value numeric, delta numeric, hour bigint) ON COMMIT DELETE ROWS")
        with cursor.cursor.copy("COPY care_reading_in (meter_id, ts, value, delta, hour) FROM STDIN") as copy:
            for meter, ts, value, delta, hour in readings:
                copy.write_row((meter.pk, ts, value, delta, hour))
        cursor.execute(f"INSERT INTO {table} (meter_id, ts, value, delta, hour, received_at) "
                       "SELECT meter_id, ts, value, delta, hour, %s FROM care_reading_in "
                       "ON CONFLICT (meter_id, ts) DO NOTHING", [now])
        return cursor.rowcount


def _insert_portable(readings: list[tuple], now: datetime) -> int:
    meter_ids = sorted({r[0].pk for r in readings})
    before = Reading.objects.filter(meter_id__in=meter_ids, received_at=now).count()
    Reading.objects.bulk_create([Reading(meter=m, ts=ts, value=v, delta=d, hour=h, received_at=now)
                                 for m, ts, v, d, h in readings], ignore_conflicts=True, batch_size=1000)
    return Reading.objects.filter(meter_id__in=meter_ids, received_at=now).count() - before


@transaction.atomic
def _store(readings: list[tuple], now: datetime) -> int:
    if connection.vendor == "postgresql":
        stored = _insert_postgresql(readings, now)
    else:
        stored = _insert_portable(readings, now)
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
    return stored


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
                    WHEN LAG(r.value) OVER w IS NULL THEN NULL
                    WHEN r.hour - LAG(r.hour) OVER w > {gap} THEN NULL
                    WHEN r.value >= LAG(r.value) OVER w THEN r.value - LAG(r.value) OVER w
                    WHEN m.rollover IS NOT NULL AND LAG(r.value) OVER w > m.rollover * 0.9
                        THEN r.value + m.rollover - LAG(r.value) OVER w
                    ELSE r.value
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
    """Readings are only ever added (retention drops old ones), so on PostgreSQL a meter's last
    reading is the later of what it was and the newest in this batch (no scan of its readings)."""
    meter = Meter._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"UPDATE {meter} SET last_reading_at = GREATEST(COALESCE(last_reading_at, b.ts), b.ts) "
                           f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS b(id, ts) WHERE {meter}.id = b.id",
                           [list(latest), list(latest.values())])
        else:
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
