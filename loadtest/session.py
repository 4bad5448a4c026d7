"""One worker process of the load test: one headless Chromium, several students' tabs driven at once.

Run by `loadtest/run.py` (not by hand): `python loadtest/session.py PLAN.json RESULT.json`. Each student's tab
goes through a class session (open the lesson link, move the weight-scale slider, step the unrolled network,
press Play, train a few epochs) and records every interaction's latency and every error it sees. The worker
stops by itself at the plan's deadline, whatever state the tabs are in.

An interaction's latency is the time from the key press or click until the app's script state is `notRunning`
again and what the server draws (the sidebar's regime summary, the charts' data, the page's text) has changed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.servers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

APP = "[data-testid='stApp']"
TRAIN_EPOCHS = 3
FAILURE_TEXT = "could not be computed"  # ui.notices.FAILURE_PREFIX: the words page_guard shows on a failure

# What the server draws: read before and after an interaction to see that the answer has arrived. The slider's
# own thumb label is left out (the browser changes it at once, before the server answers).
SIGNATURE_JS = """() => {
  const texts = [...document.querySelectorAll(
      "[data-testid='stSidebar'] [data-testid='stCaptionContainer'], [data-testid='stSidebar'] .st-key-regime, "
      + "[data-testid='stMain'] [data-testid='stMarkdownContainer'], [data-testid='stMain'] [data-testid='stMetric'],"
      + "[data-testid='stMain'] [data-testid='stCaptionContainer']")].map(e => e.innerText).join("|");
  const plots = [...document.querySelectorAll(".js-plotly-plot")].map(p => {
    const data = (p.data || []).slice(0, 6).map(t => JSON.stringify(t.y ?? t.z ?? t.x ?? null).slice(0, 300));
    const title = p.layout && p.layout.title ? JSON.stringify(p.layout.title).slice(0, 120) : "";
    return title + data.join(",");
  }).join("#");
  return texts.length + ":" + texts + "@" + plots;
}"""
# Every change of the app's script state, timed in the page (installed before the app loads).
STATE_LOG_JS = """window.__rnnvizStates = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    window.__rnnvizStates.push([change.target.getAttribute("data-test-script-state"), performance.now()]);
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-test-script-state"]});"""
# Seconds from `since` (performance.now() in ms) until the script state went running and then notRunning.
SCRIPT_DONE_JS = """(since) => {
  let started = false;
  for (const [state, at] of window.__rnnvizStates || []) {
    if (at < since) continue;
    if (state === "running") started = true;
    else if (state === "notRunning" && started) return (at - since) / 1000;
  }
  return null;
}"""
SETTLED_JS = (
    """([before, app]) => {
  const root = document.querySelector(app);
  if (!root || root.getAttribute("data-test-script-state") !== "notRunning") return false;
  return ("""
    + SIGNATURE_JS
    + """)() !== before;
}"""
)


@dataclass
class Plan:
    """What every tab of this worker does; written by run.py."""

    base_url: str
    sessions: list[int]  # the students' numbers
    deadline: float  # time.time() by which everything stops
    first_paths: list[str]  # the links the students open first (one per student, in turn)
    ramp_seconds: float = 20.0  # students arrive spread over this time
    slider_moves: int = 4
    think_seconds: tuple[float, float] = (0.5, 2.0)
    action_timeout: float = 30.0
    train: bool = True
    seed: int = 0
    nice: int = 19  # the browsers yield the CPU to the server: on a real class they run on the students' machines
    reconnect: bool = False  # a server process restarts during the class: protocol students reconnect, as browsers do


