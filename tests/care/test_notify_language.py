"""Care-alert notices are written in each RECIPIENT's language, whoever acted (governance.notify
renders the lazy texts per recipient)."""

import pytest
from django.utils import translation

from governance.models import Notification
from households.care.models import AlertKind, AlertState
from tests.language import rendered_in, speaks

from .factories import make_alert

pytestmark = pytest.mark.django_db




def test_device_alert_and_its_moves_reach_each_in_their_language(world):
    from households.care.services import alert_acknowledge

    li = speaks(world.users["li_gridworker"], "en")
    ma = speaks(world.users["ma_gridleader"], "zh-hans")
    with translation.override("zh-hans"):
        alert = make_alert(world, kind="device")
    who = alert.person.name
    raised = {n.user_id: n for n in Notification.objects.filter(kind="care_alert", dedup_key__endswith=":raised")}
    assert raised[li.pk].title == f"{rendered_in('en', AlertKind.DEVICE.label)}: {who}"
    assert raised[li.pk].body == "A meter of this home stopped reporting: check the device."
    assert raised[ma.pk].title == f"{rendered_in('zh-hans', AlertKind.DEVICE.label)}：{who}"  # the Chinese colon
    assert raised[ma.pk].title != raised[li.pk].title

    with translation.override("en"):  # an English-speaking actor moves it
        alert_acknowledge(alert=alert, actor=world.users["admin"], note="")
    moved = {n.user_id: n for n in Notification.objects.filter(kind="care_alert", dedup_key__contains=":event:")}
    assert rendered_in("zh-hans", AlertState.ACKNOWLEDGED.label) in moved[ma.pk].body
    assert rendered_in("en", AlertState.ACKNOWLEDGED.label) in moved[li.pk].body
    assert moved[ma.pk].body != moved[li.pk].body
