"""The ledger: one primitive for points accounts and trust (money) accounts.

Written here rather than taken from a library: the double-entry packages for Django
(django-ledger, django-hordak) bring charts of accounts and invoicing this product does not
want, and none gives the four things it must have together — an idempotency key per posting,
a database-enforced non-negative balance, append-only rows, and a per-account hash chain.

    account = ledger.account_open(name="积分", unit="points", owner=person, actor=actor)
    entry = ledger.post(account=account, amount=10, kind="claim", key=f"claim:{claim.pk}", actor=actor)
    ledger.reverse(entry=entry, reason="误录", key=f"claim:{claim.pk}:undo", actor=actor)

* **Idempotent**: a posting carries a key, unique per account; a retry with the same key and
  amount returns the first entry, with another amount it is a 409.
* **One at a time**: the account row is locked (SELECT … FOR UPDATE) for the posting; its
  balance, entry count and chain head are written in the same transaction as the entry.
* **Never negative**: a posting that would take the balance below zero is refused (409), and a
  CHECK constraint on the account refuses it in the database too.
* **Append-only**: entries are never updated or deleted — refused by a database trigger
  (PostgreSQL: UPDATE, DELETE; SQLite: UPDATE) and by the model; a mistake is a reversing entry.
* **Hash chain**: each entry's hash covers the previous entry's hash and its own canonical
  bytes; `verify` recomputes it; `publish_heads` writes each account's head to the audit log,
  outside the rows it protects, so a rewritten table shows against what was published.
* **Reconciliation**: `reconcile` checks balance = sum of entries, counts and heads
  (`manage.py ledger_reconcile`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance import access, audit
from governance.errors import Conflict, ValidationFailed
from governance.models import AuditEvent, LedgerAccount, LedgerEntry, LedgerUnit

CENT = Decimal("0.01")
HEAD_PUBLISHED = "ledger.head"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    default_message = _("The balance is not enough for this posting.")


def _amount(account: LedgerAccount, amount) -> Decimal:
    value = Decimal(str(amount))
    if account.unit == LedgerUnit.POINTS and value != value.to_integral_value():
        raise ValidationFailed(fields={"amount": [_("Points are whole numbers.")]})
    value = value.quantize(CENT)
    if value == 0:
        raise ValidationFailed(fields={"amount": [_("The amount may not be zero.")]})
    if abs(value) >= Decimal("1e14"):
        raise ValidationFailed(fields={"amount": [_("The amount is too large.")]})
    return value


def canonical(entry: LedgerEntry) -> bytes:
    """The bytes an entry's hash covers: every field that means something, in a fixed order."""
    parts = [str(entry.account_id), str(entry.seq), f"{entry.amount:.2f}", f"{entry.balance_after:.2f}",
             entry.kind, entry.memo, entry.key, str(entry.reverses_id or ""), str(entry.actor_id or ""),
             entry.at.isoformat(), entry.prev_hash]
    return "\x1f".join(parts).encode()


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def account_open(*, name: str, unit: str, actor, owner: Model | None = None, region_path: str = "",
                 allow_negative: bool = False) -> LedgerAccount:
    """The owner's account of this name, opened on first use (idempotent)."""
    access.need_actor(actor)
    if unit not in LedgerUnit.values:
        raise ValidationFailed(fields={"unit": [_("Unknown unit.")]})
    owner_type = ContentType.objects.get_for_model(owner) if owner is not None else None
    account, created = LedgerAccount.objects.get_or_create(
        owner_type=owner_type, owner_id=owner.pk if owner is not None else None, name=name,
        defaults={"unit": unit, "allow_negative": allow_negative, "region_path": region_path})
    if created:
        audit.record(actor=actor, action="ledger.open", obj=account, data={"unit": unit})
    return account


