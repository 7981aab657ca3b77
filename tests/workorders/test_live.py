"""The live page: the socket joins only for users who may view the order, and a status
change is pushed after commit."""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from workorders import services
from workorders.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user, path):
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user
    return comm


def _run(coro_fn):
    """Run the scenario on its own event loop in its own thread: a browser test earlier in the
    process may have left Playwright's loop running in the main thread."""
    import asyncio
    import threading

    errors = []

    def target():
        try:
            asyncio.run(coro_fn())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    if errors:
        raise errors[0]


def test_only_viewers_join_and_changes_are_pushed(world, make_order):
    order = make_order()
    u = world.users

    async def scenario():
        stranger = _communicator(u["feng_resident"], f"/ws/orders/{order.pk}/")
        connected, _ = await stranger.connect()
        assert not connected
        owner = _communicator(u["wang_resident"], f"/ws/orders/{order.pk}/")
        connected, _ = await owner.connect()
        assert connected
        queue = _communicator(u["zhao_community"], "/ws/orders/queue/")
        connected, _ = await queue.connect()
        assert connected
        await sync_to_async(services.order_accept)(order=order, actor=u["zhao_community"])
        msg = await owner.receive_json_from(timeout=2)
        assert msg["order"] == order.pk and msg["status"] == "accepted"
        qmsg = await queue.receive_json_from(timeout=2)
        assert qmsg["event"] == "accept"
        await owner.disconnect()
        await queue.disconnect()

    _run(scenario)
