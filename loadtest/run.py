"""Load test: a class of N students on one `streamlit run app.py`, with the server's memory and CPU sampled.

    .venv/bin/python loadtest/run.py --client protocol --sessions 100
    .venv/bin/python loadtest/run.py --sessions 30            # browsers: headless Chromium tabs

Starts the app on a free loopback port (127.0.0.1 only), opens every page once (which also loads every module,
the server's "warm" start), then drives N students through a class session: with `--client protocol`, N
protocol students in this process (`protocol_class.py`, Streamlit's own websocket protocol, no browser) plus
`--probes` real headless-Chromium students at normal priority; with `--client browser`, N headless-Chromium tabs
in a few worker processes (see `session.py`). While they run, it samples the resident memory (RSS) and CPU time
of the server and its children from /proc. When the tabs have closed it waits for Streamlit to drop their
sessions (`server.disconnectedSessionTTL`, 120 s by default), opens a few fresh tabs (which makes Streamlit
expire the old sessions), and reads the memory once more. Everything is bounded: each phase has its own
time limit, the worker processes are killed at the deadline, and the server is stopped at the end.

It prints the interaction latencies (p50/p95 by kind), every error seen, and the memory figures, and exits
non-zero when a target is missed (no errors, p95 slider latency < 2 s, peak < 1.5 GB, after close within
100 MB of the warm start).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

sys.path.insert(0, str(ROOT))

import protocol_class  # noqa: E402
from session import APP, Plan  # noqa: E402

from deploy import launch  # noqa: E402
from deploy.servers import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, stop_group, wait_healthy  # noqa: E402

MB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DEEP_LINK = "unfold?scale=1.1&T=60"
ROUTE_COOKIE = "rnnviz_route"  # deploy/nginx.conf.template: names the process that holds a browser's session
MAX_SESSIONS = {"browser": 200, "protocol": 400}  # a protocol student costs this process almost nothing
PROBE_STUDENT = 0  # the student whose browser runs at normal priority (see `run_class`)
TARGETS = {
    "p95 slider latency (s)": 2.0,
    "p50 interaction latency (s)": 0.5,
    "peak RSS (MB)": 1536,
    "RSS after close above warm start (MB)": 100,
}
# Latency kinds that are not the answer to one action: a whole training, the Train page's own reruns while it
# trains (each trains for a few seconds by design).
WHOLE_ACTIVITIES = ("train", "training: live rerun", "reconnect")


# --- the server ------------------------------------------------------------------------------------------------


# Scheduling: Linux's autogroup scheduler gives every session an equal share of the CPU whatever the niceness
# inside it. The server and the browser workers stay in this process's session (each in its own process group, so
# it can be stopped whole), and each worker sets its niceness on the session Playwright starts Chromium in
# (`session.yield_cpu_to_server`): otherwise the server gets a sixth of the machine and the browsers' niceness does
# nothing.


def start_server(port: int, log_path: Path, extra: list[str], runs: Path | None = None) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port with every script run timed (`serve.py`, into `runs`, by default
    runs.jsonl beside the log), in its own process group (so it can be stopped whole) but not its own session
    (see the note on scheduling above)."""
    runs = runs or log_path.with_name("runs.jsonl")
    return start_streamlit(
        port, log=log_path, launcher=[sys.executable, str(HERE / "serve.py"), str(runs)], extra=extra
    )


@dataclass
class Servers:
    """What the class talks to: one `streamlit run`, or nginx in front of several (deploy/launch.py)."""

    base_url: str
    pids: list[int]  # each server process's (a restart replaces its entry), then nginx's
    logs: list[Path]
    runs: list[Path]  # each process's timed script runs (serve.py)
    stop: object  # () -> None
    names: list[str] = field(default_factory=list)  # the processes' names behind nginx (p1, p2, ...)
    run_dir: Path | None = None  # deploy/launch.py's run directory behind nginx


