"""Writes to the core's own rows: a person's preferences and API tokens. The blocks' writes live
with their block (`ledger`, `outbox`, `notify`, `regions`, …; see docs/architecture.md)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from governance import audit
from governance.models import ApiToken

# A token's last use is written at most this often (not on every request of a busy device).
TOKEN_TOUCH_EVERY = dt.timedelta(seconds=60)


def preferences_set(user, *, large_text: bool | None = None, language: str | None = None) -> list[str]:
    """Save the preferences that changed (large text, language); returns the fields written."""
    changed = []
    if large_text is not None and user.large_text != large_text:
        user.large_text = large_text
        changed.append("large_text")
    if language is not None and user.language != language:
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    return changed


@transaction.atomic
def token_issue(*, actor, name: str, user, department=None, scopes=None) -> tuple[ApiToken, str]:
    """A token for a department system or device; the raw key is returned once, never stored.
    Audited (who issued which token to whom)."""
    token, raw = ApiToken.issue(name=name, user=user, department=department, scopes=scopes)
    audit.record(actor=actor, action="api_token.issue", obj=token,
                 data={"name": name, "user": user.pk, "department": getattr(department, "pk", None),
                       "scopes": list(scopes or [])})
    return token, raw


def token_touch(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
