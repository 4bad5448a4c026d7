"""Shared test helpers: running the app (or one of its pages) in Streamlit's AppTest."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
# Classes started by the tests (and by the servers the browser tests start) go to a file of the test run's own,
# never to the one beside the app; a test that needs its own file sets the variable itself.
os.environ.setdefault("RNNVIZ_CLASS_DB", str(Path(tempfile.mkdtemp(prefix="rnnviz-test-classes-")) / "classes.sqlite3"))

# AppTest marks every run of an app with a `pages/` folder as an old-style multipage app, which runs a page
# switched to directly, without app.py (no sidebar, no st.navigation). `streamlit run` clears that mark as soon
# as app.py calls st.navigation; do the same here, so a page runs under app.py as it does in the browser.
_pages_manager_init = PagesManager.__init__


def _init_with_navigation(self, *args, **kwargs):
    _pages_manager_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _init_with_navigation


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
