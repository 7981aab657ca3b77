"""PIPL retention: wipe personal data of people moved out longer than PII_RETENTION_DAYS."""

from django.core.management.base import BaseCommand

from governance import access
from households.services import persons_purge_moved_out


class Command(BaseCommand):
    help = "Purge personal data of people moved out or deceased longer than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):
        self.stdout.write(f"purged {persons_purge_moved_out(actor=access.system(), days=options['days'])} persons")
