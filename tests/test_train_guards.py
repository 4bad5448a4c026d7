"""The Train page's guards for a shared server: a run's cost estimated with its batch size and fixed overheads and
refused over the budget, one count of training slots with Long-range memory, Stop honoured within the epoch, and
bounds refused in words instead of a field that silently keeps its old value."""

from __future__ import annotations

import numpy as np
import pytest

import ui.slots
from rnnviz.settings import LIMITS
from rnnviz.train import (
    ARTICLE_TEXT,
    BATCH_OVERHEAD,
    EPOCH_OVERHEAD_PER_H3,
    STEP_OVERHEAD,
    CharTrainer,
    Recipe,
    bundled_text,
    char_vocabulary,
    train_char_rnn,
)
from tests.conftest import assert_healthy, run_app
from tests.test_page_memory import PAGE as MEMORY_PAGE
from tests.test_page_memory import short_run
from ui.cache import training_slots
from ui.slots import MAX_CONCURRENT_TRAININGS, TrainingSlots

PAGE = "pages/train.py"
LONG_TEXT = (bundled_text("alice") * 5)[: LIMITS.train_text_chars]  # 20,000 characters


def windows_and_vocabulary(text: str, T: int) -> tuple[int, int]:
    return len(text) - T, len(char_vocabulary(text))


# the work estimate ---------------------------------------------------------------------------------------------
def test_the_work_is_the_batches_products_and_overheads_of_every_epoch():
    recipe = Recipe(seq_length=10, hidden_size=20, batch_size=7, epochs=3)
    N, V, B, T, H = 100, 30, 7, 10, 20
    per_batch = 3 * B * T * H * (H + V) + BATCH_OVERHEAD + T * STEP_OVERHEAD
    assert recipe.batches(N) == 15
    assert recipe.work(N, V) == pytest.approx(3 * (15 * per_batch + EPOCH_OVERHEAD_PER_H3 * H**3))


def test_smaller_batches_of_the_same_windows_cost_more():
    N, V = windows_and_vocabulary(LONG_TEXT, 64)
    work = {B: Recipe(seq_length=64, hidden_size=2, batch_size=B, epochs=1).work(N, V) for B in (1, 8, 64, 512)}
    assert work[1] > work[8] > work[64] > work[512]
    assert work[1] > 50 * work[512]  # at H = 2 a batch of one window is almost all overhead


def test_the_issues_137_second_run_is_refused():
    N, V = windows_and_vocabulary(LONG_TEXT, 64)
    recipe = Recipe(seq_length=64, hidden_size=256, batch_size=1, epochs=2)
    assert 3.0 * recipe.epochs * N * 64 * 256 * (256 + V) < 1e12  # what the old estimate let through
    assert recipe.work(N, V) > LIMITS.train_work


def test_the_issues_96_minute_run_is_refused():
    N, V = windows_and_vocabulary(LONG_TEXT, 64)
    assert Recipe(seq_length=64, hidden_size=2, batch_size=1, epochs=500).work(N, V) > 100 * LIMITS.train_work


@pytest.mark.parametrize("epochs", [100, 500])
def test_the_articles_recipe_fits_the_budget(epochs):
    N, V = windows_and_vocabulary(ARTICLE_TEXT, 3)
    assert Recipe(epochs=epochs).work(N, V) < LIMITS.train_work / 10


# Stop within the epoch -----------------------------------------------------------------------------------------
def stop_after(batches: int):
    """A should_stop that lets `batches` minibatches through, then says stop; it counts how often it was asked."""
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return len(asked) > batches

    return should_stop, asked


def test_should_stop_is_honoured_after_the_current_batch_within_the_first_epoch():
    should_stop, asked = stop_after(5)
    result = train_char_rnn(ARTICLE_TEXT, batch_size=4, epochs=3, should_stop=should_stop)  # 12 batches an epoch
    assert result.status == "stopped" and len(asked) == 6
    assert len(result.history) == 0  # no epoch was completed
    assert "5 of epoch 1's 12 batches" in result.message
    initial = CharTrainer(ARTICLE_TEXT, Recipe(batch_size=4, epochs=3)).cell.W_hh
    assert not np.array_equal(result.model.W_hh, initial)  # the five updates are kept


def test_should_stop_within_a_later_epoch_keeps_the_complete_epochs_history():
    should_stop, _ = stop_after(12 + 12 + 3)
    result = train_char_rnn(ARTICLE_TEXT, batch_size=4, epochs=5, should_stop=should_stop)
    assert result.status == "stopped" and list(result.history.epoch) == [1, 2]
    assert result.message.startswith("Stopped after epoch 2 of 5.") and "3 of epoch 3's 12 batches" in result.message


def test_training_batch_by_batch_is_training_epoch_by_epoch():
    recipe = Recipe(batch_size=5, epochs=3)
    by_epoch = CharTrainer(ARTICLE_TEXT, recipe).train()
    trainer = CharTrainer(ARTICLE_TEXT, recipe)
    while trainer.running:
        trainer.train_batch()
    np.testing.assert_array_equal(trainer.cell.W_hh, by_epoch.model.W_hh)
    np.testing.assert_array_equal(trainer.result().history.loss, by_epoch.history.loss)


