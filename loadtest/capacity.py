"""The capacity chart: what a class of N students waits for, on one server process and on several.

    .venv/bin/python loadtest/capacity.py docs/loadtest/capacity.png runs/*.json

Each JSON file is one class written by `run.py --json` (`--client protocol`, with or without `--behind-nginx N`).
The chart has two panels against the number of students: the p50 and p95 of every interaction's answer, with the
2 s target, and the server's CPU in cores; one colour per number of server processes. Its data is also printed
as a table (the README's). The PNG is drawn by headless Chromium (Debian's, as the browser tests use it).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.servers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from rnnviz.figures import style  # noqa: E402

TARGET_P95 = 2.0  # seconds: run.py's target for every interaction
COLOURS = {1: style.BOUND, 2: style.MEASURED, 3: style.CELL_COLOURS["lstm"], 4: style.CELL_COLOURS["gru"]}
WIDTH, HEIGHT = 1400, 620  # px of the PNG


def point(summary: dict) -> dict:
    """One class's figures for the chart and the table."""
    every = summary["every interaction"]
    return {
        "processes": max(1, summary["server processes behind nginx"]),
        "sessions": summary["sessions"],
        "finished": summary["finished sessions"],
        "p50": every["p50"],
        "p95": every["p95"],
        "slider p95": summary["latency"].get("slider move", {}).get("p95"),
        "errors": len(summary["errors"]) + len(summary["server log errors"]),
        "cores": summary["server CPU during load, mean % of one core"] / 100,
        "cpu per session": summary["server CPU seconds per session"],
        "peak MB": summary["peak RSS (MB)"],
        "load before": summary["load average before the class"],
    }


def capacity_figure(points: list[dict]) -> go.Figure:
    """p50 / p95 of every interaction (log scale) and the server's cores against the students, by processes."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.1,
        subplot_titles=("Every interaction's answer (p95 solid, p50 dotted)", "Server CPU during the class"),
    )
    for processes in sorted({p["processes"] for p in points}):
        row = sorted((p for p in points if p["processes"] == processes), key=lambda p: p["sessions"])
        name = f"{processes} process{'es' if processes > 1 else ''} ({processes} core{'s' if processes > 1 else ''})"
        colour = COLOURS.get(processes, style.MUTED)
        sessions = [p["sessions"] for p in row]
        line = {"color": colour, "width": 3}
        fig.add_scatter(x=sessions, y=[p["p95"] for p in row], name=name, line=line, marker={"size": 10}, row=1, col=1)
        fig.add_scatter(
            x=sessions, y=[p["p50"] for p in row], name=f"{name}, p50", line={**line, "dash": "dot"},
            marker={"size": 7}, showlegend=False, row=1, col=1,
        )  # fmt: skip
        fig.add_scatter(
            x=sessions, y=[p["cores"] for p in row], name=name, line=line, marker={"size": 10}, showlegend=False,
            row=1, col=2,
        )  # fmt: skip
    fig.add_hline(y=TARGET_P95, line={"color": style.MUTED, "dash": "dash", "width": 2}, row=1, col=1)
    fig.add_annotation(  # on a log axis an annotation's y is the log10 of its value
        text="target: p95 < 2 s", x=0.01, xref="x domain", y=math.log10(TARGET_P95), yref="y", xanchor="left",
        yanchor="bottom", showarrow=False,
    )  # fmt: skip
    fig.add_hline(
        y=1, line={"color": style.MUTED, "dash": "dash", "width": 2}, row=1, col=2,
        annotation_text="one core: all one process can use (one GIL)", annotation_position="top left",
    )  # fmt: skip
    style.layout(fig, "", x_title="students at once", height=HEIGHT)
    fig.update_layout(title_text="A class on this 2-core machine: one server process, or two behind nginx")
    ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]
    fig.update_yaxes(
        type="log", range=[-2.1, 1.1], tickvals=ticks, ticktext=[f"{t:g}" for t in ticks], title_text="seconds",
        row=1, col=1,
    )  # fmt: skip
    fig.update_yaxes(title_text="cores busy (server processes)", range=[0, 1.6], row=1, col=2)
    fig.update_layout(width=WIDTH, legend={"y": -0.22, "yanchor": "top", "x": 0.0, "xanchor": "left"})
    fig.update_layout(margin={"b": 130, "t": 110, "l": 90}, title={"x": 0.01})
    return fig


def table(points: list[dict]) -> str:
    """The points as a Markdown table."""
    lines = [
        "| processes | students | finished | every interaction p50 / p95 s | slider move p95 s | errors "
        "| server CPU, cores | server CPU s per student | peak RSS MB | load average before |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in sorted(points, key=lambda p: (p["processes"], p["sessions"])):
        lines.append(
            f"| {p['processes']} | {p['sessions']} | {p['finished']} | {p['p50']:.2f} / {p['p95']:.2f} "
            f"| {p['slider p95']:.2f} | {p['errors']} | {p['cores']:.2f} | {p['cpu per session']:.2f} "
            f"| {p['peak MB']:.0f} | {p['load before']} |"
        )
    return "\n".join(lines)


def save_png(fig: go.Figure, out: Path) -> None:
    """The figure drawn by headless Chromium into `out`."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "capacity.html"
        fig.write_html(page_file, include_plotlyjs=True, full_html=True, config={"staticPlot": True})
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": WIDTH + 20, "height": HEIGHT + 20})
                page.goto(page_file.as_uri())
                page.wait_for_selector(".main-svg", timeout=30_000)
                page.locator(".js-plotly-plot").first.screenshot(path=str(out))
            finally:
                browser.close()


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    out, results = Path(argv[0]), [Path(name) for name in argv[1:]]
    points = [point(json.loads(path.read_text())) for path in results]
    out.parent.mkdir(parents=True, exist_ok=True)
    save_png(capacity_figure(points), out)
    print(table(points))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
