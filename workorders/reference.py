"""Load the default categories and request types (defaults.py) into the database.
Idempotent and respectful of edits: rows that exist are left as the office set them."""

from __future__ import annotations

from django.db import transaction

from workorders.choices import RoutingMode
from workorders.defaults import CATEGORIES, PRIVATE_SPACE, REQUEST_TYPES
from workorders.models import Category, RequestType

NO_PHOTO_NEEDED = {("event", "0601"), ("event", "0605")}  # a mediation, a visit to an old person


def _mode(dept: str) -> str:
    return {"grid": RoutingMode.GRID, "street": RoutingMode.TERRITORIAL}.get(dept, RoutingMode.SPECIALIST)


@transaction.atomic
def load_defaults() -> dict[str, int]:
    created = {"categories": 0, "request_types": 0}
    for cls in CATEGORIES:
        parent, made = Category.objects.get_or_create(
            kind=cls["kind"], code=cls["code"],
            defaults={"name": cls["name"], "is_local": cls["local"], "limit": 1, "routing_mode": RoutingMode.SPECIALIST})
        created["categories"] += made
        for sub in cls["children"]:
            key = (cls["kind"], sub["code"])
            _obj, made = Category.objects.get_or_create(
                kind=cls["kind"], code=sub["code"],
                defaults={
                    "parent": parent, "name": sub["name"], "is_local": cls["local"], "department_code": sub["dept"],
                    "accept_condition": sub["accept"], "close_condition": sub["close"], "limit": sub["limit"],
                    "limit_unit": sub["unit"], "critical_hours": sub.get("critical"),
                    "after_photos_required": key not in NO_PHOTO_NEEDED, "routing_mode": _mode(sub["dept"]),
                    "public_space": key not in PRIVATE_SPACE,
                })
            created["categories"] += made
    for rt in REQUEST_TYPES:
        _rt, made = RequestType.objects.get_or_create(
            code=rt["code"], defaults={"name": rt["name"], "limit": rt["limit"], "limit_unit": rt["unit"],
                                       "private": rt["private"]})
        created["request_types"] += made
    return created
