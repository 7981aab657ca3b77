"""Messages to people without accounts (issue 13, block 7): a care contact who never logged in,
a caller who reported by phone. The seed's alerts went "to the family" and five of six contacts
got nothing; now:

    notify.contact.notify_contact(phone=number, text=..., obj=alert, kind="care_alert", urgent=True,
                                  dedup_key=f"care:{alert.pk}:{step}:{contact.pk}")

writes a ContactMessage (number encrypted) in the caller's transaction and hands it to the broker
after commit (governance.taskqueue); a message that is not urgent waits out the quiet hours
(22:00-07:00 Shanghai); the sweep (beat, every minute) sends whatever is due and still waiting —
after the quiet hours, or after the broker or the SMS provider was down. Nothing is lost and
nothing is sent twice (status and dedup key). The caller writes the object's own timeline row.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import pii, taskqueue
from governance.models import ContactMessage

log = logging.getLogger(__name__)

QUIET_START, QUIET_END = dt.time(22, 0), dt.time(7, 0)
MAX_ATTEMPTS = 12


def quiet_until(moment: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours `moment` falls in (local time), or None outside them."""
    from governance.workdays import TZ

    local = moment.astimezone(TZ)
    if local.time() >= QUIET_START:
        end = (local + dt.timedelta(days=1)).replace(hour=QUIET_END.hour, minute=0, second=0, microsecond=0)
    elif local.time() < QUIET_END:
        end = local.replace(hour=QUIET_END.hour, minute=0, second=0, microsecond=0)
    else:
        return None
    return end


def notify_contact(*, phone: str, text: str, kind: str, obj=None, urgent: bool = False,
                   dedup_key: str | None = None, now: dt.datetime | None = None) -> ContactMessage:
    """Queue an SMS to `phone` (see the module). The same dedup_key twice is one message."""
    now = now or timezone.now()
    if dedup_key:
        existing = ContactMessage.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    sealed = pii.seal_phone(phone)
    not_before = now if urgent else (quiet_until(now) or now)
    try:
        with transaction.atomic():
            message = ContactMessage.objects.create(
                phone_enc=sealed.enc, phone_masked=sealed.masked, text=str(text), kind=kind, urgent=urgent,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "", dedup_key=dedup_key or None, not_before=not_before)
    except IntegrityError:  # a concurrent retry with the same key won
        return ContactMessage.objects.get(dedup_key=dedup_key)
    if not_before <= now:
        taskqueue.enqueue_on_commit("governance.contact_message_send", message.pk)
    return message


def send(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one message if it is due and still waiting (safe to run twice)."""
    from governance.notify.sms import send_sms

    now = now or timezone.now()
    with transaction.atomic():
        message = ContactMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != ContactMessage.Status.PENDING or message.not_before > now:
            return message.status if message is not None else "missing"
        try:
            send_sms(mobile=pii.decrypt(message.phone_enc), text=message.text, purpose=message.kind)
        except Exception as exc:  # the provider is down: the sweep tries again
            message.attempts += 1
            message.last_error = str(exc)[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = ContactMessage.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            log.warning("SMS to %s failed (%s attempts)", message.phone_masked, message.attempts, exc_info=True)
            return message.status
        message.status, message.sent_at, message.attempts = ContactMessage.Status.SENT, now, message.attempts + 1
        message.save(update_fields=["status", "sent_at", "attempts"])
        return message.status


def sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every waiting message that is due (beat, every minute). Returns how many were sent."""
    now = now or timezone.now()
    ids = list(ContactMessage.objects.filter(status=ContactMessage.Status.PENDING, not_before__lte=now)
               .order_by("not_before", "pk").values_list("pk", flat=True)[:limit])
    return sum(send(pk, now=now) == ContactMessage.Status.SENT for pk in ids)
