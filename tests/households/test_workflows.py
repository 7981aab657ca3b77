"""Registration, change requests with provenance, visits and their due rules, rentals, retention."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from governance import access
from governance.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from governance.models import Notification
from households import selectors
from households.models import FieldChange, FieldSource, Person, Visit, VisitRule
from households.services import (
    change_request_approve,
    change_request_create,
    change_request_decline,
    persons_purge_moved_out,
    registration_decline,
    registration_submit,
    registration_verify,
    rental_create,
    rental_reminders_send,
    visit_log,
)
from tests.households.conftest import make_id


def test_registration_links_login_to_person_on_file(world, hh, django_user_model):
    user = django_user_model.objects.create_user(username="zhang_new", password="x")
    reg = registration_submit(user=user, name="张桂英", id_type="resident_id", id_number=make_id(seq=1),
                              phone="13912345678", unit=hh.a1.unit)
    with pytest.raises(Conflict):
        registration_submit(user=user, name="张桂英", id_type="resident_id", id_number=make_id(seq=1),
                            phone="13912345678", unit=hh.a1.unit)
    from governance.errors import NotFound

    with pytest.raises(NotFound):  # grid workers do not see the verification queue
        registration_verify(registration=reg, actor=world.users["li_gridworker"])
    person = registration_verify(registration=reg, actor=world.users["zhao_community"])
    assert person == hh.old and Person.objects.get(pk=hh.old.pk).user == user
    with pytest.raises(IllegalTransition):
        registration_decline(registration=reg, reason="x", actor=world.users["zhao_community"])


def test_registration_new_person_and_decline(world, hh, django_user_model):
    user = django_user_model.objects.create_user(username="li_new", password="x")
    with pytest.raises(ValidationFailed) as err:
        registration_submit(user=user, name="李四", id_type="resident_id", id_number="110105195003010011",
                            phone="13900000000", unit=hh.a1.unit)
    assert "id_number" in err.value.fields
    reg = registration_submit(user=user, name="李四", id_type="resident_id", id_number=make_id(seq=9),
                              phone="13900000000", unit=hh.a1.unit)
    with pytest.raises(ValidationFailed):
        registration_decline(registration=reg, reason="", actor=world.users["zhao_community"])
    registration_decline(registration=reg, reason="地址与户籍不符", actor=world.users["zhao_community"])
    reg2 = registration_submit(user=user, name="李四", id_type="resident_id", id_number=make_id(seq=9),
                               phone="13900000000", unit=hh.a1.unit)
    person = registration_verify(registration=reg2, actor=world.users["zhao_community"])
    assert person.user == user and person.region_path == world.grids[0].path
    assert FieldSource.objects.get(person=person, field="id_number").kind == "registration"


def test_change_request_flow_with_provenance(world, hh):
    wang = world.users["wang_resident"]
    req = change_request_create(person=hh.wang, changes={"phone": "13811112222", "relation": "户主"}, actor=wang,
                                reason="换了手机")
    assert req.status == "submitted" and "13811112222" not in str(req.changes)  # kept encrypted
    from households.services import change_request_diff

    diff = {r["field"]: r for r in change_request_diff(req)}
    assert diff["phone"]["proposed"] == "138****2222" and diff["phone"]["previous"] == "138****0001"
    with pytest.raises(ValidationFailed):
        change_request_create(person=hh.wang, changes={"status": "deceased"}, actor=wang)  # not for residents
    with pytest.raises(Forbidden):
        change_request_approve(request=req, actor=world.users["li_gridworker"])
    change_request_approve(request=req, actor=world.users["zhao_community"])
    wang_p = Person.objects.get(pk=hh.wang.pk)
    phone = wang_p.phones.first()
    assert wang_p.relation == "户主" and phone is not None and phone.masked == "138****2222"
    assert FieldSource.objects.get(person=wang_p, field="relation").kind == "resident"
    assert FieldChange.objects.filter(person=wang_p, field="phone", new="138****2222").exists()
    with pytest.raises(IllegalTransition):
        change_request_decline(request=req, actor=world.users["zhao_community"], reason="晚了")


def test_change_requests_from_outside_are_not_found(world, hh):
    from governance.errors import NotFound

    with pytest.raises(NotFound):
        change_request_create(person=hh.wang, changes={"relation": "x"}, actor=world.users["feng_resident"])


def _photo(fmt="PNG"):
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, fmt)
    return SimpleUploadedFile(f"p.{fmt.lower()}", buf.getvalue(), content_type="image/png")


def test_visit_with_photo_and_follow_up(world, hh):
    calls = []
    from households.services import register_follow_up
    from households.services.visits import FOLLOW_UP_HANDLERS

    handler = register_follow_up(lambda **kw: calls.append(kw))
    try:
        with pytest.raises(ValidationFailed):
            visit_log(actor=world.users["li_gridworker"], person=hh.old,
                      photos=[SimpleUploadedFile("x.jpg", b"not an image")])
        visit = visit_log(actor=world.users["li_gridworker"], person=hh.old, findings="暖气不热", photos=[_photo()],
                          proposed_changes={"relation": "户主"}, open_order=True, follow_up_note="报修暖气")
    finally:
        FOLLOW_UP_HANDLERS.remove(handler)
    assert visit.photos.count() == 1 and visit.change_requests.get().source == "visit"
    with pytest.raises(Forbidden):
        visit_log(actor=world.users["chen_street"], person=hh.old)


def test_due_visits_rules_and_constant_queries(world, hh, django_assert_max_num_queries):
    li = world.users["li_gridworker"]
    rows = selectors.due_visits(li)
    assert [r["person"] for r in rows] == [hh.old] and rows[0]["overdue"]  # weekly, never visited
    visit_log(actor=li, person=hh.old, visited_at=timezone.now() - dt.timedelta(days=2))
    assert selectors.due_visits(li) == []  # next visit in 5 days, outside the 3-day window
    Visit.objects.update(visited_at=timezone.now() - dt.timedelta(days=5))
    row = selectors.due_visits(li)[0]
    assert not row["overdue"] and row["interval"] == 7
    VisitRule.objects.filter(tag__code="elderly_alone").update(interval_days=30)  # editable rule
    VisitRule.objects.filter(tag__code="dibao").update(interval_days=30)
    assert selectors.due_visits(li) == []
    # constant queries whatever the number of persons due
    from households.services import person_create, person_tag_add
    from tests.households.conftest import flat

    def add(n):
        for i in range(n):
            p = person_create(household=flat(world.grids[0], f"和平里东街{100 + i}号", str(200 + i)), name=f"老人{i}",
                              actor=access.system())
            person_tag_add(person=p, tag=hh.tags["elderly_alone"], actor=access.system())

    from tests.querycount import assert_constant_queries

    n = assert_constant_queries(add, lambda: selectors.due_visits(li), small=2, large=12)
    assert n <= 4


def test_completion_rate(world, hh):
    li = world.users["li_gridworker"]
    now = timezone.now()
    visit_log(actor=li, person=hh.old, visited_at=now - dt.timedelta(minutes=5))
    rows = selectors.completion_rates(li, year=now.year, month=now.month)
    grid = next(r for r in rows if r["level"] == "grid")
    assert grid["done"] == 1 and 4 <= grid["owed"] <= 4.5  # weekly: days/7 owed


def test_rentals_reminders_and_gaps(world, hh):
    today = timezone.localdate()
    rental_create(unit=hh.a1.unit, starts_on=today - dt.timedelta(days=300), ends_on=today + dt.timedelta(days=10),
                  registration_number="备001", actor=world.users["zhao_community"])
    rental_create(unit=hh.a2.unit, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=200),
                  actor=world.users["zhao_community"])
    with pytest.raises(Forbidden):
        rental_create(unit=hh.a1.unit, starts_on=today, ends_on=today, actor=world.users["li_gridworker"])
    assert rental_reminders_send() == 2  # zhao (community A) and li (grid A1)
    assert rental_reminders_send() == 2  # idempotent: same rows
    assert Notification.objects.filter(kind="rental_expiry").count() == 2
    gaps = selectors.units_registration_gaps(world.users["zhao_community"])
    assert list(gaps) == [hh.a2.unit]


def test_retention_purges_moved_out(world, hh):
    Person.objects.filter(pk=hh.a2p.pk).update(status="moved_out",
                                               status_changed_at=timezone.now() - dt.timedelta(days=400))
    assert persons_purge_moved_out(actor=access.system(), days=365) == 1
    p = Person.objects.get(pk=hh.a2p.pk)
    assert p.id_number_enc == "" and p.purged_at and p.name == "吴大爷"
    assert persons_purge_moved_out(actor=access.system(), days=365) == 0


def test_a_change_request_moves_through_the_core_table(world, hh):
    """Draft → submitted → declined on governance.statemachine: a refused move lists what the
    draft allows, each move is a timeline row and an audit event."""
    from governance.errors import IllegalTransition
    from governance.models import AuditEvent
    from households.models import ChangeRequest
    from households.services import change_request_submit

    wang, zhao = world.users["wang_resident"], world.users["zhao_community"]
    req = change_request_create(person=hh.wang, changes={"relation": "户主"}, actor=wang, submit=False)
    assert req.status == "draft"
    with pytest.raises(IllegalTransition) as refused:
        change_request_decline(request=req, actor=zhao, reason="x")
    assert [a["action"] for a in refused.value.allowed] == ["submit"]
    change_request_submit(request=req, actor=wang)
    change_request_decline(request=ChangeRequest.objects.get(pk=req.pk), actor=zhao, reason="证件不符")
    req.refresh_from_db()
    assert req.status == "declined" and req.decline_reason == "证件不符"
    assert list(req.events.order_by("pk").values_list("from_status", "to_status")) == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "declined")]
    assert AuditEvent.objects.filter(action="change_request.decline", object_id=str(req.pk)).exists()
