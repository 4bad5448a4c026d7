"""A real browser behind the deployment's nginx (deploy/): when its process restarts, Streamlit's own frontend
reconnects by itself, to a fresh session on the page of its address."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deploy import launch

from .conftest import fresh_app_page

LINK = "unfold?scale=0.5&T=30"


@pytest.fixture(scope="module")
def deployment():
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.fail("Debian's nginx is needed for the deployment tests: apt-get install nginx")
    with launch.running(2) as (url, run_dir):
        yield url, run_dir


def slider_value(app, key: str) -> str:
    return app.page.locator(f".st-key-{key} [data-testid='stSliderThumbValue']").first.inner_text().strip()


def regime(app) -> str:
    """The sidebar's regime summary, which the server writes from the settings."""
    return app.page.locator(".st-key-regime").first.inner_text()


def route(app) -> str:
    return {cookie["name"]: cookie["value"] for cookie in app.page.context.cookies()}["rnnviz_route"]


def test_a_browser_whose_process_restarts_gets_its_page_back_by_itself(browser, deployment):
    url, run_dir = deployment
    with fresh_app_page(browser, url) as app:
        app.open(LINK)
        process = route(app)
        launch.restart(process, run_dir)  # its websocket closes; Streamlit's frontend retries on its own, on the
        # other process while this one starts (the routing cookie then follows it), or on this one once it is up
        app.page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60_000)
        app.settle()
        reconnected = (slider_value(app, "scale"), slider_value(app, "T"), regime(app))

        app.page.locator(".st-key-scale input").first.focus()
        app.page.keyboard.press("End")  # the largest weight scale: the server's summary must change
        app.settle()

        assert reconnected[:2] == ("0.50", "30")  # the page of its address
        assert "vanishing" in reconnected[2] and "vanishing" not in regime(app)  # and the new session answers
        app.assert_healthy()
