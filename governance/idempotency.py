"""Idempotent requests, one rule for every door that accepts a sender's id (an order's
external id, later imports and payments): a retry by the same caller with the same body gets
the first result; anyone else, or a different body under the same id, gets a 409 naming the
field — the same answer whether or not they may see what the id made, so an id tells nothing.

    prior = idempotency.replayed(scope="workorders.order:api", key=external_id, caller=actor,
                                 body=fields, field="external_id")
    if prior is not None:
        return WorkOrder.objects.get(pk=prior)
    ...create...
    idempotency.remember(scope=..., key=..., caller=actor, body=fields, obj=order)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from governance.errors import Conflict
from governance.models import IdempotencyKey


def fingerprint(body: Any) -> str:
    """A stable hash of a request's meaning (dicts in key order, models by pk, files by content)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=_plain, ensure_ascii=False).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if hasattr(value, "read") and hasattr(value, "seek"):  # an uploaded file: its bytes
        value.seek(0)
        digest = hashlib.sha256(value.read()).hexdigest()
        value.seek(0)
        return digest
    return str(value)


def clash(field: str) -> Conflict:
    return Conflict(_("This id was already used for another request."),
                    code="idempotency_conflict",
                    fields={field: [_("Already used: send a new id for a new request, or the same request again.")]})


def replayed(*, scope: str, key: str, caller, body: Any, field: str) -> str | None:
    """The id of what the first request made, if this is its retry; None if the key is new.
    Raises Conflict (409) if the key was used by someone else or with another body."""
    row = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if row is None:
        return None
    if row.caller_id != getattr(caller, "pk", None) or row.fingerprint != fingerprint(body):
        raise clash(field)
    return row.object_id


def remember(*, scope: str, key: str, caller, body: Any, obj: Model, field: str) -> None:
    """Record the first request under its key (in the caller's transaction). A racing request
    with the same key that committed first makes this one a clash or a retry, never a second."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(scope=scope, key=key, caller=caller, fingerprint=fingerprint(body),
                                          object_id=str(obj.pk))
    except IntegrityError:
        raise clash(field) from None
