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
non-zero when a target is missed (no errors, p95 of every interaction < 2 s and p50 < 0.5 s, p95 slider latency
< 2 s, peak < 1.5 GB, each server process back within 100 MB of its warm start after the class). With
`--behind-nginx N` the class goes through nginx to N processes (deploy/); with `--restart NAME SECONDS` one of them
is restarted during the class and its protocol students reconnect as browsers do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

sys.path.insert(0, str(ROOT))

import protocol_class  # noqa: E402
from sampling import CLOCK_TICKS, Sampler, rss_and_cpu_ticks, tree  # noqa: E402
from session import APP, Plan  # noqa: E402
from summary import PROBE_STUDENT, merged_runs, print_summary, report, server_log_errors  # noqa: E402

from deploy import launch  # noqa: E402
from deploy.servers import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, stop_group, wait_healthy  # noqa: E402

DEEP_LINK = "unfold?scale=1.1&T=60"
ROUTE_COOKIE = "rnnviz_route"  # deploy/nginx.conf.template: names the process that holds a browser's session
MAX_SESSIONS = {"browser": 200, "protocol": 400}  # a protocol student costs this process almost nothing


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
