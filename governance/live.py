"""Live pushes to open pages over the Channels layer, sent after commit. A lost push is only a
delay (the pages poll while their socket is down), so the layer being down never fails a write."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

log = logging.getLogger(__name__)


def group_send_on_commit(messages: Iterable[tuple[Iterable[str], dict]], *, what: str) -> None:
    """After the current transaction commits, send each payload to each of its groups;
    `what` names the push in the warning logged if the layer fails."""
    messages = [(list(groups), payload) for groups, payload in messages]

    def send():
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        try:
            for groups, payload in messages:
                for group in groups:
                    async_to_sync(layer.group_send)(group, payload)
        except Exception:  # the channel layer being down must never fail the write
            log.warning("live push of %s failed", what, exc_info=True)

    transaction.on_commit(send)


def policy_groups(user, model, *, region_group=None, department_group=None, owner_groups=None,
                  everything: str | None = None, action: str = "view") -> list[str]:
    """The Channels groups a socket of `user` may join for rows of `model`, asked of the model's
    Policy — the same question as `access.scope`, so a socket hears of nothing its user could not
    open: each assignment whose role has `action` on the model gives its region's group (by
    `region_group(region_id)`, when the policy scopes by region) or its department's group;
    `owner_groups(user)` adds the rows the user holds as owner or by a per-object grant;
    a superuser joins `everything`. Anonymous or inactive: none."""
    from governance import access
    from governance.roles import DEPARTMENT_ROLES, REGION_ROLES

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if user.is_superuser:
        return [everything] if everything else []
    policy = access.policy_for(model)
    groups: set[str] = set()
    for a in access.assignments(user):
        if not policy.role_may(a.role, action):
            continue
        if a.role in REGION_ROLES and a.region_id and policy.region_path and region_group is not None:
            groups.add(region_group(a.region_id))
        elif a.role in DEPARTMENT_ROLES and a.department_id and policy.department and department_group is not None:
            groups.add(department_group(a.department_id))
    if owner_groups is not None and (action in policy.owner_rights or action in policy.object_perms):
        groups.update(owner_groups(user))
    return sorted(groups)


class PolicyGroupsConsumer:
    """Mixin for an AsyncJsonWebsocketConsumer that joins the groups `groups_for(user)` names (a
    sync function, usually built on `policy_groups`) and refuses the socket when there are none:
    a user who may see nothing hears of nothing. Events are forwarded without their "type"."""

    groups_joined: list[str]

    def groups_for(self, user) -> list[str]:
        raise NotImplementedError  # each consumer says which policy it asks

    async def connect(self):
        from channels.db import database_sync_to_async

        self.groups_joined = await database_sync_to_async(self.groups_for)(self.scope.get("user"))  # type: ignore[attr-defined]
        if not self.groups_joined:
            await self.close(code=4403)  # type: ignore[attr-defined]
            return
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)  # type: ignore[attr-defined]
        await self.accept()  # type: ignore[attr-defined]

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)  # type: ignore[attr-defined]

    async def forward(self, event):
        await self.send_json({k: v for k, v in event.items() if k != "type"})  # type: ignore[attr-defined]
