import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command

from governance import pii
from households.models import Person
from tests.households.conftest import make_id


def test_gb11643_standard_example():
    info = pii.validate_id("resident_id", "11010519491231002x")
    assert info.number == "11010519491231002X"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"  # 17th digit 2 is even


@pytest.mark.parametrize("number, code", [
    ("110105194912310021", "id_checksum"),   # wrong check digit
    ("11010519491231002", "id_format"),       # 17 characters
    ("110105199902300011", "id_birth"),       # 30 February
])
def test_bad_resident_ids(number, code):
    if code == "id_birth":
        number = number[:17] + pii.gb11643_check_char(number[:17])
    with pytest.raises(ValidationError) as err:
        pii.validate_id("resident_id", number)
    assert err.value.code == code


def test_male_from_odd_sequence():
    assert pii.validate_id("resident_id", make_id(sex="M")).sex == "M"


def test_residence_permits_and_other_ids():
    body = "81000019800101001"
    hk = body + pii.gb11643_check_char(body)
    assert pii.validate_id("hkmo_residence", hk).birth_date == dt.date(1980, 1, 1)
    with pytest.raises(ValidationError):
        pii.validate_id("tw_residence", hk)  # Taiwan permits start with 830000
    with pytest.raises(ValidationError):
        pii.validate_id("resident_id", hk)  # a permit is not a resident ID
    body = "93615619850312001"
    assert pii.validate_id("foreign_pr", body + pii.gb11643_check_char(body)).birth_date == dt.date(1985, 3, 12)
    assert pii.validate_id("foreign_pr", "USA110085031210").number == "USA110085031210"
    with pytest.raises(ValidationError):
        pii.validate_id("foreign_pr", "812345198503120010")
    assert pii.validate_id("passport", "e12345678").number == "E12345678"
    assert pii.validate_id("travel_permit", "H12345678").number == "H12345678"
    with pytest.raises(ValidationError):
        pii.validate_id("travel_permit", "X1234")


def test_masks():
    assert pii.mask_id("110105194912310021") == "110105********0021"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("01064211234") == "010-****1234"
    assert pii.phone_kind("010-64211234") == "landline"
    with pytest.raises(ValidationError):
        pii.phone_kind("12345")


def test_encrypted_at_rest_and_blind_index(hh):
    row = Person.objects.filter(pk=hh.old.pk).values("id_number_enc", "id_number_masked", "id_last4").get()
    number = make_id(seq=1)
    assert number not in row["id_number_enc"]
    assert pii.decrypt(row["id_number_enc"]) == number
    assert row["id_number_masked"] == pii.mask_id(number)
    assert Person.objects.get(id_number_hash=pii.id_index(number.lower())) == hh.old
    phone = hh.old.phones.get(kind="mobile")
    assert phone.masked == "139****5678" and "13912345678" not in phone.number_enc


def test_rotate_keys_reencrypts_under_new_key(hh, settings):
    old_token = Person.objects.get(pk=hh.old.pk).id_number_enc
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_pii_keys", verbosity=0)
    token = Person.objects.get(pk=hh.old.pk).id_number_enc
    assert token != old_token
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key retired: still readable
    assert pii.decrypt(token) == make_id(seq=1)
    assert pii.decrypt(hh.old.phones.first().number_enc).startswith("1")
