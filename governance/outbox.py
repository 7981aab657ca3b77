"""The outbox: every outbound HTTP delivery (webhooks, upstream platforms, the SMS provider).

    from governance import outbox
    outbox.enqueue(topic="order.closed", url=hook.url, payload={...})   # inside the caller's transaction

The message is a row written with the change; after commit a Celery task POSTs it as
JSON, signed, and records every attempt (`OutboxDelivery`). A failure is retried with
exponential backoff and jitter until `max_attempts`, then the message is `failed`
(admin: "retry now"). A beat sweeper re-derives due messages from the table every
minute, so a lost task only delays a delivery. Delivering is idempotent: a delivered or
failed message is never sent again by a stray task, and a message is claimed (leased)
before the request so two workers never post it at once. Receivers deduplicate on
`X-Linli-Event-Id` (a retry after a lost answer repeats the same id).

Headers: X-Linli-Event-Id, X-Linli-Topic, X-Linli-Timestamp (Unix seconds),
X-Linli-Signature = hex HMAC-SHA256(secret, f"{timestamp}.".encode() + body).
Receivers check it with `verify_signature`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import time

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from governance import taskqueue
from governance.models import OutboxDelivery, OutboxMessage
from governance.models.outbox import OutboxStatus

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A claimed message is not picked up again for this long (longer than the request can take).
LEASE = dt.timedelta(seconds=60)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
DEFAULT_MAX_ATTEMPTS = 8
DELIVER_TASK = "governance.outbox_deliver"


def secret_for(name: str) -> str:
    """Signing secrets by name: "default" (OUTBOX_SIGNING_SECRET), "sms" (SMS_HTTP_SECRET,
    else the default), or any entry of settings.OUTBOX_SECRETS."""
    extra = getattr(settings, "OUTBOX_SECRETS", {}) or {}
    if name in extra:
        return extra[name]
    sms_secret: str = getattr(settings, "SMS_HTTP_SECRET", None) or ""
    if name == "sms" and sms_secret:
        return sms_secret
    if name in ("default", "sms"):
        return settings.OUTBOX_SIGNING_SECRET
    raise ValueError(f"no outbox signing secret named {name!r} (settings.OUTBOX_SECRETS)")


def encode_body(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      cls=_Encoder).encode("utf-8")


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime | dt.date):
            return o.isoformat()
        return str(o)


def sign(body: bytes, timestamp: str | int, secret: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify_signature(*, body: bytes, timestamp: str, signature: str, secret: str | None = None,
                     tolerance_seconds: int = 300, now: float | None = None) -> bool:
    """For receivers: True when `signature` is ours for this body and timestamp, and the
    timestamp is fresh (replays of old requests are refused)."""
    secret = secret if secret is not None else settings.OUTBOX_SIGNING_SECRET
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(body, timestamp, secret), signature or "")


def enqueue(*, topic: str, url: str, payload, secret_name: str = "default",
            max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> OutboxMessage:
    """Add a message in the caller's transaction; it is sent after commit (and by the sweeper)."""
    secret_for(secret_name)  # an unknown secret fails now, in the caller, not in a worker
    message = OutboxMessage.objects.create(
        topic=topic, url=url, payload=json.loads(encode_body(payload)), secret_name=secret_name,
        max_attempts=max_attempts, next_attempt_at=timezone.now(),
    )
    _schedule(message.pk)
    return message


def _schedule(message_id: int, countdown: float | None = None) -> None:
    # Broker down: the sweeper finds the row.
    transaction.on_commit(lambda: taskqueue.send_now(DELIVER_TASK, message_id, countdown=countdown))


def backoff_seconds(attempt: int) -> float:
    """Delay before attempt `attempt + 1`: doubling from 30 s, capped at 6 h, with equal jitter."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


def _due(now):
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(message_id: int, now) -> bool:
    """Lease the message for one attempt. The conditional UPDATE is atomic on every
    database; on PostgreSQL the row is first locked with SKIP LOCKED so a worker never
    waits on another one's claim."""
    with transaction.atomic():
        due = _due(now).filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            if not list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)):
                return False
        return due.update(next_attempt_at=now + LEASE) == 1


def deliver(message_id: int, *, now=None) -> str:
    """Try to deliver one message now (if it is due). Returns the message's status after
    the attempt, or "skipped" when there was nothing to do (delivered, failed, not yet
    due, or claimed by another worker)."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    body = encode_body(message.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Linli-Outbox/1",
        "X-Linli-Event-Id": str(message.event_id),
        "X-Linli-Topic": message.topic,
        "X-Linli-Timestamp": timestamp,
        "X-Linli-Signature": sign(body, timestamp, secret_for(message.secret_name)),
    }
    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = httpx.post(message.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        status_code = response.status_code
        if not response.is_success:
            error = f"HTTP {status_code}: {response.text[:500]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(message_id, ok=not error, status_code=status_code, error=error, duration_ms=duration_ms)


@transaction.atomic
def _record(message_id, *, ok, status_code, error, duration_ms) -> str:
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    OutboxDelivery.objects.create(message=message, status_code=status_code, ok=ok, error=error,
                                  duration_ms=duration_ms)
    if message.status != OutboxStatus.PENDING:  # finished meanwhile (an expired lease raced us)
        return message.status
    message.attempts += 1
    now = timezone.now()
    if ok:
        message.status, message.delivered_at, message.next_attempt_at, message.last_error = (
            OutboxStatus.DELIVERED, now, None, "")
    elif message.attempts >= message.max_attempts:
        message.status, message.next_attempt_at, message.last_error = OutboxStatus.FAILED, None, error
        log.warning("outbox: gave up on %s after %s attempts: %s", message.event_id, message.attempts, error)
    else:
        delay = backoff_seconds(message.attempts)
        message.next_attempt_at, message.last_error = now + dt.timedelta(seconds=delay), error
        _schedule(message.pk, countdown=delay)
    message.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at", "last_error"])
    return message.status


def sweep(*, now=None, limit: int = 500) -> int:
    """Queue a delivery task for every due message (beat, every minute). A task lost by the
    broker, or a worker killed mid-request (its lease expires), is picked up here."""
    now = now or timezone.now()
    ids = list(_due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    queued = 0
    for pk in ids:
        if not taskqueue.send_now(DELIVER_TASK, pk):
            break  # the broker is still down
        queued += 1
    return queued


@transaction.atomic
def message_retry_now(*, message: OutboxMessage, actor) -> bool:
    """Admin "retry now": a pending or failed message is due at once (a failed one gets one
    more attempt). A delivered message is left alone. Returns whether it was queued."""
    from governance import audit

    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboxStatus.DELIVERED:
        return False
    if message.attempts >= message.max_attempts:
        message.max_attempts = message.attempts + 1
    message.status, message.next_attempt_at = OutboxStatus.PENDING, timezone.now()
    message.save(update_fields=["status", "next_attempt_at", "max_attempts"])
    audit.record(actor=actor, action="outbox.retry", obj=message, purpose="retry now")
    _schedule(message.pk)
    return True
