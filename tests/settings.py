"""Test settings: the project's settings, with what only tests need.
DATABASE_URL / REDIS_URL from the environment still choose PostgreSQL + Redis (CI)."""

import os

from governance.settings import *  # noqa: F403
from governance.settings import REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production hashers are untouched
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
AXES_ENABLED = False  # tests of lock-out turn it on for themselves
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                                "anon": "10000/min", "user": "100000/min"}}
SMS_FILE_PATH = None  # the file backend keeps messages in memory under test (governance.notify.sms)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"

os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
