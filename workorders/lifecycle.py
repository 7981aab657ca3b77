"""The one transition table of a work order (DESIGN.md §4 "State machines").

Every action a door can take on an order is a row: from which statuses it is allowed,
and the status it leads to (None: the status stays, e.g. an extension request).
`check(order, action)` raises IllegalTransition (409) with a message otherwise.

    上报 reported ──accept──▶ accepted ──dispatch──▶ dispatched ──start──▶ in_progress ──handle──▶ handled
        │                       ▲   ▲                   │ │                  │                        │  │
        └─reject─▶ not_accepted  │   └────send_back──────┘ └──────────────────┘ (退回: re-dispatch)   │  │
                                 │                                  ▲──────────────rework (返工)───────┘  │
                                 │                                                                     verify
                         closed ◀┴─────────────────────────────────────────────────────────────────────────┘
        closed ──reopen (≤ 7 days)──▶ dispatched          open ──merge──▶ merged
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from governance.errors import IllegalTransition
from workorders.choices import OPEN_STATUSES, Stage, Status

S = Status


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: no status change
    label: object  # verb shown on buttons and in the timeline
    public: bool = True  # a step the reporter sees (and is notified of)


def _m(sources, target, label, public=True):
    return Move(frozenset(sources), target, label, public)


OPEN = tuple(OPEN_STATUSES)
WORKING = (S.DISPATCHED, S.IN_PROGRESS)

TRANSITIONS: dict[str, Move] = {
    "report": _m((), S.REPORTED, _("reported")),
    "accept": _m((S.REPORTED,), S.ACCEPTED, _("accepted (立案)")),
    "reject": _m((S.REPORTED,), S.NOT_ACCEPTED, _("not accepted")),
    "dispatch": _m((S.ACCEPTED, S.DISPATCHED), S.DISPATCHED, _("dispatched")),
    "start": _m((S.DISPATCHED,), S.IN_PROGRESS, _("handling started")),
    "handle": _m((S.IN_PROGRESS,), S.HANDLED, _("handled")),
    "verify": _m((S.HANDLED,), S.CLOSED, _("verified and closed")),
    "rework": _m((S.HANDLED,), S.IN_PROGRESS, _("returned for rework (返工)")),
    "send_back": _m(WORKING, S.ACCEPTED, _("sent back for re-dispatch (退回)"), public=False),
    "reopen": _m((S.CLOSED,), S.DISPATCHED, _("reopened by the reporter")),
    "merge": _m((S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS), S.MERGED, _("merged into another order")),
    # Actions that keep the status
    "extension_request": _m(WORKING, None, _("extension requested (延期申请)"), public=False),
    "extension_decide": _m(WORKING, None, _("extension decided"), public=False),
    "park_request": _m(WORKING, None, _("parking requested (挂账申请)"), public=False),
    "park_decide": _m(WORKING, None, _("parking decided")),
    "unpark": _m(WORKING, None, _("taken out of parking"), public=False),
    "appeal_request": _m((*OPEN, S.CLOSED), None, _("appeal requested (申诉)"), public=False),
    "appeal_decide": _m((*OPEN, S.CLOSED), None, _("appeal decided"), public=False),
    "supervise": _m(OPEN, None, _("supervised (督办)"), public=False),
    "change_urgency": _m((S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS), None, _("urgency changed"),
                         public=False),
    "followup": _m((S.CLOSED,), None, _("follow-up recorded (回访)")),
    "plus_one": _m(OPEN, None, _("+1 from a neighbour"), public=False),
    "photo": _m((*OPEN, S.CLOSED), None, _("photo added"), public=False),
}

# Steps the sweeper writes (no transition: the status stays).
SWEEP_LABELS = {"overdue": _("overdue"), "auto_supervise": _("supervised automatically (超期督办)")}

# Which deadline runs in each status (the sweeper and the pages read it from the order).
STAGE_OF = {
    S.REPORTED: Stage.ACCEPT,
    S.ACCEPTED: Stage.DISPATCH,
    S.DISPATCHED: Stage.HANDLE,
    S.IN_PROGRESS: Stage.HANDLE,
    S.HANDLED: Stage.VERIFY,
}


def move(action: str) -> Move:
    return TRANSITIONS[action]


def allowed(order, action: str) -> bool:
    return order.status in TRANSITIONS[action].sources


def check(order, action: str) -> Move:
    """The move for `action`, or IllegalTransition naming the current status."""
    mv = TRANSITIONS[action]
    if order.status not in mv.sources:
        raise IllegalTransition(
            _("Cannot do “%(action)s” on an order that is “%(status)s”.")
            % {"action": mv.label, "status": Status(order.status).label}
        )
    return mv


def available_actions(order) -> list[str]:
    """Actions the state allows now (the doors still check the user's right)."""
    return [name for name, mv in TRANSITIONS.items() if order.status in mv.sources and name != "report"]
