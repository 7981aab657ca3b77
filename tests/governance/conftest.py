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


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(settings):
    """Celery publishing to a broker that is not there (not eager): as in production, down."""
    from governance.celery import app

    saved = dict(app.conf.broker_url and {"broker_url": app.conf.broker_url} or {})
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=DEAD_REDIS, task_always_eager=False, broker_connection_timeout=0.3,
                    task_publish_retry_policy={"max_retries": 0})
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.update(task_always_eager=True, **saved)
    app._pool = None
    app.amqp._producer_pool = None


