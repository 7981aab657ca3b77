"""三率 and KPI statistics (KPI engineer).

Per region (the children of a chosen region, each with its subtree), handling unit,
category (大类) or month, over a period of report dates:

* 三率 from the follow-up (回访, the latest answer per order): 响应率 (contacted in time),
  解决率 (the reporter says solved), 满意率 (满意 = 1, 基本满意 = the editable score, 不满意 = 0),
  and their weighted score (weights in KpiWeights, rules.yaml defaults 0.30 / 0.35 / 0.35);
* 结案率 (closed / scored orders), 按期结案率 (closed without ever being overdue / closed),
  返工率 (reworked / handled at least once), 延期率 (with an approved extension / dispatched),
  挂账 (parked, still open), overdue now;
* handling time reported → closed in WORK HOURS (governance.workdays' office hours and
  calendar) and in clock hours: median and mean — the "7 days to 24 hours" figure.

An order counts in the period it was reported in. Orders not accepted or merged into another
are not work; orders with an approved appeal (申诉) are excluded from every rate and counted
apart. Everything is scoped through governance.access (OrderStats' "kpi" right: a street
officer their street, a community its community, a department its own unit, the district all).

Figures come from three set-based queries (orders grouped with conditional counts; the
latest follow-up per order grouped the same way; one list of (group, reported, closed) for
the work-hour durations) plus one to label the groups; no query per order or per group.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access, workdays
from governance.errors import Forbidden, NotFound, ValidationFailed
from governance.models import Department, Region
from governance.roles import DEPARTMENT_ROLES, REGION_ROLES, Role
from workorders.choices import OPEN_STATUSES, Satisfaction, Status
from workorders.kpi.models import DEFAULT_BASIC_SCORE, DEFAULT_WEIGHTS, KpiWeights, OrderStats
from workorders.models import Category, FollowUp

TZ = workdays.TZ
GROUPS = {
    "region": gettext_lazy("Region"),
    "unit": gettext_lazy("Handling unit"),
    "category": gettext_lazy("Category"),
    "month": gettext_lazy("Month"),
}
NOT_WORK = (Status.NOT_ACCEPTED, Status.MERGED)


# --- weights ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    response: Decimal = DEFAULT_WEIGHTS["response"]
    resolution: Decimal = DEFAULT_WEIGHTS["resolution"]
    satisfaction: Decimal = DEFAULT_WEIGHTS["satisfaction"]
    basic_score: Decimal = DEFAULT_BASIC_SCORE

    def as_dict(self) -> dict[str, float]:
        return {k: float(getattr(self, k)) for k in ("response", "resolution", "satisfaction", "basic_score")}


def current_weights() -> Weights:
    row = KpiWeights.objects.filter(key="district").first()
    if row is None:
        return Weights()
    return Weights(row.response, row.resolution, row.satisfaction, row.basic_score)


def weights_read(user) -> Weights:
    if not access.may_at_all(user, "view", KpiWeights):
        raise Forbidden(_("Your role does not allow this action here."))
    return current_weights()


# --- period and scope -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # last day (inclusive)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), TZ)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), TZ)

    def __str__(self):
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def parse_period(*, start=None, end=None, month: str | None = None, today: dt.date | None = None) -> Period:
    """A month ("2026-11"), or a date range; by default the last 30 days up to today (so the
    first days of a month do not show an empty page)."""
    today = today or timezone.localdate(timezone=TZ)
    if month:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise ValidationFailed(fields={"month": [_("Use the form YYYY-MM.")]}) from None
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return Period(first, nxt - dt.timedelta(days=1))
    errors = {}
    parsed = {}
    for name, raw in (("start", start), ("end", end)):
        if raw in (None, ""):
            continue
        if isinstance(raw, dt.date):
            parsed[name] = raw
            continue
        try:
            parsed[name] = dt.date.fromisoformat(str(raw))
        except ValueError:
            errors[name] = [_("Use the form YYYY-MM-DD.")]
    if errors:
        raise ValidationFailed(fields=errors)
    last = parsed.get("end") or today
    first = parsed.get("start") or last - dt.timedelta(days=29)
    if last < first:
        raise ValidationFailed(fields={"end": [_("The end comes before the start.")]})
    if (last - first).days > 3 * 366:
        raise ValidationFailed(fields={"start": [_("Choose at most three years.")]})
    return Period(first, last)


def may_read_kpis(user) -> bool:
    return access.may_at_all(user, "kpi", OrderStats)


def region_roots(user, action: str) -> list[Region] | None:
    """Regions the user's statistics rights are anchored at; None: the whole district
    (district admin, superuser, or a department whose rows are limited by department)."""
    if user.is_superuser:
        return None
    policy = access.policy_for(OrderStats)
    roots = []
    for a in user.active_assignments:
        if not policy.role_may(a.role, action):
            continue
        if a.role == Role.DISTRICT_ADMIN or a.role in DEPARTMENT_ROLES:
            return None
        if a.role in REGION_ROLES and a.region_id:
            roots.append(a.region)
    return roots


def default_region(user, action: str = "kpi") -> Region:
    roots = region_roots(user, action)
    if roots:
        return min(roots, key=lambda r: len(r.path))
    district = Region.objects.filter(parent__isnull=True).order_by("pk").first()
    if district is None:
        raise NotFound()
    return district


def resolve_region(user, region_id=None, action: str = "kpi", *, code: str | None = None) -> Region:
    """The region to report on, by id or by its 行政区划 code: one inside the user's own
    subtree (404 otherwise, like a missing one). Departments and the district may pick any."""
    if not access.may_at_all(user, action, OrderStats):
        raise Forbidden(_("Your role does not allow this action here."))
    if region_id in (None, "") and not code:
        return default_region(user, action)
    lookup = {"code": code} if code else {"pk": region_id}
    try:
        region = Region.objects.get(**lookup)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roots = region_roots(user, action)
    if roots is not None and not any(region.path.startswith(r.path) for r in roots):
        raise NotFound()
    return region


def scoped(user, action: str, region: Region):
    """OrderStats rows the user may count, inside `region`'s subtree."""
    qs = access.scope(OrderStats.objects.all(), user, action)
    return qs.filter(region_path__startswith=region.path)


