"""Starting and stopping `streamlit run app.py` processes on loopback ports: the one place that knows how.

Used by the nginx launcher (`deploy/launch.py`), the load test (`loadtest/run.py`) and the browser tests
(`tests/browser/conftest.py`), which also take the headless Chromium's path and launch arguments from here.

    port = free_port()
    server = start_streamlit(port, log=path)      # in its own process group
    wait_healthy(f"http://127.0.0.1:{port}/", 60)
    stop_group(server)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium, as the browser tests and the load test's browser students drive it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# One BLAS thread per process: the matrices are small and a server runs many sessions at once.
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at this moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_options(port: int) -> list[str]:
    """The `streamlit run` options of a server on 127.0.0.1:port with no browser, file watcher or usage stats."""
    return [
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def start_streamlit(
    port: int,
    script: Path | str = "app.py",
    log: Path | None = None,
    launcher: list[str] | None = None,
    extra: list[str] | None = None,
    env: Mapping[str, str] | None = None,
    new_session: bool = False,
) -> subprocess.Popen:
    """`streamlit run script` on 127.0.0.1:port, from the project's root, in a process group of its own.

    Parameters
    ----------
    port : the loopback port.
    script : the app's script, relative to the project's root.
    log : where its output goes (None: nowhere).
    launcher : the command that takes `streamlit run` options after it, default `python -m streamlit run SCRIPT`
        (the load test's `loadtest/serve.py RUNS` times every script run).
    extra : more `streamlit run` options.
    env : more environment variables (e.g. STREAMLIT_SERVER_COOKIE_SECRET).
    new_session : a session of its own, so that it outlives the process that started it (the launcher).
    """
    command = [*(launcher or [sys.executable, "-m", "streamlit", "run", str(script)])]
    command += [*streamlit_options(port), *(extra or [])]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below, the child keeps it
    try:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **THREAD_ENV, **(env or {})},
            start_new_session=new_session,
            process_group=None if new_session else 0,
        )
    finally:
        if log:
            output.close()


def wait_healthy(url: str, timeout: float = 60) -> None:
    """Wait until the server at `url` (ending in /) answers its health check; RuntimeError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer at {url} within {timeout:g} s")


def stop_group(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process started here, and the process group it leads: SIGTERM, then SIGKILL after `grace` s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(5)


@contextmanager
def running_streamlit(script: Path | str = "app.py") -> Iterator[str]:
    """`streamlit run script` on a free loopback port for the block; yields its URL, stops it afterwards."""
    port = free_port()
    server = start_streamlit(port, script)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(url)
        yield url
    finally:
        stop_group(server)
