"""Celery work that is never lost: a task to run after commit is first a row in the caller's
transaction (PendingTask), then handed to the broker after commit; the row goes once the broker
has it. With the broker down (Redis unreachable, the filesystem broker's disk full) the request
still succeeds — the database is the truth — and `sweep()` on beat hands the rows over when the
broker is back. Tasks are idempotent (STYLE.md), so a row sent twice does no harm.

    taskqueue.enqueue_on_commit("households.tasks.import_check", job.pk)

A task is named by its Celery name (a string), so a service never imports its app's `tasks`
module, which imports the services (no cycle); a task object is taken too.

The outbox keeps its own table and sweep (its rows carry the delivery state); everything else
that queues a task after commit comes through here.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from governance.models import PendingTask

log = logging.getLogger(__name__)

# A row younger than this may still be on its way to the broker from its own request.
GRACE = dt.timedelta(minutes=2)


def _name(task) -> str:
    return task if isinstance(task, str) else task.name


def enqueue_on_commit(task, *args, **kwargs) -> PendingTask:
    """Queue `task(*args, **kwargs)` after the current transaction commits, durably."""
    row = PendingTask.objects.create(task=_name(task), args=list(args), kwargs=kwargs)

    def hand_over():
        _hand_over(row.pk, row.task, row.args, row.kwargs)

    transaction.on_commit(hand_over)
    return row


def _run_here(name: str, args, kwargs=None, **options) -> None:
    """Run a task in this process (eager Celery: tests, scripts). Tasks are found by name, so
    their modules may not be imported yet: load them the way a worker does."""
    from governance.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()  # fires autodiscover_tasks()
    app.tasks[name].apply(args=args, kwargs=kwargs or {}, **options)


def _hand_over(pk: int, task_name: str, args: list, kwargs: dict) -> bool:
    from governance.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker to miss: the task runs here and its own errors propagate (tests, scripts).
        PendingTask.objects.filter(pk=pk).delete()
        _run_here(task_name, args, kwargs, throw=True)
        return True
    try:
        app.send_task(task_name, args=args, kwargs=kwargs)
    except Exception as exc:  # the broker is unreachable: the row waits for the sweep
        log.warning("task %s(%s) could not be queued; the sweep will queue it", task_name, args, exc_info=True)
        PendingTask.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:300])
        return False
    PendingTask.objects.filter(pk=pk).delete()
    return True


def send_now(task, *args, countdown: float | None = None) -> bool:
    """Hand a task to the broker now, best effort, for work whose own table is its record (the
    outbox): False if the broker refused; that table's sweep finds the work again."""
    from governance.celery import app

    name = _name(task)
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            _run_here(name, args)
        else:
            app.send_task(name, args=args, countdown=countdown)
    except Exception:
        log.warning("task %s(%s) could not be queued; its sweep will find the work", name, args, exc_info=True)
        return False
    return True


def sweep(*, now=None, limit: int = 500) -> int:
    """Hand every waiting task older than GRACE to the broker (beat, every minute); stop at the
    first refusal, the broker is still down. Returns how many were queued."""
    now = now or timezone.now()
    rows = list(PendingTask.objects.filter(created_at__lt=now - GRACE).order_by("created_at", "pk")[:limit])
    queued = 0
    for row in rows:
        if not _hand_over(row.pk, row.task, row.args, row.kwargs):
            break
        queued += 1
    return queued
