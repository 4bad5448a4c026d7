"""One step of the LSTM and the GRU in its parts: the gates are the cell's, the pre-activations follow from the
weights, and c_t and h_t are those of `unroll`."""

import numpy as np
import pytest

import rnnviz
from rnnviz.gated_step import gated_step

T, H, D = 6, 3, 2


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def run_of(kind, seed=1):
    cell = (
        rnnviz.random_lstm(H, D, 2, forget_bias=0.5, seed=seed)
        if kind == "lstm"
        else rnnviz.random_gru(H, D, 2, seed=seed)
    )
    xs = np.random.default_rng(seed).normal(size=(T, D))
    return rnnviz.unroll(cell, xs)


def block(array, k):
    """The k-th gate's block of a stacked weight or bias (rows k*H to (k+1)*H)."""
    return array[k * H : (k + 1) * H]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_every_gate_at_every_step_is_the_cells_own(kind):
    run = run_of(kind)
    for t in range(1, T + 1):
        step = gated_step(run, t)
        expected = run.cell.gates(run.xs[t - 1], run.h[t - 1])
        for name, value in zip(run.cell.gate_names, expected, strict=False):
            np.testing.assert_array_equal(step.gates[name], value, err_msg=f"{name} at step {t}")


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_state_recomputed_from_the_gates_is_unrolls(kind):
    run = run_of(kind)
    for t in range(1, T + 1):
        step = gated_step(run, t)
        np.testing.assert_allclose(step.h, run.h[t], rtol=0, atol=1e-14)
        np.testing.assert_array_equal(step.h_prev, run.h[t - 1])
        if kind == "lstm":
            np.testing.assert_allclose(step.c, run.c[t], rtol=0, atol=1e-14)
            np.testing.assert_array_equal(step.c_prev, run.c[t - 1])


def test_the_lstms_pre_activations_are_each_gates_rows_of_the_weights():
    run, t = run_of("lstm"), 4
    cell, x, h = run.cell, run.xs[t - 1], run.h[t - 1]
    step = gated_step(run, t)
    for k, name in enumerate("ifgo"):
        into = block(cell.W_ih, k) @ x + block(cell.b_ih, k)
        back = block(cell.W_hh, k) @ h + block(cell.b_hh, k)
        np.testing.assert_allclose(step.input_parts[name], into, atol=1e-15)
        np.testing.assert_allclose(step.hidden_parts[name], back, atol=1e-15)
        np.testing.assert_allclose(step.pre[name], into + back, atol=1e-15)
        activation = np.tanh if name == "g" else sigmoid
        np.testing.assert_allclose(activation(step.pre[name]), step.gates[name], atol=1e-15)


def test_the_grus_candidate_takes_the_reset_gate_times_the_hidden_part():
    run, t = run_of("gru"), 4
    cell, x, h = run.cell, run.xs[t - 1], run.h[t - 1]
    step = gated_step(run, t)
    r = sigmoid(block(cell.W_ih, 0) @ x + block(cell.b_ih, 0) + block(cell.W_hh, 0) @ h + block(cell.b_hh, 0))
    pre_n = block(cell.W_ih, 2) @ x + block(cell.b_ih, 2) + r * (block(cell.W_hh, 2) @ h + block(cell.b_hh, 2))
    np.testing.assert_allclose(step.gates["r"], r, atol=1e-15)
    np.testing.assert_allclose(step.pre["n"], pre_n, atol=1e-15)
    np.testing.assert_allclose(np.tanh(step.pre["n"]), step.gates["n"], atol=1e-15)
    np.testing.assert_allclose(step.pre["z"], step.input_parts["z"] + step.hidden_parts["z"], atol=1e-15)


def test_the_gru_has_no_cell_state():
    step = gated_step(run_of("gru"), 1)
    assert step.c is None and step.c_prev is None and step.gate_names == ("r", "z", "n")


@pytest.mark.parametrize("t", [0, T + 1, -1, 2.0, True])
def test_a_step_outside_the_run_is_refused(t):
    with pytest.raises(ValueError, match="t must be an integer between 1 and T = 6"):
        gated_step(run_of("lstm"), t)


def test_a_vanilla_run_is_refused():
    cell = rnnviz.random_rnn(H, D, 2, seed=0)
    with pytest.raises(ValueError, match="LSTM or rnnviz.GRU"):
        gated_step(rnnviz.unroll(cell, np.ones((T, D))), 1)
