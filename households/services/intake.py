"""Residents come in: self-registration and its verification queue; family care contacts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, audit, pii
from governance.errors import Conflict, IllegalTransition, ValidationFailed
from households.models import CareContact, Person, Registration, RegistrationStatus, SourceKind, Unit
from households.services.people import _fail, person_create, phone_add, record_source


@transaction.atomic
def registration_submit(*, user, name: str, id_type: str, id_number: str, phone: str, unit: Unit,
                        address_note: str = "") -> Registration:
    """A resident asks to be linked to their household file; community staff verify."""
    if Person.objects.filter(user=user).exists():
        raise Conflict(_("Your login is already linked to a household file."))
    if Registration.objects.filter(user=user, status=RegistrationStatus.PENDING).exists():
        raise Conflict(_("Your registration is already waiting for verification."))
    if not (name or "").strip():
        raise ValidationFailed(_("Enter your name."), fields={"name": [_("This field is required.")]})
    try:
        sealed = pii.seal_id(id_type, id_number)
    except ValidationError as e:
        _fail("id_number", e)
    try:
        phone_sealed = pii.seal_phone(phone)
    except ValidationError as e:
        _fail("phone", e)
    reg = Registration.objects.create(
        user=user, name=name.strip(), id_type=id_type, id_number_enc=sealed.enc, id_number_hash=sealed.hash,
        id_number_masked=sealed.masked, phone_enc=phone_sealed.enc, phone_masked=phone_sealed.masked, unit=unit,
        address_note=address_note, region_path=unit.region_path)
    audit.record(actor=user, action="registration.submit", obj=reg, region=unit.building.grid)
    return reg


def registration_match(reg: Registration) -> Person | None:
    """The person on file with the same ID number (blind index), if any."""
    return Person.objects.filter(id_number_hash=reg.id_number_hash).select_related("household__unit").first()


@transaction.atomic
def registration_verify(*, registration: Registration, actor, household=None) -> Person:
    """Link the login to the person with the same ID; if nobody is on file, create the person in
    `household` (or a new household in the registered unit)."""
    access.require(actor, "verify", registration)
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status != RegistrationStatus.PENDING:
        raise IllegalTransition(_("This registration has already been reviewed."))
    person = registration_match(reg)
    if person is not None:
        if person.user_id and person.user_id != reg.user_id:
            raise Conflict(_("This person is already linked to another login."))
        if not access.can(actor, "view", person):
            raise Conflict(_("The person on file lives outside your area: ask their community to verify."))
        person.user = reg.user
        person.save(update_fields=["user"])
    else:
        from households.services.people import household_create

        if household is None:
            household = household_create(unit=reg.unit, number=f"R{reg.pk}", actor=actor)
        person = person_create(household=household, name=reg.name, id_type=reg.id_type,
                               id_number=pii.decrypt(reg.id_number_enc), actor=actor,
                               source=SourceKind.REGISTRATION, source_ref=str(reg.pk), user=reg.user)
        if household.head_id is None:
            household.head = person
            household.save(update_fields=["head"])
    phone_add(person, pii.decrypt(reg.phone_enc), primary=not person.phones.exists())
    record_source(person=person, fields=["phone"], kind=SourceKind.REGISTRATION, ref=str(reg.pk), actor=actor,
                  new={"phone": reg.phone_masked})
    _grant_resident_role(reg.user, person)
    reg.status, reg.person, reg.reviewed_by, reg.reviewed_at = RegistrationStatus.VERIFIED, person, actor, timezone.now()
    reg.save()
    audit.record(actor=actor, action="registration.verify", obj=reg, region=reg.unit.building.grid,
                 data={"person": person.pk})
    return person


def _grant_resident_role(user, person: Person) -> None:
    """A verified resident holds the resident role in their community (ROLES.md: own household;
    own community for public pages)."""
    from governance.models import Assignment, Region
    from governance.roles import Role

    ids = [p for p in person.region_path.strip("/").split("/") if p]
    community = Region.objects.filter(pk__in=ids, level="community").first()
    if community and not Assignment.objects.filter(user=user, role=Role.RESIDENT, region=community).exists():
        Assignment.objects.create(user=user, role=Role.RESIDENT, region=community)
    user.__dict__.pop("active_assignments", None)


@transaction.atomic
def registration_decline(*, registration: Registration, reason: str, actor) -> Registration:
    access.require(actor, "verify", registration)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the registration is declined."),
                               fields={"reason": [_("A reason is required.")]})
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status != RegistrationStatus.PENDING:
        raise IllegalTransition(_("This registration has already been reviewed."))
    reg.status, reg.decline_reason = RegistrationStatus.DECLINED, reason.strip()
    reg.reviewed_by, reg.reviewed_at = actor, timezone.now()
    reg.save()
    audit.record(actor=actor, action="registration.decline", obj=reg, region=reg.unit.building.grid,
                 data={"reason": reason})
    return reg


# --- care contacts -------------------------------------------------------------------------


def _may_manage_contacts(actor, person: Person) -> None:
    """The person's own household (resident) or community staff / district admin."""
    access.require(actor, "view", person)
    owner = access.policy_for(Person).owner
    own = owner(actor) if owner is not None else None
    if own is not None and Person.objects.filter(own, pk=person.pk).exists():
        return
    if access.can(actor, "change", person):
        return
    from governance.errors import Forbidden

    raise Forbidden(_("Only the household itself or community staff manage care contacts."))


@transaction.atomic
def care_contact_add(*, person: Person, name: str, relation: str, phone: str, user=None, actor,
                     priority: int = 1) -> CareContact:
    """A family contact (may live elsewhere). With `user`, grant them guardian "households.view_person"
    on this person, so the care app can show them this person's alerts."""
    access.need_actor(actor)
    if not access.is_system(actor):
        _may_manage_contacts(actor, person)
    if not (name or "").strip() or not (relation or "").strip():
        raise ValidationFailed(_("Enter the contact's name and relation."),
                               fields={k: [_("This field is required.")] for k, v in
                                       (("name", name), ("relation", relation)) if not (v or "").strip()})
    try:
        sealed = pii.seal_phone(phone)
    except ValidationError as e:
        _fail("phone", e)
    contact = CareContact.objects.create(
        person=person, name=name.strip(), relation=relation.strip(), phone_enc=sealed.enc, phone_hash=sealed.hash,
        phone_masked=sealed.masked, user=user, priority=priority, created_by=actor, region_path=person.region_path)
    # The active CareContact row is the grant (households.policies): no second copy to keep in step.
    audit.record(actor=actor, action="care_contact.add", obj=person, data={"contact": contact.pk,
                                                                          "linked_user": getattr(user, "pk", None)})
    return contact


@transaction.atomic
def care_contact_remove(*, contact: CareContact, actor) -> None:
    access.need_actor(actor)
    if not access.is_system(actor):
        _may_manage_contacts(actor, contact.person)
    person = contact.person
    contact.delete()
    audit.record(actor=actor, action="care_contact.remove", obj=person, data={"contact_name": contact.name})
