"""One-time SMS codes for residents: page and API, limits, expiry, attempts, no enumeration."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import SmsCode
from governance.notify import otp, sms

WANG = "13800000001"  # wang_resident
STAFF = "13900000001"  # li_gridworker
NOBODY = "13700000099"


def _request(mobile, ip="10.0.0.1", now=None):
    otp.request_login_code(mobile=mobile, ip=ip, now=now)


def _last_code():
    match = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)
    assert match is not None, sms.outbox[-1].text
    return match.group(1)


def test_code_is_sent_hashed_and_logs_in_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(WANG)
    [message] = sms.outbox
    assert message.mobile == WANG and message.purpose == "login_code"
    code = _last_code()
    row = SmsCode.objects.get()
    assert code not in row.code_hash and WANG not in row.mobile_hash
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    user = otp.verify_login_code(mobile=WANG, code=code)
    assert user == world.users["wang_resident"]
    assert otp.verify_login_code(mobile=WANG, code=code) is None  # used


def test_wrong_codes_count_and_five_tries_kill_the_code(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(WANG)
    code = _last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert otp.verify_login_code(mobile=WANG, code=wrong) is None
    assert otp.verify_login_code(mobile=WANG, code=code) is None  # the right code, too late
    assert SmsCode.objects.get().attempts == 5


def test_code_expires_after_five_minutes(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(WANG)
    code = _last_code()
    later = timezone.now() + dt.timedelta(minutes=5, seconds=1)
    assert otp.verify_login_code(mobile=WANG, code=code, now=later) is None


def test_new_code_replaces_the_old(world, django_capture_on_commit_callbacks):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _request(WANG, now=start - dt.timedelta(minutes=2))
    first = _last_code()
    with django_capture_on_commit_callbacks(execute=True):
        _request(WANG, now=start)
    second = _last_code()
    if first != second:
        assert otp.verify_login_code(mobile=WANG, code=first) is None
    assert otp.verify_login_code(mobile=WANG, code=second) == world.users["wang_resident"]


def test_rate_limits_per_mobile_and_per_ip(world):
    now = timezone.now()
    _request(WANG, now=now)
    with pytest.raises(otp.TooManyRequests):
        _request(WANG, now=now + dt.timedelta(seconds=30))  # one a minute
    for i in range(1, 5):
        _request(WANG, now=now + dt.timedelta(minutes=2 * i))
    with pytest.raises(otp.TooManyRequests):
        _request(WANG, now=now + dt.timedelta(minutes=11))  # five an hour
    _request(WANG, now=now + dt.timedelta(minutes=61, seconds=1))  # the hour has passed
    # Per IP: twenty an hour whatever the numbers.
    for i in range(20):
        _request(f"1370000{i:04d}", ip="10.9.9.9", now=now)
    with pytest.raises(otp.TooManyRequests):
        _request("13711112222", ip="10.9.9.9", now=now)
    _request("13711112222", ip="10.9.9.10", now=now)


def test_unknown_and_staff_mobiles_get_the_same_answer_and_no_sms(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(NOBODY)
        _request(STAFF)
    assert sms.outbox == []
    assert SmsCode.objects.count() == 2  # rate limits count them just the same
    now = timezone.now()
    with pytest.raises(otp.TooManyRequests):
        _request(NOBODY, now=now + dt.timedelta(seconds=10))
    for guess in ("000000", "123456"):
        assert otp.verify_login_code(mobile=NOBODY, code=guess) is None
        assert otp.verify_login_code(mobile=STAFF, code=guess) is None


def test_bad_mobile_is_a_field_error(world, api_for):
    response = api_for(None).post("/api/v1/auth/sms-code/", {"mobile": "12345"})
    assert response.status_code == 400
    assert "mobile" in response.json()["error"]["fields"]


def test_api_request_and_login(world, api_for, django_capture_on_commit_callbacks):
    api = api_for(None)
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post("/api/v1/auth/sms-code/", {"mobile": WANG})
        unknown = api.post("/api/v1/auth/sms-code/", {"mobile": NOBODY})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()  # no account enumeration
    code = _last_code()
    bad = api.post("/api/v1/auth/sms-login/", {"mobile": WANG, "code": "99999x"})
    assert bad.status_code == 400 and "code" in bad.json()["error"]["fields"]
    ok = api.post("/api/v1/auth/sms-login/", {"mobile": WANG, "code": code})
    assert ok.status_code == 200 and ok.json()["username"] == "wang_resident"
    assert api.get("/api/v1/me/").status_code == 200  # the session is logged in
    again = api.post("/api/v1/auth/sms-code/", {"mobile": WANG})
    assert again.status_code == 429 and again.json()["error"]["code"] == "throttled"


def test_page_flow(world, client, django_capture_on_commit_callbacks):
    url = reverse("sms_login")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"mobile": WANG, "action": "send"})
    assert response.status_code == 200
    code = _last_code()
    response = client.post(url, {"mobile": WANG, "code": "000000" if code != "000000" else "111111",
                                 "action": "login"})
    assert response.status_code == 400 and "code" in response.context["form"].errors
    response = client.post(url, {"mobile": WANG, "code": code, "action": "login", "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert client.get(reverse("notify:inbox")).status_code == 200


def test_page_refuses_foreign_next(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sms_login"), {"mobile": WANG, "action": "send"})
    response = client.post(reverse("sms_login"), {"mobile": WANG, "code": _last_code(), "action": "login",
                                                  "next": "https://evil.example.com/"})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_page_same_answer_for_unknown(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("sms_login"), {"mobile": WANG, "action": "send"})
        client.cookies.clear()
        unknown = client.post(reverse("sms_login"), {"mobile": NOBODY, "action": "send"})
    assert known.status_code == unknown.status_code == 200
    assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]
    assert len(sms.outbox) == 1


def test_purge_keeps_recent_codes(world):
    now = timezone.now()
    _request(WANG, now=now - dt.timedelta(days=2))
    _request(NOBODY, now=now)
    assert otp.purge_expired(now=now) == 1
    assert SmsCode.objects.count() == 1


def test_sms_backend_authenticates_only_through_verify(world):
    from django.contrib.auth import authenticate

    assert authenticate(None, mobile=WANG, sms_code="123456") is None


def test_page_login_with_axes_enabled_and_lockout(world, client, django_capture_on_commit_callbacks):
    """Production runs django-axes: a good code logs in; five failures lock the mobile + IP pair."""
    from django.test import override_settings

    url = reverse("sms_login")
    with override_settings(AXES_ENABLED=True):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"mobile": WANG, "action": "send"})
        response = client.post(url, {"mobile": WANG, "code": _last_code(), "action": "login"})
        assert response.status_code == 302
        client.logout()
        for _ in range(5):
            client.post(url, {"mobile": WANG, "code": "000000", "action": "login"})
        response = client.post(url, {"mobile": WANG, "code": "123456", "action": "login"})
        assert response.status_code in (403, 429)  # axes' lock-out page, not the form's 400
        assert "_auth_user_id" not in client.session


def test_api_sms_login_needs_the_csrf_token(world):
    """Starting a session from a foreign page (login CSRF) is refused like on the login page."""
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/sms-login/", {"mobile": "13800000001", "code": "123456"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.postgres
def test_twenty_parallel_requests_send_one_code(transactional_db):
    """The limit of one code a minute per number holds under concurrency: twenty threads asking
    at once (each its own connection) get one code and nineteen 'wait' answers — before the lock
    they sent ten."""
    import threading

    from django.db import connections

    from governance.seed import seed

    seed()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def ask():
        try:
            barrier.wait(10)
            _request(WANG, ip=None)
            outcomes.append("sent")
        except otp.TooManyRequests:
            outcomes.append("throttled")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["sent"] + ["throttled"] * 19
    assert SmsCode.objects.filter(mobile_hash=otp._mobile_hash(WANG)).count() == 1


def test_codes_per_number_follow_throttle_sms(world, settings):
    """THROTTLE_SMS sets how many codes one number gets in its window, on every door."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "sms": "2/hour"}}
    start = timezone.now()
    _request(WANG, now=start)
    _request(WANG, now=start + dt.timedelta(minutes=2))
    with pytest.raises(otp.TooManyRequests):
        _request(WANG, now=start + dt.timedelta(minutes=4))
