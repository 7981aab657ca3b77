"""Hostile input gets a clear 4xx in the error contract and writes nothing (issue 12 item 12):
NUL bytes in query parameters, form and JSON fields; an impossible timezone offset; JSON nested
100,000 deep; a body over the limit."""

from __future__ import annotations

import json

import pytest
from django.test import Client

NUL = "\x00"

# Query parameters of list endpoints that once reached PostgreSQL with a NUL (a 500 there).
QUERY_PROBES = [
    ("zhao_community", "/api/v1/households/persons/", "q"),
    ("zhao_community", "/api/v1/households/persons/", "last4"),
    ("zhao_community", "/api/v1/households/persons/", "address"),
    ("zhao_community", "/api/v1/households/persons/", "tag"),
    ("zhao_community", "/api/v1/households/persons/", "id_number"),
    ("chen_street", "/api/v1/orders/", "category_code"),
    ("chen_street", "/api/v1/orders/", "search"),
    ("zhao_community", "/api/v1/regions/", "name"),
]


@pytest.mark.parametrize(("persona", "url", "param"), QUERY_PROBES)
def test_nul_in_a_query_parameter_is_a_400_naming_it(world, api_for, persona, url, param):
    response = api_for(persona).get(url, {param: f"和平{NUL}里"})
    assert response.status_code == 400, response.content
    assert param in response.json()["error"]["fields"]


def test_nul_in_a_portal_search_is_a_400(world, client_for):
    response = client_for("zhao_community").get("/households/", {"q": f"张{NUL}"})
    assert response.status_code == 400


def test_nul_in_json_fields_is_a_400_naming_the_path_and_writes_nothing(world, api_for):
    from workorders.models import WorkOrder

    before = WorkOrder.objects.count()
    body = {"channel": "portal", "description": f"路灯{NUL}不亮", "address": "x", "extra": {"tags": [f"ok{NUL}"]}}
    response = api_for("wang_resident").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"extra.tags.0", "description"} <= set(fields)
    assert WorkOrder.objects.count() == before


def test_nul_in_a_form_field_is_a_400(world, client_for):
    response = client_for("wang_resident").post("/households/register/", {"name": f"王{NUL}", "address": "x"})
    assert response.status_code == 400


def test_timezone_offset_out_of_range_is_a_400(world, api_for):
    api = api_for("wang_resident")
    response = api.get("/api/v1/notifications/", {"since": "2026-01-01T00:00:00+99:00"})
    assert response.status_code == 400 and "since" in response.json()["error"]["fields"]
    response = api_for("chen_street").get("/api/v1/orders/", {"reported_after": "2026-01-01T00:00:00+99:00"})
    assert response.status_code == 400 and "reported_after" in response.json()["error"]["fields"]


@pytest.mark.parametrize("moment", ["1098-04-08T11:26:07+19:33", "0001-01-01T00:00:00+08:00",
                                    "2026-01-01T00:00:00+15:00"])
def test_implausible_moments_are_a_400_not_a_database_error(world, api_for, moment):
    """Offsets Python accepts but PostgreSQL refuses (a 500 there), and years no request means."""
    response = api_for("chen_street").get("/api/v1/orders/", {"reported_after": moment})
    assert response.status_code == 400 and "reported_after" in response.json()["error"]["fields"]
    response = api_for("wang_resident").get("/api/v1/notifications/", {"since": moment})
    assert response.status_code == 400 and "since" in response.json()["error"]["fields"]
    response = api_for("li_gridworker").post("/api/v1/households/visits/", {"findings": "x", "visited_at": moment},
                                             format="json")
    assert response.status_code == 400 and "visited_at" in response.json()["error"]["fields"]


def test_json_nested_100000_deep_is_a_400(world, api_for):
    body = "[" * 100_000 + "]" * 100_000
    response = api_for("wang_resident").generic("POST", "/api/v1/orders/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "parse_error"


def test_body_over_the_limit_is_a_413_in_the_contract(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(raise_request_exception=False)
    client.force_login(world.users["wang_resident"])
    big = json.dumps({"description": "长" * 20_000})
    response = client.post("/api/v1/orders/", big, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["code"] == "request_too_large"
    form = client.post("/api/v1/orders/", {"description": "长" * 20_000})  # a form body: Django's limit
    assert form.status_code == 413 and form.json()["error"]["code"] == "request_too_large"
