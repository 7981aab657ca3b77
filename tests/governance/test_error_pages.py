"""Errors below the view (issue 12 item 11): a database gone away answers 503 in the error
contract (HTML for pages) with nothing half-written; /api/ never answers HTML; the error pages
render in production even before collectstatic (a file missing from the manifest)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings


def _database_gone(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/orders/"])
def test_api_answers_503_in_the_contract_when_the_database_is_gone(world, url):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["zhao_community"])
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", _database_gone):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "unavailable" and response["Retry-After"]


def test_pages_answer_a_standalone_503(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["wang_resident"])
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", _database_gone):
        response = client.get("/me/")
    assert response.status_code == 503 and b"<html" in response.content and response["Retry-After"]


def test_a_write_the_database_drops_midway_leaves_no_row(world, api_for):
    """The order's row is inserted, then the timeline write fails: 503, and the row is gone
    with its transaction."""
    from tests.workorders.conftest import grid_point
    from workorders import events
    from workorders.models import Category, WorkOrder
    from workorders.reference import load_defaults

    load_defaults()
    lon, lat = grid_point(world.grids[0])
    client = Client(raise_request_exception=False)
    client.force_login(world.users["wang_resident"])
    before = WorkOrder.objects.count()
    with mock.patch.object(events, "record", _database_gone):
        response = client.post("/api/v1/orders/", {"channel": "portal", "description": "路灯不亮",
                                                    "category": Category.objects.get(kind="event", code="0102").pk,
                                                    "lon": lon, "lat": lat}, content_type="application/json")
    assert response.status_code == 503
    assert WorkOrder.objects.count() == before


def test_unknown_api_paths_answer_json(world, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_error_pages_render_before_collectstatic(world, tmp_path, settings):
    """Production storage with an empty STATIC_ROOT (no manifest): the 404 and 500 pages render,
    pointing at the plain stylesheet URL, instead of crashing on it."""
    settings.DEBUG = False
    settings.STATIC_ROOT = str(tmp_path)
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "governance.error_pages.StaticStorage"}}
    with override_settings(STORAGES=storages):
        from django.contrib.staticfiles.storage import staticfiles_storage

        staticfiles_storage._setup()  # type: ignore[attr-defined]  # a LazyObject: pick up the new STORAGES
        client = Client(raise_request_exception=False)
        response = client.get("/no-such-page/")
        assert response.status_code == 404 and b"/static/css/portal.css" in response.content
        with mock.patch("governance.views.HomeView.get", side_effect=RuntimeError("boom")):
            response = client.get("/")
        assert response.status_code == 500 and b"/static/css/portal.css" in response.content
