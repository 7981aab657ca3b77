"""POST replays in the authorization matrix: every door that accepts a sender's id, first used
by its owner, then replayed by every persona (and a stranger). Only the first caller with the
same body gets the first result; everyone else gets the answer a fresh clashing id would get,
with nothing of what the first request made (issue 12: an order's detail leaked this way)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.personas import ALL_PERSONAS
from tests.workorders.conftest import grid_point

SECRET = "井盖缺失，夜里危险，联系人手机13912340000"


def _order_body(world):
    from workorders.models import Category
    from workorders.reference import load_defaults

    load_defaults()
    lon, lat = grid_point(world.grids[0])
    category = Category.objects.get(kind="event", code="0201")
    return {"channel": "api", "category": category.pk, "description": SECRET, "lon": lon,
            "lat": lat, "contact_name": "城管巡查", "external_id": "REPLAY-1"}


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "sun_department"] + [None])
def test_order_external_id_replayed(world, api_for, persona):
    body = _order_body(world)
    first = api_for("sun_department").post("/api/v1/orders/", body, format="json")
    assert first.status_code == 201, first.content
    again = api_for("sun_department").post("/api/v1/orders/", body, format="json")
    assert again.status_code == 201 and again.data["id"] == first.data["id"]
    replay = api_for(persona).post("/api/v1/orders/", body, format="json")
    expected = 401 if persona is None else 409
    assert replay.status_code == expected, replay.content
    assert SECRET not in replay.content.decode() and "timeline" not in replay.content.decode()
    # The same answer as an id nobody used whose body clashes is not possible to tell apart from
    # "someone else's": both are 409 idempotency_conflict naming the field.
    if persona is not None:
        assert replay.json()["error"]["fields"].keys() == {"external_id"}


def test_meter_readings_replayed_by_another_utility(world):
    """Readings are idempotent on (meter, ts) within the sending utility: another utility's token
    replaying the batch is answered exactly as for meters that do not exist."""
    from rest_framework.test import APIClient

    from governance.models import ApiToken, Department
    from tests.care.factories import watched_home

    _person, water, _power = watched_home(world)
    own_user = world.users["shui_utility"]
    other = Department.objects.create(name="另一家供水公司", code="water2", kind="utility", district=world.district)
    _token, own_raw = ApiToken.issue(name="own", user=own_user, department=water.utility)
    _token, other_raw = ApiToken.issue(name="other", user=own_user, department=other)
    ts = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    batch = {"readings": [{"meter": water.external_id, "ts": ts, "value": 1.5}]}
    ghost = {"readings": [{"meter": "NO-SUCH-METER", "ts": ts, "value": 1.5}]}

    def post(raw, body):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client.post("/api/v1/meter-readings/", body, format="json")

    assert post(own_raw, batch).status_code == 200
    assert post(own_raw, batch).json()["duplicates"] == 1
    replay, unknown = post(other_raw, batch), post(other_raw, ghost)
    assert replay.status_code == unknown.status_code
    strip = lambda body: {k: v for k, v in body.items() if k != "errors"}  # noqa: E731
    assert strip(replay.json()) == strip(unknown.json())
    assert [e["field"] for e in replay.json()["errors"]] == [e["field"] for e in unknown.json()["errors"]]
