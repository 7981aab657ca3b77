"""Celery tasks: thin, idempotent wrappers around services."""

from celery import shared_task

from governance import access
from households.models import ImportJob, ImportStatus


@shared_task(name="households.tasks.import_check")
def import_check(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING]).first()
    if job is not None:
        from households.services import imports

        imports.check(job)


@shared_task(name="households.tasks.import_apply")
def import_apply(job_id: int, actor_id: int) -> None:
    from governance.models import User
    from households.services import imports

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.APPLYING).first()
    if job is not None:  # a second delivery after success finds DONE and does nothing
        imports.apply(job, actor=User.objects.get(pk=actor_id))


@shared_task(name="households.tasks.imports_unstick")
def imports_unstick() -> dict:
    from households.services import imports

    return imports.jobs_unstick()


@shared_task(name="households.tasks.import_files_purge")
def import_files_purge() -> int:
    from households.services import imports

    return imports.files_purge()


@shared_task(name="households.tasks.rental_reminders")
def rental_reminders() -> int:
    from households.services import rental_reminders_send

    return rental_reminders_send()


@shared_task(name="households.tasks.retention_purge")
def retention_purge() -> int:
    from households.services import persons_purge_moved_out

    return persons_purge_moved_out(actor=access.system())
