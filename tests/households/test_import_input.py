"""Imports take what Chinese offices upload and nothing they should not (issue 12 item 14):
UPLOAD_MAX_BYTES before reading, the row limit while streaming, GBK/GB18030 CSV, and the file
(ID numbers in the clear) deleted once applied or past its retention."""

from __future__ import annotations

import csv as csv_module
import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance.errors import ValidationFailed
from households.models import ImportJob, Person
from households.services import imports
from tests.households.conftest import make_id

HEADER = "姓名,证件号码,电话,地址,楼号,单元,门牌号,户号,与户主关系\n"


def _csv(rows: list[str], encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode(encoding)


def test_oversize_upload_refused_before_reading(world, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before the size check")

    upload = Unreadable("p.csv", b"x" * 2000, content_type="text/csv")
    with pytest.raises(ValidationFailed) as err:
        imports.job_create(upload=upload, region=world.communities[0], actor=world.users["zhao_community"])
    assert "file" in err.value.fields
    assert not ImportJob.objects.exists()


def test_oversize_upload_through_the_api_is_a_field_error(world, settings, api_for):
    settings.UPLOAD_MAX_BYTES = 1000
    response = api_for("zhao_community").post("/api/v1/households/imports/", {
        "file": SimpleUploadedFile("p.csv", b"x" * 2000), "region": world.communities[0].pk}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]


def test_the_row_limit_stops_the_reading(world):
    consumed = {"rows": 0}
    real_reader = csv_module.reader

    def counting_reader(*args, **kwargs):
        for row in real_reader(*args, **kwargs):
            consumed["rows"] += 1
            yield row

    data = _csv([f"甲{i},{make_id(seq=i % 900 + 1)},,和平里东街1号,1号楼,1,101,H1,户主" for i in range(5000)])
    from governance import imports as pipeline

    with mock.patch.object(pipeline, "MAX_ROWS", 10), mock.patch.object(pipeline.csv, "reader", counting_reader):
        with pytest.raises(ValidationFailed):
            imports.read_rows("p.csv", data)
    assert consumed["rows"] <= 12  # header + 10 rows + the one that broke the limit


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_the_encodings_offices_write(world, hh, encoding, django_capture_on_commit_callbacks):
    data = _csv([f"李新,{make_id(seq=60)},,和平里东街1号,1号楼,1,101,H101,子女"], encoding)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.job_create(upload=SimpleUploadedFile("名单.csv", data), region=world.communities[0],
                                 actor=world.users["zhao_community"])
    job.refresh_from_db()
    assert job.status == "preview", job.errors
    assert job.summary["new"] == 1


def test_unreadable_text_is_a_field_error(world):
    with pytest.raises(ValidationFailed) as err:
        imports.read_rows("p.csv", HEADER.encode("utf-16"))
    assert "file" in err.value.fields


def test_applied_file_is_deleted_and_stale_files_are_purged(world, hh, django_capture_on_commit_callbacks, settings):
    data = _csv([f"李新,{make_id(seq=61)},,和平里东街1号,1号楼,1,101,H101,子女"])
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.job_create(upload=SimpleUploadedFile("a.csv", data), region=world.communities[0],
                                 actor=world.users["zhao_community"])
    job.refresh_from_db()
    stored = job.file.name
    assert job.file.storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        imports.job_apply_request(job=job, actor=world.users["zhao_community"])
    job.refresh_from_db()
    assert job.status == "done" and not job.file and not job.file.storage.exists(stored)
    assert Person.objects.filter(name="李新").exists()
    # A file checked and never applied goes after the retention period.
    with django_capture_on_commit_callbacks(execute=True):
        left = imports.job_create(upload=SimpleUploadedFile("b.csv", _csv([f"王五,{make_id(seq=62)},,和平里东街1号,1号楼,1,101,H101,子女"])),
                                  region=world.communities[0], actor=world.users["zhao_community"])
    left.refresh_from_db()
    name = left.file.name
    assert imports.files_purge() == 0
    later = timezone.now() + dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS + 1)
    assert imports.files_purge(now=later) == 1
    left.refresh_from_db()
    assert not left.file and not left.file.storage.exists(name) and left.status == "preview"


def test_an_import_job_moves_through_the_core_state_machine(world):
    """Checking and failing are the system's moves, applying the person's; a file with errors
    cannot be applied (409 listing what its state allows), and each move is an audit event."""
    from governance.errors import IllegalTransition
    from governance.models import AuditEvent

    zhao = world.users["zhao_community"]
    upload = SimpleUploadedFile("p.csv", _csv(["张三,123,,无此街,1号楼,1,101,,"]), content_type="text/csv")
    job = imports.job_create(upload=upload, region=world.communities[0], actor=zhao)
    imports.check(job)
    job.refresh_from_db()
    assert job.status == "invalid" and job.errors
    with pytest.raises(IllegalTransition) as refused:
        imports.job_apply_request(job=job, actor=zhao)
    assert refused.value.allowed == []  # a file with errors goes nowhere: upload a corrected one
    actions = list(AuditEvent.objects.filter(object_id=str(job.pk), object_type="households.importjob")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["import.upload", "import.check", "import.invalid"]


def test_a_minzheng_list_of_special_groups_goes_through_the_same_pipeline(world, hh, api_for,
                                                                        django_capture_on_commit_callbacks):
    """A 民政 list (ID number, group): checked row by row against the file on record — unknown
    group, person not on file in this community, a name that differs, duplicates — then applied
    all-or-nothing; a group the person is already in is counted, not added twice."""
    from django.urls import reverse

    from governance.models import AuditEvent
    from households.models import PersonTag

    api = api_for("zhao_community")
    url = reverse("api:households:importjob-list")
    wang_id, old_id = make_id(dt.date(1962, 5, 4), 2), make_id(seq=1)
    bad = ("证件号码,类别,姓名\n"
           f"{wang_id},低保户,王秀兰\n"
           f"{wang_id},低保户,王秀兰\n"                  # twice
           f"{old_id},无此类别,\n"                      # unknown group
           f"{make_id(seq=4, sex='M')},残疾人,\n"        # on file, but in community B
           f"{old_id},残疾人,李四\n").encode("gbk")      # another name on file
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(url, {"kind": "households.tags", "region": world.communities[0].pk,
                           "file": SimpleUploadedFile("民政.csv", bad, content_type="text/csv")}, format="multipart")
    assert r.status_code == 201, r.content
    job = ImportJob.objects.get(pk=r.json()["id"])
    assert job.kind == "households.tags" and job.status == "invalid"
    assert sorted((e["row"], e["field"]) for e in job.errors) == [(3, "id_number"), (4, "group"), (5, "id_number"),
                                                                  (6, "name")]
    good = f"证件号码,类别,开始日期\n{wang_id},低保户,2026-11-01\n{old_id},低保户,\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(url, {"kind": "households.tags", "region": world.communities[0].pk,
                           "file": SimpleUploadedFile("民政2.csv", good, content_type="text/csv")}, format="multipart")
    job = ImportJob.objects.get(pk=r.json()["id"])
    assert job.status == "preview" and job.summary == {"rows": 2, "new": 1, "already": 1, "errors": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(reverse("api:households:importjob-apply", args=[job.pk])).status_code == 202
    job.refresh_from_db()
    assert job.status == "done" and not job.file
    tag = PersonTag.objects.get(person=hh.wang, tag__code="dibao")
    assert tag.valid_from == dt.date(2026, 11, 1) and tag.source == f"import job {job.pk}"
    assert PersonTag.objects.filter(person=hh.old, tag__code="dibao").count() == 1  # not twice
    assert AuditEvent.objects.filter(action="import.done", object_id=str(job.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for("li_gridworker").post(url, {"kind": "households.tags", "region": world.communities[0].pk,
                                                "file": SimpleUploadedFile("x.csv", good, content_type="text/csv")},
                                          format="multipart")
    # A grid worker adds groups by hand; the community (their grid's parent) is no place they import into.
    assert r.status_code == 400 and "region" in r.json()["error"]["fields"]


def test_a_list_of_businesses_goes_through_the_same_pipeline(world, hh, client_for, django_capture_on_commit_callbacks):
    """The portal's upload page takes the third kind of list: row report first, then all or nothing."""
    from django.urls import reverse

    from households.models import Business

    unit = hh.a1.unit
    where = f"{unit.building.address},{unit.building.name},{unit.entrance},{unit.number}"
    text = ("名称,类型,地址,楼号,单元,门牌号,负责人,电话,从业人数\n"
            f"老街面馆,商铺,{where},刘老板,13911112222,3\n"
            f"老街面馆,商铺,{where},刘老板,,3\n"              # the same place twice
            f"修车铺,摊点,{where},王师傅,,x\n").encode()       # unknown kind, not a number
    c = client_for("zhao_community")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("households:import_upload"), {"kind": "households.businesses", "community": world.communities[0].pk,
                                                         "file": SimpleUploadedFile("单位.csv", text, content_type="text/csv")})
    assert r.status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.kind == "households.businesses" and job.status == "invalid"
    assert sorted((e["row"], e["field"]) for e in job.errors) == [(3, "name"), (4, "employees"), (4, "kind")]
    assert not Business.objects.filter(name="老街面馆").exists()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("households:import_upload"), {"kind": "households.businesses", "community": world.communities[0].pk,
                                                     "file": SimpleUploadedFile("单位.csv", text.split(b"\n")[0] + b"\n"
                                                                                + text.split(b"\n")[1] + b"\n",
                                                                                content_type="text/csv")})
    job = ImportJob.objects.latest("pk")
    assert job.status == "preview" and job.summary["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(reverse("households:import_job", args=[job.pk])).status_code == 302
    shop = Business.objects.get(name="老街面馆")
    assert shop.owner_phone_masked == "139****2222" and shop.employees == 3 and shop.unit == unit
