"""Live updates over Channels. A socket joins only groups of orders the user may view
(governance.access), and the staff queue joins the groups of the user's own scope."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance import access
from governance.roles import DEPARTMENT_ROLES, REGION_ROLES
from workorders.models import WorkOrder


class OrderConsumer(AsyncJsonWebsocketConsumer):
    """ws/orders/<id>/: the reporter's (or a handler's) open order page."""

    async def connect(self):
        user = self.scope.get("user")
        pk = self.scope["url_route"]["kwargs"]["pk"]
        if not await self._may_view(user, pk):
            await self.close(code=4404)
            return
        self.group = f"order_{pk}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    @database_sync_to_async
    def _may_view(self, user, pk) -> bool:
        if user is None or not user.is_authenticated:
            return False
        return access.scope(WorkOrder.objects.filter(pk=pk), user, "view").exists()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def order_event(self, event):
        await self.send_json({k: v for k, v in event.items() if k != "type"})


class QueueConsumer(OrderConsumer):
    """ws/orders/queue/: a staff member's queue (their regions, their department, their own)."""

    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined = await self._groups(user)
        if not self.groups_joined:
            await self.close(code=4403)
            return
        for g in self.groups_joined:
            await self.channel_layer.group_add(g, self.channel_name)
        await self.accept()

    @database_sync_to_async
    def _groups(self, user) -> list[str]:
        if user is None or not user.is_authenticated:
            return []
        groups = []
        for a in user.active_assignments:
            if a.role in REGION_ROLES and a.region_id:
                groups.append(f"queue_region_{a.region_id}")
            elif a.role in DEPARTMENT_ROLES and a.department_id:
                groups.append(f"queue_dept_{a.department_id}")
        if groups:
            groups.append(f"queue_user_{user.pk}")
        return groups

    async def disconnect(self, code):
        for g in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(g, self.channel_name)
