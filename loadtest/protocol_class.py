"""The class of the load test as protocol students: many students in one process, each a websocket, no browser.

Run by `run.py --client protocol`. Each student goes through the class session the browser students of
`session.py` go through (a lesson link, answer and Reveal, weight-scale moves, stepping, a view, a few epochs of
training, 2 to 6 s of thinking between actions), but speaks Streamlit's protocol itself (`protocol.py`): a student
costs the server what a browser costs it, and this process almost nothing. A chart's own Play button is drawn by
the browser alone (no request): the protocol student looks at the chart for a thinking time instead.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from functools import partial

from protocol import Answer, NoAnswerError, ProtocolPage, WidgetNotFoundError, current_value
from session import TRAIN_EPOCHS, Plan, Record

TRAINING_ENDS = re.compile(r"Trained|diverged|stopped|too large|could not", re.I)  # as session.Student.train
SLOTS_BUSY = "trainings are running on this shared server"  # ui.slots.busy_message: the app's limit, not a failure


class DeadlineError(Exception):
    """The plan's deadline passed: the student stops where it is."""


class ProtocolStudent:
    """One student: its page, its plan, and what it saw."""

    def __init__(self, plan: Plan, record: Record, rng: random.Random):
        self.plan, self.record, self.rng = plan, record, rng
        self.page: ProtocolPage | None = None

    def timeout(self) -> float:
        left = self.plan.deadline - time.time()
        if left <= 1:
            raise DeadlineError()
        return min(left, self.plan.action_timeout)

    async def think(self) -> None:
        low, high = self.plan.think_seconds
        await asyncio.sleep(min(self.rng.uniform(low, high), max(0.0, self.plan.deadline - time.time() - 1)))

    def note(self, kind: str, answer: Answer) -> None:
        """An answer's time, bytes and errors go into the record under `kind`."""
        self.record.latency(kind, answer.seconds)
        self.record.received.setdefault(kind, []).append(answer.received)
        self.record.errors.extend(f"{kind}: {error}" for error in answer.errors)

    async def ask(self, kind: str, request) -> Answer:
        """One request (`request()` makes it: an awaitable of the page's), its answer noted; a missing answer is an
        error, then raised. When the plan expects a restart and the server closed the connection, the student's
        page reconnects (`reconnect`) and the student does it again once, as one whose click went nowhere."""
        answer = await self._send(kind, request)
        if answer.closed and self.plan.reconnect:
            await self.reconnect(kind)
            answer = await self._send(kind, request)
        self.note(kind, answer)
        return answer

    def set(self, name: str, value, by_label: bool = False):
        """The request that sets the widget with key (or label) `name` as the page shows it when it is sent: after a
        reconnect, the page is drawn anew and a fragment's widgets may have a new fragment id."""
        return self.page.set(self.page.widget(label=name) if by_label else self.page.widget(key=name), value)

    def press(self, key: str):
        """The request that presses the button with key `key` as the page shows it when it is sent."""
        return self.page.press(self.page.widget(key=key))

    async def _send(self, kind: str, request) -> Answer:
        self.page.timeout = self.timeout()
        try:
            return await request()
        except NoAnswerError as error:
            if time.time() >= self.plan.deadline - 1:
                raise DeadlineError() from error
            self.record.errors.append(f"{kind}: {error}")
            raise

    async def reconnect(self, kind: str) -> None:
        """The page connects again after its process went away (`ProtocolPage.reconnect`), timed as "reconnect";
        `kind`: what the student was doing."""
        self.page.timeout = self.timeout()
        try:
            answer = await self.page.reconnect()
        except NoAnswerError as error:
            self.record.errors.append(f"reconnect during {kind}: {error}")
            raise
        self.note("reconnect", answer)
        self.record.reconnects.append(kind)

    async def open(self, path: str) -> None:
        self.page, answer = await ProtocolPage.open(self.plan.base_url, path, timeout=self.timeout())
        self.note("page load", answer)

    async def answer_lesson(self) -> None:
        """On a lesson: pick an answer, think, then press Reveal."""
        if not self.page.has(key="reveal"):
            self.record.skipped.append("no lesson to answer (no Reveal button)")
            return
        question = self.page.widget(label="Your answer")
        choice = self.rng.choice(list(question.proto.options))
        await self.ask("answer", partial(self.set, "Your answer", choice, by_label=True))
        await self.think()
        await self.ask("reveal", partial(self.press, "reveal"))

    async def go_to(self, page_name: str) -> None:
        await self.ask("page switch", lambda: self.page.go_to(page_name))

    async def move_scale(self, moves: int) -> None:
        """The weight-scale slider one step at a time: half the moves one way, then back."""
        scale = self.page.widget(key="scale")
        step = scale.proto.step * self.rng.choice([1, -1])
        for move in range(moves):
            scale = self.page.widget(key="scale")
            value = (self.page.states.get(scale.id) or current_value(scale))[0]
            direction = 1 if move < moves // 2 else -1
            target = min(scale.proto.max, max(scale.proto.min, round(value + direction * step, 6)))
            await self.ask("slider move", partial(self.set, "scale", [target]))
            await self.think()

    async def step(self) -> None:
        """Unfold's Next three times and Back once (buttons of a fragment: each press reruns the fragment)."""
        for _ in range(3):
            forward = self.page.widget(key="step_next")
            if forward.proto.disabled:
                break
            await self.ask("step", partial(self.press, "step_next"))
            await self.think()
        back = self.page.widget(key="step_prev")
        if not back.proto.disabled:
            await self.ask("step", partial(self.press, "step_prev"))

    async def open_view(self, label: str) -> None:
        await self.ask("open a view", lambda: self.page.open_view(label))
        await self.think()  # and the chart's Play, which the browser plays alone

    async def train(self) -> None:
        """The Train page: epochs set to 3, Train pressed, then the training fragment's reruns until it ends. A
        training that a restart of the server took away is started again, once, as its student would."""
        await self.go_to("train")
        await self.ask("set epochs", partial(self.set, "train_epochs", float(TRAIN_EPOCHS)))
        for _ in range(2):
            if not await self._train_once():
                return
        self.record.errors.append("train: two trainings lost to restarts of the server")

    async def _train_once(self) -> bool:
        """One press of Train and its training; True when a restart took the training away (the page reconnected)."""
        start = time.perf_counter()
        await self.ask("press Train", partial(self.press, "train_start"))
        if any(SLOTS_BUSY in text for text in self.page.alerts()):
            self.record.skipped.append("train refused: every training slot of the server was taken")
            return False
        answers = await self._live_reruns()
        if answers and answers[-1].closed and self.plan.reconnect:
            await self.reconnect("training: live rerun")
            return True
        for answer in answers:
            self.note("training: live rerun", answer)
        if not any(TRAINING_ENDS.search(text) for text in self.page.alerts()):
            self.record.errors.append(
                f"train: {TRAIN_EPOCHS} epochs did not finish within {self.plan.action_timeout:g} s"
                if answers
                else "train: the training neither ended nor asked for a rerun"
            )
            return False
        self.record.latency("train", time.perf_counter() - start)
        return False

    async def _live_reruns(self) -> list[Answer]:
        self.page.timeout = self.timeout()
        try:
            _, answers = await self.page.run_auto_reruns(
                lambda page: any(TRAINING_ENDS.search(text) for text in page.alerts()), seconds=self.timeout()
            )
        except NoAnswerError as error:
            self.record.errors.append(f"training: live rerun: {error}")
            return []
        return answers


