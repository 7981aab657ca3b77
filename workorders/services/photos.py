"""Adding photos to an order after intake (a step's evidence, the handler's after-photos)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from governance import images
from governance.errors import ValidationFailed
from workorders import events, lifecycle
from workorders.choices import PhotoStage, Status
from workorders.lifecycle import check
from workorders.models import Photo, WorkOrder
from workorders.services.common import ensure_handler, locked, require

MAX_PER_UPLOAD = 6


@transaction.atomic
def order_add_photos(*, order: WorkOrder, actor, files, note: str = "") -> list[Photo]:
    require(actor, "photo", order)
    order = locked(order)
    check(order, "photo")
    own = order.reporter_id == actor.pk
    if not own:
        ensure_handler(actor, order)
    if not files or len(files) > MAX_PER_UPLOAD:
        raise ValidationFailed(fields={"photos": [_("Send 1 to %(n)s photos.") % {"n": MAX_PER_UPLOAD}]})
    stage = PhotoStage.HANDLED if (not own and order.status == Status.IN_PROGRESS) else PhotoStage.TIMELINE
    cleaned = [images.clean_image(f) for f in files]
    entry = lifecycle.step(order, "photo", actor=actor, note=note, notify=False)
    events.push(order, "photo")
    return [Photo.objects.create(order=order, stage=stage, entry=entry, image=c, size=c.size, uploaded_by=actor)
            for c in cleaned]
