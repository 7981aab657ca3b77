"""Matrix rows for publicity (公示, governance.publicity): the seeded points notice of community A
(running) with one objection by 王秀兰, and a draft beside it."""

from tests.authz.matrix import Row, admin_rows


def _notice(w):
    from governance.models import Publicity
    from governance.seed import POINTS_NOTICE

    return Publicity.objects.get(region=w.communities[0], title=POINTS_NOTICE)


def _draft(w):
    from governance import publicity

    return publicity.publicity_create(actor=w.users["zhao_community"], title="草稿：议事会名单", region=w.communities[0],
                                      kind="council.members", days=5, items=[{"key": "m:1", "label": "宋议事"}])


def _objection(w):
    from governance import publicity

    return publicity.objection_raise(publicity=_notice(w), actor=w.users["wang_resident"], reason="次数不对")


OBJECTS = {"publicity_notice": _notice, "publicity_draft": _draft, "objection_wang": _objection}

A = "api:governance:"
ROWS = [
    Row(A + "publicity-list", None, 401),
    Row(A + "publicity-list", "wang_resident", 200),
    *[Row(A + "publicity-detail", p, s, obj="publicity_notice") for p, s in [
        ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 200), ("he_community", 404),
        ("li_gridworker", 404), ("liu_district", 200), ("song_council", 200), ("sun_department", 404)]],
    Row(A + "publicity-detail", "wang_resident", 404, obj="publicity_draft"),
    Row(A + "publicity-detail", "zhao_community", 200, obj="publicity_draft"),
    *[Row(A + "publicity-objections", p, s, obj="publicity_notice", method="post", data={"reason": "不属实"})
      for p, s in [(None, 401), ("wang_resident", 201), ("feng_resident", 404), ("zhao_community", 403)]],
    Row(A + "objection-list", None, 401),
    Row(A + "objection-list", "wang_resident", 200),
    *[Row(A + "objection-detail", p, s, obj="objection_wang") for p, s in [
        ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 200), ("he_community", 404)]],
    *[Row(A + "objection-resolve", p, s, obj="objection_wang", method="post",
          data={"upheld": False, "resolution": "有签到记录"}) for p, s in [
        (None, 401), ("wang_resident", 403), ("zhao_community", 200), ("he_community", 404), ("song_council", 403)]],
    # Portal
    Row("portal:publicity_list", None, 302),
    Row("portal:publicity_list", "wang_resident", 200),
    Row("portal:publicity_list", "zhao_community", 200),
    *[Row("portal:publicity", p, s, obj="publicity_notice") for p, s in [
        (None, 302), ("wang_resident", 200), ("feng_resident", 404), ("zhao_community", 200)]],
    Row("portal:publicity", "wang_resident", 404, obj="publicity_draft"),
    *[Row("portal:publicity", p, s, obj="publicity_notice", method="post", data={"reason": "不属实"}) for p, s in [
        (None, 302), ("wang_resident", 302), ("feng_resident", 404), ("zhao_community", 403)]],
    # Admin
    *admin_rows("governance_publicity", "zhao_community", obj="publicity_notice", changelist=200, add=200,
                change=200, delete=403, history=200),
    *admin_rows("governance_publicity", "he_community", obj="publicity_notice", changelist=200, add=200,
                change=404, delete=404, history=404),
    *admin_rows("governance_publicity", "li_gridworker", obj="publicity_notice", changelist=200, add=403,
                change=404, delete=404, history=404),
    *admin_rows("governance_publicity", "wang_resident", obj="publicity_notice", changelist=302, add=302,
                change=302, delete=302, history=302),
    *admin_rows("governance_objection", "zhao_community", obj="objection_wang", changelist=200, add=403,
                change=200, delete=403, history=200),
    *admin_rows("governance_objection", "he_community", obj="objection_wang", changelist=200, add=403,
                change=404, delete=404, history=404),
    *admin_rows("governance_objection", "sun_department", obj="objection_wang", changelist=403, add=403,
                change=403, delete=403, history=403),
]
