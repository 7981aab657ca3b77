"""`manage.py check --deploy --fail-level WARNING` is clean with production settings, and
production refuses to start on the demo's public secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "linli.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://linli.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "OUTBOX_SIGNING_SECRET": secrets.token_urlsafe(32),
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_env(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_debug_in_production(tmp_path):
    """The check itself can fail: DEBUG=True is reported (security.W018)."""
    result = manage(production_env(tmp_path, DEBUG="True"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "W018" in result.stdout + result.stderr


def test_production_refuses_the_demo_secrets(tmp_path):
    env = production_env(tmp_path)
    env.pop("FIELD_ENCRYPTION_KEYS")
    env.pop("OUTBOX_SIGNING_SECRET")
    result = manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr and "OUTBOX_SIGNING_SECRET" in result.stderr


def test_production_refuses_the_public_demo_values(tmp_path):
    """A production .env that copied the demo's values is refused like a missing one — each of
    the four, and a demo field key kept behind a new one too (it would still decrypt)."""
    from governance.settings import _DEMO_SECRETS

    for name, demo in _DEMO_SECRETS.items():
        value = f"{Fernet.generate_key().decode()},{demo}" if name == "FIELD_ENCRYPTION_KEYS" else demo
        result = manage(production_env(tmp_path, **{name: value}), "check", "--deploy")
        assert result.returncode != 0, name
        assert "public demo value" in result.stderr and name in result.stderr
