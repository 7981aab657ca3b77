"""Websocket routes of every app (each app lists its own in `<app>/routing.py`)."""

from django.urls import path

from governance.autodiscover import app_modules
from governance.consumers import NotificationConsumer

websocket_urlpatterns = [path("ws/notifications/", NotificationConsumer.as_asgi())]
for _module in app_modules("routing"):
    if _module.__name__ != __name__:
        websocket_urlpatterns += getattr(_module, "websocket_urlpatterns", [])
