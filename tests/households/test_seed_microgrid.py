"""The demo's micro-grid is not empty: 1号楼 and 2号楼 of grid A1 lie in hu_loudong's micro-grid,
so the 楼栋长 sees their buildings, households and people (and only those), while grid A1's
staff still see them as part of their grid."""

import pytest
from django.urls import reverse

from governance import access
from households import seed as households_seed
from households.models import Building, Household, Person

pytestmark = pytest.mark.django_db


def test_the_micro_grid_heads_scope_is_not_empty_after_seed(world, client_for):
    households_seed.seed(world)
    hu, li, wu = (world.users[n] for n in ("hu_loudong", "li_gridworker", "wu_gridworker"))
    micro = world.microgrids[0]
    mine = access.scope(Building.objects.all(), hu, "view")
    assert sorted(mine.values_list("name", flat=True)) == ["1号楼", "2号楼"]
    assert all(b.grid_id == micro.pk and b.region_path == micro.path for b in mine)
    assert access.scope(Household.objects.all(), hu, "view").exists()
    people = access.scope(Person.objects.all(), hu, "view")
    assert people.exists() and all(p.region_path.startswith(micro.path) for p in people)
    # the grid still holds them; the twin grid does not
    assert set(mine) <= set(access.scope(Building.objects.all(), li, "view"))
    assert not access.scope(Building.objects.filter(pk__in=mine), wu, "view").exists()
    # his staff page lists his buildings
    page = client_for("hu_loudong").get(reverse("households:staff"))
    assert page.status_code == 200 and [b.name for b in page.context["buildings"]] == ["1号楼", "2号楼"]
    # the demo resident still lives in grid A1
    assert Person.objects.get(user=world.users["wang_resident"]).region_path.startswith(world.grids[0].path)
