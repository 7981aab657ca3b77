"""Websocket routes of the care app (collected by governance.routing)."""

from django.urls import path

from households.care.consumers import AlertListConsumer

websocket_urlpatterns = [path("ws/care/alerts/", AlertListConsumer.as_asgi())]
