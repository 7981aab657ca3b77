from django.core.management.base import BaseCommand

from workorders.reference import load_defaults


class Command(BaseCommand):
    help = "Load the default work-order categories (GB/T 30428 shape) and request types; existing rows are kept."

    def handle(self, *args, **options):
        created = load_defaults()
        self.stdout.write(f"created {created['categories']} categories, {created['request_types']} request types")
