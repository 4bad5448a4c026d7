"""Every cell's reference step and backward rule (`step`, `step_backward`, `rnnviz.reference`) against finite
differences, and the fast passes (`unroll`, `bptt`, `chain_step`) against the reference, in float64 and float32."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from numerical import central_difference, central_difference_in_place

import rnnviz
from rnnviz.cell import Cell
from rnnviz.reference import reference_bptt, reference_unroll

H, D, O, T, B = 4, 3, 2, 6, 3
KINDS = ["lstm", "gru", *(f"rnn_{name}" for name in rnnviz.ACTIVATIONS)]
SMOOTH_KINDS = [kind for kind in KINDS if kind not in ("rnn_relu", "rnn_leaky_relu")]  # no kink to step across


def make(kind: str) -> Cell:
    if kind == "lstm":
        return rnnviz.random_lstm(H, D, O, forget_bias=0.5, seed=3)
    if kind == "gru":
        return rnnviz.random_gru(H, D, O, seed=3)
    return rnnviz.random_rnn(H, D, O, activation=kind.removeprefix("rnn_"), scale=0.9, seed=3)


def initial_state(cell: Cell, rng: np.random.Generator, batch: tuple[int, ...] = ()) -> tuple[np.ndarray, ...]:
    return tuple(0.5 * rng.standard_normal((*batch, H)) for _ in cell.state_names)


def initial_keywords(cell: Cell, state0) -> dict[str, np.ndarray]:
    return {f"{name}0": value for name, value in zip(cell.state_names, state0, strict=True)}


@pytest.mark.parametrize("kind", KINDS)
def test_every_cell_meets_the_cell_interface(kind):
    cell = make(kind)
    assert isinstance(cell, Cell) and isinstance(cell.astype("float32"), Cell)
    for name, member in vars(Cell).items():  # the same signatures, not just the same names
        if callable(member) and not name.startswith("_"):
            expected = list(inspect.signature(member).parameters)[1:]
            assert list(inspect.signature(getattr(cell, name)).parameters) == expected, (kind, name)
    assert cell.state_names in (("h",), ("h", "c"))
    assert cell.chain_start().shape == (H, H * len(cell.state_names))
    np.testing.assert_array_equal(cell.chain_readout(cell.chain_start()), np.eye(H))


@pytest.mark.parametrize("kind", SMOOTH_KINDS)
def test_reference_backward_matches_finite_differences(kind):
    rng = np.random.default_rng(0)
    cell = make(kind)
    xs, state0 = rng.standard_normal((T, D)), initial_state(cell, rng)
    targets = rng.standard_normal((T, O))

    def loss() -> float:
        return 0.5 * float(np.sum((reference_unroll(cell, xs, state0)[1] - targets) ** 2))

    dy = reference_unroll(cell, xs, state0)[1] - targets
    per_step, dstates = reference_bptt(cell, xs, state0, dy)
    for name, param in cell.params.items():
        numeric = central_difference_in_place(loss, param)
        np.testing.assert_allclose(per_step[name].sum(axis=0), numeric, rtol=1e-6, atol=1e-8, err_msg=name)
    for index, state in enumerate(state0):
        numeric = central_difference_in_place(loss, state)
        np.testing.assert_allclose(dstates[0][index], numeric, rtol=1e-6, atol=1e-8, err_msg=cell.state_names[index])


@pytest.mark.parametrize("kind", SMOOTH_KINDS)
def test_one_step_jacobian_matches_finite_differences_of_the_step(kind):
    rng = np.random.default_rng(1)
    cell = make(kind)
    xs, state0 = rng.standard_normal((T, D)), initial_state(cell, rng)
    run = rnnviz.unroll(cell, xs, **initial_keywords(cell, state0))
    identity = np.eye(H * len(cell.state_names))
    for t in (1, T):
        previous = np.concatenate([states[t - 1] for states in run.states])  # state_{t-1} as one vector

        def step_of(flat: np.ndarray, t=t) -> np.ndarray:
            return np.concatenate(cell.step(xs[t - 1], tuple(np.split(flat, len(cell.state_names)))))

        numeric = central_difference(step_of, previous)
        np.testing.assert_allclose(cell.chain_step(run, identity, t), numeric, rtol=1e-6, atol=1e-9)
        numeric_x = central_difference(lambda x, t=t: np.concatenate(cell.step(x, run_state(run, t - 1))), xs[t - 1])
        np.testing.assert_allclose(cell.input_step(run, identity, t), numeric_x, rtol=1e-6, atol=1e-9)


def run_state(run, t: int) -> tuple[np.ndarray, ...]:
    return tuple(states[t] for states in run.states)


def sequences(batched: bool, rng: np.random.Generator):
    """xs of the fast pass and the one-sequence pieces the reference runs: [(xs_b, batch index or ...)]."""
    xs = rng.standard_normal((T, B, D) if batched else (T, D))
    return xs, [(xs[:, b], (slice(None), b)) for b in range(B)] if batched else [(xs, (slice(None),))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("kind", KINDS)
def test_fast_unroll_and_bptt_match_the_reference(kind, batched, dtype):
    rng = np.random.default_rng(2)
    cell = make(kind)
    xs, pieces = sequences(batched, rng)
    state0 = initial_state(cell, rng, (B,) if batched else ())
    run = rnnviz.unroll(cell.astype(dtype), xs, **initial_keywords(cell, state0))
    dy = rng.standard_normal(run.y.shape)
    g = rnnviz.bptt(run, dy)
    rtol, atol = (1e-12, 1e-12) if dtype == "float64" else (1e-4, 1e-5)
    per_step_sum = {name: 0.0 for name in cell.param_names}
    for xs_b, where in pieces:
        state0_b = tuple(s[where[1:]] for s in state0)
        states, y = reference_unroll(cell, xs_b, state0_b)
        np.testing.assert_allclose(run.y[where], y, rtol=rtol, atol=atol, err_msg="y")
        for index, name in enumerate(cell.state_names):
            reference = np.array([state[index] for state in states])
            np.testing.assert_allclose(run.states[index][where], reference, rtol=rtol, atol=atol, err_msg=name)
        per_step, dstates = reference_bptt(cell, xs_b, state0_b, dy[where])
        np.testing.assert_allclose(g.dh[where], [d[0] for d in dstates], rtol=rtol, atol=atol, err_msg="dh")
        for index, name in enumerate(cell.state_names):
            np.testing.assert_allclose(g.dstates[name][0][where[1:]], dstates[0][index], rtol=rtol, atol=atol)
        for name in cell.param_names:
            per_step_sum[name] = per_step_sum[name] + per_step[name]
    for name in cell.param_names:
        expected = per_step_sum[name]
        scale = float(np.max(np.abs(expected))) or 1.0
        np.testing.assert_allclose(g.per_step[name], expected, rtol=rtol, atol=atol * scale, err_msg=name)
        np.testing.assert_allclose(g.total[name], expected.sum(axis=0), rtol=rtol, atol=atol * scale, err_msg=name)
