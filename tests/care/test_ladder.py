"""The escalation ladder and the alert lifecycle, on a fixed clock (now= passed in)."""

from datetime import UTC, datetime, timedelta

import pytest

from governance.errors import IllegalTransition, NotFound, ValidationFailed
from governance.models import Notification
from households.care.models import AlertEvent, AlertState, VisitTask
from households.care.services import (
    MACHINE,
    alert_acknowledge,
    alert_resolve,
    alert_start_visit,
    alerts_escalate,
    ensure_defaults,
)
from tests.care.factories import care_contact, make_alert

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def notified(user, alert):
    return Notification.objects.filter(user=user, object_id=str(alert.pk), kind="care_alert").count()


def steps(alert):
    return list(AlertEvent.objects.filter(alert=alert).exclude(step="").values_list("step", flat=True))


@pytest.fixture
def ladder(world):
    ensure_defaults(world.district)


def test_the_default_ladder_climbs_on_a_fixed_clock(world, ladder):
    daughter = world.users["feng_resident"]
    alert = make_alert(world, now=NOW)
    care_contact(alert.person, daughter)
    alerts_escalate(district=world.district, now=NOW)
    assert steps(alert) == ["grid_call"]
    assert notified(world.users["li_gridworker"], alert) == 1
    assert notified(world.users["ma_gridleader"], alert) == 1
    assert notified(world.users["wu_gridworker"], alert) == 0  # another grid
    assert notified(daughter, alert) == 0
    alerts_escalate(district=world.district, now=NOW + timedelta(minutes=9))
    assert steps(alert) == ["grid_call"]
    alerts_escalate(district=world.district, now=NOW + timedelta(minutes=10))
    assert steps(alert) == ["grid_call", "contacts"]
    assert notified(daughter, alert) == 1
    assert not VisitTask.objects.filter(alert=alert).exists()
    alerts_escalate(district=world.district, now=NOW + timedelta(minutes=30))
    assert steps(alert) == ["grid_call", "contacts", "community_visit"]
    assert notified(world.users["zhao_community"], alert) == 1
    assert notified(world.users["he_community"], alert) == 0
    assert VisitTask.objects.get(alert=alert).started_at is None
    # a second run takes no step twice (a lost or repeated task only delays)
    assert alerts_escalate(district=world.district, now=NOW + timedelta(minutes=31)) == 0


def test_acknowledged_in_time_stops_the_community_step(world, ladder):
    alert = make_alert(world, now=NOW)
    alerts_escalate(district=world.district, now=NOW)
    alert_acknowledge(alert=alert, actor=world.users["li_gridworker"], now=NOW + timedelta(minutes=5))
    alerts_escalate(district=world.district, now=NOW + timedelta(minutes=45))
    assert steps(alert) == ["grid_call", "contacts"]
    assert not VisitTask.objects.filter(alert=alert).exists()


def test_device_alerts_never_climb_the_care_ladder(world, ladder):
    alert = make_alert(world, kind="device", now=NOW)
    alerts_escalate(district=world.district, now=NOW + timedelta(hours=5))
    assert steps(alert) == []
    assert notified(world.users["li_gridworker"], alert) == 1  # the lower notice at raise
    with pytest.raises(IllegalTransition):
        alert_start_visit(alert=alert, actor=world.users["li_gridworker"], now=NOW)


def test_lifecycle_open_to_resolved_with_timeline(world, ladder):
    alert = make_alert(world, now=NOW)
    li = world.users["li_gridworker"]
    alert = alert_acknowledge(alert=alert, actor=li, note="电话无人接听", now=NOW + timedelta(minutes=3))
    alert = alert_start_visit(alert=alert, actor=li, helpers="property", now=NOW + timedelta(minutes=20))
    alert = alert_resolve(alert=alert, actor=li, outcome="hospital", note="摔倒，已送医", now=NOW + timedelta(minutes=50))
    assert alert.state == AlertState.RESOLVED and alert.outcome == "hospital"
    moves = list(alert.events.exclude(action__in=["raised", "escalate"]).values_list("from_state", "to_state"))
    assert moves == [("open", "acknowledged"), ("acknowledged", "visiting"), ("visiting", "resolved")]
    visit = VisitTask.objects.get(alert=alert)
    assert visit.helpers == "property" and visit.done_at == NOW + timedelta(minutes=50)


@pytest.mark.parametrize("state,action", [
    (s, a) for s in AlertState.values for a in ("acknowledge", "visit", "resolve") if s not in MACHINE.move(a).sources
])
def test_every_illegal_move_is_refused(world, ladder, state, action):
    alert = make_alert(world, state=state, now=NOW)
    li = world.users["li_gridworker"]
    call = {"acknowledge": lambda: alert_acknowledge(alert=alert, actor=li, now=NOW),
            "visit": lambda: alert_start_visit(alert=alert, actor=li, now=NOW),
            "resolve": lambda: alert_resolve(alert=alert, actor=li, outcome="ok", now=NOW)}[action]
    with pytest.raises(IllegalTransition):
        call()


def test_outcome_rules_and_rights(world, ladder):
    alert = make_alert(world, now=NOW)
    with pytest.raises(ValidationFailed):
        alert_resolve(alert=alert, actor=world.users["li_gridworker"], outcome="needed_help", note="", now=NOW)
    with pytest.raises(ValidationFailed):
        alert_resolve(alert=alert, actor=world.users["li_gridworker"], outcome="bogus", now=NOW)
    with pytest.raises(NotFound):
        alert_acknowledge(alert=alert, actor=world.users["wu_gridworker"], now=NOW)
    daughter = world.users["feng_resident"]
    care_contact(alert.person, daughter)
    from governance.errors import Forbidden

    with pytest.raises(Forbidden):  # a care contact follows the alert, staff act on it
        alert_acknowledge(alert=alert, actor=daughter, now=NOW)


def test_the_alert_timeline_shows_words_not_codes(world, ladder, client_for):
    """The care timeline said "escalate (grid) → acknowledged": every step is in the reader's words."""
    from django.urls import reverse

    from households.care.services import alert_acknowledge, alerts_escalate

    alert = make_alert(world, now=NOW)
    alerts_escalate(district=world.district, now=NOW + timedelta(hours=2))
    alert_acknowledge(alert=alert, actor=world.users["li_gridworker"], now=NOW + timedelta(hours=3))
    html = client_for("li_gridworker").get(reverse("care:alert", kwargs={"pk": alert.pk}),
                                           HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    timeline = html[html.index("<ol"):] if "<ol" in html else html
    for code in ("escalate", " acknowledge ", "→ acknowledged", "→ open", "raised"):
        assert code not in timeline, code
