"""How fast the app answers: server-side rerun per page, figure payload, and time to first chart in a browser.

    .venv/bin/python bench/bench_pages.py [--skip-browser] [--pages gradients unfold ...] [--visits 5]

Targets: a warm rerun under 100 ms per page at the defaults and under 1 s at H = 256, T = 500; the figures of a
page under 1 MB of JSON at the defaults; the first chart in headless Chromium under 3 s.

Reruns are timed in Streamlit's AppTest, each one through app.py (sidebar, navigation, page) as a live server
runs them. The baseline beside them, measured in the same run, is AppTest's own floor: a script that draws one
title. The browser times are from `page.goto` to the first drawn Plotly chart (or to the end of the script run
on a page without charts), each visit in a fresh browser context (nothing cached, as on a first visit), after a
first visit to every page has filled the server's caches; the median over several rounds is compared with the
target. Their baselines, visited in the same rounds in the same browser, are the home page, a bare Streamlit
script that draws one three-point Plotly chart (the floor any Streamlit page with a Plotly chart starts from on
this machine) and the same script with the app's sidebar of shared controls.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text())
LARGE = {"H": "256", "T": "500"}
CHART = ".js-plotly-plot .main-svg"
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TARGETS = {"defaults": 0.100, "large": 1.0, "payload": 1_000_000, "first_chart": 3.0}


def _through_app_py() -> None:
    """AppTest re-detects the `pages/` folder before every run and would then run a page file alone; a live
    server stops doing that once app.py's st.navigation has run, so do the same here."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def _app(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/home.py":
        at.switch_page(page)
        at.run()
    return at


def _timed_reruns(at: AppTest, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline_rerun(repeats: int = 5) -> float:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text("import streamlit as st\nst.title('floor')\n")
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        return _timed_reruns(at, repeats)


def payload(at: AppTest) -> int:
    """Bytes of Plotly JSON the page sends."""
    return sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))


def server_side(pages: list[str]) -> list[dict]:
    rows = []
    for page in pages:
        row = {"page": page}
        for label, query, repeats in (("defaults", {}, 5), ("large", LARGE, 3)):
            start = time.perf_counter()
            at = _app(page, query)
            row[f"{label}_cold"] = time.perf_counter() - start
            failures = [e.value for e in at.exception] + [e.value for e in at.error if "could not" in str(e.value)]
            row[f"{label}_ok"] = not failures
            row[f"{label}_warm"] = _timed_reruns(at, repeats)
            if label == "defaults":
                row["payload"] = payload(at)
                row["charts"] = len(at.get("plotly_chart"))
        rows.append(row)
    return rows


ONE_CHART = """import plotly.graph_objects as go
import streamlit as st

st.title("One chart")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2])))
"""

WITH_SIDEBAR = """import plotly.graph_objects as go
import streamlit as st

from ui import controls, presenter

st.set_page_config(layout="wide")
presenter.apply()
controls.sidebar()
st.title("One chart")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2])))
"""


