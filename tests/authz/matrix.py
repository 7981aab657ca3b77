"""The authorization matrix (ROLES.md): role × route × in/out-of-scope object → status.

Each app keeps its rows in `tests/authz/rows_<app>.py`:

    OBJECTS = {"grid_a1": lambda w: w.grids[0]}        # named objects, built on demand per test
    ROWS = [
        Row("api:governance:region-detail", "li_gridworker", 200, obj="grid_a1"),
        Row("api:governance:region-detail", "wu_gridworker", 404, obj="grid_a1"),
        *admin_rows("governance_region", "zhao_community", obj="grid_a1", changelist=200, change=200, ...),
    ]

test_enumeration.py fails when any URL name under /api/, /admin/ or the portal has no row.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    route: str  # URL name, namespaced ("api:workorders:order-detail", "admin:households_person_change")
    persona: str | None  # None: anonymous
    expect: int
    obj: str | None = None  # OBJECTS key; its pk fills the URL (pk / object_id)
    method: str = "get"
    data: dict | None = field(default=None, hash=False, compare=False)
    kwargs: tuple = ()  # extra URL kwargs as ((name, value), ...)
    note: str = ""

    @property
    def id(self) -> str:
        who = self.persona or "anonymous"
        what = f"[{self.obj}]" if self.obj else ""
        return f"{self.method.upper()} {self.route}{what} as {who} -> {self.expect}"


def admin_rows(model: str, persona: str | None, *, obj: str | None = None, changelist: int, add: int,
               change: int | None = None, delete: int | None = None, history: int | None = None) -> list[Row]:
    """The five admin pages of one model for one persona. `model` is "<app_label>_<model_name>"."""
    rows = [Row(f"admin:{model}_changelist", persona, changelist), Row(f"admin:{model}_add", persona, add)]
    if obj is not None:
        for page, expect in (("change", change), ("delete", delete), ("history", history)):
            if expect is not None:
                rows.append(Row(f"admin:{model}_{page}", persona, expect, obj=obj))
    return rows


def load_modules():
    from tests import authz

    for info in pkgutil.iter_modules(authz.__path__):
        if info.name.startswith("rows_"):
            yield importlib.import_module(f"tests.authz.{info.name}")


def all_rows() -> list[Row]:
    return [row for module in load_modules() for row in module.ROWS]


def all_objects() -> dict:
    objects: dict = {}
    for module in load_modules():
        for key, factory in getattr(module, "OBJECTS", {}).items():
            assert key not in objects, f"object name {key!r} is defined twice in tests/authz"
            objects[key] = factory
    return objects


def all_exemptions() -> dict[str, str]:
    exempt: dict[str, str] = {}
    for module in load_modules():
        exempt.update(getattr(module, "EXEMPT", {}))
    return exempt
