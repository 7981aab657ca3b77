"""Matrix rows for care alerts: readings API, alerts and away periods (API + portal), admin."""

from tests.authz.matrix import Row, admin_rows


def _alert(w):
    from tests.care.factories import care_contact, make_alert

    alert = make_alert(w)
    care_contact(alert.person, w.users["feng_resident"])  # feng_resident follows this person
    return alert


def _away(w):
    from datetime import timedelta

    from django.utils import timezone

    from households.care.models import AwayFlag
    from tests.care.factories import care_contact, watched_home

    person, _water, _power = watched_home(w)
    care_contact(person, w.users["feng_resident"])
    now = timezone.now()
    return AwayFlag.objects.create(person=person, starts_at=now, ends_at=now + timedelta(days=3),
                                   region_path=w.grids[0].path)


def _meter(w):
    from tests.care.factories import watched_home

    return watched_home(w)[1]  # the water company's meter, grid A1


def _consent(w):
    import datetime as dt

    from households.care.models import Consent
    from tests.care.factories import watched_home

    person, _water, _power = watched_home(w, tagged=False)
    return Consent.objects.create(person=person, given_by=person.name, date=dt.date(2026, 11, 1),
                                  region_path=w.grids[0].path)


def _settings(w):
    from households.care.services import ensure_defaults

    return ensure_defaults(w.district)


def _step(w):
    from households.care.services import ensure_defaults

    ensure_defaults(w.district)
    return w.district.care_ladder.order_by("order").first()


OBJECTS = {
    "care_alert_a1": _alert,
    "care_away_a1": _away,
    "care_meter_a1": _meter,
    "care_consent_a1": _consent,
    "care_settings": _settings,
    "care_step": _step,
}

EXEMPT: dict[str, str] = {}

