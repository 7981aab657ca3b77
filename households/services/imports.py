"""Imports of persons from .xlsx / .csv: upload → check every row (dry run, row-by-row errors) →
apply all-or-nothing in one transaction, deduplicating persons by the ID blind index and
recording provenance (FieldSource kind "import", ref "job <id>"). Big files run in Celery
(households.tasks); progress is kept on the job (checking) and in the cache (applying, since
the rows written inside the one transaction are invisible to the polling page until commit)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, audit, pii, taskqueue, uploads
from governance.errors import Conflict, Forbidden, ValidationFailed
from governance.statemachine import Machine, Move
from households.models import (
    FieldChange,
    FieldSource,
    Household,
    IdType,
    ImportJob,
    ImportStatus,
    Person,
    PersonPhone,
    SourceKind,
    Unit,
)

# Header (as offices write it, or in English) → field.
HEADERS = {
    "姓名": "name", "name": "name", "证件类型": "id_type", "id_type": "id_type", "证件号码": "id_number",
    "身份证号": "id_number", "id_number": "id_number", "电话": "phone", "手机": "phone", "phone": "phone",
    "地址": "address", "address": "address", "楼号": "building", "building": "building", "单元": "entrance",
    "entrance": "entrance", "门牌号": "room", "room": "room", "户号": "household", "household": "household",
    "与户主关系": "relation", "relation": "relation",
}
ID_TYPE_NAMES = {"居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID, "港澳居民居住证": IdType.HK_MO_PERMIT,
                 "台湾居民居住证": IdType.TW_PERMIT, "外国人永久居留身份证": IdType.FOREIGN_PR, "护照": IdType.PASSPORT,
                 "港澳台居民来往内地通行证": IdType.TRAVEL_PERMIT, **{v: v for v in IdType.values}}
REQUIRED = ("name", "id_number", "address", "building", "room")
MAX_ROWS = 50_000
# The tasks by their Celery names (households.tasks imports this module, not the reverse).
CHECK_TASK = "households.tasks.import_check"
APPLY_TASK = "households.tasks.import_apply"
PROGRESS_EVERY = 500

# One checked row: the row, its ID type, its validated ID and its unit; each None when check()
# reported an error for the row. In a plan without errors every row has all three (ReadyRow).
PlanRow = tuple[dict[str, str], str | None, pii.IdInfo | None, Unit | None]
ReadyRow = tuple[dict[str, str], str, pii.IdInfo, Unit]


# The job's lifecycle (governance.statemachine). Checking and failing are the system's moves (tasks,
# the unstick sweep); applying is the person's, with the right to change the job.
S = ImportStatus
MACHINE = Machine("import", label=lambda status: ImportStatus(status).label, moves={
    "check": Move((S.UPLOADED, S.VALIDATING), S.VALIDATING, gettext_lazy("checking"), right=None),
    "preview": Move((S.VALIDATING,), S.PREVIEW, gettext_lazy("checked, waiting to apply"), right=None),
    "invalid": Move((S.VALIDATING,), S.INVALID, gettext_lazy("checked, has errors"), right=None),
    "apply": Move((S.PREVIEW,), S.APPLYING, gettext_lazy("apply"), right="change"),
    "done": Move((S.APPLYING,), S.DONE, gettext_lazy("applied"), right="change"),
    "fail": Move((S.UPLOADED, S.VALIDATING, S.APPLYING), S.FAILED, gettext_lazy("failed"), right=None),
})


def _move(job: ImportJob, action: str, *, actor, at=None, audit_data=None, **fields) -> ImportJob:
    """One move of a job in its own short transaction (the page polling the job sees it at once),
    with the fields that go with it."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = MACHINE.lock(job)
        for name, value in fields.items():
            setattr(locked, name, value)
        MACHINE.apply(locked, action, actor=actor, at=at, audit_data=audit_data, region=locked.region,
                      before_save=lambda j, _before: setattr(j, "status_changed_at", at))
    job.status, job.status_changed_at = locked.status, locked.status_changed_at
    for name, value in fields.items():
        setattr(job, name, value)
    return locked