def start_servers(args, work: Path) -> Servers:
    """`args.behind_nginx` processes behind nginx, or (0) one process that the students reach directly."""
    if not args.behind_nginx:
        port = free_port()
        server = start_server(port, work / "server.log", args.server_option)
        logs, runs = [work / "server.log"], [work / "runs.jsonl"]
        return Servers(f"http://127.0.0.1:{port}/", [server.pid], logs, runs, lambda: stop_group(server))
    run_dir = work / "deploy"
    listen = f"127.0.0.1:{free_port()}"
    state = launch.start(
        args.behind_nginx,
        run_dir,
        listen,
        launcher_for=lambda name: [
            sys.executable,
            str(HERE / "serve.py"),
            str(work / f"runs-{name}.jsonl"),
            *args.server_option,
        ],
        detach=False,  # in this session: see the note on scheduling above
    )
    names = list(state["processes"])
    return Servers(
        f"http://{listen}/",
        [process["pid"] for process in state["processes"].values()] + [state["nginx_pid"]],
        [run_dir / "logs" / f"{name}.log" for name in names],
        [work / f"runs-{name}.jsonl" for name in names],
        lambda: launch.stop(run_dir),
        names,
        run_dir,
    )


def script_runs(path: Path, since: float, until: float) -> dict[str, list[float]]:
    """The durations of the server's script runs that ended between `since` and `until`, by kind."""
    runs: dict[str, list[float]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if since <= record["end"] <= until:
                runs.setdefault(record["kind"], []).append(record["seconds"])
    return runs


# --- sampling the server from /proc ----------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree(pids: list[int]) -> list[int]:
    """Every process in the trees of `pids`."""
    return [found for pid in pids for found in descendants(pid)]


def rss_and_cpu_ticks(pids: list[int]) -> tuple[int, int]:
    """Resident bytes and user+system clock ticks, summed over pids."""
    rss = ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        rss += int(fields[21]) * PAGE_SIZE  # rss in pages
    return rss, ticks


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class Sample:
    t: float
    rss_mb: float
    server_cpu_percent: float  # of one core
    machine_cpu_percent: float  # of all cores
    phase: str


@dataclass
class Sampler:
    """Samples the server's memory and CPU every `interval` seconds on a background thread."""

    pids: list[int]  # the server processes (and nginx): each with every process below it
    interval: float = 0.5
    phase: str = "start"
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        began = time.time()
        _, last_ticks = rss_and_cpu_ticks(tree(self.pids))
        last_busy, last_total = machine_busy_ticks()
        last = time.time()
        while not self._stop.wait(self.interval):
            rss, ticks = rss_and_cpu_ticks(tree(self.pids))
            busy, total = machine_busy_ticks()
            now = time.time()
            server_cpu = 100 * max(0, ticks - last_ticks) / CLOCK_TICKS / max(now - last, 1e-6)  # 0 at a restart
            machine_cpu = 100 * (busy - last_busy) / max(total - last_total, 1)
            self.samples.append(
                Sample(
                    round(now - began, 2), round(rss / MB, 1), round(server_cpu, 1), round(machine_cpu, 1), self.phase
                )
            )
            last_ticks, last_busy, last_total, last = ticks, busy, total, now

    def rss_now(self) -> float:
        rss, _ = rss_and_cpu_ticks(tree(self.pids))
        return round(rss / MB, 1)

    def rss_by_process(self, count: int) -> list[float]:
        """The RSS of each of the first `count` server processes (with the processes below it), in MB."""
        return [round(rss_and_cpu_ticks(tree([pid]))[0] / MB, 1) for pid in self.pids[:count]]

    def of(self, phase: str) -> list[Sample]:
        return [s for s in self.samples if s.phase == phase]


# --- the probe tab: every page once, and the lesson links ------------------------------------------------------


def probe(base_url: str, timeout: float) -> tuple[list[str], list[str], list[str]]:
    """Open a deep link first (as the first student on a freshly started server does), then every page of the
    navigation once; return the lesson links found, the pages' names, and what went wrong."""
    from playwright.sync_api import sync_playwright

    lessons: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(timeout * 1000)

            def settle():
                for _ in range(2):
                    page.wait_for_selector(f"{APP}[data-test-script-state='notRunning']")
                    time.sleep(0.3)

            page.goto(base_url + DEEP_LINK)
            settle()
            if not page.locator("[data-testid='stSidebar'] .st-key-scale").count():
                errors.append(
                    f"the first visitor of a fresh server who opens /{DEEP_LINK} gets the page without the "
                    "app's navigation and settings (Streamlit ran it as a legacy pages/ script)"
                )
            page.goto(base_url)
            settle()
            links = page.locator("[data-testid='stSidebarNavLink']")
            hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
            names = [href.split(base_url, 1)[-1].split("?", 1)[0].strip("/") for href in hrefs]
            for name in names:
                page.goto(base_url + name)
                settle()
                if page.locator("[data-testid='stException']").count():
                    errors.append(f"/{name}: exception box on first open")
                if name == "scenarios":
                    found = page.locator("a[href*='lesson=']")
                    lessons = [found.nth(i).get_attribute("href") or "" for i in range(found.count())]
                    lessons += ["scenarios?" + page.url.split("?", 1)[1]] if "lesson=" in page.url else []
        finally:
            browser.close()
    paths = []
    for href in lessons:
        match = re.search(r"(scenarios\?[^#]*lesson=[^&#]+[^#]*)", href)
        if match and match.group(1) not in paths:
            paths.append(match.group(1))
    return paths, names, errors


def lesson_links() -> list[str]:
    """The classroom lessons' links (`/scenarios?lesson=...` with the lesson's settings), when the app has them."""
    from urllib.parse import urlencode

    sys.path.insert(0, str(ROOT))
    try:
        from rnnviz.scenarios import SCENARIOS
    except ImportError:
        return []
    return [f"scenarios?{urlencode(scenario.query())}" for scenario in SCENARIOS.values()]


def fresh_tabs(base_url: str, count: int, timeout: float) -> None:
    """Open and close `count` fresh tabs: new sessions make Streamlit expire the disconnected ones."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(count):
                context = browser.new_context()
                page = context.new_page()
                page.goto(base_url, timeout=timeout * 1000)
                page.wait_for_selector(f"{APP}[data-test-script-state='notRunning']", timeout=timeout * 1000)
                time.sleep(1)
                context.close()
        finally:
            browser.close()


# --- the class -------------------------------------------------------------------------------------------------


def class_plan(base_url: str, args, first_paths: list[str], students: list[int], deadline: float, nice: int) -> Plan:
    return Plan(
        base_url=base_url,
        sessions=students,
        deadline=deadline,
        first_paths=first_paths,
        ramp_seconds=args.ramp,
        slider_moves=args.slider_moves,
        think_seconds=tuple(args.think),
        action_timeout=args.action_timeout,
        train=not args.no_train,
        seed=args.seed,
        nice=nice,
        reconnect=bool(args.restart),
    )


def run_class(base_url: str, args, first_paths: list[str], work: Path) -> tuple[list[dict], list[str]]:
    """N browser students in `args.processes` worker processes; returns their records and any worker failures.

    With `args.probe`, student 0 has a browser of its own at normal priority (as if on its own laptop) and the
    others share the worker processes at `args.browser_nice`."""
    probe = args.probe and args.sessions > 1
    others = list(range(1 if probe else 0, args.sessions))
    processes = max(1, min(args.processes, len(others)))
    groups = [(others[index::processes], args.browser_nice) for index in range(processes)]
    if probe:
        groups.insert(0, ([PROBE_STUDENT], 0))
    deadline = time.time() + args.load_seconds
    workers = [
        start_worker(class_plan(base_url, args, first_paths, students, deadline, nice), work, index)
        for index, (students, nice) in enumerate(groups)
    ]
    return collect_workers(workers, deadline)


def run_protocol_class(base_url: str, args, first_paths: list[str], work: Path) -> tuple[list[dict], list[str]]:
    """N protocol students in this process, and `args.probes` browser students at normal priority in a worker
    process of their own (numbered after the protocol students); returns their records and any failures."""
    deadline = time.time() + args.load_seconds
    probes = list(range(args.sessions, args.sessions + args.probes))
    workers = [start_worker(class_plan(base_url, args, first_paths, probes, deadline, 0), work, 0)] if probes else []
    plan = class_plan(base_url, args, first_paths, list(range(args.sessions)), deadline, 0)
    records = [asdict(record) for record in asyncio.run(protocol_class.run_class(plan))]
    probe_records, failures = collect_workers(workers, deadline)
    return records + probe_records, failures


def start_worker(plan: Plan, work: Path, index: int) -> tuple:
    """One browser worker process (`session.py`) running `plan`."""
    plan_path, result_path = work / f"plan-{index}.json", work / f"result-{index}.json"
    plan_path.write_text(json.dumps(asdict(plan)))
    log = open(work / f"worker-{index}.log", "wb")  # noqa: SIM115 - closed when the worker has ended
    worker = subprocess.Popen(
        [sys.executable, str(HERE / "session.py"), str(plan_path), str(result_path)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,  # not a new session: see the note on scheduling at the top
    )
    return worker, result_path, log, plan.sessions


def collect_workers(workers: list[tuple], deadline: float) -> tuple[list[dict], list[str]]:
    """Wait for the workers until a little after the deadline, stop them, and read their records."""
    records, failures = [], []
    for worker, result_path, log, students in workers:
        try:
            worker.wait(max(1.0, deadline + 30 - time.time()))
        except subprocess.TimeoutExpired:
            failures.append(f"worker for students {students} passed the deadline and was stopped")
        stop_group(worker)
        log.close()
        if result_path.exists():
            records.extend(json.loads(result_path.read_text()))
        else:
            failures.append(f"worker for students {students} left no results (see {log.name})")
    return records, failures


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def quantiles(samples: dict[str, list[float]]) -> dict[str, dict]:
    """n, p50, p95 and max of each kind's durations."""
    return {
        kind: {
            "n": len(v),
            "p50": round(percentile(v, 50), 3),
            "p95": round(percentile(v, 95), 3),
            "max": round(max(v), 3),
        }
        for kind, v in sorted(samples.items())
        if v
    }


DISCONNECT_NOISE = ("WebSocketDisconnected", "ClientDisconnected", "ConnectionClosed", "WebSocketDisconnect")


def merged_runs(runs: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    merged: dict[str, list[float]] = {}
    for by_kind_of_run in runs:
        for kind, seconds in by_kind_of_run.items():
            merged.setdefault(kind, []).extend(seconds)
    return merged


def server_log_errors(log_path: Path) -> tuple[list[str], int]:
    """The tracebacks and error lines in the server's log (last line of each), and how many of them were only
    Streamlit noting a tab that closed mid-message (not an error of the app)."""
    errors, closed_tabs, block = [], 0, []
    lines = log_path.read_text(errors="replace").splitlines() + ["(end of log)"]
    for line in lines:
        if line.startswith(("Traceback", "Exception in ASGI", "During handling")) or (
            block and (line.startswith(" ") or not line.strip())
        ):
            block.append(line)
            continue
        if block:
            block.append(line)
            text = "\n".join(block)
            if any(noise in text for noise in DISCONNECT_NOISE):
                closed_tabs += 1
            else:
                errors.append(line.strip()[:300])
            block = []
        elif re.search(r"\b(ERROR|CRITICAL)\b", line):
            errors.append(line.strip()[:300])
    return errors, closed_tabs


def probe_students(args) -> set[int]:
    """The students whose browser runs at normal priority, reported apart."""
    if args.client == "protocol":
        return set(range(args.sessions, args.sessions + args.probes))
    return {PROBE_STUDENT} if args.probe and args.sessions > 1 else set()


def by_kind(records: list[dict], field_name: str) -> dict[str, list]:
    merged: dict[str, list] = {}
    for record in records:
        for kind, values in record.get(field_name, {}).items():
            merged.setdefault(kind, []).extend(values)
    return merged


def report(args, records, failures, sampler: Sampler, figures: dict, log: tuple[list[str], int]) -> dict:
    log_errors, closed_tabs = log
    probes = probe_students(args)
    class_records = [r for r in records if r["student"] not in probes]
    latencies = by_kind(class_records, "latencies")
    probe_latencies = by_kind([r for r in records if r["student"] in probes], "latencies")
    interactions = [  # each action once: a browser's ": script done" is a second timing of the same one
        v
        for kind, values in latencies.items()
        if kind not in WHOLE_ACTIVITIES and not kind.endswith(": script done")
        for v in values
    ]
    received = by_kind(class_records, "received")
    errors = [f"student {r['student']}: {e}" for r in records for e in r["errors"]] + failures
    skipped = Counter(s for r in records for s in r["skipped"])
    load = sampler.of("load")
    summary = {
        "server script runs during the class": quantiles(figures.get("server runs", {})),
        "sessions": args.sessions,
        "processes": args.processes,
        "server processes behind nginx": args.behind_nginx,
        "think seconds": list(args.think),
        "client": args.client,
        "finished sessions": sum(r["finished"] for r in class_records),
        "latency": quantiles(latencies),
        "every interaction": quantiles({"every interaction": interactions}).get("every interaction", {}),
        "mean kB received per interaction": {
            kind: round(statistics.mean(v) / 1000, 1) for kind, v in sorted(received.items()) if v
        },
        "latency of the probe student": quantiles(probe_latencies),
        "errors": errors,
        "server log errors": log_errors,
        "tabs closed mid-message (Streamlit log notes, not errors)": closed_tabs,
        "skipped": dict(skipped),
        "cold start RSS (MB)": figures["cold"],
        "warm start RSS (MB)": figures["warm"],
        "peak RSS (MB)": max([s.rss_mb for s in sampler.samples] or [0]),
        "RSS after close (MB)": figures["after"],
        "RSS warm / after close by server process (MB)": list(
            zip(figures["warm by process"], figures["after by process"], strict=True)
        ),
        "load average before the class": figures.get("loadavg"),
        "server CPU during load, mean % of one core": round(statistics.mean([s.server_cpu_percent for s in load]), 1)
        if load
        else None,
        "machine CPU during load, mean % of all cores": round(statistics.mean([s.machine_cpu_percent for s in load]), 1)
        if load
        else None,
        "load client CPU seconds (this process)": figures.get("client cpu"),
        "class seconds": figures.get("class seconds"),
    }
    summary["server CPU seconds per session"] = round(figures.get("server cpu", 0) / max(1, args.sessions), 2)
    summary["server RSS per session at the peak, above warm (MB)"] = round(
        (summary["peak RSS (MB)"] - figures["warm"]) / max(1, args.sessions), 2
    )
    if "restart" in figures:
        summary["restart"] = figures["restart"]
        summary["reconnected students, by what they were doing"] = dict(
            Counter(kind for r in class_records for kind in r.get("reconnects", []))
        )
    summary["targets"] = targets_met(summary, figures, errors, log_errors)
    return summary


def targets_met(summary: dict, figures: dict, errors: list[str], log_errors: list[str]) -> dict[str, bool]:
    """Each target of the class (TARGETS) against the summary's figures."""
    slider = summary["latency"].get("slider move", {}).get("p95", float("nan"))
    probe_slider = summary["latency of the probe student"].get("slider move", {}).get("p95", float("nan"))
    every = summary["every interaction"]
    targets = {
        "no errors": not errors and not log_errors,
        "p95 of every interaction < 2 s": every.get("p95", float("nan")) < TARGETS["p95 slider latency (s)"],
        "p50 of every interaction < 0.5 s": every.get("p50", float("nan")) < TARGETS["p50 interaction latency (s)"],
        "p95 slider latency < 2 s": slider < TARGETS["p95 slider latency (s)"],
        "server-side p95 of an interaction's run < 2 s": summary["server script runs during the class"]
        .get("interaction", {})
        .get("p95", float("nan"))
        < TARGETS["p95 slider latency (s)"],
        "peak RSS < 1.5 GB": summary["peak RSS (MB)"] < TARGETS["peak RSS (MB)"],
        "after close within 100 MB of warm start (each server process)": all(
            after - warm < TARGETS["RSS after close above warm start (MB)"]
            for warm, after in summary["RSS warm / after close by server process (MB)"]
        ),
    }
    if "restart" in summary:
        targets["the restarted process answered again"] = not summary["restart"]["error"]
        targets["its students reconnected and finished"] = (
            bool(summary["reconnected students, by what they were doing"])
            and summary["finished sessions"] == summary["sessions"]
        )
    if summary["latency of the probe student"]:
        targets["the probe students' p95 slider latency < 2 s"] = probe_slider < TARGETS["p95 slider latency (s)"]
    return targets


def print_summary(summary: dict) -> None:
    print(
        f"\n== rnnviz load test: {summary['sessions']} {summary['client']} students, "
        f"{summary['finished sessions']} finished, {summary['think seconds'][0]:g}-{summary['think seconds'][1]:g} s "
        "of thinking between actions =="
    )
    print(f"{'interaction':<26}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'kB':>9}")
    every = [("every interaction", summary["every interaction"])] if summary["every interaction"] else []
    for kind, row in [*summary["latency"].items(), *every]:
        kilobytes = summary["mean kB received per interaction"].get(kind)
        print(
            f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}"
            + (f"{kilobytes:>9.1f}" if kilobytes is not None else "")
        )
    if summary["client"] == "protocol":
        print("(from the request to the server's script_finished; kB: mean bytes received per answer)")
    else:
        print("(X: script done = until the browser saw the script finish; X = until the chart or label had changed)")
    if summary["latency of the probe student"]:
        print("\nthe probe students (their browsers at normal priority, as on their own laptops)")
        for kind, row in summary["latency of the probe student"].items():
            print(f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}")
    print("\nserver side: one run of the app's script, timed in the server")
    for kind, row in summary["server script runs during the class"].items():
        print(f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}")
    print(
        f"\nserver RSS: cold start {summary['cold start RSS (MB)']:.0f} MB, warm start "
        f"{summary['warm start RSS (MB)']:.0f} MB, peak {summary['peak RSS (MB)']:.0f} MB, after close "
        f"{summary['RSS after close (MB)']:.0f} MB"
        + (
            "; by process, warm / after close: "
            + ", ".join(f"{w:.0f} / {a:.0f}" for w, a in summary["RSS warm / after close by server process (MB)"])
            if len(summary["RSS warm / after close by server process (MB)"]) > 1
            else ""
        )
    )
    print(f"machine load average before the class (other work on it): {summary['load average before the class']}")
    print(
        f"CPU during load: server {summary['server CPU during load, mean % of one core']}% of one core, "
        f"machine {summary['machine CPU during load, mean % of all cores']}% of all cores; the load client "
        f"{summary['load client CPU seconds (this process)']} CPU s over {summary['class seconds']} s"
    )
    print(
        f"per session: {summary['server CPU seconds per session']} s of server CPU, "
        f"{summary['server RSS per session at the peak, above warm (MB)']} MB of server RSS at the peak"
    )
    if "restart" in summary:
        restart, reconnected = summary["restart"], summary["reconnected students, by what they were doing"]
        print(
            f"restart: {restart['name']} at {restart['at']:g} s into the class, answering again after "
            f"{restart['seconds']:g} s{' (' + restart['error'] + ')' if restart['error'] else ''}; "
            f"{sum(reconnected.values())} students reconnected ("
            + ", ".join(f"{count} during {kind}" for kind, count in reconnected.items())
            + ")"
        )
    errors = summary["errors"] + [f"server log: {line}" for line in summary["server log errors"]]
    print(f"\nerrors: {len(errors)}")
    for line, count in Counter(errors).most_common(25):
        print(f"  {count} x {line}")
    if summary["skipped"]:
        print(
            "not offered by this version of the app (skipped): "
            + "; ".join(f"{k} ({v})" for k, v in summary["skipped"].items())
        )
    print("\ntargets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in summary["targets"].items()))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options, checked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--client",
        choices=("browser", "protocol"),
        default="browser",
        help="protocol: students that speak Streamlit's websocket protocol, many in this process, and --probes "
        "browsers; browser: every student a headless-Chromium tab",
    )
    parser.add_argument("--sessions", type=int, default=30, help="students at once")
    parser.add_argument(
        "--probes",
        type=int,
        default=2,
        help="with --client protocol: real headless-Chromium students at normal priority beside the class",
    )
    _class_options(parser)
    _server_options(parser)
    args = parser.parse_args(argv)
    most = MAX_SESSIONS[args.client]
    if not 1 <= args.sessions <= most:
        parser.error(f"--sessions must be between 1 and {most} with --client {args.client}")
    if not 0 <= args.behind_nginx <= launch.MAX_PROCESSES:
        parser.error(f"--behind-nginx must be between 0 and {launch.MAX_PROCESSES}")
    if args.restart:
        _check_restart(parser, args)
    return args


def _check_restart(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    name, seconds = args.restart
    names = [f"p{index}" for index in range(1, args.behind_nginx + 1)]
    if args.client != "protocol" or not names:
        parser.error("--restart needs --client protocol and --behind-nginx N")
    if name not in names:
        parser.error(f"--restart: no process {name!r} (there are: {', '.join(names)})")
    try:
        at = float(seconds)
    except ValueError:
        parser.error(f"--restart: {seconds!r} is not a number of seconds")
    if not 0 < at < args.load_seconds:
        parser.error(f"--restart: the restart must fall within the class (0 to {args.load_seconds:g} s)")


def _class_options(parser: argparse.ArgumentParser) -> None:
    """How the class runs: its pace, its students' browsers, its length."""
    parser.add_argument("--processes", type=int, default=5, help="worker processes, one Chromium each")
    parser.add_argument("--ramp", type=float, default=20, help="students arrive spread over this many seconds")
    parser.add_argument("--slider-moves", type=int, default=4, help="weight-scale moves on the Unfold page")
    parser.add_argument("--action-timeout", type=float, default=30, help="seconds one interaction may take")
    parser.add_argument("--load-seconds", type=float, default=420, help="hard limit on the class, in seconds")
    parser.add_argument(
        "--close-wait",
        type=float,
        default=130,
        help="seconds to wait after the tabs close (Streamlit keeps a closed session 120 s)",
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("LOW", "HIGH"),
        help="seconds a student looks at the page between two actions, drawn uniformly (0.5 2: a stress test)",
    )
    parser.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="no probe student: by default student 0's browser runs at normal priority in a process of its own, "
        "as if on its own laptop, and its latencies are also reported apart",
    )
    parser.add_argument("--no-train", action="store_true", help="leave out the Train page")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=19,
        help="niceness of the browsers (19: they yield the CPU to the server, as on a real class where they run "
        "on the students' machines; 0: they compete with it)",
    )


