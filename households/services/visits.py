"""走访: grid workers log visits; a follow-up becomes a change request and/or a work order (hook)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, audit, images
from governance.errors import ValidationFailed
from households.models import Visit, VisitChannel, VisitPhoto

MAX_PHOTOS = 6

# Other apps (work orders) register a callable(visit=, actor=, note=) here to open an order for a
# follow-up; households never imports them (DESIGN.md: no cycles). Called after commit.
FOLLOW_UP_HANDLERS: list[Callable] = []


def register_follow_up(handler: Callable) -> Callable:
    if handler not in FOLLOW_UP_HANDLERS:
        FOLLOW_UP_HANDLERS.append(handler)
    return handler


def follow_up_order(*, visit: Visit, actor, note: str) -> None:
    """The hook the work-orders app wires: each registered handler gets the visit after commit."""
    for handler in list(FOLLOW_UP_HANDLERS):
        transaction.on_commit(partial(handler, visit=visit, actor=actor, note=note))


@transaction.atomic
def visit_log(*, actor, person=None, household=None, visited_at=None, place: str = "",
              channel: str = VisitChannel.HOME, findings: str = "", photos=(), follow_up_needed: bool = False,
              follow_up_note: str = "", proposed_changes: dict | None = None, open_order: bool = False) -> Visit:
    target = person or household
    if target is None:
        raise ValidationFailed(_("Choose the person or household visited."),
                               fields={"person": [_("This field is required.")]})
    if person is not None and household is None:
        household = None
    access.require(actor, "visit", target)
    if channel not in VisitChannel.values:
        raise ValidationFailed(_("Choose a channel."), fields={"channel": [_("Unknown channel.")]})
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("A visit cannot be in the future."), fields={"visited_at": [_("In the future.")]})
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, fields={"photos": [_("Too many.")]})
    # Checked and stripped of EXIF (the GPS of a resident's home) before anything is written.
    cleaned = [images.clean_image(upload) for upload in photos]
    visit = Visit.objects.create(person=person, household=household, worker=actor, visited_at=visited_at,
                                 place=place, channel=channel, findings=findings,
                                 follow_up_needed=follow_up_needed or bool(proposed_changes) or open_order,
                                 follow_up_note=follow_up_note, region_path=target.region_path)
    for content in cleaned:
        VisitPhoto.objects.create(visit=visit, image=content)
    if proposed_changes and person is not None:
        from households.services.changes import change_request_create

        change_request_create(person=person, changes=proposed_changes, actor=actor, visit=visit,
                              reason=follow_up_note or _("Found on a visit"))
    if open_order:
        follow_up_order(visit=visit, actor=actor, note=follow_up_note or findings)
    audit.record(actor=actor, action="visit.log", obj=target, data={"visit": visit.pk})
    return visit
