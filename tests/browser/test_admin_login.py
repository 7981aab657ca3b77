"""Staff reach the back office the way the README tells them: /admin/ → its login page → in."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_staff_logs_in_through_admin_login(page, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(site + "/admin/")
    assert response is not None and response.status < 500
    assert "/admin/login/" in page.url
    page.fill("#id_username", "zhao_community")
    page.fill("#id_password", "Linli@2026")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    assert "/admin/login/" not in page.url
    expect(page.locator("#content")).to_contain_text("")
    screenshot(page, "admin-after-login", full_page=False)