@dataclass
class Record:
    """What one student's tab saw."""

    student: int
    latencies: dict[str, list[float]] = field(default_factory=dict)  # interaction kind -> seconds
    received: dict[str, list[int]] = field(default_factory=dict)  # interaction kind -> bytes (protocol students)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # parts of the session this app version does not offer
    reconnects: list[str] = field(default_factory=list)  # what the student was doing when its server went away
    finished: bool = False
    seconds: float = 0.0

    def latency(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(round(seconds, 4))


class DeadlineError(Exception):
    """The plan's deadline passed: the tab stops where it is."""


class Student:
    """One tab, with Streamlit-aware waiting and error checks."""

    def __init__(self, page, plan: Plan, record: Record, rng: random.Random):
        self.page, self.plan, self.record, self.rng = page, plan, record, rng
        self.js_errors: list[str] = []
        page.on("pageerror", lambda error: self.js_errors.append(str(error)[:300]))

    def remaining_ms(self) -> float:
        left = self.plan.deadline - time.time()
        if left <= 1:
            raise DeadlineError()
        return min(left, self.plan.action_timeout) * 1000

    async def think(self) -> None:
        low, high = self.plan.think_seconds
        await asyncio.sleep(min(self.rng.uniform(low, high), max(0.0, self.plan.deadline - time.time() - 1)))

    async def settle(self) -> None:
        """Connected and the script not running (twice, a little apart: a rerun may follow a first run)."""
        for _ in range(2):
            await self.page.wait_for_selector(
                f"{APP}[data-test-connection-state='CONNECTED']", timeout=self.remaining_ms()
            )
            await self.page.wait_for_selector(
                f"{APP}[data-test-script-state='notRunning']", timeout=self.remaining_ms()
            )
            await asyncio.sleep(0.3)

    async def signature(self) -> str:
        return await self.page.evaluate(SIGNATURE_JS)

    async def timed(self, kind: str, action) -> bool:
        """Run `action` (a key press or click), wait for the server's answer, record the latency.

        Returns False (and records an error) when no answer came in time."""
        before = await self.signature()
        since = await self.page.evaluate("performance.now()")
        start = time.perf_counter()
        await action()
        try:
            await self.page.wait_for_function(SETTLED_JS, arg=[before, APP], polling=50, timeout=self.remaining_ms())
        except DeadlineError:
            raise
        except Exception as error:  # noqa: BLE001 - a time-out is a finding, recorded with what was being done
            if time.time() >= self.plan.deadline - 1:
                raise DeadlineError() from error
            self.record.errors.append(f"{kind}: no updated view within {self.plan.action_timeout:g} s")
            return False
        self.record.latency(kind, time.perf_counter() - start)
        script_done = await self.page.evaluate(SCRIPT_DONE_JS, since)
        if script_done is not None:
            self.record.latency(f"{kind}: script done", script_done)
        await self.check(kind)
        return True

    async def check(self, where: str) -> None:
        """Exception boxes, failure messages, lost connections and JS errors become recorded errors."""
        boxes = self.page.locator("[data-testid='stException']")
        if await boxes.count():
            self.record.errors.append(f"{where}: exception box: {(await boxes.first.inner_text())[:300]}")
        failures = self.page.locator("[data-testid='stAlertContentError']", has_text=FAILURE_TEXT)
        if await failures.count():
            self.record.errors.append(f"{where}: failure message: {(await failures.first.inner_text())[:300]}")
        state = await self.page.get_attribute(APP, "data-test-connection-state")
        if state not in (None, "CONNECTED"):
            self.record.errors.append(f"{where}: connection state {state}")
        while self.js_errors:
            self.record.errors.append(f"{where}: JS error: {self.js_errors.pop(0)}")

    async def open(self, path: str) -> None:
        start = time.perf_counter()
        await self.page.goto(self.plan.base_url + path.lstrip("/"), timeout=self.remaining_ms())
        await self.settle()
        self.record.latency("page load", time.perf_counter() - start)
        await self.check(f"open {path}")

    async def answer_lesson(self) -> None:
        """On a lesson: pick an answer, then press Reveal and wait for the chart."""
        reveal = self.page.locator(".st-key-reveal button")
        if not await reveal.count():
            self.record.skipped.append("no lesson to answer (no Reveal button)")
            return
        choices = self.page.locator(".st-key-lesson_question [role='radiogroup'] label")
        if await choices.count():
            await choices.nth(self.rng.randrange(await choices.count())).click(timeout=self.remaining_ms())
            await self.settle()
        await self.think()
        await self.timed("reveal", lambda: reveal.first.click(timeout=self.remaining_ms()))

    async def go_to(self, page_name: str) -> bool:
        """Switch page through the sidebar's navigation (the same session, as a student would)."""
        link = self.page.locator(f"[data-testid='stSidebarNavLink'][href$='/{page_name}']")
        if not await link.count():
            self.record.skipped.append(f"no {page_name} page in the navigation")
            return False
        start = time.perf_counter()
        await link.first.click(timeout=self.remaining_ms())
        await self.page.wait_for_url(re.compile(f"/{page_name}"), timeout=self.remaining_ms())
        await self.settle()
        self.record.latency("page switch", time.perf_counter() - start)
        await self.check(f"page {page_name}")
        return True

    async def move_scale(self, moves: int) -> None:
        """Keyboard on the weight-scale slider's thumb: a few steps one way, then back."""
        thumb = self.page.locator(".st-key-scale input[type='range'], .st-key-scale [role='slider']")
        if not await thumb.count():
            self.record.errors.append("the weight-scale slider is missing")
            return
        direction = self.rng.choice(["ArrowRight", "ArrowLeft"])
        keys = [direction] * (moves // 2) + [("ArrowLeft" if direction == "ArrowRight" else "ArrowRight")] * (
            moves - moves // 2
        )
        for key in keys:
            await thumb.first.focus(timeout=self.remaining_ms())
            await self.timed("slider move", lambda key=key: thumb.first.press(key))
            await self.think()

    async def step(self) -> None:
        """The step buttons of the unrolled network, when the page has them."""
        forward = self.page.locator(".st-key-step_next button")
        if not await forward.count():
            self.record.skipped.append("no step_next button on Unfold")
            return
        for _ in range(3):
            if not await forward.first.is_enabled():
                break
            await self.timed("step", lambda: forward.first.click(timeout=self.remaining_ms()))
            await self.think()
        back = self.page.locator(".st-key-step_prev button")
        if await back.count() and await back.first.is_enabled():
            await self.timed("step", lambda: back.first.click(timeout=self.remaining_ms()))

    async def open_tab(self, name: str) -> bool:
        """Open one of the page's views (its tabs are drawn only when opened, so this is an interaction)."""
        tab = self.page.get_by_role("tab", name=name)
        if not await tab.count():
            self.record.skipped.append(f"no tab {name!r}")
            return False
        await self.timed("open a view", lambda: tab.first.click(timeout=self.remaining_ms()))
        await self.think()
        return True

    async def play(self) -> None:
        """Press Play on an animation: a Streamlit button named Play, or a chart's own Play button."""
        button = self.page.locator("[data-testid='stMain'] button", has_text=re.compile(r"^\W*play\b", re.I))
        chart_button = self.page.locator(".js-plotly-plot .updatemenu-button", has_text=re.compile("play", re.I))
        if await button.count() and await button.first.is_enabled():
            start = time.perf_counter()
            await button.first.click(timeout=self.remaining_ms())
            await asyncio.sleep(0.5)
            await self.settle()
            self.record.latency("play", time.perf_counter() - start)
        elif await chart_button.count():
            await chart_button.first.click(timeout=self.remaining_ms())
            await asyncio.sleep(min(3.0, max(0.0, self.plan.deadline - time.time() - 1)))
        else:
            self.record.skipped.append("no Play button on this page")
            return
        await self.check("play")

    async def train(self) -> None:
        """A few epochs on the Train page: its epochs box set to 3, then its Train button, then wait for the end."""
        if not await self.go_to("train"):
            return
        epochs = self.page.locator(".st-key-train_epochs input")
        if not await epochs.count():
            epochs = self.page.locator(
                "[data-testid='stMain'] [data-testid='stNumberInput']", has_text=re.compile("epoch", re.I)
            ).locator("input")
        if await epochs.count():
            await epochs.first.fill(str(TRAIN_EPOCHS), timeout=self.remaining_ms())
            await epochs.first.press("Enter")
            await self.settle()
        button = self.page.locator(".st-key-train_start button")
        if not await button.count():
            button = self.page.locator("[data-testid='stMain'] button", has_text=re.compile(r"^\W*train", re.I))
        if not await button.count():
            self.record.skipped.append("no Train button on the Train page")
            return
        start = time.perf_counter()
        await button.first.click(timeout=self.remaining_ms())
        done = self.page.locator(
            "[data-testid='stMain'] [data-testid='stAlertContentSuccess'], "
            "[data-testid='stMain'] [data-testid='stAlertContentError'], "
            "[data-testid='stMain'] [data-testid='stAlertContentInfo']",
            has_text=re.compile(r"Trained|diverged|stopped|too large|could not", re.I),
        )
        try:
            await done.first.wait_for(timeout=self.remaining_ms())
        except DeadlineError:
            raise
        except Exception:  # noqa: BLE001 - a training that never ends in time is a finding
            self.record.errors.append(
                f"train: {TRAIN_EPOCHS} epochs did not finish within {self.plan.action_timeout:g} s"
            )
            return
        await self.settle()
        self.record.latency("train", time.perf_counter() - start)
        await self.check("train")


async def class_session(browser, plan: Plan, student: int, first_path: str, delay: float) -> Record:
    """One student's whole session in a fresh browser context (its own cookies, its own Streamlit session)."""
    record, rng = Record(student), random.Random(plan.seed * 1000 + student)
    began = time.perf_counter()
    await asyncio.sleep(min(delay, max(0.0, plan.deadline - time.time() - 1)))
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(STATE_LOG_JS)
    page = await context.new_page()
    you = Student(page, plan, record, rng)
    try:
        await you.open(first_path)
        await you.think()
        if "lesson=" in first_path:
            await you.answer_lesson()
        if await you.go_to("unfold"):
            await you.move_scale(plan.slider_moves)
            await you.step()
            if await you.open_tab("The whole run"):
                await you.play()
        if await you.go_to("gradients"):
            await you.move_scale(2)
            if await you.open_tab("The gradient flowing back"):
                await you.play()
        if plan.train:
            await you.train()
        record.finished = True
    except DeadlineError:
        record.errors.append("deadline: the session was stopped before it finished")
    except Exception as error:  # noqa: BLE001 - every failure of a tab is a finding, not a crash of the worker
        record.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:300]}")
    finally:
        record.seconds = round(time.perf_counter() - began, 2)
        try:
            await asyncio.wait_for(context.close(), timeout=10)
        except Exception:  # noqa: BLE001 - the browser is closed with the worker anyway
            pass
    return record


