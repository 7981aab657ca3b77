"""The loop's clock: services read the time here, so tests can fix it without moving the
rest of the world (role assignments, sessions) to another date."""

from django.utils import timezone


def now():
    return timezone.now()
