import pytest
from django.urls import reverse

from governance.models import AuditEvent
from tests.querycount import assert_constant_queries, count_queries
from workorders.models import WorkOrder

from .conftest import grid_point, jpeg

pytestmark = pytest.mark.django_db


def url(name, pk=None):
    return reverse(f"api:workorders:{name}", kwargs={"pk": pk} if pk else None)


def test_department_api_loop(world, cats, api_for, make_order):
    order = make_order("e0401", contact_phone="13812345678")
    street, dept = api_for("chen_street"), api_for("sun_department")
    assert street.post(url("order-accept", order.pk), {}).status_code == 200
    r = street.post(url("order-dispatch", order.pk), {})
    assert r.status_code == 200 and r.data["assigned_department"]["name"] == "城管执法局"
    listed = dept.get(url("order-list"), {"status": "dispatched"}).data
    assert [o["id"] for o in listed["results"]] == [order.pk]
    assert api_for("qian_department").get(url("order-detail", order.pk)).status_code == 404
    assert dept.post(url("order-accept", order.pk), {}).status_code == 403
    assert dept.post(url("order-handle", order.pk), {"note": "x"}).status_code == 409
    assert dept.post(url("order-start", order.pk), {}).status_code == 200
    r = dept.post(url("order-handle", order.pk), {"note": "已取缔", "photos": [jpeg()]}, format="multipart")
    assert r.status_code == 200, r.data
    assert r.data["status"] == "handled" and r.data["contact"]["phone"] == "13812345678"
    r = dept.post(url("order-verify", order.pk), {})
    assert r.status_code == 403  # departments do not verify their own work
    r = street.post(url("order-verify", order.pk), {})
    assert r.status_code == 200 and r.data["status"] == "closed"
    r = street.post(url("order-reopen", order.pk), {"reason": "x"})
    assert r.status_code == 403
    assert AuditEvent.objects.filter(action="workorder.view_contact", object_id=str(order.pk)).exists()


def test_errors_have_the_contract(world, api_for, make_order):
    order = make_order()
    r = api_for("zhao_community").post(url("order-reject", order.pk), {"reason": "nope", "message": ""})
    assert r.status_code == 400 and r.data["error"]["code"] == "invalid" and "message" in r.data["error"]["fields"]
    r = api_for("zhao_community").post(url("order-verify", order.pk), {})
    assert r.status_code == 409 and r.data["error"]["code"] == "illegal_transition"


def test_reporter_identity_masked_for_non_handlers(world, api_for, make_order):
    order = make_order("e0102", contact_phone="13812345678")
    r = api_for("li_gridworker").get(url("order-detail", order.pk))
    assert r.data["contact"] == {"name": "王**", "phone": "138****5678", "masked": True}
    assert r.data["timeline"][0]["actor"] == "王**"  # nor through the timeline
    r = api_for("zhao_community").get(url("order-detail", order.pk))
    assert r.data["contact"]["phone"] == "13812345678"
    r = api_for("wang_resident").get(url("order-detail", order.pk))
    assert r.data["contact"]["masked"] is False
    assert "contact" not in api_for("zhao_community").get(url("order-list")).data["results"][0]


def test_report_through_api_with_photos_and_idempotency(world, cats, api_for):
    lon, lat = grid_point(world.grids[0])
    api = api_for("sun_department")
    body = {"channel": "api", "category": cats["e0201"].pk, "description": "电线杆上贴满小广告", "lon": lon,
            "lat": lat, "contact_name": "城管巡查", "external_id": "CG-77", "photos": [jpeg()]}
    r = api.post(url("order-list"), body, format="multipart")
    assert r.status_code == 201, r.data
    body["photos"] = [jpeg()]
    r2 = api.post(url("order-list"), body, format="multipart")
    assert r2.data["id"] == r.data["id"] and WorkOrder.objects.count() == 1
    r = api_for("wang_resident").post(url("order-list"), {"channel": "portal", "category": cats["e0201"].pk,
                                                          "description": "x", "lon": 1, "lat": 1})
    assert r.status_code == 400 and "location" in r.data["error"]["fields"]


