"""Matrix rows for work orders: API, portal, staff pages, admin.

Objects (built per test through the services, so they are real orders in real states):
  wo_reported_a1   reported in grid A1 by wang_resident (public category 暴露垃圾)
  wo_accepted_a1   accepted, waiting for dispatch (占道经营 → 城管 by the rules)
  wo_dispatched_a1 dispatched to 城管执法局 (sun_department), not started
  wo_grid_a1       邻里纠纷 dispatched to li_gridworker and started (no after-photos needed)
  wo_handled_a1    handled by 城管, waiting for verification
  wo_closed_a1     closed (verified by chen_street)
  wo_reported_b    reported in street B by feng_resident
"""

from tests.authz.matrix import Row, admin_rows

_cache_key = "_wo_cats"


def _cats():
    from workorders.models import Category
    from workorders.reference import load_defaults

    load_defaults()
    return {f"{c.kind[0]}{c.code}": c for c in Category.objects.all()}


def _report(w, code="e0102", who="wang_resident", grid=0):
    from workorders import services

    box = w.grids[grid].boundary["coordinates"][0][0]
    return services.order_report(actor=w.users[who], channel="portal", category=_cats()[code],
                                 description="楼下垃圾堆了三天没人清理", lon=box[0] + 0.001, lat=box[1] + 0.001,
                                 contact_phone="13800000001")


def _accepted(w, code="e0401"):
    from workorders import services

    return services.order_accept(order=_report(w, code), actor=w.users["zhao_community"])


def _dispatched(w):
    from workorders import services

    return services.order_dispatch(order=_accepted(w), actor=w.users["chen_street"])


def _grid(w):
    from workorders import services

    order = services.order_dispatch(order=_accepted(w, "e0601"), actor=w.users["zhao_community"],
                                    user=w.users["li_gridworker"], reason="网格员熟悉情况")
    return services.order_start(order=order, actor=w.users["li_gridworker"])


def _photo():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    return SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")


def _handled(w):
    from workorders import services

    order = services.order_start(order=_dispatched(w), actor=w.users["sun_department"])
    return services.order_handle(order=order, actor=w.users["sun_department"], note="已取缔", photo_files=[_photo()])


def _closed(w):
    from workorders import services

    return services.order_verify_close(order=_handled(w), actor=w.users["chen_street"])


def _application(w):
    from workorders import services

    order = services.order_start(order=_dispatched(w), actor=w.users["sun_department"])
    return services.extension_request(order=order, actor=w.users["sun_department"], extra_limit=1,
                                      extra_unit="work_days", note="需联合执法")


def _rule(w):
    from workorders.models import RoutingRule

    return RoutingRule.objects.create(category=_cats()["e0401"], region=w.communities[0], mode="territorial",
                                      territorial_level="community")


def _duty(w):
    from workorders.models import DutyRoster

    return DutyRoster.objects.create(grid=w.grids[0], user=w.users["li_gridworker"], weekday=0)


OBJECTS = {
    "wo_reported_a1": _report,
    "wo_accepted_a1": _accepted,
    "wo_dispatched_a1": _dispatched,
    "wo_grid_a1": _grid,
    "wo_handled_a1": _handled,
    "wo_closed_a1": _closed,
    "wo_reported_b": lambda w: _report(w, who="feng_resident", grid=6),
    "wo_category": lambda w: _cats()["e0102"],
    "wo_rules": lambda w: __import__("workorders.models", fromlist=["WorkorderRules"])
    .WorkorderRules.objects.get_or_create(key="district")[0],
    "wo_request_type": lambda w: (_cats(), __import__("workorders.models", fromlist=["RequestType"])
                                  .RequestType.objects.get(code="complaint"))[1],
    "wo_application": _application,
    "wo_routing_rule": _rule,
    "wo_duty": _duty,
    "wo_photo_a1": lambda w: _handled(w).photos.first(),
}

EXEMPT: dict[str, str] = {}

