"""Class mode under load: many students answer a class's question within the same few seconds.

    .venv/bin/python loadtest/class_mode.py [--students 100] [--window 10] [--processes 1]

It starts `--processes` servers of the app (`streamlit run app.py`, each on a port of its own, all on one class
store file, as behind a multi-process host), then speaks Streamlit's protocol (`protocol.py`) as one teacher and
`--students` students, with no browser:

1. the teacher opens a lesson on the Scenarios page and presses Start a class; the class code is read off the page;
2. the students open the Join page's link, spread over `--join-seconds`, round robin over the servers; while they
   wait each one reruns its page's polling fragment as a browser does (every interval the server asks for);
3. each student picks an answer at a random moment within the same `--window` seconds;
4. the teacher's page reruns its count fragment as the browser does, and each count it shows is timed.

It reports: every answer counted (the teacher's last count and the store itself against the students who
answered), how long after each answer the teacher's screen counted it (the i-th answer against the first count of
at least i), each answer's own latency, and every error the protocol client saw (exceptions, failure messages,
lost connections, no answer in time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from protocol import NoAnswerError, ProtocolPage
from sampling import CLOCK_TICKS, rss_and_cpu_ticks, tree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.servers import start_streamlit, stop_group, wait_healthy  # noqa: E402
from rnnviz.scenarios import SCENARIOS  # noqa: E402 - after the repository is on the path
from ui.class_mode import LESSONS, POLL_SECONDS  # noqa: E402
from ui.class_store import DB_ENV, SQLiteClassStore  # noqa: E402

LESSON = "sigmoid_vanishing"
COUNT = re.compile(r"Answers so far: (\d+) of (\d+) joined")
CODE = re.compile(r"Class code: ([A-Z0-9]{6})")


@dataclass
class Tally:
    """What the whole class saw."""

    answered_at: list[float] = field(default_factory=list)  # when each student sent the answer (epoch seconds)
    answer_seconds: list[float] = field(default_factory=list)
    counts: list[tuple[float, int]] = field(default_factory=list)  # (when the teacher's page showed it, count)
    join_seconds: list[float] = field(default_factory=list)
    polls: int = 0
    errors: list[str] = field(default_factory=list)
    confirmed: int = 0  # answers whose page said "Your answer is in"


def start_servers(processes: int, base_port: int, store_file: str, run_log: str) -> list[subprocess.Popen]:
    """`serve.py` (the app, each script run timed into `run_log`) on `processes` ports, one class store file."""
    launcher = [sys.executable, str(ROOT / "loadtest" / "serve.py"), run_log]
    return [start_streamlit(base_port + i, launcher=launcher, env={DB_ENV: store_file}) for i in range(processes)]


def server_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds the server processes (and their children) have used so far."""
    return rss_and_cpu_ticks(tree(pids))[1] / CLOCK_TICKS


def shown_count(page: ProtocolPage) -> int | None:
    for text in page.texts(within_key="class_count"):
        found = COUNT.search(text)
        if found:
            return int(found.group(1))
    return None


async def teacher_starts_a_class(url: str, tally: Tally) -> tuple[ProtocolPage, str]:
    page, answer = await ProtocolPage.open(url, f"scenarios?lesson={LESSON}", timeout=60)
    tally.errors += answer.errors
    answer = await page.press(page.widget(key="class_start"))
    tally.errors += answer.errors
    code = next(found.group(1) for text in page.texts() if (found := CODE.search(text)))
    return page, code


async def teacher_watches(page: ProtocolPage, tally: Tally, students: int, seconds: float) -> None:
    """Rerun the count fragment as the browser does until it shows every answer (or `seconds` pass)."""

    def seen(page: ProtocolPage) -> bool:
        count = shown_count(page)
        if count is not None:
            tally.counts.append((time.time(), count))
        return count is not None and count >= students

    done, answers = await page.run_auto_reruns(seen, seconds)
    for answer in answers:
        tally.errors += [f"teacher: {error}" for error in answer.errors]
    if not done:
        tally.errors.append(f"teacher: the count did not reach {students} within {seconds:g} s")


async def one_student(url: str, code: str, join_at: float, answer_at: float, stop: asyncio.Event, tally: Tally):
    """Join at `join_at`, poll as a browser does, answer at `answer_at`, poll on until `stop`."""
    rng = random.Random(int(answer_at * 1e6))
    await asyncio.sleep(max(0.0, join_at - time.time()))
    try:
        page, answer = await ProtocolPage.open(url, f"join?class={code}", timeout=60)
        tally.join_seconds.append(answer.seconds)
        tally.errors += [f"join: {error}" for error in answer.errors]
        page.timeout = 30
        done, polls = await page.run_auto_reruns(lambda _: time.time() >= answer_at - POLL_SECONDS, 600)
        await asyncio.sleep(max(0.0, answer_at - time.time()))
        question = page.widget(label="Your answer")
        tally.answered_at.append(time.time())
        answer = await page.set(question, rng.choice(list(question.proto.options)))
        tally.answer_seconds.append(answer.seconds)
        tally.errors += [f"answer: {error}" for error in answer.errors]
        tally.confirmed += any("Your answer is in" in text for text in page.texts())
        _, more = await page.run_auto_reruns(lambda _: stop.is_set(), 600)
        tally.polls += len(polls) + len(more)
        tally.errors += [f"poll: {error}" for answer in [*polls, *more] for error in answer.errors]
        await page.close()
    except (NoAnswerError, LookupError, OSError) as error:
        tally.errors.append(f"student: {type(error).__name__}: {error}")