def visit(browser, url: str, chart: bool) -> float:
    """Seconds to the first drawn chart in a fresh browser context (to the end of the script run on a page without
    charts)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    start = time.perf_counter()
    tab.goto(url)
    if chart:
        tab.wait_for_selector(CHART, timeout=180_000)
    else:
        tab.wait_for_selector(CONNECTED, timeout=180_000)
        tab.wait_for_selector(IDLE, timeout=180_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def browser_first_chart(
    pages: list[str], with_charts: set[str], visits: int
) -> tuple[dict[str, list[float]], list[dict]]:
    """Each page's times over `visits` rounds, and three baselines visited in the same rounds: the app's home page
    (no chart, to the end of the run), a Streamlit script that draws nothing but one three-point Plotly chart, and
    the same script with the app's sidebar of shared controls (both to that chart). Rounds interleave every page
    with the baselines, so a slower moment of the machine slows them alike."""
    from conftest import CHROMIUM_ARGS, free_port, start_server, wait_healthy
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="rnnviz-bench-"))
    scripts = {"one chart": scratch / "one_chart.py", "one chart and the sidebar": scratch / "with_sidebar.py"}
    scripts["one chart"].write_text(ONE_CHART)
    scripts["one chart and the sidebar"].write_text(WITH_SIDEBAR)
    port = free_port()
    servers = {"app": start_server(port)}
    urls = {"app": f"http://127.0.0.1:{port}/"}
    for name, script in scripts.items():
        port = free_port()
        servers[name], urls[name] = start_server(port, script), f"http://127.0.0.1:{port}/"
    targets = [("home", urls["app"], False), *[(name, urls[name], True) for name in scripts]]
    for page in pages:
        name = Path(page).stem
        targets.append((page, urls["app"] + ("" if name == "home" else name), page in with_charts))
    times: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    first: dict[str, float] = {}
    try:
        for url in urls.values():
            wait_healthy(url, timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            visit(browser, urls["app"], False)  # the first visit runs app.py's st.navigation
            for round_ in range(visits + 1):  # round 0: each page's first visit, which fills the server's caches
                for name, url, chart in targets:
                    try:
                        elapsed = visit(browser, url, chart)
                    except Exception as error:  # noqa: BLE001 - a page that never settles is reported, not fatal
                        print(f"{name}: {type(error).__name__}: {str(error).splitlines()[0]}")
                        continue
                    if round_ == 0:
                        first[name] = elapsed
                    else:
                        times[name].append(elapsed)
            browser.close()
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)
    baselines = {name: times[name] for name in ("home", *scripts)}
    rows = [
        {"page": page, "times": times[page], "first_visit": first.get(page), "chart": page in with_charts}
        for page in pages
        if times[page]
    ]
    return baselines, rows


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} s (median of {len(values)}, {min(values):.2f} to {max(values):.2f})"


def _mark(value: float, target: float) -> str:
    return "ok " if value <= target else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--pages", nargs="*", help="page names, e.g. gradients unfold (default: every page)")
    parser.add_argument("--visits", type=int, default=5, help="timed browser visits per page (default 5)")
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.pages or Path(p).stem in args.pages]
    _through_app_py()

    floor = baseline_rerun()
    print(f"baseline: AppTest rerun of a one-title script {floor * 1000:7.1f} ms")
    print(f"{'page':24} {'rerun defaults (warm/cold)':>28} {'rerun H=256 T=500 (warm/cold)':>32} {'payload':>12}")
    missed, with_charts = 0, set()
    for row in server_side(pages):
        if row["charts"]:
            with_charts.add(row["page"])
        defaults = f"{row['defaults_warm'] * 1000:6.0f} ms / {row['defaults_cold'] * 1000:6.0f} ms"
        large = f"{row['large_warm'] * 1000:6.0f} ms / {row['large_cold'] * 1000:6.0f} ms"
        marks = (
            _mark(row["defaults_warm"], TARGETS["defaults"]),
            _mark(row["large_warm"], TARGETS["large"]),
            _mark(row["payload"], TARGETS["payload"]),
        )
        missed += sum(mark == "MISS" for mark in marks) + (not row["defaults_ok"]) + (not row["large_ok"])
        health = "" if row["defaults_ok"] and row["large_ok"] else "  (an error on the page)"
        print(
            f"{row['page']:24} {defaults:>22} {marks[0]} {large:>26} {marks[1]} "
            f"{row['payload'] / 1000:7.0f} kB {marks[2]} ({row['charts']} charts){health}"
        )
    print(
        f"targets: warm rerun < {TARGETS['defaults'] * 1000:.0f} ms at the defaults, < {TARGETS['large']:.0f} s at "
        f"H=256 T=500; payload < {TARGETS['payload'] / 1e6:.0f} MB"
    )

    if not args.skip_browser:
        baselines, rows = browser_first_chart(pages, with_charts, args.visits)
        print()
        for name, values in baselines.items():
            what = "the home page (no chart), run done" if name == "home" else f"a bare script with {name}, chart"
            print(f"baseline: {what:52} {_spread(values)}")
        for row in rows:
            what = "first chart" if row["chart"] else "run done"
            median = statistics.median(row["times"])
            mark = _mark(median, TARGETS["first_chart"])
            missed += mark == "MISS"
            first = f"{row['first_visit']:5.2f} s" if row["first_visit"] is not None else "failed"
            print(f"{row['page']:24} {what:>11}: {_spread(row['times'])} {mark}; first visit {first}")
        print(f"target: first chart < {TARGETS['first_chart']:.0f} s (each visit in a fresh browser context: no cache)")
    print(json.dumps({"missed_targets": missed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
