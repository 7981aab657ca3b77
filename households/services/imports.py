"""The household files' imports, on the core pipeline (governance.imports): this app's job table
and tasks bound to it. The lists themselves — persons, special groups from 民政/残联 — are the
resources in households/resources.py."""

from __future__ import annotations

from governance import imports as pipeline
from households.models import ImportJob
from households.resources import BUSINESSES, HEADERS, PERSONS, TAG_HEADERS, TAGS, ready_plan

__all__ = ["HEADERS", "TAG_HEADERS", "KINDS", "LOST", "MAX_REQUEUES", "apply", "check", "file_discard", "files_purge", "job_apply_request",
           "job_create", "job_progress", "jobs_unstick", "read_rows", "ready_plan"]

KINDS = (PERSONS.key, TAGS.key, BUSINESSES.key)
MAX_REQUEUES, LOST = pipeline.MAX_REQUEUES, pipeline.LOST
check, apply, job_apply_request = pipeline.check, pipeline.apply, pipeline.job_apply_request
job_progress, file_discard = pipeline.job_progress, pipeline.file_discard


def job_create(*, upload, region, actor, kind: str = PERSONS.key) -> ImportJob:
    """Store an upload of one of this app's kinds of list; checking runs in a task."""
    job = pipeline.job_create(job_model=ImportJob, kind=kind, upload=upload, region=region, actor=actor)
    assert isinstance(job, ImportJob)
    return job


def read_rows(name: str, data: bytes) -> list[dict[str, str]]:
    """A persons file's rows (the admin's import screen previews with it)."""
    return pipeline.read_rows(name, data, PERSONS)


def jobs_unstick(*, now=None) -> dict[str, int]:
    return pipeline.jobs_unstick(ImportJob, now=now)


def files_purge(*, now=None) -> int:
    return pipeline.files_purge(ImportJob, now=now)
