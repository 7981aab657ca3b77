"""Synthetic district for the household benchmark: 20 streets × 10 communities × 6 grids (1,200 grids,
the seeded demo world's grids among them), N households of 3 persons spread evenly (200,000 / 600,000
by default), 5% of persons in a visit-ruled special group, one visit for most of them.

Rows go in with PostgreSQL COPY (psycopg 3), with the same encryption, blind index and masking as
the services (governance.pii), so the indexes and row widths are the production ones."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, transaction
from django.utils import timezone

ROADS = ["安定路", "和平里东街", "青年路", "安华西里", "外馆斜街", "北三环东路", "惠新东街", "樱花园西街", "地坛北里",
         "化工路", "交道口南大街", "小关北里", "胜古中路", "中日友好医院路", "安苑路", "育慧南路"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = ["建国", "志强", "伟", "秀兰", "秀英", "桂英", "玉兰", "丽", "敏", "静", "芳", "磊", "军", "勇", "杰", "涛", "明",
         "超", "德华", "国庆", "海涛", "淑珍", "凤英", "雪梅", "晓燕", "子轩", "浩然", "欣怡", "梓涵", "雨桐"]
STREETS, COMMUNITIES, GRIDS = 20, 10, 6


def build_regions(world):
    """Top the demo tree up to STREETS × COMMUNITIES × GRIDS grids; return the grid list."""
    from governance.models import Region

    district = world.district
    streets = list(Region.objects.filter(parent=district, level="street").order_by("code"))
    while len(streets) < STREETS:
        n = len(streets) + 1
        streets.append(Region.objects.create(code=f"{district.code}{n:03d}", level="street", name=f"第{n}街道",
                                             parent=district))
    for street in streets:
        communities = list(Region.objects.filter(parent=street, level="community").order_by("code"))
        while len(communities) < COMMUNITIES:
            n = len(communities) + 1
            communities.append(Region.objects.create(code=f"{street.code}{n:03d}", level="community",
                                                     name=f"{street.name}第{n}社区", parent=street))
        for community in communities:
            have = Region.objects.filter(parent=community, level="grid").count()
            for n in range(have + 1, GRIDS + 1):
                Region.objects.create(code=f"{community.code}{n:03d}", level="grid", name=f"{community.name}第{n}网格",
                                      parent=community)
    return list(Region.objects.filter(level="grid").order_by("path"))


def _next_ids(table, count):
    with connection.cursor() as c:
        c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = c.fetchone()[0] + 1
    return start, start + count


def _setval(tables):
    with connection.cursor() as c:
        for t in tables:
            c.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")


def _copy(table, columns, rows):
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate(world, *, households: int, seed: int = 7, log=print):
    from governance import pii
    from households.defaults import load_special_groups
    from households.models import TagType, VisitRule

    t0 = time.perf_counter()
    rng = random.Random(seed)
    load_special_groups(TagType, VisitRule)
    grids = build_regions(world)
    tags = [t.pk for t in TagType.objects.filter(code__in=["elderly_alone", "elderly_empty_nest", "dibao", "disabled",
                                                            "veteran"])]
    per_grid = max(1, households // len(grids))
    units_per_building = 24
    now = timezone.now()
    worker_id = world.users["li_gridworker"].pk
    log(f"  {len(grids)} grids, {per_grid} households per grid")
    b_id, _ = _next_ids("households_building", 0)
    u_id, _ = _next_ids("households_unit", 0)
    h_id, _ = _next_ids("households_household", 0)
    p_id, _ = _next_ids("households_person", 0)
    t_id, _ = _next_ids("households_persontag", 0)
    v_id, _ = _next_ids("households_visit", 0)
    buildings, units, hhs, persons, ptags, visits = [], [], [], [], [], []
    seq = 0
    fernet = pii.fernet()
    for g_i, grid in enumerate(grids):
        road = ROADS[g_i % len(ROADS)]
        for k in range(per_grid):
            if k % units_per_building == 0:
                number = (g_i // len(ROADS)) * 40 + k // units_per_building + 1
                buildings.append((b_id, grid.pk, f"{k // units_per_building + 1}号楼", f"{road}{number}号", None, None,
                                  6, grid.path))
                b_id += 1
            u = k % units_per_building
            floor = (u % 12) // 2 + 1
            units.append((u_id, b_id - 1, str(u // 12 + 1), floor, f"{floor}0{u % 2 + 1}", None, grid.path))
            hhs.append((h_id, f"{grid.pk}-{k}", "registered", u_id, None, now, grid.path))
            for m in range(3):
                seq += 1
                birth = dt.date(1940 + seq % 70, seq % 12 + 1, seq % 28 + 1)
                # (birth date, 3-digit sequence) repeats every lcm(70, 12, 28, 1000) = 21,000 persons:
                # the area code changes every 21,000 so every number is unique
                body = f"{110000 + seq // 21000:06d}{birth:%Y%m%d}{seq % 1000:03d}"
                number = body + pii.gb11643_check_char(body)
                persons.append((p_id, h_id, None, rng.choice(SURNAMES) + rng.choice(GIVEN), birth,
                                "M" if seq % 2 else "F", ("户主", "配偶", "子女")[m], "living", None, "resident_id",
                                fernet.encrypt(number.encode()).decode(), pii.blind_index(number, "id"),
                                pii.mask_id(number), number[-4:], grid.path, now, None))
                if rng.random() < 0.05:
                    ptags.append((t_id, p_id, rng.choice(tags), "", "{}", "bench", dt.date(2024, 1, 1), None, now))
                    t_id += 1
                    if rng.random() < 0.8:
                        visits.append((v_id, p_id, None, worker_id, now - dt.timedelta(days=rng.randint(0, 120)),
                                       "", "home", "", False, "", grid.path, now))
                        v_id += 1
                p_id += 1
            u_id += 1
            h_id += 1
    log(f"  built rows in {time.perf_counter() - t0:.0f}s: {len(hhs)} households, {len(persons)} persons")
    with transaction.atomic():
        _copy("households_building", ["id", "grid_id", "name", "address", "lon", "lat", "floors", "region_path"],
              buildings)
        _copy("households_unit", ["id", "building_id", "entrance", "floor", "number", "area_m2", "region_path"], units)
        _copy("households_household", ["id", "number", "kind", "unit_id", "head_id", "created_at", "region_path"], hhs)
        _copy("households_person", ["id", "household_id", "user_id", "name", "birth_date", "sex", "relation", "status",
                                    "status_changed_at", "id_type", "id_number_enc", "id_number_hash",
                                    "id_number_masked", "id_last4", "region_path", "created_at", "purged_at"], persons)
        _copy("households_persontag", ["id", "person_id", "tag_id", "subtype", "attrs", "source", "valid_from",
                                       "valid_until", "created_at"], ptags)
        _copy("households_visit", ["id", "person_id", "household_id", "worker_id", "visited_at", "place", "channel",
                                   "findings", "follow_up_needed", "follow_up_note", "region_path", "created_at"], visits)
        _setval(["households_building", "households_unit", "households_household", "households_person",
                 "households_persontag", "households_visit"])
    with connection.cursor() as c:
        c.execute("ANALYZE")
    log(f"  loaded in {time.perf_counter() - t0:.0f}s: {len(persons)} persons, {len(ptags)} tags, {len(visits)} visits")
    return persons
