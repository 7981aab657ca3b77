"""Rentals (with expiry reminders), businesses with their fire-safety checks, and compounds."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, audit, pii
from governance.errors import Forbidden, ValidationFailed
from households.models import Building, Business, Compound, FireCheck, Rental, Unit
from households.services.people import _require_add

REMIND_DAYS = 30


@transaction.atomic
def rental_create(*, unit: Unit, starts_on: dt.date, ends_on: dt.date, actor, landlord=None, landlord_name: str = "",
                  tenant_household=None, registration_number: str = "", registered_on=None, tenants_count: int = 1,
                  note: str = "") -> Rental:
    _require_add(actor, Rental, unit.region_path)
    if ends_on < starts_on:
        raise ValidationFailed(_("The end must be after the start."), fields={"ends_on": [_("Too early.")]})
    rental = Rental.objects.create(
        unit=unit, starts_on=starts_on, ends_on=ends_on, landlord=landlord,
        landlord_name=landlord_name or (landlord.name if landlord else ""), tenant_household=tenant_household,
        registration_number=registration_number, registered_on=registered_on, tenants_count=tenants_count, note=note,
        region_path=unit.region_path)
    audit.record(actor=actor, action="rental.create", obj=unit, data={"rental": rental.pk})
    return rental


def rentals_expiring(*, today=None, days: int = REMIND_DAYS):
    """Rentals ending within `days` (system-wide; callers scope)."""
    today = today or timezone.localdate()
    return Rental.objects.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days))


def rental_reminders_send(*, today=None, days: int = REMIND_DAYS) -> int:
    """Notify the community staff and the grid workers of each rental ending soon. Idempotent
    (one notification per rental and recipient via dedup_key); re-derived from the database each run."""
    from django.utils.translation import gettext_lazy

    from governance.models import Assignment
    from governance.notify.services import lazy_format, notify
    from governance.roles import Role

    today = today or timezone.localdate()
    rentals = list(rentals_expiring(today=today, days=days).select_related("unit__building"))
    if not rentals:
        return 0
    staff = list(Assignment.objects.active().filter(
        role__in=[Role.COMMUNITY_STAFF, Role.GRID_WORKER]).select_related("region", "user"))
    sent = 0
    for rental in rentals:
        for a in staff:
            if not (a.region_id and rental.region_path.startswith(a.region.path)):
                continue
            key = f"rental-expiry:{rental.pk}:{rental.ends_on}"
            title = lazy_format(gettext_lazy("Rental ends on %(date)s: %(unit)s"), date=rental.ends_on,
                                unit=rental.unit)  # rendered in each recipient's language
            notify(user=a.user, kind="rental_expiry", title=title, dedup_key=key, obj=rental, channels=("inbox",))
            sent += 1
    return sent


@transaction.atomic
def business_create(*, unit: Unit, name: str, kind: str, owner_name: str, actor, owner_phone: str = "",
                    licence_number: str = "", employees: int = 0) -> Business:
    _require_add(actor, Business, unit.region_path)
    enc = masked = ""
    if owner_phone:
        sealed = pii.seal_phone(owner_phone)
        enc, masked = sealed.enc, sealed.masked
    return Business.objects.create(unit=unit, name=name, kind=kind, owner_name=owner_name, owner_phone_enc=enc,
                                   owner_phone_masked=masked, licence_number=licence_number, employees=employees,
                                   region_path=unit.region_path)


@transaction.atomic
def fire_check_record(*, business: Business, result: str, actor, checked_on=None, findings: str = "",
                      next_due=None) -> FireCheck:
    access.require(actor, "visit", business)
    checked_on = checked_on or timezone.localdate()
    check = FireCheck.objects.create(business=business, result=result, findings=findings, checked_by=actor,
                                     checked_on=checked_on, next_due=next_due or checked_on + dt.timedelta(days=90))
    audit.record(actor=actor, action="business.fire_check", obj=business, data={"result": result})
    return check


@transaction.atomic
def compound_create(*, community, name: str, actor, address: str = "", buildings=()) -> Compound:
    """A compound (小区) of a community and the buildings in it; its trustee, supervisor and
    owners' committee are given their roles on it (Assignment.target)."""
    if not access.is_system(actor) and not access.covers(actor, community.path, model=Compound, action="add"):
        raise Forbidden(_("You may not add a compound here."))
    if not (name or "").strip():
        raise ValidationFailed(fields={"name": [_("Enter the compound's name.")]})
    outside = [b for b in buildings if not b.region_path.startswith(community.path)]
    if outside:
        raise ValidationFailed(fields={"buildings": [_("A compound's buildings lie in its community.")]})
    compound = Compound.objects.create(community=community, name=name.strip(), address=address,
                                       region_path=community.path)
    Building.objects.filter(pk__in=[b.pk for b in buildings]).update(compound=compound)
    audit.record(actor=actor, action="compound.create", obj=compound, data={"buildings": len(buildings)})
    return compound

