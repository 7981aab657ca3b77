"""The live page: the socket joins only for users who may view the order, and a status
change is pushed after commit."""

import pytest
from asgiref.sync import sync_to_async

from tests.live import communicator, run_in_own_loop
from workorders import services
from workorders.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user, path):
    return communicator(websocket_urlpatterns, path, user)


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

    run_in_own_loop(scenario)
