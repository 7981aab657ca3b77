"""Admin: blind-index search, building at a glance, import through django-import-export (same pipeline)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import access
from governance.models import AuditEvent
from households.models import ImportJob, Person
from tests.households.conftest import make_id
from tests.households.test_api import HEADER, _xlsx


def test_person_admin_search_by_exact_id_last4_and_name(world, hh, client_for):
    c = client_for("zhao_community")
    url = reverse("admin:households_person_changelist")
    for term in (make_id(seq=1), make_id(seq=1)[-4:], "张桂"):
        page = c.get(url, {"q": term})
        assert page.status_code == 200 and list(page.context["cl"].result_list) == [hh.old], term
    assert list(client_for("wu_gridworker").get(url, {"q": make_id(seq=1)}).context["cl"].result_list) == []
    page = c.get(url, {"tag": "dibao"})
    assert list(page.context["cl"].result_list) == [hh.old]


def test_building_at_a_glance_shows_tags_by_role(world, hh, client_for):
    url = reverse("admin:households_building_change", args=[hh.a1.unit.building.pk])
    zhao = client_for("zhao_community").get(url).content.decode()
    li = client_for("li_gridworker").get(url).content.decode()
    assert "张桂英[独居老人][低保户]" in zhao
    assert "张桂英[独居老人]" in li and "低保户" not in li
    assert AuditEvent.objects.filter(action="person_tags.view_sensitive", actor=world.users["zhao_community"]).exists()


def _admin_import(client, upload):
    page = client.post(reverse("admin:households_person_import"), {"import_file": upload, "format": 0, "resource": 0})
    assert page.status_code == 200
    return page


def test_admin_import_preview_then_confirm(world, hh, client_for):
    c = client_for("zhao_community")
    good = _xlsx([HEADER, ["李新", make_id(seq=60), "13900000077", "和平里东街1号", "1号楼", "1", "101", "H101", "子女"]])
    page = _admin_import(c, good)
    result = page.context["result"]
    assert not result.has_validation_errors() and result.totals["new"] == 1
    assert not Person.objects.filter(name="李新").exists()  # the preview wrote nothing
    form = page.context["confirm_form"]
    r = c.post(reverse("admin:households_person_process_import"), {k: form[k].value() for k in form.fields})
    assert r.status_code == 302
    assert Person.objects.get(name="李新").field_sources.get(field="id_number").kind == "import"


def test_admin_import_bad_file_shows_row_errors_and_changes_nothing(world, hh, client_for):
    before = Person.objects.count()
    bad = _xlsx([HEADER, ["甲", "110105195003010011", "", "和平里东街1号", "1号楼", "1", "101", "H9", ""],
                 ["乙", make_id(seq=61), "", "无此路1号", "1号楼", "1", "101", "H9", ""]])
    result = _admin_import(client_for("zhao_community"), bad).context["result"]
    assert result.has_validation_errors() and len(result.invalid_rows) == 2
    assert Person.objects.count() == before


def test_admin_import_needs_the_import_right(world, hh, client_for):
    assert client_for("li_gridworker").get(reverse("admin:households_person_import")).status_code == 403


def test_import_pages_poll_progress(world, hh, client_for, django_capture_on_commit_callbacks):
    c = client_for("zhao_community")
    buf = io.StringIO()
    buf.write(",".join(HEADER) + "\n" + ",".join(["李新", make_id(seq=62), "", "和平里东街1号", "1号楼", "1", "101", "H101",
                                                   "子女"]) + "\n")
    upload = SimpleUploadedFile("p.csv", buf.getvalue().encode("utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("households:import_upload"), {"file": upload, "community": world.communities[0].pk})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.status == "preview"
    fragment = c.get(reverse("households:import_job", args=[job.pk]), {"fragment": 1}).content.decode()
    assert 'value="100"' in fragment and 'data-testid="apply"' in fragment
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("households:import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.filter(name="李新").exists()


def test_person_admin_search_by_phone_and_passport(world, hh, client_for):
    from households.services import person_create

    visitor = person_create(household=hh.a1, name="Smith John", id_type="passport", id_number="E12345678",
                            phones=["010-64210000"], actor=access.system())
    c = client_for("zhao_community")
    url = reverse("admin:households_person_changelist")
    assert list(c.get(url, {"q": "E12345678"}).context["cl"].result_list) == [visitor]
    assert list(c.get(url, {"q": "01064210000"}).context["cl"].result_list) == [visitor]
    assert list(c.get(url, {"q": "13912345678"}).context["cl"].result_list) == [hh.old]


def test_admin_import_reads_a_gbk_csv(world, hh, client_for):
    """What Excel writes as CSV in a Chinese office is GBK: the admin import reads it too."""
    text = ",".join(HEADER) + "\n" + ",".join(["李新", make_id(seq=63), "", "和平里东街1号", "1号楼", "1", "101",
                                                "H101", "子女"]) + "\n"
    upload = SimpleUploadedFile("名单.csv", text.encode("gbk"))
    page = client_for("zhao_community").post(reverse("admin:households_person_import"),
                                             {"import_file": upload, "format": 1, "resource": 0})
    assert page.status_code == 200
    result = page.context["result"]
    assert not result.has_validation_errors() and result.totals["new"] == 1
