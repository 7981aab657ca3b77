"""One-time SMS login codes for residents.

* A code is 6 random digits, valid 5 minutes, at most 5 tries; only an HMAC of it is
  kept (keyed with SECRET_KEY, bound to the mobile), and the mobile only as a keyed hash.
* Requests are limited per mobile (one a minute, five an hour) and per client IP (twenty
  an hour), counted in the database so every process agrees.
* An unknown mobile, or one of a staff/service account, gets the same answer and the same
  rate limits as a resident's — a row is written either way — but no SMS: the answer never
  tells whether a number has an account.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import access
from governance.errors import ValidationFailed
from governance.models import SmsCode
from governance.ratelimit import Throttled, rate, serialize
from governance.validators import MOBILE_RE

CODE_LENGTH = 6
VALID_FOR = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
PER_MOBILE_MINUTE = 1
PER_IP_HOUR = 20  # per number and hour: THROTTLE_SMS (ratelimit.rate("sms"))
PURPOSE = "login"
UNUSABLE = "!"

SENT_MESSAGE = gettext_lazy("If this number belongs to a resident account, a code has been sent. "
                            "It is valid for 5 minutes.")
WRONG_CODE = gettext_lazy("The code is wrong or has expired. Request a new code if needed.")


class TooManyRequests(Throttled):
    default_message = gettext_lazy("Too many code requests. Please wait a while and try again.")


def _mobile_hash(mobile: str) -> str:
    return salted_hmac("linli.otp.mobile", mobile, algorithm="sha256").hexdigest()


def _ip_hash(ip: str | None) -> str:
    return salted_hmac("linli.otp.ip", ip or "-", algorithm="sha256").hexdigest() if ip else ""


def _code_hash(mobile: str, code: str) -> str:
    return salted_hmac("linli.otp.code", f"{mobile}:{code}", algorithm="sha256").hexdigest()


def normalize_mobile(mobile: str) -> str:
    mobile = (mobile or "").strip().replace(" ", "").replace("-", "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE_RE.match(mobile):
        raise ValidationFailed(_("Enter an 11-digit mainland mobile number, e.g. 13812345678."),
                               fields={"mobile": [_("Enter an 11-digit mainland mobile number, e.g. 13812345678.")]})
    return mobile


def _eligible_user(mobile: str):
    """The resident account of this mobile, or None (unknown, inactive, staff, service account)."""
    user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
    if user is None or user.is_superuser or user.is_service_account or access.works_in_back_office(user):
        return None
    return user


@transaction.atomic
def request_login_code(*, mobile: str, ip: str | None = None, now=None) -> None:
    """Send a login code to `mobile` if it belongs to a resident. Same answer either way."""
    mobile = normalize_mobile(mobile)
    now = now or timezone.now()
    mobile_hash, ip_hash = _mobile_hash(mobile), _ip_hash(ip)
    # Count and write one request at a time per number (and per address): 20 parallel requests
    # for one number once sent 10 codes, each having counted none before the others wrote.
    serialize(f"sms-code:{mobile_hash}")
    if ip_hash:
        serialize(f"sms-code-ip:{ip_hash}")
    per_number, window = rate("sms")
    recent = SmsCode.objects.filter(purpose=PURPOSE, created_at__gt=now - dt.timedelta(hours=1))
    if recent.filter(mobile_hash=mobile_hash, created_at__gt=now - dt.timedelta(minutes=1)).count() \
            >= PER_MOBILE_MINUTE:
        raise TooManyRequests(_("A code was sent less than a minute ago. Please wait before asking again."))
    if SmsCode.objects.filter(purpose=PURPOSE, mobile_hash=mobile_hash,
                              created_at__gt=now - dt.timedelta(seconds=window)).count() >= per_number:
        raise TooManyRequests()
    if ip_hash and recent.filter(ip_hash=ip_hash).count() >= PER_IP_HOUR:
        raise TooManyRequests()
    # A new code replaces the older ones.
    SmsCode.objects.filter(mobile_hash=mobile_hash, purpose=PURPOSE, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"
    user = _eligible_user(mobile)
    SmsCode.objects.create(
        mobile_hash=mobile_hash, ip_hash=ip_hash, purpose=PURPOSE, created_at=now, expires_at=now + VALID_FOR,
        code_hash=_code_hash(mobile, code) if user is not None else UNUSABLE,
    )
    if user is not None:
        from governance.notify.sms import send_sms

        text = _("[%(portal)s] Your login code is %(code)s, valid for 5 minutes. Do not share it.") % {
            "portal": settings.PORTAL_NAME, "code": code}
        transaction.on_commit(lambda: send_sms(mobile=mobile, text=text, purpose="login_code"))


def verify_login_code(*, mobile: str, code: str, now=None):
    """The resident whose current code this is, or None. Every try counts, right or wrong;
    after 5 tries the code is dead. A good code works once."""
    try:
        mobile = normalize_mobile(mobile)
    except ValidationFailed:
        return None
    code = (code or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(mobile_hash=_mobile_hash(mobile), purpose=PURPOSE, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.attempts >= MAX_ATTEMPTS:
            return None
        row.attempts += 1
        ok = row.code_hash != UNUSABLE and len(code) == CODE_LENGTH and constant_time_compare(
            _code_hash(mobile, code), row.code_hash)
        if ok:
            row.used_at = now
        row.save(update_fields=["attempts", "used_at"])
    return _eligible_user(mobile) if ok else None


def purge_expired(*, now=None) -> int:
    """Codes are evidence for rate limits for an hour, then they go."""
    now = now or timezone.now()
    deleted, _rows = SmsCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
    return deleted