def descendants(root: int) -> list[int]:
    """Every process below `root`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def yield_cpu_to_server(nice: int) -> None:
    """Playwright starts Chromium in a session of its own, and Linux's autogroup scheduler shares the CPU equally
    between sessions whatever the niceness of the processes in them: so the niceness is set on Chromium's
    autogroup too (/proc/PID/autogroup), or thirty browsers would take the server's CPU as no real class does."""
    ours = os.getsid(0)  # the session of the server: its autogroup keeps niceness 0
    for pid in descendants(os.getpid()):
        try:
            if os.getsid(pid) != ours:
                Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        except OSError:  # no autogroups on this kernel, or the process has gone: the process niceness still holds
            pass


async def run_worker(plan: Plan) -> list[Record]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield_cpu_to_server(plan.nice)
        try:
            tasks = []
            for student in plan.sessions:
                first = plan.first_paths[student % len(plan.first_paths)]
                delay = plan.ramp_seconds * random.Random(student).random()
                tasks.append(class_session(browser, plan, student, first, delay))
            left = max(1.0, plan.deadline - time.time())
            return list(await asyncio.wait_for(asyncio.gather(*tasks), timeout=left + 15))
        finally:
            await browser.close()


def main(plan_path: str, result_path: str) -> None:
    raw = json.loads(Path(plan_path).read_text())
    raw["think_seconds"] = tuple(raw["think_seconds"])
    plan = Plan(**raw)
    os.nice(plan.nice)  # inherited by this worker's Chromium
    try:
        records = asyncio.run(run_worker(plan))
    except Exception as error:  # noqa: BLE001 - report the worker's failure instead of losing every result
        records = [
            Record(student, errors=[f"worker failed: {type(error).__name__}: {error}"[:300]])
            for student in plan.sessions
        ]
    Path(result_path).write_text(json.dumps([asdict(record) for record in records]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
