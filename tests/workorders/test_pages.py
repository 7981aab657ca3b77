import pytest
from django.urls import reverse

from workorders import services
from workorders.models import WorkOrder

from .conftest import grid_point, jpeg

pytestmark = pytest.mark.django_db


def test_resident_reports_through_the_portal_with_gps_and_photos(world, cats, client_for):
    c = client_for("wang_resident")
    assert c.get(reverse("workorders:report")).status_code == 200
    lon, lat = grid_point(world.grids[0])
    r = c.post(reverse("workorders:report"), {"category": cats["e0102"].pk, "description": "垃圾桶满溢",
                                             "lon": lon, "lat": lat, "photos": [jpeg(), jpeg()]})
    order = WorkOrder.objects.get()
    assert r.status_code == 302 and r.url == reverse("workorders:detail", kwargs={"pk": order.pk})
    assert order.photos.count() == 2 and order.channel == "portal" and order.reporter == world.users["wang_resident"]
    page = c.get(r.url)
    assert page.status_code == 200 and order.number in page.content.decode()
    assert c.get(reverse("workorders:mine")).content.decode().count('data-testid="order-row"') == 1
    live = c.get(reverse("workorders:live", kwargs={"pk": order.pk}), {"format": "json"})
    assert live.json()["status"] == "reported"


