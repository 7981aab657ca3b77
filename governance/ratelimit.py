"""Rate limits that must hold: counted from rows in the database, under a lock.

DRF's throttles count in the cache, which is fine for the coarse per-user API rates (and fails
open while Redis is down, see governance.api.throttling), but two limits protect people rather
than servers — SMS codes sent to one number (THROTTLE_SMS) and full ID/phone numbers revealed by
one user (THROTTLE_REVEAL). Those count the rows their action writes anyway (the codes, the
audit events), so they survive a cache flush or a Redis outage, and the count and the write
happen under one lock per key, so twenty parallel requests cannot all read "none yet".
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import SimpleRateThrottle

from governance.errors import DomainError


class Throttled(DomainError):
    code = "throttled"
    status_code = 429  # type: ignore[assignment]
    default_message = _("Too many requests. Please wait a while and try again.")


def rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) of a named rate in DEFAULT_THROTTLE_RATES, e.g. "reveal" → (30, 3600)."""
    text = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    num, duration = SimpleRateThrottle.parse_rate(None, text)  # type: ignore[arg-type]
    assert num is not None and duration is not None, scope
    return num, duration


def serialize(key: str) -> None:
    """Hold a lock on `key` until the current transaction ends, so a count-then-write on the same
    key runs one at a time. PostgreSQL: a transaction-level advisory lock. SQLite: every write
    transaction already begins IMMEDIATE (settings), which serializes writers."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ratelimit.serialize needs a transaction (the lock ends with it)")
    if connection.vendor == "postgresql":
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [digest])
