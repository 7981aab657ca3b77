import datetime as dt
import io
from unittest import mock

import pytest
from PIL import Image

from governance.errors import Forbidden, ValidationFailed
from workorders import order_routing as routing
from workorders import selectors, services
from workorders.choices import Status
from workorders.models import DutyRoster, Photo, RoutingRule, WorkOrder

from .conftest import grid_point, jpeg

pytestmark = pytest.mark.django_db


def test_point_in_polygon_and_nearest_building(world):
    from households.models import Building

    lon, lat = grid_point(world.grids[4])
    assert routing.grid_for_point(lon, lat) == world.grids[4]
    far = (116.0, 39.0)
    assert routing.grid_for_point(*far) is None
    Building.objects.create(grid=world.grids[1], name="9号楼", address="和平里九区", lon=116.3, lat=39.9)
    assert routing.grid_for_point(116.301, 39.901) == world.grids[1]  # outside every polygon: nearest building


def test_grid_mode_goes_to_the_on_duty_worker_else_the_community(world, cats):
    grid = world.grids[0]
    route = routing.route(cats["e0602"], grid)  # 楼道堆物: grid-level work
    assert route.mode == "grid" and route.user is None and route.region == world.communities[0]
    today = dt.date.today()
    DutyRoster.objects.create(grid=grid, user=world.users["ma_gridleader"], weekday=today.weekday())
    assert routing.route(cats["e0602"], grid).user == world.users["ma_gridleader"]
    DutyRoster.objects.create(grid=grid, user=world.users["li_gridworker"], date=today)  # a dated entry wins
    assert routing.route(cats["e0602"], grid).user == world.users["li_gridworker"]


def test_routing_rule_most_specific_wins(world, cats):
    grid = world.grids[0]
    assert routing.route(cats["e0401"], grid).department == world.departments["chengguan"]
    RoutingRule.objects.create(category=None, region=world.streets[0], mode="territorial")
    assert routing.route(cats["e0401"], grid).region == world.streets[0]
    RoutingRule.objects.create(category=cats["e04"], region=world.communities[0], mode="territorial",
                               territorial_level="community")
    assert routing.route(cats["e0401"], grid).region == world.communities[0]
    RoutingRule.objects.create(category=cats["e0401"], region=world.communities[0], mode="specialist",
                               department=world.departments["shichang"])
    assert routing.route(cats["e0401"], grid).department == world.departments["shichang"]
    assert routing.route(cats["e0401"], world.grids[6]).department == world.departments["chengguan"]  # street B: untouched


def test_territorial_dispatch_lets_the_street_handle(world, make_order):
    u = world.users
    RoutingRule.objects.create(category=None, region=world.streets[0], mode="territorial")
    order = make_order("e0401")
    services.order_accept(order=order, actor=u["zhao_community"])
    order = services.order_dispatch(order=order, actor=u["chen_street"])
    assert order.assigned_region == world.streets[0] and order.routing_mode == "territorial"
    order = services.order_start(order=order, actor=u["chen_street"])
    with pytest.raises(Forbidden):
        services.order_handle(order=order, actor=u["li_gridworker"], note="x", photo_files=[jpeg()])


def test_photos_are_checked_and_stripped_of_exif(world, make_order):
    order = make_order(photo_files=[jpeg(gps=True)])
    photo = Photo.objects.get(order=order)
    with Image.open(photo.image.path) as img:
        assert not img.getexif() and "exif" not in img.info
    bad = jpeg()
    bad.file = io.BytesIO(b"%PDF-1.4 not an image")
    bad.size = 20
    with pytest.raises(ValidationFailed) as exc:
        make_order(photo_files=[bad])
    assert "photos" in exc.value.fields
    with pytest.raises(ValidationFailed):
        make_order(photo_files=[jpeg(), jpeg(), jpeg(), jpeg()])
    with mock.patch("django.conf.settings.UPLOAD_MAX_BYTES", 100):
        with pytest.raises(ValidationFailed):
            make_order(photo_files=[jpeg()])
    assert WorkOrder.objects.count() == 1  # nothing half written


def test_staff_channels_and_idempotent_api_intake(world, make_order):
    order = make_order(who="li_gridworker", channel="patrol")
    assert order.contact_name == str(world.users["li_gridworker"]) and order.reporter is None
    with pytest.raises(ValidationFailed):
        make_order(who="zhao_community", channel="phone")  # the caller's name is required
    with pytest.raises(Forbidden):
        make_order(who="wu_gridworker", channel="patrol")  # not their grid
    a = make_order(who="sun_department", channel="api", external_id="CG-1", contact_name="城管巡查")
    b = make_order(who="sun_department", channel="api", external_id="CG-1", contact_name="城管巡查")
    assert a.pk == b.pk


