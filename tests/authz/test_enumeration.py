"""Every URL under /api/, /admin/ and the portal must have at least one row in the matrix
(or an exemption with a reason). A new endpoint without rows fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz.matrix import all_exemptions, all_rows

SKIP_PREFIXES = ("static/", "media/", "i18n/", "__debug__/")


def iter_names(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from iter_names(entry, route, ns)
        elif isinstance(entry, URLPattern):
            if route.lstrip("^").startswith(SKIP_PREFIXES):
                continue
            if not entry.name and namespace == "admin:":
                # Django admin's unnamed patterns redirect to named pages (the object URL to its
                # change page, the catch-all to the index); the named pages carry the rows.
                continue
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            yield name, route


def uncovered(names, rows, exempt):
    covered = {r.route for r in rows}
    return sorted({name for name, _route in names if name not in covered and name not in exempt})


def test_every_route_has_a_row():
    missing = uncovered(list(iter_names()), all_rows(), all_exemptions())
    assert not missing, "routes without a row in tests/authz (add rows or an EXEMPT reason):\n" + "\n".join(missing)


def test_enumeration_fails_for_a_route_without_rows():
    """The check itself can fail: a made-up route with no row is reported."""
    names = [("api:demo:thing-list", "api/v1/things/")]
    assert uncovered(names, all_rows(), {}) == ["api:demo:thing-list"]


def test_every_row_names_a_real_route():
    names = {name for name, _ in iter_names()}
    stale = sorted({r.route for r in all_rows()} - names)
    assert not stale, f"rows for routes that do not exist: {stale}"
