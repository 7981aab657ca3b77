"""The staff list of open care alerts, live over Channels. A socket joins the groups the Alert
policy entitles its user to: each region of an assignment whose role may view alerts (an
alert is pushed to every region on its path), the persons the user cares for (care contacts
see only theirs), everything for a superuser. Without any, the socket is refused: a user who
may see no alert hears of none. Messages carry ids and states only; the page re-fetches its
list through the (scoped) view."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance import access
from governance.roles import REGION_ROLES
from households.care import events
from households.care.models import Alert
from households.care.policies import persons_cared_for


def groups_for_user(user) -> list[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return [events.ALL_GROUP]
    policy = access.policy_for(Alert)
    groups = [events.region_group(a.region_id) for a in user.active_assignments
              if a.role in REGION_ROLES and a.region_id and policy.role_may(a.role, "view")]
    if policy.owner is not None and "view" in policy.owner_rights:
        groups += [events.person_group(pid) for pid in persons_cared_for(user).values_list("pk", flat=True)]
    return sorted(set(groups))


class AlertListConsumer(AsyncJsonWebsocketConsumer):
    """ws/care/alerts/: the open-alert list (/care/) of staff and care contacts."""

    async def connect(self):
        self.groups_joined = await database_sync_to_async(groups_for_user)(self.scope.get("user"))
        if not self.groups_joined:
            await self.close(code=4403)
            return
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def care_alert(self, event):
        await self.send_json({k: v for k, v in event.items() if k != "type"})
