"""Homes and people: placing rows under a grid (with their region path), setting personal
data (encrypted, indexed, masked), tags, provenance, reveal and retention."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, audit, pii
from governance.errors import Conflict, Forbidden, NotFound, ValidationFailed
from households.models import (
    Building,
    FieldChange,
    FieldSource,
    Household,
    Person,
    PersonPhone,
    PersonStatus,
    PersonTag,
    SourceKind,
    TagType,
    Unit,
)

# Fields of a person that can be set through services, imports and change requests.
PERSON_FIELDS = ("name", "birth_date", "sex", "relation", "status", "household", "id_number", "phone")
PII_FIELDS = ("id_number", "phone")

_M = TypeVar("_M", bound=Model)


def _fail(field, error: ValidationError):
    raise ValidationFailed(error.messages[0], fields={field: error.messages}) from None


def _require_add(actor, model, region_path, *, visible: bool = False):
    """Creating a row at `region_path`: the actor needs "add" there (403), and to work there at all (404)
    unless the caller already knows the actor sees the place (`visible`: then it is a 403)."""
    access.need_actor(actor)
    if access.is_system(actor) or actor.is_superuser:  # jobs (seed, imports checked at upload), superusers
        return
    if access.covers(actor, region_path, model=model, action="add"):
        return
    if access.covers(actor, region_path) or visible:
        raise Forbidden()
    raise NotFound()


# --- placement ---------------------------------------------------------------------------


@transaction.atomic
def building_create(*, grid, name: str, address: str, lon=None, lat=None, floors=None, actor) -> Building:
    _require_add(actor, Building, grid.path)
    if grid.level not in ("grid", "microgrid"):
        raise ValidationFailed(_("A building belongs to a grid."), fields={"grid": [_("Choose a grid.")]})
    return Building.objects.create(grid=grid, name=name, address=address, lon=lon, lat=lat, floors=floors,
                                   region_path=grid.path)


@transaction.atomic
def unit_create(*, building: Building, number: str, entrance: str = "", floor=None, area_m2=None, actor) -> Unit:
    _require_add(actor, Unit, building.region_path)
    unit, _created = Unit.objects.get_or_create(
        building=building, entrance=entrance, number=number,
        defaults={"floor": floor, "area_m2": area_m2, "region_path": building.region_path})
    return unit


@transaction.atomic
def household_create(*, unit: Unit, number: str, kind: str = "resident", actor) -> Household:
    _require_add(actor, Household, unit.region_path)
    household, _created = Household.objects.get_or_create(
        unit=unit, number=number, defaults={"kind": kind, "region_path": unit.region_path})
    return household


def record_source(*, person: Person, fields, kind: str, ref: str = "", actor, old=None, new=None):
    """Provenance: each field now comes from `kind`/`ref`; history keeps old → new (masked)."""
    for field in fields:
        FieldSource.objects.update_or_create(person=person, field=field,
                                             defaults={"kind": kind, "ref": str(ref), "actor": actor})
        FieldChange.objects.create(person=person, field=field, kind=kind, ref=str(ref), actor=actor,
                                   old=str((old or {}).get(field, ""))[:200], new=str((new or {}).get(field, ""))[:200])


def _apply_id(person: Person, id_type: str, id_number: str):
    try:
        sealed = pii.seal_id(id_type, id_number)
    except ValidationError as e:
        _fail("id_number", e)
    other = Person.objects.filter(id_number_hash=sealed.hash).exclude(pk=person.pk).first()
    if other is not None:
        raise Conflict(_("A person with this ID number is already on file."), fields={"id_number": [
            _("Already on file (%(masked)s).") % {"masked": sealed.masked}]})
    person.id_type = id_type
    person.id_number_enc, person.id_number_hash = sealed.enc, sealed.hash
    person.id_number_masked, person.id_last4 = sealed.masked, sealed.last4
    if sealed.info.birth_date:
        person.birth_date = sealed.info.birth_date
        person.sex = sealed.info.sex
    return sealed


def phone_add(person: Person, number: str, *, primary: bool = False, label: str = "") -> PersonPhone:
    try:
        sealed = pii.seal_phone(number)
    except ValidationError as e:
        _fail("phone", e)
    phone, created = PersonPhone.objects.get_or_create(
        person=person, number_hash=sealed.hash,
        defaults={"kind": sealed.kind, "number_enc": sealed.enc, "masked": sealed.masked, "last4": sealed.last4,
                  "primary": primary or not person.phones.exists(), "label": label})
    return phone


@transaction.atomic
def person_create(*, household: Household | None, name: str, actor, id_type: str = "", id_number: str = "",
                  phones=(), relation: str = "", birth_date=None, sex: str = "", user=None,
                  source: str = SourceKind.STAFF, source_ref: str = "", region_path: str = "") -> Person:
    """A person in a household (region path from the household) with encrypted personal data."""
    path = household.region_path if household else region_path
    _require_add(actor, Person, path)
    if not name.strip():
        raise ValidationFailed(_("Enter the name."), fields={"name": [_("This field is required.")]})
    person = Person(household=household, name=name.strip(), relation=relation, birth_date=birth_date, sex=sex,
                    user=user, region_path=path)
    if id_number:
        _apply_id(person, id_type or "resident_id", id_number)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise Conflict(_("A person with this ID number is already on file.")) from None
    for i, number in enumerate(phones):
        phone_add(person, number, primary=i == 0)
    fields = ["name"] + (["id_number"] if id_number else []) + (["phone"] if phones else [])
    record_source(person=person, fields=fields, kind=source, ref=source_ref, actor=actor,
                  new={"name": person.name, "id_number": person.id_number_masked})
    return person


def person_values(person: Person) -> dict:
    """Current values of the editable fields, masked where personal (for diffs and history)."""
    primary = person.phones.first()
    return {
        "name": person.name, "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "sex": person.sex, "relation": person.relation, "status": person.status,
        "household": person.household_id or "", "id_number": person.id_number_masked,
        "phone": primary.masked if primary else "",
    }


@transaction.atomic
def person_apply_changes(*, person: Person, changes: dict, kind: str, ref: str = "", actor) -> Person:
    """Write `changes` (field → new value) onto the person, with history and provenance.
    The caller has checked the right (approve, import, staff change)."""
    unknown = set(changes) - set(PERSON_FIELDS) - {"id_type"}
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    person = Person.objects.select_for_update().get(pk=person.pk)
    old = person_values(person)
    for field, value in changes.items():
        if field == "id_type":
            continue
        if field == "id_number":
            _apply_id(person, changes.get("id_type") or person.id_type or "resident_id", value)
        elif field == "phone":
            phone_add(person, value, primary=True)
            person.phones.exclude(number_hash=pii.phone_index(value)).update(primary=False)
        elif field == "birth_date":
            person.birth_date = dt.date.fromisoformat(value) if isinstance(value, str) and value else value or None
        elif field == "household":
            household = Household.objects.get(pk=value)
            person.household, person.region_path = household, household.region_path
        elif field == "status":
            if value not in PersonStatus.values:
                raise ValidationFailed(_("Unknown status."), fields={"status": [_("Choose a valid status.")]})
            if value != person.status:
                person.status, person.status_changed_at = value, timezone.now()
        else:
            setattr(person, field, value)
    person.save()
    new = person_values(person)
    changed = [f for f in changes if f != "id_type" and old.get(f) != new.get(f)]
    record_source(person=person, fields=changed, kind=kind, ref=ref, actor=actor, old=old, new=new)
    return person


@transaction.atomic
def person_update(*, person: Person, changes: dict, actor) -> Person:
    """A staff edit (community staff, district admin)."""
    access.require(actor, "change", person)
    person = person_apply_changes(person=person, changes=changes, kind=SourceKind.STAFF, actor=actor)
    audit.record(actor=actor, action="person.change", obj=person, data={"fields": sorted(changes)})
    return person


# --- tags ----------------------------------------------------------------------------------


@transaction.atomic
def person_tag_add(*, person: Person, tag: TagType, actor, subtype: str = "", attrs=None, source: str = "",
                   valid_from=None, valid_until=None) -> PersonTag:
    access.require(actor, "view", person)
    if not access.is_system(actor):
        _require_add(actor, PersonTag, person.region_path, visible=True)
        from households.selectors import may_see_tag

        if not may_see_tag(actor, tag, person):
            raise Forbidden(_("Your role may not record this group."))
    if subtype and tag.subtypes and subtype not in tag.subtypes:
        raise ValidationFailed(_("Unknown sub-type."), fields={"subtype": [", ".join(tag.subtypes)]})
    for key, value in (attrs or {}).items():
        allowed = tag.attr_choices.get(key)
        if allowed is not None and value not in allowed:
            raise ValidationFailed(_("Unknown value for %(key)s.") % {"key": key}, fields={key: [", ".join(allowed)]})
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationFailed(_("The end must be after the start."), fields={"valid_until": [_("Too early.")]})
    row = PersonTag.objects.create(person=person, tag=tag, subtype=subtype, attrs=attrs or {}, source=source,
                                   valid_from=valid_from or timezone.localdate(), valid_until=valid_until)
    audit.record(actor=actor, action="person_tag.add", obj=person, data={"group": tag.code})
    return row


@transaction.atomic
def person_tag_end(*, person_tag: PersonTag, actor, until=None) -> PersonTag:
    """A person leaves a group (the row stays, dated: the history of who was in which group when)."""
    from households.selectors import may_see_tag

    access.require(actor, "view", person_tag.person)
    if not may_see_tag(actor, person_tag.tag, person_tag.person):
        raise NotFound()
    if not access.can(actor, "change", person_tag):
        raise Forbidden()
    # valid_until is the last day in the group: leaving now means yesterday was the last one
    until = until or timezone.localdate() - dt.timedelta(days=1)
    if person_tag.valid_from and until < person_tag.valid_from - dt.timedelta(days=1):
        raise ValidationFailed(_("The end must be after the start."), fields={"valid_until": [_("Too early.")]})
    person_tag.valid_until = until
    person_tag.save(update_fields=["valid_until"])
    audit.record(actor=actor, action="person_tag.end", obj=person_tag.person, data={"group": person_tag.tag.code})
    return person_tag


# --- reveal ---------------------------------------------------------------------------------

REVEAL_ACTIONS = {"id_number": "reveal_id", "phone": "reveal_phone"}


@transaction.atomic
def person_reveal(*, person: Person, field: str, purpose: str, actor, phone_id: int | None = None) -> str:
    """The full ID or phone number, for a role that needs it, with a purpose; audited and
    rate-limited by the core (governance.pii.reveal_checked)."""
    if field not in REVEAL_ACTIONS:
        raise ValidationFailed(_("Only the ID number or a phone number can be revealed."),
                               fields={"field": [_("Choose id_number or phone.")]})
    access.require(actor, REVEAL_ACTIONS[field], person)
    if field == "id_number":
        token, shown = person.id_number_enc, person.id_number_masked
    else:
        phones = person.phones.all()
        phone = phones.filter(pk=phone_id).first() if phone_id else phones.first()
        if phone is None:
            raise NotFound(_("No such phone number."))
        token, shown = phone.number_enc, phone.masked
    if not token:
        raise NotFound(_("Nothing on file."))
    pii.reveal_checked(actor=actor, obj=person, field=field, purpose=purpose, masked=shown,
                       action=f"person.reveal_{field}")
    return pii.decrypt(token)


# --- retention --------------------------------------------------------------------------------


@transaction.atomic
def persons_purge_moved_out(*, actor, days: int | None = None, now=None) -> int:
    """PIPL retention: wipe personal data of people moved out (or deceased) longer than `days`.
    The row stays (visits and history point at it) but ID, phones, birth date and contacts go."""
    access.need_actor(actor)
    if not (access.is_system(actor) or access.may_at_all(actor, "retention", Person)):
        raise Forbidden()
    days = days if days is not None else getattr(settings, "PII_RETENTION_DAYS", 365 * 3)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    people = Person.objects.filter(status__in=[PersonStatus.MOVED_OUT, PersonStatus.DECEASED],
                                   status_changed_at__lt=cutoff, purged_at__isnull=True)
    ids = list(people.values_list("pk", flat=True))
    if not ids:
        return 0
    PersonPhone.objects.filter(person_id__in=ids).delete()
    from households.models import CareContact

    CareContact.objects.filter(person_id__in=ids).delete()
    FieldChange.objects.filter(person_id__in=ids, field__in=PII_FIELDS).update(old="", new="")
    Person.objects.filter(pk__in=ids).update(id_number_enc="", id_number_hash="", id_number_masked="", id_last4="",
                                             birth_date=None, user=None, purged_at=timezone.now())
    audit.record(actor=actor, action="person.retention_purge", data={"count": len(ids), "days": days})
    return len(ids)


def rotate_keys(batch: int = 2000) -> int:
    """Re-encrypt every personal value under the newest key (the `rotate_pii_keys` command)."""
    from households.models import Business, CareContact, Registration

    return (_rotate_model(Person, ["id_number_enc"], batch) + _rotate_model(PersonPhone, ["number_enc"], batch)
            + _rotate_model(CareContact, ["phone_enc"], batch)
            + _rotate_model(Registration, ["id_number_enc", "phone_enc"], batch)
            + _rotate_model(Business, ["owner_phone_enc"], batch))


def _rotate_model(model: type[_M], fields: list[str], batch: int) -> int:
    """One model's encrypted `fields`, `batch` rows per transaction, in pk order."""
    count = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(model._default_manager.filter(pk__gt=last).order_by("pk").select_for_update()[:batch])
            if not rows:
                break
            for row in rows:
                for f in fields:
                    setattr(row, f, pii.rotate(getattr(row, f)))
            model._default_manager.bulk_update(rows, fields)
            count += len(rows)
            last = rows[-1].pk
    return count
