"""The server's compiled parts: requirements.txt installs Streamlit's `performance` extra, so uvicorn (Streamlit's
web server) parses HTTP with httptools, Streamlit runs its event loop on uvloop, and figures are serialised with
orjson. A first visit fetches some 80 script files from the server before its first chart can be drawn; these
serve them faster (bench/bench_pages.py)."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from uvicorn.config import Config


async def _app(scope, receive, send) -> None:  # pragma: no cover - never called
    raise NotImplementedError


def test_uvicorn_parses_http_with_httptools():
    config = Config(_app, http="auto", log_config=None)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not run on Windows; requirements.txt skips it there")
def test_the_event_loop_is_uvloop():
    from streamlit.web import bootstrap

    factory = bootstrap._get_uvloop_loop_factory()
    assert factory is not None and factory.__module__ == "uvloop"


def test_figures_are_serialised_with_orjson():
    assert importlib.util.find_spec("orjson") is not None
