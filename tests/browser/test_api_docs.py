"""/api/docs/ (Swagger UI) renders from this site alone: no CDN, no outside request."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_swagger_ui_makes_no_outside_request(page, site):
    own = urlparse(site).netloc
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Linli")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, "api-docs", full_page=False)
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != own]
    assert not outside, outside
    assert any("/static/drf_spectacular_sidecar/" in u for u in requests)
    assert any("/api/schema/" in u for u in requests)

