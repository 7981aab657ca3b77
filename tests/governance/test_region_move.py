"""Moving a region moves every copy of its path (issue 13, block 9): the regions under it and
each row that keeps a `region_path` — one set-based UPDATE per table — so scoping follows at
once; the audit trail keeps where events happened."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import access, audit, regions
from governance.models import AuditEvent, Region
from households.models import Building, Person
from households.services import person_create
from tests.households.conftest import flat
from tests.workorders.conftest import grid_point


def test_moving_a_grid_moves_every_copy_and_the_scope(world):
    from workorders import services
    from workorders.models import Category, WorkOrder
    from workorders.reference import load_defaults

    grid, community_b = world.grids[0], world.communities[2]
    person = person_create(household=flat(grid, "和平里东街1号"), name="张桂英", actor=access.system())
    load_defaults()
    lon, lat = grid_point(grid)
    order = services.order_report(actor=world.users["wang_resident"], channel="portal",
                                  category=Category.objects.get(kind="event", code="0102"), description="路灯不亮",
                                  lon=lon, lat=lat)
    event = audit.record(actor=access.system(), action="test.before_move", obj=person)
    old_path = grid.path
    assert access.can(world.users["zhao_community"], "view", person)

    grid.parent = community_b
    with CaptureQueriesContext(connection) as queries:
        grid.save()
    updates = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) <= 2 + len(regions.path_copies())  # the row saved, then one per table: not per row

    grid.refresh_from_db()
    new_path = f"{community_b.path}{grid.pk}/"
    assert grid.path == new_path
    assert Region.objects.filter(path__startswith=old_path).count() == 0
    assert Person.objects.get(pk=person.pk).region_path.startswith(new_path)
    assert Building.objects.filter(region_path__startswith=new_path).exists()
    assert WorkOrder.objects.get(pk=order.pk).region_path.startswith(new_path)
    for model in regions.path_copies():
        assert not model._base_manager.filter(region_path__startswith=old_path).exists(), model
    assert AuditEvent.objects.get(pk=event.pk).region_path == event.region_path  # history stays
    # Scoping follows at once: community A's staff no longer see the person, community B's do.
    fresh = {name: type(world.users[name]).objects.get(pk=world.users[name].pk)
             for name in ("zhao_community", "he_community")}
    assert not access.can(fresh["zhao_community"], "view", person)
    assert access.can(fresh["he_community"], "view", person)


def test_every_path_copy_is_found():
    labels = {m._meta.label_lower for m in regions.path_copies()}
    assert {"households.person", "households.building", "workorders.workorder", "care.alert"} <= labels
    assert "governance.auditevent" not in labels and len(labels) >= 15
