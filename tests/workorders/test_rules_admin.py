"""The loop's defaults are edited by the district in admin (WorkorderRules), never constants:
changing the row changes what the services do; without a row the code defaults apply."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from governance.errors import IllegalTransition
from governance.models import AuditEvent
from workorders import services
from workorders.choices import Status
from workorders.models import WorkorderRules
from workorders.rules import DEFAULTS, rule

from .conftest import SH, clock, jpeg

pytestmark = pytest.mark.django_db


def closed_order(world, make_order):
    u = world.users
    order = make_order("e0602")
    services.order_accept(order=order, actor=u["zhao_community"])
    order = services.order_dispatch(order=order, actor=u["zhao_community"], user=u["li_gridworker"],
                                    reason="网格员熟悉情况")
    services.order_start(order=order, actor=u["li_gridworker"])
    services.order_handle(order=order, actor=u["li_gridworker"], note="已清理", photo_files=[jpeg()])
    order = services.order_verify_close(order=order, actor=u["zhao_community"])
    assert order.status == Status.CLOSED and order.closed_at
    return order


def test_without_a_row_the_code_defaults_apply(db):
    assert not WorkorderRules.objects.exists()
    assert rule("reopen_window_days") == DEFAULTS["reopen_window_days"] == 7
    assert rule("sla_warning_at") == 0.8
    assert rule("followup_call") == (2, "work_days")


def test_the_row_overrides_every_editable_default(db):
    WorkorderRules.objects.create(reopen_window_days=10, sla_warning_at=Decimal("0.65"), followup_limit=3,
                                  followup_unit="days")
    assert rule("reopen_window_days") == 10
    assert rule("sla_warning_at") == 0.65
    assert rule("followup_call") == (3, "days")


def test_reopen_after_three_days_refused_when_the_window_is_two(world, make_order):
    order = closed_order(world, make_order)
    three_days_later = order.closed_at + dt.timedelta(days=3)
    WorkorderRules.objects.create(reopen_window_days=2)
    with clock(three_days_later), pytest.raises(IllegalTransition, match=" 2 "):
        services.order_reopen(order=order, actor=world.users["wang_resident"], reason="又有了")
    WorkorderRules.objects.filter(key="district").update(reopen_window_days=5)
    with clock(three_days_later):
        order = services.order_reopen(order=order, actor=world.users["wang_resident"], reason="又有了")
    assert order.status == Status.DISPATCHED


def test_the_amber_share_moves_the_amber_time(world, make_order):
    start = dt.datetime(2025, 11, 12, 9, 0, tzinfo=SH)  # a Wednesday, office hours
    with clock(start):
        default = make_order()
    WorkorderRules.objects.create(sla_warning_at=Decimal("0.50"))
    with clock(start):
        halved = make_order()
    # 受理 is due in 1 working hour: amber after 48 min by default, after 30 min at 0.50.
    assert default.warn_at - default.reported_at == dt.timedelta(minutes=48)
    assert halved.warn_at - halved.reported_at == dt.timedelta(minutes=30)


def test_district_admin_edits_the_row_in_admin_and_it_is_audited(world, client_for):
    c = client_for("liu_district")
    r = c.post(reverse("admin:workorders_workorderrules_add"),
               {"reopen_window_days": 2, "sla_warning_at": "0.75", "followup_limit": 1, "followup_unit": "work_days"})
    assert r.status_code == 302, r.content[:2000]
    row = WorkorderRules.objects.get()
    assert (row.key, row.reopen_window_days, row.sla_warning_at, row.updated_by) == \
        ("district", 2, Decimal("0.75"), world.users["liu_district"])
    assert rule("reopen_window_days") == 2
    assert AuditEvent.objects.filter(action="workorders.rules_change", object_id=str(row.pk)).exists()
    # One row: no second add; change it instead.
    assert c.get(reverse("admin:workorders_workorderrules_add")).status_code == 403
    r = c.post(reverse("admin:workorders_workorderrules_change", args=[row.pk]),
               {"reopen_window_days": 9, "sla_warning_at": "0.80", "followup_limit": 2, "followup_unit": "work_days"})
    assert r.status_code == 302
    assert rule("reopen_window_days") == 9


def test_bad_values_are_refused_field_by_field(world, client_for):
    c = client_for("liu_district")
    r = c.post(reverse("admin:workorders_workorderrules_add"),
               {"reopen_window_days": -1, "sla_warning_at": "1.5", "followup_limit": 2, "followup_unit": "work_days"})
    assert r.status_code == 200 and not WorkorderRules.objects.exists()


def test_others_cannot_edit_the_rules(world, client_for):
    row = WorkorderRules.objects.create()
    for persona in ("zhao_community", "chen_street", "sun_department"):
        r = client_for(persona).post(reverse("admin:workorders_workorderrules_change", args=[row.pk]),
                                     {"reopen_window_days": 1, "sla_warning_at": "0.50", "followup_limit": 1,
                                      "followup_unit": "days"})
        assert r.status_code == 403
    row.refresh_from_db()
    assert row.reopen_window_days == 7
