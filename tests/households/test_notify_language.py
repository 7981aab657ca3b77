"""Rental reminders (a beat, no actor) reach each staff member in their own language."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from governance.models import Notification
from households.services import rental_create, rental_reminders_send

pytestmark = pytest.mark.django_db


def test_rental_reminder_in_each_recipients_language(world, hh):
    li = world.users["li_gridworker"]
    li.language = "en"
    li.save(update_fields=["language"])
    today = timezone.localdate()
    ends = today + dt.timedelta(days=10)
    rental_create(unit=hh.a1.unit, starts_on=today - dt.timedelta(days=300), ends_on=ends,
                  registration_number="备001", actor=world.users["zhao_community"])
    with translation.override("zh-hans"):
        assert rental_reminders_send() == 2
    titles = dict(Notification.objects.filter(kind="rental_expiry").values_list("user__username", "title"))
    assert titles["li_gridworker"] == f"Rental ends on {ends}: {hh.a1.unit}"
    with translation.override("zh-hans"):
        expected = translation.gettext("Rental ends on %(date)s: %(unit)s") % {"date": ends, "unit": hh.a1.unit}
    assert titles["zhao_community"] == expected != titles["li_gridworker"]
