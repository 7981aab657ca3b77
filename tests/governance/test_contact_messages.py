"""Messages to people without accounts (issue 13, block 7): rows first, sent when due; quiet hours
for what is not urgent; the broker or the SMS provider down delays, never drops; care contacts
without a login get the ladder's step by SMS, once, and the alert's timeline says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from governance.models import ContactMessage, PendingTask
from governance.notify import contact, sms

pytestmark = pytest.mark.django_db
NIGHT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
MORNING = datetime(2026, 11, 20, 23, 1, tzinfo=UTC)  # 07:01 the next day


def test_urgent_goes_at_once_the_rest_after_the_quiet_hours(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contact.notify_contact(phone="13700001111", text="急：张桂英家无活动迹象", kind="care_alert", urgent=True, now=NIGHT)
        later = contact.notify_contact(phone="13700002222", text="您反映的问题已受理", kind="workorder", now=NIGHT)
    assert [m.mobile for m in sms.outbox] == ["13700001111"]
    assert later.status == "pending" and later.not_before.astimezone(UTC) == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    assert contact.sweep(now=MORNING - timedelta(minutes=2)) == 0
    assert contact.sweep(now=MORNING) == 1
    assert [m.mobile for m in sms.outbox] == ["13700001111", "13700002222"]
    assert contact.sweep(now=MORNING) == 0  # nothing twice


def test_same_key_is_one_message_and_the_number_is_sealed(world):
    a = contact.notify_contact(phone="13700001111", text="x", kind="k", dedup_key="k:1", urgent=True)
    b = contact.notify_contact(phone="13700001111", text="x", kind="k", dedup_key="k:1", urgent=True)
    assert a.pk == b.pk and ContactMessage.objects.count() == 1
    row = ContactMessage.objects.get()
    assert "13700001111" not in row.phone_enc and row.phone_masked == "137****1111"


def test_broker_down_then_delivered_after(world, broker_down, settings, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        message = contact.notify_contact(phone="13700003333", text="急", kind="care_alert", urgent=True)
    assert sms.outbox == [] and PendingTask.objects.exists()
    message.refresh_from_db()
    assert message.status == "pending"
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back
    assert contact.sweep(now=timezone.now()) == 1
    assert [m.mobile for m in sms.outbox] == ["13700003333"]


def test_provider_down_is_retried_by_the_sweep(world, monkeypatch):
    message = contact.notify_contact(phone="13700004444", text="急", kind="care_alert", urgent=True)
    message.refresh_from_db()
    sms.outbox.clear()
    ContactMessage.objects.filter(pk=message.pk).update(status="pending", sent_at=None)

    def down(**kwargs):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr(sms, "send_sms", down)
    assert contact.sweep() == 0
    assert ContactMessage.objects.get(pk=message.pk).attempts == 1
    monkeypatch.undo()
    assert contact.sweep() == 1


def test_care_contacts_without_a_login_get_the_ladder_step(world, django_capture_on_commit_callbacks):
    from governance import access
    from households.care.models import AlertEvent
    from households.care.services import alerts_escalate, ensure_defaults
    from households.services import care_contact_add
    from tests.care.factories import make_alert

    ensure_defaults(world.district)
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    alert = make_alert(world, now=now)
    care_contact_add(person=alert.person, name="张丽", relation="女儿", phone="13700005555", actor=access.system())
    with django_capture_on_commit_callbacks(execute=True):
        alerts_escalate(district=world.district, now=now + timedelta(minutes=10))
        alerts_escalate(district=world.district, now=now + timedelta(minutes=11))  # again: nothing twice
    assert [m.mobile for m in sms.outbox if m.mobile == "13700005555"] == ["13700005555"]
    step = AlertEvent.objects.get(alert=alert, step="contacts")
    assert "张丽 137****5555" in step.note and step.notified >= 1