def test_filters(world, api_for, make_order):
    a = make_order("e0102")
    make_order("c0106", grid=1)
    api = api_for("chen_street")
    assert [o["id"] for o in api.get(url("order-list"), {"category_code": "E01"}).data["results"]] == [a.pk]
    assert api.get(url("order-list"), {"region": world.grids[1].pk}).data["count"] == 1
    assert api.get(url("order-list"), {"overdue": "true"}).data["count"] == 0
    assert api_for("zhou_outsider").get(url("order-list")).data["count"] == 0


@pytest.mark.parametrize("persona", ["sun_department", "zhao_community"])
def test_list_query_count_is_constant(world, api_for, make_order, persona):
    from workorders import services

    api = api_for(persona)

    def make_rows(n):
        for _ in range(n):
            o = make_order("e0401")
            services.order_accept(order=o, actor=world.users["zhao_community"])
            services.order_dispatch(order=o, actor=world.users["chen_street"])

    def fetch():
        r = api.get(url("order-list"), {"status": "dispatched"})
        assert r.status_code == 200

    fetch()  # the user's assignments are loaded once per request user (cached on it afterwards)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fetch()
    assert not any("DISTINCT" in q["sql"] for q in ctx.captured_queries)  # a status filter must not cost a DISTINCT
    assert assert_constant_queries(make_rows, fetch, small=2, large=8) <= 3
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "JOIN" not in counts[0].upper()  # one count, without the rows' joins

    def page(n, size=3):
        r = api.get(url("order-list"), {"status": "dispatched", "page": n, "page_size": size})
        assert r.status_code == 200 and len(r.data["results"]) == size
        return [o["id"] for o in r.data["results"]]

    first, deep = count_queries(lambda: page(1)), count_queries(lambda: page(2))
    assert first == deep and page(1)[0] not in page(2)  # a deep page costs what the first does
    with CaptureQueriesContext(connection) as ctx:
        page(2)
    # The page is a deferred join: its ids picked by scope, filter and order alone (selectors.ListRows).
    assert any(" IN (SELECT " in q["sql"] and " LIMIT " in q["sql"] for q in ctx.captured_queries)


def test_applications_decide(world, api_for, make_order):
    order = make_order("e0401")
    api_for("chen_street").post(url("order-accept", order.pk), {})
    api_for("chen_street").post(url("order-dispatch", order.pk), {})
    dept = api_for("sun_department")
    dept.post(url("order-start", order.pk), {})
    r = dept.post(url("order-extension", order.pk), {"extra_limit": "1", "extra_unit": "work_days", "note": "需协调"})
    assert r.status_code == 200
    app_id = r.data["applications"][0]["id"]
    assert dept.post(url("order-extension", order.pk), {"extra_limit": "1", "extra_unit": "work_days",
                                                        "note": "again"}).status_code == 409
    assert dept.post(url("application-decide", app_id), {"approve": True}).status_code == 403
    r = api_for("chen_street").post(url("application-decide", app_id), {"approve": True, "note": "同意"})
    assert r.status_code == 200 and r.data["status"] == "approved"
    r = dept.post(url("order-appeal", order.pk), {"reason": "not_our_duty", "note": "属市场监管"})
    assert r.status_code == 200


