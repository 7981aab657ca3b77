"""The one permission layer. Every list, detail, admin page, export and websocket
goes through `scope`, `get_or_404` and `require` (DESIGN.md §4, ROLES.md).

Each model that people can reach registers a `Policy` in its app's `policies.py`:
*where* a row lives (a region path, a department, an owner) and *which role may do
which action*. Outside scope is a 404 (the same as missing, so ids leak nothing);
in scope without the right is a 403.

    orders = access.scope(WorkOrder.objects.all(), user, "view")
    order  = access.get_or_404(WorkOrder, user, "change", pk=pk)
    access.require(user, "dispatch", order)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import BigIntegerField, IntegerField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from governance.errors import Forbidden, NotFound
from governance.roles import DEPARTMENT_ROLES, REGION_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from governance.models import User

ALL = "*"

_M = TypeVar("_M", bound=Model)
_QS = TypeVar("_QS", bound="QuerySet[Any]")

# Role -> actions. Keys are `Role` members or their plain string values (a Role *is* its
# value: same hash, same equality), so both spellings index the same entry.
Rights = Mapping[Role, AbstractSet[str]] | Mapping[str, AbstractSet[str]]
# Called with an authenticated, active user only (anonymous users are refused before).
UserQ = Callable[["User"], Q | None]


@dataclass
class Policy:
    """Where a model's rows live and who may do what with them.

    region_path: lookup to the row's region path (e.g. "region_path" kept on the row
        for speed, or "unit__building__grid__path"); staff of a region role see rows
        whose path starts with their assignment's region path.
    department: lookup to the row's department id (department staff see rows routed to
        their department), or None.
    owner: callable(user) -> Q for the rows a user owns as a resident / by an object
        role (compound, shop) — or None.
    rights: role -> set of actions ("view", "change", "dispatch", ...; "*" for all).
        A role absent here gets nothing, whatever its scope.
    owner_rights: actions a user may do on rows matched by `owner`.
    object_perms: actions that django-guardian grants per object (care contacts,
        a department invited into one summons); checked as "<app_label>.<action>_<model>".
    public: callable(user) -> Q for rows anyone logged in may *view* (public lists).
    everywhere: the rows belong to no place (the holiday calendar, delivery plumbing): a role
        whose right is declared here has it on every row, wherever its assignment lies.
    target: roles held on one object (a trustee on a compound, a merchant on a shop, a council
        member on a council): {"households.compound": "compound_id"} maps the object's model to
        the lookup from a row to that object's id. An assignment whose target is of a listed
        model sees the rows of that object, exactly as a region role sees its subtree.
    """

    region_path: str | None = None
    department: str | None = None
    owner: UserQ | None = None
    rights: Rights = field(default_factory=dict)
    owner_rights: set[str] = field(default_factory=lambda: {"view"})
    object_perms: set[str] = field(default_factory=set)
    public: UserQ | None = None
    everywhere: bool = False
    target: dict[str, str] = field(default_factory=dict)

    def role_may(self, role: str, action: str) -> bool:
        # `role` is an Assignment.role string; it finds Role-keyed entries too (see Rights).
        actions = cast("Mapping[str, AbstractSet[str]]", self.rights).get(role, set())
        return action in actions or ALL in actions


_policies: dict[type[Model], Policy] = {}


def register(model: type[Model], policy: Policy) -> Policy:
    _policies[model] = policy
    return policy


def policy_for(model: type[Model]) -> Policy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no access policy: register one in its app's policies.py") from None



def _is_anonymous(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False)


def assignments(user) -> list:
    """The user's assignments in force; none for an anonymous or inactive user (never an error)."""
    if _is_anonymous(user):
        return []
    return list(user.active_assignments)


def has_role(user, *roles: str) -> bool:
    """Whether `user` holds one of `roles` now. Safe for AnonymousUser (the admin's login page
    builds its menu for a visitor who has no roles at all)."""
    wanted = set(roles)
    return any(a.role in wanted for a in assignments(user))


