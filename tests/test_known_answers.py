"""Cases whose answer is known in closed form: linear cells, scaled identities, orthogonal matrices, the bound,
the initialisers' promises, and a run that overflows at a step we can compute with exact integers."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import rnnviz
from rnnviz import diagnostics
from rnnviz.activations import ACTIVATIONS
from rnnviz.experiment import simulate
from rnnviz.settings import Settings


def linear_cell(W_hh: np.ndarray, D: int = 2, O: int = 2, seed: int = 0, activation: str = "linear") -> rnnviz.RNN:
    rng = np.random.default_rng(seed)
    H = W_hh.shape[0]
    return rnnviz.RNN(
        rng.normal(size=(H, D)), W_hh, rng.normal(size=H), rng.normal(size=(O, H)), np.zeros(O), activation=activation
    )


def test_a_linear_cell_has_J_k_equal_to_W_hh_to_the_power_T_minus_k():
    rng = np.random.default_rng(1)
    H, T = 4, 12
    W_hh = rng.normal(size=(H, H)) / np.sqrt(H)
    run = rnnviz.unroll(linear_cell(W_hh), rng.normal(size=(T, 2)))
    J = rnnviz.state_jacobians(run)
    for k in range(T + 1):
        np.testing.assert_allclose(J[k], np.linalg.matrix_power(W_hh, T - k), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("a", [0.5, 0.9, 1.0, 1.1, 10.0])
def test_a_linear_cell_with_W_hh_a_times_I_has_norms_a_to_the_power_T_minus_k(a):
    """Even where a^(T-k) leaves floating point (10^400): the norms are carried as log10."""
    H, T = 3, 400
    run = rnnviz.unroll(linear_cell(a * np.eye(H)), np.zeros((T, 2)) if a > 1 else np.ones((T, 2)))
    norms = diagnostics.jacobian_norms(run)
    steps_back = T - np.arange(T + 1)
    np.testing.assert_allclose(norms.log10_spectral, steps_back * np.log10(a), atol=1e-9)
    np.testing.assert_allclose(norms.log10_frobenius, steps_back * np.log10(a) + 0.5 * np.log10(H), atol=1e-9)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_every_measured_norm_is_at_or_below_the_bound(activation, scale):
    """||dh_T/dh_k||_2 <= (gamma * sigma_max(W_hh))^(T-k) (Pascanu, Mikolov & Bengio 2013)."""
    cell = rnnviz.random_rnn(16, 3, 2, activation=activation, init="gaussian", scale=scale, seed=3)
    run = rnnviz.unroll(cell, np.random.default_rng(3).normal(size=(40, 3)))
    norms = diagnostics.jacobian_norms(run)
    bound = diagnostics.log10_bound(cell.activation.gamma, rnnviz.sigma_max(cell.W_hh), run.T)
    finite = np.isfinite(norms.log10_spectral)
    assert finite[-5:].all()
    assert np.all(norms.log10_spectral[finite] <= bound[finite] + 1e-9)
    J = rnnviz.state_jacobians(run)
    spectral = np.linalg.norm(J, 2, axis=(1, 2))
    assert np.all(spectral <= 10.0**bound * (1 + 1e-9) + 1e-300)


def test_the_bound_is_one_at_k_equal_T_and_shrinks_by_gamma_sigma_max_per_step_back():
    np.testing.assert_allclose(
        diagnostics.log10_bound(0.25, 2.0, 3), [3 * np.log10(0.5), 2 * np.log10(0.5), np.log10(0.5), 0.0]
    )
    np.testing.assert_array_equal(diagnostics.log10_bound(1.0, 0.0, 2), [-np.inf, -np.inf, 0.0])


def test_the_gammas_are_the_sup_of_each_derivative():
    a = np.linspace(-20, 20, 400_001)
    for activation in ACTIVATIONS.values():
        assert np.max(np.abs(activation.df(a))) == pytest.approx(activation.gamma, rel=1e-6), activation.name
    assert ACTIVATIONS["sigmoid"].gamma == 0.25


def test_each_derivative_is_the_derivative_of_its_activation_away_from_zero():
    a = np.concatenate([np.linspace(-6, -0.01, 50), np.linspace(0.01, 6, 50)])
    for activation in ACTIVATIONS.values():
        numeric = (activation.f(a + 1e-6) - activation.f(a - 1e-6)) / 2e-6
        np.testing.assert_allclose(activation.df(a), numeric, rtol=1e-6, atol=1e-9, err_msg=activation.name)


def test_the_derivative_read_off_the_output_is_the_derivative_at_the_pre_activation():
    a = np.concatenate([np.linspace(-30, -1e-3, 200), np.linspace(1e-3, 30, 200), [np.inf, -np.inf, np.nan]])
    for activation in ACTIVATIONS.values():
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(
                activation.derivative(a, activation.f(a)), activation.df(a), err_msg=activation.name
            )


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.7])
def test_an_orthogonal_W_hh_keeps_sigma_max_equal_to_the_scale(scale):
    W_hh = rnnviz.recurrent_matrix("orthogonal", 20, scale, np.random.default_rng(0))
    np.testing.assert_allclose(np.linalg.svd(W_hh, compute_uv=False), scale, rtol=1e-12)
    run = rnnviz.unroll(linear_cell(W_hh), np.random.default_rng(0).normal(size=(50, 2)))
    norms = diagnostics.jacobian_norms(run)  # every power of scale * Q is scale^(T-k) times an orthogonal matrix
    np.testing.assert_allclose(norms.log10_spectral, (50 - np.arange(51)) * np.log10(scale), atol=1e-9)


# The initialisers do what their docstrings say --------------------------------------------------------------
def test_gaussian_init_has_entries_of_variance_scale_squared_over_H_and_spectral_radius_about_scale():
    H, scale = 400, 1.5
    W = rnnviz.recurrent_matrix("gaussian", H, scale, np.random.default_rng(0))
    assert W.std() == pytest.approx(scale / np.sqrt(H), rel=0.02)
    assert rnnviz.spectral_radius(W) == pytest.approx(scale, rel=0.1)


@pytest.mark.parametrize("init", ["spectral_radius", "sigma_max"])
def test_rescaled_inits_hit_their_target_exactly(init):
    measure = rnnviz.spectral_radius if init == "spectral_radius" else rnnviz.sigma_max
    for scale in (0.3, 1.0, 2.5):
        W = rnnviz.recurrent_matrix(init, 30, scale, np.random.default_rng(1))
        assert measure(W) == pytest.approx(scale, rel=1e-10)


def test_identity_init_is_scale_times_I():
    np.testing.assert_array_equal(
        rnnviz.recurrent_matrix("identity", 5, 1.3, np.random.default_rng(0)), 1.3 * np.eye(5)
    )


def test_orthogonal_gives_semi_orthogonal_matrices_of_any_shape():
    rng = np.random.default_rng(0)
    tall, wide = rnnviz.orthogonal(7, 3, rng), rnnviz.orthogonal(3, 7, rng)
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(wide @ wide.T, np.eye(3), atol=1e-12)


def test_glorot_uniform_stays_within_its_limit_and_fills_it():
    W = rnnviz.glorot_uniform(50, 30, np.random.default_rng(0))
    limit = np.sqrt(6 / 80)
    assert W.shape == (50, 30)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.95 * limit


@pytest.mark.parametrize("init", rnnviz.RECURRENT_INITS)
def test_the_same_seed_gives_the_same_network_and_another_seed_another(init):
    same = [rnnviz.random_rnn(6, 2, 2, init=init, scale=0.9, seed=4) for _ in range(2)]
    other = rnnviz.random_rnn(6, 2, 2, init=init, scale=0.9, seed=5)
    for name in same[0].params:
        np.testing.assert_array_equal(same[0].params[name], same[1].params[name])
    assert not np.array_equal(same[0].W_xh, other.W_xh)


def test_random_rnn_draws_input_weights_of_variance_input_scale_squared_over_D_and_zero_biases():
    cell = rnnviz.random_rnn(300, 50, 2, input_scale=2.0, seed=0)
    assert cell.W_xh.std() == pytest.approx(2.0 / np.sqrt(50), rel=0.02)
    assert not cell.b_h.any() and not cell.b_y.any()


# Overflow is part of the lesson -------------------------------------------------------------------------------
def doubling_run(T: int = 1100) -> rnnviz.Run:
    """h_t = 2 h_{t-1} + 1 from h_0 = 0, so h_t = 2^t - 1 in every unit: it leaves float64 at a step we know."""
    H = 2
    cell = rnnviz.RNN(np.ones((H, 1)), 2.0 * np.eye(H), np.zeros(H), np.ones((1, H)), np.zeros(1), "linear")
    return rnnviz.unroll(cell, np.ones((T, 1)))


def first_step_beyond_float64() -> int:
    """The first t with 2^t - 1 > the largest float64, in exact integer arithmetic."""
    return next(t for t in range(1, 2000) if 2**t - 1 > int(sys.float_info.max))


@pytest.fixture
def strict_numerics():
    """Every NumPy floating-point event raises and every warning is an error, unless the code itself opts out."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


