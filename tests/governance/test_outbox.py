"""The outbox against a real HTTP server on 127.0.0.1: success, 500 then retry, signatures,
give-up, idempotence, sweeper, admin retry."""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance import outbox
from governance.errors import ValidationFailed
from governance.models import AuditEvent, OutboxMessage
from governance.models.outbox import OutboxStatus


class Receiver:
    """A webhook receiver: answers with the next status of `script` (then 200), checks the
    signature with outbox.verify_signature, deduplicates on the event id."""

    def __init__(self, script=()):
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []  # headers, body, valid
        self.seen_events: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = outbox.verify_signature(body=body, timestamp=self.headers["X-Linli-Timestamp"],
                                                signature=self.headers["X-Linli-Signature"])
                event = self.headers["X-Linli-Event-Id"]
                receiver.requests.append({"headers": dict(self.headers), "body": body, "valid": valid})
                code = receiver.script.pop(0) if receiver.script else 200
                if code == 200 and valid:
                    receiver.seen_events.add(event)
                self.send_response(code if valid else 401)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def test_enqueue_sends_after_commit_signed(db, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(topic="order.closed", url=receiver.url, payload={"order": 7, "名称": "井盖"})
        assert receiver.requests == []  # nothing leaves before commit
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 1
    [request] = receiver.requests
    assert request["valid"]
    assert request["headers"]["X-Linli-Event-Id"] == str(message.event_id)
    assert request["headers"]["X-Linli-Topic"] == "order.closed"
    assert json.loads(request["body"]) == {"order": 7, "名称": "井盖"}
    [attempt] = message.deliveries.all()
    assert attempt.ok and attempt.status_code == 200


def test_rolled_back_caller_sends_nothing(db, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(topic="x", url=receiver.url, payload={})
            raise RuntimeError
    assert callbacks == [] and receiver.requests == []
    assert not OutboxMessage.objects.exists()


def test_500_is_retried_with_backoff_then_delivered(db):
    with Receiver(script=[500, 503]) as receiver:
        message = outbox.enqueue(topic="t", url=receiver.url, payload={"n": 1})
        assert outbox.deliver(message.pk) == OutboxStatus.PENDING
        message.refresh_from_db()
        assert message.attempts == 1 and "HTTP 500" in message.last_error
        assert message.next_attempt_at is not None
        wait = (message.next_attempt_at - timezone.now()).total_seconds()
        assert 10 <= wait <= 31  # 30 s base, equal jitter
        # Not due yet: a stray task does nothing.
        assert outbox.deliver(message.pk) == "skipped"
        later = message.next_attempt_at + dt.timedelta(seconds=1)
        assert outbox.deliver(message.pk, now=later) == OutboxStatus.PENDING
        message.refresh_from_db()
        assert message.attempts == 2 and message.next_attempt_at is not None
        assert outbox.deliver(message.pk, now=message.next_attempt_at) == OutboxStatus.DELIVERED
        assert outbox.deliver(message.pk, now=message.next_attempt_at + dt.timedelta(days=1)) == "skipped"
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Linli-Event-Id"] for r in receiver.requests}) == 1  # the same event each time
    assert [d.status_code for d in message.deliveries.all()] == [500, 503, 200]


def test_backoff_grows_and_is_capped():
    for attempt in range(1, 20):
        full = min(outbox.BACKOFF_CAP_SECONDS, 30 * 2 ** (attempt - 1))
        assert full / 2 <= outbox.backoff_seconds(attempt) <= full
    assert outbox.backoff_seconds(4) > outbox.backoff_seconds(1)


def test_a_24_hour_outage_on_a_fixed_clock_then_a_dead_letter_and_a_retry(db, world, client_for,
                                                                          django_capture_on_commit_callbacks):
    """The receiver answers 500 for a whole day: attempts back off (30 s doubling, 6 h at most)
    until the window closes, the last one at its end; then the district admin is told, and
    "retry now" in admin delivers it once the receiver is back."""
    from governance.models import Notification

    with Receiver(script=[500] * 100) as receiver:
        message = outbox.enqueue(topic="order.closed", url=receiver.url, payload={"order": 1})
        now = message.next_attempt_at
        assert now is not None and message.give_up_at == now + dt.timedelta(hours=24)
        times: list[dt.datetime] = []
        while True:
            status = outbox.deliver(message.pk, now=now)
            times.append(now)
            message.refresh_from_db()
            if status != OutboxStatus.PENDING:
                break
            assert message.next_attempt_at is not None and message.next_attempt_at > now
            now = message.next_attempt_at
        assert status == OutboxStatus.FAILED and message.next_attempt_at is None
        assert times[-1] == message.give_up_at  # retried right up to the end of the window
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        assert max(gaps) <= outbox.BACKOFF_CAP_SECONDS and gaps[1] > gaps[0]
        assert 10 <= len(times) <= 20 and message.attempts == len(times)
        from governance import taskqueue

        taskqueue.sweep(now=timezone.now() + dt.timedelta(minutes=5))  # the alert, queued at the dead letter
        alert = Notification.objects.get(user=world.users["liu_district"], kind="outbox")
        assert "order.closed" in alert.title and alert.url.endswith(f"/{message.pk}/change/")
        assert outbox.deliver(message.pk, now=now + dt.timedelta(days=2)) == "skipped"  # dead stays dead
        receiver.script.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = client_for("liu_district").post(reverse("admin:governance_outboxmessage_changelist"),
                                                {"action": "retry_now", "_selected_action": [message.pk]})
        assert r.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and len(receiver.requests) == message.attempts


def test_a_stream_is_delivered_in_order(db, django_capture_on_commit_callbacks):
    """The second event of an order waits while the first fails; it goes right after the first."""
    with Receiver(script=[500]) as receiver:
        first = outbox.enqueue(topic="order.updated", url=receiver.url, payload={"step": 1}, stream="order:7")
        second = outbox.enqueue(topic="order.updated", url=receiver.url, payload={"step": 2}, stream="order:7")
        other = outbox.enqueue(topic="order.updated", url=receiver.url, payload={"step": 1}, stream="order:8")
        now = timezone.now()
        assert outbox.deliver(first.pk, now=now) == OutboxStatus.PENDING  # 500
        assert outbox.deliver(second.pk, now=now) == "skipped"  # its predecessor is not through
        assert outbox.deliver(other.pk, now=now) == OutboxStatus.DELIVERED  # another stream goes on
        first.refresh_from_db()
        assert first.next_attempt_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox.deliver(first.pk, now=first.next_attempt_at) == OutboxStatus.DELIVERED
        second.refresh_from_db()
        assert second.status == OutboxStatus.DELIVERED  # scheduled as soon as the first went through
    bodies = [json.loads(r["body"]) for r in receiver.requests if r["headers"]["X-Linli-Topic"] == "order.updated"]
    assert bodies == [{"step": 1}, {"step": 1}, {"step": 1}, {"step": 2}]


def test_a_discarded_dead_letter_unblocks_its_stream(db, world):
    with Receiver() as receiver:
        first = outbox.enqueue(topic="t", url=receiver.url, payload={"n": 1}, stream="s")
        second = outbox.enqueue(topic="t", url=receiver.url, payload={"n": 2}, stream="s")
        OutboxMessage.objects.filter(pk=first.pk).update(status=OutboxStatus.FAILED)
        assert outbox.deliver(second.pk) == "skipped"
        with pytest.raises(ValidationFailed):  # a reason is required
            outbox.message_discard(message=first, actor=world.users["liu_district"], reason="")
        assert outbox.message_discard(message=first, actor=world.users["liu_district"], reason="接收方已下线")
        assert outbox.deliver(second.pk) == OutboxStatus.DELIVERED
        assert AuditEvent.objects.filter(action="outbox.discard", object_id=str(first.pk)).exists()


def test_an_endpoint_signs_with_its_own_secret(db, world):
    with Receiver() as receiver:
        endpoint, raw = outbox.endpoint_create(actor=world.users["liu_district"], name="城市运行平台", url=receiver.url,
                                               owner_name="市城运中心", topics=["order.closed"])
        assert raw not in endpoint.secret_enc and endpoint.secret_prefix == raw[:8]
        [message] = outbox.publish(topic="order.closed", payload={"order": 3}, stream="order:3")
        assert outbox.publish(topic="order.other", payload={}) == []  # not a topic it takes
        assert message.endpoint == endpoint and message.stream == f"order:3@{endpoint.pk}"
        outbox.deliver(message.pk)
        [request] = receiver.requests
        h = request["headers"]
        assert outbox.verify_signature(body=request["body"], timestamp=h["X-Linli-Timestamp"],
                                       signature=h["X-Linli-Signature"], secret=raw)
        assert not request["valid"]  # not signed with the default secret
        new = outbox.endpoint_rotate_secret(endpoint=endpoint, actor=world.users["liu_district"])
        assert new != raw


def test_an_sms_number_is_sealed_in_the_table(db, settings):
    from governance.notify.sms import HttpSmsBackend

    with Receiver() as receiver:
        settings.SMS_HTTP_URL = receiver.url
        HttpSmsBackend().send(mobile="13912345678", text="您的验证码 123456", purpose="login")
        message = OutboxMessage.objects.get(topic="sms")
        assert "13912345678" not in json.dumps(message.payload) + json.dumps(message.sealed)
        assert not OutboxMessage.objects.filter(payload__icontains="13912345678").exists()
        outbox.deliver(message.pk)
    assert json.loads(receiver.requests[0]["body"]) == {"mobile": "13912345678", "text": "您的验证码 123456",
                                                        "purpose": "login"}


def test_connection_refused_is_recorded(db):
    with Receiver() as receiver:
        url = receiver.url
    message = outbox.enqueue(topic="t", url=url, payload={})  # the server is gone
    assert outbox.deliver(message.pk) == OutboxStatus.PENDING
    attempt = message.deliveries.get()
    assert not attempt.ok and attempt.status_code is None and "Connect" in attempt.error


def test_wrong_secret_is_refused_by_the_receiver(db, receiver):
    with override_settings(OUTBOX_SECRETS={"partner": "another-secret"}):
        message = outbox.enqueue(topic="t", url=receiver.url, payload={"a": 1}, secret_name="partner")
        outbox.deliver(message.pk)
    assert receiver.requests[0]["valid"] is False
    assert message.deliveries.get().status_code == 401


def test_verify_signature():
    body, ts = b'{"a":1}', str(int(time.time()))
    good = outbox.sign(body, ts, "s3cret")
    assert outbox.verify_signature(body=body, timestamp=ts, signature=good, secret="s3cret")
    assert not outbox.verify_signature(body=body + b" ", timestamp=ts, signature=good, secret="s3cret")
    assert not outbox.verify_signature(body=body, timestamp=ts, signature=good, secret="other")
    assert not outbox.verify_signature(body=body, timestamp="not-a-time", signature=good, secret="s3cret")
    old = str(int(time.time()) - 3600)
    assert not outbox.verify_signature(body=body, timestamp=old, signature=outbox.sign(body, old, "s3cret"),
                                       secret="s3cret")


def test_unknown_secret_name_fails_in_the_caller(db):
    with pytest.raises(ValueError):
        outbox.enqueue(topic="t", url="http://127.0.0.1:9/", payload={}, secret_name="nope")


def test_sweeper_redelivers_lost_tasks(db, receiver):
    # A message whose task was lost (no on_commit here: the test transaction never commits).
    message = outbox.enqueue(topic="t", url=receiver.url, payload={})
    assert outbox.sweep() == 1  # eager Celery in tests: the task runs at once
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert outbox.sweep() == 0


def test_claimed_message_is_not_sent_twice(db, receiver):
    message = outbox.enqueue(topic="t", url=receiver.url, payload={})
    now = timezone.now()
    assert outbox._claim(message.pk, now)
    assert not outbox._claim(message.pk, now)  # a second worker finds it leased
    assert outbox.deliver(message.pk, now=now) == "skipped"
    assert outbox.deliver(message.pk, now=now + outbox.LEASE + dt.timedelta(seconds=1)) == OutboxStatus.DELIVERED
    assert len(receiver.requests) == 1


@pytest.mark.postgres
def test_skip_locked_on_postgres(transactional_db, receiver):
    """A worker holding the row lock makes another worker skip it, not wait."""
    from django.db import connections, transaction

    # Written directly: enqueue would send it at once here (autocommit runs on_commit hooks).
    message = OutboxMessage.objects.create(topic="t", url=receiver.url, payload={}, next_attempt_at=timezone.now())
    results = {}

    def other_worker():
        try:
            results["claimed"] = outbox._claim(message.pk, timezone.now())
        finally:
            connections.close_all()

    with transaction.atomic():
        list(OutboxMessage.objects.select_for_update().filter(pk=message.pk))
        t = threading.Thread(target=other_worker)
        t.start()
        t.join(10)
    assert results == {"claimed": False}
    assert outbox._claim(message.pk, timezone.now())


def test_schedule_is_installed():
    from governance.schedules import SCHEDULES, all_schedules

    assert SCHEDULES["outbox sweep"] == ("governance.outbox_sweep", 60)
    assert "outbox sweep" in all_schedules()


def test_admin_retry_now(client_for, world, receiver):
    failed = OutboxMessage.objects.create(topic="t", url=receiver.url, payload={}, status=OutboxStatus.FAILED,
                                          attempts=14)
    done = OutboxMessage.objects.create(topic="t", url=receiver.url, payload={}, status=OutboxStatus.DELIVERED)
    client = client_for("admin")
    url = reverse("admin:governance_outboxmessage_changelist")
    response = client.post(url, {"action": "retry_now", "_selected_action": [failed.pk, done.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.PENDING and failed.give_up_at is not None
    assert failed.give_up_at > timezone.now() + dt.timedelta(hours=23)
    assert AuditEvent.objects.filter(action="outbox.retry", object_id=str(failed.pk)).exists()
    assert outbox.deliver(failed.pk) == OutboxStatus.DELIVERED
    done.refresh_from_db()
    assert done.status == OutboxStatus.DELIVERED and done.attempts == 0
    assert len(receiver.requests) == 1