def works_in_back_office(user) -> bool:
    if _is_anonymous(user):
        return False
    return bool(user.is_superuser or any(a.role in STAFF_ROLES for a in assignments(user)))


def covering_assignments(user, *, roles=None, model: type[Model] | None = None, action: str = "view") -> list:
    """The user's region assignments, of `roles`, or of the roles whose right on `model` includes
    `action`. One answer for "which regions does this user cover", "may they add/import here",
    "may they see this group here" and "which staff sit on this path" (see `covers`, `staff_covered`)."""
    policy = policy_for(model) if model is not None else None
    found = []
    for a in assignments(user):
        if a.role not in REGION_ROLES or not a.region_id:
            continue
        if roles is not None and a.role not in roles:
            continue
        if policy is not None and not policy.role_may(a.role, action):
            continue
        found.append(a)
    return found


def region_paths(user, **kwargs) -> list[str]:
    """The region paths `user` covers (same arguments as `covering_assignments`)."""
    return [a.region.path for a in covering_assignments(user, **kwargs)]


def paths_q(lookup: str, paths) -> Q:
    """Rows whose `lookup` lies under any of these region paths (a subtree each); none for no path."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q


def covers(user, path: str, **kwargs) -> bool:
    """Whether `path` lies in a region `user` covers (same arguments as `region_paths`)."""
    return any(path.startswith(p) for p in region_paths(user, **kwargs))


def staff_covered(queryset: QuerySet, user) -> QuerySet:
    """The users of `queryset` who work where `user` covers: holding a region role on a region
    under one of `user`'s regions, or staff of `user`'s departments (the people an order may be
    dispatched to, the staff on a path). A superuser covers everyone; a stranger no one."""
    if _is_anonymous(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    q = Q()
    for path in region_paths(user):
        q |= Q(assignments__region__path__startswith=path, assignments__role__in=REGION_ROLES)
    departments = [a.department_id for a in assignments(user) if a.department_id]
    if departments:
        q |= Q(assignments__department_id__in=departments)
    if not q:
        return queryset.none()
    return queryset.filter(q).distinct()


# --- the system as an actor ---------------------------------------------------------------------
# Jobs with no person behind them (the demo seed, a beat sweep, a management command) act as the
# system user: explicit at the call (`actor=access.system()`), written in the audit log like anyone,
# and allowed everything. A service never reads `actor=None` as "skip the checks".
SYSTEM_USERNAME = "linli-system"


def system():
    """The system's own account (created on first use; it cannot log in)."""
    from governance.models import User

    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"display_name": "系统 (system)", "is_active": False,
                                            "is_service_account": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system(user) -> bool:
    return getattr(user, "username", None) == SYSTEM_USERNAME and not getattr(user, "is_active", True) \
        and getattr(user, "is_service_account", False)


def need_actor(actor) -> None:
    """Services call this first: no actor is a programming error, never a silent pass."""
    if actor is None:
        raise TypeError("a service needs an actor: the user, or access.system() for a job")


def _assignment_q(policy: Policy, assignment) -> Q | None:
    if policy.everywhere:
        return Q()
    if assignment.target_type_id and policy.target:
        ct = assignment.target_type
        lookup = policy.target.get(f"{ct.app_label}.{ct.model}")
        if lookup:
            return Q(**{lookup: assignment.target_id})
    if assignment.role in REGION_ROLES and policy.region_path and assignment.region_id:
        return Q(**{f"{policy.region_path}__startswith": assignment.region.path})
    if assignment.role in DEPARTMENT_ROLES and policy.department and assignment.department_id:
        return Q(**{policy.department: assignment.department_id})
    return None


