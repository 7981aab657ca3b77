"""Reads of work orders, always through governance.access."""

from __future__ import annotations

import math

from django.db.models import Count, Q

from governance import access
from governance.roles import DEPARTMENT_ROLES, Role
from workorders import clock
from workorders.choices import OPEN_STATUSES, Status
from workorders.models import Category, Photo, TimelineEntry, WorkOrder
from workorders.rules import rule

LIST_RELATED = ("category", "request_type", "region", "assigned_department", "assigned_region", "assigned_user")


# A list row: the order's own columns and the id and name of what it points to — not the whole
# related rows (a region's boundary, a user's password hash) that select_related would fetch.
LIST_VALUES = (
    "id", "number", "channel", "status", "urgency", "address", "reported_at", "due_at", "handling_due_at",
    "due_estimated", "warned", "overdue", "parked", "appealed", "supervise_level", "plus_ones", "routing_mode",
    "updated_at", "followup_due_at", "followed_up_at",
    "category_id", "category__kind", "category__code", "category__name", "region_id", "region__name",
    "assigned_department_id", "assigned_department__name", "assigned_region_id", "assigned_region__name",
    "assigned_user_id", "assigned_user__display_name", "assigned_user__first_name", "assigned_user__last_name",
    "assigned_user__username",
)


def orders(user, action: str = "view"):
    return access.scope(WorkOrder.objects.select_related(*LIST_RELATED), user, action)


class ListRows:
    """A list queryset for a paginator: counted as filtered (no joins but those the filters
    need), a slice read as plain rows of LIST_VALUES — one query, no model instances.

    The page is a deferred join: the page's ids are picked by the scope, the filters and the
    ordering alone (for a region scope an index-only scan of wo_order_status_regionpath_like
    and a top-N sort), then only those rows are read with their names. Asked in one piece,
    PostgreSQL walks wo_order_reported_at backwards through every newer order looking for a
    community's closed ones (138 k rows for page 5 in the bench: 0.3–0.6 s instead of 15 ms)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.ordered = queryset.ordered  # the paginator warns about unordered lists

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("ListRows reads pages (slices) only")
        qs = self.queryset
        ids = qs.values("pk")[key]
        order = qs.query.order_by or qs.model._meta.ordering
        rows = qs.model._default_manager.filter(pk__in=ids).order_by(*order)
        return list(rows.values(*LIST_VALUES))


def list_rows(queryset) -> ListRows:
    """A scoped, filtered, ordered order queryset (e.g. `orders(user)`) as list rows for a page."""
    return ListRows(queryset)


def queue(user):
    """Open orders in the user's scope, overdue first then by due time (the staff phone page)."""
    return orders(user).filter(status__in=OPEN_STATUSES).order_by("-overdue", "due_at", "-id")


def my_queue(user):
    """What this person should act on: assigned to them, their department, or waiting for
    acceptance/dispatch/verification in their scope."""
    qs = queue(user)
    mine = Q(assigned_user=user)
    depts = [a.department_id for a in user.active_assignments if a.department_id]
    if depts:
        mine |= Q(assigned_department_id__in=depts)
    if access.may_at_all(user, "accept", WorkOrder):
        mine |= Q(status__in=[Status.REPORTED, Status.ACCEPTED, Status.HANDLED])
    return qs.filter(mine)


def followups_owed() -> Q:
    """Closed orders whose 回访 is still to be made (due at closing + the rules' limit)."""
    return Q(status=Status.CLOSED, followup_due_at__isnull=False, followed_up_at__isnull=True)


def followups_due(user, *, overdue_only: bool = False):
    """The follow-up calls this person may make, most overdue first."""
    qs = orders(user, "followup").filter(followups_owed())
    if overdue_only:
        qs = qs.filter(followup_due_at__lte=clock.now())
    return qs.order_by("followup_due_at", "id")


def queue_counts(qs) -> dict[str, int]:
    """Overdue excludes parked orders (挂账 have their own count). Follow-ups: owed, and of
    those past their due time."""
    owed = followups_owed()
    counts = qs.order_by().aggregate(
        n_followup=Count("pk", filter=owed),
        n_followup_overdue=Count("pk", filter=owed & Q(followup_due_at__lte=clock.now())),
        n_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        n_overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, overdue=True, parked=False)),
        n_amber=Count("pk", filter=Q(status__in=OPEN_STATUSES, warned=True, overdue=False, parked=False)),
        n_parked=Count("pk", filter=Q(status__in=OPEN_STATUSES, parked=True)),
    )
    return {k[2:]: v for k, v in counts.items()}


