"""Shared test helpers: running the app (or one of its pages) in Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_app(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """The app after its first run, opened on `page` (e.g. "pages/unfold.py") with the URL's `query`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page is not None:
        at.switch_page(page)
    at.run()
    return at


def assert_healthy(at: AppTest) -> None:
    """No exception element and no failure message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    failures = [e.value for e in at.error if "could not be computed" in str(e.value)]
    assert not failures, failures


@pytest.fixture
def app():
    return run_app
