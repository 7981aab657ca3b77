"""Imports: one pipeline for every list an office uploads — persons, special groups from 民政/残联
lists, and (as their apps come) businesses, rentals, bank statements, merchants.

    class TagListResource(imports.Resource):       # an app's own: its columns, its rules, its writes
        key, headers, required, model = "households.tags", {"证件号码": "id_number", ...}, ("id_number",), PersonTag
        def check(self, job, rows) -> imports.Checked: ...   # every row; dedup against the file on record
        def write(self, job, plan, *, actor, progress): ...   # inside the one transaction
    imports.register(TagListResource())                        # in the app's `resources.py`
    job = imports.job_create(job_model=ImportJob, kind="households.tags", upload=f, region=community, actor=u)

upload → check every row (a dry run with a row report: row, field, message) → the person confirms →
apply all-or-nothing in one transaction (any failure rolls back every row) with a progress bar.
Jobs move through governance.statemachine (checking and failing are the system's moves,
applying the person's); big files run in Celery by the app's task names; a job that stops
moving is re-queued or failed with the reason by the beat sweep; the uploaded file (ID numbers
in the clear) goes once applied, or after IMPORT_FILE_RETENTION_DAYS.

Our own rather than django-import-export's Resource: its row-by-row import_row model fits
neither the all-or-nothing bulk write of 50,000 persons (the benchmark) nor a check that needs
the whole file (duplicates within it, against the sealed file on record). Its admin screens are
kept where they serve (households.admin_import), on top of this pipeline.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, audit, taskqueue, uploads
from governance.errors import Conflict, Forbidden, ValidationFailed
from governance.models.imports import ImportJobBase, ImportStatus
from governance.statemachine import Machine, Move

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ROWS = 50_000
PROGRESS_EVERY = 500


@dataclass
class Checked:
    """A dry run's outcome: the plan the resource writes from, the row report, the summary."""

    plan: list[Any]
    errors: list[dict] = field(default_factory=list)  # {"row": n, "field": f, "message": m}
    summary: dict = field(default_factory=dict)


class Resource(ABC):
    """One kind of list. Subclasses set the attributes and write `check` and `write`."""

    key: str = ""
    label: StrOrPromise = ""
    headers: dict[str, str] = {}  # header as offices write it (or in English) → field
    required: tuple[str, ...] = ()
    model: type[Model] | None = None  # whose "import" right an uploader needs where they upload
    action = "import"

    @abstractmethod
    def check(self, job, rows: list[dict[str, str]]) -> Checked:
        """Every row against the rules and the records on file: the plan, the row report, the summary."""

    @abstractmethod
    def write(self, job, plan: list[Any], *, actor, progress: Callable[[int], None]) -> None:
        """Write the plan inside the pipeline's one transaction; call progress(rows done) now and then."""


_resources: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    _resources[resource.key] = resource
    return resource


def resource_for(kind: str) -> Resource:
    if kind not in _resources:
        from governance.autodiscover import app_modules

        app_modules("resources")  # each app registers its resources in `<app>/resources.py`
    try:
        return _resources[kind]
    except KeyError:
        raise ValidationFailed(fields={"kind": [_("Unknown kind of list.")]}) from None


# --- reading -----------------------------------------------------------------------------------


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def read_rows(name: str, data: bytes, resource: Resource) -> list[dict[str, str]]:
    """The file's rows as {field: text}, read as a stream: the row limit is checked while reading,
    so a file of 300,000 rows stops at MAX_ROWS + 1 instead of being loaded whole first. CSV in
    UTF-8 or GBK (governance.uploads), or the first sheet of an .xlsx."""
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
    header = [resource.headers.get(_text(h), _text(h)) for h in first]
    missing = [f for f in resource.required if f not in header]
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


def _job_rows(job: ImportJobBase, resource: Resource) -> list[dict[str, str]]:
    job.file.open("rb")
    try:
        return read_rows(job.file.name, job.file.read(), resource)  # the stored name keeps the real format
    finally:
        job.file.close()


def row_error(errors: list[dict], row: int | None, field_name: str, message) -> None:
    errors.append({"row": row, "field": field_name, "message": str(message)})


