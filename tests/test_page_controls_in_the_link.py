"""The pages' own controls are in the link: each opens at its default without one, takes a usable value from it, and
names an unusable value in a notice while the control shows its default."""

from __future__ import annotations

import pytest

from tests.conftest import assert_healthy, run_app

CELLS, GRADIENTS, MEMORY, SEQUENCES = "pages/cells.py", "pages/gradients.py", "pages/memory.py", "pages/sequences.py"
TRAIN = "pages/train.py"
COUNTS = {"sequences_view": "Weight sharing"}  # the counts are drawn in this view
CASES = [  # page, key, the link opening its view, default, a usable value as the link writes it, the value, a bad one
    (CELLS, "cells_forget_bias", {}, 1.0, "3.5", 3.5, "5.5"),
    (CELLS, "cells_gated_init", {}, "pytorch", "orthogonal W_hh blocks", "orthogonal", "orthogonal"),
    (GRADIENTS, "values", {}, "absolute", "rescaled", "rescaled", "relative"),
    (MEMORY, "memory_dtype", {}, "float64", "float32 (fast, as PyTorch trains)", "float32", "float16"),
    (MEMORY, "memory_task", {}, "adding", "copy memory", "copy", "copy"),
    (MEMORY, "memory_T", {}, 50, "80", 80, "205"),
    (MEMORY, "memory_H", {}, 32, "16", 16, "17"),
    (MEMORY, "memory_batch", {}, 32, "8", 8, "128"),
    (MEMORY, "memory_steps", {}, 300, "1500", 1500, "1510"),
    (MEMORY, "memory_optimizer", {}, "adam", "SGD", "sgd", "sgd"),
    (MEMORY, "memory_lr", {}, 0.01, "0.0003", 0.0003, "0.2"),
    (MEMORY, "memory_clipping", {}, "norm", "element-wise (changes the direction)", "elementwise", "norm"),
    (MEMORY, "memory_threshold", {}, 1.0, "2.5", 2.5, "0"),
    (MEMORY, "memory_forget_bias", {}, 1.0, "-2", -2.0, "-2.5"),
    (MEMORY, "memory_seed", {}, 0, "9999", 9999, "10000"),
    (SEQUENCES, "start_end", {}, True, "false", False, "no"),
    (SEQUENCES, "count_T", COUNTS, 20, "10000", 10_000, "10001"),
    (SEQUENCES, "count_V", COUNTS, 20_000, "1000000", 1_000_000, "2.5"),
    (SEQUENCES, "count_H", COUNTS, 10, "1", 1, "0"),
    (TRAIN, "train_activation", {}, "relu", "tanh", "tanh", "ReLU"),
    (TRAIN, "train_hidden", {}, 50, "300", 300, "0"),  # past the trainable 256: shown, and refused by Train
    (TRAIN, "train_window", {}, 3, "8", 8, "2.5"),
    (TRAIN, "train_epochs", {}, 100, "2000", 2000, "1000001"),
    (TRAIN, "train_batch", {}, 32, "4", 4, "inf"),
    (TRAIN, "train_seed", {}, 0, "9999", 9999, "10000"),
    (TRAIN, "train_optimizer", {}, "adam", "SGD", "sgd", "sgd"),
    (TRAIN, "train_lr", {}, 0.001, "0.01", 0.01, "11"),
    (TRAIN, "train_dtype", {}, "float64", "float32 (fast, as PyTorch trains)", "float32", "float16"),
    (TRAIN, "train_clipping", {}, "none", "element-wise (clip each entry to ±threshold)", "elementwise", "norm"),
    (TRAIN, "train_threshold", {}, 1.0, "2.5", 2.5, "0"),
    (TRAIN, "train_truncate", {}, False, "true", True, "yes"),
    (TRAIN, "train_k", {}, 1, "2", 2, "0"),
]
IDS = [key for _, key, *_ in CASES]


def notice(at) -> str:
    return "\n".join(w.value for w in at.warning if "could not be used" in w.value)


@pytest.fixture(scope="module")
def opened():
    """Each page (and view) opened once without a link of its own."""
    return {(page, tuple(view.items())): run_app(page, view) for page, _, view, *_ in CASES}


@pytest.mark.parametrize("page, key, view, default, _written, _value, _bad", CASES, ids=IDS)
def test_without_a_link_the_control_shows_its_default(opened, page, key, view, default, _written, _value, _bad):
    at = opened[(page, tuple(view.items()))]
    assert_healthy(at)
    assert at.session_state[key] == default
    assert not notice(at)


@pytest.mark.parametrize("page, key, view, _default, written, value, _bad", CASES, ids=IDS)
def test_a_link_s_usable_value_is_shown(page, key, view, _default, written, value, _bad):
    at = run_app(page, {**view, key: written})
    assert_healthy(at)
    assert at.session_state[key] == value
    assert not notice(at)


@pytest.mark.parametrize("page, key, view, default, _written, _value, bad", CASES, ids=IDS)
def test_a_link_s_unusable_value_is_named_and_the_default_shown(page, key, view, default, _written, _value, bad):
    at = run_app(page, {**view, key: bad})
    assert_healthy(at)
    assert f"{key}={bad}" in notice(at)
    assert at.session_state[key] == default


def test_the_forget_gate_bias_of_the_link_is_the_one_the_lstm_is_measured_with():
    default, linked = run_app(CELLS), run_app(CELLS, {"cells_forget_bias": "3.5"})
    assert_healthy(linked)
    shown = [metric.value for metric in linked.metric]
    assert shown[1] != [metric.value for metric in default.metric][1]  # the LSTM's ‖∂h_T/∂h_0‖
    linked.slider(key="cells_forget_bias").set_value(1.0).run()
    assert [metric.value for metric in linked.metric] == [metric.value for metric in default.metric]


def test_the_memory_example_is_drawn_for_the_task_and_T_of_the_link():
    at = run_app(MEMORY, {"memory_task": "copy memory", "memory_T": "80"})
    assert_healthy(at)
    assert any("copy memory at T = 80" in caption.value for caption in at.caption)


def test_a_linked_epoch_count_past_train_s_bounds_is_shown_and_refused_by_train_in_words():
    at = run_app(TRAIN, {"train_epochs": "2000"})
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert "train_job" not in at.session_state
    assert "The number of epochs is 2,000; from 1 to 500" in " ".join(error.value for error in at.error)
    assert at.number_input(key="train_epochs").value == 2000 and not notice(at)


def test_train_trains_the_recipe_of_its_link():
    at = run_app(TRAIN, {"train_epochs": "2", "train_hidden": "8", "train_optimizer": "SGD", "train_seed": "7"})
    at.button(key="train_start").click().run()
    assert_healthy(at)
    recipe = at.session_state["train_job"].recipe
    assert (recipe.epochs, recipe.hidden_size, recipe.optimizer, recipe.seed) == (2, 8, "sgd", 7)


@pytest.mark.parametrize("activation, says", [("tanh", True), ("relu", False)])
def test_train_says_its_own_recipe_is_used_when_the_sidebar_s_activation_differs(activation, says):
    at = run_app("pages/train.py", {"activation": activation})
    assert_healthy(at)
    sentence = [info.value for info in at.info if "its own recipe" in info.value]
    assert bool(sentence) == says
    if says:
        assert "(ReLU activation)" in sentence[0] and "(tanh activation)" in sentence[0]
