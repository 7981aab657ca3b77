"""Websocket routes of every app (each app lists its own in `<app>/routing.py`)."""

from importlib import import_module

from django.apps import apps
from django.urls import path

from governance.consumers import NotificationConsumer

websocket_urlpatterns = [path("ws/notifications/", NotificationConsumer.as_asgi())]
for _config in apps.get_app_configs():
    try:
        _module = import_module(f"{_config.name}.routing")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_config.name}.routing":
            raise
        continue
    if _module.__name__ != __name__:
        websocket_urlpatterns += getattr(_module, "websocket_urlpatterns", [])