# --- grouping ---------------------------------------------------------------------------------


def _group_expression(group: str, region: Region, prefix: str = ""):
    """An expression giving each order its group key (ints; months as dates)."""
    p = prefix
    if group == "region":
        children = list(Region.objects.filter(parent=region).order_by("code").values_list("pk", "path"))
        whens = [When(**{f"{p}region_path__startswith": path}, then=Value(pk)) for pk, path in children]
        return Case(*whens, default=Value(region.pk), output_field=IntegerField()) if whens else Value(region.pk)
    if group == "unit":
        # Departments by id; territorial work by the assigned street/community, as a negative id.
        return Case(When(**{f"{p}assigned_department_id__isnull": False}, then=F(f"{p}assigned_department_id")),
                    When(**{f"{p}assigned_region_id__isnull": False}, then=-F(f"{p}assigned_region_id")),
                    default=Value(0), output_field=IntegerField())
    if group == "category":
        return Coalesce(F(f"{p}category__parent_id"), F(f"{p}category_id"))
    if group == "month":
        return TruncMonth(f"{p}reported_at", tzinfo=TZ)
    raise ValidationFailed(fields={"group": [_("Choose region, unit, category or month.")]})


def _labels(group: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if group == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "unit":
        depts = dict(Department.objects.filter(pk__in=[k for k in keys if k > 0]).values_list("pk", "name"))
        regions = dict(Region.objects.filter(pk__in=[-k for k in keys if k < 0]).values_list("pk", "name"))
        out = {k: depts.get(k) for k in keys if k > 0}
        out.update({k: regions.get(-k) for k in keys if k < 0})
        out[0] = _("Not assigned yet")
        return out
    if group == "category":
        return {pk: f"{c.full_code} {c.name}" for pk, c in Category.objects.in_bulk(keys).items()}
    return {k: (timezone.localtime(k, TZ) if isinstance(k, dt.datetime) else k).strftime("%Y-%m") for k in keys}


def _key_str(key) -> str:
    if isinstance(key, dt.datetime):
        return timezone.localtime(key, TZ).strftime("%Y-%m")
    if isinstance(key, dt.date):
        return key.strftime("%Y-%m")
    return str(key)


# --- work hours -------------------------------------------------------------------------------


class WorkClock:
    """Office hours elapsed between two moments, as governance.workdays.workhours_between
    counts them, in O(log n) per pair: a running total of office hours per day of the range."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        self.days: list[list[tuple[dt.datetime, dt.datetime]]] = []
        self.before: list[float] = []  # office hours before each day
        total = 0.0
        day = first
        while day <= last:
            periods = workdays.office_periods(day)
            self.days.append(periods)
            self.before.append(total)
            total += sum((b - a).total_seconds() for a, b in periods) / 3600
            day += dt.timedelta(days=1)
        self.total = total
        self._ends = [[b for _a, b in ps] for ps in self.days]

    def at(self, moment: dt.datetime) -> float:
        local = moment.astimezone(TZ)
        i = (local.date() - self.first).days
        if i < 0:
            return 0.0
        if i >= len(self.days):
            return self.total
        hours = self.before[i]
        periods = self.days[i]
        j = bisect.bisect_right(self._ends[i], local)
        hours += sum((b - a).total_seconds() for a, b in periods[:j]) / 3600
        if j < len(periods):
            a, _b = periods[j]
            if local > a:
                hours += (local - a).total_seconds() / 3600
        return hours

    def between(self, a: dt.datetime, b: dt.datetime) -> float:
        return max(self.at(b) - self.at(a), 0.0)


# --- figures ----------------------------------------------------------------------------------


def _rate(n, d):
    return round(n / d, 4) if d else None


@dataclass
class Figures:
    key: object
    label: str
    orders: int = 0
    closed: int = 0
    closed_on_time: int = 0
    handled: int = 0
    reworked: int = 0
    dispatched: int = 0
    extended: int = 0
    parked: int = 0
    overdue: int = 0
    open: int = 0
    appealed: int = 0
    followed_up: int = 0
    contacted_in_time: int = 0
    solved: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    durations: list[float] = field(default_factory=list, repr=False)  # work hours
    natural: list[float] = field(default_factory=list, repr=False)  # clock hours

    def rates(self, w: Weights) -> dict:
        fu = self.followed_up
        response = resolution = satisfaction = score = None
        if fu:
            response = round(self.contacted_in_time / fu, 4)
            resolution = round(self.solved / fu, 4)
            satisfaction = round((self.satisfied + float(w.basic_score) * self.basic) / fu, 4)
            score = round(100 * (float(w.response) * response + float(w.resolution) * resolution
                                 + float(w.satisfaction) * satisfaction), 2)
        d, n = self.durations, self.natural
        return {
            "response_rate": response,
            "resolution_rate": resolution,
            "satisfaction_rate": satisfaction,
            "score": score,
            "closure_rate": _rate(self.closed, self.orders),
            "on_time_closure_rate": _rate(self.closed_on_time, self.closed),
            "rework_rate": _rate(self.reworked, self.handled),
            "extension_rate": _rate(self.extended, self.dispatched),
            "median_work_hours": round(statistics.median(d), 2) if d else None,
            "mean_work_hours": round(statistics.fmean(d), 2) if d else None,
            "median_hours": round(statistics.median(n), 2) if n else None,
            "mean_hours": round(statistics.fmean(n), 2) if n else None,
        }

    def as_dict(self, w: Weights) -> dict:
        counts = {k: getattr(self, k) for k in COUNT_FIELDS}
        return {"key": _key_str(self.key), "label": self.label, **counts, **self.rates(w)}


COUNT_FIELDS = ("orders", "closed", "closed_on_time", "handled", "reworked", "dispatched", "extended", "parked",
                "overdue", "open", "appealed", "followed_up", "contacted_in_time", "solved", "satisfied", "basic",
                "unsatisfied")


@dataclass
class Report:
    region: Region
    period: Period
    group: str
    weights: Weights
    rows: list[Figures]
    total: Figures

    def as_dict(self) -> dict:
        return {
            "region": {"id": self.region.pk, "name": self.region.name},
            "period": {"start": self.period.start, "end": self.period.end},
            "group": self.group,
            "weights": self.weights.as_dict(),
            "total": self.total.as_dict(self.weights),
            "rows": [r.as_dict(self.weights) for r in self.rows],
        }


def _order_counts(qs, key):
    scored = Q(appealed=False)
    return (qs.annotate(g=key).values("g").order_by().annotate(
        n_orders=Count("pk", filter=scored),
        n_closed=Count("pk", filter=scored & Q(status=Status.CLOSED)),
        n_closed_on_time=Count("pk", filter=scored & Q(status=Status.CLOSED, ever_overdue=False)),
        n_handled=Count("pk", filter=scored & Q(handled_at__isnull=False)),
        n_reworked=Count("pk", filter=scored & Q(rework_count__gt=0)),
        n_dispatched=Count("pk", filter=scored & Q(dispatched_at__isnull=False)),
        n_extended=Count("pk", filter=scored & Q(extension_count__gt=0)),
        n_parked=Count("pk", filter=Q(parked=True, status__in=OPEN_STATUSES)),
        n_overdue=Count("pk", filter=Q(overdue=True, parked=False, status__in=OPEN_STATUSES)),
        n_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        n_appealed=Count("pk", filter=Q(appealed=True)),
    ))


def _followup_counts(qs, region, group, period: Period):
    """The latest follow-up of each scored order, grouped like the orders. A follow-up comes
    after the report, so only those from the period's start on can count: saying so (and the
    orders' report dates again, beside the subquery) lets the planner skip the older ones."""
    later = FollowUp.objects.filter(order=OuterRef("order")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
    rows = (FollowUp.objects.filter(order__in=qs.filter(appealed=False).values("pk"), at__gte=period.start_at,
                                    order__reported_at__gte=period.start_at, order__reported_at__lt=period.end_at)
            .filter(~Exists(later))
            .annotate(g=_group_expression(group, region, prefix="order__")).values("g").order_by()
            .annotate(n_followed_up=Count("pk"),
                      n_contacted_in_time=Count("pk", filter=Q(contacted_in_time=True)),
                      n_solved=Count("pk", filter=Q(solved=True)),
                      n_satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
                      n_basic=Count("pk", filter=Q(satisfaction=Satisfaction.BASIC)),
                      n_unsatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED))))
    return rows


