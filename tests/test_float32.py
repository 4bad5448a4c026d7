"""The float32 path: `cell.astype("float32")` runs, differentiates and trains in float32, matching float64 to
float32's precision; float64 stays the default everywhere."""

from __future__ import annotations

import io

import numpy as np
import pytest

import rnnviz
from rnnviz.bidirectional import Bidirectional, bptt_bidirectional, unroll_bidirectional
from rnnviz.optim import SGD, Adam, clip
from rnnviz.settings import LIMITS
from rnnviz.task_training import TaskConfig, make_cell, train_on_task
from rnnviz.train import ARTICLE_TEXT, Recipe, load_model, save_model, train_char_rnn

H, D, O, T, B = 6, 3, 2, 12, 4
CELLS = ["lstm", "gru", *(f"rnn_{name}" for name in rnnviz.ACTIVATIONS)]


def make(kind: str):
    """A well-conditioned float64 cell of `kind` (weights small enough that float32 rounding stays small)."""
    if kind == "lstm":
        return rnnviz.random_lstm(H, D, O, seed=3)
    if kind == "gru":
        return rnnviz.random_gru(H, D, O, seed=3)
    return rnnviz.random_rnn(H, D, O, activation=kind.removeprefix("rnn_"), scale=0.9, seed=3)


def inputs(batched: bool) -> np.ndarray:
    return np.random.default_rng(5).standard_normal((T, B, D) if batched else (T, D))


def run_and_gradients(cell, xs):
    run = rnnviz.unroll(cell, xs)
    dy = np.random.default_rng(6).standard_normal(run.y.shape)
    return run, rnnviz.bptt(run, dy)


def assert_close_to_float64(value32: np.ndarray, value64: np.ndarray, what: str) -> None:
    """Equal to float32's precision, relative to the array's scale (entries near 0 compare absolutely)."""
    scale = float(np.max(np.abs(value64))) or 1.0
    np.testing.assert_allclose(value32, value64, rtol=1e-4, atol=1e-5 * scale, err_msg=what)


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("kind", CELLS)
def test_float32_unroll_matches_float64(kind, batched):
    cell = make(kind)
    xs = inputs(batched)
    run64, run32 = rnnviz.unroll(cell, xs), rnnviz.unroll(cell.astype("float32"), xs)
    assert_close_to_float64(run32.h, run64.h, "h")
    assert_close_to_float64(run32.y, run64.y, "y")
    if run64.c is not None:
        assert_close_to_float64(run32.c, run64.c, "c")


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("kind", CELLS)
def test_float32_bptt_matches_float64(kind, batched):
    cell = make(kind)
    xs = inputs(batched)
    _, g64 = run_and_gradients(cell, xs)
    _, g32 = run_and_gradients(cell.astype("float32"), xs)
    for name, total in g64.total.items():
        assert_close_to_float64(g32.total[name], total, f"dL/d{name}")
    assert_close_to_float64(g32.dh, g64.dh, "dh")
    if g64.dc is not None:
        assert_close_to_float64(g32.dc, g64.dc, "dc")


@pytest.mark.parametrize("kind", CELLS)
def test_a_float32_cell_gives_float32_states_outputs_and_gradients(kind):
    run, gradients = run_and_gradients(make(kind).astype("float32"), inputs(batched=True))
    arrays = {"xs": run.xs, "h": run.h, "y": run.y, "dh": gradients.dh}
    arrays |= {f"total {name}": value for name, value in gradients.total.items()}
    arrays |= {f"per-step {name}": value for name, value in gradients.per_step.items()}
    if run.c is not None:
        arrays |= {"c": run.c, "dc": gradients.dc}
    assert {what: array.dtype for what, array in arrays.items() if array.dtype != np.float32} == {}


