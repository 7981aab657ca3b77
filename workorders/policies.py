"""Who may see and do what with work orders (ROLES.md "work orders").

Scope: staff by the order's location (`region_path`, the grid), departments by the
department the order is routed to, residents by their own reports. Within scope,
handler-only steps (start, handle, send back, extension/park/appeal requests) are
further limited to whoever the order is assigned to: services.ensure_handler."""

from django.db.models import Q

from governance import access
from governance.roles import Role
from workorders.models import (
    Category,
    DutyRoster,
    OrderApplication,
    RequestType,
    RoutingRule,
    WorkOrder,
    WorkorderRules,
)

HANDLER = {"view", "start", "handle", "send_back", "extension_request", "park_request", "photo"}
DISPATCHER = {"view", "report", "accept", "reject", "dispatch", "verify", "rework", "merge", "followup",
              "change_urgency", "reveal", "extension_decide", "photo"}
GRID = {"view", "report", "start", "handle", "send_back", "extension_request", "park_request", "photo"}

ORDER_RIGHTS = {
    Role.GRID_WORKER: GRID,
    Role.GRID_LEADER: GRID | {"followup"},
    Role.MICROGRID_HEAD: {"view"},
    Role.COMMUNITY_STAFF: DISPATCHER | HANDLER,
    # Departments are the street's to summon; a community dispatches to its grid workers only.
    Role.STREET_OFFICER: DISPATCHER | HANDLER | {"park_decide", "appeal_request", "appeal_decide", "supervise",
                                                 "dispatch_department"},
    Role.DISTRICT_ADMIN: {access.ALL},
    Role.DEPARTMENT_STAFF: HANDLER | {"appeal_request", "report"},
}


def _own_reports(user):
    # Staff see their area's orders by scope; OR-ing "reporter = me" into every staff list
    # would stop PostgreSQL from using the region index, so only residents get the clause.
    if access.has_role(user, Role.RESIDENT) or not access.assignments(user):
        return Q(reporter=user)
    return None


access.register(
    WorkOrder,
    access.Policy(
        region_path="region_path",
        department="assigned_department_id",
        owner=_own_reports,
        rights=ORDER_RIGHTS,
        owner_rights={"view", "reopen", "answer_followup", "photo"},
    ),
)

_CONFIG_VIEW = {r: {"view"} for r in (Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_OFFICER)}


def _everyone(user):
    return Q()


# Categories and request types are reference data everyone may read (the report form);
# the district configures them.
for _model in (Category, RequestType):
    # Reference data has no region: the district's administrators configure all of it.
    access.register(_model, access.Policy(
        everywhere=True, rights={**_CONFIG_VIEW, Role.DISTRICT_ADMIN: {"view", "change", "add", "delete"}},
        public=_everyone))

access.register(RoutingRule, access.Policy(
    region_path="region_path",
    rights={Role.STREET_OFFICER: {"view"}, Role.COMMUNITY_STAFF: {"view"},
            Role.DISTRICT_ADMIN: {"view", "change", "add", "delete"}}))

access.register(DutyRoster, access.Policy(
    region_path="region_path",
    rights={Role.GRID_WORKER: {"view"}, Role.GRID_LEADER: {"view", "change", "add", "delete"},
            Role.COMMUNITY_STAFF: {"view", "change", "add", "delete"},
            Role.STREET_OFFICER: {"view", "change", "add", "delete"},
            Role.DISTRICT_ADMIN: {"view", "change", "add", "delete"}}))

access.register(OrderApplication, access.Policy(
    region_path="order__region_path",
    department="order__assigned_department_id",
    rights={Role.GRID_WORKER: {"view"}, Role.GRID_LEADER: {"view"}, Role.COMMUNITY_STAFF: {"view", "decide"},
            Role.STREET_OFFICER: {"view", "decide"}, Role.DISTRICT_ADMIN: {access.ALL},
            Role.DEPARTMENT_STAFF: {"view"}}))

# The loop's editable defaults (reopen window, amber share, follow-up limit): the district's
# administrators only; nobody else sees the page. One row, never deleted (absent = code defaults).
access.register(WorkorderRules, access.Policy(
    everywhere=True, rights={Role.DISTRICT_ADMIN: {"view", "change", "add"}}))
