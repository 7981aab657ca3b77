"""Who may see and do what with the core's own models (ROLES.md)."""

from django.db.models import Q

from governance import access
from governance.models import (
    AuditEvent,
    Ballot,
    Council,
    Department,
    Elector,
    Holiday,
    HolidayYear,
    Objection,
    OfficeHours,
    OutboxMessage,
    Publicity,
    PublicityItem,
    PublicityStatus,
    Region,
    Vote,
    VoteStatus,
    WebhookEndpoint,
)
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


# Votes (governance.votes): the community, street and district put votes and record paper ballots
# in their area; grid staff and council members follow them; an elector sees the votes they are on
# once announced, and their own ballot.
VOTE_STAFF = {"view", "add", "change", "announce", "publish", "cancel", "record_ballot"}
_VOTE_RIGHTS = {Role.COMMUNITY_STAFF: VOTE_STAFF, Role.STREET_OFFICER: VOTE_STAFF, Role.DISTRICT_ADMIN: VOTE_STAFF,
                Role.GRID_WORKER: {"view"}, Role.GRID_LEADER: {"view"}, Role.COUNCIL_MEMBER: {"view"}}


def _votes_of_elector(user):
    return (Q(pk__in=Elector.objects.filter(user=user).values("vote_id")) & ~Q(status=VoteStatus.DRAFT)
            if user.is_authenticated else None)


access.register(Vote, access.Policy(region_path="region_path", rights=_VOTE_RIGHTS, owner=_votes_of_elector))
access.register(Elector, access.Policy(
    region_path="region_path", rights={r: {"view"} for r in _VOTE_RIGHTS},
    owner=lambda u: Q(user=u) if u.is_authenticated else None))
access.register(Ballot, access.Policy(
    region_path="region_path", rights={r: {"view"} for r in _VOTE_RIGHTS},
    owner=lambda u: Q(elector__user=u) if u.is_authenticated else None))


# Publicity (governance.publicity): the community, street and district publish and resolve
# objections in their area; a resident reads and objects to what is published where they live.
PUBLICITY_STAFF = {"view", "add", "publish", "resolve", "withdraw"}
_PUBLICITY_RIGHTS = {Role.COMMUNITY_STAFF: PUBLICITY_STAFF, Role.STREET_OFFICER: PUBLICITY_STAFF,
                     Role.DISTRICT_ADMIN: PUBLICITY_STAFF, Role.GRID_WORKER: {"view"}, Role.GRID_LEADER: {"view"},
                     Role.COUNCIL_MEMBER: {"view"}}


def in_scope_q(user) -> Q | None:
    """Rows (of any model with `region_path`) published where a resident lives: to their region,
    to a region above it, or to a place within it (a community's resident sees its compounds')."""
    q = Q()
    found = False
    for a in access.assignments(user):
        if a.region_id is None or a.role != Role.RESIDENT:
            continue
        path = a.region.path
        parts = [p for p in path.strip("/").split("/") if p]
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
        q |= Q(region_path__startswith=path) | Q(region_path__in=ancestors)
        found = True
    return q if found else None


def _published_where_they_live(status_field: str):
    def q(user):
        scope = in_scope_q(user) if user.is_authenticated else None
        return scope & ~Q(**{status_field: PublicityStatus.DRAFT}) if scope is not None else None

    return q


access.register(Publicity, access.Policy(region_path="region_path", rights=_PUBLICITY_RIGHTS,
                                         owner=_published_where_they_live("status"), owner_rights={"view", "object"}))
access.register(PublicityItem, access.Policy(region_path="region_path",
                                             rights={r: {"view"} for r in _PUBLICITY_RIGHTS},
                                             owner=_published_where_they_live("publicity__status")))
access.register(Objection, access.Policy(
    region_path="region_path", rights={r: ({"view", "resolve"} if "resolve" in rs else {"view"})
                                       for r, rs in _PUBLICITY_RIGHTS.items()},
    owner=lambda u: Q(user=u) if u.is_authenticated else None))


# Delivery plumbing: the district's administrators are told of dead letters and retry or discard
# them; they keep the receivers (endpoints) of their departments and the city platform.
access.register(OutboxMessage, access.Policy(everywhere=True, rights={Role.DISTRICT_ADMIN: {"view", "retry"}}))
access.register(WebhookEndpoint, access.Policy(everywhere=True,
                                               rights={Role.DISTRICT_ADMIN: {"view", "add", "change"}}))


# Residents' councils: the community and above keep them; a member reads their own council
# (an object role: Assignment.target), wherever else their community role reaches.
access.register(Council, access.Policy(
    region_path="region_path", target={"governance.council": "pk"},
    rights={Role.COMMUNITY_STAFF: {"view", "add", "change"}, Role.STREET_OFFICER: {"view"},
            Role.DISTRICT_ADMIN: {"view", "add", "change"}, Role.COUNCIL_MEMBER: {"view"}}))

