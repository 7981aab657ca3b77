"""Who may see and do what with care data (ROLES.md): staff by the home's region; care contacts
(and the watched person) see only the alerts and away periods of the persons they care for."""

from django.db.models import Q

from governance import access
from governance.roles import Role
from households.care.models import Alert, AwayFlag, CareSettings, Consent, EscalationStep, Meter

R = Role
FIELD_STAFF = (R.GRID_WORKER, R.GRID_LEADER, R.MICROGRID_HEAD)


def persons_cared_for(user):
    """Persons `user` may follow: their own person, and those they are an active care contact of
    (the CareContact row is the one grant, households.policies.cared_for)."""
    from households.models import Person
    from households.policies import cared_for

    return Person.objects.filter(Q(user=user) | cared_for(user))


def _persons_cared_for(user):
    return Q(person_id__in=persons_cared_for(user).values("pk"))


ACT = {"view", "act"}
access.register(Alert, access.Policy(
    region_path="region_path",
    rights={**{r: ACT for r in FIELD_STAFF}, R.COMMUNITY_STAFF: ACT, R.STREET_OFFICER: ACT, R.DISTRICT_ADMIN: ACT},
    owner=_persons_cared_for, owner_rights={"view"},
))

access.register(AwayFlag, access.Policy(
    region_path="region_path",
    rights={**{r: {"view", "add", "change"} for r in FIELD_STAFF}, R.COMMUNITY_STAFF: {"view", "add", "change"},
            R.STREET_OFFICER: {"view", "add", "change"}, R.DISTRICT_ADMIN: {"view", "add", "change"}},
    owner=_persons_cared_for, owner_rights={"view", "add", "change"},
))

access.register(Consent, access.Policy(
    region_path="region_path",
    rights={**{r: {"view"} for r in FIELD_STAFF}, R.COMMUNITY_STAFF: {"view", "add", "change"},
            R.STREET_OFFICER: {"view"}, R.DISTRICT_ADMIN: {"view", "add", "change"}},
))

access.register(Meter, access.Policy(
    region_path="region_path", department="utility_id",
    rights={**{r: {"view"} for r in FIELD_STAFF}, R.COMMUNITY_STAFF: {"view", "add", "change"},
            R.STREET_OFFICER: {"view"}, R.DISTRICT_ADMIN: {"view", "add", "change"}, R.DEPARTMENT_STAFF: {"view"}},
))

for _model in (CareSettings, EscalationStep):
    access.register(_model, access.Policy(
        region_path="district__path",
        rights={R.DISTRICT_ADMIN: {"view", "change", "add"}},  # district-wide: the district admin's
    ))