def test_an_overflowing_run_raises_nothing_warns_nothing_and_says_where(strict_numerics):
    run = doubling_run()
    assert run.overflow_step == first_step_beyond_float64() == 1024
    assert np.isfinite(run.h[: run.overflow_step]).all()
    assert not np.isfinite(run.h[run.overflow_step]).all()
    rnnviz.state_jacobians(run)
    rnnviz.bptt(run, np.ones_like(run.y))
    diagnostics.jacobian_norms(run)
    diagnostics.saturation_share(run)
    diagnostics.state_norms(run.h)


def test_states_norms_and_jacobians_before_the_overflow_are_right(strict_numerics):
    run = doubling_run()
    finite = rnnviz.finite_part(run)
    steps = run.overflow_step - 1  # the last finite state is h_1023 = 2^1023 - 1
    assert finite.T == steps and finite.overflow_step is None
    np.testing.assert_array_equal(finite.h, run.h[: steps + 1])
    np.testing.assert_allclose(finite.h[:, 0], [2.0**t - 1 for t in range(steps + 1)], rtol=1e-15)
    J = rnnviz.state_jacobians(finite)  # exact powers of two: (2 I)^(T'-k), up to 2^1023
    for k in (0, 1, 500, steps):
        np.testing.assert_array_equal(J[k], 2.0 ** (steps - k) * np.eye(2))
    norms = diagnostics.jacobian_norms(finite)
    np.testing.assert_allclose(norms.log10_spectral, (steps - np.arange(steps + 1)) * np.log10(2), atol=1e-9)
    dy = np.zeros_like(finite.y)
    dy[-1] = 1.0  # a loss on the last step: dL/dh_k = J[k]^T W_hy^T dy_T = 2^(T'-k) (1, 1)
    g = rnnviz.bptt(finite, dy)
    np.testing.assert_array_equal(g.dh[:, 0], 2.0 ** (steps - np.arange(steps + 1)))


def test_a_run_without_overflow_is_its_own_finite_part():
    run = doubling_run(T=100)
    assert run.overflow_step is None and rnnviz.finite_part(run) is run


def test_simulate_shows_a_huge_but_finite_explosion_without_warning(strict_numerics):
    exp = simulate(Settings(activation="linear", init="identity", scale=3.0, seq_length=500, input_kind="constant"))
    assert exp.overflow_step is None
    assert exp.regime.label == "exploding"
    assert exp.norms.log10_spectral[0] == pytest.approx(500 * np.log10(3.0), rel=1e-9)
