"""The roles of ROLES.md and how each one is scoped.

A role says *how far* a user sees (a region subtree, a department, their own
things); what a role may *do* with each model is in that app's `policies.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    MICROGRID_HEAD = "microgrid_head", _("Micro-grid head (楼栋长)")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    MERCHANT = "merchant", _("Merchant")
    PROPERTY_TRUSTEE = "property_trustee", _("Property trustee")
    TRUST_SUPERVISOR = "trust_supervisor", _("Trust supervisor (监察人)")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    COUNCIL_MEMBER = "council_member", _("Council member")


# Roles whose scope is the subtree of their assignment's region.
REGION_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.GRID_LEADER,
        Role.MICROGRID_HEAD,
        Role.COMMUNITY_STAFF,
        Role.STREET_OFFICER,
        Role.DISTRICT_ADMIN,
        Role.COUNCIL_MEMBER,
    }
)
# Roles whose scope is their department.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_STAFF})
# Roles that work in the back office (admin, staff pages).
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.GRID_LEADER,
        Role.MICROGRID_HEAD,
        Role.COMMUNITY_STAFF,
        Role.STREET_OFFICER,
        Role.DISTRICT_ADMIN,
        Role.DEPARTMENT_STAFF,
    }
)
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.MICROGRID_HEAD})

# Which region level each region role is assigned at (validated on Assignment).
ROLE_LEVELS: dict[str, set[str]] = {  # Role -> RegionLevel values
    Role.GRID_WORKER: {"grid"},
    Role.GRID_LEADER: {"grid"},
    Role.MICROGRID_HEAD: {"microgrid"},
    Role.COMMUNITY_STAFF: {"community"},
    Role.STREET_OFFICER: {"street"},
    Role.DISTRICT_ADMIN: {"district"},
    Role.COUNCIL_MEMBER: {"community"},
    Role.RESIDENT: {"community", "grid", "microgrid"},
}
