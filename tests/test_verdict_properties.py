"""Every verdict the app says agrees with the numbers it describes, checked against an independent computation.

For settings drawn across every activation, init, scale, T and input, the test computes σ_max by SVD, γ from the
activation, ρ from the eigenvalues and ‖∂h_T/∂h_k‖ from the one-step Jacobians, and checks the badge, its reason,
Pascanu's sentence and the growth sentence against them and against each other.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnviz
from rnnviz import verdicts
from rnnviz.activations import ACTIVATIONS
from rnnviz.experiment import simulate
from rnnviz.init import RECURRENT_INITS
from rnnviz.inputs import INPUT_KINDS
from rnnviz.settings import PRESETS, Settings
from ui import gradient_views
from ui.labels import CONTROL_HELP

GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "linear": 1.0, "leaky_relu": 1.0}  # sup |f'|, by hand
TOL = verdicts.UNIT_RTOL
ROUNDING = 1e-9  # decades of slack for a product of up to 60 float64 matrices

SCALES = st.one_of(
    st.sampled_from([1.0, 0.25, 0.5, 0.9, 0.95, 1.05, 2.0, 4.0]),  # 1 exactly: orthogonal and identity at the edge
    st.integers(1, 100).map(lambda n: round(0.05 * n, 2)),
)


@st.composite
def drawn_settings(draw) -> Settings:
    return Settings(
        activation=draw(st.sampled_from(list(ACTIVATIONS))),
        init=draw(st.sampled_from(RECURRENT_INITS)),
        scale=draw(SCALES),
        hidden_size=draw(st.integers(2, 8)),
        seq_length=draw(st.integers(2, 60)),
        input_kind=draw(st.sampled_from(INPUT_KINDS)),
        seed=draw(st.integers(0, 50)),
    )


def measured_log10_norms(exp) -> np.ndarray:
    """log10 ‖∂h_T/∂h_k‖_2 for k = 0..T from the chain of one-step Jacobians (-inf where exactly 0)."""
    J = rnnviz.state_jacobians(exp.analysed_run)  # (T+1, H, H)
    norms = np.array([np.linalg.svd(J_k, compute_uv=False)[0] for J_k in J])
    with np.errstate(divide="ignore"):
        return np.log10(norms)


def independent_badge(log10_at_0: float) -> str:
    if log10_at_0 <= -2.0:
        return "vanishing"
    if log10_at_0 >= 2.0:
        return "exploding"
    return "near the edge"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(drawn_settings())
def test_badge_reason_pascanu_and_growth_agree_with_each_other_and_with_the_numbers(chosen):
    exp = simulate(chosen)
    T = exp.analysed_steps
    gamma = GAMMA[chosen.activation]
    sigma = float(np.linalg.svd(exp.cell.W_hh, compute_uv=False)[0])
    radius = float(np.abs(np.linalg.eigvals(exp.cell.W_hh)).max())
    product = gamma * sigma
    logs = measured_log10_norms(exp)
    at_0 = float(logs[0])

    # the badge: by the ±2 decades rule on the measured norm (the app's own numbers agree to rounding)
    label = exp.regime.label
    if not (np.isfinite(at_0) and min(abs(at_0 - 2.0), abs(at_0 + 2.0)) < 1e-6):
        assert label == independent_badge(at_0), (label, at_0)

    # the reason says what the badge says, and carries Pascanu's sentence for these numbers
    reason = exp.regime.reason
    said = {
        "vanishing": ("the gradient vanishes", "exactly 0"),
        "exploding": ("the gradient explodes", "left floating point"),
        "near the edge": ("neither vanishes nor explodes",),
    }[label]
    assert any(words in reason for words in said), reason
    pascanu = verdicts.pascanu_sentence(gamma, sigma, T)
    assert pascanu in reason

    # Pascanu's sentence: exactly one case, each said only when the numbers allow it
    cases = [
        "vanishing is guaranteed" in pascanu,
        "must shrink" in pascanu,
        "cannot grow" in pascanu,
        "explosion is possible" in pascanu,
    ]
    assert sum(cases) == 1, pascanu
    guaranteed, shrinks, edge, possible = cases
    if guaranteed or shrinks:
        assert product < 1 - TOL
        assert at_0 <= T * math.log10(product) + ROUNDING if product > 0 else at_0 == -np.inf
    if guaranteed:
        assert T * math.log10(product) <= -2.0 + ROUNDING if product > 0 else True
        assert label == "vanishing"
    if shrinks:
        assert T * math.log10(product) > -2.0
    if edge:
        assert abs(product - 1) <= TOL
        assert at_0 <= T * math.log10(1 + TOL) + ROUNDING
        assert label != "exploding"
    if possible:
        assert product > 1 + TOL
    if "explo" in pascanu:
        assert possible
    if label == "exploding":
        assert possible  # measured ≤ (γσ_max)^T: an explosion needs γσ_max > 1

    # the growth sentence: "× r per step", the fitted r, never more steps than T, 1 only within the tolerance
    growth = verdicts.growth_sentence(exp.growth, T)
    assert "shrinks by" not in growth and "grows by" not in growth
    finite = np.isfinite(logs)
    if finite.sum() >= 2:
        steps_back = T - np.arange(T + 1)
        fitted = 10.0 ** np.polyfit(steps_back[finite], logs[finite], 1)[0]
        if "keeps its size" in growth:
            assert abs(exp.growth - 1) <= TOL
            assert fitted == pytest.approx(1.0, abs=1e-6)
        else:
            match = re.fullmatch(r"× (\S+) per step \(fitted over every k\): (\d+) such steps? make 10\^(\S+)", growth)
            assert match, growth
            printed, n, decades = float(match[1]), int(match[2]), match[3]
            assert n == min(20, T) <= T
            assert printed != 1.0
            assert printed == pytest.approx(fitted, rel=5e-3)
            assert float(decades) == pytest.approx(n * math.log10(fitted), abs=0.5 if "." not in decades else 0.06)

    # the linear cell's ρ sentence: "explode" only when ρ > 1 beyond the tolerance
    if chosen.activation == "linear":
        words = verdicts.radius_sentence(exp.weights["spectral_radius"])
        assert ("explode" in words) == (radius > 1 + TOL + 1e-12) or abs(radius - 1) <= 10 * TOL
        assert ("vanish" in words) == (radius < 1 - TOL - 1e-12) or abs(radius - 1) <= 10 * TOL


# the cases the app got wrong, one by one -------------------------------------------------------------------


def test_a_quantity_one_ulp_off_counts_as_one():
    assert verdicts.compare_with_one(1.0000000000000033) == verdicts.AT
    assert verdicts.relation_to_one(0.999) == "<" and verdicts.relation_to_one(1.001) == ">"
    assert verdicts.factor(0.99996) == "0.99996" and verdicts.factor(1.0000000000000033) == "1"


def test_linear_orthogonal_at_scale_1_never_says_explode():
    exp = simulate(Settings(activation="linear", init="orthogonal", scale=1.0))
    words = gradient_views.pascanu_words(exp)
    assert "ρ = 1 (within 10^-9 of 1)" in words
    assert "explode" not in words
    assert exp.regime.label == "near the edge" and "cannot grow" in exp.regime.reason


def test_the_on_the_edge_preset_says_the_gradient_cannot_grow():
    exp = simulate(PRESETS["On the edge"])
    for words in (exp.regime.reason, gradient_views.pascanu_words(exp)):
        assert "cannot grow" in words
        assert "explosion" not in words and "may explode" not in words


def test_the_weight_scale_help_does_not_promise_vanishing_below_scale_one():
    """Linear Gaussian at scale 0.95, T = 500 explodes (σ_max ≈ 1.7 × scale): the help speaks of γ·σ_max only."""
    exp = simulate(Settings(activation="linear", init="gaussian", scale=0.95, seq_length=500))
    assert exp.regime.label == "exploding" and exp.weights["gamma_sigma_max"] > 1
    help_text = CONTROL_HELP["scale"]
    assert "γ·σ_max(W_hh)" in help_text and "Below 1/γ" not in help_text and "4.5" not in help_text


def test_a_short_run_at_gamma_sigma_below_one_says_near_the_edge_and_why():
    """0.9 per step over 20 steps is 10^-0.9: the badge is near the edge, and Pascanu's sentence does not
    promise vanishing over this T; it says from which T the bound does."""
    log_norms = (20 - np.arange(21)) * np.log10(0.9)
    regime = verdicts.regime(log_norms, gamma=1.0, sigma=0.9, radius=0.9)
    assert regime.label == "near the edge"
    assert "vanishing is guaranteed" not in regime.reason
    assert "from T = 44" in regime.reason  # 0.9^43 = 10^-1.97, 0.9^44 = 10^-2.01


def test_the_growth_sentence_never_counts_more_steps_than_T():
    assert verdicts.growth_sentence(0.5, 12) == "× 0.5 per step (fitted over every k): 12 such steps make 10^-3.6"
    assert "20 such steps" not in gradient_views.growth_words(simulate(Settings(seq_length=12)))


def test_a_factor_of_one_keeps_its_size_and_never_grows_by_one():
    assert verdicts.growth_sentence(1.0 + 1e-13, 60) == "× 1 per step (fitted over every k): it keeps its size"
    assert verdicts.growth_sentence(0.982, 60) == "× 0.982 per step (fitted over every k): 20 such steps make 10^-0.2"


def test_powers_of_ten_have_one_notation():
    assert verdicts.power_of_ten(-12.34) == "10^-12"
    assert verdicts.power_of_ten(-2.0) == "10^-2"
    assert verdicts.power_of_ten(0.75) == "10^+0.8"
    assert verdicts.power_of_ten(-0.02) == "10^0"
    assert verdicts.power_of_ten(-np.inf) == "0"
    assert verdicts.power_of_ten(np.nan) == "∞"
    assert verdicts.power_of_ten(-3.25, latex=True) == "10^{-3.2}"