def read_rows(name: str, data: bytes) -> list[dict[str, str]]:
    """The file's rows as {field: text}, read as a stream: the row limit is checked while reading,
    so a file of 300,000 rows stops at MAX_ROWS + 1 instead of being loaded whole first."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        raw: Iterable[Sequence[Any]] = csv.reader(io.StringIO(uploads.decode_text(data)))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # openpyxl raises many kinds for a broken file
            raise ValidationFailed(_("This is not a readable Excel file.")) from None
        raw = sheet.iter_rows(values_only=True)
    else:
        raise ValidationFailed(_("Upload an .xlsx or .csv file."), fields={"file": [_("Unsupported file type.")]})
    lines = iter(raw)
    first = next(lines, None)
    if first is None:
        raise ValidationFailed(_("The file is empty."))
    header = [HEADERS.get(_text(h), _text(h)) for h in first]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ValidationFailed(_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    rows: list[dict[str, str]] = []
    for line in lines:
        cells = [_text(c) for c in line]
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationFailed(_("At most %(n)s rows per file.") % {"n": MAX_ROWS},
                                   fields={"file": [_("At most %(n)s rows per file.") % {"n": MAX_ROWS}]})
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


@transaction.atomic
def job_create(*, upload, region, actor) -> ImportJob:
    """Store the upload for a community the actor may import into; checking runs in a task."""
    if not (actor.is_superuser or access.covers(actor, region.path, model=Person, action="import")):
        raise Forbidden(_("Your role may not import here."))
    uploads.check_size(upload)  # before a byte is read into memory
    read_rows(upload.name, upload.read())  # fail fast on a wrong type, encoding or missing columns
    upload.seek(0)
    job = ImportJob.objects.create(file=upload, original_name=upload.name[:200], region=region,
                                   region_path=region.path, created_by=actor)
    audit.record(actor=actor, action="import.upload", obj=job, region=region)
    taskqueue.enqueue_on_commit(CHECK_TASK, job.pk)
    return job


def _units(region_path: str) -> dict[tuple[str, str, str, str], Unit]:
    units = Unit.objects.filter(region_path__startswith=region_path).select_related("building")
    return {(u.building.address, u.building.name, u.entrance, u.number): u for u in units}


def check(job: ImportJob) -> list[PlanRow]:
    """Dry run (a task): every row checked; nothing written but the job's moves, progress and errors."""
    job.file.open("rb")
    rows = read_rows(job.file.name, job.file.read())  # the stored name keeps the real format
    job.file.close()
    system = access.system()
    _move(job, "check", actor=system, total_rows=len(rows), processed_rows=0)
    plan, errors, summary = _checked(job, rows)
    _move(job, "invalid" if errors else "preview", actor=system, audit_data={"summary": summary},
          processed_rows=len(rows), errors=errors[:1000], summary=summary)
    return plan


def _checked(job: ImportJob, rows: list[dict[str, str]]) -> tuple[list[PlanRow], list[dict], dict]:
    """Every row against the rules and the file on record: the plan, the row report, the summary."""
    units = _units(job.region_path)
    seen: dict[str, int] = {}
    errors: list[dict] = []
    plan: list[PlanRow] = []
    existing: dict[str, None] = {}  # the ID keys of the file, in order
    for i, row in enumerate(rows, start=2):  # row 1 is the header
        def err(field, message, i=i):
            errors.append({"row": i, "field": field, "message": str(message)})

        for field in REQUIRED:
            if not row.get(field):
                err(field, _("This field is required."))
        id_type = ID_TYPE_NAMES.get(row.get("id_type") or "居民身份证")
        if id_type is None:
            err("id_type", _("Unknown ID type."))
        info = None
        if row.get("id_number") and id_type:
            try:
                info = pii.validate_id(id_type, row["id_number"])
            except ValidationError as e:
                err("id_number", e.messages[0])
        if info:
            key = pii.blind_index(info.number, "id")
            if key in seen:
                err("id_number", _("Duplicate of row %(row)s in this file.") % {"row": seen[key]})
            seen[key] = i
            existing[key] = None
        unit = units.get((row.get("address", ""), row.get("building", ""), row.get("entrance", ""), row.get("room", "")))
        if unit is None and row.get("address"):
            err("address", _("Unknown building or unit: %(a)s %(b)s %(e)s %(r)s") % {
                "a": row.get("address"), "b": row.get("building"), "e": row.get("entrance", ""), "r": row.get("room")})
        if row.get("phone"):
            try:
                pii.phone_kind(row["phone"])
            except ValidationError as e:
                err("phone", e.messages[0])
        plan.append((row, id_type, info, unit))
        if i % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=i - 1)
    # Dedup against the file on record: persons already on file are updated, not duplicated,
    # provided they live in the importing community.
    keys = [k for k in existing]
    on_file = dict(Person.objects.filter(id_number_hash__in=keys).values_list("id_number_hash", "region_path"))
    for _row, _id_type, info, _unit in plan:
        if info:
            path = on_file.get(pii.blind_index(info.number, "id"))
            if path is not None and not path.startswith(job.region_path):
                errors.append({"row": seen[pii.blind_index(info.number, "id")], "field": "id_number",
                               "message": _("This person is on file in another community.")})
    updates = sum(1 for k in keys if k in on_file)
    return plan, errors, {"rows": len(rows), "new": len(keys) - updates, "updates": updates, "errors": len(errors)}


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


