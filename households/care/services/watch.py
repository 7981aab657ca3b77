"""Who is watched: consent records and away flags ("away until …")."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, audit
from governance.errors import IllegalTransition, NotFound, ValidationFailed
from governance.roles import Role
from households.care.models import AwayFlag, Consent
from households.models import CareContact, Person

# Staff who may set an away flag for anyone in their area (ROLES.md: residents, care contacts, staff).
AWAY_STAFF_ROLES = {Role.GRID_WORKER, Role.GRID_LEADER, Role.MICROGRID_HEAD, Role.COMMUNITY_STAFF,
                    Role.STREET_OFFICER, Role.DISTRICT_ADMIN}


def home_path(person: Person) -> str:
    if person.household_id is None:
        return ""
    return Person.objects.filter(pk=person.pk).values_list("household__unit__building__grid__path", flat=True)[0] or ""


def cares_for(user, person: Person) -> bool:
    return CareContact.objects.filter(person=person, user=user, active=True).exists()


def _staff_covers(user, path: str, roles=AWAY_STAFF_ROLES) -> bool:
    if user.is_superuser:
        return True
    return bool(path) and access.covers(user, path, roles=roles)


def may_set_away(user, person: Person) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or person.user_id == user.pk or cares_for(user, person):
        return True
    return _staff_covers(user, home_path(person))


@transaction.atomic
def away_flag_set(*, person: Person, starts_at: datetime, ends_at: datetime, actor, note: str = "",
                  now: datetime | None = None) -> AwayFlag:
    now = now or timezone.now()
    if not may_set_away(actor, person):
        raise NotFound()
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if ends_at <= now:
        errors.setdefault("ends_at", []).append(_("The end is already past."))
    if (ends_at - starts_at).days > 366:
        errors.setdefault("ends_at", []).append(_("At most one year at a time."))
    if errors:
        raise ValidationFailed(fields=errors)
    flag = AwayFlag.objects.create(person=person, starts_at=starts_at, ends_at=ends_at, note=note, set_by=actor,
                                   region_path=home_path(person))
    audit.record(actor=actor, action="care.away.set", obj=flag, data={"person": person.pk})
    return flag


@transaction.atomic
def away_flag_cancel(*, flag: AwayFlag, actor, now: datetime | None = None) -> AwayFlag:
    now = now or timezone.now()
    access.require(actor, "change", flag)
    if flag.cancelled_at is not None or flag.ends_at <= now:
        raise IllegalTransition(_("This away period is already over."))
    flag.cancelled_at = now
    flag.save(update_fields=["cancelled_at"])
    audit.record(actor=actor, action="care.away.cancel", obj=flag)
    return flag


@transaction.atomic
def consent_record(*, person: Person, given_by: str, date, document: str = "", actor) -> Consent:
    consent = Consent(person=person, given_by=given_by, date=date, document=document, recorded_by=actor,
                      region_path=home_path(person))
    if not access.may_at_all(actor, "add", Consent) or not _staff_covers(actor, consent.region_path):
        raise NotFound()
    consent.save()
    audit.record(actor=actor, action="care.consent.record", obj=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor, now: datetime | None = None) -> Consent:
    now = now or timezone.now()
    access.require(actor, "change", consent)
    if consent.withdrawn_at is not None:
        raise IllegalTransition(_("This consent was already withdrawn."))
    consent.withdrawn_at = now
    consent.save(update_fields=["withdrawn_at"])
    audit.record(actor=actor, action="care.consent.withdraw", obj=consent)
    return consent
