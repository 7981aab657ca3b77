"""Live notifications: ws/notifications/ joins the logged-in user's own group only."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance.notify.services import group_name


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group = group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The socket only carries server → page events; pages mark read through the API.
        pass

    async def notify_message(self, event):
        await self.send_json(event["data"])
