"""End-to-end fixtures: `streamlit run app.py` on a free loopback port, driven by Playwright in Debian's chromium.

A missing chromium is a failure, not a skip: these tests are part of every CI run.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from deploy.servers import CHROMIUM_ARGS
from deploy.servers import running_streamlit as running_server  # `streamlit run app.py` for a block: its URL


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app_url():
    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class AppPage:
    """A browser tab on the app, with Streamlit-aware waiting."""

    def __init__(self, page, base_url: str):
        self.page, self.base_url, self.errors = page, base_url, []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str = "", **query) -> AppPage:
        from urllib.parse import urlencode

        return self.visit(self.base_url + path.lstrip("/") + (("?" + urlencode(query)) if query else ""))

    def visit(self, address: str) -> AppPage:
        """Go to a full address and wait until the page is drawn and its script has finished."""
        self.page.goto(address)
        # Before its first run the app reads as "not running" too: wait for the page's title, which every page
        # writes first, so that what follows sees the page drawn, not an empty frame.
        self.page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
        return self.settle()

    def settle(self, timeout: float = 60) -> AppPage:
        """Connected, the script not running, then a short pause for charts to draw."""
        app = "[data-testid='stApp']"
        self.page.wait_for_selector(f"{app}[data-test-connection-state='CONNECTED']", timeout=timeout * 1000)
        time.sleep(0.3)
        self.page.wait_for_selector(f"{app}[data-test-script-state='notRunning']", timeout=timeout * 1000)
        time.sleep(0.5)
        return self

    def choose(self, label: str, option) -> None:
        """Pick `option` (its name, or a compiled pattern) in the select box `label`, as a user does: open the list,
        click the option. A list that did not open (a click that landed while the page redrew) is opened again."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        exact = {"exact": True} if isinstance(option, str) else {}
        for _ in range(4):
            box.click()
            choice = self.page.get_by_role("option", name=option, **exact).first
            try:
                choice.wait_for(state="visible", timeout=5_000)
            except PlaywrightTimeoutError:
                self.page.keyboard.press("Escape")
                continue
            choice.click()
            return
        raise AssertionError(f"the list of {label!r} did not open, or has no {option!r}")

    def assert_healthy(self) -> None:
        boxes = self.page.locator("[data-testid='stException']")
        assert boxes.count() == 0, boxes.first.inner_text()[:500]
        assert not self.errors, self.errors

    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl, urlparse

        return dict(parse_qsl(urlparse(self.address()).query))

    def address(self) -> str:
        """The address the tab shows. Read from the page itself: Playwright's `page.url` can lag one change behind
        an address the app rewrites in place (history.replaceState)."""
        return self.page.evaluate("location.href")


LAPTOP = {"width": 1400, "height": 1000}


@contextmanager
def fresh_app_page(browser, base_url: str, viewport: dict | None = None, **context_options) -> Iterator[AppPage]:
    """A page in a browser context of its own (nothing shared with another visitor), closed afterwards;
    `context_options` go to Playwright's new_context (e.g. is_mobile=True)."""
    context = browser.new_context(viewport=viewport or LAPTOP, **context_options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield AppPage(page, base_url)
    finally:
        context.close()


@pytest.fixture
def app_page(browser, app_url):
    with fresh_app_page(browser, app_url) as app:
        yield app
