"""Change requests: draft → submitted → approved / declined, reviewed by community staff with a diff."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access
from governance.errors import Forbidden, ValidationFailed
from governance.statemachine import Machine, Move
from households.models import ChangeRequest, ChangeRequestEvent, ChangeStatus, Person, SourceKind
from households.services.people import PERSON_FIELDS, person_apply_changes, person_values

S = ChangeStatus


def _record(req: ChangeRequest, *, action, move, actor, before, note, data, at) -> ChangeRequestEvent:
    return ChangeRequestEvent.objects.create(request=req, from_status=before, to_status=req.status, actor=actor,
                                             note=note)


# The one transition table (governance.statemachine). Its proposer submits a request (or a reviewer
# does); a reviewer other than the proposer approves or declines it.
MACHINE = Machine("change_request", label=lambda status: ChangeStatus(status).label, record=_record, moves={
    "submit": Move((S.DRAFT,), S.SUBMITTED, gettext_lazy("submit"), right=("submit", "approve")),
    "approve": Move((S.SUBMITTED,), S.APPROVED, gettext_lazy("approve")),
    "decline": Move((S.SUBMITTED,), S.DECLINED, gettext_lazy("decline"), right="approve"),
})
# Residents may correct these fields of their own household; staff anything editable.
RESIDENT_FIELDS = ("name", "relation", "phone", "id_number", "id_type", "birth_date", "sex")


ENC = "enc:"


def _seal(changes: dict, person: Person) -> dict:
    """Check personal values now (the proposer sees the error) and keep them encrypted until review."""
    from django.core.exceptions import ValidationError

    from governance import pii
    from households.services.people import _fail

    sealed = dict(changes)
    try:
        if "id_number" in changes:
            info = pii.validate_id(changes.get("id_type") or person.id_type or "resident_id", changes["id_number"])
            sealed["id_number"] = ENC + pii.encrypt(info.number)
        if "phone" in changes:
            sealed["phone"] = ENC + pii.encrypt(pii.seal_phone(changes["phone"]).number)
    except ValidationError as e:
        _fail("phone" if "phone" in changes and "id_number" not in changes else "id_number", e)
    return sealed


def _unseal(changes: dict) -> dict:
    from governance import pii

    return {k: pii.decrypt(v[len(ENC):]) if isinstance(v, str) and v.startswith(ENC) else v for k, v in changes.items()}


def _may_propose(actor, person: Person) -> None:
    access.require(actor, "view", person)
    if not access.can(actor, "propose", person):
        raise Forbidden(_("Your role may not propose changes to this file."))


@transaction.atomic
def change_request_create(*, person: Person, changes: dict, actor, reason: str = "", visit=None,
                          submit: bool = True) -> ChangeRequest:
    _may_propose(actor, person)
    changes = {k: v for k, v in (changes or {}).items() if v not in (None, "")}
    if not changes:
        raise ValidationFailed(_("Propose at least one change."), fields={"changes": [_("Nothing to change.")]})
    staff = access.can(actor, "visit", person) or access.can(actor, "change", person)
    allowed = PERSON_FIELDS + ("id_type",) if staff else RESIDENT_FIELDS
    bad = sorted(set(changes) - set(allowed))
    if bad:
        raise ValidationFailed(_("These fields cannot be proposed: %(f)s") % {"f": ", ".join(bad)},
                               fields={f: [_("Not allowed.")] for f in bad})
    changes = _seal(changes, person)
    source = SourceKind.VISIT if visit else (SourceKind.STAFF if staff else SourceKind.RESIDENT)
    # Personal values are kept only until review; the diff shows them masked.
    req = ChangeRequest.objects.create(person=person, changes=changes, previous=person_values(person), reason=reason,
                                       source=source, visit=visit, created_by=actor, region_path=person.region_path)
    ChangeRequestEvent.objects.create(request=req, to_status=S.DRAFT, actor=actor, note=reason[:300])
    if submit:
        MACHINE.apply(req, "submit", actor=actor)
    return req


@transaction.atomic
def change_request_submit(*, request: ChangeRequest, actor) -> ChangeRequest:
    req, _event = MACHINE.run(request, "submit", actor=actor)
    return req


def change_request_diff(req: ChangeRequest) -> list[dict]:
    """Rows of (field, value then, value now, proposed) for the reviewer, personal values masked."""
    from governance import pii

    now = person_values(req.person)
    rows = []
    for field, proposed in _unseal(req.changes).items():
        shown = proposed
        if str(proposed).startswith("("):  # "(applied)" / "(declined)": the value is no longer kept
            pass
        elif field == "id_number":
            shown = pii.mask_id(str(proposed))
        elif field == "phone":
            shown = pii.mask_phone(str(proposed))
        rows.append({"field": field, "previous": req.previous.get(field, ""), "current": now.get(field, ""),
                     "proposed": shown})
    return rows


@transaction.atomic
def change_request_approve(*, request: ChangeRequest, actor, note: str = "") -> ChangeRequest:
    access.require(actor, "approve", request)
    if request.created_by_id == actor.pk:
        raise Forbidden(_("Someone else must review a change you proposed."))

    def approved(req):
        person_apply_changes(person=req.person, changes=_unseal(req.changes), kind=req.source, ref=f"CR{req.pk}",
                             actor=actor)
        req.reviewed_by, req.reviewed_at = actor, timezone.now()
        req.changes = {k: ("(applied)" if k in ("id_number", "phone") else v) for k, v in req.changes.items()}

    req, _event = MACHINE.run(request, "approve", actor=actor, note=note, change=approved,
                              audit_data={"person": request.person_id})
    return req


@transaction.atomic
def change_request_decline(*, request: ChangeRequest, actor, reason: str) -> ChangeRequest:
    access.require(actor, "approve", request)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the change is declined."), fields={"reason": [_("A reason is required.")]})

    def declined(req):
        req.reviewed_by, req.reviewed_at, req.decline_reason = actor, timezone.now(), reason.strip()
        req.changes = {k: ("(declined)" if k in ("id_number", "phone") else v) for k, v in req.changes.items()}

    req, _event = MACHINE.run(request, "decline", actor=actor, note=reason, change=declined,
                              audit_data={"person": request.person_id})
    return req
