import pytest

from governance.errors import Forbidden, IllegalTransition, ValidationFailed
from workorders import services
from workorders.choices import Status
from workorders.lifecycle import TRANSITIONS, available_actions
from workorders.models import TimelineEntry

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def test_full_loop_specialist(world, make_order):
    u = world.users
    order = make_order("e0401", description="门口烧烤摊占道经营，晚上油烟很大。", photo_files=[jpeg()])
    assert order.status == Status.REPORTED and order.number.startswith("GD")
    assert order.region == world.grids[0] and order.due_at is not None
    order = services.order_accept(order=order, actor=u["zhao_community"])
    order = services.order_dispatch(order=order, actor=u["chen_street"])
    assert order.assigned_department == world.departments["chengguan"] and order.routing_mode == "specialist"
    assert order.handling_due_at is not None and order.stage == "handle"
    order = services.order_start(order=order, actor=u["sun_department"])
    with pytest.raises(ValidationFailed):  # after-photos required for this category
        services.order_handle(order=order, actor=u["sun_department"], note="已取缔")
    order = services.order_handle(order=order, actor=u["sun_department"], note="已取缔", photo_files=[jpeg()])
    order = services.order_return_rework(order=order, actor=u["chen_street"], reason="复查仍有摊位")
    assert order.status == Status.IN_PROGRESS and order.rework_count == 1
    order = services.order_handle(order=order, actor=u["sun_department"], note="再次清理")
    order = services.order_verify_close(order=order, actor=u["chen_street"])
    assert order.status == Status.CLOSED and order.stage == "" and order.due_at is None
    actions = list(TimelineEntry.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch", "start", "handle", "rework", "handle", "verify"]
    fu = services.followup_record(order=order, actor=u["zhao_community"], contacted_in_time=True, solved=True,
                                  satisfaction="satisfied")
    assert fu.channel == "phone"
    # the reporter heard of the public steps
    assert u["wang_resident"].notifications.filter(object_id=str(order.pk)).count() >= 5


def test_illegal_moves_are_409(world, make_order):
    order = make_order()
    with pytest.raises(IllegalTransition) as exc:
        services.order_start(order=order, actor=world.users["zhao_community"])
    assert exc.value.status_code == 409
    with pytest.raises(IllegalTransition):
        services.order_verify_close(order=order, actor=world.users["chen_street"])


def test_rights_and_scope(world, make_order):
    order = make_order()
    from governance.errors import NotFound

    with pytest.raises(NotFound):
        services.order_accept(order=order, actor=world.users["he_community"])
    with pytest.raises(Forbidden):
        services.order_accept(order=order, actor=world.users["li_gridworker"])
    with pytest.raises(Forbidden):  # the reporter sees it but cannot accept it
        services.order_accept(order=order, actor=world.users["wang_resident"])


def test_reject_needs_listed_reason_and_message(world, make_order):
    order = make_order()
    with pytest.raises(ValidationFailed) as exc:
        services.order_reject(order=order, actor=world.users["zhao_community"], reason="whatever", message="")
    assert set(exc.value.fields) == {"reason", "message"}
    order = services.order_reject(order=order, actor=world.users["zhao_community"], reason="duplicate",
                                  message="您反映的问题已有工单在办理。")
    assert order.status == Status.NOT_ACCEPTED and order.due_at is None


def test_send_back_and_redispatch_with_override_reason(world, make_order):
    u = world.users
    order = make_order("e0401")
    services.order_accept(order=order, actor=u["zhao_community"])
    order = services.order_dispatch(order=order, actor=u["chen_street"])
    from governance.errors import NotFound

    with pytest.raises(NotFound):  # 民政 does not even see it
        services.order_send_back(order=order, actor=u["qian_department"], reason="x")
    order = services.order_send_back(order=order, actor=u["sun_department"], reason="属于市场监管职责")
    assert order.status == Status.ACCEPTED and order.assigned_department is None
    with pytest.raises(ValidationFailed):  # differs from the rules: reason required
        services.order_dispatch(order=order, actor=u["chen_street"], department=world.departments["shichang"])
    order = services.order_dispatch(order=order, actor=u["chen_street"], department=world.departments["shichang"],
                                    reason="无照经营")
    assert order.assigned_department == world.departments["shichang"]
    entry = order.timeline.filter(action="dispatch").last()
    assert entry is not None and entry.data["override"] is True and "无照经营" in entry.note


def test_community_cannot_dispatch_to_departments(world, make_order):
    order = make_order("e0401")
    services.order_accept(order=order, actor=world.users["zhao_community"])
    with pytest.raises(Forbidden):
        services.order_dispatch(order=order, actor=world.users["zhao_community"],
                                department=world.departments["chengguan"], reason="试试")


def test_every_action_in_one_table():
    for name in ["accept", "reject", "dispatch", "start", "handle", "verify", "rework", "send_back", "reopen",
                 "merge", "extension_request", "extension_decide", "park_request", "park_decide",
                 "appeal_request", "appeal_decide", "supervise", "followup"]:
        assert name in TRANSITIONS


def test_available_actions(world, make_order):
    order = make_order()
    assert "accept" in available_actions(order) and "handle" not in available_actions(order)
