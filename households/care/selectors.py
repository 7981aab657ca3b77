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


def alert_timeline(alert: Alert):
    return alert.events.select_related("actor").order_by("at", "id")


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
