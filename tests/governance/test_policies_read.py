"""Every right a Policy declares is read somewhere (issue 12 item 5): a right nobody checks is
a role check written by hand elsewhere ("retention" was declared while the purge asked
has_role("district_admin"))."""

from __future__ import annotations

import re
from pathlib import Path

from governance import access

ROOT = Path(__file__).resolve().parents[2]


def test_every_declared_right_is_checked_somewhere():
    declared: set[str] = set()
    for policy in access._policies.values():
        for actions in policy.rights.values():
            declared |= set(actions)
        declared |= set(policy.owner_rights) | set(policy.object_perms)
    declared.discard(access.ALL)
    source = "\n".join(p.read_text() for p in ROOT.rglob("*.py")
                       if not {".venv", "migrations", "tests", "bench"} & set(p.parts) and p.name != "policies.py")
    unread = sorted(a for a in declared if not re.search(rf"[\"']{re.escape(a)}[\"']", source))
    assert not unread, f"rights declared in a Policy but never checked: {unread}"
