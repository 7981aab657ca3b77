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
