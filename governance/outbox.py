"""The outbox: every outbound HTTP delivery (webhooks, upstream platforms, the SMS provider).

    from governance import outbox
    outbox.enqueue(topic="order.closed", url=hook.url, payload={...})   # inside the caller's transaction

    outbox.publish(topic="order.closed", payload={...}, stream=f"order:{order.pk}")  # every endpoint taking it

The message is a row written with the change; after commit a Celery task POSTs it as
JSON, signed, and records every attempt (`OutboxDelivery`). A failure is retried with
exponential backoff and jitter (30 s doubling, capped at 6 h) for the retry window
(OUTBOX_RETRY_HOURS, at least 24 h); then it is a dead letter: the district's
administrators are told, and admin can "retry now" (a new window) or discard it. A message
of a `stream` waits until the one before it in that stream is delivered or discarded, so a
receiver sees one order's events in order. A `WebhookEndpoint` carries its own URL and
secret (encrypted at rest); `sealed` fields (a mobile number) stay encrypted in the table
until the request is built. A beat sweeper re-derives due messages every minute, so a lost
task only delays a delivery. Delivering is idempotent: a delivered or dead message is never
sent again by a stray task, and a message is claimed (leased) before the request so two
workers never post it at once. Receivers deduplicate on `X-Linli-Event-Id` (a retry after a
lost answer repeats the same id); Linli's own receivers do it through governance.idempotency
(scope = source, key = event id, fingerprint = payload hash), the one inbound log.

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
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import taskqueue
from governance.models import OutboxDelivery, OutboxMessage
from governance.models.outbox import OutboxStatus, WebhookEndpoint

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A claimed message is not picked up again for this long (longer than the request can take).
LEASE = dt.timedelta(seconds=60)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
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


def retry_window() -> dt.timedelta:
    return dt.timedelta(hours=max(24, int(getattr(settings, "OUTBOX_RETRY_HOURS", 24))))


def enqueue(*, topic: str, payload, url: str = "", endpoint: WebhookEndpoint | None = None, stream: str = "",
            secret_name: str = "default", sealed: dict | None = None) -> OutboxMessage:
    """Add a message in the caller's transaction; it is sent after commit (and by the sweeper).
    To an endpoint (its URL and secret) or to a URL signed with a named secret. `sealed` fields
    join the body only when it is sent; the table keeps them encrypted."""
    from governance import pii

    if endpoint is not None:
        url = endpoint.url
    elif not url:
        raise ValueError("outbox.enqueue needs an endpoint or a url")
    else:
        secret_for(secret_name)  # an unknown secret fails now, in the caller, not in a worker
    now = timezone.now()
    message = OutboxMessage.objects.create(
        topic=topic, url=url, endpoint=endpoint, stream=stream, payload=json.loads(encode_body(payload)),
        sealed={k: pii.encrypt(str(v)) for k, v in (sealed or {}).items()}, secret_name=secret_name,
        next_attempt_at=now, give_up_at=now + retry_window(),
    )
    _schedule(message.pk)
    return message


def publish(*, topic: str, payload, stream: str = "") -> list[OutboxMessage]:
    """An event for every active endpoint that takes its topic (one message each)."""
    return [enqueue(topic=topic, payload=payload, endpoint=ep, stream=f"{stream}@{ep.pk}" if stream else "")
            for ep in WebhookEndpoint.objects.filter(active=True) if ep.takes(topic)]


def _secret(message: OutboxMessage) -> str:
    from governance import pii

    if message.endpoint is not None:
        return pii.decrypt(message.endpoint.secret_enc)
    return secret_for(message.secret_name)


def _body(message: OutboxMessage) -> bytes:
    from governance import pii

    payload = dict(message.payload) if isinstance(message.payload, dict) else message.payload
    if message.sealed:
        payload = {**payload, **{k: pii.decrypt(v) for k, v in message.sealed.items()}}
    return encode_body(payload)


def _schedule(message_id: int, countdown: float | None = None) -> None:
    # Broker down: the sweeper finds the row.
    transaction.on_commit(lambda: taskqueue.send_now(DELIVER_TASK, message_id, countdown=countdown))


def backoff_seconds(attempt: int) -> float:
    """Delay before attempt `attempt + 1`: doubling from 30 s, capped at 6 h, with equal jitter."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


# Still in the way of the messages after it in its stream (delivered and discarded ones are not).
BLOCKING = (OutboxStatus.PENDING, OutboxStatus.FAILED)


def _due(now):
    earlier = OutboxMessage.objects.filter(stream=OuterRef("stream"), pk__lt=OuterRef("pk"), status__in=BLOCKING)
    return (OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(endpoint__isnull=True) | Q(endpoint__active=True))
            .filter(Q(stream="") | ~Exists(earlier)))


def _claim(message_id: int, now) -> bool:
    """Lease the message for one attempt. The conditional UPDATE is atomic on every
    database; on PostgreSQL the row is first locked with SKIP LOCKED so a worker never
    waits on another one's claim."""
    with transaction.atomic():
        due = _due(now).filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            if not list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)):
                return False
        return due.update(next_attempt_at=now + LEASE) == 1