A = "api:workorders:"
NOTE = {"note": "现场核实"}
ROWS = [
    # --- list / detail: who sees which order
    Row(A + "order-list", None, 401),
    Row(A + "order-list", "wang_resident", 200),
    Row(A + "order-list", "li_gridworker", 200),
    Row(A + "order-list", "sun_department", 200),
    *[Row(A + "order-detail", p, s, obj="wo_dispatched_a1") for p, s in [
        (None, 401), ("wang_resident", 200), ("feng_resident", 404), ("li_gridworker", 200), ("wu_gridworker", 404),
        ("sun_department", 200), ("qian_department", 404), ("zhao_community", 200), ("he_community", 404),
        ("chen_street", 200), ("zhou_outsider", 404), ("liu_district", 200), ("xu_merchant", 404)]],
    Row(A + "order-detail", "zhou_outsider", 200, obj="wo_reported_b"),
    Row(A + "order-detail", "chen_street", 404, obj="wo_reported_b"),
    # --- 立案 / 不予受理
    *[Row(A + "order-accept", p, s, obj="wo_reported_a1", method="post") for p, s in [
        (None, 401), ("zhao_community", 200), ("chen_street", 200), ("he_community", 404), ("li_gridworker", 403),
        ("wang_resident", 403), ("sun_department", 404)]],
    Row(A + "order-accept", "chen_street", 409, obj="wo_dispatched_a1", method="post", note="already accepted"),
    *[Row(A + "order-reject", p, s, obj="wo_reported_a1", method="post",
          data={"reason": "duplicate", "message": "已有工单在办理"}) for p, s in [
        (None, 401), ("zhao_community", 200), ("he_community", 404), ("li_gridworker", 403), ("wang_resident", 403)]],
    # --- 派遣: the street to departments; the community only to its grid workers
    *[Row(A + "order-dispatch", p, s, obj="wo_accepted_a1", method="post") for p, s in [
        (None, 401), ("chen_street", 200), ("zhou_outsider", 404), ("li_gridworker", 403),
        ("zhao_community", 403), ("sun_department", 404), ("liu_district", 200)]],
    # --- the receiving unit
    *[Row(A + "order-start", p, s, obj="wo_dispatched_a1", method="post") for p, s in [
        (None, 401), ("sun_department", 200), ("qian_department", 404), ("li_gridworker", 403),
        ("wang_resident", 403), ("zhou_outsider", 404)]],
    *[Row(A + "order-handle", p, s, obj="wo_grid_a1", method="post", data={"note": "已调解"}) for p, s in [
        (None, 401), ("li_gridworker", 200), ("wu_gridworker", 404), ("wang_resident", 403),
        ("sun_department", 404), ("ma_gridleader", 200)]],
    *[Row(A + "order-send-back", p, s, obj="wo_dispatched_a1", method="post", data={"reason": "不属本单位"})
      for p, s in [(None, 401), ("sun_department", 200), ("qian_department", 404), ("wang_resident", 403),
                   ("li_gridworker", 403)]],
    *[Row(A + "order-extension", p, s, obj="wo_dispatched_a1", method="post",
          data={"extra_limit": "1", "extra_unit": "work_days", "note": "需协调"}) for p, s in [
        (None, 401), ("sun_department", 200), ("qian_department", 404), ("li_gridworker", 403)]],
    *[Row(A + "order-park", p, s, obj="wo_dispatched_a1", method="post", data={"reason": "budget", "note": "需预算"})
      for p, s in [(None, 401), ("sun_department", 200), ("li_gridworker", 403), ("zhou_outsider", 404)]],
    *[Row(A + "order-appeal", p, s, obj="wo_dispatched_a1", method="post",
          data={"reason": "not_our_duty", "note": "属市场监管"}) for p, s in [
        (None, 401), ("sun_department", 200), ("li_gridworker", 403), ("wang_resident", 403),
        ("qian_department", 404)]],
    # --- the dispatcher's side
    *[Row(A + "order-verify", p, s, obj="wo_handled_a1", method="post") for p, s in [
        (None, 401), ("chen_street", 200), ("zhao_community", 200), ("sun_department", 403), ("zhou_outsider", 404),
        ("wang_resident", 403)]],
    *[Row(A + "order-rework", p, s, obj="wo_handled_a1", method="post", data={"reason": "仍有摊位"}) for p, s in [
        (None, 401), ("chen_street", 200), ("sun_department", 403), ("he_community", 404)]],
    *[Row(A + "order-supervise", p, s, obj="wo_dispatched_a1", method="post", data=NOTE) for p, s in [
        (None, 401), ("chen_street", 200), ("zhao_community", 403), ("zhou_outsider", 404), ("liu_district", 200)]],
    *[Row(A + "order-urgency", p, s, obj="wo_dispatched_a1", method="post", data={"urgency": "urgent"})
      for p, s in [(None, 401), ("chen_street", 200), ("sun_department", 403), ("zhou_outsider", 404)]],
    *[Row(A + "order-merge", p, s, obj="wo_reported_a1", method="post", data={"into": 987654321}) for p, s in [
        (None, 401), ("zhao_community", 400), ("li_gridworker", 403), ("he_community", 404)]],
    # --- the reporter
    *[Row(A + "order-reopen", p, s, obj="wo_closed_a1", method="post", data={"reason": "摊位又回来了"}) for p, s in [
        (None, 401), ("wang_resident", 200), ("feng_resident", 404), ("chen_street", 403)]],
    *[Row(A + "order-follow-up", p, s, obj="wo_closed_a1", method="post",
          data={"contacted_in_time": True, "solved": True, "satisfaction": "satisfied"}) for p, s in [
        (None, 401), ("wang_resident", 200), ("zhao_community", 200), ("feng_resident", 404), ("li_gridworker", 403),
        ("sun_department", 403)]],
    *[Row(A + "order-photos", p, s, obj="wo_dispatched_a1", method="post") for p, s in [
        (None, 401), ("sun_department", 400), ("li_gridworker", 403), ("feng_resident", 404)]],
    # --- applications (延期/挂账/申诉)
    Row(A + "application-list", None, 401),
    Row(A + "application-list", "chen_street", 200),
    *[Row(A + "application-detail", p, s, obj="wo_application") for p, s in [
        (None, 401), ("chen_street", 200), ("sun_department", 200), ("zhou_outsider", 404), ("wang_resident", 404)]],
    *[Row(A + "application-decide", p, s, obj="wo_application", method="post", data={"approve": True, "note": "同意"})
      for p, s in [(None, 401), ("chen_street", 200), ("sun_department", 403), ("zhou_outsider", 404),
                   ("qian_department", 404)]],
    # --- reference data
    Row(A + "category-list", None, 401),
    Row(A + "category-list", "wang_resident", 200),
    Row(A + "category-detail", "sun_department", 200, obj="wo_category"),
    Row(A + "request-type-list", None, 401),
    Row(A + "request-type-list", "wang_resident", 200),
    Row(A + "request-type-detail", "li_gridworker", 200, obj="wo_request_type"),
    # --- portal (residents)
    *[Row("workorders:" + name, p, s) for name in ("mine", "report", "nearby", "public")
      for p, s in [(None, 302), ("wang_resident", 200)]],
    *[Row("workorders:detail", p, s, obj="wo_dispatched_a1") for p, s in [
        (None, 302), ("wang_resident", 200), ("feng_resident", 404), ("li_gridworker", 200), ("wu_gridworker", 404),
        ("sun_department", 200), ("qian_department", 404), ("zhou_outsider", 404)]],
    *[Row("workorders:live", p, s, obj="wo_dispatched_a1") for p, s in [
        (None, 302), ("wang_resident", 200), ("feng_resident", 404)]],
    *[Row("workorders:plus_one", p, s, obj="wo_reported_a1", method="post") for p, s in [
        (None, 302), ("feng_resident", 404), ("li_gridworker", 302)]],
    *[Row("workorders:followup", p, s, obj="wo_closed_a1", method="post",
          data={"contacted_in_time": "1", "solved": "1", "satisfaction": "satisfied"}) for p, s in [
        (None, 302), ("wang_resident", 302), ("feng_resident", 404)]],
    *[Row("workorders:reopen", p, s, obj="wo_closed_a1", method="post", data={"reason": "没修好"}) for p, s in [
        (None, 302), ("wang_resident", 302), ("feng_resident", 404)]],
    # --- staff phone pages
    *[Row("workorders:staff", p, s) for p, s in [(None, 302), ("wang_resident", 403), ("li_gridworker", 200),
                                                  ("sun_department", 200)]],
    *[Row("workorders:staff_new", p, s) for p, s in [(None, 302), ("wang_resident", 403), ("li_gridworker", 200),
                                                      ("zhao_community", 200), ("sun_department", 200),
                                                      ("hu_loudong", 403)]],
    *[Row("workorders:staff_detail", p, s, obj="wo_dispatched_a1") for p, s in [
        (None, 302), ("wang_resident", 403), ("li_gridworker", 200), ("wu_gridworker", 404), ("sun_department", 200),
        ("qian_department", 404), ("chen_street", 200), ("zhou_outsider", 404)]],
    *[Row("workorders:staff_action", p, s, obj="wo_dispatched_a1", method="post", data={"action": "start"})
      for p, s in [(None, 302), ("sun_department", 302), ("qian_department", 404), ("li_gridworker", 403),
                   ("wang_resident", 403)]],
    # --- admin
    *admin_rows("workorders_workorder", "li_gridworker", obj="wo_dispatched_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("workorders_workorder", "wu_gridworker", obj="wo_dispatched_a1", changelist=200, add=403, change=404,
                delete=404, history=404),
    *admin_rows("workorders_workorder", "sun_department", obj="wo_dispatched_a1", changelist=200, add=403,
                change=200),
    *admin_rows("workorders_workorder", "qian_department", obj="wo_dispatched_a1", changelist=200, add=403,
                change=404),
    *admin_rows("workorders_workorder", "chen_street", obj="wo_dispatched_a1", changelist=200, add=403, change=200),
    *admin_rows("workorders_workorder", "zhou_outsider", obj="wo_dispatched_a1", changelist=200, add=403, change=404),
    *admin_rows("workorders_workorder", "wang_resident", obj="wo_dispatched_a1", changelist=302, add=302, change=302),
    *admin_rows("workorders_category", "liu_district", obj="wo_category", changelist=200, add=200, change=200,
                delete=200, history=200),
    *admin_rows("workorders_category", "li_gridworker", obj="wo_category", changelist=200, add=403, change=200,
                delete=403),
    *admin_rows("workorders_category", "wang_resident", obj="wo_category", changelist=302, add=302, change=302),
    *admin_rows("workorders_requesttype", "liu_district", obj="wo_request_type", changelist=200, add=200, change=200,
                delete=200, history=200),
    *admin_rows("workorders_requesttype", "zhao_community", obj="wo_request_type", changelist=200, add=403,
                change=200, delete=403),
    *admin_rows("workorders_routingrule", "liu_district", obj="wo_routing_rule", changelist=200, add=200, change=200,
                delete=200, history=200),
    *admin_rows("workorders_routingrule", "chen_street", obj="wo_routing_rule", changelist=200, add=403, change=200,
                delete=403),
    *admin_rows("workorders_routingrule", "zhou_outsider", obj="wo_routing_rule", changelist=200, add=403,
                change=404),
    *admin_rows("workorders_routingrule", "li_gridworker", changelist=403, add=403),
    *admin_rows("workorders_dutyroster", "zhao_community", obj="wo_duty", changelist=200, add=200, change=200,
                delete=200, history=200),
    *admin_rows("workorders_dutyroster", "he_community", obj="wo_duty", changelist=200, add=200, change=404,
                delete=404),
    *admin_rows("workorders_dutyroster", "li_gridworker", obj="wo_duty", changelist=200, add=403, change=200,
                delete=403),
    *admin_rows("workorders_orderapplication", "chen_street", obj="wo_application", changelist=200, add=403,
                change=200, delete=403, history=200),
    *admin_rows("workorders_orderapplication", "zhou_outsider", obj="wo_application", changelist=200, add=403,
                change=404),
    *admin_rows("workorders_orderapplication", "sun_department", obj="wo_application", changelist=200, add=403,
                change=200),
    # The loop's editable defaults: the district's administrators only; one row, never deleted.
    *admin_rows("workorders_workorderrules", "liu_district", obj="wo_rules", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("workorders_workorderrules", "zhao_community", obj="wo_rules", changelist=403, add=403, change=403,
                delete=403),
    *admin_rows("workorders_workorderrules", "chen_street", obj="wo_rules", changelist=403, add=403, change=403),
    *admin_rows("workorders_workorderrules", "sun_department", changelist=403, add=403),
    *admin_rows("workorders_workorderrules", "wang_resident", obj="wo_rules", changelist=302, add=302, change=302),
    # Photos are served only through the order's access check (media is never public).
    Row("workorders:photo", None, 302, obj="wo_photo_a1"),
    Row("workorders:photo", "wang_resident", 200, obj="wo_photo_a1", note="the reporter"),
    Row("workorders:photo", "sun_department", 200, obj="wo_photo_a1", note="the handling department"),
    Row("workorders:photo", "chen_street", 200, obj="wo_photo_a1"),
    Row("workorders:photo", "feng_resident", 404, obj="wo_photo_a1"),
    Row("workorders:photo", "qian_department", 404, obj="wo_photo_a1"),
    Row("workorders:photo", "zhou_outsider", 404, obj="wo_photo_a1"),
]
