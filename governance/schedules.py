"""Periodic work. Each app lists its beat entries in `<app>/schedules.py` as
`SCHEDULES = {name: (task, seconds)}`; after migrate they are written into
django-celery-beat's tables (editable in admin, never overwritten once edited)."""

from datetime import timedelta

from django.db.models.signals import post_migrate
from django.utils import timezone

from governance.autodiscover import app_modules


def all_schedules() -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for module in app_modules("schedules"):
        found.update(getattr(module, "SCHEDULES", {}))
    return found


def install(**kwargs) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    now = timezone.now()
    for name, (task, seconds) in all_schedules().items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        # Due at the first beat tick: a fresh install (the demo) sweeps at once instead of
        # waiting one whole interval; afterwards beat keeps last_run_at itself.
        PeriodicTask.objects.create(name=name, task=task, interval=interval,
                                    last_run_at=now - timedelta(seconds=seconds))


def _after_migrate(sender, **kwargs):
    if sender.name == "governance":
        install()


def connect():
    post_migrate.connect(_after_migrate, dispatch_uid="linli-install-schedules")


SCHEDULES: dict[str, tuple[str, int]] = {
    "outbox sweep": ("governance.outbox_sweep", 60),
    "queue tasks the broker missed": ("governance.pending_tasks_sweep", 60),
    "purge expired SMS codes": ("governance.sms_codes_purge", 3600),
    "send due messages to contacts": ("governance.contact_messages_sweep", 60),
    "publish ledger chain heads": ("governance.ledger_publish_heads", 24 * 3600),
    "open and close votes on time": ("governance.votes_sweep", 60),
    "end publicity periods on time": ("governance.publicity_sweep", 60),
}