def _server_options(parser: argparse.ArgumentParser) -> None:
    """How the server runs, and where the figures go."""
    parser.add_argument(
        "--behind-nginx",
        type=int,
        default=0,
        metavar="N",
        help="N server processes behind nginx, as deploy/launch.py runs them (0: one process, reached directly)",
    )
    parser.add_argument(
        "--restart",
        nargs=2,
        metavar=("NAME", "SECONDS"),
        help="restart the process NAME (p1, p2, ...) SECONDS after the class began, as `deploy/launch.py restart` "
        "does; its students reconnect as browsers do (with --behind-nginx and --client protocol)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures and samples to this file")
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        help="extra `streamlit run` option, e.g. --server-option=--server.disconnectedSessionTTL=30",
    )


def warm_up(args: argparse.Namespace, servers, sampler: Sampler, figures: dict) -> tuple[list[str], list[str]]:
    """Every page opened once (the caches warm), the memory cold and warm; returns the class's first links and the
    probe's errors."""
    base_url = servers.base_url
    wait_healthy(base_url, 60)
    time.sleep(1)
    figures["cold"] = sampler.rss_now()
    figures["loadavg"] = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"server on {base_url} (pids {servers.pids}), cold start RSS {figures['cold']:.0f} MB; probing pages…",
        flush=True,
    )
    sampler.phase = "probe"
    if args.client == "protocol":
        names = asyncio.run(protocol_class.page_names(base_url, 120))
        probe_errors = visit_every_process(servers, [DEEP_LINK, *names])
        first_paths = lesson_links() or [DEEP_LINK]
    else:
        lessons, names, probe_errors = probe(base_url, 120)
        first_paths = lesson_links() or lessons or [DEEP_LINK]
    time.sleep(3)
    figures["warm"] = sampler.rss_now()
    figures["warm by process"] = sampler.rss_by_process(max(1, args.behind_nginx))
    print(
        f"pages: {', '.join(names)}; first links: {', '.join(first_paths[:4])}"
        f"{' …' if len(first_paths) > 4 else ''}; warm start RSS {figures['warm']:.0f} MB",
        flush=True,
    )
    return first_paths, probe_errors


