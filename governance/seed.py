"""The demo world: one district, 2 streets, 4 communities, 12 grids, the district's
departments, and one account per role (plus out-of-scope twins). Idempotent.

Tests use the same world through tests/personas.py, so the accounts printed by
`make run` are the people the authorization matrix is written about."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from governance.models import Assignment, Council, Department, PartyBranch, Region, User
from governance.models.regions import DepartmentKind
from governance.roles import Role

DEMO_PASSWORD = "Linli@2026"

DEPARTMENTS = {  # from ../shared/domain/rules.yaml (copied: the project never reads ../shared at run time)
    "chengguan": "城管执法局", "huanwei": "环境卫生管理处", "yuanlin": "园林绿化局", "zhujian": "住房和城乡建设局",
    "guihua": "规划和自然资源局", "shizheng": "市政设施管理处", "jiaotong": "交通运输局", "shuiwu": "水务局",
    "shengtai": "生态环境局", "gongan": "公安分局", "xiaofang": "消防救援大队", "minzheng": "民政局",
    "shichang": "市场监督管理局", "weijian": "卫生健康委员会", "yingji": "应急管理局",
    "water_co": "供水公司", "power_co": "供电公司", "gas_co": "燃气公司", "heat_co": "供热公司", "telecom_co": "通信运营商",
}
UTILITIES = {"water_co", "power_co", "gas_co", "heat_co", "telecom_co"}

# (street code suffix, name, [(community suffix, name, [grid names])])
TREE = [
    ("001", "和平街道", [("001", "和平里社区", ["第一网格", "第二网格", "第三网格"]),
                       ("002", "青年路社区", ["第一网格", "第二网格", "第三网格"])]),
    ("002", "安贞街道", [("001", "安华里社区", ["第一网格", "第二网格", "第三网格"]),
                       ("002", "外馆社区", ["第一网格", "第二网格", "第三网格"])]),
]
DISTRICT_CODE = "110105"
BASE_LON, BASE_LAT = 116.4300, 39.9600


def _box(lon, lat, d=0.004):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}


@dataclass
class World:
    district: Region
    streets: list[Region] = field(default_factory=list)
    communities: list[Region] = field(default_factory=list)
    grids: list[Region] = field(default_factory=list)
    microgrids: list[Region] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # role, username, password, scope
    councils: list[Council] = field(default_factory=list)


def _region(code, level, name, parent, boundary=None):
    region, created = Region.objects.get_or_create(
        code=code, defaults={"level": level, "name": name, "parent": parent, "boundary": boundary}
    )
    return region


def _user(world, username, display, role, *, region=None, department=None, target=None, mobile=None, scope=""):
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display, "mobile": mobile})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    held = Assignment.objects.filter(user=user, role=role, region=region, department=department).first()
    if role and held is None:
        Assignment.objects.create(user=user, role=role, region=region, department=department, target=target)
    elif held is not None and target is not None and held.target_id is None:
        set_target(held, target)
    world.users[username] = user
    world.accounts.append((str(Role(role).label) if role else "superuser", username, DEMO_PASSWORD, scope))
    return user


def set_target(assignment: Assignment, target) -> None:
    """Give an object role its object (a compound, a shop, a council): the seeds of the apps that
    own those objects call it for the personas the core seeded."""
    from django.contrib.contenttypes.models import ContentType

    Assignment.objects.filter(pk=assignment.pk).update(target_type=ContentType.objects.get_for_model(target),
                                                      target_id=target.pk)


def _load_calendar():
    """The statutory holidays and 调休 days of the years chinesecalendar knows (2025–2026 here)."""
    from governance import workdays
    from governance.models import HolidayYear

    missing = [y for y in (2025, 2026) if not HolidayYear.objects.filter(year=y).exists()]
    if missing:
        workdays.load_from_chinesecalendar(missing)


@transaction.atomic
def seed() -> World:
    district = _region(DISTRICT_CODE, "district", "朝阳区", None)
    world = World(district=district)
    for s_i, (s_code, s_name, communities) in enumerate(TREE):
        street = _region(DISTRICT_CODE + s_code, "street", s_name, district)
        world.streets.append(street)
        for c_i, (c_code, c_name, grids) in enumerate(communities):
            community = _region(street.code + c_code, "community", c_name, street)
            world.communities.append(community)
            for g_i, g_name in enumerate(grids):
                lon = BASE_LON + s_i * 0.05 + c_i * 0.015 + g_i * 0.004
                grid = _region(f"{community.code}{g_i + 1:03d}", "grid", f"{c_name}{g_name}", community, _box(lon, BASE_LAT))
                world.grids.append(grid)
                PartyBranch.objects.get_or_create(
                    grid=grid,
                    defaults={"name": f"{c_name}{g_name}党支部", "secretary": ["张建国", "李秀英", "王志强"][g_i],
                              "members": "\n".join(["刘芳", "陈伟", "杨洋", "赵敏"]), "member_count": 4},
                )
    _load_calendar()
    first_grid = world.grids[0]
    world.microgrids.append(_region(first_grid.code + "01", "microgrid", f"{first_grid.name}1-2号楼微网格", first_grid))
    for code, name in DEPARTMENTS.items():
        dept, _ = Department.objects.get_or_create(
            district=district, code=code,
            defaults={"name": name, "kind": DepartmentKind.UTILITY if code in UTILITIES else DepartmentKind.GOVERNMENT},
        )
        world.departments[code] = dept

    grid_a1, grid_a2 = world.grids[0], world.grids[1]
    comm_a, comm_b = world.communities[0], world.communities[2]
    street_a, street_b = world.streets
    R = Role
    _user(world, "admin", "系统管理员", None, scope="everything (superuser)")
    world.users["admin"].is_superuser = world.users["admin"].is_staff = True
    world.users["admin"].save()
    _user(world, "wang_resident", "王秀兰", R.RESIDENT, region=comm_a, mobile="13800000001", scope=f"own household, {comm_a.name}")
    _user(world, "feng_resident", "冯建华", R.RESIDENT, region=comm_b, mobile="13800000002", scope=f"own household, {comm_b.name}")
    _user(world, "li_gridworker", "李娜", R.GRID_WORKER, region=grid_a1, mobile="13900000001", scope=grid_a1.name)
    _user(world, "wu_gridworker", "吴磊", R.GRID_WORKER, region=grid_a2, mobile="13900000002", scope=f"{grid_a2.name} (out-of-scope twin)")
    _user(world, "ma_gridleader", "马强", R.GRID_LEADER, region=grid_a1, scope=grid_a1.name)
    _user(world, "hu_loudong", "胡玉梅", R.MICROGRID_HEAD, region=world.microgrids[0], scope=world.microgrids[0].name)
    _user(world, "zhao_community", "赵丽", R.COMMUNITY_STAFF, region=comm_a, scope=comm_a.name)
    _user(world, "he_community", "何平", R.COMMUNITY_STAFF, region=comm_b, scope=f"{comm_b.name} (out-of-scope twin)")
    _user(world, "chen_street", "陈刚", R.STREET_OFFICER, region=street_a, scope=street_a.name)
    _user(world, "zhou_outsider", "周敏", R.STREET_OFFICER, region=street_b, scope=f"{street_b.name} (out-of-scope twin)")
    _user(world, "liu_district", "刘洋", R.DISTRICT_ADMIN, region=district, scope=district.name)
    _user(world, "sun_department", "孙涛", R.DEPARTMENT_STAFF, department=world.departments["chengguan"], scope="城管执法局")
    _user(world, "qian_department", "钱坤", R.DEPARTMENT_STAFF, department=world.departments["minzheng"], scope="民政局 (out-of-scope twin for 城管)")
    _user(world, "shui_utility", "供水公司接口", R.DEPARTMENT_STAFF, department=world.departments["water_co"], scope="供水公司 (meters, orders)")
    _user(world, "xu_merchant", "徐老板", R.MERCHANT, scope="their shop")
    _user(world, "lin_trustee", "林物业", R.PROPERTY_TRUSTEE, scope="their compound")
    _user(world, "guo_supervisor", "郭监察", R.TRUST_SUPERVISOR, scope="their compound")
    _user(world, "luo_committee", "罗主任", R.OWNERS_COMMITTEE, scope="their compound")
    councils = [Council.objects.get_or_create(region=c, name=f"{c.name}居民议事会")[0] for c in (comm_a, comm_b)]
    world.councils.extend(councils)
    _user(world, "song_council", "宋议事", R.COUNCIL_MEMBER, region=comm_a, target=councils[0],
          scope=f"{councils[0].name}")
    # Staff log into the back office; is_staff is only the door, the role decides what is inside.
    User.objects.filter(assignments__role__in=[r for r in Role if r not in (R.RESIDENT,)]).update(is_staff=True)
    _demo_vote(world)
    _demo_publicity(world)
    return world


POINTS_NOTICE = "和平里社区11月志愿服务积分公示"


def _demo_publicity(world: World) -> None:
    """A list published in community A since yesterday for 5 working days: residents may object."""
    import datetime as dt

    from django.utils import timezone

    from governance import publicity
    from governance.models import Publicity

    comm_a, staff = world.communities[0], world.users["zhao_community"]
    if Publicity.objects.filter(region=comm_a, title=POINTS_NOTICE).exists():
        return
    pub = publicity.publicity_create(
        actor=staff, title=POINTS_NOTICE, region=comm_a, kind="points.claims", days=5, day_count="working",
        body="以下为11月志愿服务积分申报，公示期内如有异议，请在本页提出，社区将逐条答复。",
        items=[{"key": "demo:1", "label": "王秀兰 楼道清扫 3次", "amount": "15"},
               {"key": "demo:2", "label": "张桂英 垃圾分类引导 4次", "amount": "20"},
               {"key": "demo:3", "label": "刘建国 夜间巡逻 2次", "amount": "10"}])
    publicity.publicity_publish(publicity=pub, actor=staff, at=timezone.now() - dt.timedelta(days=1))


LIFT_VOTE = "和平里东街1号楼加装电梯"


def _demo_vote(world: World) -> None:
    """An owners' vote under way in community A: 王秀兰 votes in the portal, two neighbours
    without accounts have voted on paper (recorded by 赵丽)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from governance import votes
    from governance.models import Elector, Vote

    comm_a, staff = world.communities[0], world.users["zhao_community"]
    if Vote.objects.filter(region=comm_a, title=LIFT_VOTE).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    vote = votes.vote_create(actor=staff, title=LIFT_VOTE, region=comm_a, rule="civil_code_major", notice_days=7,
                             changeable=True, weight_label="专有面积 (m²)", opens_at=now - dt.timedelta(days=1),
                             closes_at=now + dt.timedelta(days=6),
                             description="拟由业主共同出资、申请财政补贴，为1号楼加装一部电梯。方案与费用分摊表见社区公告栏。")
    owners = [("101", "王秀兰", "89.30", world.users["wang_resident"]), ("102", "张桂英", "76.45", None),
              ("201", "刘建国", "89.30", None), ("202", "陈秀珍", "76.45", None), ("301", "杨明", "89.30", None),
              ("302", "赵红", "76.45", None)]
    votes.electorate_set(vote=vote, actor=staff, rows=[
        {"key": f"unit:1-{room}", "label": f"1号楼{room} {name}", "weight": Decimal(area), "user": user}
        for room, name, area, user in owners])
    votes.vote_announce(vote=vote, actor=staff, at=now - dt.timedelta(days=8))
    votes.vote_open(vote=vote, actor=staff, at=now - dt.timedelta(days=1))
    for key, choice in (("unit:1-102", "yes"), ("unit:1-201", "yes")):
        votes.ballot_cast(vote=vote, actor=staff, elector=Elector.objects.get(vote=vote, key=key), choice=choice,
                          channel="paper", at=now - dt.timedelta(hours=20))