BATCH = 1000


def _households(plan, job) -> dict:
    """(unit id, household number) → Household: the existing ones in one query, the missing ones in bulk."""
    keys = {(unit.pk, row.get("household") or f"I{job.pk}-{unit.pk}"): unit for row, _t, _i, unit in plan}
    found = {(h.unit_id, h.number): h for h in Household.objects.filter(
        unit_id__in={k[0] for k in keys}, number__in={k[1] for k in keys})}
    missing = [Household(unit_id=u_id, number=number, region_path=keys[(u_id, number)].region_path)
               for (u_id, number) in keys if (u_id, number) not in found]
    Household.objects.bulk_create(missing, batch_size=BATCH)
    found.update({(h.unit_id, h.number): h for h in Household.objects.filter(
        unit_id__in={k[0] for k in keys}, number__in={k[1] for k in keys})})
    return {k: found[k] for k in keys}


def _create_persons(rows, *, ref: str, actor) -> None:
    """New persons of one batch, with phones, provenance and history, in five bulk inserts."""
    persons, phones = [], []
    for row, id_type, info, household in rows:
        sealed = pii.seal_id(id_type, info.number)
        persons.append(Person(household=household, name=row["name"], relation=row.get("relation", ""),
                              id_type=id_type, id_number_enc=sealed.enc, id_number_hash=sealed.hash,
                              id_number_masked=sealed.masked, id_last4=sealed.last4, birth_date=info.birth_date,
                              sex=info.sex or "", region_path=household.region_path))
    Person.objects.bulk_create(persons, batch_size=BATCH)
    if any(p.pk is None for p in persons):  # a backend that does not return ids
        by_hash = dict(Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in persons])
                       .values_list("id_number_hash", "pk"))
        for p in persons:
            p.pk = by_hash[p.id_number_hash]
    sources, changes = [], []
    for person, (row, _t, _i, _h) in zip(persons, rows, strict=True):
        fields = {"name": person.name, "id_number": person.id_number_masked}
        if row.get("phone"):
            phone = pii.seal_phone(row["phone"])
            phones.append(PersonPhone(person=person, kind=phone.kind, number_enc=phone.enc, number_hash=phone.hash,
                                      masked=phone.masked, last4=phone.last4, primary=True))
            fields["phone"] = phone.masked
        for field, value in fields.items():
            sources.append(FieldSource(person=person, field=field, kind=SourceKind.IMPORT, ref=ref, actor=actor))
            changes.append(FieldChange(person=person, field=field, new=value[:200], kind=SourceKind.IMPORT, ref=ref,
                                       actor=actor))
    PersonPhone.objects.bulk_create(phones, batch_size=BATCH)
    FieldSource.objects.bulk_create(sources, batch_size=BATCH)
    FieldChange.objects.bulk_create(changes, batch_size=BATCH)


def ready_plan(plan: list[PlanRow]) -> list[ReadyRow]:
    """The plan of a file without errors: check() reports every row lacking an ID type, a valid ID or a unit."""
    ready: list[ReadyRow] = []
    for row, id_type, info, unit in plan:
        assert id_type is not None and info is not None and unit is not None, "check() reported an error for this row"
        ready.append((row, id_type, info, unit))
    return ready


def apply(job: ImportJob, *, actor) -> ImportJob:
    """All-or-nothing: re-check, then write every row in one transaction (any failure rolls back all).
    New persons go in bulk, 1,000 at a time; persons already on file are updated through the
    same service as a staff edit (history and provenance per field)."""
    from households.services.people import person_apply_changes

    if job.status not in (ImportStatus.PREVIEW, ImportStatus.APPLYING):
        raise Conflict(_("Only a checked file without errors can be applied."))
    if job.status == ImportStatus.PREVIEW:
        _move(job, "apply", actor=actor)
    job.file.open("rb")
    rows = read_rows(job.file.name, job.file.read())
    job.file.close()
    checked, errors, _summary = _checked(job, rows)  # again: the file on record may have changed meanwhile
    if errors:
        _move(job, "fail", actor=access.system(), errors=errors[:1000], finished_at=timezone.now())
        raise Conflict(_("The file has errors: nothing was imported."))
    plan = ready_plan(checked)
    ref = f"job {job.pk}"
    try:
        with transaction.atomic():
            households = _households(plan, job)
            on_file = {p.id_number_hash: p for p in Person.objects.filter(
                id_number_hash__in=[pii.blind_index(info.number, "id") for _r, _t, info, _u in plan])}
            batch = []
            for n, (row, id_type, info, unit) in enumerate(plan, start=1):
                household = households[(unit.pk, row.get("household") or f"I{job.pk}-{unit.pk}")]
                person = on_file.get(pii.blind_index(info.number, "id"))
                if person is None:
                    batch.append((row, id_type, info, household))
                else:
                    changes = {"name": row["name"], "household": household.pk}
                    if row.get("relation"):
                        changes["relation"] = row["relation"]
                    if row.get("phone"):
                        changes["phone"] = row["phone"]
                    person_apply_changes(person=person, changes=changes, kind=SourceKind.IMPORT, ref=ref, actor=actor)
                if len(batch) >= BATCH or n == len(plan):
                    _create_persons(batch, ref=ref, actor=actor)
                    batch = []
                    cache.set(progress_key(job.pk), n, timeout=3600)
            _move(job, "done", actor=actor, audit_data={"summary": job.summary}, finished_at=timezone.now())
            # The file holds ID numbers in the clear: it goes once its rows are on file (sealed).
            transaction.on_commit(lambda: file_discard(job))
    except Exception as exc:
        if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.APPLYING).exists():
            _move(job, "fail", actor=access.system(), finished_at=timezone.now(),
                  errors=[{"row": None, "field": "", "message": str(exc)[:300]}])
        raise
    finally:
        cache.delete(progress_key(job.pk))
    return job


