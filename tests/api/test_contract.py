"""The API keeps its published contract (issue 12 item 17): schemathesis generates requests for
every operation of /api/schema/ and checks each answer — never a 5xx, and always the shape the
schema declares (bodies, nullability, enums, lists). A bounded number of examples per operation
keeps it in the suite's time; the throttles are relaxed for the run (tests.settings).

Requests run in-process (WSGI) inside the test's transaction on the full demo data (seed_demo:
persons, care alerts in every state, orders in every state), as personas with API tokens: a
district administrator (who reaches every region), a resident and a department."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
import schemathesis
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# Examples per operation and persona; CONTRACT_EXAMPLES=40 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "6"))
PERSONAS = ["liu_district", "wang_resident", "sun_department"]


def _operations(world):
    from django.test import Client

    from governance.wsgi import application

    raw = Client().get("/api/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    return [result.ok() for result in schema.get_all_operations()]


@contextlib.contextmanager
def keep_test_connection():
    """Schemathesis calls the WSGI app directly, which sends request_started/finished; their
    close_old_connections would close the test's connection mid-transaction (on PostgreSQL the
    next request then fails). Django's own test client disconnects them the same way (and
    connects them again after each of its requests, so this wraps only schemathesis' calls)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_keeps_the_contract(world, persona):
    from governance.models import ApiToken

    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    _token, raw = ApiToken.issue(name="contract", user=world.users[persona])
    headers = {"Authorization": f"Bearer {raw}"}
    operations = _operations(world)
    assert len(operations) > 60
    failures: dict[str, str] = {}
    for operation in operations:
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            # Each call in a savepoint, as each request is its own transaction in production: a
            # database error in one would otherwise abort the test's transaction for the rest.
            with transaction.atomic():
                case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            with keep_test_connection():
                check()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's first failure, then report them all
            failures[operation.label] = str(exc)[:1500]
    assert not failures, f"{len(failures)} operations broke the contract as {persona}:\n\n" + "\n\n".join(
        f"### {label}\n{text}" for label, text in sorted(failures.items()))
