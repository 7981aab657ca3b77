"""The doors: API (masking, sensitive tags per role, query counts, imports all-or-nothing, exports),
staff pages and portal pages."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from governance import access
from governance.models import AuditEvent
from households.models import ImportJob, Person
from tests.households.conftest import flat, make_id
from tests.querycount import assert_constant_queries

PERSONS = "/api/v1/households/persons/"


def test_person_masked_and_tags_by_role(world, hh, api_for):
    li = api_for("li_gridworker").get(f"{PERSONS}{hh.old.pk}/").json()
    assert li["id_number"] == "110105********" + make_id(seq=1)[-4:]
    assert {p["number"] for p in li["phones"]} == {"139****5678", "010-****1234"}
    assert [t["code"] for t in li["tags"]] == ["elderly_alone"]  # grid worker: no 低保
    zhao = api_for("zhao_community").get(f"{PERSONS}{hh.old.pk}/").json()
    assert sorted(t["code"] for t in zhao["tags"]) == ["dibao", "elderly_alone"]
    qian = api_for("qian_department").get(f"{PERSONS}{hh.old.pk}/").json()  # 民政: masked, assistance only
    assert [t["code"] for t in qian["tags"]] == ["dibao"] and "*" in qian["id_number"]
    assert api_for("sun_department").get(f"{PERSONS}{hh.old.pk}/").status_code == 404  # 城管
    assert AuditEvent.objects.filter(action="person_tags.view_sensitive", actor=world.users["qian_department"]).exists()


def test_search_by_exact_id_last4_and_address(world, hh, api_for):
    api = api_for("zhao_community")
    assert [r["name"] for r in api.get(PERSONS, {"id_number": make_id(seq=1)}).json()["results"]] == ["张桂英"]
    assert api.get(PERSONS, {"last4": make_id(seq=1)[-4:]}).json()["count"] == 1
    assert api.get(PERSONS, {"address": "和平里东街11号"}).json()["count"] == 1
    assert api.get(PERSONS, {"tag": "dibao"}).json()["count"] == 1
    assert api_for("li_gridworker").get(PERSONS, {"tag": "dibao"}).json()["count"] == 0
    # exact ID of someone outside the caller's scope: not found
    assert api_for("wu_gridworker").get(PERSONS, {"id_number": make_id(seq=1)}).json()["count"] == 0


def test_person_list_constant_queries(world, hh, api_for):
    api = api_for("zhao_community")
    counter = iter(range(100, 10_000))

    def make(n):
        for _ in range(n):
            i = next(counter)
            person_ = flat(world.grids[0], f"和平里东街{i}号", str(i))
            from households.services import person_create, person_tag_add

            p = person_create(household=person_, name=f"居民{i}", id_number=make_id(seq=i), phones=["13900001111"],
                              actor=access.system())
            person_tag_add(person=p, tag=hh.tags["dibao"], actor=access.system())

    api.get(PERSONS)  # warm the per-process caches (content types)
    assert_constant_queries(make, lambda: api.get(PERSONS), small=2, large=10)
    assert_constant_queries(make, lambda: api.get("/api/v1/households/due-visits/"), small=2, large=10)
    assert_constant_queries(make, lambda: api.get("/api/v1/households/households/"), small=2, large=10)


def test_reveal_endpoint_needs_purpose(world, hh, api_for):
    url = f"{PERSONS}{hh.old.pk}/reveal/"
    r = api_for("li_gridworker").post(url, {"field": "phone"}, format="json")
    assert r.status_code == 400 and "purpose" in r.json()["error"]["fields"]
    r = api_for("li_gridworker").post(url, {"field": "phone", "purpose": "联系家属"}, format="json")
    assert r.json()["value"] == "13912345678"


def test_visit_via_api(world, hh, api_for):
    r = api_for("li_gridworker").post("/api/v1/households/visits/", {"person": hh.old.pk, "findings": "良好"},
                                      format="json")
    assert r.status_code == 201, r.content
    assert hh.old.visits.count() == 1


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("persons.xlsx", buf.getvalue())


HEADER = ["姓名", "证件号码", "电话", "地址", "楼号", "单元", "门牌号", "户号", "与户主关系"]


def test_import_bad_file_changes_nothing(world, hh, api_for, django_capture_on_commit_callbacks):
    before = Person.objects.count()
    bad = _xlsx([HEADER, ["甲", make_id(seq=50), "13900000001", "和平里东街1号", "1号楼", "1", "101", "H9", "户主"],
                 ["乙", "110105195003010011", "", "和平里东街1号", "1号楼", "1", "101", "H9", "配偶"],
                 ["丙", make_id(seq=50), "", "和平里东街1号", "1号楼", "1", "101", "H9", "子女"],
                 ["丁", make_id(seq=51), "", "不存在路9号", "1号楼", "1", "101", "H9", "子女"]])
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for("zhao_community").post("/api/v1/households/imports/",
                                           {"file": bad, "region": world.communities[0].pk}, format="multipart")
    assert r.status_code == 201, r.content
    job = ImportJob.objects.get(pk=r.json()["id"])  # checked by the (eager) task after commit
    assert job.status == "invalid"
    by_row = {(e["row"], e["field"]) for e in job.errors}
    assert {(3, "id_number"), (4, "id_number"), (5, "address")} <= by_row
    assert api_for("zhao_community").post(f"/api/v1/households/imports/{job.pk}/apply/").status_code == 409
    assert Person.objects.count() == before


def test_import_applies_and_dedups(world, hh, api_for, django_capture_on_commit_callbacks):
    good = _xlsx([HEADER, ["张桂英", make_id(seq=1), "13911112222", "和平里东街1号", "1号楼", "1", "101", "H101", "户主"],
                  ["李新", make_id(seq=60), "", "和平里东街1号", "1号楼", "1", "101", "H101", "子女"]])
    api = api_for("zhao_community")
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/households/imports/", {"file": good, "region": world.communities[0].pk},
                     format="multipart")
    job = ImportJob.objects.get(pk=r.json()["id"])
    assert job.status == "preview" and job.summary == {"rows": 2, "new": 1, "updates": 1, "errors": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/households/imports/{job.pk}/apply/").status_code == 202
    job.refresh_from_db()
    assert job.status == "done"
    assert Person.objects.filter(id_number_hash=hh.old.id_number_hash).count() == 1  # dedup by blind index
    new = Person.objects.get(name="李新")
    assert new.field_sources.get(field="id_number").ref == f"job {job.pk}"
    assert api.get(f"/api/v1/households/imports/{job.pk}/").json()["progress"] == 100


def test_export_is_scoped_and_audited(world, hh, api_for):
    r = api_for("zhao_community").get("/api/v1/households/exports/special_groups/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert {row[2] for row in rows[1:]} == {"张桂英", "吴大爷"}  # community A only; 重点人员 of B not included
    assert all("*" in (row[5] or "*") for row in rows[1:])
    assert AuditEvent.objects.filter(action="export.special_groups", actor=world.users["zhao_community"]).exists()


def test_resident_pages(world, hh, client_for):
    c = client_for("wang_resident")
    page = c.get(reverse("households:mine"))
    assert page.status_code == 200 and "张桂英" in page.content.decode() and make_id(seq=1) not in page.content.decode()
    r = c.post(reverse("households:mine"), {"form": "contact", "person": hh.old.pk, "name": "张丽", "relation": "女儿",
                                            "phone": "13700001111"})
    assert r.status_code == 302 and hh.old.care_contacts.count() == 1
    contact = hh.old.care_contacts.get()
    r = client_for("feng_resident").post(reverse("households:mine"), {"form": "remove_contact", "contact": contact.pk})
    assert r.status_code == 200 and hh.old.care_contacts.count() == 1  # not feng's household: "not found", kept
    c.post(reverse("households:mine"), {"form": "remove_contact", "contact": contact.pk})
    assert hh.old.care_contacts.count() == 0
    r = c.post(reverse("households:mine"), {"form": "correction", "person": hh.wang.pk, "field": "relation",
                                            "value": "户主", "reason": "更正"})
    assert r.status_code == 302 and hh.wang.change_requests.count() == 1


def test_registration_page_and_staff_page(world, hh, client_for):
    c = client_for("zhou_outsider")
    where = {"community": world.communities[0].pk, "address": "和平里东街1号", "building": "1号楼", "entrance": "1",
             "room": "101"}
    r = c.post(reverse("households:register"), {"name": "周敏", "id_type": "resident_id", "id_number": "123",
                                                "phone": "13800000099", **where})
    assert r.status_code == 200 and "id_number" in r.context["form"].errors
    r = c.post(reverse("households:register"), {"name": "周敏", "id_type": "resident_id", "id_number": make_id(seq=70),
                                                "phone": "13800000099", **where, "room": "999"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    r = c.post(reverse("households:register"), {"name": "周敏", "id_type": "resident_id", "id_number": make_id(seq=70),
                                                "phone": "13800000099", **where})
    assert r.status_code == 302
    page = client_for("li_gridworker").get(reverse("households:staff"))
    assert page.status_code == 200 and "张桂英" in page.content.decode()  # due: weekly, never visited
    for q in ("张桂", make_id(seq=1)[-4:], make_id(seq=1), "13912345678"):
        assert [p.name for p in client_for("li_gridworker").get(reverse("households:staff"), {"q": q})
                .context["found"]] == ["张桂英"], q
    assert client_for("wu_gridworker").get(reverse("households:staff"), {"q": "张桂"}).context["found"] == []
    r = client_for("li_gridworker").post(reverse("households:visit_log", args=[hh.old.pk]),
                                         {"channel": "home", "findings": "良好"})
    assert r.status_code == 302 and hh.old.visits.count() == 1


def test_import_failure_midway_rolls_back_everything(world, hh, monkeypatch, django_capture_on_commit_callbacks):
    from households import resources
    from households.services import imports

    monkeypatch.setattr(resources, "BATCH", 1)
    real, calls = resources._create_persons, []

    def flaky(rows, **kw):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(rows, **kw)

    monkeypatch.setattr(resources, "_create_persons", flaky)
    upload = _xlsx([HEADER, *[[f"新人{i}", make_id(seq=80 + i), "", "和平里东街1号", "1号楼", "1", "101", "H101", ""]
                              for i in range(3)]])
    job = imports.job_create(upload=upload, region=world.communities[0], actor=world.users["zhao_community"])
    imports.check(job)
    before = Person.objects.count()
    import pytest

    with pytest.raises(RuntimeError):
        imports.apply(job, actor=world.users["zhao_community"])
    job.refresh_from_db()
    assert job.status == "failed" and Person.objects.count() == before  # the first batch was rolled back too


def test_other_lists_constant_queries(world, hh, api_for):
    import datetime as dt

    from households.services import business_create, rental_create, visit_log

    api = api_for("zhao_community")
    counter = iter(range(300, 10_000))

    def make(n):
        for _ in range(n):
            i = next(counter)
            household = flat(world.grids[0], f"和平里东街{i}号", str(i))
            visit_log(actor=world.users["li_gridworker"], person=hh.old, findings=str(i))
            rental_create(unit=household.unit, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
                          actor=world.users["zhao_community"])
            business = business_create(unit=household.unit, name=f"店{i}", kind="shop", owner_name="徐",
                                       actor=world.users["zhao_community"])
            from households.services import fire_check_record

            fire_check_record(business=business, result="passed", actor=world.users["li_gridworker"])

    for url in ("/api/v1/households/visits/", "/api/v1/households/rentals/", "/api/v1/households/businesses/",
                "/api/v1/households/visit-rates/", "/api/v1/households/group-counts/"):
        api.get(url)
        assert_constant_queries(make, lambda url=url: api.get(url), small=2, large=8)


def test_visit_rates_endpoint(world, hh, api_for):
    r = api_for("li_gridworker").get("/api/v1/households/visit-rates/", {"month": "2026-13"})
    assert r.status_code == 400
    rows = api_for("li_gridworker").get("/api/v1/households/visit-rates/").json()
    assert {r["level"] for r in rows} == {"grid", "community"}


def test_tags_through_api_respect_sensitivity(world, hh, api_for):
    url = f"{PERSONS}{hh.wang.pk}/tags/"
    r = api_for("li_gridworker").post(url, {"tag": "party_member", "source": "党支部"}, format="json")
    assert r.status_code == 201 and [t["code"] for t in r.json()["tags"]] == ["party_member"]
    assert api_for("li_gridworker").post(url, {"tag": "dibao"}, format="json").status_code == 403
    r = api_for("zhao_community").post(url, {"tag": "disabled", "attrs": {"grade": "五级"}}, format="json")
    assert r.status_code == 400 and "grade" in r.json()["error"]["fields"]
    r = api_for("zhao_community").post(url, {"tag": "disabled", "attrs": {"grade": "二级", "type": "肢体"}},
                                       format="json")
    assert r.status_code == 201
    disabled = next(t for t in r.json()["tags"] if t["code"] == "disabled")
    end = f"{PERSONS}{hh.wang.pk}/end-tag/"
    assert api_for("li_gridworker").post(end, {"tag_id": disabled["id"]}, format="json").status_code == 404
    r = api_for("zhao_community").post(end, {"tag_id": disabled["id"]}, format="json")
    assert r.status_code == 200 and "disabled" not in [t["code"] for t in r.json()["tags"]]
    assert hh.wang.tags.get(tag__code="disabled").valid_until is not None  # kept as history


def test_the_grid_workers_phone_page_names_its_controls_and_keeps_its_title_plain(world, hh, client_for):
    from tests.a11y import problems

    html = client_for("li_gridworker").get(reverse("households:staff")).content.decode()
    assert problems(html) == []


def test_a_badge_in_a_card_keeps_white_on_its_colour():
    """`.card span` greys text; a badge in a card (overdue visits) must stay white on red (was 1:1)."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/portal.css").read_text(encoding="utf-8")
    assert ".card .badge { color: #fff; }" in css
    assert css.index(".card .badge") > css.index(".card span")
