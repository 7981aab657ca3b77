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