@dataclass
class Restart:
    """A server process restarted during the class (`--restart NAME SECONDS`), as `deploy/launch.py restart`
    does it: when, how long until it answered again, and the CPU it had used (lost with it) before."""

    name: str
    at: float  # seconds after the class began
    seconds: float = 0.0
    cpu_ticks_before: int = 0
    error: str = ""

    def __post_init__(self):
        self.class_ended = threading.Event()

    def start(self, servers: Servers, began: float) -> threading.Thread:
        thread = threading.Thread(target=self._run, args=(servers, began), daemon=True)
        thread.start()
        return thread

    def _run(self, servers: Servers, began: float) -> None:
        if self.class_ended.wait(max(0.0, began + self.at - time.time())):
            self.error = "the class ended before the restart was due"
            return
        index = servers.names.index(self.name)
        self.cpu_ticks_before = rss_and_cpu_ticks(tree([servers.pids[index]]))[1]
        start = time.time()
        try:
            servers.pids[index] = launch.restart(self.name, servers.run_dir)
        except (launch.DeployError, RuntimeError, OSError) as error:
            self.error = f"{type(error).__name__}: {error}"
        self.seconds = round(time.time() - start, 1)


def run_load(args: argparse.Namespace, servers, sampler: Sampler, figures: dict, first_paths: list[str], work: Path):
    """The class itself, with the server's and the client's CPU over it (and a process restarted during it with
    `--restart`); returns its records and failures."""
    sampler.phase = "load"
    began, client_began, (_, server_ticks) = time.time(), os.times(), rss_and_cpu_ticks(tree(servers.pids))
    restart = Restart(args.restart[0], float(args.restart[1])) if args.restart else None
    restarting = restart.start(servers, began) if restart else None
    run = run_protocol_class if args.client == "protocol" else run_class
    records, failures = run(servers.base_url, args, first_paths, work)
    if restarting is not None:
        restart.class_ended.set()
        restarting.join(launch.START_TIMEOUT + 30)
        figures["restart"] = asdict(restart)
    client_ended, (_, server_ticks_after) = os.times(), rss_and_cpu_ticks(tree(servers.pids))
    figures["server runs"] = merged_runs([script_runs(path, began, time.time()) for path in servers.runs])
    lost_ticks = restart.cpu_ticks_before if restart else 0
    figures["server cpu"] = (server_ticks_after - server_ticks + lost_ticks) / CLOCK_TICKS
    figures["client cpu"] = round(client_ended.user + client_ended.system - client_began.user - client_began.system, 1)
    figures["class seconds"] = round(time.time() - began)
    print(
        f"class done in {time.time() - began:.0f} s; waiting {args.close_wait:g} s for the closed sessions "
        "to be dropped…",
        flush=True,
    )
    return records, failures


