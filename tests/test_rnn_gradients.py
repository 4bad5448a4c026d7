"""BPTT and the state Jacobians of the Elman cell, checked against central finite differences in float64.

The loss is L = sum_t <dy_t, y_t> for a fixed random dy, so dL/dy = dy exactly and every derivative of L is a
derivative of the network alone. ReLU and leaky ReLU have a kink at a = 0: each problem is drawn so that no
pre-activation comes within 1e-3 of it (a finite-difference step moves a by about 1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest
from numerical import central_difference

import rnnviz
from rnnviz.activations import ACTIVATIONS

H, D, O, T, B = 3, 2, 2, 5, 2
KINK_MARGIN = 1e-3
TOLERANCE = {"rtol": 1e-6, "atol": 1e-8}
PARAMETERS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


class Problem:
    """A small RNN, an input sequence (or batch), an initial state and the fixed dL/dy."""

    def __init__(self, activation: str, batched: bool):
        for seed in range(100):  # the first draw whose pre-activations stay KINK_MARGIN away from 0
            rng = np.random.default_rng(seed)
            batch = (B,) if batched else ()
            self.params = {
                "W_xh": rng.normal(size=(H, D)),
                "W_hh": rng.normal(size=(H, H)) * 0.8 / np.sqrt(H),
                "b_h": rng.normal(size=H) * 0.5,
                "W_hy": rng.normal(size=(O, H)),
                "b_y": rng.normal(size=O),
            }
            self.activation = activation
            self.xs = rng.normal(size=(T, *batch, D))
            self.h0 = rng.normal(size=(*batch, H)) * 0.5
            self.dy = rng.normal(size=(T, *batch, O))
            if np.abs(self.run().trace.a).min() > KINK_MARGIN:
                return
        raise AssertionError("no draw kept its pre-activations away from the kink")

    def cell(self, **changed) -> rnnviz.RNN:
        return rnnviz.RNN(**{**self.params, **changed}, activation=self.activation)

    def run(self, **changed) -> rnnviz.Run:
        return rnnviz.unroll(self.cell(**changed), self.xs, self.h0)

    def loss(self, run: rnnviz.Run) -> float:
        return float(np.sum(self.dy * run.y))

    def gradients(self) -> rnnviz.Gradients:
        return rnnviz.bptt(self.run(), self.dy)

    def loss_from(self, t: int, h_t: np.ndarray) -> float:
        """L as a function of h_t alone: steps 1..t-1 fixed, y_t and every later step recomputed from h_t."""
        cell, y = self.cell(), self.run().y.copy()
        if t >= 1:
            y[t - 1] = h_t @ cell.W_hy.T + cell.b_y
        if t < T:
            y[t:] = rnnviz.unroll(cell, self.xs[t:], h_t).y
        return float(np.sum(self.dy * y))


ACTIVATION_NAMES = list(ACTIVATIONS)


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("name", PARAMETERS)
def test_total_gradient_of_each_parameter_matches_finite_differences(name, activation, batched):
    problem = Problem(activation, batched)
    numeric = central_difference(lambda value: problem.loss(problem.run(**{name: value})), problem.params[name])
    np.testing.assert_allclose(problem.gradients().total[name], numeric, **TOLERANCE)


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_dh0_is_the_gradient_with_respect_to_the_initial_state(activation, batched):
    problem = Problem(activation, batched)
    numeric = central_difference(lambda h0: problem.loss(rnnviz.unroll(problem.cell(), problem.xs, h0)), problem.h0)
    np.testing.assert_allclose(problem.gradients().dh[0], numeric, **TOLERANCE)


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_dh_t_is_the_total_derivative_through_every_later_step(activation, batched):
    problem = Problem(activation, batched)
    g, run = problem.gradients(), problem.run()
    assert g.dh.shape == run.h.shape
    for t in range(T + 1):
        numeric = central_difference(lambda h_t, t=t: problem.loss_from(t, h_t), run.h[t])
        np.testing.assert_allclose(g.dh[t], numeric, **TOLERANCE, err_msg=f"dL/dh_{t}")


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_per_step_terms_sum_to_the_totals(activation, batched):
    g = Problem(activation, batched).gradients()
    for name in PARAMETERS:
        assert g.per_step[name].shape == (T, *g.total[name].shape)
        np.testing.assert_allclose(g.per_step[name].sum(axis=0), g.total[name], rtol=1e-12, atol=1e-12)


def test_per_step_terms_are_each_steps_explicit_part():
    """Step t's term holds everything else fixed: outer(dL/da_t, h_{t-1}) for W_hh, outer(dy_t, h_t) for W_hy."""
    problem = Problem("tanh", batched=False)
    g, run = problem.gradients(), problem.run()
    for t in range(1, T + 1):
        da_t = run.trace.fprime[t - 1] * g.dh[t]  # dL/da_t = f'(a_t) * dL/dh_t
        np.testing.assert_allclose(g.per_step["W_hh"][t - 1], np.outer(da_t, run.h[t - 1]), rtol=1e-12)
        np.testing.assert_allclose(g.per_step["W_xh"][t - 1], np.outer(da_t, run.xs[t - 1]), rtol=1e-12)
        np.testing.assert_allclose(g.per_step["b_h"][t - 1], da_t, rtol=1e-12)
        np.testing.assert_allclose(g.per_step["W_hy"][t - 1], np.outer(problem.dy[t - 1], run.h[t]), rtol=1e-12)
        np.testing.assert_allclose(g.per_step["b_y"][t - 1], problem.dy[t - 1], rtol=1e-12)