def scope_q(model: type[Model], user, action: str = "view") -> Q | None:
    """The filter for rows of `model` on which `user` may do `action`; None means none.
    Built from the user's assignments (loaded once per user object), so it adds no
    query per row and the list's query count stays constant."""
    if _is_anonymous(user):
        return None
    if user.is_superuser:
        return Q()
    policy = policy_for(model)
    parts: list[Q] = []
    for assignment in user.active_assignments:
        if policy.role_may(assignment.role, action):
            q = _assignment_q(policy, assignment)
            if q is not None:
                if not q:  # a right on every row (an `everywhere` policy), as a superuser's
                    return Q()
                parts.append(q)
    if policy.owner is not None and action in policy.owner_rights:
        q = policy.owner(user)
        if q is not None:
            parts.append(q)
    if action == "view" and policy.public is not None:
        q = policy.public(user)
        if q is not None:
            parts.append(q)
    if action in policy.object_perms:
        ids = _guardian_ids(model, user, action)
        if ids is not None:
            parts.append(Q(pk__in=ids))
    if not parts:
        return None
    combined = parts[0]
    for q in parts[1:]:
        combined |= q
    return combined


def _guardian_ids(model, user, action):
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    ct = ContentType.objects.get_for_model(model)
    codename = f"{action}_{model._meta.model_name}"
    # A subquery, not a list: keeps the outer list at one query. Guardian keeps object_pk as
    # text; PostgreSQL will not compare it with an integer id, so cast it to the pk's type.
    grants = UserObjectPermission.objects.filter(user=user, content_type=ct, permission__codename=codename)
    if isinstance(model._meta.pk, IntegerField):
        return grants.annotate(object_id=Cast("object_pk", BigIntegerField())).values("object_id")
    return grants.values("object_pk")


def scope(queryset: _QS, user, action: str = "view") -> _QS:
    """Filter `queryset` to the rows `user` may `action`. Distinct only when needed."""
    q = scope_q(queryset.model, user, action)
    if q is None:
        return queryset.none()
    if not q:  # superuser
        return queryset
    return queryset.filter(q)


def can(user, action: str, obj: Model) -> bool:
    q = scope_q(type(obj), user, action)
    if q is None:
        return False
    if not q:
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def may_at_all(user, action: str, model: type[Model], *, roles_only: bool = False) -> bool:
    """Whether some role of `user` allows `action` on `model` anywhere (for admin menus, buttons).
    `roles_only`: the right must come from a role, not from owning rows (the back office opens to
    roles; a care contact's or a resident's own rows are for the portal and the API)."""
    if _is_anonymous(user):
        return False
    if user.is_superuser:
        return True
    policy = policy_for(model)
    if any(policy.role_may(a.role, action) for a in user.active_assignments):
        return True
    if roles_only:
        return False
    return policy.owner is not None and action in policy.owner_rights and policy.owner(user) is not None


def require(user, action: str, obj: Model) -> None:
    """Raise NotFound if `user` may not even see `obj`, Forbidden if they see it but may not `action` it.
    The system actor may do anything; no actor at all is an error (need_actor)."""
    need_actor(user)
    if is_system(user):
        return
    if action != "view" and can(user, action, obj):
        return
    if not can(user, "view", obj):
        raise NotFound()
    if action != "view":
        raise Forbidden(_("Your role does not allow this action here."))


def get_or_404(model: type[_M] | QuerySet[_M], user, action: str = "view", **lookup) -> _M:
    """The object if `user` may `action` it; 404 if missing or out of scope; 403 if visible only."""
    queryset: QuerySet[_M] = model if isinstance(model, QuerySet) else model._default_manager.all()
    # django-stubs declares DoesNotExist on each concrete model only, not on a type bound to Model.
    does_not_exist: type[ObjectDoesNotExist] = queryset.model.DoesNotExist  # type: ignore[attr-defined]
    try:
        obj = scope(queryset, user, "view").get(**lookup)
    except (does_not_exist, ValueError, TypeError):
        raise NotFound() from None
    if action != "view" and not can(user, action, obj):
        raise Forbidden(_("Your role does not allow this action here."))  # seen above, so 403
    return obj

