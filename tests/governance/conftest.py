import pytest

from governance import workdays


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Holiday rows written in a test are rolled back with it; so is the process cache."""
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def calendar_2025_2026(db):
    workdays.load_from_chinesecalendar([2025, 2026])
