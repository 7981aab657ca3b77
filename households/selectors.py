"""Reads of the household files, always scoped through governance.access.

Sensitive groups (PIPL Art. 28) are filtered here: `visible_tags_q` is the one place that says
which PersonTag rows a user may see, and `person_tags` audits every view that shows one."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from governance import access, audit, pii
from governance.models import Region
from households.models import (
    Building,
    Person,
    PersonPhone,
    PersonStatus,
    PersonTag,
    Rental,
    Unit,
    Visit,
)

# --- tags -------------------------------------------------------------------------------


def visible_tags_q(user) -> Q | None:
    """PersonTag rows `user` may see: non-sensitive groups in scope; sensitive ones only for
    roles with view_sensitive (restricted 重点人员: view_restricted); 民政 its assistance groups."""
    view = access.scope_q(PersonTag, user, "view")
    if view is None:
        return None
    if not view:  # superuser
        return Q()
    q = view & Q(tag__sensitive=False)
    sensitive = access.scope_q(PersonTag, user, "view_sensitive")
    if sensitive is not None:
        q |= sensitive & Q(tag__restricted=False)
    restricted = access.scope_q(PersonTag, user, "view_restricted")
    if restricted is not None:
        q |= restricted
    from households.policies import assistance_tags_q

    dept = assistance_tags_q(user)
    if dept is not None:
        q |= dept
    return q


def may_see_tag(user, tag, person) -> bool:
    if user.is_superuser:
        return True
    action = "view_restricted" if tag.restricted else ("view_sensitive" if tag.sensitive else "view")
    return access.covers(user, person.region_path, model=PersonTag, action=action)


def active_tag_q(today=None, prefix="") -> Q:
    today = today or timezone.localdate()
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": today})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": today}))


def person_tags(user, person_ids, *, purpose: str = "") -> dict[int, list[PersonTag]]:
    """The tags of these persons that `user` may see, in one query; a view that shows any
    sensitive tag writes an AuditEvent (who saw which persons' sensitive groups)."""
    q = visible_tags_q(user)
    ids = list(person_ids)
    if q is None or not ids:
        return {}
    rows = list(PersonTag.objects.filter(q, active_tag_q(), person_id__in=ids).select_related("tag")
                .order_by("tag__order", "id"))
    out: dict[int, list[PersonTag]] = defaultdict(list)
    for row in rows:
        out[row.person_id].append(row)
    sensitive = [r for r in rows if r.tag.sensitive]
    if sensitive:
        audit.record(actor=user, action="person_tags.view_sensitive", purpose=purpose,
                     data={"persons": sorted({r.person_id for r in sensitive})[:200],
                           "groups": sorted({r.tag.code for r in sensitive})})
    return out


# --- persons ------------------------------------------------------------------------------


def persons_for(user, action: str = "view"):
    return access.scope(Person.objects.all(), user, action).select_related("household__unit__building")


# What a search result shows (the API list, the staff pages): loading only these keeps the ORM's
# share of a one-row indexed lookup small (bench/households); the list's query-count test
# catches any field read outside it (it would cost one query per row).
SEARCH_FIELDS = ("id", "name", "sex", "birth_date", "relation", "status", "household_id", "id_type",
                 "id_number_masked", "region_path", "household__unit_id", "household__number",
                 "household__unit__building_id", "household__unit__entrance", "household__unit__number",
                 "household__unit__building__address", "household__unit__building__name")


def person_search(user, *, text: str = "", id_number: str = "", last4: str = "", address: str = "", tag: str = "",
                  grid=None, phone: str = ""):
    """Search in scope: name, last 4 of the ID, the exact ID or phone (blind index), address, group."""
    qs = persons_for(user).only(*SEARCH_FIELDS)
    if id_number:
        qs = qs.filter(id_number_hash=pii.id_index(id_number))
    if phone:
        qs = qs.filter(pk__in=PersonPhone.objects.filter(number_hash=pii.phone_index(phone)).values("person_id"))
    if last4:
        qs = qs.filter(id_last4=last4.upper())
    if text:
        qs = qs.filter(name__icontains=text)
    if address:
        qs = qs.filter(Q(household__unit__building__address__icontains=address)
                       | Q(household__unit__building__name__icontains=address))
    if tag:
        tq = visible_tags_q(user)
        if tq is None:
            return qs.none()
        qs = qs.filter(pk__in=PersonTag.objects.filter(tq, active_tag_q(), tag__code=tag).values("person_id"))
    if grid is not None:
        qs = qs.filter(region_path__startswith=grid.path)
    return qs


# --- visits -------------------------------------------------------------------------------


NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _last_visit_subquery():
    """The person's last visit, or a visit to their household as a whole: two index-backed subqueries
    (an OR inside one makes PostgreSQL walk the visit table), each used once; NEVER stands for none
    (SQLite's GREATEST is NULL as soon as one side is)."""
    own = Subquery(Visit.objects.filter(person=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1])
    home = Subquery(Visit.objects.filter(person__isnull=True, household=OuterRef("household_id"))
                    .order_by("-visited_at").values("visited_at")[:1])
    return Greatest(Coalesce(own, Value(NEVER)), Coalesce(home, Value(NEVER)))


def _ruled_tags(today):
    return PersonTag.objects.filter(active_tag_q(today), tag__visit_rule__active=True,
                                    tag__visit_rule__interval_days__isnull=False)


def _ruled_person_ids(today):
    """A semi-join on the persons with a visit rule, so the per-person subqueries run only for them."""
    return _ruled_tags(today).values("person_id")


def _interval_subquery(today):
    return Subquery(_ruled_tags(today).filter(person=OuterRef("pk"))
                    .order_by("tag__visit_rule__interval_days").values("tag__visit_rule__interval_days")[:1])


def due_visits(user, *, now=None, soon_days: int = 3, limit: int | None = 200) -> list[dict]:
    """Persons in the user's scope whose next visit is due within `soon_days` or overdue, by the
    shortest interval of their groups' visit rules. Set-based and constant in queries: one query
    gives (person, interval, last visit) for every ruled person in scope, one loads the due ones,
    one the groups the user may see (plus the user's assignments)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ruled = (access.scope(Person.objects.filter(status=PersonStatus.LIVING, pk__in=_ruled_person_ids(today)), user,
                          "visit")
             .annotate(interval=_interval_subquery(today), last_visit=_last_visit_subquery())
             .values_list("pk", "interval", "last_visit"))
    due = {}
    for pk, interval, last in ruled:
        last = None if last is None or last <= NEVER else last
        due_at = last + dt.timedelta(days=interval) if last else None
        if due_at is None or due_at - dt.timedelta(days=soon_days) < now:
            due[pk] = (interval, last, due_at)
    order = sorted(due, key=lambda pk: (due[pk][2] is not None, due[pk][2] or now, pk))
    if limit:
        order = order[:limit]
    persons = {p.pk: p for p in Person.objects.filter(pk__in=order).select_related("household__unit__building")}
    reasons = person_tags(user, order, purpose="due visits")
    rows = []
    for pk in order:
        interval, last, due_at = due[pk]
        rows.append({"person": persons[pk], "interval": interval, "last_visit": last, "due_at": due_at,
                     "overdue": due_at is None or due_at < now,
                     "reasons": [t.tag.name for t in reasons.get(pk, [])]})
    return rows


def _month_bounds(year: int, month: int):
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    days = calendar.monthrange(year, month)[1]
    return start, start + dt.timedelta(days=days), days


def completion_rates(user, *, year: int, month: int) -> list[dict]:
    """Monthly share of due visits done, per grid and per community in the user's scope.
    A person with interval d owes days_in_month/d visits in the month (weekly ≈ 4.3, monthly 1,
    quarterly 1/3); visits beyond that earn nothing extra. Two queries."""
    start, end, days = _month_bounds(year, month)
    visits = Subquery(Visit.objects.filter(person=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end)
                      .order_by().values("person").annotate(n=Count("pk")).values("n")[:1])
    last_day = end.date() - dt.timedelta(days=1)
    rows = (access.scope(Person.objects.filter(status=PersonStatus.LIVING, pk__in=_ruled_person_ids(last_day)), user,
                         "view")
            .annotate(interval=_interval_subquery(last_day), n_visits=visits)
            .values_list("region_path", "interval", "n_visits"))
    grids: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for path, interval, done in rows:
        owed = days / interval
        grids[path][0] += owed
        grids[path][1] += min(done or 0, owed)
    communities: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for path, (owed, done) in grids.items():
        cpath = "/" + "/".join(path.strip("/").split("/")[:3]) + "/"
        communities[cpath][0] += owed
        communities[cpath][1] += done
    names = dict(Region.objects.filter(path__in=list(grids) + list(communities)).values_list("path", "name"))
    out = []
    for level, table in (("community", communities), ("grid", grids)):
        for path, (owed, done) in sorted(table.items()):
            out.append({"level": level, "path": path, "name": names.get(path, path), "owed": round(owed, 1),
                        "done": round(done, 1), "rate": round(done / owed, 3) if owed else None})
    return out


# --- special groups -------------------------------------------------------------------------


def special_group_counts(user) -> list[dict]:
    """Persons per group per grid (and community totals) among the groups the user may see. One query
    for the counts, one for the region names."""
    q = visible_tags_q(user)
    if q is None:
        return []
    rows = (PersonTag.objects.filter(q, active_tag_q(), person__status=PersonStatus.LIVING)
            .values("person__region_path", "tag__code", "tag__name", "tag__order")
            .annotate(n=Count("person", distinct=True)).order_by("person__region_path", "tag__order"))
    table: dict[str, dict] = {}
    for r in rows:
        for path in (r["person__region_path"],
                     "/" + "/".join(r["person__region_path"].strip("/").split("/")[:3]) + "/"):
            entry = table.setdefault(path, {"path": path, "groups": defaultdict(int)})
            entry["groups"][r["tag__name"]] += r["n"]
    names = dict(Region.objects.filter(path__in=list(table)).values_list("path", "name"))
    out = []
    for path, entry in sorted(table.items()):
        out.append({"path": path, "name": names.get(path, path), "level": "grid" if path.count("/") > 4 else "community",
                    "groups": dict(entry["groups"])})
    return out


def unit_lookup(*, community, address: str, building: str, entrance: str, room: str):
    """The unit at an address as a resident writes it (for self-registration), or None."""
    return (Unit.objects.filter(region_path__startswith=community.path, building__address=address.strip(),
                                building__name=building.strip(), entrance=entrance.strip(), number=room.strip())
            .select_related("building").first())


# --- places, as other apps read them (work orders: the report form, routing, hot spots) -------
# An address is not personal data: anyone may report a problem at any building of the district.


def all_buildings():
    return Building.objects.all()


def all_units():
    return Unit.objects.all()


def buildings_under(paths):
    """The buildings whose grid lies under any of these region paths, by address."""
    if not paths:
        return Building.objects.none()
    return Building.objects.filter(access.paths_q("grid__path", paths)).order_by("address", "name")


def buildings_near(lon: float, lat: float, radius_deg: float):
    """The located buildings within a square of ± radius_deg around a point, with their grid."""
    return (Building.objects.filter(lon__isnull=False, lat__isnull=False, lon__range=(lon - radius_deg, lon + radius_deg),
                                    lat__range=(lat - radius_deg, lat + radius_deg)).select_related("grid"))


def buildings_by_id(ids):
    """{id: building} with its grid, for labels."""
    return {b.pk: b for b in Building.objects.filter(pk__in=list(ids)).select_related("grid")}


# --- rentals ---------------------------------------------------------------------------------


def rentals_for(user):
    return access.scope(Rental.objects.all(), user, "view").select_related("unit__building", "tenant_household")


def units_registration_gaps(user, *, today=None):
    """Units with a current or past rental whose latest rental has no registration number or has ended."""
    today = today or timezone.localdate()
    latest = Rental.objects.filter(unit=OuterRef("pk")).order_by("-ends_on")
    units = access.scope(Unit.objects.filter(rentals__isnull=False).distinct(), user, "view")
    return (units.annotate(rental_ends=Subquery(latest.values("ends_on")[:1]),
                           rental_reg=Subquery(latest.values("registration_number")[:1]))
            .filter(Q(rental_ends__lt=today) | Q(rental_reg="")).select_related("building"))
