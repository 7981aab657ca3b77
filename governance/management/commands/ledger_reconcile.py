"""`manage.py ledger_reconcile`: every ledger account's balance = sum of its entries, its hash
chain holds and matches the heads published in the audit log. Exits 1 on any mismatch."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check every ledger account: balance, entry count, hash chain, published heads."

    def handle(self, *args, **options):
        from governance import ledger

        problems = ledger.reconcile()
        for m in problems:
            self.stderr.write(f"account {m.account_id}: {m.problem}")
        if problems:
            raise SystemExit(1)
        self.stdout.write("ledger: every account reconciles")