def my_reports(user):
    return WorkOrder.objects.filter(reporter=user).select_related("category").order_by("-reported_at")


def may_see_reporter(user, order: WorkOrder) -> bool:
    """The reporter's identity: the reporter, and those who handle the order (ROLES.md)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return handler_ids_in_path(user, order)


def is_staff_viewer(user) -> bool:
    return access.works_in_back_office(user)


def order_timeline(user, order: WorkOrder):
    qs = TimelineEntry.objects.filter(order=order).select_related("actor").prefetch_related("photos")
    if not is_staff_viewer(user):
        qs = qs.filter(public=True)
    return qs


def order_photos(user, order: WorkOrder):
    return Photo.objects.filter(order=order)


def public_regions(user) -> list[str]:
    """Region paths whose public list the user may read: the communities they live or work in."""
    paths = []
    for a in user.active_assignments:
        if a.region_id:
            path = a.region.path
            parts = [p for p in path.strip("/").split("/") if p]
            # the community (level 3) of a grid/microgrid assignment; staff above read their own subtree
            paths.append("/" + "/".join(parts[:3]) + "/" if len(parts) > 3 else path)
    return paths


def public_list(user):
    """A community's public list: public-space categories, no private request types, and no
    personal data (the view and serializer show only category, place, status and dates)."""
    paths = public_regions(user)
    if not paths:
        return WorkOrder.objects.none()
    return (WorkOrder.objects.filter(access.paths_q("region_path", paths), is_public=True)
            .exclude(status__in=[Status.NOT_ACCEPTED, Status.MERGED])
            .select_related("category", "region").order_by("-reported_at"))


def nearby_open(category: Category, lon: float, lat: float, *, radius_m: float | None = None, limit: int = 5):
    """Open public orders of the same category near a point: shown before submitting so a
    duplicate becomes a "+1". A bounding box in SQL, the exact distance here."""
    radius_m = radius_m or rule("nearby_radius_m")
    dlat = radius_m / 111_000
    dlon = radius_m / (111_000 * max(math.cos(math.radians(lat)), 0.1))
    rows = (WorkOrder.objects.filter(category=category, status__in=OPEN_STATUSES, is_public=True,
                                     lon__range=(lon - dlon, lon + dlon), lat__range=(lat - dlat, lat + dlat))
            .select_related("category")[:50])
    found = []
    for o in rows:
        assert o.lon is not None and o.lat is not None  # the range filters exclude NULL
        d = _distance_m(lon, lat, float(o.lon), float(o.lat))
        if d <= radius_m:
            found.append((d, o))
    found.sort(key=lambda x: x[0])
    return [(round(d), o) for d, o in found[:limit]]


def _distance_m(lon1, lat1, lon2, lat2) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


# --- who handles an order (read by the services' checks and by lists) -----------------------

def is_handler(user, order: WorkOrder) -> bool:
    """Whoever the order is assigned to: the person, the department's staff, or staff of the
    assigned street/community (and the grid's staff when a grid worker holds it)."""
    if user.is_superuser or access.has_role(user, Role.DISTRICT_ADMIN):
        return True
    if order.assigned_user_id and order.assigned_user_id == user.pk:
        return True
    for a in user.active_assignments:
        if a.role in DEPARTMENT_ROLES and order.assigned_department_id and a.department_id == order.assigned_department_id:
            return True
        if a.role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER) and order.assigned_region_id \
                and not order.assigned_department_id and order.assigned_region is not None \
                and a.region is not None and order.assigned_region.path.startswith(a.region.path):
            return True
        if a.role == Role.GRID_LEADER and order.assigned_user_id and a.region is not None \
                and order.region_path.startswith(a.region.path):
            return True
    return False


def handler_ids_in_path(user, order: WorkOrder) -> bool:
    """Cheap version for lists (no queries): may this user see the reporter's identity?"""
    if user.is_superuser:
        return True
    if order.reporter_id == user.pk:
        return True
    if order.assigned_user_id == user.pk:
        return True
    for a in user.active_assignments:
        if a.role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_ADMIN) and a.region_id \
                and order.region_path.startswith(a.region.path):
            return True
        if a.role in DEPARTMENT_ROLES and a.department_id == order.assigned_department_id:
            return True
    return False
