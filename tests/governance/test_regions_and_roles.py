import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from governance.models import Assignment, Region, User
from tests.factories import AssignmentFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_paths_form_a_subtree(world):
    district, street_a = world.district, world.streets[0]
    grid = world.grids[0]
    assert grid.path.startswith(street_a.path) and street_a.path.startswith(district.path)
    assert set(street_a.subtree().filter(level="grid")) == set(world.grids[:6])
    assert list(grid.ancestors().values_list("level", flat=True)) == ["district", "street", "community", "grid"]
    assert grid.ancestor_at("street") == street_a
    # "/1/" must not match "/12/": the trailing slash keeps ids apart
    assert not any(r.path.startswith(world.grids[1].path) for r in world.grids if r != world.grids[1])


def test_moving_a_region_moves_its_subtree(world):
    community = world.communities[1]
    new_street = world.streets[1]
    community.parent = new_street
    community.save()
    for grid in Region.objects.filter(parent=community):
        assert grid.path.startswith(new_street.path + f"{community.pk}/")


def test_level_rules_are_enforced(world):
    wrong = Region(level="grid", name="x", code="bad-1", parent=world.streets[0])
    with pytest.raises(ValidationError) as err:
        wrong.full_clean()
    assert "parent" in err.value.message_dict
    bad_boundary = RegionFactory.build(parent=world.communities[0], boundary={"type": "Point", "coordinates": [1, 2]})
    with pytest.raises(ValidationError):
        bad_boundary.full_clean()


def test_assignment_needs_the_right_kind_of_place(world):
    user = UserFactory.create()
    with pytest.raises(ValidationError) as err:
        Assignment(user=user, role="grid_worker", region=world.communities[0]).full_clean()
    assert "region" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        Assignment(user=user, role="department_staff").full_clean()
    assert "department" in err.value.message_dict


def test_ended_assignments_grant_nothing(world):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory.create()
    AssignmentFactory(user=user, role="grid_worker", region=world.grids[0],
                      starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=1))
    from governance import access

    assert not access.assignments(User.objects.get(pk=user.pk))


def test_login_by_username_or_mobile(client, world):
    from django.contrib.auth import authenticate

    assert authenticate(username="wang_resident", password="Linli@2026") == world.users["wang_resident"]
    assert authenticate(username="13800000001", password="Linli@2026") == world.users["wang_resident"]
    assert authenticate(username="13800000001", password="wrong") is None


def test_seed_demo_is_idempotent(db):
    from django.apps import apps

    call_command("seed_demo", "--quiet-accounts")
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    call_command("seed_demo", "--quiet-accounts")
    after = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    changed = {k: (counts[k], after[k]) for k in counts if counts[k] != after[k] and "celery" not in k.lower()}
    assert not changed, f"seed_demo is not idempotent: {changed}"


def test_me_api_refuses_an_unknown_language(api_for):
    client = api_for("wang_resident")
    response = client.patch("/api/v1/me/", {"language": "xx"}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]
    assert client.patch("/api/v1/me/", {"language": "en"}, format="json").status_code == 200


def test_django_setlang_saves_the_choice_on_the_account(client_for, world):
    client = client_for("wang_resident")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].language == "en"


def test_every_demo_account_logs_in(db):
    """The README's table: every account seed_demo makes (core and apps) logs in with the printed password."""
    from django.test import Client

    from governance.seed import DEMO_PASSWORD

    call_command("seed_demo", "--quiet-accounts")
    usernames = list(User.objects.filter(is_active=True).values_list("username", flat=True))
    assert {"wang_resident", "li_gridworker", "zhang_family", "zhou_huanwei"} <= set(usernames)
    for username in usernames:
        assert Client().login(username=username, password=DEMO_PASSWORD), username
