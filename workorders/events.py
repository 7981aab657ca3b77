"""What happens around every move: the timeline row, the reporter's notification,
and the live push to the order page and the staff queues (after commit)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from governance.live import group_send_on_commit
from governance.notify.services import lazy_format
from workorders import clock
from workorders.models import PlusOne, TimelineEntry, WorkOrder


def timeline(order: WorkOrder, *, action: str, actor, public: bool, from_status: str = "", note: str = "",
             data: dict | None = None, at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        order=order, at=at or clock.now(), actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action, from_status=from_status, to_status=order.status, note=note, public=public, data=data or {},
    )


def _notify(user, *, title, body, url: str, key: str, order: WorkOrder) -> None:
    """governance.notify: the inbox row now (same key = one notification), the push after commit.
    Titles are lazy: notify renders them in each recipient's language."""
    from governance.notify.services import notify

    notify(user=user, kind="workorder", title=title, body=body, url=url, obj=order, dedup_key=key)


def notify_reporter(order: WorkOrder, entry: TimelineEntry, label) -> None:
    """At public steps the reporter (and neighbours who said +1) hear of it."""
    if not entry.public:
        return
    recipients = []
    if order.reporter_id:
        recipients.append(order.reporter)
    recipients += [p.user for p in PlusOne.objects.filter(order=order).select_related("user")]
    url = reverse("workorders:detail", kwargs={"pk": order.pk})
    for user in recipients:
        if user == entry.actor:
            continue
        _notify(user, title=lazy_format(gettext_lazy("Your report %(number)s: %(step)s"), number=order.number, step=label),
                body=entry.note, url=url, key=f"wo:{order.pk}:{entry.pk}", order=order)
    if order.reporter_id is None and order.contact_phone_enc and entry.action != "report":
        _text_caller(order, entry, label)


def _text_caller(order: WorkOrder, entry: TimelineEntry, label) -> None:
    """A caller who reported by phone or walk-in has no account: the public steps reach them by
    SMS (not urgent: after the quiet hours), once per step, and the order's timeline says so."""
    from governance.notify.contact import notify_contact

    text = lazy_format(gettext_lazy("[Linli] Your report %(number)s: %(step)s. Call the community to ask."),
                       number=order.number, step=label)
    message = notify_contact(phone=order.contact_phone, text=str(text), kind="workorder", obj=order,
                             dedup_key=f"wo:{order.pk}:{entry.pk}:caller")
    data = {**entry.data, "sms": message.phone_masked}
    TimelineEntry.objects.filter(pk=entry.pk).update(data=data)
    entry.data = data


def notify_user(user, order: WorkOrder, *, title, body="", key: str) -> None:
    if user is None:
        return
    _notify(user, title=title, body=body, url=reverse("workorders:staff_detail", kwargs={"pk": order.pk}),
            key=key, order=order)


def groups_for(order: WorkOrder) -> list[str]:
    """Channels groups that hear of a change: the order page and every queue that lists it
    (each region on the path of its location, and its department)."""
    groups = [f"order_{order.pk}"]
    groups += [f"queue_region_{rid}" for rid in order.region_path.strip("/").split("/") if rid]
    if order.assigned_department_id:
        groups.append(f"queue_dept_{order.assigned_department_id}")
    if order.assigned_user_id:
        groups.append(f"queue_user_{order.assigned_user_id}")
    return groups


def push(order: WorkOrder, event: str) -> None:
    """Tell the open pages after commit. A lost push is only a delay: pages poll and reload."""
    payload = {"type": "order.event", "order": order.pk, "event": event, "status": order.status,
               "overdue": order.overdue, "at": timezone.now().isoformat()}
    group_send_on_commit([(groups_for(order), payload)], what=f"order {order.pk}")


def record(order: WorkOrder, *, action: str, label, public: bool, actor, from_status: str = "", note: str = "",
           data: dict | None = None, at=None) -> TimelineEntry:
    """Timeline row + notification + push, for every step of an order (workorders.lifecycle
    calls it with the step's label and audience from its table)."""
    entry = timeline(order, action=action, actor=actor, public=public, from_status=from_status, note=note,
                     data=data, at=at)
    notify_reporter(order, entry, label)
    push(order, action)
    return entry
