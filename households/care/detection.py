"""The detectors as set-based SQL: one statement per detector over every watched home of a
district, the same text on SQLite and PostgreSQL (CTEs, window functions, integer hours).

Default detector ("home profile"), per home, from the last `lookback_days` of hourly usage:
  * an hour *shows life* when water or power use is above that meter's own base (its lowest
    hour in the last week: a running fridge or a dripping cistern is base, not life) by a margin;
  * an hour is *known* only when every meter of the home reported it (no data is not no use);
  * quiet spells are the runs of consecutive known hours without life (gaps-and-islands with
    ROW_NUMBER); the spell going on now (counted from the end of an away flag, if later) is
    **no sign of life** when it is at least `idle_min_hours` long and on at most
    `idle_tolerated` past days the home was as quiet over the same hours of the day (a past
    spell covering len / `idle_factor` − `idle_margin_hours` hours from the same clock time,
    ± `idle_hour_window` h) — the home's own habits (sleep, outings, naps) set the bar;
  * **water that never stops**: the same over runs of hours with water use of at least
    `flow_m3` — at least `flow_min_hours` long and longer than any such run at that time of day.
Baselines: `seed_rule` (original design: the last two days both below 10 % of the three-day
average, water and power) and `practice_rule` (08–20 h water < 0.01 m³, or a day > 2 m³).
Device: a meter of a watched home without data for `device_gap_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from households.care.models import AlertKind, AwayFlag, Consent, HourlyUsage, Meter

TZ_HOURS = 8  # Asia/Shanghai has no daylight saving: local day/hour is integer arithmetic on epoch hours
MAX_LEARNED_SPELL_HOURS = 24  # longer quiet spells are trips or incidents, not the home's habits
BASE_DAYS = 7
DEVICE_LOOKBACK_DAYS = 7


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
        "consent": Consent._meta.db_table, "away": AwayFlag._meta.db_table, "meter": Meter._meta.db_table, "hourly": HourlyUsage._meta.db_table,
    }


def _watched_and_usage(kinds_filter: str = "") -> str:
    """CTEs `watched` (unit_id, person_id) and `hu` (unit_id, kind, meter_id, hour, usage)."""
    t = _tables()
    return f"""
    watched AS (
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
        GROUP BY h.unit_id
    ),
    hu AS (
        SELECT m.unit_id, m.kind, u.meter_id, u.hour, u.usage
        FROM {t['hourly']} u
        JOIN {t['meter']} m ON m.id = u.meter_id
        JOIN watched w ON w.unit_id = m.unit_id
        WHERE m.active = TRUE AND u.hour >= %(lo)s AND u.hour < %(now_h)s {kinds_filter}
    )"""


def default_sql() -> str:
    t = _tables()
    return f"""
    WITH {_watched_and_usage()},
    homes AS (
        SELECT m.unit_id, COUNT(*) AS n_meters FROM {t['meter']} m JOIN watched w ON w.unit_id = m.unit_id
        WHERE m.active = TRUE GROUP BY m.unit_id
    ),
    base AS (
        SELECT meter_id, MIN(usage) AS base FROM hu WHERE hour >= %(base_lo)s GROUP BY meter_id
    ),
    hs AS (
        SELECT hu.unit_id, hu.hour, COUNT(*) AS n,
            MAX(CASE WHEN hu.kind = 'water' AND hu.usage > b.base + %(w_act)s THEN 1
                     WHEN hu.kind = 'electricity' AND hu.usage > b.base + %(e_act)s THEN 1
                     ELSE 0 END) AS active,
            MAX(CASE WHEN hu.kind = 'water' AND hu.usage >= b.base + %(flow_m3)s THEN 1 ELSE 0 END) AS flowing
        FROM hu JOIN base b ON b.meter_id = hu.meter_id
        GROUP BY hu.unit_id, hu.hour
    ),
    known AS (
        SELECT hs.unit_id, hs.hour, hs.active, hs.flowing
        FROM hs JOIN homes ON homes.unit_id = hs.unit_id AND hs.n = homes.n_meters
    ),
    horizon AS (SELECT unit_id, MAX(hour) AS last_h FROM known GROUP BY unit_id),
    marked AS (
        SELECT unit_id, hour, 'no_life' AS kind,
               hour - ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY hour) AS grp
        FROM known WHERE active = 0
        UNION ALL
        SELECT unit_id, hour, 'water_running' AS kind,
               hour - ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY hour) AS grp
        FROM known WHERE flowing = 1
    ),
    runs AS (
        SELECT kind, unit_id, MIN(hour) AS start_h, MAX(hour) AS end_h, COUNT(*) AS len
        FROM marked GROUP BY kind, unit_id, grp
    ),
    away AS (
        SELECT h.unit_id, MAX(a.ends_hour) AS end_h
        FROM {t['away']} a JOIN {t['person']} p ON p.id = a.person_id
        JOIN {t['household']} h ON h.id = p.household_id
        WHERE a.cancelled_at IS NULL AND a.ends_hour <= %(now_h)s
        GROUP BY h.unit_id
    ),
    cur0 AS (
        SELECT r.kind, r.unit_id, r.start_h, z.last_h
        FROM runs r JOIN horizon z ON z.unit_id = r.unit_id AND r.end_h = z.last_h
        WHERE z.last_h >= %(now_h)s - %(fresh)s
    ),
    cur AS (
        -- a quiet spell that began while the person was flagged away counts from their return
        SELECT c.kind, c.unit_id, c.start_h, c.last_h - c.start_h + 1 AS len
        FROM (SELECT c0.kind, c0.unit_id, c0.last_h,
                     CASE WHEN a.end_h IS NOT NULL AND a.end_h > c0.start_h THEN a.end_h ELSE c0.start_h END
                         AS start_h
              FROM cur0 c0 LEFT JOIN away a ON a.unit_id = c0.unit_id) c
        WHERE c.last_h >= c.start_h
    ),
    judged AS (
        -- no_life: on how many past days was the home as quiet over the same hours of the day
        --   (a past spell covering a stretch of len/idle_factor - idle_margin hours that starts
        --   within ± window hours of the same clock time)?
        -- water_running: how many past runs of flow that started about then were as long?
        SELECT c.kind, c.unit_id, c.start_h, c.len,
            COUNT(r.unit_id) AS n_similar,
            SUM(CASE
                WHEN c.kind = 'no_life'
                 AND r.end_h - r.start_h + 1 >= c.len / %(idle_factor)s - %(idle_margin)s
                 AND (((((r.start_h - c.start_h + %(window)s) %% 24) + 24) %% 24 <= 2 * %(window)s)
                      OR r.start_h + ((((c.start_h - %(window)s - r.start_h) %% 24) + 24) %% 24)
                         <= r.end_h + 1 - (c.len / %(idle_factor)s - %(idle_margin)s))
                THEN 1
                WHEN c.kind = 'water_running' AND r.len + %(flow_margin)s >= c.len
                 AND (ABS((r.start_h %% 24) - (c.start_h %% 24)) <= %(window)s
                      OR ABS((r.start_h %% 24) - (c.start_h %% 24)) >= 24 - %(window)s)
                THEN 1
                ELSE 0 END) AS n_as_long,
            MAX(r.len) AS longest
        FROM cur c
        LEFT JOIN runs r ON r.unit_id = c.unit_id AND r.kind = c.kind AND r.end_h < c.start_h
            AND r.len <= {MAX_LEARNED_SPELL_HOURS}
        GROUP BY c.kind, c.unit_id, c.start_h, c.len
    )
    SELECT j.kind, j.unit_id, w.person_id, j.start_h, j.len, j.n_similar, COALESCE(j.n_as_long, 0), j.longest
    FROM judged j JOIN watched w ON w.unit_id = j.unit_id
    WHERE (j.kind = 'no_life' AND j.len >= %(idle_min)s AND COALESCE(j.n_as_long, 0) <= %(tolerated)s)
       OR (j.kind = 'water_running' AND j.len >= %(flow_min)s AND COALESCE(j.n_as_long, 0) = 0)
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
    t = _tables()
    return f"""
    WITH {_watched_and_usage()},
    silent AS (
        SELECT m.unit_id, m.id AS meter_id, MAX(hu.hour) AS last_h
        FROM {t['meter']} m JOIN watched w ON w.unit_id = m.unit_id
        LEFT JOIN hu ON hu.meter_id = m.id
        WHERE m.active = TRUE
        GROUP BY m.unit_id, m.id
        HAVING MAX(hu.hour) IS NULL OR MAX(hu.hour) < %(now_h)s - %(gap)s
    )
    SELECT 'device', s.unit_id, w.person_id, MIN(COALESCE(s.last_h + 1, %(lo)s)), COUNT(*), 0, 0, 0
    FROM silent s JOIN watched w ON w.unit_id = s.unit_id
    GROUP BY s.unit_id, w.person_id
    """


