"""Validators shared by every app (phones, ID numbers live in governance.pii)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678."), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile or a landline with area code (many elderly residents only have a landline)."""
    if value and not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _("Enter a mobile number (13812345678) or a landline with area code (010-12345678)."), code="phone"
        )


# --- moments people and systems send us -----------------------------------------------------------

PLAUSIBLE_YEARS = (1970, 2100)
MAX_UTC_OFFSET_HOURS = 14  # the widest offset in use on Earth (UTC+14); PostgreSQL refuses beyond ±15:59


def plausible_moment(moment) -> bool:
    """Whether an aware or naive datetime is one a real request means: a year between 1970 and
    2100 and a UTC offset within ±14 h. "0001-01-01" was stored and answered in the zone's local
    mean time (+08:05:43, not RFC 3339); "…+19:33" passed Python and failed in PostgreSQL (a 500)."""
    if not PLAUSIBLE_YEARS[0] <= moment.year <= PLAUSIBLE_YEARS[1]:
        return False
    offset = moment.utcoffset()
    return offset is None or abs(offset.total_seconds()) <= MAX_UTC_OFFSET_HOURS * 3600
