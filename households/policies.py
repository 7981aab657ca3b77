"""Who may see and do what in the household files (ROLES.md, households column).

Staff are scoped by the `region_path` kept on every row (one indexed prefix filter).
Residents reach their own household through `owner`. Departments get narrow, masked views
through `public` (a per-user filter): 民政 the assistance groups of its district, 公安 the
rentals of its district. A care contact with an account reads the person they care for while
their CareContact row is active — that row is the one grant (no guardian copy to keep in step).

Actions beyond view/change/add:
  propose        file a change request          visit          log a visit
  approve        review change requests         verify         verify self-registrations
  reveal_phone   see a full phone number        reveal_id      see a full ID number
  import         upload files of persons        export         download 台账
  view_sensitive see sensitive tags (PIPL 28)    view_restricted see 重点人员
"""

from django.db.models import Q

from governance import access
from governance.roles import Role
from households.defaults import ASSISTANCE_GROUPS
from households.models import (
    Building,
    Business,
    CareContact,
    ChangeRequest,
    Compound,
    FireCheck,
    Household,
    ImportJob,
    Person,
    PersonTag,
    Registration,
    Rental,
    TagType,
    Unit,
    Visit,
    VisitRule,
)

GRID = (Role.GRID_WORKER, Role.GRID_LEADER, Role.MICROGRID_HEAD)
GRID_PERSON = {"view", "propose", "visit", "reveal_phone", "export"}
OFFICE = {"view", "change", "add", "propose", "approve", "verify", "import", "export", "visit",
          "reveal_phone", "reveal_id", "view_sensitive"}
DISTRICT = OFFICE | {"view_restricted", "retention", "delete"}

PERSON_RIGHTS = {
    **{r: GRID_PERSON for r in GRID},
    Role.COMMUNITY_STAFF: OFFICE,
    Role.STREET_OFFICER: {"view", "export"},
    Role.DISTRICT_ADMIN: DISTRICT,
}
PLACE_RIGHTS = {  # buildings, units, households, rentals, businesses
    **{r: {"view", "export", "visit"} for r in GRID},
    Role.COMMUNITY_STAFF: {"view", "change", "add", "export", "visit"},
    Role.STREET_OFFICER: {"view", "export"},
    Role.DISTRICT_ADMIN: {"view", "change", "add", "delete", "export"},
}



def _district_paths(user, code):
    """Region paths of the districts where `user` works for the department `code` (民政, 公安).
    A district is the root of the tree, so its path is "/<id>/" (no query)."""
    return [f"/{a.department.district_id}/" for a in user.active_assignments
            if a.role == Role.DEPARTMENT_STAFF and a.department_id and a.department.code == code]


def assistance_tags_q(user, prefix=""):
    """PersonTag rows 民政 staff may see: assistance groups in their district (None: not 民政)."""
    paths = _district_paths(user, "minzheng")
    if not paths:
        return None
    return Q(**{f"{prefix}tag__code__in": ASSISTANCE_GROUPS}) & access.paths_q(f"{prefix}person__region_path", paths)


def _assistance_persons(user):
    paths = _district_paths(user, "minzheng")
    if not paths:
        return None
    ids = PersonTag.objects.filter(tag__code__in=ASSISTANCE_GROUPS).values("person_id")
    return Q(pk__in=ids) & access.paths_q("region_path", paths)


def _own_household_ids(user):
    return Person.objects.filter(user=user, household__isnull=False).values("household_id")


def _is_resident(user) -> bool:
    """Residents hold the resident role (verification grants it), so staff queries carry no
    owner clause: their scope stays one indexed prefix filter."""
    return access.has_role(user, Role.RESIDENT)


def own_persons(user):
    if not _is_resident(user):
        return None
    return Q(user=user) | Q(household_id__in=_own_household_ids(user))


def cared_for(user):
    """Persons whose linked care contact `user` is (an active CareContact row is the one grant)."""
    if not user.is_authenticated:
        return None
    return Q(pk__in=CareContact.objects.filter(user=user, active=True).values("person_id"))


def _readers_beyond_staff(user):
    # 民政 reads the persons of assistance groups in its district; a care contact the person
    # they care for. Both only read.
    parts = [q for q in (_assistance_persons(user), cared_for(user)) if q is not None]
    if not parts:
        return None
    return parts[0] | parts[1] if len(parts) == 2 else parts[0]


access.register(Person, access.Policy(
    region_path="region_path", rights=PERSON_RIGHTS, owner=own_persons, owner_rights={"view", "propose"},
    public=_readers_beyond_staff))

access.register(Household, access.Policy(
    region_path="region_path", rights=PLACE_RIGHTS,
    owner=lambda u: Q(pk__in=_own_household_ids(u)) if _is_resident(u) else None))
