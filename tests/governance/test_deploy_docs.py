"""docs/deploy.md lists every environment variable governance/settings.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r"""\benv(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_env_vars(text: str) -> set[str]:
    return set(ENV_READ.findall(text))


def test_the_pattern_finds_every_kind_of_read():
    sample = 'A = env("X")\nB = env.bool("Y", default=1)\nC = env.list(\n    "Z",\n    default=[])\nD = env.db("DATABASE_URL")'
    assert settings_env_vars(sample) == {"X", "Y", "Z", "DATABASE_URL"}


def test_deploy_doc_lists_every_env_var():
    names = settings_env_vars((ROOT / "governance/settings.py").read_text())
    assert {"DATABASE_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"} <= names
    doc = (ROOT / "docs/deploy.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert not missing, f"add these to the table in docs/deploy.md: {missing}"