def lags(tally: Tally) -> list[float]:
    """For the i-th answer sent (in time), seconds from its sending until the teacher's page first showed a count
    of at least i."""
    result = []
    for rank, sent in enumerate(sorted(tally.answered_at), start=1):
        shown = next((when for when, count in tally.counts if count >= rank and when >= sent), None)
        result.append(float("inf") if shown is None else shown - sent)
    return result


async def run_class(args, urls: list[str]) -> tuple[Tally, str]:
    tally = Tally()
    teacher, code = await teacher_starts_a_class(urls[0], tally)
    start = time.time() + 1
    window_start = start + args.join_seconds + 5
    stop = asyncio.Event()
    rng = random.Random(args.seed)
    students = [
        asyncio.create_task(
            one_student(
                urls[i % len(urls)],
                code,
                start + args.join_seconds * i / args.students,
                window_start + rng.uniform(0, args.window),
                stop,
                tally,
            )
        )  # fmt: skip
        for i in range(args.students)
    ]
    await asyncio.sleep(max(0.0, window_start - time.time()))
    await teacher_watches(teacher, tally, args.students, args.window + 60)
    stop.set()
    await asyncio.gather(*students)
    await teacher.close()
    return tally, code


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def server_runs(run_log: str) -> str:
    """The servers' own time per script run, by kind (from serve.py's log)."""
    runs: dict[str, list[float]] = {}
    for line in Path(run_log).read_text().splitlines():
        record = json.loads(line)
        runs.setdefault(record["kind"], []).append(record["seconds"])
    return "; ".join(
        f"{kind} n={len(values)} p50 {percentile(values, 0.5):.3f} s p95 {percentile(values, 0.95):.3f} s"
        for kind, values in sorted(runs.items())
    )


def report(args, tally: Tally, stored: int) -> str:
    shown = tally.counts[-1][1] if tally.counts else 0
    lag = lags(tally)
    lines = [
        f"students {args.students}, answers within {args.window:g} s, server processes {args.processes}",
        f"answered {len(tally.answered_at)}; confirmed on the student's page {tally.confirmed}; "
        f"teacher's last count {shown}; in the store {stored}",
        f"from an answer sent to the teacher's count of it: p50 {percentile(lag, 0.5):.2f} s, "
        f"p95 {percentile(lag, 0.95):.2f} s, "
        f"max {max(lag, default=float('nan')):.2f} s ({sum(value <= 2 for value in lag)} of {len(lag)} within 2 s)",
        f"an answer's own run: p50 {percentile(tally.answer_seconds, 0.5):.2f} s, "
        f"p95 {percentile(tally.answer_seconds, 0.95):.2f} s, max {max(tally.answer_seconds, default=0):.2f} s",
        f"joining (page load): p50 {percentile(tally.join_seconds, 0.5):.2f} s, "
        f"p95 {percentile(tally.join_seconds, 0.95):.2f} s; students' polling reruns {tally.polls}",
        f"errors {len(tally.errors)}" + "".join(f"\n  {n} × {error}" for error, n in Counter(tally.errors).items()),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--window", type=float, default=10.0, help="seconds within which every student answers")
    parser.add_argument("--join-seconds", type=float, default=40.0, help="seconds over which the students join")
    parser.add_argument("--processes", type=int, default=1, help="server processes sharing the class store")
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.students = max(1, min(args.students, 500))
    load_before = " ".join(f"{value:.1f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        store_file = str(Path(folder) / "classes.sqlite3")
        run_log = str(Path(folder) / "runs.jsonl")
        servers = start_servers(args.processes, args.port, store_file, run_log)
        urls = [f"http://127.0.0.1:{args.port + i}/" for i in range(args.processes)]
        try:
            for url in urls:
                wait_healthy(url)
            pids = [server.pid for server in servers]
            client_began, server_began, began = os.times(), server_cpu_seconds(pids), time.time()
            tally, code = asyncio.run(run_class(args, urls))
            client_ended, server_ended, seconds = os.times(), server_cpu_seconds(pids), time.time() - began
            stored = sum(SQLiteClassStore(store_file, lessons=len(LESSONS)).counts(code))
        finally:
            for server in servers:
                stop_group(server)
        print(f"lesson: {SCENARIOS[LESSON].title}; load average before: {load_before}")
        print(report(args, tally, stored))
        print(f"the servers' own script runs: {server_runs(run_log)}")
        client = client_ended.user + client_ended.system - client_began.user - client_began.system
        print(
            f"CPU over the class's {seconds:.0f} s: the servers {server_ended - server_began:.1f} s, "
            f"this load client {client:.1f} s (2 cores hold {2 * seconds:.0f} s)"
        )


if __name__ == "__main__":
    main()