_A = "api:care:alert"
ROWS = [
    # Readings: a utility's token only (tests/care/test_api.py posts with real tokens)
    Row("api:care:meter-readings", None, 401, method="post", data={"readings": []}),
    Row("api:care:meter-readings", "shui_utility", 403, method="post", data={"readings": [{}]},
        note="a session is not a utility token"),
    Row("api:care:meter-readings", "li_gridworker", 403, method="post", data={"readings": [{}]}),
    # Alerts
    Row(f"{_A}-list", None, 401),
    Row(f"{_A}-list", "li_gridworker", 200),
    Row(f"{_A}-list", "wang_resident", 200, note="empty: cares for nobody"),
    Row(f"{_A}-detail", "li_gridworker", 200, obj="care_alert_a1"),
    Row(f"{_A}-detail", "ma_gridleader", 200, obj="care_alert_a1"),
    Row(f"{_A}-detail", "zhao_community", 200, obj="care_alert_a1"),
    Row(f"{_A}-detail", "chen_street", 200, obj="care_alert_a1"),
    Row(f"{_A}-detail", "liu_district", 200, obj="care_alert_a1"),
    Row(f"{_A}-detail", "feng_resident", 200, obj="care_alert_a1", note="care contact of the person"),
    Row(f"{_A}-detail", "wu_gridworker", 404, obj="care_alert_a1"),
    Row(f"{_A}-detail", "he_community", 404, obj="care_alert_a1"),
    Row(f"{_A}-detail", "zhou_outsider", 404, obj="care_alert_a1"),
    Row(f"{_A}-detail", "hu_loudong", 404, obj="care_alert_a1", note="home is outside the micro-grid"),
    Row(f"{_A}-detail", "sun_department", 404, obj="care_alert_a1"),
    Row(f"{_A}-detail", "wang_resident", 404, obj="care_alert_a1"),
    Row(f"{_A}-detail", None, 401, obj="care_alert_a1"),
    Row(f"{_A}-acknowledge", "li_gridworker", 200, obj="care_alert_a1", method="post"),
    Row(f"{_A}-acknowledge", "feng_resident", 403, obj="care_alert_a1", method="post"),
    Row(f"{_A}-acknowledge", "wu_gridworker", 404, obj="care_alert_a1", method="post"),
    Row(f"{_A}-acknowledge", None, 401, obj="care_alert_a1", method="post"),
    Row(f"{_A}-visit", "zhao_community", 200, obj="care_alert_a1", method="post", data={"helpers": "police"}),
    Row(f"{_A}-visit", "feng_resident", 403, obj="care_alert_a1", method="post"),
    Row(f"{_A}-visit", "he_community", 404, obj="care_alert_a1", method="post"),
    Row(f"{_A}-visit", None, 401, obj="care_alert_a1", method="post"),
    Row(f"{_A}-resolve", "li_gridworker", 200, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row(f"{_A}-resolve", "feng_resident", 403, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row(f"{_A}-resolve", "zhou_outsider", 404, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row(f"{_A}-resolve", None, 401, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    # Away periods
    Row("api:care:awayflag-list", None, 401),
    Row("api:care:awayflag-list", "li_gridworker", 200),
    Row("api:care:awayflag-detail", "li_gridworker", 200, obj="care_away_a1"),
    Row("api:care:awayflag-detail", "feng_resident", 200, obj="care_away_a1"),
    Row("api:care:awayflag-detail", "wu_gridworker", 404, obj="care_away_a1"),
    Row("api:care:awayflag-detail", "wang_resident", 404, obj="care_away_a1"),
    Row("api:care:awayflag-detail", None, 401, obj="care_away_a1"),
    Row("api:care:awayflag-cancel", "feng_resident", 200, obj="care_away_a1", method="post"),
    Row("api:care:awayflag-cancel", "li_gridworker", 200, obj="care_away_a1", method="post"),
    Row("api:care:awayflag-cancel", "wu_gridworker", 404, obj="care_away_a1", method="post"),
    Row("api:care:awayflag-cancel", None, 401, obj="care_away_a1", method="post"),
    # Portal
    Row("care:alerts", None, 302),
    Row("care:alerts", "li_gridworker", 200),
    Row("care:alerts", "feng_resident", 200),
    Row("care:alerts_live", None, 302),
    Row("care:alerts_live", "zhao_community", 200),
    Row("care:alert", None, 302, obj="care_alert_a1"),
    Row("care:alert", "li_gridworker", 200, obj="care_alert_a1"),
    Row("care:alert", "feng_resident", 200, obj="care_alert_a1"),
    Row("care:alert", "wu_gridworker", 404, obj="care_alert_a1"),
    Row("care:alert_acknowledge", "li_gridworker", 302, obj="care_alert_a1", method="post"),
    Row("care:alert_acknowledge", "feng_resident", 403, obj="care_alert_a1", method="post"),
    Row("care:alert_acknowledge", "wu_gridworker", 404, obj="care_alert_a1", method="post"),
    Row("care:alert_acknowledge", None, 302, obj="care_alert_a1", method="post"),
    Row("care:alert_visit", "li_gridworker", 302, obj="care_alert_a1", method="post"),
    Row("care:alert_visit", "feng_resident", 403, obj="care_alert_a1", method="post"),
    Row("care:alert_visit", "wu_gridworker", 404, obj="care_alert_a1", method="post"),
    Row("care:alert_visit", None, 302, obj="care_alert_a1", method="post"),
    Row("care:alert_resolve", "li_gridworker", 302, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row("care:alert_resolve", "feng_resident", 403, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row("care:alert_resolve", "wu_gridworker", 404, obj="care_alert_a1", method="post", data={"outcome": "ok"}),
    Row("care:alert_resolve", None, 302, obj="care_alert_a1", method="post"),
    Row("care:away", None, 302),
    Row("care:away", "wang_resident", 200),
    Row("care:away", "li_gridworker", 200),
    Row("care:away_cancel", "li_gridworker", 302, obj="care_away_a1", method="post"),
    Row("care:away_cancel", "wu_gridworker", 404, obj="care_away_a1", method="post"),
    Row("care:away_cancel", None, 302, obj="care_away_a1", method="post"),
    # Admin
    *admin_rows("care_alert", "li_gridworker", obj="care_alert_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("care_alert", "wu_gridworker", obj="care_alert_a1", changelist=200, add=403, change=404,
                delete=404, history=404),
    *admin_rows("care_alert", "wang_resident", obj="care_alert_a1", changelist=302, add=302, change=302),
    *admin_rows("care_awayflag", "li_gridworker", obj="care_away_a1", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("care_awayflag", "wu_gridworker", obj="care_away_a1", changelist=200, add=200, change=404,
                delete=404, history=404),
    # The back office opens to roles with the right: a department (or a care contact) owns no
    # away flags there, whatever the portal lets them do with their own (the crawl found the page).
    *admin_rows("care_awayflag", "sun_department", obj="care_away_a1", changelist=403, add=403, change=403),
    *admin_rows("care_awayflag", "shui_utility", obj="care_away_a1", changelist=403, add=403, change=403),
    *admin_rows("care_consent", "zhao_community", obj="care_consent_a1", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("care_consent", "li_gridworker", obj="care_consent_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("care_consent", "he_community", obj="care_consent_a1", changelist=200, add=200, change=404,
                delete=404, history=404),
    *admin_rows("care_consent", "sun_department", obj="care_consent_a1", changelist=403, add=403, change=403),
    *admin_rows("care_meter", "zhao_community", obj="care_meter_a1", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("care_meter", "shui_utility", obj="care_meter_a1", changelist=200, add=403, change=200,
                delete=403, history=200),
    *admin_rows("care_meter", "sun_department", obj="care_meter_a1", changelist=200, add=403, change=404,
                delete=404, history=404),
    *admin_rows("care_meter", "he_community", obj="care_meter_a1", changelist=200, add=200, change=404),
    *admin_rows("care_caresettings", "liu_district", obj="care_settings", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("care_caresettings", "chen_street", obj="care_settings", changelist=403, add=403, change=403),
    *admin_rows("care_caresettings", "li_gridworker", obj="care_settings", changelist=403, add=403, change=403),
    *admin_rows("care_escalationstep", "liu_district", obj="care_step", changelist=200, add=200, change=200,
                delete=403, history=200),
    *admin_rows("care_escalationstep", "zhao_community", obj="care_step", changelist=403, add=403, change=403),
]
