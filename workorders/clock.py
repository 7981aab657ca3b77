"""The loop's clock: services read the time here, so tests and the demo seed can set it
without moving the rest of the world (role assignments, sessions) to another date."""

import contextlib
import contextvars

from django.utils import timezone

_fixed: contextvars.ContextVar = contextvars.ContextVar("workorders_clock", default=None)


def now():
    fixed = _fixed.get()
    return fixed if fixed is not None else timezone.now()


@contextlib.contextmanager
def at(moment):
    """Run the services as if it were `moment` (demo history, replays)."""
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
