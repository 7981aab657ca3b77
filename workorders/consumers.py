"""Live updates over Channels. A socket joins only groups of orders the user may view: the order
page by access.scope, the staff queue by the WorkOrder policy (governance.live.policy_groups)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance import access
from governance.live import PolicyGroupsConsumer, policy_groups
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


class QueueConsumer(PolicyGroupsConsumer, AsyncJsonWebsocketConsumer):
    """ws/orders/queue/: a staff member's queue. Its groups are those the WorkOrder policy gives
    the user's roles (a region's orders, a department's), plus the orders assigned to them;
    a role that may view no order (a council member, a merchant) is refused."""

    def groups_for(self, user) -> list[str]:
        groups = policy_groups(user, WorkOrder, region_group=lambda rid: f"queue_region_{rid}",
                               department_group=lambda did: f"queue_dept_{did}")
        return groups + [f"queue_user_{user.pk}"] if groups else []

    async def order_event(self, event):
        await self.forward(event)