# the shared slots ----------------------------------------------------------------------------------------------
def test_a_slot_is_refused_when_every_one_is_held_and_free_again_when_released():
    slots = TrainingSlots(2)
    assert slots.claim("a") and slots.claim("b")
    assert not slots.claim("c")
    assert slots.claim("a")  # a holder renews its own slot
    slots.release("a")
    assert slots.claim("c") and slots.held() == 2


@pytest.mark.parametrize(
    ("setting", "slots"),
    [(None, 2), ("4", 4), (" 16 ", 16), ("1", 1), ("0", 2), ("17", 2), ("-3", 2), ("four", 2), ("2.5", 2), ("", 2)],
)
def test_the_host_sets_the_training_slots_and_a_mistyped_setting_keeps_the_default(setting, slots):
    environ = {} if setting is None else {ui.slots.SLOTS_ENV: setting}
    assert ui.slots.concurrent_trainings(environ) == slots


def test_a_lease_that_is_not_renewed_frees_its_slot(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ui.slots.time, "monotonic", lambda: now[0])
    slots = TrainingSlots(1)
    assert slots.claim("closed tab", seconds=15)
    now[0] += 14
    assert not slots.claim("another visitor")
    now[0] += 2  # the closed tab asked for no rerun for 16 s
    assert slots.claim("another visitor")


@pytest.fixture
def server_slots_taken():
    """Every training slot of the server held by other visitors, for the length of a test."""
    slots, others = training_slots(), [f"other visitor {n}" for n in range(MAX_CONCURRENT_TRAININGS)]
    assert all(slots.claim(name) for name in others)
    try:
        yield slots
    finally:
        for name in others:
            slots.release(name)


def test_a_third_training_on_the_train_page_is_refused_in_words(server_slots_taken):
    at = run_app(PAGE)
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert "train_job" not in at.session_state
    assert any(f"{MAX_CONCURRENT_TRAININGS} other trainings are running" in e.value for e in at.error)


def test_a_third_training_on_the_memory_page_is_refused_by_the_same_slots(server_slots_taken):
    at = short_run(run_app(MEMORY_PAGE))
    assert_healthy(at)
    assert any(f"{MAX_CONCURRENT_TRAININGS} other trainings are running" in w.value for w in at.warning)


def test_a_finished_run_gives_its_slot_back():
    before = training_slots().held()
    at = run_app(PAGE)
    at.button(key="train_start").click().run()
    assert training_slots().held() == before + 1
    for _ in range(40):
        if not at.session_state["train_job"].running:
            break
        at.run()
    assert at.session_state["train_job"].status == "finished"
    assert training_slots().held() == before


# the page ------------------------------------------------------------------------------------------------------
def test_2000_epochs_typed_are_refused_in_words_and_kept_in_the_field():
    at = run_app(PAGE)
    at.number_input(key="train_epochs").set_value(2000).run()
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert "train_job" not in at.session_state
    refusal = " ".join(e.value for e in at.error)
    assert "The number of epochs is 2,000; from 1 to 500" in refusal
    assert at.number_input(key="train_epochs").value == 2000


def test_the_issues_137_second_run_is_refused_on_the_page_with_its_numbers():
    at = run_app(PAGE)
    at.text_area(key="train_text").set_value(LONG_TEXT).run()
    for key, value in {"train_hidden": 256, "train_window": 64, "train_batch": 1, "train_epochs": 2}.items():
        at.number_input(key=key).set_value(value)
    at.run()
    at.button(key="train_start").click().run()
    assert_healthy(at)
    refusal = " ".join(e.value for e in at.error)
    assert "too large for the shared server" in refusal and "batches of 1 windows" in refusal
    assert f"{LIMITS.train_text_chars - 64:,} batches" in refusal
    assert "train_job" not in at.session_state


def test_stop_is_honoured_within_the_epoch_on_the_page():
    at = run_app(PAGE)
    at.selectbox(key="train_source").set_value("alice").run()
    at.number_input(key="train_batch").set_value(1)
    at.number_input(key="train_epochs").set_value(2).run()
    at.button(key="train_start").click().run()  # one chunk: far fewer batches than the epoch's 4,000
    job = at.session_state["train_job"]
    assert job.epochs_done == 0 and 0 < job.batches_into_epoch < job.batches_per_epoch
    at.button(key="train_stop").click().run()
    assert_healthy(at)
    assert job.status == "stopped" and job.epochs_done == 0
    assert any("Stopped after epoch 0 of 2. The model also keeps" in info.value for info in at.info)


def test_a_text_with_more_distinct_characters_than_the_server_allows_is_refused_in_words():
    text = "".join(chr(0x4E00 + i) for i in range(LIMITS.train_vocabulary + 1)) * 2
    at = run_app(PAGE)
    at.text_area(key="train_text").set_value(text).run()
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert "train_job" not in at.session_state
    refusal = " ".join(e.value for e in at.error)
    assert f"{LIMITS.train_vocabulary + 1}" in refusal and "distinct" in refusal, refusal
    assert at.text_area(key="train_text").value == text  # what was typed stays
