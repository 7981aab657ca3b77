"""Household search benchmark (issue 5): at 200k households / 600k persons on PostgreSQL,

  * search by exact ID (blind index) and by address, through the real selector
    (households.selectors.person_search: access scoping + select_related, as the API runs it),
    for a grid worker (li_gridworker, one grid) and a street officer (chen_street, 60 grids),
    against a hand-written SQL query doing the same scoping, joins and limit —
    ratios printed side by side, measured in one run;
  * the grid worker's due-visit list: query count before and after adding 200 more due persons
    (must not change), and its time against a hand-written SQL query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hh_bench .venv/bin/python -m bench.households
    ... --households 20000      # smaller run;  --regenerate  # drop and rebuild the data

Data lives in the test database test_<name> (kept between runs: generating 600k persons takes minutes)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _django(regenerate: bool):
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hh_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("AXES_ENABLED", "false")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/households runs on PostgreSQL: set DATABASE_URL")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not regenerate)
    return connection


def _median_ms(a, b, repeat):
    """Medians of `a` and `b`, run alternately so that load on the machine hits both alike."""
    a(), b()  # warm
    times = ([], [])
    for _ in range(repeat):
        for fn, out in ((a, times[0]), (b, times[1])):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


# The same columns as the selector loads (households.selectors.SEARCH_FIELDS: what the API list shows).
PERSON_SQL = """
SELECT p.id, p.name, p.sex, p.birth_date, p.relation, p.status, p.household_id, p.id_type, p.id_number_masked,
       p.region_path, h.id, h.unit_id, h.number, u.id, u.building_id, u.entrance, u.number, b.id, b.address, b.name
FROM households_person p
LEFT JOIN households_household h ON h.id = p.household_id
LEFT JOIN households_unit u ON u.id = h.unit_id
LEFT JOIN households_building b ON b.id = u.building_id
WHERE (p.region_path LIKE %s
       OR p.id::text IN (SELECT g.object_pk FROM guardian_userobjectpermission g
                         JOIN auth_permission ap ON ap.id = g.permission_id
                         WHERE g.user_id = %s AND g.content_type_id = %s AND ap.codename = 'view_person'))
  AND {cond}
