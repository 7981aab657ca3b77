"""The portal shell: home by role, 我的, large-text mode, language switch, login pages."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_for_anonymous_explains_linli_and_offers_login(client):
    page = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in page
    assert "邻里" in page
    assert "/admin/" not in page


def test_home_sends_residents_to_resident_pages_and_staff_to_the_back_office(client_for):
    resident = client_for("wang_resident").get("/")
    names = {c["name"] for c in resident.context["cards"]}
    assert "admin:index" not in names
    staff = client_for("li_gridworker").get("/")
    staff_names = {c["name"] for c in staff.context["cards"]}
    assert "admin:index" in staff_names
    assert 'href="/admin/"' in staff.content.decode()
    department = client_for("sun_department").get("/")
    assert "api-docs" in {c["name"] for c in department.context["cards"]}


def test_cards_for_routes_that_do_not_exist_are_left_out(client_for):
    from governance.selectors import PORTAL_LINKS

    response = client_for("wang_resident").get("/")
    shown = {c["name"] for c in response.context["cards"]}
    for link in PORTAL_LINKS:
        if link.url_name in shown:
            assert reverse(link.url_name)


def test_me_page_lists_roles_and_their_scope(client_for, world):
    page = client_for("li_gridworker").get("/me/").content.decode()
    assert "李娜" in page
    assert "网格员" in page
    assert world.grids[0].name in page
    dept = client_for("sun_department").get("/me/").content.decode()
    assert "城管执法局" in dept


def test_me_page_masks_the_mobile(client_for):
    page = client_for("wang_resident").get("/me/").content.decode()
    assert "138****0001" in page
    assert "13800000001" not in page


def test_me_needs_login(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_large_text_persists_on_the_user_and_in_a_cookie(client_for, world):
    client = client_for("wang_resident")
    response = client.post("/prefs/large-text/", {"on": "1", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert response.cookies["large_text"].value == "1"
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].large_text is True
    client.cookies.pop("large_text")  # the account alone keeps it on another device
    assert 'class="large-text"' in client.get("/me/").content.decode()
    client.post("/prefs/large-text/", {"on": "0"})
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].large_text is False


def test_large_text_before_login_uses_the_cookie_and_toggles(client):
    assert 'class="large-text"' not in client.get("/").content.decode()
    response = client.post("/prefs/large-text/", {"next": "/"})  # no "on": toggle
    assert response.cookies["large_text"].value == "1"
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post("/prefs/large-text/", {})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_large_text_refuses_an_offsite_next(client):
    response = client.post("/prefs/large-text/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_large_text_is_post_only(client):
    assert client.get("/prefs/large-text/").status_code == 405


def test_language_switch_sets_the_cookie_and_saves_it_on_the_account(client_for, world):
    client = client_for("wang_resident")
    response = client.post("/prefs/language/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert response.cookies["django_language"].value == "en"
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].language == "en"
    page = client.get("/me/").content.decode()
    assert '<html lang="en"' in page and "My roles" in page
    client.post("/prefs/language/", {"language": "zh-hans", "next": "/me/"})
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].language == "zh-hans"
    assert "我的角色" in client.get("/me/").content.decode()


def test_saved_language_follows_the_user_to_a_new_device(client_for, world):
    user = world.users["wang_resident"]
    user.language = "en"
    user.save(update_fields=["language"])
    page = client_for("wang_resident").get("/me/").content.decode()  # a fresh client: no cookie
    assert '<html lang="en"' in page


def test_unknown_language_is_ignored(client_for, world):
    client_for("wang_resident").post("/prefs/language/", {"language": "xx", "next": "/"})
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].language == ""


def test_djangos_set_language_still_works(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"


def test_login_page_is_styled_and_offers_sms_login(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="username"' in page and 'class="button primary wide"' in page
    assert reverse("sms_login") in page and "用短信验证码登录" in page


def test_wrong_login_says_what_to_check(client):
    response = client.post("/accounts/login/", {"username": "wang_resident", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()


def test_login_by_mobile_then_logout(client):
    response = client.post("/accounts/login/", {"username": "13800000001", "password": "Linli@2026"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:me")
    assert client.get("/me/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302


def test_password_change_page(client_for):
    client = client_for("wang_resident")
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page
    response = client.post("/accounts/password/", {"old_password": "Linli@2026", "new_password1": "Qiang-Mima-2027",
                                                   "new_password2": "Qiang-Mima-2027"})
    assert response.status_code == 302
    assert "密码已修改" in client.get(response["Location"]).content.decode()


def test_header_links_the_inbox(client_for):
    page = client_for("wang_resident").get("/").content.decode()
    assert 'data-testid="inbox-link"' in page and reverse("notify:inbox") in page


def test_htmx_is_vendored_with_its_licence(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/htmx.min.js")
    assert finders.find("vendor/htmx.LICENSE.txt")
    assert "/static/vendor/htmx.min.js" in client.get("/").content.decode()


def test_swagger_ui_loads_its_assets_locally(client_for):
    import re

    page = client_for("sun_department").get("/api/docs/").content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert any(u.startswith("/static/drf_spectacular_sidecar/") for u in urls), urls
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
    # No CDN host anywhere in the page (a bare "cdn" substring can occur in the random CSRF token).
    assert not re.search(r"https?://[^\s\"']*cdn|//cdn\.|jsdelivr|unpkg|cdnjs", page.lower())


def test_a_user_without_a_role_is_offered_registration(client):
    from governance.models import User
    from governance.selectors import portal_links

    newcomer = User.objects.create_user(username="new_neighbour", password="x-Linli@2026")
    names = {c["name"] for c in portal_links(newcomer)}
    assert "households:register" in names
    assert "admin:index" not in names
    resident = User.objects.get(username="wang_resident")
    assert "households:register" not in {c["name"] for c in portal_links(resident)}


def test_staff_see_care_alerts_and_residents_do_not(world):
    from governance.selectors import portal_links

    assert "care:alerts" in {c["name"] for c in portal_links(world.users["li_gridworker"])}
    assert "care:alerts" not in {c["name"] for c in portal_links(world.users["wang_resident"])}


def test_large_text_chosen_before_login_is_kept_on_the_account(client, world):
    client.post("/prefs/large-text/", {"on": "1", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"username": "wang_resident", "password": "Linli@2026"})
    world.users["wang_resident"].refresh_from_db()
    assert world.users["wang_resident"].large_text is True
    assert 'class="large-text"' in client.get("/me/").content.decode()


def test_header_badge_shows_the_unread_count(client_for, world):
    from governance.models import Notification

    page = client_for("wang_resident").get("/me/").content.decode()
    assert 'data-testid="unread-badge"' not in page
    for i in range(3):
        Notification.objects.create(user=world.users["wang_resident"], title=f"通知 {i}")
    Notification.objects.create(user=world.users["li_gridworker"], title="别人的")
    page = client_for("wang_resident").get("/me/").content.decode()
    assert re.search(r'data-testid="unread-badge"[^>]*>3</span>', page)


def test_error_pages_are_the_portals_own(client, client_for):
    from django.template.loader import render_to_string

    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/"' in page
    assert "出错了" in render_to_string("500.html")  # rendered without a request, as Django does
    assert "您的角色不允许" in render_to_string("403.html")


def test_every_page_carries_the_live_badge_script_once(client_for):
    client = client_for("wang_resident")
    assert client.get("/me/").content.decode().count("governance/notify.js") == 1
    assert client.get(reverse("notify:inbox")).content.decode().count("governance/notify.js") == 1


def test_anonymous_home_needs_no_database(client, django_assert_num_queries):
    """docs/deploy.md offers `GET /` as the health check."""
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_me_and_home_pages_take_a_handful_of_queries(client_for, django_assert_max_num_queries):
    """Session, user, assignments (regions and departments joined), unread count."""
    for persona in ("li_gridworker", "sun_department", "wang_resident"):
        client = client_for(persona)
        for url in ("/me/", "/"):
            with django_assert_max_num_queries(5):
                assert client.get(url).status_code == 200


def test_the_new_portal_pages_name_every_control_and_image(world, client_for):
    from django.urls import reverse

    from governance.models import Publicity, Vote
    from governance.seed import LIFT_VOTE, POINTS_NOTICE
    from tests.a11y import problems

    c = client_for("wang_resident")
    vote = Vote.objects.get(title=LIFT_VOTE)
    notice = Publicity.objects.get(title=POINTS_NOTICE)
    for url in (reverse("portal:home"), reverse("portal:votes"), reverse("portal:vote", kwargs={"pk": vote.pk}),
                reverse("portal:publicity_list"), reverse("portal:publicity", kwargs={"pk": notice.pk}),
                reverse("workorders:report")):
        r = c.get(url)
        assert r.status_code == 200, url
        assert problems(r.content.decode()) == [], url
