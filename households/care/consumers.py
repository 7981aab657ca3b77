"""The staff list of open care alerts, live over Channels. A socket joins the groups the Alert
policy entitles its user to: each region of an assignment whose role may view alerts (an
alert is pushed to every region on its path), the persons the user cares for (care contacts
see only theirs), everything for a superuser. Without any, the socket is refused: a user who
may see no alert hears of none. Messages carry ids and states only; the page re-fetches its
list through the (scoped) view."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance.live import PolicyGroupsConsumer, policy_groups
from households.care import events
from households.care.models import Alert
from households.care.policies import persons_cared_for


def groups_for_user(user) -> list[str]:
    return policy_groups(
        user, Alert, region_group=events.region_group, everything=events.ALL_GROUP,
        owner_groups=lambda u: [events.person_group(pid) for pid in persons_cared_for(u).values_list("pk", flat=True)])


class AlertListConsumer(PolicyGroupsConsumer, AsyncJsonWebsocketConsumer):
    """ws/care/alerts/: the open-alert list (/care/) of staff and care contacts."""

    def groups_for(self, user) -> list[str]:
        return groups_for_user(user)

    async def care_alert(self, event):
        await self.forward(event)