def test_report_without_location_shows_field_error(world, cats, client_for):
    r = client_for("wang_resident").post(reverse("workorders:report"), {"category": cats["e0102"].pk,
                                                                         "description": "x"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    assert WorkOrder.objects.count() == 0


def test_nearby_and_plus_one(world, cats, client_for, make_order, neighbour):
    from django.test import Client

    order = make_order("e0102")
    c = Client()
    c.force_login(neighbour)
    assert client_for("feng_resident").post(reverse("workorders:plus_one", kwargs={"pk": order.pk})).status_code == 404
    r = c.get(reverse("workorders:nearby"), {"category": cats["e0102"].pk, "lon": str(order.lon), "lat": str(order.lat)})
    assert order.get_status_display() in r.content.decode()
    assert c.post(reverse("workorders:plus_one", kwargs={"pk": order.pk})).status_code == 302
    order.refresh_from_db()
    assert order.plus_ones == 1


def test_public_list_has_no_private_orders_or_names(world, client_for, make_order, rtypes):
    make_order("e0102", contact_name="王秀兰")
    make_order("e0102", request_type=rtypes["complaint"])
    make_order("e0601")
    html = client_for("wang_resident").get(reverse("workorders:public")).content.decode()
    assert html.count("暴露垃圾") == 1 and "邻里纠纷" not in html and "王秀兰" not in html.split("<main")[1]
    assert "暴露垃圾" not in client_for("feng_resident").get(reverse("workorders:public")).content.decode()


def test_grid_worker_handles_on_the_phone(world, client_for, make_order):
    u = world.users
    order = make_order("e0602")
    services.order_accept(order=order, actor=u["zhao_community"])
    services.order_dispatch(order=order, actor=u["zhao_community"], user=u["li_gridworker"], reason="就近")
    c = client_for("li_gridworker")
    queue = c.get(reverse("workorders:staff")).content.decode()
    assert order.number in queue
    page = c.get(reverse("workorders:staff_detail", kwargs={"pk": order.pk})).content.decode()
    assert 'data-testid="do-start"' in page and 'data-testid="do-accept"' not in page
    act = lambda a, **d: c.post(reverse("workorders:staff_action", kwargs={"pk": order.pk}), {"action": a, **d})  # noqa: E731
    assert act("start").status_code == 302
    assert act("handle", note="已清理楼道", photos=[jpeg()]).status_code == 302
    order.refresh_from_db()
    assert order.status == "handled" and order.photos.filter(stage="handled").count() == 1
    assert client_for("wu_gridworker").get(reverse("workorders:staff_detail", kwargs={"pk": order.pk})).status_code == 404


def test_resident_answers_followup_and_reopens(world, client_for, make_order):
    u = world.users
    order = make_order("e0602")
    services.order_accept(order=order, actor=u["zhao_community"])
    services.order_dispatch(order=order, actor=u["zhao_community"], user=u["li_gridworker"], reason="就近")
    services.order_start(order=order, actor=u["li_gridworker"])
    services.order_handle(order=order, actor=u["li_gridworker"], note="ok", photo_files=[jpeg()])
    services.order_verify_close(order=order, actor=u["zhao_community"])
    c = client_for("wang_resident")
    r = c.post(reverse("workorders:followup", kwargs={"pk": order.pk}),
               {"contacted_in_time": "1", "solved": "0", "satisfaction": "unsatisfied"})
    assert r.status_code == 302 and order.followups.get().channel == "portal"
    c.post(reverse("workorders:reopen", kwargs={"pk": order.pk}), {"reason": "还是堆满了"})
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_staff_file_a_phone_call_for_a_resident(world, cats, client_for):
    from households.models import Building

    b = Building.objects.create(grid=world.grids[0], name="3号楼", address="和平里东街5号院", lon=116.4312, lat=39.9612)
    c = client_for("zhao_community")
    assert c.get(reverse("workorders:staff_new")).status_code == 200
    r = c.post(reverse("workorders:staff_new"), {"channel": "phone", "contact_name": "刘奶奶",
                                                  "contact_phone": "010-64211234", "category": cats["e0602"].pk,
                                                  "urgency": "normal", "description": "楼道里堆满纸箱", "building": b.pk})
    order = WorkOrder.objects.get()
    assert r.status_code == 302 and order.channel == "phone" and order.contact_name == "刘奶奶"
    assert order.building == b and order.region == world.grids[0] and order.reporter is None


def test_street_decides_an_extension_on_the_phone(world, client_for, make_order):
    u = world.users
    order = make_order("e0401")
    services.order_accept(order=order, actor=u["zhao_community"])
    services.order_dispatch(order=order, actor=u["chen_street"])
    services.order_start(order=order, actor=u["sun_department"])
    app = services.extension_request(order=order, actor=u["sun_department"], extra_limit=1, extra_unit="work_days",
                                     note="需联合执法")
    assert f'data-testid="approve-{app.pk}"' not in client_for("sun_department").get(
        reverse("workorders:staff_detail", kwargs={"pk": order.pk})).content.decode()
    c = client_for("chen_street")
    assert f'data-testid="approve-{app.pk}"' in c.get(reverse("workorders:staff_detail", kwargs={"pk": order.pk})).content.decode()
    r = c.post(reverse("workorders:staff_action", kwargs={"pk": order.pk}),
               {"action": "decide", "application": app.pk, "approve": "1", "note": "同意"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"


def test_admin_page_does_not_show_the_reporter(world, client_for, make_order):
    order = make_order("e0102", contact_phone="13812345678")
    html = client_for("li_gridworker").get(
        reverse("admin:workorders_workorder_change", kwargs={"object_id": order.pk})).content.decode()
    assert "王秀兰" not in html and "13812345678" not in html and "王**" in html


def test_staff_queue_and_public_list_cost_the_same_queries_for_3_or_33_orders(world, client_for, make_order):
    """The staff queue and the public list page through IdsFirstPaginator (ids, then rows with
    their joins): the queries per page do not grow with the orders (page of 30, so 33 spills)."""
    from tests.querycount import assert_constant_queries

    c = client_for("zhao_community")
    staff = reverse("workorders:staff")

    def fetch_both():
        for url, params in ((staff, {"scope": "all"}), (staff, {"scope": "all", "page": 2}),
                            (reverse("workorders:public"), {})):
            assert c.get(url, params).status_code == 200

    assert_constant_queries(lambda n: [make_order("e0102") for _ in range(n)], fetch_both, small=3, large=33)
    page = c.get(staff, {"scope": "all"}).context["page"]
    assert len(page.object_list) == 30 and page.has_next()


def test_every_control_of_the_staff_order_page_has_a_label(world, cats, make_order, client_for):
    from tests.a11y import problems
    from workorders.services import flow

    order = make_order()
    c = client_for("zhao_community")
    pages = [c.get(reverse("workorders:staff_detail", kwargs={"pk": order.pk})).content.decode()]
    flow.order_accept(order=order, actor=world.users["zhao_community"])
    flow.order_dispatch(order=order, actor=world.users["chen_street"])
    pages.append(c.get(reverse("workorders:staff_detail", kwargs={"pk": order.pk})).content.decode())
    pages.append(client_for("chen_street").get(reverse("workorders:staff_detail", kwargs={"pk": order.pk}))
                 .content.decode())
    for html in pages:
        assert problems(html) == []
