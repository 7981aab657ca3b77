"""Re-encrypt all personal data under the newest FIELD_ENCRYPTION_KEYS key.

Rotate: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, run
this command, then drop the old keys."""

from django.core.management.base import BaseCommand

from households.services import rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt ID and phone numbers under the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, **options):
        count = rotate_keys(batch=options["batch"])
        self.stdout.write(f"re-encrypted {count} rows")
