"""The doors: the utility's readings API (token-scoped), alerts and away periods for the community,
the portal pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import ApiToken
from households.care.models import AlertState, AwayFlag, Reading
from tests.care.factories import care_contact, make_alert, watched_home

pytestmark = pytest.mark.django_db
URL = "/api/v1/meter-readings/"


def token_client(world, dept="water_co", scopes=("meter_readings",)):
    _token, raw = ApiToken.issue(name="gateway", user=world.users["shui_utility"],
                                 department=world.departments[dept], scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_utility_token_posts_readings_idempotently(world):
    _person, water, power = watched_home(world)
    ts = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    body = {"readings": [{"meter": water.external_id, "ts": ts, "value": "12.5"},
                         {"meter": power.external_id, "ts": ts, "value": "3"}]}
    client = token_client(world)
    first = client.post(URL, body, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["stored"] == 1
    # the power company's meter is not the water company's: a row error, not a 403 of the batch
    assert [(e["index"], e["field"]) for e in first.json()["errors"]] == [(1, "meter")]
    again = client.post(URL, body, format="json")
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 1
    assert Reading.objects.filter(meter=water).count() == 1


def test_readings_need_a_utility_token_with_the_scope(world, api_for):
    assert api_for(None).post(URL, {"readings": []}, format="json").status_code == 401
    assert api_for("shui_utility").post(URL, {"readings": [{}]}, format="json").status_code == 403
    assert token_client(world, scopes=["orders"]).post(URL, {"readings": [{}]}, format="json").status_code == 403
    assert token_client(world, dept="chengguan").post(URL, {"readings": [{}]}, format="json").status_code == 403
    too_many = {"readings": [{}] * 5001}
    assert token_client(world).post(URL, too_many, format="json").status_code == 400


def test_alert_api_ladder_and_conflict(world, api_for):
    alert = make_alert(world)
    li = api_for("li_gridworker")
    listed = li.get("/api/v1/care/alerts/?state=open").json()["results"]
    assert alert.pk in [a["id"] for a in listed]
    assert api_for("wu_gridworker").get(f"/api/v1/care/alerts/{alert.pk}/").status_code == 404
    r = li.post(f"/api/v1/care/alerts/{alert.pk}/acknowledge/", {"note": "已电话联系"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == AlertState.ACKNOWLEDGED
    again = li.post(f"/api/v1/care/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    r = li.post(f"/api/v1/care/alerts/{alert.pk}/visit/", {"helpers": "police"}, format="json")
    assert r.status_code == 200
    r = li.post(f"/api/v1/care/alerts/{alert.pk}/resolve/", {"outcome": "away", "note": "在女儿家"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "away"
    assert [e["to_state"] for e in r.json()["timeline"] if e["to_state"]] == [
        "open", "acknowledged", "visiting", "resolved"]


def test_care_contact_sees_only_their_persons_alerts_and_away_periods(world, api_for):
    mine = make_alert(world)
    other = make_alert(world)
    daughter = world.users["feng_resident"]
    care_contact(mine.person, daughter)
    client = api_for("feng_resident")
    ids = [a["id"] for a in client.get("/api/v1/care/alerts/").json()["results"]]
    assert mine.pk in ids and other.pk not in ids
    assert client.get(f"/api/v1/care/alerts/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/care/alerts/{mine.pk}/acknowledge/", {}, format="json").status_code == 403
    now = timezone.now()
    body = {"person": mine.person.pk, "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=7)).isoformat(),
            "note": "住女儿家一周"}
    r = client.post("/api/v1/care/away-flags/", body, format="json")
    assert r.status_code == 201, r.content
    body["person"] = other.person.pk
    assert client.post("/api/v1/care/away-flags/", body, format="json").status_code == 404
    flag = AwayFlag.objects.get(person=mine.person)
    assert [f["id"] for f in client.get("/api/v1/care/away-flags/").json()["results"]] == [flag.pk]
    assert client.post(f"/api/v1/care/away-flags/{flag.pk}/cancel/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/care/away-flags/{flag.pk}/cancel/", {}, format="json").status_code == 409


def test_away_flag_by_the_person_and_by_staff(world, api_for):
    person, _w, _p = watched_home(world)
    person.user = world.users["wang_resident"]
    person.save()
    now = timezone.now()
    body = {"person": person.pk, "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=2)).isoformat()}
    assert api_for("wang_resident").post("/api/v1/care/away-flags/", body, format="json").status_code == 201
    assert api_for("li_gridworker").post("/api/v1/care/away-flags/", body, format="json").status_code == 201
    assert api_for("wu_gridworker").post("/api/v1/care/away-flags/", body, format="json").status_code == 404
    bad = {**body, "ends_at": (now - timedelta(days=1)).isoformat()}
    r = api_for("li_gridworker").post("/api/v1/care/away-flags/", bad, format="json")
    assert r.status_code == 400 and "ends_at" in r.json()["error"]["fields"]


def test_portal_list_and_ladder_on_a_phone(world, client_for):
    alert = make_alert(world)
    li = client_for("li_gridworker")
    page = li.get("/care/")
    assert page.status_code == 200 and f'care-alert-{alert.pk}' in page.content.decode()
    assert "hx-trigger=\"every 15s [!this.hasAttribute('data-live')], care-changed from:body\"" in page.content.decode()
    assert f"care-alert-{alert.pk}" not in client_for("wu_gridworker").get("/care/live/").content.decode()
    li.post(f"/care/alerts/{alert.pk}/acknowledge/")
    li.post(f"/care/alerts/{alert.pk}/visit/", {"helpers": ""})
    r = li.post(f"/care/alerts/{alert.pk}/resolve/", {"outcome": "needed_help", "note": ""}, follow=True)
    assert "alert-state" in r.content.decode()
    alert.refresh_from_db()
    assert alert.state == AlertState.VISITING  # needed_help without a note is refused, shown as a message
    li.post(f"/care/alerts/{alert.pk}/resolve/", {"outcome": "needed_help", "note": "协助就医"})
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_alert_and_away_lists_cost_constant_queries(world, api_for, client_for):
    from tests.querycount import assert_constant_queries

    li = api_for("li_gridworker")
    page = client_for("li_gridworker")
    now = timezone.now()

    def make(n):
        for _ in range(n):
            alert = make_alert(world)
            AwayFlag.objects.create(person=alert.person, starts_at=now, ends_at=now + timedelta(days=1))

    li.get("/api/v1/care/alerts/")  # warm caches (content types) outside the count
    assert_constant_queries(make, lambda: li.get("/api/v1/care/alerts/"), small=2, large=6)
    assert_constant_queries(lambda n: None, lambda: li.get("/api/v1/care/away-flags/"), small=2, large=6)
    assert_constant_queries(make, lambda: page.get("/care/live/"), small=1, large=4)
