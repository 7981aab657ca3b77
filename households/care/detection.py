"""The detectors as set-based SQL: one statement per detector over every watched home of a
district, the same text on SQLite and PostgreSQL (CTEs, window functions, integer hours).

Default detector ("home profile") in two parts:

* **the profile** (`profile_refresh`, once a day per home — its own beat task, and the sweep
  refreshes any watched home whose profile is missing or older than a day), from the last
  `lookback_days`: the base load of each meter kind (the lowest hour of the last week: a running
  fridge or a dripping cistern is base, not life); for each local hour of the day the share of
  days on which the home showed life in it (`HourProfile`); and, for each local hour, the longest
  past spell of each kind still going on from that hour and — for quiet spells — the heaviest
  (spells of more than a day — trips, incidents — and the spell going on at refresh time are not
  learned);
* **the sweep** (`default_sql`, every 15 min) reads only the last `RECENT_HOURS` of hourly usage
  and the profile, and judges the spell going on now against the home's own spells from about the
  same time of day (± `idle_hour_window` h; ± `steady_hour_window` h for steady spells).

An hour is *known* only when every meter of the home reported it (no data is not no use). Kinds
of spell (runs of consecutive known hours, gaps-and-islands with ROW_NUMBER):

* **quiet** — no sign of life: water at base and power either at base or *steady* (an appliance
  left on: power above base that changed by at most `steady_tolerance_kwh` since the hour before —
  nobody switched anything). A quiet spell is judged by its **weight**: each of its hours weighs
  the share of days on which this home shows life at that hour (at least `MIN_ACTIVE_SHARE`). A
  quiet night weighs almost nothing, a quiet morning of someone always up by seven almost an hour
  an hour — so a quiet afternoon that runs into the night is judged by the evening it lacked, not
  again at 2 a.m. while the person sleeps, and a fall in the night shows as the morning's missing
  life. Alert when at least `idle_min_hours` long and its weight is more than the home's heaviest
  from that time of day + `idle_margin_active`.
* **steady** — water at base while power stays above base by `steady_level_kwh` without changing:
  a light, a television or a heater nobody switches off. People who go out or go to bed switch
  things off; a person who has fallen does not. Alert (as *no sign of life*) when at least
  `steady_min_hours` long and longer than the home's longest at that time + `steady_margin_hours`,
  and once the stillness (the quiet spell it is part of) weighs more than the home's heaviest
  quiet from that time of day less `steady_quiet_allowance`: a light left on during a long outing
  looks exactly like a light left on after a fall, so where this home has been out as long at
  this time of day the appliance waits until the stillness outweighs that.
* **flow** — water that never stops: water use at least `flow_m3` above base, at least
  `flow_min_hours` long and longer than the home's longest at that time + `flow_margin_hours`.

One stillness seen both as a steady and as a quiet spell raises one alert (the sweep does not
raise a kind again for a spell that began before the last alert of that kind).

Baselines: `seed_rule` (original design: the last two days both below 10 % of the three-day
average, water and power) and `practice_rule` (08–20 h water < 0.01 m³, or a day > 2 m³).
Device: a meter of a watched home without data for `device_gap_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from households.care.models import (
    AlertKind,
    AwayFlag,
    Consent,
    HomeProfile,
    HourlyUsage,
    HourProfile,
    Meter,
    SpellProfile,
)

TZ_HOURS = 8  # Asia/Shanghai has no daylight saving: local day/hour is integer arithmetic on epoch hours
MAX_LEARNED_SPELL_HOURS = 24  # longer spells are trips or incidents, not the home's habits
BASE_DAYS = 7
DEVICE_LOOKBACK_DAYS = 7
RECENT_HOURS = 48  # what the sweep reads: a spell longer than this has long been judged
PROFILE_MAX_AGE_HOURS = 24  # the sweep refreshes profiles older than this (the beat task does it daily)
# A quiet hour weighs at least this (the home's share of days with life at that hour, see
# HourProfile): a home that is never active at some hour must still add up a spell quiet for days.
MIN_ACTIVE_SHARE = 0.05
# What a quiet hour weighs (the share of its local hour, at least MIN_ACTIVE_SHARE), for rows of
# `marked` aliased mk joined by _hour_share_join(): the same for learned spells and the one going on.
_HOUR_SHARE = f"COALESCE(hp.active_share, {MIN_ACTIVE_SHARE})"
SPELL_ALERT_KIND = {"quiet": AlertKind.NO_LIFE, "steady": AlertKind.NO_LIFE, "flow": AlertKind.WATER_RUNNING}


@dataclass(frozen=True)
class Candidate:
    kind: str
    unit_id: int
    person_id: int | None
    since_hour: int
    evidence: dict


def _tables():
    from governance.models import Region
    from households.models import Building, Household, Person, PersonTag, TagType, Unit

    return {
        "person": Person._meta.db_table, "household": Household._meta.db_table, "unit": Unit._meta.db_table,
        "building": Building._meta.db_table, "region": Region._meta.db_table,
        "persontag": PersonTag._meta.db_table, "tagtype": TagType._meta.db_table,
        "consent": Consent._meta.db_table, "away": AwayFlag._meta.db_table, "meter": Meter._meta.db_table,
        "hourly": HourlyUsage._meta.db_table, "profile": HomeProfile._meta.db_table,
        "spell": SpellProfile._meta.db_table, "hours": HourProfile._meta.db_table,
    }


def _watched_select() -> str:
    """SELECT unit_id, person_id: the watched homes of the district (tag with `watch`, or consent)."""
    t = _tables()
    return f"""
        SELECT h.unit_id AS unit_id, MIN(p.id) AS person_id
        FROM {t['person']} p
        JOIN {t['household']} h ON h.id = p.household_id
        JOIN {t['unit']} un ON un.id = h.unit_id
        JOIN {t['building']} b ON b.id = un.building_id
        JOIN {t['region']} g ON g.id = b.grid_id
        WHERE p.status = 'living' AND g.path LIKE %(prefix)s AND (
            EXISTS (SELECT 1 FROM {t['persontag']} pt JOIN {t['tagtype']} tt ON tt.id = pt.tag_id
                    WHERE pt.person_id = p.id AND tt.watch = TRUE
                      AND (pt.valid_from IS NULL OR pt.valid_from <= %(today)s)
                      AND (pt.valid_until IS NULL OR pt.valid_until >= %(today)s))
            OR EXISTS (SELECT 1 FROM {t['consent']} c WHERE c.person_id = p.id AND c.withdrawn_at IS NULL))
        GROUP BY h.unit_id"""


def _watched_and_usage(kinds_filter: str = "") -> str:
    """CTEs `watched` (unit_id, person_id) and `hu` (unit_id, kind, meter_id, hour, usage)."""
    t = _tables()
    return f"""
    watched AS ({_watched_select()}
    ),
    hu AS (
        SELECT m.unit_id, m.kind, u.meter_id, u.hour, u.usage
        FROM {t['hourly']} u
        JOIN {t['meter']} m ON m.id = u.meter_id
        JOIN watched w ON w.unit_id = m.unit_id
        WHERE m.active = TRUE AND u.hour >= %(lo)s AND u.hour < %(now_h)s {kinds_filter}
    )"""


def _spells(units: str, lo: str) -> str:
    """CTEs over the homes of CTE `units` (unit_id, wb, pb: base loads, n_meters: active meters),
    hours [`lo`, now): `known` (unit_id, hour, w, p, …: every meter reported; last_h: the home's
    last known hour), `flags`, `marked` (one row per hour of each kind of spell, `grp` numbering
    the runs) and `runs` (kind, unit_id, start_h, end_h, len, last_h). No join after the first
    aggregate (window functions instead), so that no row estimate can make the plan quadratic."""
    t = _tables()
    return f"""
    hs AS (
        SELECT m.unit_id, u.hour, COUNT(*) AS n, MAX(s.n_meters) AS n_meters, MAX(s.wb) AS wb, MAX(s.pb) AS pb,
               SUM(CASE WHEN m.kind = 'water' THEN CAST(u.usage AS DOUBLE PRECISION) ELSE 0 END) AS w,
               SUM(CASE WHEN m.kind = 'electricity' THEN CAST(u.usage AS DOUBLE PRECISION) ELSE 0 END) AS p
        FROM {t['hourly']} u
        JOIN {t['meter']} m ON m.id = u.meter_id
        JOIN {units} s ON s.unit_id = m.unit_id
        WHERE m.active = TRUE AND u.hour >= %({lo})s AND u.hour < %(now_h)s
        GROUP BY m.unit_id, u.hour
    ),
    known AS (
        SELECT unit_id, hour, w, p, wb, pb,
               LAG(p) OVER (PARTITION BY unit_id ORDER BY hour) AS p_prev,
               LAG(hour) OVER (PARTITION BY unit_id ORDER BY hour) AS h_prev,
               MAX(hour) OVER (PARTITION BY unit_id) AS last_h
        FROM hs WHERE n = n_meters
    ),
    flags AS (
        SELECT unit_id, hour, last_h,
            CASE WHEN w > wb + %(w_act)s THEN 0
                 WHEN p > pb + %(e_act)s AND NOT (h_prev = hour - 1 AND ABS(p - p_prev) <= %(steady_tol)s) THEN 0
                 ELSE 1 END AS quiet,
            CASE WHEN w <= wb + %(w_act)s AND p > pb + %(steady_level)s
                      AND h_prev = hour - 1 AND ABS(p - p_prev) <= %(steady_tol)s THEN 1
                 ELSE 0 END AS steady,
            CASE WHEN w >= wb + %(flow_m3)s THEN 1 ELSE 0 END AS flowing
        FROM known
    ),
    marked AS (
        SELECT unit_id, hour, last_h, 'quiet' AS kind,
               hour - ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY hour) AS grp
        FROM flags WHERE quiet = 1
        UNION ALL
        SELECT unit_id, hour, last_h, 'steady' AS kind,
               hour - ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY hour) AS grp
        FROM flags WHERE steady = 1
        UNION ALL
        SELECT unit_id, hour, last_h, 'flow' AS kind,
               hour - ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY hour) AS grp
        FROM flags WHERE flowing = 1
    ),
    runs AS (
        SELECT kind, unit_id, grp, MIN(hour) AS start_h, MAX(hour) AS end_h, COUNT(*) AS len, MAX(last_h) AS last_h
        FROM marked GROUP BY kind, unit_id, grp
    )"""


def _hour_share_join() -> str:
    return f"LEFT JOIN {_tables()['hours']} hp ON hp.unit_id = mk.unit_id AND hp.hod = (mk.hour + {TZ_HOURS}) %% 24"


def _learned_today_without(table: str) -> str:
    """CTE `todo` (unit_id, wb, pb, n_meters): the homes whose profile was learned in this refresh
    and that have no rows in `table` yet (the statements after the base loads fill one table each)."""
    t = _tables()
    return f"""todo AS (
            SELECT p.unit_id, MAX(p.water_base) AS wb, MAX(p.power_base) AS pb, COUNT(*) AS n_meters
            FROM {t['profile']} p JOIN {t['meter']} m ON m.unit_id = p.unit_id AND m.active = TRUE
            WHERE p.refreshed_hour = %(now_h)s
              AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.unit_id = p.unit_id)
            GROUP BY p.unit_id
        )"""


def profile_refresh_sql() -> list[str]:
    """The statements of `profile_refresh`, in order: forget stale profiles of watched homes, then
    learn every watched home without a profile (base loads from the last week, then the spells)."""
    t = _tables()
    stale = f"""SELECT p.unit_id FROM {t['profile']} p JOIN ({_watched_select()}) w ON w.unit_id = p.unit_id
                WHERE p.refreshed_hour <= %(stale_h)s"""
    return [
        f"DELETE FROM {t['spell']} WHERE unit_id IN ({stale})",
        f"DELETE FROM {t['hours']} WHERE unit_id IN ({stale})",
        f"DELETE FROM {t['profile']} WHERE unit_id IN ({stale})",
        f"""
        WITH watched AS ({_watched_select()}
        ),
        todo AS (
            SELECT w.unit_id, 0 AS wb, 0 AS pb, COUNT(*) AS n_meters
            FROM watched w JOIN {t['meter']} m ON m.unit_id = w.unit_id AND m.active = TRUE
            WHERE NOT EXISTS (SELECT 1 FROM {t['profile']} p WHERE p.unit_id = w.unit_id)
            GROUP BY w.unit_id
        ),
        {_spells('todo', 'base_lo')}
        INSERT INTO {t['profile']} (unit_id, water_base, power_base, known_hours, refreshed_hour)
        SELECT unit_id, MIN(w), MIN(p), COUNT(*), %(now_h)s FROM known GROUP BY unit_id
        """,
        f"""
        WITH {_learned_today_without(t['hours'])},
        {_spells('todo', 'lo')},
        shares AS (
            SELECT unit_id, (hour + {TZ_HOURS}) %% 24 AS hod, AVG(1.0 - quiet) AS share
            FROM flags GROUP BY unit_id, (hour + {TZ_HOURS}) %% 24
        )
        INSERT INTO {t['hours']} (unit_id, hod, active_share)
        SELECT unit_id, hod, CASE WHEN share < {MIN_ACTIVE_SHARE} THEN {MIN_ACTIVE_SHARE} ELSE share END FROM shares
        """,
        f"""
        WITH {_learned_today_without(t['spell'])},
        {_spells('todo', 'lo')},
        learned AS (
            SELECT mk.unit_id, mk.kind, (mk.hour + {TZ_HOURS}) %% 24 AS hod, mk.last_h,
                   MAX(mk.hour) OVER (PARTITION BY mk.unit_id, mk.kind, mk.grp) AS end_h,
                   COUNT(*) OVER (PARTITION BY mk.unit_id, mk.kind, mk.grp) AS len,
                   MAX(mk.hour) OVER (PARTITION BY mk.unit_id, mk.kind, mk.grp) - mk.hour + 1 AS remain,
                   SUM({_HOUR_SHARE}) OVER (
                       PARTITION BY mk.unit_id, mk.kind, mk.grp ORDER BY mk.hour DESC
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS weight
            FROM marked mk
            {_hour_share_join()}
        )
        INSERT INTO {t['spell']} (unit_id, kind, hod, longest, weight)
        SELECT unit_id, kind, hod, MAX(remain), MAX(weight) FROM learned
        WHERE len <= {MAX_LEARNED_SPELL_HOURS} AND end_h < last_h
        GROUP BY unit_id, kind, hod
        """,
    ]


def default_sql() -> str:
    t = _tables()
    return f"""
    WITH watched AS ({_watched_select()}
    ),
    prof AS (
        SELECT p.unit_id, MAX(p.water_base) AS wb, MAX(p.power_base) AS pb, COUNT(*) AS n_meters
        FROM {t['profile']} p JOIN watched w ON w.unit_id = p.unit_id
        JOIN {t['meter']} m ON m.unit_id = p.unit_id AND m.active = TRUE
        GROUP BY p.unit_id
    ),
    {_spells('prof', 'recent_lo')},
    away AS (
        SELECT h.unit_id, MAX(a.ends_hour) AS end_h
        FROM {t['away']} a JOIN {t['person']} p ON p.id = a.person_id
        JOIN {t['household']} h ON h.id = p.household_id
        WHERE a.cancelled_at IS NULL AND a.ends_hour <= %(now_h)s AND a.ends_hour > %(recent_lo)s
        GROUP BY h.unit_id
    ),
    cur AS (
        -- the spell going on now; one that began while the person was flagged away counts from their return
        SELECT r.kind, r.unit_id, r.last_h,
               CASE WHEN r.kind = 'steady' THEN %(steady_window)s ELSE %(window)s END AS win,
               CASE WHEN a.end_h IS NOT NULL AND a.end_h > r.start_h THEN a.end_h ELSE r.start_h END AS start_h
        FROM runs r LEFT JOIN away a ON a.unit_id = r.unit_id
        WHERE r.end_h = r.last_h AND r.last_h >= %(now_h)s - %(fresh)s
          -- a spell that began before the hours read has long been judged (its start is unknown)
          AND (r.start_h > %(recent_lo)s OR (a.end_h IS NOT NULL AND a.end_h > r.start_h))
    ),
    weighed AS (
        -- a quiet spell weighs the home's usual share of life over its hours
        SELECT c.unit_id, SUM({_HOUR_SHARE}) AS weight
        FROM cur c
        JOIN marked mk ON mk.unit_id = c.unit_id AND mk.kind = c.kind AND mk.hour >= c.start_h
        {_hour_share_join()}
        WHERE c.kind = 'quiet'
        GROUP BY c.unit_id
    ),
    judged AS (
        -- the home's longest (and heaviest) spell of that kind going on from about the same time of day
        SELECT c.kind, c.unit_id, c.start_h, c.last_h - c.start_h + 1 AS len, MAX(s.longest) AS longest,
               MAX(s.weight) AS heaviest, MAX(g.weight) AS weight
        FROM cur c
        LEFT JOIN {t['spell']} s ON s.unit_id = c.unit_id AND s.kind = c.kind
            AND ((((s.hod - (c.start_h + {TZ_HOURS}) %% 24 + c.win) %% 24) + 24) %% 24 <= 2 * c.win)
        LEFT JOIN weighed g ON g.unit_id = c.unit_id AND c.kind = 'quiet'
        WHERE c.last_h >= c.start_h
        GROUP BY c.kind, c.unit_id, c.start_h, c.last_h
    )
    SELECT j.kind, j.unit_id, w.person_id, j.start_h, j.len, COALESCE(j.longest, 0),
           COALESCE(j.weight, 0), COALESCE(j.heaviest, 0)
    FROM judged j JOIN watched w ON w.unit_id = j.unit_id
    LEFT JOIN judged q ON q.unit_id = j.unit_id AND q.kind = 'quiet'
    WHERE (j.kind = 'quiet' AND j.len >= %(idle_min)s
           AND j.weight > COALESCE(j.heaviest, 0) + %(idle_margin)s)
       OR (j.kind = 'steady' AND j.len >= %(steady_min)s AND j.len > COALESCE(j.longest, 0) + %(steady_margin)s
           AND (q.unit_id IS NULL OR q.weight > COALESCE(q.heaviest, 0) - %(steady_quiet_allowance)s))
       OR (j.kind = 'flow' AND j.len >= %(flow_min)s AND j.len > COALESCE(j.longest, 0) + %(flow_margin)s)
    """


def seed_rule_sql() -> str:
    return f"""
    WITH {_watched_and_usage()},
    daily AS (
        SELECT unit_id, kind, (hour + {TZ_HOURS}) / 24 AS day, SUM(usage) AS total
        FROM hu GROUP BY unit_id, kind, (hour + {TZ_HOURS}) / 24
    ),
    avg3 AS (SELECT unit_id, kind, AVG(total) AS avg_total, COUNT(*) AS n FROM daily GROUP BY unit_id, kind),
    low AS (
        SELECT d.unit_id, d.day FROM daily d JOIN avg3 a ON a.unit_id = d.unit_id AND a.kind = d.kind
        WHERE a.n = 3 AND a.avg_total > 0 AND d.day >= %(today_day)s - 2 AND d.total < 0.1 * a.avg_total
        GROUP BY d.unit_id, d.day HAVING COUNT(DISTINCT d.kind) = 2
    )
    SELECT 'no_life', l.unit_id, w.person_id, MIN(l.day) * 24 - {TZ_HOURS}, COUNT(*), 0, 0, 0
    FROM low l JOIN watched w ON w.unit_id = l.unit_id
    GROUP BY l.unit_id, w.person_id HAVING COUNT(*) = 2
    """


def practice_rule_sql() -> str:
    return f"""
    WITH {_watched_and_usage("AND m.kind = 'water'")},
    daytime AS (
        SELECT unit_id, SUM(usage) AS total, COUNT(DISTINCT hour) AS n FROM hu
        WHERE hour >= %(d_lo)s AND hour < %(d_lo)s + 12 GROUP BY unit_id
    ),
    days AS (
        SELECT unit_id, (hour + {TZ_HOURS}) / 24 AS day, SUM(usage) AS total FROM hu
        WHERE hour >= (%(today_day)s - 1) * 24 - {TZ_HOURS}
        GROUP BY unit_id, (hour + {TZ_HOURS}) / 24
    )
    SELECT 'no_life', d.unit_id, w.person_id, %(d_lo)s, 12, 0, 0, 0
    FROM daytime d JOIN watched w ON w.unit_id = d.unit_id WHERE d.n = 12 AND d.total < 0.01
    UNION ALL
    SELECT 'water_running', x.unit_id, w.person_id, x.day * 24 - {TZ_HOURS}, 24, 0, 0, 0
    FROM days x JOIN watched w ON w.unit_id = x.unit_id WHERE x.total > 2
    """


def device_sql() -> str:
    """Meters of watched homes silent for `gap` hours: one index probe per meter for its last hour."""
    t = _tables()
    return f"""
    WITH watched AS ({_watched_select()}
    ),
    last AS (
        SELECT m.unit_id, m.id AS meter_id,
               (SELECT MAX(u.hour) FROM {t['hourly']} u WHERE u.meter_id = m.id AND u.hour < %(now_h)s) AS last_h
        FROM {t['meter']} m JOIN watched w ON w.unit_id = m.unit_id
        WHERE m.active = TRUE
    )
    SELECT 'device', s.unit_id, w.person_id,
           MIN(CASE WHEN s.last_h IS NULL OR s.last_h < %(lo)s THEN %(lo)s ELSE s.last_h + 1 END), COUNT(*), 0, 0, 0
    FROM last s JOIN watched w ON w.unit_id = s.unit_id
    WHERE s.last_h IS NULL OR s.last_h < %(now_h)s - %(gap)s
    GROUP BY s.unit_id, w.person_id
    """


def _params(cfg, now_h: int, today: date) -> dict:
    today_day = (now_h + TZ_HOURS) // 24
    local_hod = (now_h + TZ_HOURS) % 24
    d = today_day if local_hod >= 20 else today_day - 1
    return {
        "prefix": cfg.district.path + "%", "today": today, "now_h": now_h,
        "lo": now_h - cfg.lookback_days * 24, "base_lo": now_h - BASE_DAYS * 24,
        "recent_lo": now_h - RECENT_HOURS, "stale_h": now_h - PROFILE_MAX_AGE_HOURS,
        "w_act": float(cfg.water_active_m3), "e_act": float(cfg.power_active_kwh), "flow_m3": float(cfg.flow_m3),
        "steady_level": float(cfg.steady_level_kwh), "steady_tol": float(cfg.steady_tolerance_kwh),
        "steady_min": cfg.steady_min_hours, "steady_margin": cfg.steady_margin_hours,
        "fresh": cfg.device_gap_hours, "gap": cfg.device_gap_hours,
        "idle_margin": float(cfg.idle_margin_active),
        "steady_quiet_allowance": float(cfg.steady_quiet_allowance),
        "window": cfg.idle_hour_window, "steady_window": cfg.steady_hour_window, "idle_min": cfg.idle_min_hours,
        "flow_min": cfg.flow_min_hours, "flow_margin": cfg.flow_margin_hours,
        "today_day": today_day, "d_lo": d * 24 + 8 - TZ_HOURS,
    }


LEARN_STATEMENT = 3  # in profile_refresh_sql: the INSERT of the home profiles (its row count: homes learned)


def profile_refresh(cfg, *, now_h: int, today: date, max_age_hours: int = PROFILE_MAX_AGE_HOURS) -> int:
    """Learn the profile of every watched home of the district whose profile is missing or at least
    `max_age_hours` old (0: all of them). Set-based, idempotent; returns the number of homes learned."""
    params = {**_params(cfg, now_h, today), "stale_h": now_h - max_age_hours}
    learned = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for position, sql in enumerate(profile_refresh_sql()):
            cursor.execute(sql, params)
            if position == LEARN_STATEMENT:
                learned = cursor.rowcount
                if connection.vendor == "sqlite":  # the driver reports no rowcount for WITH … INSERT
                    cursor.execute("SELECT changes()")
                    learned = cursor.fetchone()[0]
    return max(learned, 0)


def candidates(cfg, *, now_h: int, today: date, detector: str) -> list[Candidate]:
    """Every home of the district that should have an alert now, by `detector`, plus device alerts."""
    params = _params(cfg, now_h, today)
    statements = [device_sql()]
    if detector == "seed_rule":
        statements.append(seed_rule_sql())
        params["lo"] = (params["today_day"] - 3) * 24 - TZ_HOURS
    elif detector == "practice_rule":
        statements.append(practice_rule_sql())
        params["lo"] = (params["today_day"] - 1) * 24 - TZ_HOURS
    else:
        statements.append(default_sql())
    found = []
    with connection.cursor() as cursor:
        for position, sql in enumerate(statements):
            # device check: a week back is enough to know when a meter went silent
            run_params = params if position else {**params, "lo": now_h - DEVICE_LOOKBACK_DAYS * 24}
            cursor.execute(sql, run_params)
            for kind, unit_id, person_id, since, length, longest, weight, heaviest in cursor.fetchall():
                evidence: dict[str, int | float | str] = {"hours": int(length), "longest_similar": int(longest or 0)}
                if kind in SPELL_ALERT_KIND:
                    evidence["signal"] = kind
                if kind == "quiet":
                    evidence |= {"weight": round(float(weight), 2), "heaviest_similar": round(float(heaviest), 2)}
                found.append(Candidate(
                    kind=AlertKind(SPELL_ALERT_KIND.get(kind, kind)), unit_id=unit_id, person_id=person_id,
                    since_hour=int(since), evidence=evidence,
                ))
    return found