ORDER BY p.id LIMIT 50
"""


def _load_user(c, username):
    """What a request does first, by hand: the user and its assignments in force (with region, department)."""
    c.execute("SELECT * FROM governance_user WHERE username = %s", [username])
    user_id = c.fetchone()[0]
    c.execute("SELECT a.*, r.*, d.* FROM governance_assignment a LEFT JOIN governance_region r ON r.id = a.region_id "
              "LEFT JOIN governance_department d ON d.id = a.department_id "
              "WHERE a.user_id = %s AND a.starts_at <= now() AND (a.ends_at IS NULL OR a.ends_at > now())", [user_id])
    c.fetchall()
    return user_id


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.households")
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    connection = _django(args.regenerate)


    from django.test.utils import CaptureQueriesContext

    from bench.households.generator import generate
    from governance import pii
    from governance.seed import seed as seed_world
    from households import selectors
    from households.models import Person

    world = seed_world()
    have = Person.objects.count()
    if have < args.households * 3 * 0.9:
        print(f"generating {args.households} households (have {have} persons) ...", flush=True)
        generate(world, households=args.households)
    total = Person.objects.count()
    print(f"data: {total} persons, {total // 3} households (PostgreSQL {connection.pg_version})")

    from django.contrib.contenttypes.models import ContentType

    from governance.models import User

    ct = ContentType.objects.get_for_model(Person).pk
    cases = []
    for username in ("li_gridworker", "chen_street"):
        region = next(a.region for a in User.objects.get(username=username).active_assignments)
        sample = Person.objects.filter(region_path__startswith=region.path).order_by("?").first()
        number = pii.decrypt(sample.id_number_enc)
        address = sample.household.unit.building.address
        like = region.path + "%"

        def orm_id(u=username, n=number):
            user = User.objects.get(username=u)  # a request loads its user and assignments
            return list(selectors.person_search(user, id_number=n)[:50])

        def sql_id(n=number, like=like, username=username):
            with connection.cursor() as c:
                uid = _load_user(c, username)
                c.execute(PERSON_SQL.format(cond="p.id_number_hash = %s"), [like, uid, ct, pii.id_index(n)])
                return c.fetchall()

        def orm_addr(u=username, a=address):
            user = User.objects.get(username=u)
            return list(selectors.person_search(user, address=a)[:50])

        def sql_addr(a=address, like=like, username=username):
            with connection.cursor() as c:
                uid = _load_user(c, username)
                c.execute(PERSON_SQL.format(cond="(UPPER(b.address) LIKE UPPER(%s) OR UPPER(b.name) LIKE UPPER(%s))"),
                          [like, uid, ct, f"%{a}%", f"%{a}%"])
                return c.fetchall()

        loaded = User.objects.get(username=username)
        loaded.active_assignments  # noqa: B018  (as after authentication and the permission check)

        def orm_id_only(user=loaded, n=number):
            return list(selectors.person_search(user, id_number=n)[:50])

        def sql_id_only(n=number, like=like, uid=loaded.pk):
            with connection.cursor() as c:
                c.execute(PERSON_SQL.format(cond="p.id_number_hash = %s"), [like, uid, ct, pii.id_index(n)])
                return c.fetchall()

        assert [p.pk for p in orm_id()] == [r[0] for r in sql_id()], "exact-ID results differ"
        assert [p.pk for p in orm_addr()] == [r[0] for r in sql_addr()], "address results differ"
        in_scope = Person.objects.filter(region_path__startswith=region.path).count()
        cases.append((f"exact ID, {username} ({in_scope} persons in scope)", orm_id, sql_id))
        cases.append(("  the same, user already loaded (search query only)", orm_id_only, sql_id_only))
        cases.append((f"address '{address}', {username}", orm_addr, sql_addr))

    print("\nEach line: the real selector (user + assignments + scoped search, model instances) vs hand-written\n"
          "SQL doing the same (user + assignments + the same scope: region prefix OR guardian grant, same joins\n"
          "and columns); median of --repeat runs, measured alternately in this one process.")
    print(f"\n{'search':<58} {'ORM ms':>8} {'SQL ms':>8} {'ratio':>6}")
    worst = 0.0
    for label, orm, sql in cases:
        o, s = _median_ms(orm, sql, args.repeat)
        worst = max(worst, o / s)
        print(f"{label:<58} {o:8.2f} {s:8.2f} {o / s:6.2f}")
    print(f"worst ratio {worst:.2f} (target ≤ 3)")

    # due visits: constant queries, and time against a hand-written query
    li = User.objects.get(username="li_gridworker")
    grid = li.active_assignments[0].region

    def due():
        user = User.objects.get(pk=li.pk)
        return selectors.due_visits(user, limit=None)

    with CaptureQueriesContext(connection) as before:
        rows_before = due()
    from households.models import Household, PersonTag, TagType

    household = Household.objects.filter(region_path=grid.path).first()
    tag = TagType.objects.get(code="elderly_alone")
    new = Person.objects.bulk_create([Person(household=household, name=f"新增{i}", region_path=grid.path)
                                      for i in range(200)])
    PersonTag.objects.bulk_create([PersonTag(person=p, tag=tag) for p in new])
    with CaptureQueriesContext(connection) as after:
        rows_after = due()
    Person.objects.filter(pk__in=[p.pk for p in new]).delete()
    print(f"\ndue-visit list of {grid.name}: {len(before.captured_queries)} queries for {len(rows_before)} rows, "
          f"{len(after.captured_queries)} queries for {len(rows_after)} rows")

    due_sql = """
    WITH t AS (SELECT pt.person_id, MIN(r.interval_days) AS interval FROM households_persontag pt
               JOIN households_visitrule r ON r.tag_id = pt.tag_id AND r.active AND r.interval_days IS NOT NULL
               WHERE (pt.valid_from IS NULL OR pt.valid_from <= CURRENT_DATE)
                 AND (pt.valid_until IS NULL OR pt.valid_until >= CURRENT_DATE) GROUP BY pt.person_id),
         v AS (SELECT p.id, t.interval, (SELECT MAX(visited_at) FROM households_visit v
                 WHERE v.person_id = p.id OR (v.person_id IS NULL AND v.household_id = p.household_id)) AS last
               FROM households_person p JOIN t ON t.person_id = p.id
               WHERE p.region_path LIKE %s AND p.status = 'living')
    SELECT v.*, b.address FROM v JOIN households_person p ON p.id = v.id
    LEFT JOIN households_household h ON h.id = p.household_id LEFT JOIN households_unit u ON u.id = h.unit_id
    LEFT JOIN households_building b ON b.id = u.building_id
    WHERE v.last IS NULL OR v.last < now() - (v.interval - 3) * interval '1 day' ORDER BY v.last NULLS FIRST, v.id
    """

    def sql_due():
        with connection.cursor() as c:
            c.execute(due_sql, [grid.path + "%"])
            return c.fetchall()

    assert len(sql_due()) == len(rows_before), (len(sql_due()), len(rows_before))
    o, s = _median_ms(due, sql_due, args.repeat)
    print(f"{'due-visit list, li_gridworker':<58} {o:8.2f} {s:8.2f} {o / s:6.2f}")
    return 0 if worst <= 3 else 1



