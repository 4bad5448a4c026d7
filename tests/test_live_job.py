"""The live-job helper: a training run advanced in chunks or by a thread, that stops at the next unit when asked,
when its session ends or when its slot is lost, reports a failure in words, and always gives its slot back."""

from __future__ import annotations

import threading

import pytest

from rnnviz.task_training import TaskConfig, TaskTrainer, train_on_task
from ui.live_job import LiveJob
from ui.slots import TrainingSlots


class Counter:
    """Work of `units` units; `stopped` once told to stop."""

    def __init__(self, units: int = 1_000_000, fail_at: int | None = None):
        self.units, self.done, self.stopped, self.fail_at = units, 0, False, fail_at
        self.message = ""

    @property
    def running(self) -> bool:
        return not self.stopped and self.done < self.units

    def step(self) -> None:
        if self.done == self.fail_at:
            raise ValueError("the loss is not a number")
        self.done += 1

    def stop(self) -> None:
        self.stopped = True


def job_of(work: Counter, **options) -> LiveJob:
    return LiveJob(work, step=work.step, more=lambda: work.running, stop_work=work.stop, **options)


def test_a_chunk_trains_for_about_its_seconds_and_the_job_keeps_running():
    work = Counter()
    job = job_of(work)
    job.advance(0.05)
    assert 0 < work.done < work.units and job.running


def test_a_step_that_asks_for_a_redraw_ends_the_chunk():
    work = Counter()
    job = LiveJob(work, step=lambda: work.step() or work.done % 3 == 0, more=lambda: work.running)
    job.advance(10.0)
    assert work.done == 3 and job.running


def test_the_job_is_done_when_the_work_is_and_finish_runs_once():
    work, finished = Counter(units=5), []
    job = job_of(work, finish=lambda: finished.append(True) or "the result")
    job.advance(10.0)
    job.advance(10.0)
    assert job.status == "done" and work.done == 5 and job.result == "the result" and finished == [True]


def test_stop_on_a_chunked_job_stops_at_once_and_keeps_the_work_done():
    work = Counter()
    job = job_of(work)
    job.advance(0.02)
    done = work.done
    job.stop()
    assert job.status == "stopped" and work.stopped and work.done == done
    job.advance(0.02)
    assert work.done == done  # it does not resume


def test_a_job_whose_session_has_ended_stops_before_the_next_unit():
    work, open_tab = Counter(), [True]
    job = job_of(work, alive=lambda: open_tab[0])
    job.advance(0.02)
    open_tab[0] = False
    done = work.done
    job.advance(0.02)
    assert job.status == "stopped" and work.done == done


def test_a_failing_step_ends_the_job_with_words_and_gives_the_slot_back():
    slots = TrainingSlots(1)
    assert slots.claim("me")
    job = job_of(Counter(fail_at=3), slots=slots, holder="me")
    job.advance(10.0)
    assert job.status == "failed" and job.error == "ValueError: the loss is not a number"
    assert slots.held() == 0


def test_a_chunked_job_renews_its_lease_and_gives_its_slot_back_when_done():
    slots = TrainingSlots(1)
    assert slots.claim("me", seconds=15)
    job = job_of(Counter(units=3), slots=slots, holder="me", lease=15)
    job.advance(0.0)
    assert job.running and slots.held() == 1 and not slots.claim("another visitor")
    job.advance(10.0)
    assert job.status == "done" and slots.held() == 0


def test_a_job_whose_slot_was_given_away_stops_and_says_so():
    slots = TrainingSlots(1)
    work = Counter()
    job = job_of(work, slots=slots, holder="me", lease=15)  # its lease ran out: another visitor holds the slot
    assert slots.claim("another visitor")
    job.advance(0.02)
    assert job.status == "stopped" and work.done == 0 and "given to another visitor" in work.message


def test_a_threaded_job_trains_to_the_end_by_itself_and_gives_its_slot_back():
    slots = TrainingSlots(1)
    assert slots.claim("me")
    job = job_of(Counter(units=200), slots=slots, holder="me").start_thread()
    job._thread.join(10)
    assert job.status == "done" and slots.held() == 0


def test_a_threaded_job_stops_at_the_next_unit_after_stop():
    release = threading.Event()
    work = Counter()

    def slow_step():
        release.wait(10)
        work.step()

    job = LiveJob(work, step=slow_step, more=lambda: work.running, stop_work=work.stop).start_thread()
    job.stop()
    release.set()
    job._thread.join(10)
    assert job.status == "stopped" and work.stopped and work.done <= 1


@pytest.mark.parametrize("stop_after", [None, 4])
def test_the_task_trainer_step_by_step_is_train_on_task(stop_after):
    config = TaskConfig(seq_length=6, hidden_size=3, batch_size=2, steps=8, seed=2)
    whole = train_on_task(config, callback=lambda step, records: step != stop_after)
    trainer = TaskTrainer(config)
    while trainer.running and trainer.steps_done != stop_after:
        trainer.step()
    trainer.stop()
    stepped = trainer.result()
    assert stepped.stopped == whole.stopped == (stop_after is not None)
    for kind, history in whole.histories.items():
        assert list(stepped.histories[kind].loss) == list(history.loss)
        assert stepped.histories[kind].evaluation_loss == history.evaluation_loss


def test_stop_frees_a_threaded_jobs_slot_at_once():
    release, slots = threading.Event(), TrainingSlots(1)
    assert slots.claim("me")
    work = Counter()
    job = LiveJob(work, step=lambda: release.wait(10), more=lambda: work.running, slots=slots, holder="me")
    job.start_thread()
    job.stop()
    assert slots.held() == 0 and slots.claim("my next run")
    release.set()
    job._thread.join(10)
    assert job.status == "stopped" and slots.held() == 1  # the next run's slot is not given back by the old job


def test_a_failure_in_finishing_the_work_fails_the_job_in_words():
    def finish():
        raise RuntimeError("the held-out batch did not fit")

    job = job_of(Counter(units=2), finish=finish)
    job.advance(10.0)
    assert job.status == "failed" and job.error == "RuntimeError: the held-out batch did not fit"
