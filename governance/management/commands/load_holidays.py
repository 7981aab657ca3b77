"""`manage.py load_holidays --from 2025 --to 2026`: holidays and 调休 make-up days from chinesecalendar."""

from django.core.management.base import BaseCommand, CommandError

from governance import workdays
from governance.errors import DomainError


class Command(BaseCommand):
    help = "Write statutory holidays and make-up working days (调休) from the chinesecalendar package."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=int, required=True)
        parser.add_argument("--to", dest="last", type=int, required=True)

    def handle(self, *args, first, last, **options):
        if last < first:
            raise CommandError("--to must not be before --from")
        try:
            result = workdays.load_from_chinesecalendar(range(first, last + 1))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for year, changed in result.items():
            self.stdout.write(f"{year}: {changed} rows written or changed")