def deliver(message_id: int, *, now=None) -> str:
    """Try to deliver one message now (if it is due). Returns the message's status after
    the attempt, or "skipped" when there was nothing to do (delivered, failed, not yet
    due, or claimed by another worker)."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return "skipped"
    message = OutboxMessage.objects.select_related("endpoint").get(pk=message_id)
    body = _body(message)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Linli-Outbox/1",
        "X-Linli-Event-Id": str(message.event_id),
        "X-Linli-Topic": message.topic,
        "X-Linli-Timestamp": timestamp,
        "X-Linli-Signature": sign(body, timestamp, _secret(message)),
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
    return _record(message_id, ok=not error, status_code=status_code, error=error, duration_ms=duration_ms, now=now)


def _schedule_next_in_stream(message: OutboxMessage) -> None:
    following = (OutboxMessage.objects.filter(stream=message.stream, pk__gt=message.pk, status=OutboxStatus.PENDING)
                 .order_by("pk").values_list("pk", flat=True).first())
    if following is not None:
        _schedule(following)


def _alert_dead_letter(message: OutboxMessage) -> None:
    # The district's administrators are told (governance.notify.services.dead_letter_alert), after
    # commit and durably; named, not imported: notify sends SMS through this outbox.
    taskqueue.enqueue_on_commit("governance.outbox_dead_letter_alert", message.pk)


@transaction.atomic
def _record(message_id, *, ok, status_code, error, duration_ms, now=None) -> str:
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    OutboxDelivery.objects.create(message=message, status_code=status_code, ok=ok, error=error,
                                  duration_ms=duration_ms)
    if message.status != OutboxStatus.PENDING:  # finished meanwhile (an expired lease raced us)
        return message.status
    message.attempts += 1
    now = now or timezone.now()
    if ok:
        message.status, message.delivered_at, message.next_attempt_at, message.last_error = (
            OutboxStatus.DELIVERED, now, None, "")
    else:
        delay = backoff_seconds(message.attempts)
        retry_at = now + dt.timedelta(seconds=delay)
        if message.give_up_at is not None and retry_at > message.give_up_at and now >= message.give_up_at:
            message.status, message.next_attempt_at, message.last_error = OutboxStatus.FAILED, None, error
            log.warning("outbox: %s is a dead letter after %s attempts: %s", message.event_id, message.attempts, error)
            _alert_dead_letter(message)
        else:
            # The last attempt falls at the window's end, not beyond it.
            if message.give_up_at is not None:
                retry_at = min(retry_at, max(message.give_up_at, now))
            message.next_attempt_at, message.last_error = retry_at, error
            _schedule(message.pk, countdown=(retry_at - now).total_seconds())
    message.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at", "last_error"])
    if ok and message.stream:
        _schedule_next_in_stream(message)
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
    """Admin "retry now": a pending or dead message is due at once, with a new retry window.
    A delivered or discarded message is left alone. Returns whether it was queued."""
    from governance import access, audit

    access.require(actor, "retry", message)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status in (OutboxStatus.DELIVERED, OutboxStatus.DISCARDED):
        return False
    now = timezone.now()
    message.status, message.next_attempt_at, message.give_up_at = OutboxStatus.PENDING, now, now + retry_window()
    message.save(update_fields=["status", "next_attempt_at", "give_up_at"])
    audit.record(actor=actor, action="outbox.retry", obj=message, purpose="retry now")
    _schedule(message.pk)
    return True


@transaction.atomic
def message_discard(*, message: OutboxMessage, actor, reason: str) -> bool:
    """Admin: give up on a dead or pending message for good, so the rest of its stream goes on.
    Returns whether it was discarded."""
    from governance import access, audit
    from governance.errors import ValidationFailed

    access.require(actor, "retry", message)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the message is discarded.")]})
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in (OutboxStatus.PENDING, OutboxStatus.FAILED):
        return False
    message.status, message.next_attempt_at = OutboxStatus.DISCARDED, None
    message.save(update_fields=["status", "next_attempt_at"])
    audit.record(actor=actor, action="outbox.discard", obj=message, data={"reason": reason.strip()})
    if message.stream:
        _schedule_next_in_stream(message)
    return True


# --- endpoints -----------------------------------------------------------------------------------


@transaction.atomic
def endpoint_create(*, actor, name: str, url: str, department=None, owner_name: str = "",
                    topics: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    """A receiver with a fresh signing secret; the secret is returned once and kept encrypted."""
    from governance import audit

    raw = _new_secret()
    endpoint = WebhookEndpoint.objects.create(name=name, url=url, department=department, owner_name=owner_name,
                                              topics=list(topics or []), secret_enc=_seal(raw),
                                              secret_prefix=raw[:8])
    audit.record(actor=actor, action="outbox.endpoint_create", obj=endpoint, data={"url": url})
    return endpoint, raw


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor) -> str:
    """A new secret, returned once; messages not yet sent are signed with it."""
    from governance import audit

    raw = _new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_enc=_seal(raw), secret_prefix=raw[:8])
    audit.record(actor=actor, action="outbox.endpoint_rotate", obj=endpoint)
    return raw


def _new_secret() -> str:
    import secrets

    return "whsec_" + secrets.token_urlsafe(32)


def _seal(raw: str) -> str:
    from governance import pii

    return pii.encrypt(raw)
