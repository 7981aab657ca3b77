"""The 回访 due time in the orders API: read-only on the list and the detail, with its state
(owed / overdue / done, null while the order is not closed), and in the OpenAPI schema."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework import serializers as drf

from workorders import services
from workorders.api.serializers import OrderListSerializer
from workorders.models import WorkOrder

from .test_rules_admin import closed_order

pytestmark = pytest.mark.django_db


def url(name, pk=None):
    return reverse(f"api:workorders:{name}", kwargs={"pk": pk} if pk else None)


def iso(value):
    return drf.DateTimeField().to_representation(value)


def listed(api, order, **params):
    rows = api.get(url("order-list"), params).data["results"]
    return next(r for r in rows if r["id"] == order.pk)


def test_followup_due_owed_then_overdue_then_done(world, make_order, api_for):
    order = closed_order(world, make_order)
    other = make_order()  # open: no follow-up owed
    api = api_for("zhao_community")
    row = listed(api, order, status="closed")
    assert row["followup_due_at"] == iso(order.followup_due_at) and row["followed_up_at"] is None
    assert row["followup_state"] == "owed"
    detail = api.get(url("order-detail", order.pk)).data
    assert (detail["followup_due_at"], detail["followup_state"]) == (row["followup_due_at"], "owed")
    open_row = listed(api, other)
    assert (open_row["followup_due_at"], open_row["followup_state"]) == (None, None)
    with mock.patch("workorders.clock.now", return_value=order.followup_due_at + dt.timedelta(minutes=1)):
        assert listed(api, order)["followup_state"] == "overdue"
        assert api.get(url("order-detail", order.pk)).data["followup_state"] == "overdue"
    services.followup_record(order=order, actor=world.users["chen_street"], contacted_in_time=True, solved=True,
                             satisfaction="satisfied")
    order.refresh_from_db()
    row = listed(api, order)
    assert row["followup_state"] == "done" and row["followed_up_at"] == iso(order.followed_up_at)
    assert api.get(url("order-detail", order.pk)).data["followup_state"] == "done"


def test_followup_fields_are_read_only(world, make_order, api_for):
    order = closed_order(world, make_order)
    due = order.followup_due_at
    r = api_for("zhao_community").post(url("order-follow-up", order.pk), {
        "contacted_in_time": True, "solved": True, "satisfaction": "satisfied",
        "followup_due_at": "2000-01-01T00:00:00Z", "followup_state": "done"})
    assert r.status_code in (200, 403)  # whoever may call; the due time is never taken from the body
    assert WorkOrder.objects.get(pk=order.pk).followup_due_at == due
    fields = OrderListSerializer().fields
    assert all(fields[f].read_only for f in ("followup_due_at", "followed_up_at", "followup_state"))


def test_the_schema_documents_the_followup_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name in ("OrderList", "OrderDetail"):
        props = components[name]["properties"]
        assert props["followup_due_at"]["format"] == "date-time" and props["followup_due_at"]["readOnly"]
        assert props["followup_due_at"].get("nullable") and props["followed_up_at"].get("nullable")
        state = props["followup_state"]
        ref = state.get("$ref") or next((x["$ref"] for x in state.get("oneOf", state.get("allOf", [])) if "$ref" in x),
                                        None)
        enum = components[ref.rsplit("/", 1)[-1]]["enum"] if ref else state["enum"]
        assert {"owed", "overdue", "done"} <= set(enum)
