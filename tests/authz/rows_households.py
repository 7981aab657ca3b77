"""Matrix rows for the household files (ROLES.md, households column), incl. sensitive-tag routes:
民政 (qian_department) reaches the 低保 person masked, 城管 (sun_department) does not."""

import datetime as dt

from governance import access
from tests.authz.matrix import Row, admin_rows


def _data(world):
    """A person under 低保 + 独居老人 in grid A1 (wang_resident's household), one in community B,
    and around them a visit, a change request, a registration, a rental, a contact, an import job."""
    from django.core.files.base import ContentFile

    from governance import pii
    from households.defaults import load_special_groups
    from households.models import ImportJob, Person, Registration, TagType, VisitRule
    from households.services import (
        building_create,
        business_create,
        care_contact_add,
        change_request_create,
        household_create,
        person_create,
        person_tag_add,
        rental_create,
        unit_create,
        visit_log,
    )

    found = Person.objects.filter(name="矩阵张桂英").first()
    if found is not None:
        return _named(found)
    load_special_groups(TagType, VisitRule)
    tags = {t.code: t for t in TagType.objects.all()}

    def ident(seq):
        body = f"11010519500301{seq:03d}"
        return body + pii.gb11643_check_char(body)

    b = building_create(grid=world.grids[0], name="1号楼", address="和平里东街1号", actor=access.system())
    u = unit_create(building=b, entrance="1", number="101", actor=access.system())
    h = household_create(unit=u, number="H101", actor=access.system())
    p = person_create(household=h, name="矩阵张桂英", id_number=ident(2), phones=["13912345678"], actor=access.system())
    person_create(household=h, name="王秀兰", id_number=ident(4), actor=access.system(), user=world.users["wang_resident"])
    person_tag_add(person=p, tag=tags["dibao"], actor=access.system())
    person_tag_add(person=p, tag=tags["elderly_alone"], actor=access.system())
    bb = building_create(grid=world.grids[6], name="2号楼", address="安华西里2号", actor=access.system())
    hb = household_create(unit=unit_create(building=bb, number="201", actor=access.system()), number="H201", actor=access.system())
    person_create(household=hb, name="矩阵冯建华", id_number=ident(6), actor=access.system(), user=world.users["feng_resident"])
    visit_log(actor=world.users["li_gridworker"], person=p, findings="良好")
    change_request_create(person=p, changes={"relation": "户主"}, actor=world.users["wang_resident"])
    from governance.models import User

    newcomer = User.objects.create_user(username="matrix_newcomer", password="x")
    Registration.objects.create(user=newcomer, name="唐", id_number_enc=pii.encrypt(ident(8)),
                                id_number_hash=pii.id_index(ident(8)), id_number_masked=pii.mask_id(ident(8)),
                                phone_enc=pii.encrypt("13800000010"), phone_masked="138****0010", unit=u,
                                region_path=u.region_path)
    rental_create(unit=u, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), actor=access.system())
    care_contact_add(person=p, name="张丽", relation="女儿", phone="13700001111", actor=access.system())
    business_create(unit=u, name="便民超市", kind="shop", owner_name="徐老板", actor=access.system())
    ImportJob.objects.create(file=ContentFile(b"name\n", name="x.csv"), original_name="x.csv",
                             region=world.communities[0], region_path=world.communities[0].path,
                             created_by=world.users["zhao_community"])
    return _named(p)


def _named(p):
    from households.models import Person

    return {"person": p, "person_b": Person.objects.get(name="矩阵冯建华"), "household": p.household,
            "unit": p.household.unit, "building": p.household.unit.building, "visit": p.visits.first(),
            "cr": p.change_requests.first(), "reg": p.household.unit.registrations.first(),
            "rental": p.household.unit.rentals.first(), "contact": p.care_contacts.first(),
            "business": p.household.unit.businesses.first(),
            "import": __import__("households.models", fromlist=["ImportJob"]).ImportJob.objects.first()}


def _obj(key):
    return lambda w: _data(w)[key]


def _tag(code):
    def get(w):
        from households.defaults import load_special_groups
        from households.models import TagType, VisitRule

        load_special_groups(TagType, VisitRule)
        return TagType.objects.get(code=code)
    return get


def _rule(w):
    from households.models import VisitRule

    return VisitRule.objects.get(tag=_tag("elderly_alone")(w))


OBJECTS = {f"hh_{k}": _obj(k) for k in ("person", "person_b", "household", "unit", "building", "visit", "cr", "reg",
                                         "rental", "contact", "business", "import")}
OBJECTS["hh_tagtype"] = _tag("dibao")
OBJECTS["hh_visitrule"] = _rule

