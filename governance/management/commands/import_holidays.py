"""`manage.py import_holidays FILE.csv`: a year's schedule as the State Council publishes it.

Rows are `date,kind,name` (kind: holiday | workday); the years in the file are replaced
as a whole and marked known. Any bad row: nothing is written and every bad row is listed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance import workdays
from governance.errors import DomainError


class Command(BaseCommand):
    help = "Import holidays and make-up working days from a CSV file (date,kind,name)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help="Where the schedule comes from (the notice).")

    def handle(self, *args, file, source, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            result = workdays.import_holiday_csv(text, source=source or path.name)
        except DomainError as exc:
            lines = [str(exc), *exc.fields.get("file", [])]
            raise CommandError("\n".join(str(line) for line in lines)) from exc
        for year, changed in result.items():
            self.stdout.write(f"{year}: {changed} rows written or changed")
