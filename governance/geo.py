"""Geometry helpers on GeoJSON in WGS-84 (shapely; no PostGIS needed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_geojson(value) -> None:
    from shapely.geometry import shape

    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several kinds for malformed input
        raise ValidationError(_("Not a valid GeoJSON geometry: %(error)s") % {"error": exc}) from exc
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("A boundary must be a Polygon or MultiPolygon."))
    if not geom.is_valid:
        raise ValidationError(_("The boundary polygon intersects itself."))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(_("Coordinates must be WGS-84 longitude, latitude."))


def contains_point(boundary: dict, lon: float, lat: float) -> bool:
    from shapely.geometry import Point, shape

    return shape(boundary).covers(Point(lon, lat))
