"""Celery app. Embedded default: kombu's filesystem transport (no broker service);
production: Redis (REDIS_URL). Beat uses django-celery-beat's DatabaseScheduler."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
