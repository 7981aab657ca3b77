"""Redis and the broker down (issue 12 item 9): the database is the truth. With Redis
unreachable the API answers (throttles fail open with a warning, live pushes are skipped), and
work handed to Celery waits in the database (PendingTask) until a sweep hands it over; an
import whose job stopped moving is queued again or failed with a reason, never stuck."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from governance import taskqueue
from governance.models import PendingTask
from governance.settings import redis_cache
from tests.governance.conftest import DEAD_REDIS

DEAD_CACHE = {"default": redis_cache(DEAD_REDIS)}  # production's cache settings, at a dead address
DEAD_LAYER = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [DEAD_REDIS]}}}


@override_settings(CACHES=DEAD_CACHE, CHANNEL_LAYERS=DEAD_LAYER)
def test_api_answers_and_writes_with_redis_unreachable(world, api_for, caplog):
    from tests.workorders.conftest import grid_point
    from workorders.models import WorkOrder
    from workorders.reference import load_defaults

    load_defaults()
    api = api_for("wang_resident")
    assert api.get("/api/v1/me/").status_code == 200  # the throttle read the dead cache: open
    from workorders.models import Category

    lon, lat = grid_point(world.grids[0])
    category = Category.objects.get(kind="event", code="0102")
    with caplog.at_level("WARNING"):
        response = api.post("/api/v1/orders/", {"channel": "portal", "category": category.pk,
                                                "description": "楼道灯坏了", "lon": lon, "lat": lat}, format="json")
    assert response.status_code == 201, response.content
    assert WorkOrder.objects.filter(pk=response.json()["id"]).exists()
    assert "django_redis" in caplog.text or "Connection" in caplog.text  # warned, not silent


def test_a_task_the_broker_cannot_take_waits_and_is_sent_later(world, broker_down, caplog,
                                                                 django_capture_on_commit_callbacks, settings):
    from governance import tasks

    with caplog.at_level("WARNING"), django_capture_on_commit_callbacks(execute=True):
        taskqueue.enqueue_on_commit(tasks.sms_codes_purge)
    row = PendingTask.objects.get()
    assert row.attempts == 1 and row.last_error
    assert "could not be queued" in caplog.text
    # Too young for the sweep (its request may still be handing it over) …
    assert taskqueue.sweep() == 0
    # … and while the broker is down the sweep stops at the first refusal, keeping the row.
    assert taskqueue.sweep(now=timezone.now() + dt.timedelta(minutes=5)) == 0
    assert PendingTask.objects.get().attempts == 2
    # The broker is back (here: eager, so the task runs in this process): sent, row gone.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert taskqueue.sweep(now=timezone.now() + dt.timedelta(minutes=5)) == 1
    assert not PendingTask.objects.exists()


def test_portal_import_with_the_broker_down_is_checked_after(world, client_for, broker_down, settings,
                                                              django_capture_on_commit_callbacks):
    """The portal import answered 500 after its row was saved and stayed "uploaded" forever."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.models import ImportJob

    csv = "姓名,证件号码,地址,楼号,单元,门牌号\n".encode()
    client = client_for("zhao_community")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/households/imports/", {
            "file": SimpleUploadedFile("p.csv", csv, content_type="text/csv"),
            "community": world.communities[0].pk})
    assert response.status_code == 302, response.content[:500]
    job = ImportJob.objects.get()
    assert job.status == "uploaded" and PendingTask.objects.filter(task="households.tasks.import_check").exists()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    taskqueue.sweep(now=timezone.now() + dt.timedelta(minutes=5))
    job.refresh_from_db()
    assert job.status in ("preview", "invalid") and not PendingTask.objects.exists()


def test_jobs_that_stopped_are_requeued_then_failed_with_a_reason(world, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from governance.models import AuditEvent
    from households.models import ImportJob
    from households.services import imports

    def job(status):
        j = ImportJob(region=world.communities[0], region_path=world.communities[0].path,
                      created_by=world.users["zhao_community"], status=status, original_name="x.csv",
                      status_changed_at=timezone.now() - dt.timedelta(hours=2))
        j.file.save("x.csv", ContentFile("姓名,证件号码,地址,楼号,单元,门牌号\n".encode()), save=False)
        j.save()
        return j

    stuck_check, stuck_apply = job("uploaded"), job("applying")
    fresh = job("validating")
    ImportJob.objects.filter(pk=fresh.pk).update(status_changed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        counts = imports.jobs_unstick()
    assert counts == {"requeued": 1, "failed": 1}
    stuck_check.refresh_from_db(), stuck_apply.refresh_from_db(), fresh.refresh_from_db()
    assert stuck_check.status in ("preview", "invalid") and stuck_check.requeues == 1  # checked again
    assert stuck_apply.status == "failed" and stuck_apply.errors == [{"row": None, "field": "",
                                                                      "message": str(imports.LOST)}]
    assert fresh.status == "validating"
    assert AuditEvent.objects.filter(action="import.fail", object_id=str(stuck_apply.pk), data__lost=True).exists()
    # A check that keeps stopping is failed after MAX_REQUEUES, with the same reason.
    again = job("validating")
    ImportJob.objects.filter(pk=again.pk).update(requeues=imports.MAX_REQUEUES)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.jobs_unstick() == {"requeued": 0, "failed": 1}
    again.refresh_from_db()
    assert again.status == "failed"
