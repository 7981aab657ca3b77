"""One state machine for every object that moves through states (work orders, care alerts, and
the apps to come: claims, whistles, expenses, proposals).

An app declares its table once — action → (from states, to state, the right it needs, a guard) —
and every move goes through `Machine.apply` on a locked row: the state is checked (an illegal
move is a 409 that lists the actions the state allows), then the actor's right (governance.access),
then the guard; the state is set, the row saved, the app's timeline row written and an audit event
recorded, all in the caller's transaction.

    MACHINE = Machine("care.alert", field="state", label=lambda s: AlertState(s).label, record=..., moves={
        "acknowledge": Move({"open"}, "acknowledged", _("acknowledge"), right="act"), ...})
    alert = MACHINE.lock(alert); MACHINE.apply(alert, "acknowledge", actor=user, note="…")

Our own, not django-fsm-2: its transitions are methods on the model (the rule would sit in
`models`, not in a table an app and its docs can read), it neither locks the row nor checks a
policy, and its conditions return a bare bool — we need the reason shown to the person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from governance import access, audit
from governance.errors import Forbidden, IllegalTransition

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_M = TypeVar("_M", bound=Model)

# A guard answers why a move is refused for this object at this time (shown to the person), or
# None: guard(obj, actor, at) — `at` is the move's time (the caller's clock, else now).
Guard = Callable[[Any, Any, Any], "StrOrPromise | None"]


@dataclass(frozen=True)
class Move:
    sources: Iterable[str]  # kept as a frozenset
    target: str | None  # None: the state stays (a request, a note, a photo)
    label: StrOrPromise  # the verb on buttons and in the timeline
    # The access right needed: "" = the action's own name; a tuple = any one of them; None = the
    # system's only.
    right: str | tuple[str, ...] | None = ""
    guard: Guard | None = None
    public: bool = True  # a step the people the object concerns see and hear of

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


# record(obj, *, action, move, actor, before, note, data, at) -> the app's timeline row
Recorder = Callable[..., Any]


class Machine:
    def __init__(self, name: str, *, moves: dict[str, Move], label: Callable[[str], StrOrPromise],
                 field: str = "status", record: Recorder | None = None, related: Iterable[str] = ()):
        self.name = name  # audit actions are "<name>.<action>"
        self.moves = moves
        self.field = field
        self.state_label = label
        self.record = record
        self.related = tuple(related)  # select_related on lock

    # --- reading the table -------------------------------------------------------------------

    def move(self, action: str) -> Move:
        return self.moves[action]

    def state(self, obj) -> str:
        return getattr(obj, self.field)

    def allowed(self, obj, action: str) -> bool:
        """The state allows `action` (the person's right and the guard are checked on apply)."""
        mv = self.moves.get(action)
        return mv is not None and self.state(obj) in mv.sources

    def available(self, obj, *, actor=None) -> list[str]:
        """The actions this state allows; with an actor, those their role allows them too."""
        found = []
        for action, mv in self.moves.items():
            if self.state(obj) not in mv.sources:
                continue
            if actor is not None and not self._may(actor, mv, action, obj):
                continue
            found.append(action)
        return found

    def refusal(self, obj, action: str) -> IllegalTransition:
        allowed = [{"action": a, "label": force_str(self.moves[a].label)} for a in self.available(obj)]
        mv = self.moves.get(action)
        message = _("“%(action)s” is not possible while it is “%(state)s”.") % {
            "action": mv.label if mv else action, "state": self.state_label(self.state(obj))}
        return IllegalTransition(message, allowed=allowed)

    def check(self, obj, action: str, *, actor=None, at=None) -> Move:
        """The move, or a 409 naming the state and the actions it allows; then the guard's reason."""
        if not self.allowed(obj, action):
            raise self.refusal(obj, action)
        mv = self.moves[action]
        self._guard(obj, action, mv, actor=actor, at=at)
        return mv

    def _guard(self, obj, action: str, mv: Move, *, actor, at) -> None:
        if mv.guard is not None:
            reason = mv.guard(obj, actor, at or timezone.now())
            if reason:
                raise IllegalTransition(reason, allowed=[{"action": a, "label": force_str(self.moves[a].label)}
                                                         for a in self.available(obj) if a != action])

    # --- moving ------------------------------------------------------------------------------

    def lock(self, obj: _M) -> _M:
        """The row re-read under a row lock: two doors acting at once serialize here."""
        qs = type(obj)._default_manager.select_for_update(of=("self",))  # never the related rows
        if self.related:
            qs = qs.select_related(*self.related)
        return qs.get(pk=obj.pk)

    def apply(self, obj, action: str, *, actor, note: str = "", data: dict | None = None, at=None,
              audit_data: dict | None = None, region=None, before_save: Callable[[Any, str], None] | None = None):
        """Move a row the caller has locked (in its transaction): state, right, guard; set and
        save; the timeline row and the audit event. Returns the timeline row (or None)."""
        access.need_actor(actor)
        mv = self.moves.get(action)
        if mv is None:
            raise KeyError(f"{self.name} has no action {action!r}")
        if self.state(obj) not in mv.sources:
            raise self.refusal(obj, action)
        self._require(actor, mv, action, obj)
        self._guard(obj, action, mv, actor=actor, at=at)
        return self._commit(obj, action, mv, actor=actor, note=note, data=data, at=at, audit_data=audit_data,
                            region=region, before_save=before_save)

    def _commit(self, obj, action: str, mv: Move, *, actor, note: str = "", data: dict | None = None, at=None,
                audit_data: dict | None = None, region=None, before_save: Callable[[Any, str], None] | None = None):
        """The move once checked: set, save, the timeline row, the audit event."""
        if not connection.in_atomic_block:
            raise RuntimeError(f"{self.name}: a move needs the row locked in a transaction (Machine.lock)")
        before = self.state(obj)
        if mv.target is not None:
            setattr(obj, self.field, mv.target)
        if before_save is not None:
            before_save(obj, before)
        obj.save()
        row = None
        if self.record is not None:
            row = self.record(obj, action=action, move=mv, actor=actor, before=before, note=note, data=data, at=at)
        audit.record(actor=actor, action=f"{self.name}.{action}", obj=obj, region=region,
                     data={"from": before, "to": self.state(obj), **(audit_data or {})})
        return row

    def run(self, obj, action: str, *, actor, change: Callable[[Any], None] | None = None, **kwargs):
        """The whole service for a plain move: the right (404/403 before any lock), the lock,
        the caller's own field changes (`change(obj)`, after the checks), apply. Call it inside
        `transaction.atomic`. Returns (the locked row, the timeline row)."""
        mv = self.moves[action]
        self._require(actor, mv, action, obj)
        obj = self.lock(obj)
        self.check(obj, action, actor=actor, at=kwargs.get("at"))
        if change is not None:
            change(obj)
        return obj, self._commit(obj, action, mv, actor=actor, **kwargs)

    @staticmethod
    def _rights(mv: Move, action: str) -> tuple[str, ...]:
        if mv.right is None:
            return ()
        if mv.right == "":
            return (action,)
        return (mv.right,) if isinstance(mv.right, str) else tuple(mv.right)

    def _may(self, actor, mv: Move, action: str, obj) -> bool:
        if access.is_system(actor):
            return True
        return any(access.can(actor, right, obj) for right in self._rights(mv, action))

    def _require(self, actor, mv: Move, action: str, obj) -> None:
        access.need_actor(actor)
        if access.is_system(actor):
            return
        rights = self._rights(mv, action)
        if not rights:
            raise Forbidden(_("Only the system does this."))
        for right in rights[:-1]:
            if access.can(actor, right, obj):
                return
        access.require(actor, rights[-1], obj)  # 404 if hidden, 403 if only seen
