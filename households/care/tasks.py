"""Thin, idempotent Celery tasks: each re-derives its work from the database."""

from celery import shared_task

from households.care import services
from households.care.services.sweep import care_profiles_refresh


@shared_task(name="households.care.tasks.sweep")
def sweep():
    result = services.care_sweep()
    return {"raised": len(result.raised), "escalations": result.escalations}


@shared_task(name="households.care.tasks.refresh_profiles")
def refresh_profiles():
    return {"learned": care_profiles_refresh()}


@shared_task(name="households.care.tasks.purge_readings")
def purge_readings():
    return services.readings_purge()
