"""Hot spots (KPI engineer): 未诉先办 — see a problem coming before the next call.

Two set-based reads over the orders of the last N weeks, in the user's scope (OrderStats'
"hotspots" right: a grid worker their grid, a community its community, and so on):

* **recurring clusters**: category (小类) × place × time-of-day band, with at least
  `min_count` orders spread over at least two different weeks. The place is the order's
  building when it has one, else a ~100 m cell of its WGS-84 point, else its grid.
* **rising trends**: category × place whose count in the last fortnight is at least
  `min_count` and at least `factor` times the fortnightly rate of the weeks before.

Each is one GROUP BY query (conditional counts), plus one query per kind of place to label
the rows. Merged duplicates and orders not accepted are not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, ExtractHour, Floor, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import workdays
from governance.errors import Forbidden, ValidationFailed
from governance.models import Region
from households import selectors as places
from workorders.choices import Status
from workorders.kpi.models import OrderStats
from workorders.kpi.selectors import resolve_region, scoped
from workorders.models import Category

TZ = workdays.TZ
# ~100 m at Beijing's latitude (1° of latitude ≈ 111 km; of longitude ≈ 85 km at 40° N).
CELL_LAT = 0.0009
CELL_LON = 0.0012
BANDS = [  # (from hour, to hour, code, label), Shanghai time
    (0, 6, "night", gettext_lazy("Night (0–6)")),
    (6, 10, "morning", gettext_lazy("Morning (6–10)")),
    (10, 14, "midday", gettext_lazy("Midday (10–14)")),
    (14, 18, "afternoon", gettext_lazy("Afternoon (14–18)")),
    (18, 24, "evening", gettext_lazy("Evening (18–24)")),
]
BAND_LABELS = {code: label for _a, _b, code, label in BANDS}


@dataclass(frozen=True)
class Params:
    weeks: int = 8
    min_count: int = 3
    factor: float = 2.0
    limit: int = 50


def parse_params(*, weeks=None, min_count=None, factor=None) -> Params:
    errors: dict[str, list] = {}

    def number(name, raw, lo, hi, cast, default):
        if raw in (None, ""):
            return default
        try:
            v = cast(raw)
        except (TypeError, ValueError):
            errors[name] = [_("Enter a number.")]
            return default
        if not lo <= v <= hi:
            errors[name] = [_("Enter a number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi}]
        return v

    d = Params()
    params = Params(weeks=number("weeks", weeks, 3, 52, int, d.weeks),
                    min_count=number("min_count", min_count, 2, 1000, int, d.min_count),
                    factor=number("factor", factor, 1.0, 100.0, float, d.factor))
    if errors:
        raise ValidationFailed(fields=errors)
    return params


def _band():
    hour = ExtractHour("reported_at", tzinfo=TZ)
    return Case(*[When(**{"h__gte": a, "h__lt": b}, then=Value(code)) for a, b, code, _l in BANDS],
                default=Value("night"), output_field=CharField()), hour


def _place():
    """'b<building id>' / 'c<lon cell>:<lat cell>' / 'g<grid id>' — one text key per place."""
    lon_cell = Cast(Floor(F("lon") / CELL_LON), IntegerField())
    lat_cell = Cast(Floor(F("lat") / CELL_LAT), IntegerField())
    return Case(
        When(building_id__isnull=False, then=Concat(Value("b"), Cast("building_id", CharField()))),
        When(lon__isnull=False, lat__isnull=False,
             then=Concat(Value("c"), Cast(lon_cell, CharField()), Value(":"), Cast(lat_cell, CharField()))),
        default=Concat(Value("g"), Cast("region_id", CharField())),
        output_field=CharField(),
    )


def _base(user, region: Region, since: dt.datetime, until: dt.datetime):
    return (scoped(user, "hotspots", region)
            .filter(reported_at__gte=since, reported_at__lt=until)
            .exclude(status__in=(Status.NOT_ACCEPTED, Status.MERGED)))


def _place_labels(keys) -> dict[str, dict]:
    b_ids = [int(k[1:]) for k in keys if k.startswith("b")]
    g_ids = [int(k[1:]) for k in keys if k.startswith("g")]
    out = {}
    for b in places.buildings_by_id(b_ids).values():
        out[f"b{b.pk}"] = {"kind": "building", "label": f"{b.address} {b.name}", "grid": b.grid.name,
                           "lon": float(b.lon) if b.lon is not None else None,
                           "lat": float(b.lat) if b.lat is not None else None}
    for g in Region.objects.filter(pk__in=g_ids):
        out[f"g{g.pk}"] = {"kind": "grid", "label": g.name, "grid": g.name, "lon": None, "lat": None}
    for k in keys:
        if k.startswith("c"):
            x, y = (int(v) for v in k[1:].split(":"))
            lon, lat = round((x + 0.5) * CELL_LON, 5), round((y + 0.5) * CELL_LAT, 5)
            out[k] = {"kind": "cell", "label": _("~100 m around %(lat)s, %(lon)s") % {"lat": lat, "lon": lon},
                      "grid": "", "lon": lon, "lat": lat}
    return out


def _category_labels(ids) -> dict[int, str]:
    return {pk: f"{c.full_code} {c.name}" for pk, c in Category.objects.in_bulk(list(ids)).items()}


def clusters(user, *, region: Region, params: Params = Params(), now: dt.datetime | None = None) -> list[dict]:
    """Recurring category × place × time-of-day band over the last `weeks` weeks."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=params.weeks)
    band, hour = _band()
    rows = list(
        _base(user, region, since, now).annotate(h=hour).annotate(place=_place(), band=band)
        .values("category_id", "place", "band").order_by()
        .annotate(n=Count("pk"), weeks=Count(TruncWeek("reported_at", tzinfo=TZ), distinct=True),
                  open=Count("pk", filter=Q(status__in=(Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED,
                                                        Status.IN_PROGRESS, Status.HANDLED))),
                  last=Max("reported_at"))
        .filter(n__gte=params.min_count, weeks__gte=2)
        .order_by("-n", "-last")[: params.limit])
    places = _place_labels({r["place"] for r in rows})
    cats = _category_labels({r["category_id"] for r in rows})
    return [{
        "category": {"id": r["category_id"], "name": cats.get(r["category_id"], "")},
        "place": {"key": r["place"], **places.get(r["place"], {"kind": "", "label": r["place"]})},
        "band": r["band"], "band_label": str(BAND_LABELS[r["band"]]),
        "count": r["n"], "weeks": r["weeks"], "open": r["open"], "last": r["last"],
    } for r in rows]


