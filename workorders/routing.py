"""Websocket routes (collected by governance.routing). Order routing rules: order_routing.py."""

from django.urls import path

from workorders.consumers import OrderConsumer, QueueConsumer

websocket_urlpatterns = [
    path("ws/orders/queue/", QueueConsumer.as_asgi()),
    path("ws/orders/<int:pk>/", OrderConsumer.as_asgi()),
]
