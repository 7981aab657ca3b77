"""Browser journey on a phone: a resident reports a problem by picking her building, sees it on
her live page, and the page's status block follows the order when staff accept it (the polling
fallback path: the live server here has no websockets)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (  # noqa: F401  (fixtures shared with the browser suite)
    browser_context_args,
    browser_type_launch_args,
    patient_page,
    screenshot,
    seeded,
    site,
)

pytestmark = pytest.mark.browser


def test_resident_reports_and_follows_her_order(page, site, seeded):  # noqa: F811
    from households.models import Building
    from workorders import services
    from workorders.models import WorkOrder
    from workorders.reference import load_defaults

    load_defaults()
    Building.objects.create(grid=seeded.grids[0], name="3号楼", address="和平里东街5号院", lon=116.4312, lat=39.9612)
    page.goto(site + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill("wang_resident")
    page.get_by_label("密码").fill("Linli@2026")
    page.get_by_test_id("login-submit").click()
    page.goto(site + "/orders/report/")
    page.get_by_label("遇到了什么问题？").select_option(label="E0102 暴露垃圾")
    page.get_by_label("问题描述").fill("5号院门口堆了好几袋生活垃圾，两天没人清运。")
    page.get_by_label("或选择楼栋").select_option(label="和平里东街5号院 3号楼")
    screenshot(page, "orders-report")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = WorkOrder.objects.get()
    expect(page.get_by_test_id("status")).to_have_text("已上报")
    services.order_accept(order=order, actor=seeded.users["zhao_community"])
    # What live.js does when a push arrives: fire 'order-changed', and htmx re-fetches the status block.
    # Fired until the block shows the change: a first event may come before htmx has wired the
    # trigger up (its script is deferred), which on a real page the 20 s poll covers.
    page.wait_for_function(
        """() => {
            document.body.dispatchEvent(new CustomEvent('order-changed', {bubbles: true}));
            return document.querySelector('[data-testid=status]').textContent.includes('已受理');
        }""",
        polling=1000, timeout=20000)
    expect(page.get_by_test_id("status")).to_have_text("已受理")
    expect(page.get_by_test_id("timeline")).to_contain_text("立案")
    screenshot(page, "orders-detail-live")
    page.goto(site + "/orders/")
    expect(page.get_by_test_id("order-row")).to_have_count(1)