def job_progress(job: ImportJob) -> int:
    if job.status == ImportStatus.APPLYING:
        done = cache.get(progress_key(job.pk)) or 0
        return int(100 * done / job.total_rows) if job.total_rows else 0
    return 100 if job.status in (ImportStatus.DONE, ImportStatus.PREVIEW, ImportStatus.INVALID) else job.progress


def job_apply_request(*, job: ImportJob, actor) -> ImportJob:
    """The second step: the actor confirms the preview; the apply runs in a task after commit."""
    access.require(actor, "change", job)
    _move(job, "apply", actor=actor)
    taskqueue.enqueue_on_commit(APPLY_TASK, job.pk, actor.pk)
    return job





# --- jobs that stopped moving ---------------------------------------------------------------

STUCK_AFTER = dt.timedelta(minutes=15)
APPLY_STUCK_AFTER = dt.timedelta(hours=1)
MAX_REQUEUES = 2
LOST = gettext_lazy("The import stopped before it finished (its worker was lost); nothing was imported. "
                    "Upload the file again.")


def jobs_unstick(*, now=None) -> dict[str, int]:
    """No job stays "uploaded", "checking" or "applying" forever (beat). A check that stopped is
    queued again (it only reads), at most MAX_REQUEUES times; an apply that stopped was rolled back
    whole, so it is failed with the reason. A job whose task still waits for the broker
    (PendingTask) is left alone: the broker is down, the job is not lost."""
    from governance.models import PendingTask

    now = now or timezone.now()
    waiting = {args[0] for args in PendingTask.objects.filter(
        task__in=[CHECK_TASK, APPLY_TASK]).values_list("args", flat=True) if args}
    counts = {"requeued": 0, "failed": 0}
    checking = ImportJob.objects.filter(status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING],
                                        status_changed_at__lt=now - STUCK_AFTER)
    applying = ImportJob.objects.filter(status=ImportStatus.APPLYING, status_changed_at__lt=now - APPLY_STUCK_AFTER)
    for job in list(checking) + list(applying):
        if job.pk in waiting:
            continue
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING) and job.requeues < MAX_REQUEUES:
                ImportJob.objects.filter(pk=job.pk).update(requeues=job.requeues + 1, status_changed_at=now)
                taskqueue.enqueue_on_commit(CHECK_TASK, job.pk)
                counts["requeued"] += 1
                continue
            _move(job, "fail", actor=access.system(), at=now, finished_at=now,
                  errors=[{"row": None, "field": "", "message": str(LOST)}],
                  audit_data={"lost": True, "requeues": job.requeues})
            counts["failed"] += 1
    return counts


# --- uploaded files: ID numbers in the clear do not stay on disk ------------------------------

def file_discard(job: ImportJob) -> None:
    """Delete the job's uploaded file (storage and field); the job's report stays."""
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def files_purge(*, now=None) -> int:
    """PIPL: a file not applied — invalid, failed, or checked and left — is deleted
    IMPORT_FILE_RETENTION_DAYS after its last move (beat, daily). Returns how many went."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    stale = ImportJob.objects.filter(status__in=[ImportStatus.INVALID, ImportStatus.FAILED, ImportStatus.PREVIEW,
                                                 ImportStatus.DONE], status_changed_at__lt=cutoff).exclude(file="")
    n = 0
    for job in stale:
        file_discard(job)
        n += 1
    return n
