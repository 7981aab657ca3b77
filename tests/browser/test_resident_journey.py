"""Journey 1: a resident on a phone logs in, switches to English and back, turns on
large-text mode (适老化), finds it still on after a reload, and logs out."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def html_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def assert_fits_a_phone(page):
    """Nothing wider than the screen, and the header's controls are big enough to tap."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    for control in page.locator("header a, header button").all():
        box = control.bounding_box()
        assert box and box["height"] >= 44, f"tap target too small: {control.inner_text()!r} {box}"


def test_resident_logs_in_switches_language_and_large_text(page, site, seeded):
    from governance.models import Notification

    resident = seeded.users["wang_resident"]
    Notification.objects.create(user=resident, title="您上报的路灯问题已处理")
    Notification.objects.create(user=resident, title="社区通知：周六义诊")
    page.goto(site + "/accounts/login/")
    expect(page.locator("h1")).to_have_text("登录")
    assert page.evaluate("typeof htmx") == "object"  # the vendored htmx, served by the live server
    assert_fits_a_phone(page)
    screenshot(page, "login-zh")

    page.get_by_label("用户名或手机号").fill("wang_resident")
    page.get_by_label("密码").fill("Linli@2026")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator("h1")).to_have_text("我的")
    expect(page.get_by_test_id("me-roles")).to_contain_text("居民")
    if page.get_by_test_id("inbox-link").count():
        expect(page.get_by_test_id("unread-badge")).to_have_text("2")
    assert_fits_a_phone(page)
    normal_px = html_font_px(page)
    screenshot(page, "me-zh")

    # English and back; the choice is kept on the account as well as in the cookie.
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Me")
    expect(page.get_by_test_id("me-roles")).to_contain_text("Resident")
    resident.refresh_from_db()
    assert resident.language == "en"
    screenshot(page, "me-en")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("我的")
    resident.refresh_from_db()
    assert resident.language == "zh-hans"

    # Large text on: bigger type, saved on the user, still on after a reload.
    page.get_by_test_id("large-text-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    expect(page.get_by_test_id("me-large-text")).to_have_text("已开启")
    large_px = html_font_px(page)
    assert large_px >= normal_px * 1.2, (normal_px, large_px)
    resident.refresh_from_db()
    assert resident.large_text is True
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    assert html_font_px(page) == large_px
    assert_fits_a_phone(page)
    screenshot(page, "me-large")

    # Log out: back on the home page, logged out, and this phone keeps its large text.
    page.get_by_test_id("me-logout").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("home-login")).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    assert_fits_a_phone(page)
    screenshot(page, "home-large-logged-out")
    page.goto(site + "/me/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/me/$"))


def test_grid_worker_home_points_to_the_back_office(page, site, seeded):
    page.goto(site + "/accounts/login/?next=/")
    page.get_by_label("用户名或手机号").fill("13900000001")  # the mobile number works as the username
    page.get_by_label("密码").fill("Linli@2026")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(site + "/")
    cards = page.get_by_test_id("home-cards")
    expect(cards.get_by_role("link", name="管理后台")).to_have_attribute("href", "/admin/")
    assert_fits_a_phone(page)
    screenshot(page, "home-gridworker")


def test_smallest_phone_in_english_with_large_text_still_fits(page, site, seeded):
    """The longest labels (English) at the biggest size (large text) on a 320px-wide phone."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site},
                              {"name": "large_text", "value": "1", "url": site}])
    for url in ("/", "/accounts/login/", "/accounts/password/"):
        page.goto(site + url)
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
        assert_fits_a_phone(page)
    screenshot(page, "login-320-en-large", full_page=False)
