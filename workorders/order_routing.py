"""Where an order goes (issue 7 §4).

* A location maps to its grid by the grid's boundary polygon (shapely, prepared geometries
  cached per process and refreshed when boundaries change), or else to the grid of the
  nearest building.
* A RoutingRule (category × region subtree) or the category's default chooses the mode:
  属地 → the location's street (or community), 专业 → the responsible department or utility,
  网格 → the on-duty grid worker of the location's grid, falling back to the community.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from governance.models import Assignment, Department, Region
from governance.roles import Role
from households import selectors as places
from workorders.choices import RoutingMode, TerritorialLevel
from workorders.models import Category, DutyRoster, RoutingRule

_lock = threading.Lock()
_grid_cache: tuple[float, list] | None = None
# Another process never sees this one's signals: rebuild at least this often.
CACHE_SECONDS = 300


def invalidate(**kwargs) -> None:
    """Forget the prepared grid polygons (Region saved or deleted in this process)."""
    global _grid_cache
    with _lock:
        _grid_cache = None


def _grids():
    """[(grid_id, prepared geometry)]: built once per process and CACHE_SECONDS, not per report."""
    global _grid_cache
    from shapely import prepared
    from shapely.geometry import shape

    cached = _grid_cache
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    built = []
    for pk, boundary in Region.objects.filter(level="grid", boundary__isnull=False).values_list("pk", "boundary"):
        try:
            built.append((pk, prepared.prep(shape(boundary))))
        except Exception:  # a broken boundary must not stop routing; admin validates on save
            continue
    with _lock:
        _grid_cache = (time.monotonic(), built)
    return built


def grid_for_point(lon: float, lat: float) -> Region | None:
    from shapely.geometry import Point

    point = Point(float(lon), float(lat))
    for pk, geom in _grids():
        if geom.covers(point):
            return Region.objects.get(pk=pk)
    return _nearest_building_grid(float(lon), float(lat))


def _nearest_building_grid(lon: float, lat: float, radius_deg: float = 0.02) -> Region | None:
    near = places.buildings_near(lon, lat, radius_deg)
    best, best_d = None, math.inf
    for b in near:
        assert b.lon is not None and b.lat is not None  # filtered above
        d = (float(b.lon) - lon) ** 2 + (float(b.lat) - lat) ** 2
        if d < best_d:
            best, best_d = b, d
    return grid_of(best.grid) if best else None


def grid_of(region: Region) -> Region:
    """The grid of a region at grid level or below (a building may sit in a micro-grid)."""
    if region.level == "microgrid":
        assert region.parent is not None  # Region.clean: a micro-grid always sits in a grid
        return region.parent
    return region


@dataclass
class Route:
    mode: str
    department: Department | None = None
    region: Region | None = None
    user: object | None = None
    rule: RoutingRule | None = None


def rule_for(category: Category, region: Region) -> RoutingRule | None:
    """The most specific rule: deepest region first, then the subclass over its class over 'any'."""
    ancestor_paths = []
    parts = [p for p in region.path.strip("/").split("/") if p]
    for i in range(1, len(parts) + 1):
        ancestor_paths.append("/" + "/".join(parts[:i]) + "/")
    cats = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = list(RoutingRule.objects.filter(region_path__in=ancestor_paths)
                 .filter(Q(category_id__in=cats) | Q(category__isnull=True))
                 .select_related("department", "region"))

    def specificity(r):
        cat_rank = 2 if r.category_id == category.pk else (1 if r.category_id else 0)
        return (len(r.region_path), cat_rank)

    return max(rules, key=specificity) if rules else None


def on_duty(grid: Region, day: dt.date | None = None):
    """The grid worker on duty today: a dated entry beats the weekday rota; still assigned only."""
    day = day or timezone.localdate()
    now = timezone.now()
    active = Assignment.objects.active(now).filter(role__in=[Role.GRID_WORKER, Role.GRID_LEADER], region=grid)
    base = DutyRoster.objects.filter(grid=grid, user__in=active.values("user")).select_related("user")
    entry = base.filter(date=day).first() or base.filter(weekday=day.weekday()).first()
    return entry.user if entry else None


def _department(code: str, region: Region) -> Department | None:
    district_path = "/" + region.path.strip("/").split("/")[0] + "/"
    return Department.objects.filter(code=code, district__path=district_path, active=True).first()


def route(category: Category, region: Region) -> Route:
    """Where an order of `category` located in grid `region` should go."""
    rule = rule_for(category, region)
    mode = rule.mode if rule else category.routing_mode
    if mode == RoutingMode.SPECIALIST:
        dept = rule.department if rule else _department(category.department_code, region)
        if dept is not None:
            return Route(mode, department=dept, rule=rule)
        mode = RoutingMode.TERRITORIAL  # no such department here: the street handles or passes on
    if mode == RoutingMode.GRID:
        grid = grid_of(region)
        user = on_duty(grid)
        if user is not None:
            return Route(mode, user=user, region=grid, rule=rule)
        return Route(mode, region=grid.parent, rule=rule)  # nobody on duty: the community
    level = rule.territorial_level if rule else TerritorialLevel.STREET
    return Route(RoutingMode.TERRITORIAL, region=region.ancestor_at(level), rule=rule)
