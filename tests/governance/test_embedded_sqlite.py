"""The embedded default's SQLite settings: shared by the web process and the Celery worker."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_sqlite_begins_transactions_immediate_with_a_busy_timeout():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    out = subprocess.run(
        [sys.executable, "-c", "import json; from governance import settings as s; "
                               "print(json.dumps(s.DATABASES['default'], default=str))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    db = json.loads(out.strip().splitlines()[-1])
    assert db["ENGINE"].endswith("sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5 and "journal_mode=WAL" in db["OPTIONS"]["init_command"]