@transaction.atomic
def post(*, account: LedgerAccount, amount, kind: str, key: str, actor, memo: str = "",
         reverses: LedgerEntry | None = None, at=None) -> LedgerEntry:
    """Append one entry to `account` (see the module's rules). Returns the entry — the first one
    if this key was posted before with the same amount."""
    access.need_actor(actor)
    if not key or len(key) > 128:
        raise ValidationFailed(fields={"key": [_("Every posting needs an idempotency key (at most 128 characters).")]})
    locked = LedgerAccount.objects.select_for_update().get(pk=account.pk)
    value = _amount(locked, amount)
    prior = LedgerEntry.objects.filter(account=locked, key=key).first()
    if prior is not None:  # a retry: the first result, or a clash
        if prior.amount != value or prior.kind != kind:
            raise Conflict(_("This key was already used for another posting."), code="idempotency_conflict",
                           fields={"key": [_("Already used with another amount.")]})
        return prior
    balance = locked.balance + value
    if balance < 0 and not locked.allow_negative:
        raise InsufficientBalance(fields={"amount": [_("The balance is %(balance)s.") % {"balance": locked.balance}]})
    entry = LedgerEntry(account=locked, seq=locked.entries_count + 1, amount=value, balance_after=balance,
                        kind=kind[:40], memo=(memo or "")[:200], key=key, reverses=reverses,
                        actor=actor, at=at or timezone.now(), prev_hash=locked.chain_head)
    entry.hash = entry_hash(entry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # a reversal of an entry already reversed (one reversal per entry)
        raise Conflict(_("This entry was already reversed."), code="already_reversed") from None
    LedgerAccount.objects.filter(pk=locked.pk).update(balance=balance, entries_count=entry.seq,
                                                      chain_head=entry.hash)
    account.balance, account.entries_count, account.chain_head = balance, entry.seq, entry.hash
    return entry


def reverse(*, entry: LedgerEntry, reason: str, key: str, actor) -> LedgerEntry:
    """Undo `entry` with an opposite entry that names it and says why (never an edit)."""
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the entry is reversed.")]})
    if entry.reverses_id is not None:
        raise Conflict(_("A reversal is not reversed; post a new entry."), code="reversal_of_reversal")
    return post(account=entry.account, amount=-entry.amount, kind="reversal", key=key, actor=actor,
                memo=reason.strip(), reverses=entry)


def verify(account: LedgerAccount) -> int | None:
    """The number of the first entry whose chain does not hold (None: the whole chain holds, and
    the account's head is its last entry's hash)."""
    prev = ""
    last = None
    for entry in LedgerEntry.objects.filter(account=account).order_by("seq").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry_hash(entry) != entry.hash:
            return entry.seq
        prev, last = entry.hash, entry
    account.refresh_from_db(fields=["chain_head"])
    if (last.hash if last else "") != account.chain_head:
        return (last.seq + 1) if last else 1
    return None


def publish_heads(*, actor) -> int:
    """Write each account's chain head to the audit log where it changed since it was last
    published (beat, daily; also at each monthly statement): a later rewrite of the entries
    no longer matches a head published before it. Returns how many were published."""
    access.need_actor(actor)
    published = _latest_heads()
    n = 0
    for account in LedgerAccount.objects.exclude(chain_head="").iterator():
        if published.get(str(account.pk)) != account.chain_head:
            audit.record(actor=actor, action=HEAD_PUBLISHED, obj=account,
                         data={"head": account.chain_head, "seq": account.entries_count})
            n += 1
    return n


def _latest_heads() -> dict:
    heads: dict = {}  # account id (as the audit log keeps it) -> the head published last
    for event in AuditEvent.objects.filter(action=HEAD_PUBLISHED).order_by("at", "pk"):
        heads[event.object_id] = event.data.get("head")
    return heads


def matches_published(account: LedgerAccount) -> bool:
    """Whether every head published for `account` is still the hash of the entry at its number."""
    hashes = dict(LedgerEntry.objects.filter(account=account).values_list("seq", "hash"))
    for event in AuditEvent.objects.filter(action=HEAD_PUBLISHED, object_id=str(account.pk)):
        if hashes.get(event.data.get("seq")) != event.data.get("head"):
            return False
    return True


@dataclass
class Mismatch:
    account_id: int
    problem: str


def reconcile() -> list[Mismatch]:
    """Every account: balance = sum of its entries, entry count, the chain and the published heads."""
    found = []
    sums = dict(LedgerEntry.objects.values("account").annotate(total=Sum("amount")).values_list("account", "total"))
    for account in LedgerAccount.objects.iterator():
        total = sums.get(account.pk) or Decimal("0")
        if total != account.balance:
            found.append(Mismatch(account.pk, f"balance {account.balance} != sum of entries {total}"))
        if LedgerEntry.objects.filter(account=account).count() != account.entries_count:
            found.append(Mismatch(account.pk, "entry count differs"))
        broken = verify(account)
        if broken is not None:
            found.append(Mismatch(account.pk, f"hash chain broken at entry {broken}"))
        if not matches_published(account):
            found.append(Mismatch(account.pk, "entries differ from a published chain head"))
    return found
