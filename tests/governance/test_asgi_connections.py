"""Under the documented ASGI server (daphne) every request runs in a fresh thread; Django's
persistent connections (CONN_MAX_AGE) are per thread and were never closed — 300 requests from
6 clients left 55 idle PostgreSQL connections, and an admin crawl then hit "too many clients".
Production now uses psycopg's connection pool, bounded by DB_POOL_MAX_SIZE."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connections_to(dbname: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                       [dbname])
        return cursor.fetchone()[0]


def test_connections_stay_bounded_under_daphne(world):
    from governance.models import ApiToken

    _token, raw = ApiToken.issue(name="probe", user=world.users["zhao_community"])
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings", "DATABASE_URL": url,
           "DB_POOL_MAX_SIZE": "4", "REDIS_URL": "", "DEBUG": "True"}
    server = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                               "governance.asgi:application"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/accounts/login/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        before = _connections_to(db["NAME"])
        statuses: list[int] = []

        def client():
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {raw}"}, timeout=30) as c:
                for _ in range(50):
                    statuses.append(c.get("/api/v1/regions/").status_code)

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        time.sleep(0.5)
        after = _connections_to(db["NAME"])
    finally:
        server.terminate()
        server.wait(10)
    assert statuses.count(200) == 300, set(statuses)
    assert after - before <= 4, f"{after - before} connections held after 300 requests (pool max 4)"
