"""Load the demo: the governance world, then each app's `seed.py` (in INSTALLED_APPS order).
Idempotent: running it twice changes nothing the second time."""

import unicodedata

from django.core.management.base import BaseCommand
from django.db import transaction

from governance import seed as core_seed
from governance.autodiscover import app_modules


def _pad(text: str, width: int) -> str:
    """Left-justify to a terminal width: Chinese characters take two columns."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


class Command(BaseCommand):
    help = "Load (or top up) the demo data and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the accounts table.")

    def handle(self, *args, **options):
        with transaction.atomic():
            world = core_seed.seed()
            for module in app_modules("seed"):
                if module is core_seed:
                    continue
                module.seed(world)
                self.stdout.write(f"seeded {module.__name__.rpartition('.')[0]}")
        if not options["quiet_accounts"]:
            self.stdout.write("")
            self.stdout.write(f"Demo accounts (password for all: {core_seed.DEMO_PASSWORD})")
            self.stdout.write(f"{_pad('role', 28)} {'username':<18} scope")
            for role, username, _password, scope in world.accounts:
                self.stdout.write(f"{_pad(str(role), 28)} {username:<18} {scope}")