API = "api:households:"
REVEAL_PHONE = {"field": "phone", "purpose": "联系家属"}
REVEAL_ID = {"field": "id_number", "purpose": "核对低保"}

ROWS = [
    # persons
    Row(API + "person-list", None, 401),
    *[Row(API + "person-list", p, 200) for p in ("li_gridworker", "qian_department", "sun_department", "wang_resident")],
    Row(API + "person-detail", "li_gridworker", 200, obj="hh_person"),
    Row(API + "person-detail", "wu_gridworker", 404, obj="hh_person"),
    Row(API + "person-detail", "zhao_community", 200, obj="hh_person"),
    Row(API + "person-detail", "chen_street", 200, obj="hh_person"),
    Row(API + "person-detail", "zhou_outsider", 404, obj="hh_person"),
    Row(API + "person-detail", "qian_department", 200, obj="hh_person", note="民政: assistance group, masked"),
    Row(API + "person-detail", "sun_department", 404, obj="hh_person", note="城管: no household files"),
    Row(API + "person-detail", "wang_resident", 200, obj="hh_person", note="own household"),
    Row(API + "person-detail", "feng_resident", 404, obj="hh_person"),
    Row(API + "person-detail", "he_community", 200, obj="hh_person_b"),
    Row(API + "person-detail", None, 401, obj="hh_person"),
    # reveal: community staff ID and phone; grid worker phone only; street view only
    Row(API + "person-reveal", None, 401, obj="hh_person", method="post", data=REVEAL_PHONE),
    Row(API + "person-reveal", "li_gridworker", 200, obj="hh_person", method="post", data=REVEAL_PHONE),
    Row(API + "person-reveal", "li_gridworker", 403, obj="hh_person", method="post", data=REVEAL_ID),
    Row(API + "person-reveal", "zhao_community", 200, obj="hh_person", method="post", data=REVEAL_ID),
    Row(API + "person-reveal", "liu_district", 200, obj="hh_person", method="post", data=REVEAL_ID),
    Row(API + "person-reveal", "wu_gridworker", 404, obj="hh_person", method="post", data=REVEAL_PHONE),
    Row(API + "person-reveal", "chen_street", 403, obj="hh_person", method="post", data=REVEAL_PHONE),
    Row(API + "person-reveal", "qian_department", 403, obj="hh_person", method="post", data=REVEAL_ID),
    Row(API + "person-reveal", "wang_resident", 403, obj="hh_person", method="post", data=REVEAL_PHONE),
    # special groups on a person: grid workers record the ordinary ones, community staff the sensitive ones
    Row(API + "person-tags", None, 401, obj="hh_person", method="post", data={"tag": "veteran"}),
    Row(API + "person-tags", "li_gridworker", 201, obj="hh_person", method="post", data={"tag": "veteran"}),
    Row(API + "person-tags", "li_gridworker", 403, obj="hh_person", method="post", data={"tag": "tekun"}),
    Row(API + "person-tags", "zhao_community", 201, obj="hh_person", method="post", data={"tag": "tekun"}),
    Row(API + "person-tags", "wu_gridworker", 404, obj="hh_person", method="post", data={"tag": "veteran"}),
    Row(API + "person-tags", "chen_street", 403, obj="hh_person", method="post", data={"tag": "veteran"}),
    Row(API + "person-tags", "wang_resident", 403, obj="hh_person", method="post", data={"tag": "veteran"}),
    Row(API + "person-tags", "qian_department", 403, obj="hh_person", method="post", data={"tag": "dibao"}),
    Row(API + "person-end-tag", "li_gridworker", 404, obj="hh_person", method="post", data={"tag_id": 0}),
    Row(API + "person-end-tag", "wu_gridworker", 404, obj="hh_person", method="post", data={"tag_id": 0}),
    # households
    Row(API + "household-list", None, 401),
    Row(API + "household-list", "li_gridworker", 200),
    Row(API + "household-detail", "li_gridworker", 200, obj="hh_household"),
    Row(API + "household-detail", "wu_gridworker", 404, obj="hh_household"),
    Row(API + "household-detail", "wang_resident", 200, obj="hh_household"),
    Row(API + "household-detail", "feng_resident", 404, obj="hh_household"),
    Row(API + "household-detail", "sun_department", 404, obj="hh_household"),
    # visits
    Row(API + "visit-list", None, 401),
    Row(API + "visit-list", "li_gridworker", 200),
    Row(API + "visit-list", "li_gridworker", 400, method="post", data={"findings": "ok"},
        note="allowed in, refused for no person (the 201 is in tests/households/test_api.py)"),
    Row(API + "visit-detail", "li_gridworker", 200, obj="hh_visit"),
    Row(API + "visit-detail", "wu_gridworker", 404, obj="hh_visit"),
    Row(API + "visit-detail", "wang_resident", 404, obj="hh_visit"),
    Row(API + "due-visits", None, 401),
    Row(API + "due-visits", "li_gridworker", 200),
    Row(API + "visit-rates", None, 401),
    Row(API + "visit-rates", "li_gridworker", 200),
    Row(API + "visit-rates", "wang_resident", 403),
    Row(API + "visit-rates", "sun_department", 403),
    Row(API + "group-counts", None, 401),
    Row(API + "group-counts", "chen_street", 200),
    Row(API + "group-counts", "sun_department", 403),
    # change requests
    Row(API + "changerequest-list", None, 401),
    Row(API + "changerequest-list", "zhao_community", 200),
    Row(API + "changerequest-detail", "zhao_community", 200, obj="hh_cr"),
    Row(API + "changerequest-detail", "he_community", 404, obj="hh_cr"),
    Row(API + "changerequest-detail", "wang_resident", 200, obj="hh_cr", note="own request"),
    Row(API + "changerequest-approve", "zhao_community", 200, obj="hh_cr", method="post"),
    Row(API + "changerequest-approve", "li_gridworker", 403, obj="hh_cr", method="post"),
    Row(API + "changerequest-approve", "wang_resident", 403, obj="hh_cr", method="post"),
    Row(API + "changerequest-approve", "he_community", 404, obj="hh_cr", method="post"),
    Row(API + "changerequest-decline", "zhao_community", 200, obj="hh_cr", method="post", data={"reason": "不符"}),
    Row(API + "changerequest-decline", "li_gridworker", 403, obj="hh_cr", method="post", data={"reason": "不符"}),
    # registrations
    Row(API + "registration-list", None, 401),
    Row(API + "registration-list", "zhao_community", 200),
    Row(API + "registration-detail", "zhao_community", 200, obj="hh_reg"),
    Row(API + "registration-detail", "li_gridworker", 404, obj="hh_reg"),
    Row(API + "registration-detail", "he_community", 404, obj="hh_reg"),
    Row(API + "registration-verify", "zhao_community", 200, obj="hh_reg", method="post"),
    Row(API + "registration-verify", "he_community", 404, obj="hh_reg", method="post"),
    Row(API + "registration-decline", "zhao_community", 200, obj="hh_reg", method="post", data={"reason": "不符"}),
    Row(API + "registration-decline", "wang_resident", 404, obj="hh_reg", method="post", data={"reason": "不符"}),
    # rentals (公安 sees its district's rentals; 城管 none)
    Row(API + "rental-list", None, 401),
    Row(API + "rental-list", "zhao_community", 200),
    Row(API + "rental-detail", "li_gridworker", 200, obj="hh_rental"),
    Row(API + "rental-detail", "zhou_outsider", 404, obj="hh_rental"),
    Row(API + "rental-detail", "sun_department", 404, obj="hh_rental"),
    Row(API + "rental-detail", "qian_department", 404, obj="hh_rental"),
    Row(API + "registration-gaps", None, 401),
    Row(API + "registration-gaps", "zhao_community", 200),
    Row(API + "registration-gaps", "wang_resident", 403),
    # businesses and fire checks
    Row(API + "business-list", None, 401),
    Row(API + "business-list", "li_gridworker", 200),
    Row(API + "business-detail", "li_gridworker", 200, obj="hh_business"),
    Row(API + "business-detail", "wu_gridworker", 404, obj="hh_business"),
    Row(API + "business-detail", "wang_resident", 404, obj="hh_business"),
    Row(API + "business-fire-check", "li_gridworker", 201, obj="hh_business", method="post", data={"result": "passed"}),
    Row(API + "business-fire-check", "chen_street", 403, obj="hh_business", method="post", data={"result": "passed"}),
    Row(API + "business-fire-check", "wu_gridworker", 404, obj="hh_business", method="post", data={"result": "passed"}),
    # care contacts
    Row(API + "carecontact-list", None, 401),
    Row(API + "carecontact-list", "wang_resident", 200),
    Row(API + "carecontact-detail", "wang_resident", 200, obj="hh_contact"),
    Row(API + "carecontact-detail", "feng_resident", 404, obj="hh_contact"),
    Row(API + "carecontact-detail", "li_gridworker", 200, obj="hh_contact"),
    Row(API + "carecontact-detail", "li_gridworker", 403, obj="hh_contact", method="delete"),
    Row(API + "carecontact-detail", "wang_resident", 204, obj="hh_contact", method="delete"),
    # imports
    Row(API + "importjob-list", None, 401),
    Row(API + "importjob-list", "zhao_community", 200),
    Row(API + "importjob-detail", "zhao_community", 200, obj="hh_import"),
    Row(API + "importjob-detail", "li_gridworker", 404, obj="hh_import"),
    Row(API + "importjob-detail", "he_community", 404, obj="hh_import"),
    Row(API + "importjob-apply", "zhao_community", 409, obj="hh_import", method="post", note="not checked yet"),
    Row(API + "importjob-apply", "he_community", 404, obj="hh_import", method="post"),
    # 台账 exports
    Row(API + "export", None, 401, kwargs=(("kind", "rentals"),)),
    Row(API + "export", "zhao_community", 200, kwargs=(("kind", "special_groups"),)),
    Row(API + "export", "li_gridworker", 200, kwargs=(("kind", "visits"),)),
    Row(API + "export", "chen_street", 200, kwargs=(("kind", "businesses"),)),
    Row(API + "export", "wang_resident", 403, kwargs=(("kind", "rentals"),)),
    Row(API + "export", "sun_department", 403, kwargs=(("kind", "special_groups"),)),
    # staff pages and portal
    Row("households:staff", None, 302),
    Row("households:staff", "wang_resident", 403),
    Row("households:staff", "li_gridworker", 200),
    Row("households:staff", "zhao_community", 200),
    Row("households:visit_log", "li_gridworker", 200, obj="hh_person"),
    Row("households:visit_log", "wu_gridworker", 404, obj="hh_person"),
    Row("households:visit_log", "chen_street", 403, obj="hh_person", note="street officers view, not visit"),
    Row("households:visit_log", "wang_resident", 403, obj="hh_person"),
    Row("households:visit_log", None, 302, obj="hh_person"),
    Row("households:mine", None, 302),
    Row("households:mine", "zhou_outsider", 302, note="no household file yet: sent to the registration page"),
    Row("households:import_upload", None, 302),
    Row("households:import_upload", "zhao_community", 200),
    Row("households:import_upload", "li_gridworker", 403),
    Row("households:import_upload", "wang_resident", 403),
    Row("households:import_job", "zhao_community", 200, obj="hh_import"),
    Row("households:import_job", "he_community", 404, obj="hh_import"),
    Row("households:import_job", "li_gridworker", 404, obj="hh_import"),
    Row("households:import_job", None, 302, obj="hh_import"),
    # admin import (django-import-export) — community staff only
    Row("admin:households_person_import", "zhao_community", 200),
    Row("admin:households_person_import", "li_gridworker", 403),
    Row("admin:households_person_import", "wang_resident", 302),
    Row("admin:households_person_process_import", "li_gridworker", 403, method="post"),
    Row("admin:households_person_process_import", "zhao_community", 200, method="post",
        note="an empty confirm form is shown again with its errors"),
    Row("households:register", None, 302),
    Row("households:register", "zhou_outsider", 200),
]

