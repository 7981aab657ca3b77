"""Websockets in the authorization matrix: every route of governance.routing × persona
(× in/out-of-scope object for object routes) → joined or refused. A route without rows fails
the enumeration test below, like an HTTP route without matrix rows.

The staff queue once joined region groups by role, so a council member, who may view no order,
heard every order event of the community: it now asks the WorkOrder policy."""

from __future__ import annotations

import pytest

from tests.live import communicator, run_in_own_loop
from tests.personas import ALL_PERSONAS

pytestmark = pytest.mark.django_db(transaction=True)

# Who may open which socket (ROLES.md): "notifications" is everyone's own inbox.
QUEUE = {"li_gridworker", "wu_gridworker", "ma_gridleader", "hu_loudong", "zhao_community", "he_community",
         "chen_street", "zhou_outsider", "liu_district", "sun_department", "qian_department", "shui_utility"}
CARE = {"li_gridworker", "wu_gridworker", "ma_gridleader", "hu_loudong", "zhao_community", "he_community",
        "chen_street", "zhou_outsider", "liu_district", "admin"}
LOGGED_IN = set(ALL_PERSONAS)

ROUTES: dict[str, set[str]] = {
    "ws/notifications/": LOGGED_IN,
    "ws/orders/queue/": QUEUE,
    "ws/care/alerts/": CARE,
}
# Object routes: route -> (object factory, personas who may open it for that object)
ORDER_VIEWERS = {"wang_resident", "li_gridworker", "ma_gridleader", "zhao_community", "chen_street",
                 "liu_district", "admin"}


def _order_a1(world):
    from tests.authz.rows_workorders import _report

    return _report(world)


OBJECT_ROUTES = {"ws/orders/<int:pk>/": (_order_a1, ORDER_VIEWERS)}


def _connects(path: str, user) -> bool:
    from governance.routing import websocket_urlpatterns

    result: dict[str, bool] = {}

    async def scenario():
        comm = communicator(websocket_urlpatterns, path, user)
        connected, _ = await comm.connect()
        result["ok"] = connected
        await comm.disconnect()

    run_in_own_loop(scenario)
    return result["ok"]


def test_every_websocket_route_has_rows():
    from governance.routing import websocket_urlpatterns

    routes = {str(p.pattern) for p in websocket_urlpatterns}
    assert routes == set(ROUTES) | set(OBJECT_ROUTES), "a websocket route without matrix rows"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_socket_joins_only_for_entitled_personas(world, route):
    from django.contrib.auth.models import AnonymousUser

    wrong = []
    for persona in ALL_PERSONAS:
        if _connects("/" + route, world.users[persona]) != (persona in ROUTES[route]):
            wrong.append(persona)
    assert not wrong, f"{route}: {wrong}"
    assert not _connects("/" + route, AnonymousUser())


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_object_socket_joins_only_in_scope(world, route):
    from django.contrib.auth.models import AnonymousUser

    factory, viewers = OBJECT_ROUTES[route]
    obj = factory(world)
    path = "/" + route.replace("<int:pk>", str(obj.pk))
    wrong = [p for p in ALL_PERSONAS if _connects(path, world.users[p]) != (p in viewers)]
    assert not wrong, f"{route}: {wrong}"
    assert not _connects(path, AnonymousUser())
    assert not _connects("/" + route.replace("<int:pk>", "999999999"), world.users["admin"])
