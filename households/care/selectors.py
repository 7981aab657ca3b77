"""Reads of the care app, always scoped through governance.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from governance import access
from households.care.models import CARE_KINDS, Alert, AlertState, AwayFlag
from households.models import CareContact, Person


def alerts_for(user, *, open_only: bool = False) -> QuerySet[Alert]:
    qs = access.scope(Alert.objects.all(), user, "view").select_related(
        "person", "unit__building", "grid", "visit")
    if open_only:
        qs = qs.exclude(state=AlertState.RESOLVED)
    return qs


def open_alerts_by_grid(user) -> list[tuple]:
    """Open alerts, oldest first, grouped by grid (care alerts before device alerts)."""
    alerts = sorted(alerts_for(user, open_only=True).order_by("raised_at", "id"),
                    key=lambda a: (a.grid.name, a.kind not in CARE_KINDS, a.raised_at))
    groups: dict = {}
    for alert in alerts:
        groups.setdefault(alert.grid, []).append(alert)
    return list(groups.items())


def alert_timeline(alert: Alert) -> list:
    """The alert's steps, each with the words of its ladder step (whom it told), not its code."""
    from households.care.models import Audience, EscalationStep

    events = list(alert.events.select_related("actor").order_by("at", "id"))
    district_path = "/" + alert.region_path.strip("/").split("/")[0] + "/"
    codes = {e.step for e in events if e.step}
    audiences = dict(EscalationStep.objects.filter(code__in=codes, district__path=district_path)
                     .values_list("code", "audience")) if codes else {}
    for e in events:
        audience = audiences.get(e.step)
        e.step_label = Audience(audience).label if audience in Audience.values else e.step  # type: ignore[attr-defined]  # for the page only
    return events


def away_flags_for(user, *, current_only: bool = False) -> QuerySet[AwayFlag]:
    qs = access.scope(AwayFlag.objects.all(), user, "view").select_related("person", "set_by")
    if current_only:
        qs = qs.filter(cancelled_at__isnull=True, ends_at__gt=timezone.now())
    return qs


def persons_user_may_flag(user) -> QuerySet[Person]:
    """Persons whose away periods `user` may set: themselves and those they care for (the
    staff door is the admin and the API, where any person of their area can be named)."""
    if not user.is_authenticated:
        return Person.objects.none()
    contacts = CareContact.objects.filter(user=user, active=True).values("person_id")
    return Person.objects.filter(Q(user=user) | Q(pk__in=contacts)).order_by("name")
