"""Spectral radius against sigma_max: the norms of matrix powers, and the transient growth of a non-normal W."""

import numpy as np
import pytest

from rnnviz.init import orthogonal
from rnnviz.nonnormal import (
    departure_from_normality,
    log10_power_norms,
    nonnormal_example,
    summary,
    transient_peak,
)


def test_power_norms_match_explicit_matrix_powers():
    W = np.random.default_rng(0).standard_normal((5, 5)) / 2
    expected = [np.log10(np.linalg.norm(np.linalg.matrix_power(W, n), 2)) for n in range(9)]
    np.testing.assert_allclose(log10_power_norms(W, 8), expected, rtol=1e-10, atol=1e-12)


def test_power_norms_stay_exact_far_beyond_floating_point():
    W = np.diag([10.0, 0.5])  # ||W^n|| = 10^n, which overflows float64 after n = 308
    np.testing.assert_allclose(log10_power_norms(W, 400)[[1, 100, 400]], [1.0, 100.0, 400.0])
    np.testing.assert_allclose(log10_power_norms(W / 100, 400)[400], -400.0)


def test_a_nilpotent_matrix_reaches_exactly_zero():
    W = np.array([[0.0, 1.0], [0.0, 0.0]])  # W^2 = 0
    assert log10_power_norms(W, 3).tolist() == [0.0, 0.0, -np.inf, -np.inf]


def test_a_normal_matrix_shrinks_from_the_first_step_by_its_spectral_radius():
    W = 0.9 * orthogonal(6, 6, np.random.default_rng(1))
    log_norms = log10_power_norms(W, 30)
    np.testing.assert_allclose(log_norms, np.arange(31) * np.log10(0.9), atol=1e-10)
    assert transient_peak(log_norms) == (0, 0.0)


def test_the_example_has_spectral_radius_below_one_and_sigma_max_above():
    numbers = summary(nonnormal_example(radius=0.9, coupling=4.0))
    assert numbers["spectral_radius"] == pytest.approx(0.9)
    assert numbers["sigma_max"] > 1.0


def test_the_example_grows_for_a_while_before_it_shrinks():
    log_norms = log10_power_norms(nonnormal_example(radius=0.9, coupling=4.0), 200)
    n_peak, log_peak = transient_peak(log_norms)
    assert 5 <= n_peak <= 15 and log_peak > 1.0  # more than ten times larger after about ten steps
    assert log_norms[200] < -5  # yet the spectral radius 0.9 wins in the end


def test_departure_from_normality_is_zero_for_normal_and_large_for_the_example():
    symmetric = np.array([[1.0, 2.0], [2.0, -1.0]])
    assert departure_from_normality(symmetric) == pytest.approx(0.0, abs=1e-7)
    assert departure_from_normality(np.zeros((3, 3))) == 0.0
    assert departure_from_normality(nonnormal_example()) > 0.9


@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.array([[np.nan]]), "W"])
def test_a_matrix_that_is_not_square_and_finite_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="W"):
        log10_power_norms(bad, 3)


def test_power_norms_at_chosen_steps_equal_the_full_sweep_there():
    W = np.random.default_rng(3).standard_normal((6, 6)) / 2
    np.testing.assert_allclose(log10_power_norms(W, 30, at=[0, 3, 17, 30]), log10_power_norms(W, 30)[[0, 3, 17, 30]])


@pytest.mark.parametrize("at", [[5, 3], [-1, 2], [0, 31]])
def test_steps_that_are_not_increasing_within_range_are_refused(at):
    with pytest.raises(ValueError, match="at must be"):
        log10_power_norms(np.eye(2), 30, at=at)