def test_nearby_plus_one_and_merge(world, make_order, neighbour):
    u = world.users
    first = make_order("e0102")
    lon, lat = float(first.lon), float(first.lat)
    assert [o.pk for _d, o in selectors.nearby_open(first.category, lon, lat)] == [first.pk]
    with pytest.raises(Forbidden):  # another community: not on their public list
        services.order_plus_one(order=first, actor=u["feng_resident"])
    services.order_plus_one(order=first, actor=neighbour)
    services.order_plus_one(order=first, actor=neighbour)  # once only
    first.refresh_from_db()
    assert first.plus_ones == 1
    dup = make_order("e0102", who="zhao_community", channel="phone", contact_name="张先生", contact_phone="13911112222")
    services.order_merge(order=dup, into=first, actor=u["zhao_community"])
    dup.refresh_from_db()
    first.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == first
    private = make_order("e0601")  # 邻里纠纷 is never public
    assert not private.is_public and selectors.nearby_open(private.category, lon, lat) == []


def test_reopen_window_and_followup_rules(world, make_order):
    u = world.users
    order = make_order("e0602")
    services.order_accept(order=order, actor=u["zhao_community"])
    order = services.order_dispatch(order=order, actor=u["zhao_community"], user=u["li_gridworker"],
                                    reason="网格员熟悉情况")
    services.order_start(order=order, actor=u["li_gridworker"])
    services.order_handle(order=order, actor=u["li_gridworker"], note="已清理", photo_files=[jpeg()])
    with pytest.raises(Forbidden):
        services.order_verify_close(order=order, actor=u["li_gridworker"])
    order = services.order_verify_close(order=order, actor=u["zhao_community"])
    with pytest.raises(Forbidden):  # the handler does not call back on their own work
        services.followup_record(order=order, actor=u["li_gridworker"], contacted_in_time=True, solved=True,
                                 satisfaction="satisfied")
    services.followup_record(order=order, actor=u["wang_resident"], contacted_in_time=True, solved=False,
                             satisfaction="unsatisfied")
    order = services.order_reopen(order=order, actor=u["wang_resident"], reason="杂物又堆回来了")
    assert order.status == Status.DISPATCHED and order.reopen_count == 1 and order.handling_due_at
    services.order_start(order=order, actor=u["li_gridworker"])
    services.order_handle(order=order, actor=u["li_gridworker"], note="再次清理")
    order = services.order_verify_close(order=order, actor=u["zhao_community"])
    assert order.closed_at is not None
    later = order.closed_at + dt.timedelta(days=8)
    with mock.patch("workorders.clock.now", return_value=later):
        from governance.errors import IllegalTransition

        with pytest.raises(IllegalTransition):
            services.order_reopen(order=order, actor=u["wang_resident"], reason="又有了")


def test_prepared_grids_are_cached_and_follow_boundary_edits(world, django_assert_num_queries):
    lon, lat = grid_point(world.grids[4])
    routing.invalidate()
    routing.grid_for_point(lon, lat)
    with django_assert_num_queries(1):  # only the Region row itself; the polygons come from the cache
        assert routing.grid_for_point(lon, lat) == world.grids[4]
    grid = world.grids[4]
    grid.boundary = {"type": "Polygon", "coordinates": [[[100, 30], [100.01, 30], [100.01, 30.01], [100, 30]]]}
    try:
        grid.save()
        assert routing.grid_for_point(100.005, 30.002) == grid
    finally:
        routing.invalidate()  # the database rolls back after the test; the process cache must too


def test_a_caller_without_an_account_gets_the_public_steps_by_sms(world, make_order,
                                                                django_capture_on_commit_callbacks):
    """Issue 13 block 7: a phone-in reporter has no account; the order's public steps reach them
    by SMS (after the quiet hours), once per step, noted on the timeline; private steps do not."""
    from datetime import timedelta

    from django.utils import timezone

    from governance.models import ContactMessage
    from governance.notify import contact
    from workorders import services
    from workorders.models import TimelineEntry

    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(who="zhao_community", channel="phone", contact_name="李先生", contact_phone="13911112222")
        services.order_accept(order=order, actor=world.users["zhao_community"])
    messages = ContactMessage.objects.filter(object_id=str(order.pk))
    assert messages.count() == 1 and messages.get().phone_masked == "139****2222"
    text = messages.get().text
    assert order.number in text and "立案" in text and "【邻里】" in text  # Chinese, the step's public name
    accepted = TimelineEntry.objects.get(order=order, action="accept")
    assert accepted.data.get("sms") == "139****2222"
    contact.sweep(now=timezone.now() + timedelta(hours=12))  # past any quiet hours
    assert ContactMessage.objects.get(pk=messages.get().pk).status == "sent"