def test_each_steps_term_is_the_derivative_through_that_steps_copy_of_the_weights():
    """Give step s its own copy of W_hh: dL/d(copy s) by finite differences equals the per-step term of step s."""
    problem = Problem("tanh", batched=False)
    g, cell, f = problem.gradients(), problem.cell(), ACTIVATIONS["tanh"].f
    s = 3

    def loss_with_own_copy(W_s: np.ndarray) -> float:
        h, loss = problem.h0, 0.0
        for t in range(1, T + 1):
            W = W_s if t == s else cell.W_hh
            h = f(W @ h + cell.W_xh @ problem.xs[t - 1] + cell.b_h)
            loss += float(problem.dy[t - 1] @ (cell.W_hy @ h + cell.b_y))
        return loss

    np.testing.assert_allclose(
        g.per_step["W_hh"][s - 1], central_difference(loss_with_own_copy, cell.W_hh), **TOLERANCE
    )


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_state_jacobians_match_finite_differences(activation):
    problem = Problem(activation, batched=False)
    run = problem.run()
    J = rnnviz.state_jacobians(run)
    assert J.shape == (T + 1, H, H)
    np.testing.assert_array_equal(J[T], np.eye(H))
    for k in range(T):
        numeric = central_difference(
            lambda h_k, k=k: rnnviz.unroll(problem.cell(), problem.xs[k:], h_k).h[-1], run.h[k]
        )
        np.testing.assert_allclose(J[k], numeric, **TOLERANCE, err_msg=f"dh_T/dh_{k}")


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_a_loss_on_the_last_step_only_sends_back_dh_k_equal_to_J_k_transposed(activation):
    """With dy_t = 0 for t < T: dL/dh_k = (dh_T/dh_k)^T W_hy^T dy_T, tying bptt to state_jacobians."""
    problem = Problem(activation, batched=False)
    run = problem.run()
    dy = np.zeros_like(run.y)
    dy[-1] = problem.dy[-1]
    g, J = rnnviz.bptt(run, dy), rnnviz.state_jacobians(run)
    expected = np.einsum("kij,i->kj", J, problem.cell().W_hy.T @ dy[-1])
    np.testing.assert_allclose(g.dh, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_a_batch_runs_each_sequence_alone_and_sums_their_gradients(activation):
    problem = Problem(activation, batched=True)
    batch_run, batch_g = problem.run(), problem.gradients()
    summed = {name: np.zeros_like(value) for name, value in problem.params.items()}
    for b in range(B):
        run = rnnviz.unroll(problem.cell(), problem.xs[:, b], problem.h0[b])
        np.testing.assert_allclose(batch_run.h[:, b], run.h, rtol=1e-12)
        np.testing.assert_allclose(batch_run.y[:, b], run.y, rtol=1e-12)
        g = rnnviz.bptt(run, problem.dy[:, b])
        np.testing.assert_allclose(batch_g.dh[:, b], g.dh, rtol=1e-12, atol=1e-14)
        for name in summed:
            summed[name] += g.total[name]
    for name, total in summed.items():
        np.testing.assert_allclose(batch_g.total[name], total, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
def test_term_norms_are_the_frobenius_norms_of_the_per_step_terms(batched):
    g = Problem("tanh", batched).gradients()
    for name in PARAMETERS:
        expected = np.linalg.norm(g.per_step[name].reshape(T, -1), axis=1)
        np.testing.assert_allclose(g.term_norms(name), expected, rtol=1e-12)


def test_states_start_at_h0_and_h0_defaults_to_zeros():
    problem = Problem("tanh", batched=False)
    np.testing.assert_array_equal(problem.run().h[0], problem.h0)
    np.testing.assert_array_equal(rnnviz.unroll(problem.cell(), problem.xs).h[0], np.zeros(H))


def test_the_forward_pass_is_the_recurrence_as_written():
    """a_t = W_hh h_{t-1} + W_xh x_t + b_h, h_t = f(a_t), y_t = W_hy h_t + b_y, one step at a time."""
    problem = Problem("sigmoid", batched=False)
    cell, run = problem.cell(), problem.run()
    h = problem.h0
    for t in range(1, T + 1):
        a_t = cell.W_hh @ h + cell.W_xh @ problem.xs[t - 1] + cell.b_h
        h = 1.0 / (1.0 + np.exp(-a_t))
        np.testing.assert_allclose(run.h[t], h, rtol=1e-12)
        np.testing.assert_allclose(run.y[t - 1], cell.W_hy @ h + cell.b_y, rtol=1e-12)
