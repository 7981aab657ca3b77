"""A small household world on top of the personas: two flats in grid A1, one in grid A2,
one in community B, and the special groups with their visit rules."""

import datetime as dt
from types import SimpleNamespace

import pytest

from governance import access, pii
from households.defaults import load_special_groups
from households.models import Person, TagType, VisitRule
from households.services import building_create, household_create, person_create, person_tag_add, unit_create


def make_id(birth=dt.date(1950, 3, 1), seq=1, sex="F"):
    seq3 = seq * 2 + (1 if sex == "M" else 0)
    body = f"110105{birth:%Y%m%d}{seq3 % 1000:03d}"
    return body + pii.gb11643_check_char(body)


def flat(grid, address, number="101"):
    building = building_create(grid=grid, name="1号楼", address=address, actor=access.system())
    unit = unit_create(building=building, entrance="1", number=number, actor=access.system())
    return household_create(unit=unit, number=f"H{number}", actor=access.system())


@pytest.fixture
def hh(world):
    load_special_groups(TagType, VisitRule)
    tags = {t.code: t for t in TagType.objects.all()}
    a1, a2, b = flat(world.grids[0], "和平里东街1号"), flat(world.grids[1], "和平里东街11号"), flat(world.grids[6], "安华西里3号")
    old = person_create(household=a1, name="张桂英", id_number=make_id(seq=1), phones=["13912345678", "010-64211234"],
                        actor=access.system())
    wang = person_create(household=a1, name="王秀兰", id_number=make_id(dt.date(1962, 5, 4), 2), phones=["13800000001"],
                         actor=access.system(), user=world.users["wang_resident"])
    a2p = person_create(household=a2, name="吴大爷", id_number=make_id(seq=3, sex="M"), actor=access.system())
    bp = person_create(household=b, name="冯建华", id_number=make_id(seq=4, sex="M"), actor=access.system(),
                       user=world.users["feng_resident"])
    person_tag_add(person=old, tag=tags["elderly_alone"], actor=access.system(), valid_from=dt.date(2024, 1, 1))
    person_tag_add(person=old, tag=tags["dibao"], actor=access.system(), valid_from=dt.date(2024, 1, 1))
    person_tag_add(person=a2p, tag=tags["veteran"], actor=access.system(), valid_from=dt.date(2024, 1, 1))
    person_tag_add(person=bp, tag=tags["key_person"], actor=access.system(), subtype="社区矫正", valid_from=dt.date(2024, 1, 1))
    return SimpleNamespace(tags=tags, a1=a1, a2=a2, b=b, old=old, wang=wang, a2p=a2p, bp=bp,
                           persons=Person.objects.all())
