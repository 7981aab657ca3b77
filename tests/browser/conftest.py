"""Browser tests: pytest-playwright driving Debian's chromium (never a downloaded browser)
against pytest-django's live server, which also serves /static/ through the staticfiles finders.

The live server runs in a thread of this process, so the test sees its writes only with
`transactional_db`; a transactional test flushes the database at its end, so each test seeds
the world itself (`governance.seed.seed()` is idempotent). Under pytest-xdist each worker has
its own database, live server and browser.

Install the browser with `apt-get install -y chromium` (plus `fonts-wqy-microhei` or
`fonts-noto-cjk` so Chinese text renders in screenshots); `.ci/run` does it. Never `playwright install`."""

import os
import shutil

import pytest

# Playwright's sync API leaves an event loop running in the main thread from the first browser
# test to the end of the session (the browser is session-scoped), and Django then refuses every
# ORM call there: in the test body (seeding, checking what the page saved) and in any test that
# runs later in this process. None of them is async code, so the guard is lifted for the process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}  # a common phone in CSS pixels
SCREENSHOT_DIR = os.environ.get("BROWSER_SCREENSHOTS", "/tmp")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"browser tests need Debian's chromium at {CHROMIUM} (.ci/run installs it)")
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM}: apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: small viewport, touch, a Chinese browser."""
    return {**browser_context_args, "viewport": PHONE, "device_scale_factor": 2, "is_mobile": True,
            "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def seeded(transactional_db):
    """The demo world, seeded inside the test (live_server tests flush the database)."""
    from governance.seed import seed

    return seed()


@pytest.fixture
def site(live_server, seeded):
    """The live server's base URL, with the world in its database."""
    return live_server.url


def screenshot(page, name: str, *, full_page: bool = True) -> str:
    path = os.path.join(SCREENSHOT_DIR, f"linli-{name}.png")
    page.screenshot(path=path, full_page=full_page)
    return path


@pytest.fixture(autouse=True)
def patient_page(page):
    """Two cores shared with a parallel suite: allow slow pages rather than fail flakily."""
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)
    return page
