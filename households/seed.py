"""Demo household files: buildings in every grid (8 per grid of 和平里社区), a few hundred people with
Chinese names, encrypted IDs and phones, special groups (several 独居老人 in grid A1, watched by the
care app), rentals, businesses, visits with a history, a pending self-registration and a pending
change request. wang_resident lives in grid A1, feng_resident in 安华里社区. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from governance import access, pii
from governance.models import Assignment, User
from governance.seed import DEMO_PASSWORD, set_target
from households.defaults import load_special_groups
from households.models import (
    Building,
    Business,
    BusinessKind,
    FireCheck,
    FireCheckResult,
    Household,
    HouseholdType,
    Person,
    TagType,
    Unit,
    Visit,
    VisitChannel,
    VisitRule,
)
from households.services import (
    business_create,
    care_contact_add,
    change_request_create,
    compound_create,
    household_create,
    person_create,
    person_tag_add,
    registration_submit,
    rental_create,
    unit_create,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN_M = ["建国", "志强", "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "德华", "国庆", "海涛", "文斌", "振华", "宏伟", "子轩", "浩然", "宇航"]
GIVEN_F = ["秀兰", "秀英", "桂英", "玉兰", "丽", "敏", "静", "芳", "娜", "艳", "霞", "淑珍", "凤英", "雪梅", "晓燕", "美玲", "欣怡", "梓涵", "雨桐", "诗琪"]
STREETS = ["和平里东街", "青年路", "安华西里", "外馆斜街"]
SHOPS = [("老北京炸酱面馆", BusinessKind.SHOP), ("便民超市", BusinessKind.SHOP), ("理发店", BusinessKind.NINE_SMALL),
         ("小诊所", BusinessKind.NINE_SMALL), ("五金建材店", BusinessKind.NINE_SMALL), ("服装加工作坊", BusinessKind.WORKSHOP)]
A1_ELDERLY = [("张桂英", "F", 1938), ("李德华", "M", 1941), ("赵淑珍", "F", 1936), ("刘国庆", "M", 1944), ("孙凤英", "F", 1940)]


class _Ids:
    """Valid, unique GB 11643 numbers for the demo (district 110105)."""

    def __init__(self):
        self.seq = 0

    def make(self, birth: dt.date, sex: str) -> str:
        self.seq += 1
        seq3 = (self.seq * 2 + (1 if sex == "M" else 0)) % 1000
        body = f"110105{birth:%Y%m%d}{seq3:03d}"
        return body + pii.gb11643_check_char(body)


MICROGRID_BUILDINGS = 2  # 1号楼 and 2号楼 of grid A1


def _grid_origin(grid):
    ring = (grid.boundary or {}).get("coordinates", [[[116.43, 39.96]]])[0]
    return ring[0][0], ring[0][1]


@transaction.atomic
def seed(world) -> None:
    load_special_groups(TagType, VisitRule)
    if Person.objects.filter(user=world.users["wang_resident"]).exists():
        return  # already seeded
    rng = random.Random(20261125)
    ids = _Ids()
    tags = {t.code: t for t in TagType.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    phone_seq = iter(range(10000, 99999))

    def mobile():
        return f"139{rng.randint(10, 99)}{next(phone_seq):06d}"

    def new_person(household, *, name=None, sex=None, year=None, relation="", phones=None, user=None):
        sex = sex or rng.choice("MF")
        year = year or rng.randint(1950, 2000)
        birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        name = name or rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
        if phones is None:
            phones = [mobile()] if year > 1945 else [f"010-6{rng.randint(1000000, 9999999)}"]
        return person_create(household=household, name=name, id_type="resident_id",
                             id_number=ids.make(birth, sex), phones=phones, relation=relation, actor=access.system(),
                             source="seed", user=user)

    elderly_a1: list[Person] = []
    persons_by_grid: dict[int, list[Person]] = {}  # grid pk ->
    units_by_grid: dict[int, list[Unit]] = {}
    for g_i, grid in enumerate(world.grids):
        community_index = g_i // 3
        in_a = community_index == 0
        street = STREETS[community_index]
        lon0, lat0 = _grid_origin(grid)
        n_buildings = 8 if in_a else 2
        for b in range(n_buildings):
            number = (g_i % 3) * 10 + b + 1
            # Grid A1's first buildings make up its micro-grid (hu_loudong, the 楼栋长, sees those).
            place = world.microgrids[0] if g_i == 0 and b < MICROGRID_BUILDINGS and world.microgrids else grid
            building = Building.objects.create(
                grid=place, name=f"{b + 1}号楼", address=f"{street}{number}号", floors=6,
                lon=round(lon0 + 0.0005 + (b % 4) * 0.0009, 6), lat=round(lat0 + 0.0008 + (b // 4) * 0.0015, 6),
                region_path=place.path)
            for u in range(3 if in_a else 4):
                entrance, floor = str(u // 2 + 1), u % 6 + 1
                unit = unit_create(building=building, entrance=entrance, floor=floor, number=f"{floor}0{u % 2 + 1}",
                                   area_m2=rng.choice([48, 56, 62, 75, 89]), actor=access.system())
                units_by_grid.setdefault(grid.pk, []).append(unit)
                kind = rng.choice([HouseholdType.REGISTERED, HouseholdType.REGISTERED, HouseholdType.RESIDENT,
                                   HouseholdType.RENTING])
                household = household_create(unit=unit, number=f"{grid.code[-6:]}{b + 1:02d}{u + 1:02d}", kind=kind,
                                             actor=access.system())
                size = rng.choice([1, 2, 2, 3, 3, 4])
                head = new_person(household, relation="户主", year=rng.randint(1945, 1985))
                household.head = head
                household.save(update_fields=["head"])
                members = [head]
                for m in range(size - 1):
                    relation = "配偶" if m == 0 else rng.choice(["子女", "孙子女", "父母"])
                    year = rng.randint(1990, 2018) if relation in ("子女", "孙子女") else rng.randint(1945, 1980)
                    members.append(new_person(household, relation=relation, year=year))
                persons_by_grid.setdefault(grid.pk, []).extend(members)

    grid_a1 = world.grids[0]
    # Several 独居老人 in grid A1, each alone in a flat, each with a daughter or son outside as care contact.
    for i, (name, sex, year) in enumerate(A1_ELDERLY):
        unit = units_by_grid[grid_a1.pk][i * 3 + 1]
        household = household_create(unit=unit, number=f"L{i + 1:02d}", kind=HouseholdType.REGISTERED, actor=access.system())
        person = new_person(household, name=name, sex=sex, year=year, relation="户主",
                            phones=[f"010-6421{1000 + i}"] + ([mobile()] if i % 2 else []))
        household.head = person
        household.save(update_fields=["head"])
        person_tag_add(person=person, tag=tags["elderly_alone"], actor=access.system(), source="社区摸排",
                       valid_from=today - dt.timedelta(days=400))
        elderly_a1.append(person)
        child = ("女儿", "儿子")[i % 2]
        care_contact_add(person=person, name=name[0] + ("丽", "强", "娟", "伟", "红")[i], relation=child,
                         phone=mobile(), actor=access.system())
    family, created = User.objects.get_or_create(username="zhang_family", defaults={"display_name": "张丽",
                                                                                     "mobile": "13800000009"})
    if created:
        family.set_password(DEMO_PASSWORD)
        family.save()
    care_contact_add(person=elderly_a1[0], name="张丽", relation="女儿", phone="13800000009", user=family, actor=access.system())
    world.users["zhang_family"] = family
    world.accounts.append(("Care contact", "zhang_family", DEMO_PASSWORD, f"daughter of {elderly_a1[0].name} (grid A1)"))

    # The two demo residents.
    wang_household = Household.objects.filter(region_path__startswith=grid_a1.path).exclude(number__startswith="L").first()
    new_person(wang_household, name="王秀兰", sex="F", year=1962, relation="配偶",
               phones=[world.users["wang_resident"].mobile], user=world.users["wang_resident"])
    comm_b_grid = world.grids[6]
    feng_household = Household.objects.filter(region_path=comm_b_grid.path).first()
    new_person(feng_household, name="冯建华", sex="M", year=1958, relation="户主",
               phones=[world.users["feng_resident"].mobile], user=world.users["feng_resident"])

    # Special groups spread over the grids (sensitive ones too).
    spread = [("elderly_empty_nest", 0.06, {}, ""), ("disabled", 0.03, {"grade": "二级", "type": "肢体"}, "残联"),
              ("dibao", 0.03, {}, "民政低保名单"), ("tekun", 0.01, {}, "民政特困名单"),
              ("veteran", 0.04, {}, "退役军人服务站"), ("party_member", 0.08, {}, "党支部"),
              ("child_left_behind", 0.02, {}, "学校"), ("key_person", 0.005, {}, "派出所")]
    for people in persons_by_grid.values():
        for person in people:
            for code, share, attrs, source in spread:
                if rng.random() < share:
                    subtype = tags[code].subtypes[0] if tags[code].subtypes else ""
                    person_tag_add(person=person, tag=tags[code], actor=access.system(), attrs=attrs, source=source,
                                   subtype=subtype, valid_from=today - dt.timedelta(days=rng.randint(30, 900)))
    # Make sure the sensitive groups show in grid A1 (for the demo of who sees what).
    a1_people = persons_by_grid[grid_a1.pk]
    person_tag_add(person=a1_people[3], tag=tags["dibao"], actor=access.system(), source="民政低保名单")
    person_tag_add(person=a1_people[5], tag=tags["disabled"], actor=access.system(), attrs={"grade": "三级", "type": "视力"},
                   source="残联")

    # Visits with a history: most A1 elderly visited weekly, one overdue; others now and then.
    worker = world.users["li_gridworker"]
    for i, person in enumerate(elderly_a1):
        last_gap = 12 if i == 2 else rng.randint(1, 5)
        for k in range(6):
            when = now - dt.timedelta(days=last_gap + 7 * k, hours=rng.randint(1, 8))
            Visit.objects.create(person=person, worker=worker, visited_at=when, place="家中",
                                 channel=VisitChannel.HOME if k % 2 == 0 else VisitChannel.PHONE,
                                 findings=rng.choice(["身体状况良好", "血压偏高，已提醒按时服药", "家中暖气正常",
                                                      "需要帮助购买生活用品", "精神状态良好"]),
                                 region_path=person.region_path)
    for grid in world.grids[:3]:
        w = worker if grid == grid_a1 else world.users["zhao_community"]
        for person in persons_by_grid[grid.pk][:8]:
            Visit.objects.create(person=person, worker=w, visited_at=now - dt.timedelta(days=rng.randint(3, 60)),
                                 place="家中", channel=VisitChannel.HOME, findings="入户核实人口信息",
                                 region_path=person.region_path)

    # Rentals: current, ending within a month, expired, missing registration.
    for grid in world.grids[:6]:
        units = units_by_grid[grid.pk]
        landlord = persons_by_grid[grid.pk][0]
        for j, (start_ago, length, reg) in enumerate([(200, 365, True), (340, 365, True), (400, 365, True),
                                                      (60, 180, False)]):
            unit = units[-(j + 1)]
            tenant = household_create(unit=unit, number=f"Z{j + 1:02d}", kind=HouseholdType.RENTING, actor=access.system())
            new_person(tenant, relation="户主", year=rng.randint(1985, 2000))
            starts = today - dt.timedelta(days=start_ago)
            rental_create(unit=unit, starts_on=starts, ends_on=starts + dt.timedelta(days=length), landlord=landlord,
                          tenant_household=tenant, registration_number=f"朝租备{grid.code[-4:]}{j:03d}" if reg else "",
                          registered_on=starts if reg else None, tenants_count=rng.randint(1, 3), actor=access.system())
    # Businesses along the streets of community A.
    for k, (shop, shop_kind) in enumerate(SHOPS):
        grid = world.grids[k % 3]
        unit = units_by_grid[grid.pk][0]
        business = business_create(unit=unit, name=shop, kind=shop_kind, owner_name=rng.choice(SURNAMES) + "老板",
                                   owner_phone=mobile(), licence_number=f"91110105MA0{k:02d}XYZ{k}", employees=k + 1,
                                   actor=access.system())
        FireCheck.objects.create(business=business, checked_on=today - dt.timedelta(days=30 + k * 10),
                                 result=FireCheckResult.HAZARD if k == 2 else FireCheckResult.PASSED,
                                 findings="灭火器过期" if k == 2 else "", checked_by=worker,
                                 next_due=today + dt.timedelta(days=60 - k * 10))

    # Object roles (Assignment.target): the first buildings of grid A1 make up 和平里东街1号院, whose
    # trustee, trust supervisor and owners' committee the core seeded; 徐老板 runs the 便民超市.
    first_buildings = list(Building.objects.filter(region_path__startswith=world.grids[0].path).order_by("pk")[:4])
    compound = compound_create(community=world.communities[0], name="和平里东街1号院", address="和平里东街1-4号",
                               buildings=first_buildings, actor=access.system())
    compound_create(community=world.communities[2], name="安华西里小区", address="安华西里",
                    buildings=list(Building.objects.filter(region_path__startswith=world.communities[2].path)[:2]),
                    actor=access.system())
    for username in ("lin_trustee", "guo_supervisor", "luo_committee"):
        set_target(Assignment.objects.get(user=world.users[username]), compound)
    set_target(Assignment.objects.get(user=world.users["xu_merchant"]), Business.objects.get(name="便民超市"))

    # A resident waiting for verification, and a correction waiting for review.
    newcomer, created = User.objects.get_or_create(username="tang_newcomer", defaults={"display_name": "唐晓燕",
                                                                                       "mobile": "13800000010"})
    if created:
        newcomer.set_password(DEMO_PASSWORD)
        newcomer.save()
    registration_submit(user=newcomer, name="唐晓燕", id_type="resident_id",
                        id_number=ids.make(dt.date(1990, 6, 18), "F"), phone="13800000010",
                        unit=units_by_grid[grid_a1.pk][4], address_note="和平里东街2号 2单元")
    world.accounts.append(("Resident (pending)", "tang_newcomer", DEMO_PASSWORD, "registration waiting for verification"))
    wang = Person.objects.get(user=world.users["wang_resident"])
    change_request_create(person=wang, changes={"relation": "户主"}, reason="户主已变更", actor=world.users["wang_resident"])
