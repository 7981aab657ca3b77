"""audit.record: actor, IP (REMOTE_ADDR / X-Forwarded-For), purpose, region, and it shares
the fate of the change's transaction."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from governance import access, audit
from governance.middleware import RequestContextMiddleware
from governance.models import AuditEvent


def _through_middleware(request, **record):
    """Run audit.record inside a request, as a service called from a view does."""
    events = []

    def view(req):
        events.append(audit.record(**record))
        return HttpResponse("ok")

    RequestContextMiddleware(view)(request)
    return events[0]


def test_actor_purpose_region_and_object(world):
    li, grid = world.users["li_gridworker"], world.grids[0]
    event = audit.record(actor=li, action="person.reveal_id", obj=grid, purpose="核实低保申请",
                         data={"field": "id_number"})
    event.refresh_from_db()
    assert event.actor == li and event.action == "person.reveal_id"
    assert event.object_type == "governance.region" and event.object_id == str(grid.pk)
    assert event.object_repr == str(grid)
    assert event.purpose == "核实低保申请" and event.data == {"field": "id_number"}
    assert event.at is not None


def test_region_is_kept_with_its_path(world):
    grid = world.grids[0]
    event = audit.record(actor=world.users["li_gridworker"], action="x", region=grid)
    assert event.region == grid and event.region_path == grid.path
    # District administrators read the trail of their district by that path.
    assert AuditEvent.objects.filter(region_path__startswith=world.district.path, pk=event.pk).exists()


def test_purpose_is_cut_to_its_column(world):
    event = audit.record(actor=world.users["li_gridworker"], action="x", purpose="因" * 500)
    assert len(event.purpose) == 200


def test_anonymous_actor_is_stored_as_none(db):
    assert audit.record(actor=AnonymousUser(), action="login.failed").actor is None


def test_ip_from_remote_addr(world):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    event = _through_middleware(request, actor=world.users["li_gridworker"], action="x")
    assert event.ip == "192.0.2.10"


def test_ip_from_x_forwarded_for_behind_our_proxy(world, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1")
    event = _through_middleware(request, actor=world.users["li_gridworker"], action="x")
    assert event.ip == "203.0.113.7"


def test_x_forwarded_for_ignored_without_a_proxy(world, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    event = _through_middleware(request, actor=world.users["li_gridworker"], action="x")
    assert event.ip == "10.0.0.2"


def test_forged_x_forwarded_for_falls_back_to_the_peer(world, settings):
    """A header that is not an address must not break the audit write (it was a 500 on PostgreSQL)."""
    settings.TRUST_X_FORWARDED_FOR = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>, 10.0.0.1")
    event = _through_middleware(request, actor=world.users["li_gridworker"], action="x")
    assert event.ip == "10.0.0.2"


def test_ip_is_not_leaked_between_requests(world):
    _through_middleware(RequestFactory().get("/", REMOTE_ADDR="192.0.2.10"),
                        actor=world.users["li_gridworker"], action="x")
    # Outside a request (a Celery task) there is no IP.
    assert audit.record(actor=world.users["li_gridworker"], action="task").ip is None


def test_explicit_ip_wins(world):
    assert audit.record(actor=access.system(), action="x", ip="198.51.100.1").ip == "198.51.100.1"


def test_rolled_back_with_the_failing_change(world):
    grid = world.grids[0]
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        grid.name = "改名后的网格"
        grid.save(update_fields=["name"])
        audit.record(actor=world.users["liu_district"], action="region.rename", obj=grid)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == before
    grid.refresh_from_db()
    assert grid.name != "改名后的网格"


def test_committed_with_the_change(world):
    with transaction.atomic():
        audit.record(actor=world.users["liu_district"], action="region.rename", obj=world.grids[0])
    assert AuditEvent.objects.filter(action="region.rename").count() == 1


def test_audit_admin_is_read_only(world, client_for):
    from django.urls import reverse

    event = audit.record(actor=world.users["li_gridworker"], action="x", region=world.grids[0])
    client = client_for("liu_district")
    assert client.get(reverse("admin:governance_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:governance_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:governance_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
