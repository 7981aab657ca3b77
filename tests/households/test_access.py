"""Scoping of persons and sensitive tags (ROLES.md, households column), reveal, care contacts."""

import pytest
from django.core.cache import cache

from governance import access
from governance.errors import Forbidden, NotFound, ValidationFailed
from governance.models import AuditEvent
from governance.ratelimit import Throttled
from households import selectors
from households.models import Person, PersonTag
from households.services import care_contact_add, person_reveal
from tests.households.conftest import make_id


def names(user):
    return set(access.scope(Person.objects.all(), user, "view").values_list("name", flat=True))


def test_staff_see_their_region(world, hh):
    u = world.users
    assert names(u["li_gridworker"]) == {"张桂英", "王秀兰"}
    assert names(u["wu_gridworker"]) == {"吴大爷"}
    assert names(u["zhao_community"]) == {"张桂英", "王秀兰", "吴大爷"}
    assert names(u["chen_street"]) == {"张桂英", "王秀兰", "吴大爷"}
    assert names(u["zhou_outsider"]) == {"冯建华"}
    assert names(u["liu_district"]) == {"张桂英", "王秀兰", "吴大爷", "冯建华"}
    assert names(u["sun_department"]) == set()  # 城管 sees no household files


def test_resident_sees_own_household_only(world, hh):
    assert names(world.users["wang_resident"]) == {"张桂英", "王秀兰"}
    assert names(world.users["feng_resident"]) == {"冯建华"}


def test_minzheng_sees_assistance_groups_only(world, hh):
    assert names(world.users["qian_department"]) == {"张桂英"}  # 低保
    tags = selectors.person_tags(world.users["qian_department"], [hh.old.pk])
    assert [t.tag.code for t in tags[hh.old.pk]] == ["dibao"]  # not 独居老人


def codes(user, person):
    return sorted(t.tag.code for t in selectors.person_tags(user, [person.pk]).get(person.pk, []))


def test_sensitive_tags_by_role(world, hh):
    u = world.users
    assert codes(u["li_gridworker"], hh.old) == ["elderly_alone"]
    assert codes(u["zhao_community"], hh.old) == ["dibao", "elderly_alone"]
    assert codes(u["chen_street"], hh.old) == ["elderly_alone"]
    assert codes(u["sun_department"], hh.old) == []
    # 重点人员: restricted further, even community staff of community B do not see it
    assert codes(u["he_community"], hh.bp) == []
    assert codes(u["liu_district"], hh.bp) == ["key_person"]


def test_sensitive_view_is_audited(world, hh):
    before = AuditEvent.objects.filter(action="person_tags.view_sensitive").count()
    codes(world.users["li_gridworker"], hh.old)  # nothing sensitive shown: no event
    assert AuditEvent.objects.filter(action="person_tags.view_sensitive").count() == before
    codes(world.users["zhao_community"], hh.old)
    event = AuditEvent.objects.filter(action="person_tags.view_sensitive").first()
    assert event is not None and event.actor == world.users["zhao_community"] and event.data["groups"] == ["dibao"]


def test_reveal_rules(world, hh, settings):
    cache.clear()
    u = world.users
    number = person_reveal(person=hh.old, field="id_number", purpose="核对低保申请", actor=u["zhao_community"])
    assert number == make_id(seq=1)
    event = AuditEvent.objects.filter(action="person.reveal_id_number").first()
    assert event is not None and event.purpose == "核对低保申请" and event.actor == u["zhao_community"] and number not in str(event.data)
    assert person_reveal(person=hh.old, field="phone", purpose="联系家属", actor=u["li_gridworker"]) == "13912345678"
    with pytest.raises(Forbidden):
        person_reveal(person=hh.old, field="id_number", purpose="想看看", actor=u["li_gridworker"])
    with pytest.raises(NotFound):
        person_reveal(person=hh.old, field="phone", purpose="联系", actor=u["wu_gridworker"])
    with pytest.raises(Forbidden):
        person_reveal(person=hh.old, field="phone", purpose="联系", actor=u["chen_street"])  # view only
    with pytest.raises(ValidationFailed):
        person_reveal(person=hh.old, field="phone", purpose=" ", actor=u["li_gridworker"])


def test_reveal_rate_limited(world, hh, settings, api_for):
    """THROTTLE_REVEAL holds from the audit trail, with the cache emptied in between, and the
    API answers 429 over it as docs/api.md says."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "reveal": "2/hour"}}
    for _ in range(2):
        person_reveal(person=hh.old, field="phone", purpose="联系", actor=world.users["li_gridworker"])
        cache.clear()
    with pytest.raises(Throttled) as err:
        person_reveal(person=hh.old, field="phone", purpose="联系", actor=world.users["li_gridworker"])
    assert err.value.code == "reveal_rate_limited"
    response = api_for("li_gridworker").post(f"/api/v1/households/persons/{hh.old.pk}/reveal/",
                                              {"field": "phone", "purpose": "联系"}, format="json")
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "reveal_rate_limited"


def test_a_linked_care_contact_sees_the_person_through_the_contact_row_alone(world, hh, django_user_model):
    daughter = django_user_model.objects.create_user(username="zhang_daughter", password="x")
    assert not access.can(daughter, "view", hh.old)
    contact = care_contact_add(person=hh.old, name="张丽", relation="女儿", phone="13700001111", user=daughter,
                               actor=world.users["wang_resident"])  # a household member manages contacts
    assert contact.phone_masked == "137****1111"
    daughter = django_user_model.objects.get(pk=daughter.pk)
    assert access.can(daughter, "view", hh.old) and not access.can(daughter, "view", hh.wang)
    assert not access.can(daughter, "change", hh.old) and not access.can(daughter, "propose", hh.old)
    from guardian.models import UserObjectPermission

    assert not UserObjectPermission.objects.filter(user=daughter).exists()  # one source of truth
    type(contact).objects.filter(pk=contact.pk).update(active=False)
    assert not access.can(django_user_model.objects.get(pk=daughter.pk), "view", hh.old)
    with pytest.raises(NotFound):
        care_contact_add(person=hh.old, name="x", relation="y", phone="13700001112", actor=world.users["feng_resident"])
    with pytest.raises(Forbidden):
        care_contact_add(person=hh.old, name="x", relation="y", phone="13700001112", actor=world.users["li_gridworker"])


def test_tag_counts_follow_visibility(world, hh):
    grid = next(r for r in selectors.special_group_counts(world.users["zhao_community"]) if r["level"] == "grid")
    assert grid["groups"] == {"独居老人": 1, "低保户": 1}
    li = next(r for r in selectors.special_group_counts(world.users["li_gridworker"]) if r["level"] == "grid")
    assert li["groups"] == {"独居老人": 1}
    assert PersonTag.objects.count() == 4


def test_gongan_sees_rentals_of_its_district_only(world, hh, django_user_model):
    import datetime as dt

    from governance.models import Assignment
    from households.models import Rental
    from households.services import rental_create

    rental_create(unit=hh.a1.unit, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
                  actor=world.users["zhao_community"])
    police = django_user_model.objects.create_user(username="police", password="x")
    Assignment.objects.create(user=police, role="department_staff", department=world.departments["gongan"])
    police = django_user_model.objects.get(pk=police.pk)
    assert access.scope(Rental.objects.all(), police, "view").count() == 1
    assert names(police) == set()  # no household files, only rentals
    assert access.scope(Rental.objects.all(), world.users["qian_department"], "view").count() == 0
