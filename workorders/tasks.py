"""Celery tasks: thin, idempotent wrappers around the services."""

from celery import shared_task


@shared_task(name="workorders.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Amber, overdue and automatic 督办, re-derived from the database (safe to run twice)."""
    from workorders.services import sweep

    return sweep()
