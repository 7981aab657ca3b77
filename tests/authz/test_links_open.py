"""No link a person may not open (the demo crawl found two): every admin page and staff page the
matrix says a persona opens (200) links only to pages that persona may open too."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from tests.authz.matrix import all_objects, all_rows

LINK = re.compile(r'href="(/(?:admin|orders|households|care)/[^"#]*)"')
ROWS = [r for r in all_rows() if r.expect == 200 and r.method == "get" and r.persona
        and (r.route.startswith("admin:") and r.route.endswith(("_change", "_add")) or r.route == "workorders:staff")]
OBJECTS = all_objects()


def _url(row, world):
    obj = OBJECTS[row.obj](world) if row.obj else None
    for name in ("object_id", "pk"):
        try:
            return reverse(row.route, kwargs={name: obj.pk} if obj is not None else None)
        except NoReverseMatch:
            continue
    return reverse(row.route)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_every_link_on_the_page_opens(row, world, client_for):
    client = client_for(row.persona)
    page = client.get(_url(row, world))
    assert page.status_code == 200
    refused = []
    for href in sorted(set(LINK.findall(page.content.decode())) - {"/admin/logout/"}):
        href = href.replace("&amp;", "&")
        if "logout" in href or href.endswith(("delete/", "/export/")):
            continue
        status = client.get(href).status_code
        if status in (403, 404) or status >= 500:
            refused.append((href, status))
    assert not refused, f"{row.persona} on {row.route} sees links it may not open: {refused}"
