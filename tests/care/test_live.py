"""The live alert list: the socket joins only the groups the Alert policy entitles its user to,
and raising / moving / auto-closing an alert is pushed after commit to those who may see it."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from households.care import events
from households.care.consumers import groups_for_user
from households.care.routing import websocket_urlpatterns
from households.care.services import alert_acknowledge, readings_ingest
from tests.care.factories import T0, care_contact, make_alert, watched_home
from tests.live import communicator, run_in_own_loop

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/care/alerts/"


def _communicator(user):
    return communicator(websocket_urlpatterns, PATH, user)


def test_groups_follow_the_alert_policy(world):
    u = world.users
    person, _w, _p = watched_home(world)
    care_contact(person, u["feng_resident"])
    grid = world.grids[0]
    assert events.region_group(grid.pk) in groups_for_user(u["li_gridworker"])
    assert groups_for_user(u["feng_resident"]) == [events.person_group(person.pk)]
    assert groups_for_user(u["admin"]) == [events.ALL_GROUP]
    for nobody in ("wang_resident", "shui_utility", "sun_department"):
        assert groups_for_user(u[nobody]) == [], nobody
    # every region on an alert's path is told: the grid, the community, the street, the district
    alert = make_alert(world, person=person)
    on_path = set(events.groups_for(alert.region_path, alert.person_id))
    for staff in ("li_gridworker", "ma_gridleader", "zhao_community", "chen_street", "liu_district"):
        assert set(groups_for_user(u[staff])) & on_path, staff
    for twin in ("wu_gridworker", "he_community", "zhou_outsider"):
        assert not set(groups_for_user(u[twin])) & on_path, twin


def test_only_entitled_users_hear_of_raised_moved_and_auto_closed_alerts(world):
    u = world.users
    person, water, power = watched_home(world)
    care_contact(person, u["feng_resident"])
    now = T0 + timedelta(hours=10)

    async def scenario():
        for refused in ("wang_resident", "shui_utility"):
            comm = _communicator(u[refused])
            connected, _ = await comm.connect()
            assert not connected, refused
        grid = _communicator(u["li_gridworker"])
        assert (await grid.connect())[0]
        twin = _communicator(u["wu_gridworker"])  # staff of the other grid: joins, hears nothing of A1
        assert (await twin.connect())[0]
        daughter = _communicator(u["feng_resident"])
        assert (await daughter.connect())[0]

        alert = await sync_to_async(make_alert)(world, person=person, now=now)
        msg = await grid.receive_json_from(timeout=2)
        assert (msg["alert"], msg["event"], msg["state"]) == (alert.pk, "raised", "open")
        assert (await daughter.receive_json_from(timeout=2))["alert"] == alert.pk

        await sync_to_async(alert_acknowledge)(alert=alert, actor=u["li_gridworker"], now=now)
        msg = await grid.receive_json_from(timeout=2)
        assert (msg["event"], msg["state"]) == ("acknowledge", "acknowledged")
        await daughter.receive_json_from(timeout=2)

        device = await sync_to_async(make_alert)(world, kind="device", person=person, now=now)
        assert (await grid.receive_json_from(timeout=2))["alert"] == device.pk
        await daughter.receive_json_from(timeout=2)
        rows = [{"meter": m.external_id, "ts": (T0 + timedelta(hours=9)).isoformat(), "value": 0.1}
                for m in (water, power)]
        await sync_to_async(readings_ingest)(utility=water.utility, rows=rows[:1], now=now)
        await sync_to_async(readings_ingest)(utility=power.utility, rows=rows[1:], now=now)
        msg = await grid.receive_json_from(timeout=2)
        assert (msg["alert"], msg["event"], msg["state"]) == (device.pk, "resolve", "resolved")
        await daughter.receive_json_from(timeout=2)

        assert await twin.receive_nothing(timeout=0.3)
        assert await grid.receive_nothing(timeout=0.1)
        for comm in (grid, twin, daughter):
            await comm.disconnect()
        await sync_to_async(connections.close_all)()  # the executor thread's connection (PostgreSQL teardown)

    run_in_own_loop(scenario)


def test_the_page_listens_and_still_polls_while_the_socket_is_down(world, client_for):
    from django.urls import reverse

    alert = make_alert(world)
    page = client_for("li_gridworker").get(reverse("care:alerts")).content.decode()
    assert 'data-ws="/ws/care/alerts/"' in page and "care/live.js" in page
    assert "care-changed from:body" in page and "every 15s [!this.hasAttribute('data-live')]" in page
    assert f'data-testid="care-alert-{alert.pk}"' in page
    live = client_for("li_gridworker").get(reverse("care:alerts_live")).content.decode()
    assert f'data-testid="care-alert-{alert.pk}"' in live
