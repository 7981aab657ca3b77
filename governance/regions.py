"""Region paths, kept in one place. A row that lives somewhere keeps a copy of its region's
materialized path (`region_path`, "/1/4/17/") so that scoping is one indexed prefix filter; when a
region moves, every copy under it follows, one set-based UPDATE per table, in the same
transaction as the move (the old per-row loop rewrote only the regions themselves).

The copies are found, not listed: every concrete model with a `region_path` field, except the
append-only records (the audit trail keeps where an event happened when it happened).
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import CharField, Model, Value
from django.db.models.functions import Concat, Substr

from governance.models.regions import Region, region_moved

APPEND_ONLY = {"governance.auditevent"}


def path_copies() -> list[type[Model]]:
    """Every model that keeps a copy of a region path (and may be rewritten)."""
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in APPEND_ONLY or model._meta.proxy:
            continue
        if any(f.name == "region_path" for f in model._meta.concrete_fields):
            found.append(model)
    return found


def _moved(field: str, old: str, new: str):
    return Concat(Value(new), Substr(field, len(old) + 1), output_field=CharField())


@transaction.atomic
def rewrite_prefix(old: str, new: str) -> dict[str, int]:
    """Every path under `old` (the regions and every copy) now lies under `new`. Returns the rows
    rewritten per table."""
    if not old or old == new:
        return {}
    counts = {"governance.region": Region.objects.filter(path__startswith=old).update(path=_moved("path", old, new))}
    for model in path_copies():
        n = model._base_manager.filter(region_path__startswith=old).update(
            region_path=_moved("region_path", old, new))
        if n:
            counts[model._meta.label_lower] = n
    return counts


def _on_region_moved(sender, *, old: str, new: str, **kwargs) -> None:
    rewrite_prefix(old, new)


region_moved.connect(_on_region_moved, dispatch_uid="governance.regions.rewrite_prefix")
