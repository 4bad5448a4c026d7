"""Waiting in the browser tests for what the page draws after Streamlit's run has ended (Plotly charts, animations)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `condition` every 0.1 s until it holds (True) or `timeout` seconds have passed (False)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
