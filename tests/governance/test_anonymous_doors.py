"""Every door as a stranger meets it: each login page opens for an anonymous visitor, and no
route without arguments answers a 5xx to one (the admin's login page once answered 500 because
a model admin asked AnonymousUser for its roles)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from governance import access

LOGIN_PAGES = ["/admin/login/", "/accounts/login/", "/accounts/sms-login/"]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_login_pages_open_anonymously(client, world, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert b"password" in response.content.lower() or b"code" in response.content.lower()


def test_admin_sends_visitors_to_its_login_page(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 200


def test_admin_login_page_logs_staff_in(client, world):
    client.get("/admin/login/")
    response = client.post("/admin/login/?next=/admin/", {"username": "zhao_community", "password": "Linli@2026"})
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/").status_code == 200


def test_role_helpers_answer_for_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    assert access.assignments(visitor) == []
    assert access.has_role(visitor, "district_admin") is False
    assert access.works_in_back_office(visitor) is False
    assert access.region_paths(visitor) == []
    assert access.covers(visitor, "/1/") is False
    assert access.has_role(None, "resident") is False


def _plain_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _plain_routes(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            path = prefix + route
            yield "/" + path.lstrip("^").rstrip("$").replace("\\", "")


def test_no_route_answers_a_server_error_to_a_stranger(client, world):
    routes = sorted({r for r in _plain_routes() if not r.startswith(("/static", "/media"))})
    assert "/admin/login/" in routes and len(routes) > 40
    broken = []
    for url in routes:
        response = client.get(url)
        if response.status_code >= 500:
            broken.append((url, response.status_code))
    assert not broken


def test_the_favicon_every_browser_asks_for_is_there(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith(".ico")
    assert 'rel="icon"' in client.get("/").content.decode()