def report_progress(job: ImportJobBase, processed: int) -> None:
    """A resource's check reports how far it got (every PROGRESS_EVERY rows is enough)."""
    type(job)._default_manager.filter(pk=job.pk).update(processed_rows=processed)


# --- the job's lifecycle -------------------------------------------------------------------------

S = ImportStatus
MACHINE = Machine("import", label=lambda status: ImportStatus(status).label, moves={
    "check": Move((S.UPLOADED, S.VALIDATING), S.VALIDATING, gettext_lazy("checking"), right=None),
    "preview": Move((S.VALIDATING,), S.PREVIEW, gettext_lazy("checked, waiting to apply"), right=None),
    "invalid": Move((S.VALIDATING,), S.INVALID, gettext_lazy("checked, has errors"), right=None),
    "apply": Move((S.PREVIEW,), S.APPLYING, gettext_lazy("apply"), right="change"),
    "done": Move((S.APPLYING,), S.DONE, gettext_lazy("applied"), right="change"),
    "fail": Move((S.UPLOADED, S.VALIDATING, S.APPLYING), S.FAILED, gettext_lazy("failed"), right=None),
})


def _move(job: ImportJobBase, action: str, *, actor, at=None, audit_data=None, **fields) -> ImportJobBase:
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


@transaction.atomic
def job_create(*, job_model: type[ImportJobBase], kind: str, upload, region, actor) -> ImportJobBase:
    """Store the upload for a region the actor may import this kind into; checking runs in a task."""
    resource = resource_for(kind)
    assert resource.model is not None, f"{kind}: a resource names the model whose import right it needs"
    if not (actor.is_superuser or access.covers(actor, region.path, model=resource.model, action=resource.action)):
        raise Forbidden(_("Your role may not import here."))
    uploads.check_size(upload)  # before a byte is read into memory
    read_rows(upload.name, upload.read(), resource)  # fail fast on a wrong type, encoding or missing columns
    upload.seek(0)
    job = job_model._default_manager.create(kind=kind, file=upload, original_name=upload.name[:200], region=region,
                                   region_path=region.path, created_by=actor)
    audit.record(actor=actor, action="import.upload", obj=job, region=region, data={"kind": kind})
    taskqueue.enqueue_on_commit(job_model.check_task, job.pk)
    return job


def check(job: ImportJobBase) -> list[Any]:
    """The dry run (a task): every row checked; nothing written but the job's moves, progress and
    its row report. Returns the plan."""
    resource = resource_for(job.kind)
    rows = _job_rows(job, resource)
    system = access.system()
    _move(job, "check", actor=system, total_rows=len(rows), processed_rows=0)
    checked = resource.check(job, rows)
    _move(job, "invalid" if checked.errors else "preview", actor=system, audit_data={"summary": checked.summary},
          processed_rows=len(rows), errors=checked.errors[:1000], summary=checked.summary)
    return checked.plan


def progress_key(job: ImportJobBase) -> str:
    return f"import-progress:{job._meta.label_lower}:{job.pk}"


def apply(job: ImportJobBase, *, actor) -> ImportJobBase:
    """All-or-nothing: check again (the file on record may have changed), then write every row in
    one transaction; any failure rolls all of it back and the job fails with the reason."""
    if job.status not in (ImportStatus.PREVIEW, ImportStatus.APPLYING):
        raise Conflict(_("Only a checked file without errors can be applied."))
    if job.status == ImportStatus.PREVIEW:
        _move(job, "apply", actor=actor)
    resource = resource_for(job.kind)
    checked = resource.check(job, _job_rows(job, resource))
    if checked.errors:
        _move(job, "fail", actor=access.system(), errors=checked.errors[:1000], finished_at=timezone.now())
        raise Conflict(_("The file has errors: nothing was imported."))
    key = progress_key(job)
    try:
        with transaction.atomic():
            # Rows written inside the one transaction are invisible to the polling page until
            # commit: progress goes through the cache.
            resource.write(job, checked.plan, actor=actor, progress=lambda n: cache.set(key, n, timeout=3600))
            _move(job, "done", actor=actor, audit_data={"summary": job.summary}, finished_at=timezone.now())
            # The file may hold ID numbers in the clear: it goes once its rows are on file (sealed).
            transaction.on_commit(lambda: file_discard(job))
    except Exception as exc:
        if type(job)._default_manager.filter(pk=job.pk, status=ImportStatus.APPLYING).exists():
            _move(job, "fail", actor=access.system(), finished_at=timezone.now(),
                  errors=[{"row": None, "field": "", "message": str(exc)[:300]}])
        raise
    finally:
        cache.delete(key)
    return job