def _params(cfg, now_h: int, today: date) -> dict:
    today_day = (now_h + TZ_HOURS) // 24
    local_hod = (now_h + TZ_HOURS) % 24
    d = today_day if local_hod >= 20 else today_day - 1
    return {
        "prefix": cfg.district.path + "%", "today": today, "now_h": now_h,
        "lo": now_h - cfg.lookback_days * 24, "base_lo": now_h - BASE_DAYS * 24,
        "w_act": float(cfg.water_active_m3), "e_act": float(cfg.power_active_kwh), "flow_m3": float(cfg.flow_m3),
        "fresh": cfg.device_gap_hours, "gap": cfg.device_gap_hours,
        "idle_factor": float(cfg.idle_factor), "idle_margin": cfg.idle_margin_hours,
        "tolerated": cfg.idle_tolerated, "window": cfg.idle_hour_window, "idle_min": cfg.idle_min_hours,
        "flow_min": cfg.flow_min_hours, "flow_margin": cfg.flow_margin_hours,
        "today_day": today_day, "d_lo": d * 24 + 8 - TZ_HOURS,
    }


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
            for kind, unit_id, person_id, since, length, n_similar, n_as_long, longest in cursor.fetchall():
                found.append(Candidate(
                    kind=AlertKind(kind), unit_id=unit_id, person_id=person_id, since_hour=int(since),
                    evidence={"hours": int(length), "similar_spells": int(n_similar or 0),
                              "as_long": int(n_as_long or 0), "longest_similar": int(longest or 0)},
                ))
    return found
