"""Helpers for websocket tests (Channels communicators)."""

import asyncio
import threading

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator


def communicator(websocket_urlpatterns, path: str, user) -> WebsocketCommunicator:
    """A communicator on an app's websocket routes, as `user` (what AuthMiddleware would set)."""
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user
    return comm


def run_in_own_loop(coro_fn) -> None:
    """Run the scenario on its own event loop in its own thread: a browser test earlier in the
    process may have left Playwright's loop running in the main thread."""
    errors: list[BaseException] = []

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