def _durations(qs, key, period: Period):
    """(group, reported, closed) of the scored closed orders: one query; work hours here."""
    rows = list(qs.filter(status=Status.CLOSED, appealed=False, closed_at__isnull=False)
                .annotate(g=key).order_by().values_list("g", "reported_at", "closed_at"))
    if not rows:
        return {}
    first = min(r[1] for r in rows).astimezone(TZ).date()
    last = max(r[2] for r in rows).astimezone(TZ).date()
    clock = WorkClock(first, last)
    out: dict = {}
    for g, a, b in rows:
        work, natural = out.setdefault(g, ([], []))
        work.append(clock.between(a, b))
        natural.append(max((b - a).total_seconds(), 0) / 3600)
    return out


def report(user, *, group: str = "region", region: Region | None = None, period: Period | None = None,
           action: str = "kpi") -> Report:
    if group not in GROUPS:
        raise ValidationFailed(fields={"group": [_("Choose region, unit, category or month.")]})
    if not access.may_at_all(user, action, OrderStats):
        raise Forbidden(_("Your role does not allow this action here."))
    region = region or default_region(user, action)
    period = period or parse_period()
    qs = (scoped(user, action, region)
          .filter(reported_at__gte=period.start_at, reported_at__lt=period.end_at)
          .exclude(status__in=NOT_WORK))
    key = _group_expression(group, region)
    rows: dict = {}
    for r in _order_counts(qs, key):
        g = r.pop("g")
        rows[g] = Figures(key=g, label="", **{k[2:]: v for k, v in r.items()})
    for r in _followup_counts(qs, region, group, period):
        g = r.pop("g")
        fig = rows.setdefault(g, Figures(key=g, label=""))
        for k, v in r.items():
            setattr(fig, k[2:], v)
    for g, (work, natural) in _durations(qs, key, period).items():
        fig = rows.setdefault(g, Figures(key=g, label=""))
        fig.durations, fig.natural = work, natural
    labels = _labels(group, list(rows))
    total = Figures(key="total", label=_("Total"))
    for fig in rows.values():
        fig.label = str(labels.get(fig.key) or fig.key)
        for k in COUNT_FIELDS:
            setattr(total, k, getattr(total, k) + getattr(fig, k))
        total.durations.extend(fig.durations)
        total.natural.extend(fig.natural)
    ordered = sorted(rows.values(), key=lambda f: (_key_str(f.key) if group == "month" else "", -f.orders, f.label))
    return Report(region=region, period=period, group=group, weights=current_weights(), rows=ordered, total=total)


# --- Excel ------------------------------------------------------------------------------------


def export_columns():
    return [
        ("label", _("Group")), ("orders", _("Orders")), ("closed", _("Closed")),
        ("closure_rate", _("Closure rate")), ("on_time_closure_rate", _("On-time closure rate")),
        ("followed_up", _("Followed up")), ("response_rate", _("Response rate")),
        ("resolution_rate", _("Resolution rate")), ("satisfaction_rate", _("Satisfaction rate")),
        ("score", _("Weighted score")), ("rework_rate", _("Rework rate")), ("extension_rate", _("Extension rate")),
        ("parked", _("Parked")), ("overdue", _("Overdue now")), ("appealed", _("Excluded (appeal)")),
        ("median_work_hours", _("Median handling (work hours)")), ("mean_work_hours", _("Mean handling (work hours)")),
        ("median_hours", _("Median handling (hours)")), ("mean_hours", _("Mean handling (hours)")),
    ]
