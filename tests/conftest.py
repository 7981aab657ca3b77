import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.personas import load_world

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need PostgreSQL semantics: on a local SQLite run they skip with a
    reason; in CI (CI=true) a missing PostgreSQL is an error, never a silent skip."""
    if IS_POSTGRES:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL (see .ci/run)")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Holiday rows written in a test roll back with it; the process's calendar cache must too."""
    from governance import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from governance.seed import seed

        seed()


@pytest.fixture
def world(db):
    """The demo world (regions, departments, one user per persona); see tests/personas.py."""
    return load_world()


@pytest.fixture
def client_for(world):
    """client_for("li_gridworker") -> a logged-in Django test client (pages, admin)."""
    from django.test import Client

    def make(persona):
        client = Client()
        if persona:
            client.force_login(world.users[persona])
        return client

    return make


@pytest.fixture
def api_for(world):
    """api_for("sun_department") -> a logged-in DRF APIClient; api_for(None) is anonymous."""

    def make(persona):
        client = APIClient()
        if persona:
            client.force_authenticate(world.users[persona])
        return client

    return make
