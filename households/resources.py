"""The household files' lists for the core import pipeline (governance.imports): persons (an
office's 台账, deduplicated by the ID number's blind index, provenance "import") and special
groups from 民政/残联 lists (ID number and group, for persons already on file), and businesses and
places (实有单位) at the community's units."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import imports, pii
from households.models import (
    Business,
    FieldChange,
    FieldSource,
    Household,
    IdType,
    Person,
    PersonPhone,
    PersonTag,
    SourceKind,
    TagType,
    Unit,
)

# Header (as offices write it, or in English) → field.
HEADERS = {
    "姓名": "name", "name": "name", "证件类型": "id_type", "id_type": "id_type", "证件号码": "id_number",
    "身份证号": "id_number", "id_number": "id_number", "电话": "phone", "手机": "phone", "phone": "phone",
    "地址": "address", "address": "address", "楼号": "building", "building": "building", "单元": "entrance",
    "entrance": "entrance", "门牌号": "room", "room": "room", "户号": "household", "household": "household",
    "与户主关系": "relation", "relation": "relation",
}
ID_TYPE_NAMES = {"居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID, "港澳居民居住证": IdType.HK_MO_PERMIT,
                 "台湾居民居住证": IdType.TW_PERMIT, "外国人永久居留身份证": IdType.FOREIGN_PR, "护照": IdType.PASSPORT,
                 "港澳台居民来往内地通行证": IdType.TRAVEL_PERMIT, **{v: v for v in IdType.values}}
REQUIRED = ("name", "id_number", "address", "building", "room")
REQUIRED = ("name", "id_number", "address", "building", "room")

# One checked row: the row, its ID type, its validated ID and its unit; each None when check()
# reported an error for the row. In a plan without errors every row has all three (ReadyRow).
PlanRow = tuple[dict[str, str], str | None, pii.IdInfo | None, Unit | None]
ReadyRow = tuple[dict[str, str], str, pii.IdInfo, Unit]


def _units(region_path: str) -> dict[tuple[str, str, str, str], Unit]:
    units = Unit.objects.filter(region_path__startswith=region_path).select_related("building")
    return {(u.building.address, u.building.name, u.entrance, u.number): u for u in units}


class PersonResource(imports.Resource):
    key = "households.persons"
    label = gettext_lazy("Persons (台账)")
    headers = HEADERS
    required = REQUIRED
    model = Person

    def check(self, job, rows: list[dict[str, str]]) -> imports.Checked:
        """Every row against the rules and the file on record: the plan, the row report, the summary."""
        units = _units(job.region_path)
        seen: dict[str, int] = {}
        errors: list[dict] = []
        plan: list[PlanRow] = []
        existing: dict[str, None] = {}  # the ID keys of the file, in order
        for i, row in enumerate(rows, start=2):  # row 1 is the header
            def err(field, message, i=i):
                errors.append({"row": i, "field": field, "message": str(message)})

            for field in REQUIRED:
                if not row.get(field):
                    err(field, _("This field is required."))
            id_type = ID_TYPE_NAMES.get(row.get("id_type") or "居民身份证")
            if id_type is None:
                err("id_type", _("Unknown ID type."))
            info = None
            if row.get("id_number") and id_type:
                try:
                    info = pii.validate_id(id_type, row["id_number"])
                except ValidationError as e:
                    err("id_number", e.messages[0])
            if info:
                key = pii.blind_index(info.number, "id")
                if key in seen:
                    err("id_number", _("Duplicate of row %(row)s in this file.") % {"row": seen[key]})
                seen[key] = i
                existing[key] = None
            unit = units.get((row.get("address", ""), row.get("building", ""), row.get("entrance", ""), row.get("room", "")))
            if unit is None and row.get("address"):
                err("address", _("Unknown building or unit: %(a)s %(b)s %(e)s %(r)s") % {
                    "a": row.get("address"), "b": row.get("building"), "e": row.get("entrance", ""), "r": row.get("room")})
            if row.get("phone"):
                try:
                    pii.phone_kind(row["phone"])
                except ValidationError as e:
                    err("phone", e.messages[0])
            plan.append((row, id_type, info, unit))
            if i % imports.PROGRESS_EVERY == 0:
                imports.report_progress(job, i - 1)
        # Dedup against the file on record: persons already on file are updated, not duplicated,
        # provided they live in the importing community.
        keys = [k for k in existing]
        on_file = dict(Person.objects.filter(id_number_hash__in=keys).values_list("id_number_hash", "region_path"))
        for _row, _id_type, info, _unit in plan:
            if info:
                path = on_file.get(pii.blind_index(info.number, "id"))
                if path is not None and not path.startswith(job.region_path):
                    errors.append({"row": seen[pii.blind_index(info.number, "id")], "field": "id_number",
                                   "message": _("This person is on file in another community.")})
        updates = sum(1 for k in keys if k in on_file)
        return imports.Checked(plan, errors, {"rows": len(rows), "new": len(keys) - updates, "updates": updates,
                                              "errors": len(errors)})

    def write(self, job, plan: list[Any], *, actor, progress) -> None:
        """New persons go in bulk, 1,000 at a time; persons already on file are updated through the
        same service as a staff edit (history and provenance per field)."""
        from households.services.people import person_apply_changes

        plan = ready_plan(plan)
        ref = f"job {job.pk}"
        households = _households(plan, job)
        on_file = {p.id_number_hash: p for p in Person.objects.filter(
            id_number_hash__in=[pii.blind_index(info.number, "id") for _r, _t, info, _u in plan])}
        batch = []
        for n, (row, id_type, info, unit) in enumerate(plan, start=1):
            household = households[(unit.pk, row.get("household") or f"I{job.pk}-{unit.pk}")]
            person = on_file.get(pii.blind_index(info.number, "id"))
            if person is None:
                batch.append((row, id_type, info, household))
            else:
                changes = {"name": row["name"], "household": household.pk}
                if row.get("relation"):
                    changes["relation"] = row["relation"]
                if row.get("phone"):
                    changes["phone"] = row["phone"]
                person_apply_changes(person=person, changes=changes, kind=SourceKind.IMPORT, ref=ref, actor=actor)
            if len(batch) >= BATCH or n == len(plan):
                _create_persons(batch, ref=ref, actor=actor)
                batch = []
                progress(n)


BATCH = 1000


def _households(plan, job) -> dict:
    """(unit id, household number) → Household: the existing ones in one query, the missing ones in bulk."""
    keys = {(unit.pk, row.get("household") or f"I{job.pk}-{unit.pk}"): unit for row, _t, _i, unit in plan}
    found = {(h.unit_id, h.number): h for h in Household.objects.filter(
        unit_id__in={k[0] for k in keys}, number__in={k[1] for k in keys})}
    missing = [Household(unit_id=u_id, number=number, region_path=keys[(u_id, number)].region_path)
               for (u_id, number) in keys if (u_id, number) not in found]
    Household.objects.bulk_create(missing, batch_size=BATCH)
    found.update({(h.unit_id, h.number): h for h in Household.objects.filter(
        unit_id__in={k[0] for k in keys}, number__in={k[1] for k in keys})})
    return {k: found[k] for k in keys}


def _create_persons(rows, *, ref: str, actor) -> None:
    """New persons of one batch, with phones, provenance and history, in five bulk inserts."""
    persons, phones = [], []
    for row, id_type, info, household in rows:
        sealed = pii.seal_id(id_type, info.number)
        persons.append(Person(household=household, name=row["name"], relation=row.get("relation", ""),
                              id_type=id_type, id_number_enc=sealed.enc, id_number_hash=sealed.hash,
                              id_number_masked=sealed.masked, id_last4=sealed.last4, birth_date=info.birth_date,
                              sex=info.sex or "", region_path=household.region_path))
    Person.objects.bulk_create(persons, batch_size=BATCH)
    if any(p.pk is None for p in persons):  # a backend that does not return ids
        by_hash = dict(Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in persons])
                       .values_list("id_number_hash", "pk"))
        for p in persons:
            p.pk = by_hash[p.id_number_hash]
    sources, changes = [], []
    for person, (row, _t, _i, _h) in zip(persons, rows, strict=True):
        fields = {"name": person.name, "id_number": person.id_number_masked}
        if row.get("phone"):
            phone = pii.seal_phone(row["phone"])
            phones.append(PersonPhone(person=person, kind=phone.kind, number_enc=phone.enc, number_hash=phone.hash,
                                      masked=phone.masked, last4=phone.last4, primary=True))
            fields["phone"] = phone.masked
        for field, value in fields.items():
            sources.append(FieldSource(person=person, field=field, kind=SourceKind.IMPORT, ref=ref, actor=actor))
            changes.append(FieldChange(person=person, field=field, new=value[:200], kind=SourceKind.IMPORT, ref=ref,
                                       actor=actor))
    PersonPhone.objects.bulk_create(phones, batch_size=BATCH)
    FieldSource.objects.bulk_create(sources, batch_size=BATCH)
    FieldChange.objects.bulk_create(changes, batch_size=BATCH)


def ready_plan(plan: list[PlanRow]) -> list[ReadyRow]:
    """The plan of a file without errors: check() reports every row lacking an ID type, a valid ID or a unit."""
    ready: list[ReadyRow] = []
    for row, id_type, info, unit in plan:
        assert id_type is not None and info is not None and unit is not None, "check() reported an error for this row"
        ready.append((row, id_type, info, unit))
    return ready





PERSONS = imports.register(PersonResource())


# --- special groups from the lists of 民政 / 残联 --------------------------------------------------

TAG_HEADERS = {
    "证件号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "id_number": "id_number",
    "证件类型": "id_type", "id_type": "id_type", "姓名": "name", "name": "name", "类别": "group", "人群类别": "group",
    "标签": "group", "group": "group", "开始日期": "valid_from", "valid_from": "valid_from", "备注": "note", "note": "note",
}


class TagListResource(imports.Resource):
    """A list from 民政 (低保, 特困) or 残联 (持证残疾人): each row names a person on file in the
    community by ID number and the group they are in. Rows for persons not on file here are
    errors (the file is not for this community); a group the person is already in is counted,
    not added twice; a sensitive group needs an importer who may see it."""

    key = "households.tags"
    label = gettext_lazy("Special groups (民政 / 残联 lists)")
    headers = TAG_HEADERS
    required = ("id_number", "group")
    model = PersonTag

    def check(self, job, rows: list[dict[str, str]]) -> imports.Checked:
        import datetime as dt

        from households.selectors import may_see_tag

        groups = {}
        for t in TagType.objects.all():
            groups[t.code.lower()] = t
            groups[t.name] = t
        errors: list[dict] = []
        parsed = []
        for i, row in enumerate(rows, start=2):
            id_type = ID_TYPE_NAMES.get(row.get("id_type") or "居民身份证")
            info = None
            if id_type is None:
                imports.row_error(errors, i, "id_type", _("Unknown ID type."))
            else:
                try:
                    info = pii.validate_id(id_type, row.get("id_number", ""))
                except ValidationError as e:
                    imports.row_error(errors, i, "id_number", e.messages[0])
            tag = groups.get(row.get("group", "")) or groups.get(row.get("group", "").lower())
            if tag is None:
                imports.row_error(errors, i, "group", _("Unknown group: %(g)s") % {"g": row.get("group", "")})
            start = None
            if row.get("valid_from"):
                try:
                    start = dt.date.fromisoformat(row["valid_from"][:10])
                except ValueError:
                    imports.row_error(errors, i, "valid_from", _("Write the date as 2026-12-01."))
            parsed.append((i, row, info, tag, start))
        keys = {pii.blind_index(info.number, "id") for _i, _r, info, _t, _s in parsed if info}
        persons = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=keys,
                                                                      region_path__startswith=job.region_path)}
        today = timezone.localdate()
        active = set(PersonTag.objects.filter(person__in=persons.values()).filter(
            valid_from__lte=today).exclude(valid_until__lt=today).values_list("person_id", "tag_id"))
        plan: list[tuple] = []
        seen: dict[tuple[int, int], int] = {}
        already = 0
        for i, row, info, tag, start in parsed:
            if info is None or tag is None:
                continue
            person = persons.get(pii.blind_index(info.number, "id"))
            if person is None:
                imports.row_error(errors, i, "id_number", _("No person with this ID number is on file in this community."))
                continue
            if row.get("name") and row["name"] != person.name:
                imports.row_error(errors, i, "name", _("The name differs from the file (%(name)s).") % {"name": person.name})
                continue
            if not may_see_tag(job.created_by, tag, person):
                imports.row_error(errors, i, "group", _("Your role may not record this group."))
                continue
            if (person.pk, tag.pk) in seen:
                imports.row_error(errors, i, "id_number",
                                  _("Duplicate of row %(row)s in this file.") % {"row": seen[(person.pk, tag.pk)]})
                continue
            seen[(person.pk, tag.pk)] = i
            if (person.pk, tag.pk) in active:
                already += 1
                continue
            plan.append((person, tag, start, row.get("note", "")))
        return imports.Checked(plan, errors, {"rows": len(rows), "new": len(plan), "already": already,
                                              "errors": len(errors)})

    def write(self, job, plan: list[Any], *, actor, progress) -> None:
        from households.services.people import person_tag_add

        for n, (person, tag, start, note) in enumerate(plan, start=1):
            person_tag_add(person=person, tag=tag, actor=actor, source=f"import job {job.pk}" + (f": {note}" if note else ""),
                           valid_from=start)
            if n % imports.PROGRESS_EVERY == 0 or n == len(plan):
                progress(n)


TAGS = imports.register(TagListResource())


# --- businesses and places (实有单位) ------------------------------------------------------------

BUSINESS_HEADERS = {
    "名称": "name", "单位名称": "name", "name": "name", "类型": "kind", "kind": "kind", "地址": "address",
    "address": "address", "楼号": "building", "building": "building", "单元": "entrance", "entrance": "entrance",
    "门牌号": "room", "room": "room", "负责人": "owner_name", "owner_name": "owner_name", "电话": "owner_phone",
    "owner_phone": "owner_phone", "营业执照号": "licence_number", "统一社会信用代码": "licence_number",
    "licence_number": "licence_number", "从业人数": "employees", "employees": "employees",
}
BUSINESS_KINDS = {"商铺": "shop", "九小场所": "nine_small", "作坊": "workshop", "办公": "office", "其他": "other"}


class BusinessListResource(imports.Resource):
    """实有单位 from a street's or 市场监管's list: each at a unit of the community; a business
    already on file at that unit under that name (or with that licence number) is not added twice."""

    key = "households.businesses"
    label = gettext_lazy("Businesses and places (实有单位)")
    headers = BUSINESS_HEADERS
    required = ("name", "address", "building", "room", "owner_name")
    model = Business

    def check(self, job, rows: list[dict[str, str]]) -> imports.Checked:
        from households.models import BusinessKind

        units = _units(job.region_path)
        on_file = {(b.unit_id, b.name) for b in Business.objects.filter(region_path__startswith=job.region_path)}
        licences = set(Business.objects.exclude(licence_number="").values_list("licence_number", flat=True))
        errors: list[dict] = []
        plan: list[tuple] = []
        seen: dict[tuple, int] = {}
        already = 0
        for i, row in enumerate(rows, start=2):
            problems = len(errors)
            for f in self.required:
                if not row.get(f):
                    imports.row_error(errors, i, f, _("This field is required."))
            kind = BUSINESS_KINDS.get(row.get("kind", ""), row.get("kind") or "shop")
            if kind not in BusinessKind.values:
                imports.row_error(errors, i, "kind", _("Unknown kind: %(k)s") % {"k": row.get("kind")})
            unit = units.get((row.get("address", ""), row.get("building", ""), row.get("entrance", ""),
                              row.get("room", "")))
            if unit is None and row.get("address"):
                imports.row_error(errors, i, "address", _("Unknown building or unit: %(a)s %(b)s %(e)s %(r)s") % {
                    "a": row.get("address"), "b": row.get("building"), "e": row.get("entrance", ""),
                    "r": row.get("room")})
            if row.get("owner_phone"):
                try:
                    pii.phone_kind(row["owner_phone"])
                except ValidationError as e:
                    imports.row_error(errors, i, "owner_phone", e.messages[0])
            employees = row.get("employees") or "0"
            if not employees.isdigit() or int(employees) > 100000:
                imports.row_error(errors, i, "employees", _("Write a whole number."))
                employees = "0"
            if len(errors) > problems or unit is None:
                continue
            key = (unit.pk, row["name"])
            if key in seen:
                imports.row_error(errors, i, "name",
                                  _("Duplicate of row %(row)s in this file.") % {"row": seen[key]})
                continue
            seen[key] = i
            if key in on_file or (row.get("licence_number") and row["licence_number"] in licences):
                already += 1
                continue
            plan.append((row, unit, kind, int(employees)))
        return imports.Checked(plan, errors, {"rows": len(rows), "new": len(plan), "already": already,
                                              "errors": len(errors)})

    def write(self, job, plan: list[Any], *, actor, progress) -> None:
        from households.services.places import business_create

        for n, (row, unit, kind, employees) in enumerate(plan, start=1):
            business_create(unit=unit, name=row["name"], kind=kind, owner_name=row["owner_name"], actor=actor,
                            owner_phone=row.get("owner_phone", ""), licence_number=row.get("licence_number", ""),
                            employees=employees)
            if n % imports.PROGRESS_EVERY == 0 or n == len(plan):
                progress(n)


BUSINESSES = imports.register(BusinessListResource())