# Admin: grid worker (scoped view), out-of-scope twin, community staff (change), resident (no back office).
for model, key in (("person", "hh_person"), ("household", "hh_household"), ("unit", "hh_unit"),
                   ("building", "hh_building"), ("rental", "hh_rental"), ("business", "hh_business")):
    ROWS += admin_rows(f"households_{model}", "li_gridworker", obj=key, changelist=200, add=403, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "wu_gridworker", obj=key, changelist=200, add=403, change=404,
                       delete=404, history=404)
    ROWS += admin_rows(f"households_{model}", "zhao_community", obj=key, changelist=200, add=200, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "wang_resident", obj=key, changelist=302, add=302, change=302,
                       delete=302, history=302)
for model, key in (("visit", "hh_visit"), ("carecontact", "hh_contact")):
    ROWS += admin_rows(f"households_{model}", "li_gridworker", obj=key, changelist=200, add=403, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "wu_gridworker", obj=key, changelist=200, add=403, change=404,
                       delete=404, history=404)
for model, key in (("changerequest", "hh_cr"), ("registration", "hh_reg"), ("importjob", "hh_import")):
    ROWS += admin_rows(f"households_{model}", "zhao_community", obj=key, changelist=200, add=403, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "he_community", obj=key, changelist=200, add=403, change=404,
                       delete=404, history=404)
    ROWS += admin_rows(f"households_{model}", "sun_department", obj=key, changelist=403, add=403)
for model, key in (("tagtype", "hh_tagtype"), ("visitrule", "hh_visitrule")):
    ROWS += admin_rows(f"households_{model}", "liu_district", obj=key, changelist=200, add=200, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "li_gridworker", obj=key, changelist=200, add=403, change=200,
                       delete=403, history=200)
    ROWS += admin_rows(f"households_{model}", "wang_resident", obj=key, changelist=302, add=302)
