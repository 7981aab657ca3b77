"""Who may see and do what with the core's own models (ROLES.md)."""

from django.db.models import Q

from governance import access
from governance.models import AuditEvent, Department, Holiday, HolidayYear, OfficeHours, Region
from governance.roles import Role

STAFF_VIEW = {r: {"view"} for r in (Role.GRID_WORKER, Role.GRID_LEADER, Role.MICROGRID_HEAD, Role.COMMUNITY_STAFF,
                                     Role.STREET_OFFICER, Role.COUNCIL_MEMBER)}


def _regions_of_residents(user):
    # A resident (and anyone with an object role) sees the regions they are assigned in.
    ids = [a.region_id for a in user.active_assignments if a.region_id]
    return Q(pk__in=ids) if ids else None


access.register(
    Region,
    access.Policy(
        region_path="path",
        rights={**STAFF_VIEW, Role.DISTRICT_ADMIN: {"view", "change", "add"}},
        owner=_regions_of_residents,
    ),
)


def _departments_in_district(user):
    # Everyone at work sees the district's department list (to route, to summon).
    paths = [a.region.path for a in user.active_assignments if a.region_id]
    dept_ids = [a.department_id for a in user.active_assignments if a.department_id]
    q = Q(pk__in=dept_ids)
    for p in paths:
        q |= Q(district__path=f"/{p.split('/')[1]}/")
    return q


access.register(
    Department,
    access.Policy(
        region_path="district__path",
        department="pk",
        rights={**STAFF_VIEW, Role.DISTRICT_ADMIN: {"view", "change", "add"}, Role.DEPARTMENT_STAFF: {"view"}},
        public=_departments_in_district,
    ),
)


# The audit trail: district administrators read their district's events (append-only: nobody
# changes them, see AuditEventAdmin).
access.register(AuditEvent, access.Policy(region_path="region_path", rights={Role.DISTRICT_ADMIN: {"view"}}))

# The working-day calendar is national: the district's administrators keep all of it.
for _model in (Holiday, HolidayYear, OfficeHours):
    access.register(_model, access.Policy(everywhere=True, rights={Role.DISTRICT_ADMIN: {"view", "change", "add", "delete"}}))