def rising(user, *, region: Region, params: Params = Params(), now: dt.datetime | None = None) -> list[dict]:
    """Category × place whose last fortnight beats the fortnightly rate of the weeks before."""
    now = now or timezone.now()
    split = now - dt.timedelta(weeks=2)
    since = now - dt.timedelta(weeks=params.weeks)
    before_fortnights = (params.weeks - 2) / 2
    rows = list(
        _base(user, region, since, now).annotate(place=_place())
        .values("category_id", "place").order_by()
        .annotate(recent=Count("pk", filter=Q(reported_at__gte=split)),
                  before=Count("pk", filter=Q(reported_at__lt=split)),
                  last=Max("reported_at"))
        # A place with no history rises from a floor of one order a fortnight.
        .filter(Q(recent__gte=params.min_count) & Q(recent__gte=params.factor)
                & Q(recent__gte=ExpressionWrapper(F("before") * Value(params.factor / before_fortnights),
                                                  output_field=FloatField())))
        .order_by("-recent", "-last")[: params.limit])
    out = [{**r, "rate_before": round(r["before"] / before_fortnights, 2)} for r in rows]
    places = _place_labels({r["place"] for r in out})
    cats = _category_labels({r["category_id"] for r in out})
    return [{
        "category": {"id": r["category_id"], "name": cats.get(r["category_id"], "")},
        "place": {"key": r["place"], **places.get(r["place"], {"kind": "", "label": r["place"]})},
        "recent": r["recent"], "before": r["before"], "rate_before": r["rate_before"], "last": r["last"],
    } for r in out]


def hotspots(user, *, region_id=None, region_code=None, params: Params = Params(),
             now: dt.datetime | None = None) -> dict:
    from governance import access

    if not access.may_at_all(user, "hotspots", OrderStats):
        raise Forbidden(_("Your role does not allow this action here."))
    region = resolve_region(user, region_id, "hotspots", code=region_code)
    return {
        "region": {"id": region.pk, "name": region.name},
        "weeks": params.weeks, "min_count": params.min_count, "factor": params.factor,
        "clusters": clusters(user, region=region, params=params, now=now),
        "rising": rising(user, region=region, params=params, now=now),
    }
