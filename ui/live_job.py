"""One way to run a training job live: its progress, a Stop button and charts that grow while it trains.

A job trains one small unit at a time (`step`: a minibatch of the character model, one step of the three cells)
while `more()` says there is more to train. Either its watcher advances it, a chunk of about CHUNK_SECONDS on each
rerun of the panel's fragment (the browser asks for every rerun, so a closed tab trains at most one more chunk), or
a thread of its own trains it at full speed (`start_thread`) and the panel only watches. Either way the job stops
at the next unit after `stop()`, when `alive()` turns False (its session has ended) or when its training slot was
given to another visitor, and then gives its slot back:

    job = LiveJob(trainer, step=trainer.train_batch, more=lambda: trainer.running, stop_work=trainer.stop,
                  slots=training_slots(), holder=holder, lease=LEASE_SECONDS, alive=session_alive())
    watch(job, "train", progress, draw)     # while it runs: progress, Stop and draw(job), in a fragment

While a thread trains, it holds `job.lock` for each unit: whoever reads the work takes the lock first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.slots import TrainingSlots

_LOGGER = logging.getLogger("rnnviz.app")
REFRESH_SECONDS = 0.25  # the panel's fragment reruns this often while the job runs
CHUNK_SECONDS = 0.2  # each rerun trains (or waits for the thread) about this long, at least one unit
SLOT_LOST = " Its training slot on the shared server was given to another visitor while it waited."


def _always() -> bool:
    return True


@dataclass(eq=False)
class LiveJob:
    """A training run a page watches: running, then "done", "stopped" or "failed" (with `error` in words).

    work : what is trained (the page reads its model and records from it).
    step : trains one unit; a truthy return ends the current chunk early (a redraw is due).
    more : whether there is more to train.
    stop_work : stops the work, keeping what it has trained.
    finish : called once when the work is done; what it returns is kept as `result`.
    slots, holder, lease : the training slot the job holds (None: it holds none) and, for a job its watcher
        advances, the lease each chunk renews (a thread holds its slot until it ends).
    alive : whether the session that owns the job is still open.
    """

    work: object
    step: Callable[[], object]
    more: Callable[[], bool]
    stop_work: Callable[[], None] = lambda: None
    finish: Callable[[], object] | None = None
    slots: TrainingSlots | None = None
    holder: str | None = None
    lease: float | None = None
    alive: Callable[[], bool] = _always
    status: str = "running"
    error: str | None = None
    result: object = None
    started: float = field(default_factory=time.time)
    seconds: float | None = None  # how long it ran, once it has ended
    lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None
    _stop_asked: bool = False

    @property
    def running(self) -> bool:
        return self.status == "running"

    def start_thread(self) -> LiveJob:
        """Train in a thread of this job's own until the work ends; returns the job."""
        self._thread = threading.Thread(target=self._train_to_the_end, name="rnnviz-live-job", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop at the next unit, keeping what is trained (a job its watcher advances stops at once); its training
        slot is free at once."""
        self._stop_asked = True
        if self.slots is not None:
            self.slots.release(self.holder)
        if self._thread is None:
            with self.lock:
                self._train_one()

    def advance(self, seconds: float = CHUNK_SECONDS) -> None:
        """Train a chunk of about `seconds` (at least one unit), or, for a thread, wait for it up to `seconds`."""
        if self._thread is not None:
            self._thread.join(timeout=seconds)
            return
        if self.slots is not None and not self.slots.claim(self.holder, seconds=self.lease):
            self._stop_asked = True
            self._end("stopped", lost_slot=True)
            return
        started = time.perf_counter()
        with self.lock:
            while self._train_one() and time.perf_counter() - started < seconds:
                pass

    def _train_to_the_end(self) -> None:
        while True:
            with self.lock:
                if not self._train_one(chunk=False):
                    return
            time.sleep(0)  # let a reader waiting for the lock take it

    def _train_one(self, chunk: bool = True) -> bool:
        """One unit, unless the job has to end; whether to go on (False also when the step asks for a redraw)."""
        if not self.running:
            return False
        if self._stop_asked or not self.alive():
            self._end("stopped")
            return False
        try:
            redraw = self.step() if self.more() else None
            if self.more():
                return not (chunk and redraw)
            self.result = None if self.finish is None else self.finish()
        except Exception as error:  # noqa: BLE001 - the watchers read words, the log keeps the traceback
            _LOGGER.exception("a live training job failed")
            self.error = f"{type(error).__name__}: {error}"
            self._end("failed")
            return False
        self._end("done")  # the work is done (or has ended by itself, e.g. a loss that diverged)
        return False

    def _end(self, status: str, lost_slot: bool = False) -> None:
        if status == "stopped":
            self.stop_work()
        if lost_slot and hasattr(self.work, "message"):
            self.work.message += SLOT_LOST
        self.status, self.seconds = status, time.time() - self.started
        if self.slots is not None:
            self.slots.release(self.holder)


def session_alive() -> Callable[[], bool]:
    """A check that this browser session is still open (always True outside a server, e.g. in tests)."""
    ctx = get_script_run_ctx()
    if ctx is None or not st.runtime.exists():
        return _always
    runtime = st.runtime.get_instance()
    return lambda: runtime.is_active_session(ctx.session_id)


def watch(
    job: LiveJob,
    key: str,
    progress: Callable[[object], tuple[float, str]],
    draw: Callable[[object], None],
    look: Callable[[LiveJob], object] = lambda job: job.work,
    stop_help: str | None = None,
    stoppable: bool = True,
) -> None:
    """While `job` runs: its progress bar, Stop (on the page from the run's first moment) and its live charts,
    redrawn by a fragment every REFRESH_SECONDS, each rerun advancing the job by a chunk. When the job has ended
    the whole page reruns once, to draw the result; once it has ended this draws nothing.

    look(job) is what the job has trained so far, read under its lock (default: the work itself); progress(seen)
    gives (fraction done, words) and draw(seen) draws the charts from it. `key` names the Stop button
    (`{key}_stop`); a job shared by every session is not `stoppable` by one of them."""
    if job.running:
        st.fragment(run_every=REFRESH_SECONDS)(_live_panel)(
            job, key, progress, draw, look, stop_help if stoppable else None, stoppable
        )


def _live_panel(job: LiveJob, key: str, progress, draw, look, stop_help: str | None, stoppable: bool) -> None:
    if not job.running:
        st.rerun()  # the page around the fragment still shows the run: redraw it with the result
    bar = st.empty()
    bar.progress(*_bounded(progress(_seen(job, look))))
    if stoppable:
        st.button("Stop", key=f"{key}_stop", on_click=job.stop, icon=":material/stop:", help=stop_help)
    job.advance()
    if not job.running:
        st.rerun()
    seen = _seen(job, look)
    bar.progress(*_bounded(progress(seen)))
    draw(seen)


def _seen(job: LiveJob, look):
    with job.lock:
        return look(job)


def _bounded(shown: tuple[float, str]) -> tuple[float, str]:
    fraction, words = shown
    return min(max(float(fraction), 0.0), 1.0), words
