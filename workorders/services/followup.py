"""回访: a follow-up call by someone other than the handler, or the reporter's own answer
in the portal. The answers feed the 三率 (kpi.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from governance import access
from governance.errors import Forbidden, ValidationFailed
from workorders import lifecycle
from workorders.choices import FollowUpChannel, Satisfaction
from workorders.lifecycle import check
from workorders.models import FollowUp, WorkOrder
from workorders.selectors import is_handler
from workorders.services.common import locked, now


@transaction.atomic
def followup_record(*, order: WorkOrder, actor, contacted_in_time: bool, solved: bool, satisfaction: str,
                    comment: str = "", channel: str = FollowUpChannel.PHONE) -> FollowUp:
    own = order.reporter_id == actor.pk
    if own:
        access.require(actor, "answer_followup", order)
        channel = FollowUpChannel.PORTAL
    else:
        access.require(actor, "followup", order)
        handlers = set(order.timeline.filter(action__in=("start", "handle")).values_list("actor_id", flat=True))
        if actor.pk in handlers or order.assigned_user_id == actor.pk or \
                (order.assigned_department_id and is_handler(actor, order) and not actor.is_superuser):
            raise Forbidden(_("The follow-up call is made by someone other than the handler."))
    order = locked(order)
    check(order, "followup")
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(fields={"satisfaction": [_("Choose 满意, 基本满意 or 不满意.")]})
    if own and order.followups.filter(channel=FollowUpChannel.PORTAL).exists():
        raise ValidationFailed(_("You have answered already."))
    row = FollowUp.objects.create(order=order, caller=actor, channel=channel, at=now(),
                                  contacted_in_time=bool(contacted_in_time), solved=bool(solved),
                                  satisfaction=satisfaction, comment=(comment or "").strip())
    if order.followed_up_at is None:  # the follow-up owed since closing is done (call or the reporter's answer)
        order.followed_up_at = row.at
    order.save(update_fields=["followed_up_at", "updated_at"])
    lifecycle.step(order, "followup", actor=actor, note=f"{Satisfaction(satisfaction).label}",
                   data={"followup": row.pk, "solved": bool(solved)}, public=own)
    return row