@pytest.mark.parametrize("closed", [False, True])
def test_hand_written_list_rows_match_the_declared_fields(world, make_order, closed):
    """The list writes its rows from plain values (selectors.list_rows → OrderListSerializer.rows);
    they must equal DRF's own rendering of the declared fields, key for key."""
    from rest_framework import serializers as drf

    from workorders import selectors, services
    from workorders.api.serializers import OrderListSerializer

    from .test_rules_admin import closed_order

    u = world.users
    if closed:
        order = closed_order(world, make_order)
    else:
        order = make_order("e0602")
        services.order_accept(order=order, actor=u["zhao_community"])
        order = services.order_dispatch(order=order, actor=u["zhao_community"], user=u["li_gridworker"],
                                        reason="就近")
    u["li_gridworker"].display_name = ""  # the name falls back to the full name, then the username
    u["li_gridworker"].save()
    order = WorkOrder.objects.select_related(*selectors.LIST_RELATED).get(pk=order.pk)
    slow = drf.Serializer.to_representation(OrderListSerializer(order), order)
    rows = selectors.list_rows(WorkOrder.objects.filter(pk=order.pk).order_by("id"))[0:1]
    assert OrderListSerializer.rows(rows) == [slow]
    assert OrderListSerializer(order).data == slow and set(slow) == set(OrderListSerializer.Meta.fields)
    assert slow["assigned_user"]["name"] == str(u["li_gridworker"])
    assert slow["followup_state"] == ("owed" if closed else None)


def test_list_endpoint_rows_equal_drf_rendering(world, api_for, make_order):
    from rest_framework import serializers as drf

    from workorders import selectors, services
    from workorders.api.serializers import OrderListSerializer

    for code in ("e0102", "e0401", "e0602"):
        o = make_order(code)
        services.order_accept(order=o, actor=world.users["zhao_community"])
    services.order_dispatch(order=o, actor=world.users["chen_street"])
    data = api_for("chen_street").get(url("order-list")).data
    assert data["count"] == 3
    objs = {o.pk: o for o in WorkOrder.objects.select_related(*selectors.LIST_RELATED)}
    for row in data["results"]:
        assert row == drf.Serializer.to_representation(OrderListSerializer(objs[row["id"]]), objs[row["id"]])
    assert api_for("chen_street").get(url("order-list"), {"page": 2}).status_code == 404
    # The deferred join keeps the order of each ordering, page by page.
    api = api_for("chen_street")
    for params, order in (({}, ("-reported_at", "-id")), ({"ordering": "due"}, ("-overdue", "due_at", "-id"))):
        want = list(WorkOrder.objects.order_by(*order).values_list("id", flat=True))
        got = [o["id"] for n in (1, 2) for o in api.get(url("order-list"), {**params, "page": n, "page_size": 2})
               .data["results"]]
        assert got == want


def test_external_id_replayed_by_someone_else_reveals_nothing(world, cats, api_for):
    """Filing with the channel and external id of an order the caller may not see once answered
    201 with that order's detail. Now only the first caller with the same body gets it again;
    anyone else — or the same caller with another body — gets 409 naming the field, no data."""
    lon, lat = grid_point(world.grids[0])
    body = {"channel": "api", "category": cats["e0201"].pk, "description": "井盖缺失，夜里危险", "lon": lon,
            "lat": lat, "contact_name": "城管巡查", "external_id": "CG-SECRET-1"}
    first = api_for("sun_department").post(url("order-list"), body, format="json")
    assert first.status_code == 201
    again = api_for("sun_department").post(url("order-list"), body, format="json")
    assert again.status_code == 201 and again.data["id"] == first.data["id"]
    for persona in ("qian_department", "shui_utility", "zhou_outsider"):
        other = api_for(persona).post(url("order-list"), body, format="json")
        assert other.status_code == 409, (persona, other.content)
        error = other.json()["error"]
        assert error["code"] == "idempotency_conflict" and "external_id" in error["fields"]
        assert "井盖" not in other.content.decode() and str(first.data["id"]) not in other.content.decode()
    changed = api_for("sun_department").post(url("order-list"), {**body, "description": "另一件事"}, format="json")
    assert changed.status_code == 409 and "external_id" in changed.json()["error"]["fields"]
    assert WorkOrder.objects.filter(external_id="CG-SECRET-1").count() == 1