def job_progress(job: ImportJobBase) -> int:
    if job.status == ImportStatus.APPLYING:
        done = cache.get(progress_key(job)) or 0
        return int(100 * done / job.total_rows) if job.total_rows else 0
    return 100 if job.status in (ImportStatus.DONE, ImportStatus.PREVIEW, ImportStatus.INVALID) else job.progress


def job_apply_request(*, job: ImportJobBase, actor) -> ImportJobBase:
    """The second step: the person confirms the preview; the apply runs in a task after commit."""
    access.require(actor, "change", job)
    _move(job, "apply", actor=actor)
    taskqueue.enqueue_on_commit(type(job).apply_task, job.pk, actor.pk)
    return job


# --- jobs that stopped moving ------------------------------------------------------------------

STUCK_AFTER = dt.timedelta(minutes=15)
APPLY_STUCK_AFTER = dt.timedelta(hours=1)
MAX_REQUEUES = 2
LOST = gettext_lazy("The import stopped before it finished (its worker was lost); nothing was imported. "
                    "Upload the file again.")


def jobs_unstick(job_model: type[ImportJobBase], *, now=None) -> dict[str, int]:
    """No job stays "uploaded", "checking" or "applying" forever (beat). A check that stopped is
    queued again (it only reads), at most MAX_REQUEUES times; an apply that stopped was rolled back
    whole, so it is failed with the reason. A job whose task still waits for the broker
    (PendingTask) is left alone: the broker is down, the job is not lost."""
    from governance.models import PendingTask

    now = now or timezone.now()
    waiting = {args[0] for args in PendingTask.objects.filter(
        task__in=[job_model.check_task, job_model.apply_task]).values_list("args", flat=True) if args}
    counts = {"requeued": 0, "failed": 0}
    checking = job_model._default_manager.filter(status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING],
                                        status_changed_at__lt=now - STUCK_AFTER)
    applying = job_model._default_manager.filter(status=ImportStatus.APPLYING, status_changed_at__lt=now - APPLY_STUCK_AFTER)
    for job in list(checking) + list(applying):
        if job.pk in waiting:
            continue
        with transaction.atomic():
            job = job_model._default_manager.select_for_update().get(pk=job.pk)
            if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING) and job.requeues < MAX_REQUEUES:
                job_model._default_manager.filter(pk=job.pk).update(requeues=job.requeues + 1, status_changed_at=now)
                taskqueue.enqueue_on_commit(job_model.check_task, job.pk)
                counts["requeued"] += 1
                continue
            _move(job, "fail", actor=access.system(), at=now, finished_at=now,
                  errors=[{"row": None, "field": "", "message": str(LOST)}],
                  audit_data={"lost": True, "requeues": job.requeues})
            counts["failed"] += 1
    return counts


# --- uploaded files: ID numbers in the clear do not stay on disk ---------------------------------

def file_discard(job: ImportJobBase) -> None:
    """Delete the job's uploaded file (storage and field); the job's report stays."""
    if job.file:
        job.file.delete(save=False)
    type(job)._default_manager.filter(pk=job.pk).update(file="")


def files_purge(job_model: type[ImportJobBase], *, now=None) -> int:
    """PIPL: a file not applied — invalid, failed, or checked and left — is deleted
    IMPORT_FILE_RETENTION_DAYS after its last move (beat, daily). Returns how many went."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    stale = job_model._default_manager.filter(status__in=[ImportStatus.INVALID, ImportStatus.FAILED, ImportStatus.PREVIEW,
                                                 ImportStatus.DONE], status_changed_at__lt=cutoff).exclude(file="")
    n = 0
    for job in stale:
        file_discard(job)
        n += 1
    return n
