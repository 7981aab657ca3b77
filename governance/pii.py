"""Personal information (PIPL), for every app: ID and phone validation, encryption at rest,
blind index, masking, and the audited, rate-limited reveal of a full value.

* ID numbers: GB 11643 resident IDs (checksum, birth date, sex), the residence permits that
  share its layout (港澳 810000/820000, 台湾 830000), the new 18-character foreigner permanent
  residence ID (starts with 9, same checksum), passports and travel permits by format.
* Encryption: MultiFernet over settings.FIELD_ENCRYPTION_KEYS (newest first); `rotate` re-encrypts.
* Blind index: HMAC-SHA256 with settings.BLIND_INDEX_KEY over the normalized value, per kind,
  so equal numbers find each other without storing them readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.validators import LANDLINE_RE, MOBILE_RE, validate_phone


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card (居民身份证)")
    HK_MO_PERMIT = "hkmo_residence", _("HK/Macao residence permit (港澳居民居住证)")
    TW_PERMIT = "tw_residence", _("Taiwan residence permit (台湾居民居住证)")
    FOREIGN_PR = "foreign_pr", _("Foreigner permanent residence ID (外国人永久居留身份证)")
    PASSPORT = "passport", _("Passport (护照)")
    TRAVEL_PERMIT = "travel_permit", _("HK/Macao/Taiwan travel permit (港澳台居民来往内地通行证)")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    LANDLINE = "landline", _("Landline")

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
GB11643_RE = re.compile(r"^\d{17}[\dX]$")


def gb11643_check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdInfo:
    id_type: str
    number: str  # normalized
    birth_date: dt.date | None = None
    sex: str = ""


def normalize(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def _gb11643(number: str, label) -> tuple[dt.date, str]:
    if not GB11643_RE.match(number):
        raise ValidationError(_("%(label)s must be 17 digits followed by a digit or X.") % {"label": label},
                              code="id_format")
    if gb11643_check_char(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of this ID number is wrong: please check it again."),
                              code="id_checksum")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("This ID number contains an impossible birth date."), code="id_birth") from None
    if birth > dt.date.today() or birth.year < 1880:
        raise ValidationError(_("This ID number contains an impossible birth date."), code="id_birth")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return birth, sex


PERMIT_PREFIXES: dict[str, tuple[str, ...]] = {IdType.HK_MO_PERMIT: ("810000", "820000"), IdType.TW_PERMIT: ("830000",)}
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")
CN_PASSPORT_RE = re.compile(r"^E[A-Z0-9]\d{7}$")
TRAVEL_PERMIT_RE = re.compile(r"^([HM]\d{8}(\d{2})?|\d{8}(\d{2})?)$")
OLD_FOREIGN_PR_RE = re.compile(r"^[A-Z]{3}\d{12}$")


def validate_id(id_type: str, value: str) -> IdInfo:
    """Normalize and check an ID number of the given type; raise ValidationError with a clear message."""
    number = normalize(value)
    if not number:
        raise ValidationError(_("Enter the ID number."), code="required")
    if id_type == IdType.RESIDENT_ID:
        if number[:6] in ("810000", "820000", "830000"):
            raise ValidationError(_("This is a residence permit number: choose the residence permit ID type."),
                                  code="id_type")
        birth, sex = _gb11643(number, _("A resident ID number"))
        return IdInfo(id_type, number, birth, sex)
    if id_type in PERMIT_PREFIXES:
        if number[:6] not in PERMIT_PREFIXES[id_type]:
            raise ValidationError(_("This residence permit number must start with %(prefixes)s.")
                                  % {"prefixes": " / ".join(PERMIT_PREFIXES[id_type])}, code="id_prefix")
        birth, sex = _gb11643(number, _("A residence permit number"))
        return IdInfo(id_type, number, birth, sex)
    if id_type == IdType.FOREIGN_PR:
        if OLD_FOREIGN_PR_RE.match(number):  # the 15-character card issued before 2023
            return IdInfo(id_type, number)
        if not number.startswith("9"):
            raise ValidationError(_("A foreigner permanent residence ID starts with 9 (or is the old 15-character card)."),
                                  code="id_prefix")
        birth, sex = _gb11643(number, _("A foreigner permanent residence ID"))
        return IdInfo(id_type, number, birth, sex)
    if id_type == IdType.PASSPORT:
        if not PASSPORT_RE.match(number):
            raise ValidationError(_("A passport number has 5 to 17 letters and digits."), code="id_format")
        return IdInfo(id_type, number)
    if id_type == IdType.TRAVEL_PERMIT:
        if not TRAVEL_PERMIT_RE.match(number):
            raise ValidationError(_("A travel permit number is H or M followed by 8 digits (Hong Kong, Macao) "
                                    "or 8 digits (Taiwan)."), code="id_format")
        return IdInfo(id_type, number)
    raise ValidationError(_("Choose an ID type."), code="id_type")


def phone_kind(value: str) -> str:
    number = normalize_phone(value)
    validate_phone(number)
    return PhoneKind.MOBILE if MOBILE_RE.match(number) else PhoneKind.LANDLINE


def normalize_phone(value: str) -> str:
    value = re.sub(r"[\s()]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    if LANDLINE_RE.match(value) and "-" not in value and not MOBILE_RE.match(value):
        # 01012345678 → 010-12345678 (3-digit area codes start with 01 or 02)
        split = 3 if value[1] in "12" else 4
        value = f"{value[:split]}-{value[split:]}"
    return value


# --- encryption -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("PII token cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS") from None


def rotate(token: str) -> str:
    """Re-encrypt under the newest key (the others may then be retired)."""
    return fernet().rotate(token.encode()).decode() if token else ""


def blind_index(value: str, kind: str = "id") -> str:
    """Keyed hash for exact lookup and dedup; `kind` keeps ID and phone indexes apart."""
    if not value:
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def id_index(value: str) -> str:
    return blind_index(normalize(value), "id")


def phone_index(value: str) -> str:
    return blind_index(normalize_phone(value), "phone")


# --- masking ------------------------------------------------------------------------


def mask_id(number: str) -> str:
    """110105199001011234 → 110105********1234; short numbers keep their first and last two."""
    number = normalize(number)
    if len(number) >= 15:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def mask_phone(number: str) -> str:
    """13812345678 → 138****5678; 010-12345678 → 010-****5678."""
    number = normalize_phone(number)
    if MOBILE_RE.match(number):
        return number[:3] + "****" + number[-4:]
    if "-" in number:
        area, rest = number.split("-", 1)
        return f"{area}-" + "*" * max(len(rest) - 4, 0) + rest[-4:]
    return "*" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class SealedId:
    info: IdInfo
    enc: str
    hash: str
    masked: str
    last4: str


def seal_id(id_type: str, value: str) -> SealedId:
    info = validate_id(id_type, value)
    return SealedId(info, encrypt(info.number), blind_index(info.number, "id"), mask_id(info.number), info.number[-4:])


@dataclass(frozen=True)
class SealedPhone:
    number: str
    kind: str
    enc: str
    hash: str
    masked: str
    last4: str


def seal_phone(value: str) -> SealedPhone:
    kind = phone_kind(value)
    number = normalize_phone(value)
    return SealedPhone(number, kind, encrypt(number), blind_index(number, "phone"), mask_phone(number), number[-4:])


# --- the audited reveal of a full value ----------------------------------------------------------

def reveal_checked(*, actor, obj, field: str, purpose: str, masked: str, action: str | None = None) -> None:
    """What every full view of an ID or phone number passes (PIPL): a stated purpose, the
    per-user budget THROTTLE_REVEAL (counted from these same audit events under a lock, so it
    holds with the cache down or flushed), and an audit event with the purpose and the masked
    value. The caller checks the right (access.require) and decrypts after this returns.
    Raises ValidationFailed without a purpose, ratelimit.Throttled over the budget."""
    import datetime as _dt

    from django.utils import timezone
    from django.utils.translation import gettext

    from governance import audit, ratelimit
    from governance.errors import ValidationFailed
    from governance.models import AuditEvent

    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationFailed(gettext("Say why you need the full number."),
                               fields={"purpose": [gettext("A purpose is required.")]})
    limit, window = ratelimit.rate("reveal")
    ratelimit.serialize(f"pii-reveal:{actor.pk}")
    since = timezone.now() - _dt.timedelta(seconds=window)
    if AuditEvent.objects.filter(actor=actor, action__contains=REVEAL_MARK, at__gt=since).count() >= limit:
        raise ratelimit.Throttled(
            gettext("You have revealed %(n)s numbers in the last hour: wait before revealing more.") % {"n": limit},
            code="reveal_rate_limited")
    audit.record(actor=actor, action=action or f"{obj._meta.model_name}{REVEAL_MARK}{field}", obj=obj,
                 purpose=purpose, data={"masked": masked})


# Every reveal's audit action holds this mark ("person.reveal_phone", "workorder.reveal_contact"),
# which is how the budget counts them across apps.
REVEAL_MARK = ".reveal_"
