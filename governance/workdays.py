"""The Chinese working-day calendar for deadlines (DESIGN.md §4 "Time").

A day is a working day when it is a make-up day (调休, `Holiday.kind == workday`), or a
Monday–Friday that is not a statutory holiday. The `Holiday` table is seeded from
`chinesecalendar` (data up to 2026) and extended each year from the State Council notice
(`manage.py import_holidays FILE.csv` or the Holiday admin's CSV import). Years whose
schedule was entered completely are `HolidayYear` rows; a deadline that needs a day of
any other year is computed on plain weekdays and returned with `estimated=True`.

    from governance import workdays
    due = workdays.deadline(order.received_at, 5, "work_days")
    due.at, due.estimated

Conventions (民法典 §201–203): a period in days does not count the day it starts; a
period in working days ends when the office closes on its last working day. Working
hours count only office hours (seasonal, `OfficeHours` rows or the rules.yaml default).
All arithmetic happens in Asia/Shanghai local time; results are aware datetimes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import ValidationFailed
from governance.models.workdays import DayKind, Holiday, HolidayYear, OfficeHours

TZ = ZoneInfo("Asia/Shanghai")

# rules.yaml `office_hours`: used while no OfficeHours rows exist.
DEFAULT_OFFICE_HOURS: list[tuple[str, list[tuple[str, str]]]] = [
    ("05-01", [("08:30", "12:00"), ("14:00", "17:30")]),  # summer
    ("10-01", [("08:30", "12:00"), ("13:30", "17:00")]),  # winter
]

UNITS = ("work_hours", "work_days", "hours", "days", "minutes")

# chinesecalendar's English names → the names offices use.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# A worker process never sees another process's signals: reload at least this often.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Deadline:
    """A due moment. `estimated`: some day on the way lies in a year whose official
    schedule is not entered yet, so it was counted as a plain Monday–Friday week."""

    at: dt.datetime
    estimated: bool = False

    def __str__(self):
        text = timezone.localtime(self.at, TZ).strftime("%Y-%m-%d %H:%M")
        return f"{text} (estimated)" if self.estimated else text


@dataclass(frozen=True)
class _Calendar:
    off: frozenset[dt.date]
    makeup: frozenset[dt.date]
    known_years: frozenset[int]
    office_hours: tuple[tuple[str, tuple[tuple[dt.time, dt.time], ...]], ...]


_lock = threading.Lock()
_cached: tuple[float, _Calendar] | None = None


def invalidate() -> None:
    """Forget the cached calendar (called on Holiday / HolidayYear / OfficeHours save and delete)."""
    global _cached
    with _lock:
        _cached = None


def _invalidate_calendar(sender, **kwargs) -> None:
    invalidate()
    transaction.on_commit(invalidate)


# The calendar is cached per process; any edit, from admin or a command, drops it here and again
# at commit (connected on import: GovernanceConfig.ready imports this module).
for _model in (Holiday, HolidayYear, OfficeHours):
    for _signal in (post_save, post_delete):
        _signal.connect(_invalidate_calendar, sender=_model, dispatch_uid=f"workdays-{_model.__name__}-{id(_signal)}")


def _load() -> _Calendar:
    off: set[dt.date] = set()
    makeup: set[dt.date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (makeup if kind == DayKind.WORKDAY else off).add(day)
    years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    rows = [(o.valid_from_month_day, tuple(o.period_times())) for o in OfficeHours.objects.all()]
    if not rows:
        rows = [(md, tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in periods))
                for md, periods in DEFAULT_OFFICE_HOURS]
    rows.sort()
    return _Calendar(frozenset(off), frozenset(makeup), years, tuple(rows))


def _calendar() -> _Calendar:
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    cal = _load()
    with _lock:
        _cached = (now, cal)
    return cal


# --- days -----------------------------------------------------------------------------


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local(value).date()
    return value


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


def is_workday(day: dt.date | dt.datetime) -> bool:
    day = _local_date(day)
    cal = _calendar()
    if day in cal.makeup:
        return True
    if day in cal.off:
        return False
    return day.weekday() < 5


def is_known(day: dt.date) -> bool:
    """Whether `day` lies in a year whose official schedule is entered."""
    return day.year in _calendar().known_years


def last_known_year() -> int | None:
    years = _calendar().known_years
    return max(years) if years else None


def office_periods(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Office periods of `day` as aware datetimes (empty on a day off)."""
    if not is_workday(day):
        return []
    rows = _calendar().office_hours
    md = day.strftime("%m-%d")
    chosen = rows[-1][1]  # before the first switch of the year: last year's last schedule
    for start_md, periods in rows:
        if start_md <= md:
            chosen = periods
    return [(dt.datetime.combine(day, a, TZ), dt.datetime.combine(day, b, TZ)) for a, b in chosen]


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(start: dt.datetime, n: int) -> Deadline:
    """Close of office on the n-th working day after the day of `start` (the start day
    does not count; a start on a holiday simply counts from the next working day).
    n=0: close of office today if today is a working day, else of the next one."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = _local_date(start)
    estimated = not is_known(day)
    if n == 0 and not is_workday(day):
        n = 1
    for _i in range(n):
        day = day + dt.timedelta(days=1)
        estimated |= not is_known(day)
        while not is_workday(day):
            day += dt.timedelta(days=1)
            estimated |= not is_known(day)
    return Deadline(office_periods(day)[-1][1], estimated)


# --- hours ------------------------------------------------------------------------------


def _periods_from(start: dt.datetime):
    """Office periods from `start` on, clipped to start; yields (a, b, estimated)."""
    start = _local(start)
    day = start.date()
    while True:
        known = is_known(day)
        for a, b in office_periods(day):
            if b <= start:
                continue
            yield max(a, start), b, not known
        day += dt.timedelta(days=1)


def add_work_hours(start: dt.datetime, hours: float) -> Deadline:
    """`start` plus `hours` of office time (lunch, nights, weekends and holidays do not count).
    A start outside office hours starts the clock at the next opening."""
    if hours < 0:
        raise ValueError("hours must be >= 0")
    remaining = dt.timedelta(hours=hours)
    estimated = False
    for a, b, est in _periods_from(start):
        estimated |= est
        if remaining <= b - a:
            if remaining == dt.timedelta(0):
                return Deadline(a, estimated)
            return Deadline(a + remaining, estimated)
        remaining -= b - a
    raise AssertionError("unreachable")  # pragma: no cover


def workhours_between(a: dt.datetime, b: dt.datetime) -> float:
    """Office hours elapsed from `a` to `b` (0 when b <= a)."""
    a, b = _local(a), _local(b)
    if b <= a:
        return 0.0
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        for p, q in office_periods(day):
            lo, hi = max(p, a), min(q, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def add_natural(start: dt.datetime, *, hours: float = 0, days: float = 0, minutes: float = 0) -> Deadline:
    """Plain clock time (natural hours/days), whatever the calendar."""
    return Deadline(_local(start) + dt.timedelta(days=days, hours=hours, minutes=minutes), False)


def deadline(start: dt.datetime, limit: float, unit: str) -> Deadline:
    """One entry point for rule-driven limits (rules.yaml `{limit, unit}`)."""
    if unit == "work_hours":
        return add_work_hours(start, limit)
    if unit == "work_days":
        if int(limit) != limit:
            # Half a working day and the like: count it in office hours of that length.
            return add_work_hours(start, limit * _hours_per_day(_local_date(start)))
        return add_workdays(start, int(limit))
    if unit == "hours":
        return add_natural(start, hours=limit)
    if unit == "days":
        return add_natural(start, days=limit)
    if unit == "minutes":
        return add_natural(start, minutes=limit)
    raise ValueError(f"unknown unit {unit!r}; one of {', '.join(UNITS)}")


def _hours_per_day(day: dt.date) -> float:
    probe = day
    while not office_periods(probe):
        probe += dt.timedelta(days=1)
    return sum((b - a).total_seconds() for a, b in office_periods(probe)) / 3600


# --- loading schedules -----------------------------------------------------------------


@transaction.atomic
def replace_year(year: int, days: dict[dt.date, tuple[str, str]], *, source: str) -> int:
    """Make `year`'s schedule exactly `days` ({date: (kind, name)}) and mark the year known.
    A year is one State Council notice: loading it again replaces it, so it is idempotent."""

    Holiday.objects.filter(date__year=year).exclude(date__in=list(days)).delete()
    existing = {h.date: h for h in Holiday.objects.filter(date__year=year)}
    changed = 0
    for day, (kind, name) in sorted(days.items()):
        row = existing.get(day)
        if row is None:
            Holiday.objects.create(date=day, kind=kind, name=name)
            changed += 1
        elif (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            row.save(update_fields=["kind", "name"])
            changed += 1
    HolidayYear.objects.update_or_create(year=year, defaults={"source": source[:200]})
    transaction.on_commit(invalidate)
    invalidate()
    return changed


def load_from_chinesecalendar(years) -> dict[int, int]:
    """Write the holidays and 调休 make-up days of `years` from the chinesecalendar package.
    Returns {year: rows changed}. Years the package does not cover raise ValidationFailed."""
    import chinese_calendar as cc


    covered = {d.year for d in cc.holidays}
    result = {}
    for year in years:
        if year not in covered:
            raise ValidationFailed(
                _("chinesecalendar has no schedule for %(year)s: import the State Council notice instead.")
                % {"year": year}
            )
        days: dict[dt.date, tuple[str, str]] = {}
        for day, name in cc.holidays.items():
            if day.year == year:
                days[day] = (DayKind.HOLIDAY, HOLIDAY_NAMES_ZH.get(name, name))
        for day, name in cc.workdays.items():
            if day.year == year and day.weekday() >= 5:
                base = HOLIDAY_NAMES_ZH.get(name, name) if name else ""
                days[day] = (DayKind.WORKDAY, f"{base}调休" if base else "调休")
        result[year] = replace_year(year, days, source=f"chinesecalendar {getattr(cc, '__version__', '')}".strip())
    return result


CSV_KINDS = {"holiday": "holiday", "off": "holiday", "休": "holiday", "假": "holiday",
             "workday": "workday", "work": "workday", "班": "workday", "调休": "workday"}


def parse_holiday_csv(text: str) -> tuple[dict[int, dict[dt.date, tuple[str, str]]], list[str]]:
    """Parse `date,kind,name` rows (a header line is allowed). Returns ({year: days}, errors);
    every row is checked before anything is written."""
    years: dict[int, dict[dt.date, tuple[str, str]]] = {}
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for lineno, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if lineno == 1 and row[0].strip().lower() == "date":
            continue
        if len(row) < 2:
            errors.append(_("Line %(line)s: expected date,kind,name.") % {"line": lineno})
            continue
        raw_date, raw_kind = row[0].strip(), row[1].strip()
        name = row[2].strip() if len(row) > 2 else ""
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(_("Line %(line)s: %(value)r is not a date (YYYY-MM-DD).") % {"line": lineno, "value": raw_date})
            continue
        kind = CSV_KINDS.get(raw_kind.lower())
        if kind is None:
            errors.append(_("Line %(line)s: kind must be holiday or workday, not %(value)r.")
                          % {"line": lineno, "value": raw_kind})
            continue
        if kind == "workday" and day.weekday() < 5:
            errors.append(_("Line %(line)s: %(date)s is a weekday; a make-up working day falls on a weekend.")
                          % {"line": lineno, "date": day})
            continue
        if day in years.get(day.year, {}):
            errors.append(_("Line %(line)s: %(date)s appears twice.") % {"line": lineno, "date": day})
            continue
        years.setdefault(day.year, {})[day] = (kind, name[:50])
    if not years and not errors:
        errors.append(_("The file contains no rows."))
    return years, errors


def import_holiday_csv(text: str, *, source: str) -> dict[int, int]:
    """All or nothing: a file with any bad row changes nothing (ValidationFailed lists the rows)."""
    years, errors = parse_holiday_csv(text)
    if errors:
        raise ValidationFailed(_("The file was not imported."), fields={"file": errors})
    with transaction.atomic():
        return {year: replace_year(year, days, source=source) for year, days in sorted(years.items())}
