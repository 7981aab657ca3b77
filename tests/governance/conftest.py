import pytest

from governance import workdays
from governance.notify import sms


@pytest.fixture
def calendar_2025_2026(db):
    workdays.load_from_chinesecalendar([2025, 2026])


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """The in-memory SMS backend (SMS_FILE_PATH = None) starts empty in every test."""
    sms.outbox.clear()
    yield
    sms.outbox.clear()
