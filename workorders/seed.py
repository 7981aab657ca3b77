"""Demo work orders: the default categories and request types, routing rules, a duty roster,
two more department accounts, and ~40 orders in every state of the loop across both streets,
with back-dated timelines (the services run on workorders.clock), photos-free follow-ups and
a sweep at the end so overdue and amber orders stand out. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from governance import access
from governance.models import Assignment, User
from governance.roles import Role
from governance.seed import DEMO_PASSWORD
from workorders import clock, services
from workorders.models import Category, DutyRoster, RequestType, RoutingRule, WorkOrder
from workorders.reference import load_defaults

MARK = "demo-"

# (key, category, grid index, who reports (persona or (name, phone, channel)), description, final state, days ago)
ORDERS = [
    ("01", "e0102", 0, "wang_resident", "和平里东街5号院门口堆了一大堆生活垃圾，已经三天没人清运，气味很大。", "closed", 12),
    ("02", "e0401", 0, ("刘建国", "13911230001", "phone"), "青年路口每天晚上有烧烤摊占道经营，油烟很大，影响通行。", "closed_unhappy", 11),
    ("03", "c0106", 1, ("张秀英", "13911230002", "12345"), "和平里东街7号楼前的路灯已经坏了一个星期，晚上很黑。", "in_progress", 1),
    ("04", "e0602", 0, "wang_resident", "3号楼2单元楼道里堆满了纸箱和旧家具，堵住了消防通道。", "handled", 2),
    ("05", "e0603", 0, ("李大爷", "010-64218877", "walk_in"), "楼里有人把电动车推进楼道充电，电线从窗户拉下来，很危险。", "dispatched", 1),
    ("06", "c0101", 1, ("王师傅", "13911230003", "phone"), "青年路12号门口的上水井盖缺失，已经用树枝挡着，怕有人掉下去。", "overdue", 2),
    ("07", "e0201", 0, "li_gridworker", "巡查发现和平里东街公交站牌上贴满了小广告。", "accepted", 0),
    ("08", "e0108", 2, ("陈女士", "13911230004", "12345"), "小区南门外有人扔了两张旧沙发和一个床垫，占了半条路。", "reported", 0),
    ("09", "e0601", 0, ("赵阿姨", "13911230005", "walk_in"), "楼上住户装修噪音，双方多次争吵，希望社区出面调解。", "closed", 9),
    ("10", "e0104", 6, "feng_resident", "安华里小区主路每天上午都很脏，落叶和垃圾没人扫。", "in_progress", 1),
    ("11", "e0502", 7, ("孙先生", "13911230006", "12345"), "外馆斜街路面有水往外冒，好像是自来水管破了。", "closed", 6),
    ("12", "e0403", 0, ("周先生", "13911230007", "phone"), "消防通道上长期停着一辆白色面包车，物业劝说无效。", "not_accepted", 3),
    ("13", "c0402", 1, ("吴女士", "13911230008", "12345"), "街心花园的座椅坏了两张，铁钉露在外面。", "parked", 15),
    ("14", "e0303", 6, ("郑先生", "13911230009", "12345"), "工地没有覆盖，风一吹全是土，窗户都不敢开。", "appealed", 8),
    ("15", "e0401", 1, ("钱女士", "13911230010", "phone"), "菜市场门口流动摊贩占满人行道，老人推车过不去。", "extended", 3),
    ("16", "e0102", 0, ("马先生", "13911230011", "phone"), "和平里东街5号院门口的垃圾还是没人清理。", "merged", 11),
    ("17", "e0605", 0, ("张桂英的女儿", "13911230012", "phone"), "我母亲独居，电话一直打不通，请网格员上门看看。", "closed", 5),
    ("18", "e0102", 3, ("黄先生", "13911230013", "12345"), "青年路社区北门垃圾桶满溢，周边散落很多垃圾。", "sent_back", 2),
    ("19", "e0201", 0, "wang_resident", "单元门上又被贴了开锁、通下水道的小广告。", "reopened", 10),
    ("20", "e0401", 0, ("冯女士", "13911230014", "12345"), "早市摊位占道，救护车差点进不来。", "supervised", 3),
    ("21", "c0301", 2, ("何先生", "13911230015", "12345"), "安华里公交站旁的果皮箱被撞坏了。", "rework", 5),
    ("22", "e0109", 0, "wang_resident", "垃圾分类投放点经常混投，桶也满了没人换。", "amber", 1),
]

EXTRA_STAFF = [
    ("zhou_huanwei", "周师傅", "huanwei", "环境卫生管理处"),
    ("deng_shizheng", "邓工", "shizheng", "市政设施管理处"),
    ("tang_yuanlin", "唐工", "yuanlin", "园林绿化局"),
    ("jiang_zhujian", "蒋工", "zhujian", "住房和城乡建设局"),
]


def _staff(world):
    for username, display, code, name in EXTRA_STAFF:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display,
                                                                                "is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        dept = world.departments[code]
        if not Assignment.objects.filter(user=user, role=Role.DEPARTMENT_STAFF, department=dept).exists():
            Assignment.objects.create(user=user, role=Role.DEPARTMENT_STAFF, department=dept)
        world.users[username] = User.objects.get(pk=user.pk)
        world.accounts.append((str(Role.DEPARTMENT_STAFF.label), username, DEMO_PASSWORD, f"{name} (work orders)"))


def _config(world):
    load_defaults()
    cats = {f"{c.kind[0]}{c.code}": c for c in Category.objects.all()}
    street_b = world.streets[1]
    # 安贞街道 runs 街面秩序 the 12345 way: the street first, it handles or passes on.
    RoutingRule.objects.get_or_create(category=cats["e04"], region=street_b, defaults={
        "mode": "territorial", "territorial_level": "street", "note": "街面秩序属地先办"})
    for i, grid in enumerate(world.grids[:6]):
        worker = world.users["li_gridworker"] if i == 0 else world.users["wu_gridworker"] if i == 1 else None
        if worker is None:
            continue
        for wd in range(7):
            who = world.users["ma_gridleader"] if (i == 0 and wd >= 5) else worker
            DutyRoster.objects.get_or_create(grid=grid, weekday=wd, defaults={"user": who})
    return cats


def _who(world, spec):
    if isinstance(spec, str):
        user = world.users[spec]
        channel = "patrol" if access.has_role(user, Role.GRID_WORKER) else "portal"
        return user, channel, {}
    name, phone, channel = spec
    return None, channel, {"contact_name": name, "contact_phone": phone}


def _t(base, hours):
    return base + dt.timedelta(hours=hours)


@transaction.atomic
def seed(world):
    _staff(world)
    cats = _config(world)
    if WorkOrder.objects.filter(external_id__startswith=MARK).exists():
        return
    u = world.users
    now = timezone.now()
    made = {}
    for key, code, g, who, text, state, days in ORDERS:
        reporter, channel, contact = _who(world, who)
        street = world.streets[0] if g < 6 else world.streets[1]
        comm_staff = u["zhao_community"] if g < 3 else (u["he_community"] if g >= 6 else u["zhao_community"])
        officer = u["chen_street"] if street == world.streets[0] else u["zhou_outsider"]
        if g in (3, 4, 5):  # 青年路社区: its staff is not a persona; the street acts
            comm_staff = officer
        base = now - dt.timedelta(days=days, hours=2)
        if state in ("overdue", "supervised"):
            base = now - dt.timedelta(days=days + 2)
        grid = world.grids[g]
        ring = grid.boundary["coordinates"][0]
        lon, lat = ring[0][0] + 0.0012 + 0.0004 * (int(key) % 5), ring[0][1] + 0.0008 + 0.0003 * (int(key) % 7)
        actor = reporter or (u["zhao_community"] if g < 3 else (officer if g < 6 else u["he_community"]))
        rtype = RequestType.objects.get(code="complaint") if code in ("e0401", "e0303", "e0403") else None
        with clock.at(base):
            order = services.order_report(actor=actor, channel=channel, category=cats[code], description=text,
                                          lon=lon, lat=lat, request_type=rtype, external_id=f"{MARK}{key}",
                                          urgency="urgent" if code in ("c0101", "e0502") else "normal", **contact)
        made[key] = order
        if state == "reported":
            continue
        with clock.at(_t(base, 0.5)):
            if state == "not_accepted":
                services.order_reject(order=order, actor=comm_staff, reason="not_our_area",
                                      message="该车辆停放位置属于物业管理的小区内部道路，请联系物业处理；如有消防隐患可拨打119。")
                continue
            if state == "merged":
                services.order_merge(order=order, into=made["01"], actor=comm_staff, note="与GD工单重复")
                continue
            services.order_accept(order=order, actor=comm_staff)
        if state == "accepted":
            continue
        with clock.at(_t(base, 1)):
            grid_level = cats[code].routing_mode == "grid"
            if grid_level:
                worker = u["li_gridworker"] if g == 0 else (u["wu_gridworker"] if g == 1 else None)
                order = services.order_dispatch(order=order, actor=comm_staff, user=worker,
                                                reason="" if worker else "社区直接处理",
                                                region=None if worker else grid.parent)
            else:
                order = services.order_dispatch(order=order, actor=officer)
        handler = _handler(world, order)
        if state == "sent_back":
            with clock.at(_t(base, 2)):
                services.order_send_back(order=order, actor=handler, reason="该点位垃圾桶属于物业自管，不在环卫清运范围")
            continue
        if state in ("dispatched", "overdue"):
            continue
        with clock.at(_t(base, 1.5)):
            order = services.order_start(order=order, actor=handler, note="已安排人员前往现场")
        if state == "supervised":
            with clock.at(_t(base, 30)):
                services.order_supervise(order=order, actor=officer, note="群众反映强烈，请今日内处理到位并反馈")
            continue
        if state == "extended":
            with clock.at(_t(base, 2)):
                app = services.extension_request(order=order, actor=handler, extra_limit=2, extra_unit="work_days",
                                                 note="需与市场监管所联合执法，申请延期两个工作日")
                services.extension_decide(application=app, actor=officer, approve=True, note="同意延期")
            continue
        if state == "parked":
            with clock.at(_t(base, 3)):
                app = services.park_request(order=order, actor=handler, reason="budget",
                                            note="座椅需整体更换，已报明年绿化养护预算")
                services.park_decide(application=app, actor=officer, approve=True, note="同意挂账，纳入年度计划")
            continue
        if state == "appealed":
            with clock.at(_t(base, 3)):
                app = services.appeal_request(order=order, actor=handler, reason="not_our_duty",
                                              note="该工地扬尘由生态环境部门监管，本单位已移交")
                services.appeal_decide(application=app, actor=officer, approve=True, note="情况属实，不计入考核")
            continue
        if state in ("in_progress", "amber"):
            continue
        with clock.at(_t(base, 3)):
            photos = [_photo(key)] if order.category.after_photos_required else []
            order = services.order_handle(order=order, actor=handler, note=_result(code), photo_files=photos)
        if state == "handled":
            continue
        if state == "rework":
            with clock.at(_t(base, 5)):
                services.order_return_rework(order=order, actor=officer, reason="现场核查果皮箱仍未更换，请返工")
            continue
        verifier = comm_staff if order.assigned_user_id else officer
        with clock.at(_t(base, 6)):
            order = services.order_verify_close(order=order, actor=verifier, note="现场核查，已处置到位")
        caller = officer if verifier != officer else comm_staff
        with clock.at(_t(base, 24)):
            if state == "closed_unhappy":
                services.followup_record(order=order, actor=caller, contacted_in_time=True, solved=False,
                                         satisfaction="unsatisfied", comment="晚上摊贩又回来了")
            elif state == "reopened":
                services.followup_record(order=order, actor=order.reporter, contacted_in_time=True, solved=False,
                                         satisfaction="basic")
            else:
                services.followup_record(order=order, actor=caller, contacted_in_time=True, solved=True,
                                         satisfaction="satisfied" if int(key) % 3 else "basic")
        if state == "reopened":
            with clock.at(_t(base, 48)):
                services.order_reopen(order=order, actor=order.reporter, reason="小广告又贴上了，请彻底清理")
    services.sweep(now)


def _handler(world, order):
    u = world.users
    if order.assigned_user_id:
        return order.assigned_user
    if order.assigned_department_id:
        dept_staff = Assignment.objects.active().filter(role=Role.DEPARTMENT_STAFF,
                                                       department=order.assigned_department).first()
        if dept_staff:
            return User.objects.get(pk=dept_staff.user_id)
    if order.assigned_region_id:
        level = order.assigned_region.level
        if level == "street":
            return u["chen_street"] if order.region_path.startswith(world.streets[0].path) else u["zhou_outsider"]
        return u["zhao_community"] if order.assigned_region == world.communities[0] else u["he_community"]
    raise LookupError(f"no handler for {order}")


def _result(code):
    return {
        "e0102": "已联系环卫清运，现场垃圾已全部清理，并增设一个临时垃圾桶。",
        "e0401": "执法队员到场劝离摊贩，已登记并告知整改要求，后续加强夜间巡查。",
        "e0602": "已联系物业和住户，楼道杂物全部清理，消防通道畅通。",
        "e0601": "网格员组织双方面对面调解，约定装修时间为工作日9:00-12:00、14:00-18:00，双方签字确认。",
        "e0502": "供水公司抢修完毕，已恢复供水，路面积水已清理。",
        "e0605": "网格员上门查看，老人手机没电，身体无碍，已帮助充电并留下联系方式。",
        "e0201": "已清除单元门及周边小广告，并张贴禁止乱贴提示。",
        "c0301": "已更换新的果皮箱。",
    }.get(code, "已处置完毕。")


def _photo(key):
    """A plain after-photo (the demo has no camera): a coloured card with the order's key."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 240), (90 + int(key) * 7 % 120, 160, 110))
    ImageDraw.Draw(img).text((20, 100), f"after #{key}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile(f"after-{key}.jpg", buf.getvalue(), content_type="image/jpeg")