access.register(Unit, access.Policy(
    region_path="region_path", rights=PLACE_RIGHTS,
    owner=lambda u: Q(households__in=_own_household_ids(u)) if _is_resident(u) else None))
# Object roles (Assignment.target): the trustee, trust supervisor and owners' committee of a
# compound read it and its buildings; a merchant reads their own business.
COMPOUND_ROLES = {Role.PROPERTY_TRUSTEE: {"view"}, Role.TRUST_SUPERVISOR: {"view"}, Role.OWNERS_COMMITTEE: {"view"}}
access.register(Compound, access.Policy(region_path="region_path", rights={**PLACE_RIGHTS, **COMPOUND_ROLES},
                                        target={"households.compound": "pk"}))
access.register(Building, access.Policy(region_path="region_path", rights={**PLACE_RIGHTS, **COMPOUND_ROLES},
                                        target={"households.compound": "compound_id"}))


def _gongan_rentals(user):
    paths = _district_paths(user, "gongan")
    return access.paths_q("region_path", paths) if paths else None


access.register(Rental, access.Policy(region_path="region_path", rights=PLACE_RIGHTS, public=_gongan_rentals))
BUSINESS_RIGHTS = {**PLACE_RIGHTS, Role.MERCHANT: {"view"},
                   Role.COMMUNITY_STAFF: PLACE_RIGHTS[Role.COMMUNITY_STAFF] | {"import"},
                   Role.DISTRICT_ADMIN: PLACE_RIGHTS[Role.DISTRICT_ADMIN] | {"import"}}
access.register(Business, access.Policy(region_path="region_path", rights=BUSINESS_RIGHTS,
                                        target={"households.business": "pk"}))
access.register(FireCheck, access.Policy(region_path="business__region_path", rights=PLACE_RIGHTS))

# Tags: "view" covers the non-sensitive groups; selectors.visible_tags_q adds the sensitive ones
# for roles with view_sensitive / view_restricted and 民政's assistance groups.
access.register(PersonTag, access.Policy(
    region_path="person__region_path",
    rights={**{r: {"view", "add", "change"} for r in GRID},
            Role.COMMUNITY_STAFF: {"view", "add", "change", "delete", "view_sensitive", "import"},
            Role.STREET_OFFICER: {"view"},
            Role.DISTRICT_ADMIN: {"view", "add", "change", "delete", "view_sensitive", "view_restricted", "import"}},
    public=assistance_tags_q))

# Group definitions and visit rules are district-wide configuration.
for _model in (TagType, VisitRule):
    access.register(_model, access.Policy(
        public=lambda u: Q() if access.works_in_back_office(u) else None,
        rights={**{r: {"view"} for r in (*GRID, Role.COMMUNITY_STAFF, Role.STREET_OFFICER)},
                Role.DISTRICT_ADMIN: {"view", "change", "add"}}))

access.register(Visit, access.Policy(
    region_path="region_path",
    rights={**{r: {"view", "add", "export"} for r in GRID}, Role.COMMUNITY_STAFF: {"view", "add", "export"},
            Role.STREET_OFFICER: {"view", "export"}, Role.DISTRICT_ADMIN: {"view", "export"}}))

access.register(ChangeRequest, access.Policy(
    region_path="region_path",
    rights={**{r: {"view", "add"} for r in GRID}, Role.COMMUNITY_STAFF: {"view", "add", "approve"},
            Role.STREET_OFFICER: {"view"}, Role.DISTRICT_ADMIN: {"view", "add", "approve"}},
    owner=lambda u: Q(created_by=u) if u.is_authenticated else None, owner_rights={"view", "submit"}))

access.register(Registration, access.Policy(
    region_path="region_path",
    rights={Role.COMMUNITY_STAFF: {"view", "verify"}, Role.DISTRICT_ADMIN: {"view", "verify"}},
    owner=lambda u: Q(user=u) if u.is_authenticated else None))

access.register(CareContact, access.Policy(
    region_path="region_path",
    rights={**{r: {"view"} for r in GRID}, Role.COMMUNITY_STAFF: {"view", "add", "change", "delete"},
            Role.DISTRICT_ADMIN: {"view", "add", "change", "delete"}},
    owner=lambda u: Q(person__in=Person.objects.filter(own_persons(u))) if _is_resident(u) else None,
    owner_rights={"view", "change", "delete"}))

access.register(ImportJob, access.Policy(
    region_path="region_path",
    rights={Role.COMMUNITY_STAFF: {"view", "add", "change"}, Role.DISTRICT_ADMIN: {"view", "add", "change"}}))
