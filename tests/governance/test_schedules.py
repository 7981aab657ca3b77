"""Beat schedules: every app's SCHEDULES are installed after migrate, due at once on a fresh install."""

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from governance import schedules


def test_every_schedule_is_installed_and_due_on_a_fresh_install(db):
    PeriodicTask.objects.filter(name__in=schedules.all_schedules()).delete()
    schedules.install()
    wanted = schedules.all_schedules()
    assert {"care: sweep (detect, raise, escalate)", "workorders: deadline sweep (amber, overdue, 督办)"} <= set(wanted)
    for name, (task, seconds) in wanted.items():
        periodic = PeriodicTask.objects.get(name=name)
        assert periodic.task == task and periodic.interval.every == seconds
        assert ModelEntry(periodic).is_due().is_due, f"{name} would wait a whole interval before its first run"


def test_an_edited_schedule_is_kept(db):
    schedules.install()
    name = next(iter(schedules.all_schedules()))
    PeriodicTask.objects.filter(name=name).update(enabled=False)
    schedules.install()
    assert PeriodicTask.objects.get(name=name).enabled is False
