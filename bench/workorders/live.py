"""(d) Live progress: a status change → the reporter's open order page, with the Redis channel
layer and a real daphne server on 127.0.0.1.

`reporters` residents each have their own order open in a websocket (/ws/orders/<id>/,
logged in by their session cookie, as the page's live.js does). The bench then changes the
status of one order at a time through the real services (order_dispatch / order_send_back
as the district: accepted ⇄ dispatched), which push on commit through Redis; the latency is
from just before the service call to the frame arriving at that reporter's socket.
Bounded: `changes` changes, 5 s timeout each, the server killed at the end."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Socket:
    """A minimal websocket client (RFC 6455 text frames), enough for the order page's feed."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, path: str, cookie: str):
        reader, writer = await asyncio.open_connection(HOST, port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{HOST}:{port}\r\n"
                      f"Cookie: {cookie}\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"websocket refused: {head[:200]!r}")
        return cls(reader, writer)

    async def receive(self) -> dict:
        while True:
            b1, b2 = await self.reader.readexactly(2)
            n = b2 & 0x7F
            if n == 126:
                n = int.from_bytes(await self.reader.readexactly(2), "big")
            elif n == 127:
                n = int.from_bytes(await self.reader.readexactly(8), "big")
            mask = await self.reader.readexactly(4) if b2 & 0x80 else None
            data = await self.reader.readexactly(n)
            if mask:
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
            opcode = b1 & 0x0F
            if opcode == 1:
                return json.loads(data)
            if opcode == 8:
                raise ConnectionError("closed by the server")

    def close(self):
        # a masked close frame, so the server runs the consumer's disconnect (group_discard)
        self.writer.write(bytes([0x88, 0x80]) + os.urandom(4))
        self.writer.close()


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "governance.auth.UsernameOrMobileBackend"  # as a password login records
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def _prepare(reporters: int):
    """Orders in street A, accepted, each with a resident reporter of its own (made once)."""
    from governance.models import Assignment, Region, User
    from workorders.models import WorkOrder

    street = Region.objects.get(code="110105001")
    users, orders = [], []
    candidates = list(WorkOrder.objects.filter(region_path__startswith=street.path, status="accepted",
                                               parked=False).order_by("id")[:reporters])
    for i, order in enumerate(candidates):
        user, _ = User.objects.get_or_create(username=f"bench_reporter_{i}", defaults={"display_name": f"居民{i}"})
        Assignment.objects.get_or_create(user=user, role="resident", region=order.region.parent)
        WorkOrder.objects.filter(pk=order.pk).update(reporter=user)
        users.append(user)
        orders.append(order.pk)
    return users, orders


def run(*, reporters: int = 20, changes: int = 200, log=print) -> dict:
    from asgiref.sync import sync_to_async
    from django.conf import settings

    from governance.models import User
    from workorders import services
    from workorders.models import WorkOrder

    if "Redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        raise SystemExit("the live bench needs the Redis channel layer: set REDIS_URL")
    users, order_ids = _prepare(reporters)
    if not order_ids:
        raise SystemExit("no accepted orders in street A to watch")
    # an even number of changes per order: every order ends accepted again, as it started
    per = 2 * len(order_ids)
    changes = -(-changes // per) * per
    cookies = [_session_cookie(u) for u in users]
    port = _free_port()
    env = {**os.environ, "ALLOWED_HOSTS": f"{HOST},localhost"}
    server = subprocess.Popen([sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), "governance.asgi:application"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    district = User.objects.get(username="liu_district")

    def change(pk):
        order = WorkOrder.objects.get(pk=pk)
        if order.status == "accepted":
            services.order_dispatch(order=order, actor=district)
        else:
            services.order_send_back(order=order, actor=district, reason="基准测试：退回重派")

    async def main():
        deadline = time.monotonic() + 30
        while True:  # wait for the server to listen
            try:
                _r, w = await asyncio.open_connection(HOST, port)
                w.close()
                break
            except OSError as exc:
                if time.monotonic() > deadline or server.poll() is not None:
                    why = server.stderr.read(2000).decode() if server.poll() is not None else "timeout"
                    raise RuntimeError(f"daphne did not start: {why}") from exc
                await asyncio.sleep(0.2)
        sockets = [await Socket.open(port, f"/ws/orders/{pk}/", cookie) for pk, cookie in zip(order_ids, cookies, strict=True)]
        latencies, lost = [], 0
        for k in range(changes):
            i = k % len(order_ids)
            t0 = time.perf_counter()
            await sync_to_async(change, thread_sensitive=True)(order_ids[i])
            try:
                while True:
                    msg = await asyncio.wait_for(sockets[i].receive(), 5)
                    if msg.get("order") == order_ids[i]:
                        break
                latencies.append(time.perf_counter() - t0)
            except TimeoutError:
                lost += 1
        for s in sockets:
            s.close()
        await asyncio.sleep(1)  # let daphne leave the Redis groups before it is stopped
        return latencies, lost

    try:
        latencies, lost = asyncio.run(main())
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)] if latencies else float("nan")
    out = {"reporters": len(order_ids), "changes": changes, "received": len(latencies), "lost": lost,
           "median": statistics.median(latencies) if latencies else float("nan"), "p95": p95,
           "max": latencies[-1] if latencies else float("nan")}
    log(f"  live: {out}")
    return out
