"""Publicity (公示) with objections (governance.publicity): the period in natural or working days,
an upheld and a dismissed objection, items posting at the end unless held, a batch objection
holding everything, and who may object."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import publicity, workdays
from governance.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from governance.models import AuditEvent, Objection, Publicity, PublicityItem

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 12, 4, 10, 0))  # a Friday


def make(world, *, days=5, day_count="natural", n=3):
    staff = world.users["zhao_community"]
    pub = publicity.publicity_create(
        actor=staff, title="11月积分公示", region=world.communities[0], kind="points.claims", days=days,
        day_count=day_count, items=[{"key": f"claim:{i}", "label": f"居民{i} 义务巡逻 +10", "amount": "10"}
                                    for i in range(n)])
    publicity.publicity_publish(publicity=pub, actor=staff, at=T0)
    return Publicity.objects.get(pk=pub.pk)


@pytest.fixture
def posted():
    """What the app hears when a publicity ends."""
    heard = []

    def receiver(sender, publicity, posted, held, **kwargs):
        heard.append((publicity.pk, sorted(i.key for i in posted), sorted(i.key for i in held)))

    publicity.items_posted.connect(receiver, dispatch_uid="test-publicity")
    yield heard
    publicity.items_posted.disconnect(dispatch_uid="test-publicity")


def test_the_period_in_natural_and_in_working_days(world):
    natural = make(world, days=5)
    assert timezone.localtime(natural.ends_at, workdays.TZ) == dt.datetime(2026, 12, 10, 0, 0, tzinfo=workdays.TZ)
    working = make(world, days=2, day_count="working")
    assert working.ends_at == workdays.add_workdays(T0, 2).at
    assert timezone.localtime(working.ends_at, workdays.TZ).date() == dt.date(2026, 12, 8)  # Fri → Mon, Tue


def test_an_upheld_and_a_dismissed_objection(world, posted):
    pub = make(world)
    wang, staff = world.users["wang_resident"], world.users["zhao_community"]
    items = list(PublicityItem.objects.filter(publicity=pub).order_by("key"))
    first = publicity.objection_raise(publicity=pub, actor=wang, item=items[0], reason="当天并未参加巡逻",
                                      at=T0 + dt.timedelta(days=1))
    second = publicity.objection_raise(publicity=pub, actor=wang, item=items[1], reason="时长记错了",
                                       at=T0 + dt.timedelta(days=1))
    with pytest.raises(Conflict):  # the same objection twice while it waits
        publicity.objection_raise(publicity=pub, actor=wang, item=items[0], reason="再说一次", at=T0 + dt.timedelta(days=2))
    with pytest.raises(ValidationFailed):
        publicity.objection_resolve(objection=first, actor=staff, upheld=True, resolution="")
    publicity.objection_resolve(objection=first, actor=staff, upheld=True, resolution="签到表上没有他",
                                at=T0 + dt.timedelta(days=2))
    with pytest.raises(IllegalTransition):  # decided once
        publicity.objection_resolve(objection=Objection.objects.get(pk=first.pk), actor=staff, upheld=False,
                                    resolution="改判")
    # The period ends with the second objection still open: the batch waits.
    assert publicity.sweep(now=pub.ends_at) == 1
    assert Publicity.objects.get(pk=pub.pk).status == "deciding" and posted == []
    with pytest.raises(Conflict):  # too late to object
        publicity.objection_raise(publicity=pub, actor=wang, item=items[2], reason="x", at=pub.ends_at)
    publicity.objection_resolve(objection=second, actor=staff, upheld=False, resolution="有签到记录和照片",
                                at=pub.ends_at + dt.timedelta(hours=3))
    pub.refresh_from_db()
    assert pub.status == "ended" and pub.ended_at == pub.ends_at + dt.timedelta(hours=3)
    assert posted == [(pub.pk, ["claim:1", "claim:2"], ["claim:0"])]
    assert dict(PublicityItem.objects.filter(publicity=pub).values_list("key", "status")) == {
        "claim:0": "held", "claim:1": "posted", "claim:2": "posted"}
    assert Objection.objects.get(pk=second.pk).resolved_by == staff
    assert AuditEvent.objects.filter(action="objection.uphold").count() == 1
    assert AuditEvent.objects.filter(action="publicity.end", object_id=str(pub.pk)).exists()


def test_no_objection_posts_everything_on_time_and_a_batch_objection_holds_all(world, posted):
    quiet = make(world)
    assert publicity.sweep(now=quiet.ends_at - dt.timedelta(seconds=1)) == 0
    publicity.sweep(now=quiet.ends_at)
    assert posted == [(quiet.pk, ["claim:0", "claim:1", "claim:2"], [])]
    contested = make(world)
    o = publicity.objection_raise(publicity=contested, actor=world.users["wang_resident"], reason="名单不完整",
                                  at=T0 + dt.timedelta(hours=1))
    publicity.objection_resolve(objection=o, actor=world.users["zhao_community"], upheld=True, resolution="重新核对")
    publicity.sweep(now=contested.ends_at)
    assert posted[-1] == (contested.pk, [], ["claim:0", "claim:1", "claim:2"])


def test_who_may_object_and_resolve(world):
    pub = make(world)
    item = pub.items.first()
    with pytest.raises(NotFound):  # a resident of another community: not published to them
        publicity.objection_raise(publicity=pub, actor=world.users["feng_resident"], item=item, reason="x", at=T0)
    with pytest.raises(Forbidden):  # staff read it; objecting is for residents
        publicity.objection_raise(publicity=pub, actor=world.users["zhao_community"], item=item, reason="x", at=T0)
    o = publicity.objection_raise(publicity=pub, actor=world.users["wang_resident"], item=item, reason="不属实", at=T0)
    with pytest.raises(NotFound):  # an objector sees their objection, may not decide it
        publicity.objection_resolve(objection=o, actor=world.users["he_community"], upheld=True, resolution="x")
    with pytest.raises(Forbidden):
        publicity.objection_resolve(objection=o, actor=world.users["wang_resident"], upheld=True, resolution="x")
    with pytest.raises(Forbidden):
        publicity.publicity_create(actor=world.users["he_community"], title="x", region=world.communities[0],
                                   kind="k", days=3, items=[{"key": "a", "label": "b"}])


def test_a_draft_is_not_shown_and_bad_rows_save_nothing(world):
    from governance import access

    staff = world.users["zhao_community"]
    with pytest.raises(ValidationFailed) as bad:
        publicity.publicity_create(actor=staff, title="x", region=world.communities[0], kind="k", days=3,
                                   items=[{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"},
                                          {"key": "b", "label": "丙", "amount": "很多"}])
    assert set(bad.value.fields) == {"row 2", "row 3"} and not Publicity.objects.filter(title="x").exists()
    draft = publicity.publicity_create(actor=staff, title="草稿", region=world.communities[0], kind="k", days=3,
                                       items=[{"key": "a", "label": "甲"}])
    with pytest.raises(NotFound):
        access.get_or_404(Publicity, world.users["wang_resident"], "view", pk=draft.pk)
    publicity.publicity_publish(publicity=draft, actor=staff)
    assert access.get_or_404(Publicity, world.users["wang_resident"], "view", pk=draft.pk) == draft


# --- the three doors -----------------------------------------------------------------------------

def _notice(world):
    from governance.seed import POINTS_NOTICE

    return Publicity.objects.get(region=world.communities[0], title=POINTS_NOTICE)


def test_a_resident_objects_in_the_portal_and_reads_the_answer(world, client_for):
    from django.urls import reverse

    pub = _notice(world)
    c = client_for("wang_resident")
    url = reverse("portal:publicity", kwargs={"pk": pub.pk})
    page = c.get(url).content.decode()
    assert 'data-testid="objection-form"' in page and "张桂英 垃圾分类引导 4次" in page
    item = pub.items.get(key="demo:2")
    assert c.post(url, {"item": item.pk, "reason": ""}).status_code == 400
    assert c.post(url, {"item": "999999", "reason": "x"}).status_code == 400
    assert c.post(url, {"item": item.pk, "reason": "她那几天在外地"}).status_code == 302
    o = Objection.objects.get(publicity=pub, item=item)
    admin = client_for("zhao_community")
    change = reverse("admin:governance_objection_change", args=[o.pk])
    assert 'name="decision"' in admin.get(change).content.decode()
    r = admin.post(change, {"decision": "dismissed", "answer": "有签到表和照片为证"})
    assert r.status_code == 302, r.content.decode()[:1500]
    o.refresh_from_db()
    assert o.status == "dismissed" and o.resolved_by == world.users["zhao_community"]
    assert "有签到表和照片为证" in c.get(url).content.decode()
    assert 'name="decision"' not in admin.get(change).content.decode()  # decided: read-only now


def test_the_api_objects_and_staff_resolve(world, api_for):
    from django.urls import reverse

    pub = _notice(world)
    r = api_for("wang_resident").post(reverse("api:governance:publicity-objections", kwargs={"pk": pub.pk}),
                                      {"reason": "名单漏了人"}, format="json")
    assert r.status_code == 201 and r.json()["item"] is None
    r = api_for("zhao_community").post(reverse("api:governance:objection-resolve", kwargs={"pk": r.json()["id"]}),
                                       {"upheld": True, "resolution": ""}, format="json")
    assert r.status_code == 400 and "resolution" in r.json()["error"]["fields"]


def test_staff_publish_a_pasted_list_in_the_back_office(world, client_for):
    from django.urls import reverse

    c = client_for("zhao_community")
    form = {"title": "微实事项目公示", "body": "", "region": world.communities[0].pk, "kind": "council.projects",
            "days": 7, "day_count": "natural", "items_text": "p:1\t楼道照明改造\t12000\np:2\t健身角翻新\t8000.5\n"}
    for prefix in ("items", "objections"):
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    r = c.post(reverse("admin:governance_publicity_add"), form)
    assert r.status_code == 302, r.content.decode()[:1500]
    pub = Publicity.objects.get(title="微实事项目公示")
    assert list(pub.items.values_list("label", "amount")) == [("楼道照明改造", 12000), ("健身角翻新", Decimal("8000.50"))]
    r = c.post(reverse("admin:governance_publicity_changelist"), {"action": "publish", "_selected_action": [pub.pk]})
    assert r.status_code == 302 and Publicity.objects.get(pk=pub.pk).status == "published"