@pytest.mark.parametrize("kind", CELLS)
def test_a_float64_cell_gives_float64_results(kind):
    cell = make(kind)
    run, gradients = run_and_gradients(cell, inputs(batched=True))
    assert cell.dtype == np.float64
    assert run.h.dtype == run.y.dtype == gradients.dh.dtype == np.float64
    assert all(value.dtype == np.float64 for value in gradients.total.values())


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_float32_per_step_terms_sum_to_the_totals(kind):
    _, gradients = run_and_gradients(make(kind).astype("float32"), inputs(batched=True))
    for name, terms in gradients.per_step.items():
        np.testing.assert_allclose(terms.sum(axis=0), gradients.total[name], rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("kind", CELLS)
def test_astype_round_trip_keeps_the_cell(kind):
    cell = make(kind)
    back = cell.astype("float32").astype(np.float64)
    assert type(back) is type(cell) and back.dtype == np.float64
    for name, value in cell.params.items():
        np.testing.assert_array_equal(back.params[name], value.astype(np.float32).astype(np.float64))
        np.testing.assert_allclose(back.params[name], value, rtol=1e-7, atol=1e-8)
    if kind.startswith("rnn"):
        assert back.activation == cell.activation


def test_astype_copies_and_leaves_the_cell_alone():
    cell = make("lstm")
    before = {name: value.copy() for name, value in cell.params.items()}
    same_precision = cell.astype("float64")
    same_precision.W_hh[...] = 0.0
    single = cell.astype("float32")
    assert cell.dtype == np.float64 and single.dtype == np.float32
    for name, value in cell.params.items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize("bad", ["float16", "int32", "complex128", None, "fast", 32, np.int64])
def test_astype_rejects_anything_but_float32_and_float64(bad):
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        make("gru").astype(bad)


def test_constructors_keep_storing_float64():
    W = np.eye(2, dtype=np.float32)
    cell = rnnviz.RNN(W, W, np.zeros(2, np.float32), W, np.zeros(2, np.float32))
    assert cell.dtype == np.float64 and all(value.dtype == np.float64 for value in cell.params.values())


def test_a_float32_cell_casts_the_sequence_and_the_initial_states():
    cell = make("lstm").astype("float32")
    run = rnnviz.unroll(cell, inputs(batched=False), h0=np.full(H, 0.5), c0=np.full(H, -0.5))
    assert run.xs.dtype == run.h.dtype == run.c.dtype == np.float32
    assert run.h[0, 0] == np.float32(0.5) and run.c[0, 0] == np.float32(-0.5)


def test_a_float32_run_overflows_without_an_error():
    cell = rnnviz.random_rnn(4, 2, 1, activation="linear", scale=4.0, seed=0).astype("float32")
    run = rnnviz.unroll(cell, np.ones((200, 2)))
    assert run.overflow_step is not None
    finite = rnnviz.finite_part(run)
    assert finite.h.dtype == np.float32 and np.all(np.isfinite(finite.h))


def test_bidirectional_astype_converts_both_directions():
    model = Bidirectional(make("rnn_tanh"), make("gru")).astype("float32")
    assert model.dtype == model.backward.dtype == np.float32
    run = unroll_bidirectional(model, inputs(batched=True))
    forward_grads, backward_grads = bptt_bidirectional(run, np.ones_like(run.y))
    assert run.y.dtype == np.float32
    assert forward_grads.total["W_hh"].dtype == backward_grads.total["W_hh"].dtype == np.float32


@pytest.mark.parametrize("optimizer", [SGD(0.1), Adam(0.01)], ids=["sgd", "adam"])
def test_optimisers_and_clipping_keep_float32_parameters_float32(optimizer):
    params = {"W": np.ones((2, 2), np.float32)}
    grads = clip({"W": np.full((2, 2), 3.0, np.float32)}, "norm", 1.0).grads
    optimizer.step(params, grads)
    assert params["W"].dtype == np.float32 and np.all(params["W"] < 1.0)


def test_train_char_rnn_in_float32_reaches_the_articles_accuracy():
    result = train_char_rnn(ARTICLE_TEXT, dtype="float32")
    history = result.history
    assert result.model.dtype == np.float32
    assert history.accuracy.iloc[-1] >= 0.85
    assert history.loss.iloc[-1] < 0.5 * history.loss.iloc[0]


def test_training_precision_is_a_checked_recipe_setting():
    assert Recipe().dtype == "float64"
    with pytest.raises(ValueError, match="dtype"):
        Recipe(dtype="float16")
    with pytest.raises(ValueError, match="dtype"):
        train_char_rnn(ARTICLE_TEXT, epochs=1, dtype="double")


def test_a_float32_model_is_saved_in_float64_and_loads_as_the_same_model():
    result = train_char_rnn(ARTICLE_TEXT, epochs=3, dtype="float32")
    buffer = io.BytesIO()
    save_model(result, buffer)
    loaded = load_model(buffer.getvalue(), LIMITS)
    assert loaded.cell.dtype == np.float64
    for name, value in result.model.params.items():
        np.testing.assert_array_equal(loaded.cell.params[name], value.astype(np.float64))
    assert loaded.generate("This", 10) == result.generate("This", 10)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_task_cells_take_the_configured_precision(kind):
    assert make_cell(kind, TaskConfig(dtype="float32")).dtype == np.float32
    assert make_cell(kind, TaskConfig()).dtype == np.float64


def test_task_training_in_float32_learns_like_float64():
    config = TaskConfig(seq_length=10, hidden_size=8, steps=60, seed=1)
    single = train_on_task(config.replace(dtype="float32"), kinds=("gru",)).histories["gru"]
    double = train_on_task(config, kinds=("gru",)).histories["gru"]
    assert np.all(np.isfinite(single.loss)) and not single.skipped.any()
    np.testing.assert_allclose(single.loss[:5], double.loss[:5], rtol=1e-3)
    assert single.evaluation_loss == pytest.approx(double.evaluation_loss, rel=0.05)


def test_task_config_rejects_an_unknown_precision():
    with pytest.raises(ValueError, match="dtype"):
        TaskConfig(dtype="half")
