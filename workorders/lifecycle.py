"""The one transition table of a work order (DESIGN.md §4 "State machines").

Every action a door can take on an order is a row of the core state machine
(governance.statemachine): from which statuses it is allowed, the status it leads to (None: the
status stays, e.g. an extension request), the right it needs and who hears of it. Every move
goes through `MACHINE.apply` (workorders.services.common.transition): the row locked, the status,
the right, the timeline row (workorders.events) and the audit event; an illegal move is a 409
that lists the actions the status allows.

    上报 reported ──accept──▶ accepted ──dispatch──▶ dispatched ──start──▶ in_progress ──handle──▶ handled
        │                       ▲   ▲                   │ │                  │                        │  │
        └─reject─▶ not_accepted  │   └────send_back──────┘ └──────────────────┘ (退回: re-dispatch)   │  │
                                 │                                  ▲──────────────rework (返工)───────┘  │
                                 │                                                                     verify
                         closed ◀┴─────────────────────────────────────────────────────────────────────────┘
        closed ──reopen (≤ 7 days)──▶ dispatched          open ──merge──▶ merged
"""

from __future__ import annotations

from governance.statemachine import Machine, Move
from workorders import events
from workorders.choices import OPEN_STATUSES, STEP, Stage, Status

S = Status
OPEN = tuple(OPEN_STATUSES)
WORKING = (S.DISPATCHED, S.IN_PROGRESS)

TRANSITIONS: dict[str, Move] = {
    "report": Move((), S.REPORTED, STEP["report"]),
    "accept": Move((S.REPORTED,), S.ACCEPTED, STEP["accept"]),
    "reject": Move((S.REPORTED,), S.NOT_ACCEPTED, STEP["reject"]),
    "dispatch": Move((S.ACCEPTED, S.DISPATCHED), S.DISPATCHED, STEP["dispatch"]),
    "start": Move((S.DISPATCHED,), S.IN_PROGRESS, STEP["start"]),
    "handle": Move((S.IN_PROGRESS,), S.HANDLED, STEP["handle"]),
    "verify": Move((S.HANDLED,), S.CLOSED, STEP["verify"]),
    "rework": Move((S.HANDLED,), S.IN_PROGRESS, STEP["rework"]),
    "send_back": Move(WORKING, S.ACCEPTED, STEP["send_back"], public=False),
    "reopen": Move((S.CLOSED,), S.DISPATCHED, STEP["reopen"]),
    "merge": Move((S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS), S.MERGED, STEP["merge"]),
    # Actions that keep the status
    "extension_request": Move(WORKING, None, STEP["extension_request"], public=False),
    "extension_decide": Move(WORKING, None, STEP["extension_decide"], public=False),
    "park_request": Move(WORKING, None, STEP["park_request"], public=False),
    "park_decide": Move(WORKING, None, STEP["park_decide"]),
    "unpark": Move(WORKING, None, STEP["unpark"], right="park_decide", public=False),
    "appeal_request": Move((*OPEN, S.CLOSED), None, STEP["appeal_request"], public=False),
    "appeal_decide": Move((*OPEN, S.CLOSED), None, STEP["appeal_decide"], public=False),
    "supervise": Move(OPEN, None, STEP["supervise"], public=False),
    "change_urgency": Move((S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS), None, STEP["change_urgency"],
                           public=False),
    "followup": Move((S.CLOSED,), None, STEP["followup"]),
    "plus_one": Move(OPEN, None, STEP["plus_one"], public=False),
    "photo": Move((*OPEN, S.CLOSED), None, STEP["photo"], public=False),
}


def _record(order, *, action, move, actor, before, note, data, at):
    return events.record(order, action=action, label=move.label, public=move.public, actor=actor,
                         from_status=before, note=note, data=data, at=at)


MACHINE = Machine("workorder", moves=TRANSITIONS, label=lambda status: Status(status).label, record=_record,
                  related=("category", "request_type", "region", "assigned_region", "assigned_department"))


# Which deadline runs in each status (the sweeper and the pages read it from the order).
STAGE_OF = {
    S.REPORTED: Stage.ACCEPT,
    S.ACCEPTED: Stage.DISPATCH,
    S.DISPATCHED: Stage.HANDLE,
    S.IN_PROGRESS: Stage.HANDLE,
    S.HANDLED: Stage.VERIFY,
}


def move(action: str) -> Move:
    return MACHINE.move(action)


def allowed(order, action: str) -> bool:
    return MACHINE.allowed(order, action)


def check(order, action: str) -> Move:
    """The move for `action`, or IllegalTransition (409) naming the status and what it allows."""
    return MACHINE.check(order, action)


def step(order, action: str, *, actor, note: str = "", data: dict | None = None, public: bool | None = None,
         notify: bool = True):
    """A step of the table that does not move the order (reported, a photo, a +1, a follow-up):
    its timeline row with the table's audience, and unless `notify` is False the notices and push."""
    mv = MACHINE.move(action)
    public = mv.public if public is None else public
    if not notify:
        return events.timeline(order, action=action, actor=actor, public=public, from_status=order.status,
                               note=note, data=data)
    return events.record(order, action=action, label=mv.label, public=public, actor=actor,
                         from_status=order.status, note=note, data=data)


def available_actions(order) -> list[str]:
    """Actions the state allows now (the doors still check the user's right)."""
    return [name for name in MACHINE.available(order) if name != "report"]