def visit_every_process(servers: Servers, paths: list[str]) -> list[str]:
    """Each path opened on every server process (behind nginx, by its routing cookie): each process warms its own
    caches and drops its own expired sessions. Returns the errors seen."""
    routes = [{ROUTE_COOKIE: name} for name in servers.names] or [None]
    errors = []
    for cookies in routes:
        errors += asyncio.run(protocol_class.visit(servers.base_url, paths, 120, cookies))
    return errors


def wind_down(args: argparse.Namespace, servers: Servers, sampler: Sampler, figures: dict) -> None:
    """After the class leaves: wait out the closed sessions, open a few fresh ones, read the memory left."""
    sampler.phase = "close"
    time.sleep(args.close_wait)
    if args.client == "protocol":
        visit_every_process(servers, ["", "", ""])
    else:
        fresh_tabs(servers.base_url, 3, 60)
    time.sleep(5)
    figures["after"] = sampler.rss_now()
    figures["after by process"] = sampler.rss_by_process(max(1, args.behind_nginx))
    sampler.phase = "end"


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    work = Path(tempfile.mkdtemp(prefix="rnnviz-loadtest-"))
    work.chmod(0o755)  # nginx's workers (user nobody) serve the static files from a cache below it
    servers = start_servers(args, work)
    sampler = Sampler(servers.pids).start()
    figures = {}
    try:
        first_paths, probe_errors = warm_up(args, servers, sampler, figures)
        records, failures = run_load(args, servers, sampler, figures, first_paths, work)
        failures = [f"probe: {e}" for e in probe_errors] + failures
        wind_down(args, servers, sampler, figures)
    finally:
        sampler.stop()
        servers.stop()
    log_errors = [server_log_errors(path) for path in servers.logs]
    log = ([e for errors, _ in log_errors for e in errors], sum(closed for _, closed in log_errors))
    summary = report(args, records, failures, sampler, figures, log)
    print_summary(summary)
    if args.json:
        summary["samples"] = [s.__dict__ for s in sampler.samples]
        args.json.write_text(json.dumps(summary, indent=1))
    print(f"(logs in {work})")
    return 0 if all(summary["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