async def class_session(plan: Plan, student: int, first_path: str, delay: float) -> Record:
    """One protocol student's whole session; every failure is recorded, none raised."""
    record, rng = Record(student), random.Random(plan.seed * 1000 + student)
    began = time.perf_counter()
    await asyncio.sleep(min(delay, max(0.0, plan.deadline - time.time() - 1)))
    you = ProtocolStudent(plan, record, rng)
    try:
        await you.open(first_path)
        await you.think()
        if "lesson=" in first_path:
            await you.answer_lesson()
        await you.go_to("unfold")
        await you.move_scale(plan.slider_moves)
        await you.step()
        await you.open_view("The whole run")
        await you.go_to("gradients")
        await you.move_scale(2)
        await you.open_view("The gradient flowing back")
        if plan.train:
            await you.train()
        record.finished = True
    except DeadlineError:
        record.errors.append("deadline: the session was stopped before it finished")
    except NoAnswerError:
        pass  # recorded where it happened
    except WidgetNotFoundError as error:
        record.errors.append(f"widget not found: {error}")
    except Exception as error:  # noqa: BLE001 - every failure of a student is a finding, not a crash of the class
        record.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}")
    finally:
        record.seconds = round(time.perf_counter() - began, 2)
        if you.page is not None:
            try:
                await asyncio.wait_for(you.page.close(), timeout=10)
            except Exception:  # noqa: BLE001 - the server drops a vanished websocket by itself
                pass
    return record


async def run_class(plan: Plan) -> list[Record]:
    """Every student of the plan at once in this process, arriving over the plan's ramp; stopped at its deadline."""
    tasks = []
    for student in plan.sessions:
        first = plan.first_paths[student % len(plan.first_paths)]
        delay = plan.ramp_seconds * random.Random(student).random()
        tasks.append(class_session(plan, student, first, delay))
    left = max(1.0, plan.deadline - time.time())
    return list(await asyncio.wait_for(asyncio.gather(*tasks), timeout=left + 15))


async def visit(base_url: str, paths: list[str], timeout: float, cookies: dict[str, str] | None = None) -> list[str]:
    """Open each path in a session of its own, one after the other (the warm start, and the fresh sessions after
    the class that make Streamlit drop the expired ones); `cookies`: a browser's (behind nginx, the routing cookie
    picks the process). Returns the errors seen."""
    errors = []
    for path in paths:
        try:
            page, answer = await ProtocolPage.open(base_url, path, timeout=timeout, cookies=cookies)
            await page.close()
            errors.extend(f"/{path}: {error}" for error in answer.errors)
        except (NoAnswerError, OSError) as error:
            errors.append(f"/{path}: {type(error).__name__}: {error}")
    return errors


async def page_names(base_url: str, timeout: float) -> list[str]:
    """The pages of the app's navigation, as a first visit receives them."""
    page, _ = await ProtocolPage.open(base_url, "", timeout=timeout)
    await page.close()
    return [name for name in page.pages if name]
