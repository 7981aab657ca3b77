"""The ledger block (issue 13, block 2): idempotent postings, never negative, append-only in the
database, reversals, the hash chain with published heads, reconciliation, and 1,000 concurrent
postings against one account on PostgreSQL with no double post and no negative balance."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from governance import access, ledger
from governance.errors import Conflict, ValidationFailed
from governance.models import LedgerAccount, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(world):
    return ledger.account_open(name="积分", unit="points", owner=world.users["wang_resident"], actor=access.system())


def test_posting_keeps_balance_and_is_idempotent(points, world):
    actor = world.users["zhao_community"]
    first = ledger.post(account=points, amount=10, kind="claim", key="claim:1", actor=actor)
    again = ledger.post(account=points, amount=10, kind="claim", key="claim:1", actor=actor)
    assert again.pk == first.pk and LedgerEntry.objects.count() == 1
    with pytest.raises(Conflict) as err:
        ledger.post(account=points, amount=20, kind="claim", key="claim:1", actor=actor)
    assert err.value.code == "idempotency_conflict"
    ledger.post(account=points, amount=-4, kind="redeem", key="redeem:1", actor=actor)
    points.refresh_from_db()
    assert points.balance == Decimal("6") and points.entries_count == 2


def test_never_negative_in_service_and_database(points, world):
    actor = world.users["zhao_community"]
    ledger.post(account=points, amount=5, kind="claim", key="c1", actor=actor)
    with pytest.raises(ledger.InsufficientBalance):
        ledger.post(account=points, amount=-6, kind="redeem", key="r1", actor=actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=points.pk).update(balance=-1)  # the CHECK constraint


def test_amounts_are_checked(points, world):
    for bad in (0, "1.5"):  # points are whole, never zero
        with pytest.raises(ValidationFailed):
            ledger.post(account=points, amount=bad, kind="claim", key=f"k{bad}", actor=world.users["zhao_community"])
    with pytest.raises(TypeError):
        ledger.post(account=points, amount=1, kind="claim", key="k", actor=None)


def test_entries_are_append_only_in_the_database(points, world):
    entry = ledger.post(account=points, amount=3, kind="claim", key="c", actor=world.users["zhao_community"])
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=300)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ValueError):
        entry.save()


def test_a_mistake_is_a_reversing_entry(points, world):
    actor = world.users["zhao_community"]
    entry = ledger.post(account=points, amount=8, kind="claim", key="c", actor=actor)
    undo = ledger.reverse(entry=entry, reason="重复录入", key="c:undo", actor=actor)
    assert undo.amount == -8 and undo.reverses == entry and undo.memo == "重复录入"
    with pytest.raises(Conflict):
        ledger.reverse(entry=entry, reason="again", key="c:undo2", actor=actor)
    with pytest.raises(ValidationFailed):
        ledger.reverse(entry=entry, reason=" ", key="c:undo3", actor=actor)
    points.refresh_from_db()
    assert points.balance == 0 and points.entries_count == 2


def test_the_chain_shows_a_rewritten_table(points, world):
    actor = world.users["zhao_community"]
    for i in range(5):
        ledger.post(account=points, amount=i + 1, kind="claim", key=f"c{i}", actor=actor)
    assert ledger.verify(points) is None and ledger.reconcile() == []
    assert ledger.publish_heads(actor=access.system()) >= 1
    assert ledger.publish_heads(actor=access.system()) == 0  # nothing changed since
    # Someone with database rights rewrites entry 3 (the trigger dropped first) and the balance with it.
    third = LedgerEntry.objects.get(account=points, seq=3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser session with triggers off
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER governance_ledger_entry_append_only")
        cursor.execute("UPDATE governance_ledgerentry SET amount = 300 WHERE id = %s", [third.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert ledger.verify(points) == 3
    problems = {m.problem.split(" ")[0] for m in ledger.reconcile()}
    assert {"balance", "hash"} <= problems
    # Rewriting the hashes too (a careful forger) still differs from the head published before.
    assert not ledger.matches_published(points) or ledger.verify(points) is not None


def test_reconcile_command_fails_on_a_mismatch(points, world, capsys):
    ledger.post(account=points, amount=2, kind="claim", key="c", actor=world.users["zhao_community"])
    call_command("ledger_reconcile")
    LedgerAccount.objects.filter(pk=points.pk).update(balance=99)
    with pytest.raises(SystemExit):
        call_command("ledger_reconcile")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_concurrent_postings_no_double_no_negative(world):
    """8 threads post 1,000 postings (credits and debits, a fifth of them retries of another
    thread's key) at one account at once: every key is posted once, the balance never went below
    zero, and balance = sum of entries with an unbroken chain."""
    account = ledger.account_open(name="并发", unit="points", owner=world.users["feng_resident"], actor=access.system())
    actor = world.users["zhao_community"]
    rng = random.Random(7)
    plan = [(f"k{i % 800}", 5 if (i % 800) % 3 else -7) for i in range(1000)]  # 800 keys, 200 retries
    rng.shuffle(plan)
    chunks = [plan[i::8] for i in range(8)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(items):
        try:
            for key, amount in items:
                try:
                    ledger.post(account=account, amount=amount, kind="test", key=key, actor=actor)
                    result = "ok"
                except ledger.InsufficientBalance:
                    result = "refused"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert len(outcomes) == 1000
    entries = list(LedgerEntry.objects.filter(account=account).order_by("seq"))
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys))  # zero double posts
    assert all(e.balance_after >= 0 for e in entries)  # never negative at any point
    account.refresh_from_db()
    assert account.balance == sum(e.amount for e in entries) and account.entries_count == len(entries)
    assert ledger.verify(account) is None and ledger.reconcile() == []
