"""Matrix rows for the portal shell's own routes (home, me, preferences); see governance/views.py.
The preferences are the user's own, so every persona (and anonymous) gets the same answer."""

from tests.authz.matrix import Row

ROWS = [
    Row("portal:home", "wang_resident", 200),
    Row("portal:home", "li_gridworker", 200),
    Row("portal:home", "sun_department", 200),
    Row("portal:me", "li_gridworker", 200),
    Row("portal:me", "sun_department", 200),
    Row("portal:me", "admin", 200),
    Row("portal:language", None, 302, method="post", data={"language": "en", "next": "/"}),
    Row("portal:language", "wang_resident", 302, method="post", data={"language": "en", "next": "/"}),
    Row("portal:language", "wang_resident", 405, note="POST only"),
    Row("portal:large_text", None, 302, method="post", data={"on": "1", "next": "/"}),
    Row("portal:large_text", "wang_resident", 302, method="post", data={"on": "1", "next": "/"}),
    Row("portal:large_text", "li_gridworker", 405, note="POST only"),
]
