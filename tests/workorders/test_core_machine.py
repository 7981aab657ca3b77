"""The one state machine (governance.statemachine): a declared table, moves on a locked row with
the state, the right and the guard checked, the timeline row and the audit event written, and a
409 that lists what the state allows. Work orders, care alerts and change requests use it."""

import pytest
from django.db import transaction
from django.urls import reverse

from governance import access
from governance.errors import Forbidden, IllegalTransition, NotFound
from governance.models import AuditEvent
from governance.statemachine import Machine, Move
from households.services import changes
from workorders import lifecycle
from workorders.models import TimelineEntry, WorkOrder
from workorders.services import flow

pytestmark = pytest.mark.django_db


def test_every_app_table_is_on_the_core_machine():
    from households.care.services.alerts import MACHINE as alerts

    for machine in (lifecycle.MACHINE, alerts, changes.MACHINE):
        assert isinstance(machine, Machine)
        assert all(isinstance(mv, Move) for mv in machine.moves.values())


def test_a_move_writes_the_state_the_timeline_and_the_audit_event(world, make_order):
    order = make_order()
    flow.order_accept(order=order, actor=world.users["zhao_community"], note="收到")
    order.refresh_from_db()
    assert order.status == "accepted"
    entry = TimelineEntry.objects.get(order=order, action="accept")
    assert (entry.from_status, entry.to_status, entry.note) == ("reported", "accepted", "收到")
    event = AuditEvent.objects.get(action="workorder.accept", object_id=str(order.pk))
    assert event.data == {"from": "reported", "to": "accepted"} and event.actor == world.users["zhao_community"]


def test_an_illegal_move_is_a_409_listing_what_the_state_allows(world, make_order, api_for):
    order = make_order()
    r = api_for("zhao_community").post(reverse("api:workorders:order-verify", kwargs={"pk": order.pk}), {})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "illegal_transition"
    allowed = {a["action"] for a in error["allowed"]}
    assert {"accept", "reject", "merge"} <= allowed and not {"verify", "report"} & allowed
    assert all(a["label"] for a in error["allowed"])
    assert WorkOrder.objects.get(pk=order.pk).status == "reported"
    assert not AuditEvent.objects.filter(action="workorder.verify").exists()


def test_apply_checks_the_right_itself_not_only_the_service(world, make_order):
    order = make_order()
    with transaction.atomic():
        locked = lifecycle.MACHINE.lock(order)
        with pytest.raises(Forbidden):  # sees the order (its grid), may not accept it
            lifecycle.MACHINE.apply(locked, "accept", actor=world.users["li_gridworker"])
    with transaction.atomic():
        locked = lifecycle.MACHINE.lock(order)
        with pytest.raises(NotFound):  # another street: the order is not even there for them
            lifecycle.MACHINE.apply(locked, "accept", actor=world.users["zhou_outsider"])
    assert WorkOrder.objects.get(pk=order.pk).status == "reported"
    with transaction.atomic():
        locked = lifecycle.MACHINE.lock(order)
        lifecycle.MACHINE.apply(locked, "accept", actor=access.system())
    assert WorkOrder.objects.get(pk=order.pk).status == "accepted"


def test_apply_refuses_without_an_actor(world, make_order):
    order = make_order()
    with transaction.atomic(), pytest.raises(TypeError):
        lifecycle.MACHINE.apply(lifecycle.MACHINE.lock(order), "accept", actor=None)


def test_a_guard_refuses_with_its_reason(world):
    from households.care.models import AlertKind
    from households.care.services import alert_start_visit
    from tests.care.factories import make_alert

    alert = make_alert(world, kind=AlertKind.DEVICE)
    with pytest.raises(IllegalTransition) as refused:
        alert_start_visit(alert=alert, actor=world.users["li_gridworker"], helpers="")
    assert "device" in str(refused.value).lower() or "设备" in str(refused.value)
    assert {a["action"] for a in refused.value.allowed} == {"acknowledge", "resolve"}


def test_system_only_moves_and_any_of_several_rights(world):
    machine = Machine("test.order", label=str, moves={
        "close": Move(("reported",), "closed", "close", right=None),
        "note": Move(("reported",), None, "note", right=("accept", "reject")),
    })
    order = WorkOrder(status="reported")
    with pytest.raises(Forbidden):
        machine._require(world.users["zhao_community"], machine.move("close"), "close", order)
    machine._require(access.system(), machine.move("close"), "close", order)
    assert machine._rights(machine.move("note"), "note") == ("accept", "reject")
