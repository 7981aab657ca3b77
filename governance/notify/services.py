"""Notifications: rows first, pushes second (DESIGN.md §3).

    from governance.notify.services import notify
    notify(user=resident, title=_("Your report was accepted"), url=order.get_absolute_url(),
           kind="workorder", obj=order, channels=("inbox", "push", "sms"), dedup_key=f"order:{order.pk}:accepted")

Texts are rendered in the RECIPIENT's language (User.language, else LANGUAGE_CODE), not the
actor's: pass gettext_lazy strings, and `lazy_format(gettext_lazy("… %(x)s"), x=…)` (or an
ngettext_lazy with a named number) where they carry values; notify renders them under
translation.override for each recipient, and SMS / e-mail are composed the same way.

`notify` writes the inbox row in the caller's transaction. After commit the row is
pushed to the user's open pages (Channels group `user_<id>`) from the process that
committed — and SMS / e-mail are sent by a Celery task. With the in-memory channel layer
a push raised in the Celery worker cannot reach the web process: pages also poll
`GET /api/v1/notifications/?since=…` (governance/static/governance/notify.js), so the row
reaches them anyway.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from governance.errors import NotFound
from governance.models import Notification
from governance.notify.selectors import unread_count

log = logging.getLogger(__name__)

CHANNELS = ("inbox", "push", "sms", "email")
DEFAULT_CHANNELS = ("inbox", "push")


def lazy_format(message, /, **params):
    """`message % params`, done when the text is rendered — inside notify, in the recipient's
    language. `message` is a gettext_lazy string, or an ngettext_lazy whose number is one of
    the params by name (`ngettext_lazy("%(n)s order", "%(n)s orders", "n")`); lazy params
    (labels, choices) are rendered in the same language. (Django's format_lazy formats with
    str.format's {} fields; the catalogues use %(name)s, as gettext's tools check.)"""
    return lazy(lambda: message % params, str)()


def language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def render_for(user, text) -> str:
    """A text (lazy or plain) as `user` reads it."""
    with translation.override(language_of(user)):
        return str(text)


def group_name(user_id: int) -> str:
    return f"user_{user_id}"


def notify(*, user, title, body="", url="", kind="info", obj=None, channels=DEFAULT_CHANNELS,
           dedup_key: str | None = None) -> Notification:
    """Create `user`'s notification (once per dedup_key) and deliver it after commit."""
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    if dedup_key:
        existing = Notification.objects.filter(user=user, dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    fields = dict(
        user=user, kind=kind, title=render_for(user, title)[:200], body=render_for(user, body), url=url or "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        channels=list(dict.fromkeys(["inbox", *channels])), dedup_key=dedup_key or None,
    )
    try:
        with transaction.atomic():
            notification = Notification.objects.create(**fields)
    except IntegrityError:
        # A concurrent retry with the same key won the insert: that row is the notification.
        if not dedup_key:
            raise
        return Notification.objects.get(user=user, dedup_key=dedup_key)
    pk = notification.pk
    transaction.on_commit(lambda: _after_commit(pk))
    if {"sms", "email"} & set(notification.channels):
        # SMS and e-mail wait in the database if the broker is down (was: best effort, lost).
        from governance import taskqueue

        taskqueue.enqueue_on_commit("governance.notify_send_external", pk)
    return notification


def _after_commit(notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).select_related("user").first()
    if notification is None:
        return
    if "push" in notification.channels:
        push(notification)


def as_message(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def push(notification: Notification) -> bool:
    """Send to the user's open pages; a failure only loses the push, never the row."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return False
    event = {"type": "notify.message", "data": {"type": "notification", "notification": as_message(notification),
                                                "unread": unread_count(notification.user)}}
    try:
        async_to_sync(layer.group_send)(group_name(notification.user_id), event)
    except Exception:
        log.warning("notify: push of %s failed", notification.pk, exc_info=True)
        return False
    _mark_delivered(notification, "push")
    return True


def _mark_delivered(notification: Notification, channel: str, value: str | None = None) -> None:
    notification.delivered = {**(notification.delivered or {}), channel: value or timezone.now().isoformat()}
    Notification.objects.filter(pk=notification.pk).update(delivered=notification.delivered)


def deliver_external(notification_id: int) -> None:
    """SMS and e-mail for one notification; a channel already delivered is skipped (idempotent).
    The row's texts are already in the recipient's language; the frame (the portal's name) follows."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update().select_related("user")
                        .filter(pk=notification_id).first())
        if notification is None:
            return
        with translation.override(language_of(notification.user)):
            _deliver_external(notification)


def _deliver_external(notification: Notification) -> None:
    from governance.notify.sms import send_sms

    done = notification.delivered or {}
    user = notification.user
    if "sms" in notification.channels and "sms" not in done:
        if user.mobile:
            text = notification.title if not notification.body else f"{notification.title}：{notification.body}"
            send_sms(mobile=user.mobile, text=f"【{settings.PORTAL_NAME}】{text}"[:300], purpose="notify")
            _mark_delivered(notification, "sms")
        else:
            _mark_delivered(notification, "sms", "skipped: no mobile")
    if "email" in notification.channels and "email" not in done:
        if user.email:
            body = notification.body + (f"\n\n{notification.url}" if notification.url else "")
            send_mail(notification.title, body, None, [user.email])
            _mark_delivered(notification, "email")
        else:
            _mark_delivered(notification, "email", "skipped: no e-mail")


def notification_mark_read(*, notification_id: int, actor) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=actor).first() if actor.is_authenticated \
        else None
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


def dead_letter_alert(message_id: int) -> int:
    """An outbound delivery failed for its whole retry window: every district administrator hears
    of it, with a link to retry or discard it in admin (governance.outbox). Once per dead letter."""
    from django.urls import reverse

    from governance.models import Assignment, OutboxMessage
    from governance.roles import Role

    message = OutboxMessage.objects.select_related("endpoint").filter(pk=message_id).first()
    if message is None:
        return 0
    admins = {a.user for a in Assignment.objects.active().filter(role=Role.DISTRICT_ADMIN).select_related("user")}
    url = reverse("admin:governance_outboxmessage_change", args=[message.pk])
    for user in admins:
        notify(user=user, kind="outbox", obj=message, url=url,
               title=lazy_format(gettext_lazy("Delivery to %(to)s failed for a day: %(topic)s"),
                                 to=str(message.endpoint or message.url), topic=message.topic),
               body=message.last_error[:300], dedup_key=f"outbox:dead:{message.pk}:{message.attempts}")
    return len(admins)

