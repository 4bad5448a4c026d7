"""Properties that hold for every shape, scale, activation and initialiser (hypothesis draws the cases)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rnnviz
from rnnviz import diagnostics
from rnnviz.activations import ACTIVATIONS
from rnnviz.settings import CHOICES, DEFAULTS, LIMITS, QUERY_KEYS, Settings, parse_query, parse_value, to_query

FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def runs(draw, batched: bool | None = None):
    """A random RNN (any activation and init, scale 0.05..3) run over a random sequence or batch."""
    H, D, O = draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    T = draw(st.integers(1, 12))
    batch = draw(st.sampled_from([(), (1,), (3,)])) if batched is None else ((2,) if batched else ())
    cell = rnnviz.random_rnn(
        H,
        D,
        O,
        activation=draw(st.sampled_from(list(ACTIVATIONS))),
        init=draw(st.sampled_from(rnnviz.RECURRENT_INITS)),
        scale=draw(st.floats(0.05, 3.0)),
        seed=draw(st.integers(0, 2**16)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return rnnviz.unroll(cell, rng.normal(size=(T, *batch, D)), rng.normal(size=(*batch, H)))


@FEW
@given(runs())
def test_every_array_has_the_documented_shape(run):
    T, H, O = run.T, run.cell.hidden_size, run.cell.output_size
    batch = run.xs.shape[1:-1]
    assert run.h.shape == (T + 1, *batch, H) and run.y.shape == (T, *batch, O)
    g = rnnviz.bptt(run, np.ones_like(run.y))
    assert g.dh.shape == run.h.shape
    for name, value in run.cell.params.items():
        assert g.total[name].shape == value.shape
        assert g.per_step[name].shape == (T, *value.shape)


@FEW
@given(runs(), st.integers(0, 2**16))
def test_per_step_terms_always_sum_to_the_totals(run, seed):
    g = rnnviz.bptt(run, np.random.default_rng(seed).normal(size=run.y.shape))
    for name, total in g.total.items():
        np.testing.assert_allclose(g.per_step[name].sum(axis=0), total, rtol=1e-9, atol=1e-9)


@FEW
@given(runs(batched=False))
def test_measured_norms_never_exceed_the_bound(run):
    norms = diagnostics.jacobian_norms(run)
    bound = diagnostics.log10_bound(run.cell.activation.gamma, rnnviz.sigma_max(run.cell.W_hh), run.T)
    finite = np.isfinite(norms.log10_spectral)
    assert np.all(norms.log10_spectral[finite] <= bound[finite] + 1e-9)
    assert np.all(norms.log10_spectral[finite] <= norms.log10_frobenius[finite] + 1e-12)  # ||J||_2 <= ||J||_F


@FEW
@given(runs(batched=False))
def test_log_norms_agree_with_the_norms_of_the_jacobians(run):
    J = rnnviz.state_jacobians(run)
    norms = diagnostics.jacobian_norms(run)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(norms.log10_spectral, np.log10(np.linalg.norm(J, 2, axis=(1, 2))), atol=1e-9)
        np.testing.assert_allclose(norms.log10_frobenius, np.log10(np.linalg.norm(J, axis=(1, 2))), atol=1e-9)


@FEW
@given(runs(batched=False), st.integers(0, 2**16))
def test_a_loss_on_the_last_step_reaches_h_k_through_J_k(run, seed):
    dy = np.zeros_like(run.y)
    dy[-1] = np.random.default_rng(seed).normal(size=run.y.shape[-1])
    dh = rnnviz.bptt(run, dy).dh
    expected = np.einsum("kij,i->kj", rnnviz.state_jacobians(run), run.cell.W_hy.T @ dy[-1])
    np.testing.assert_allclose(dh, expected, rtol=1e-9, atol=1e-12)


@FEW
@given(runs(batched=False), st.data())
def test_jacobian_at_any_k_is_that_row_of_state_jacobians(run, data):
    k = data.draw(st.integers(0, run.T))
    direction, log10_scale = diagnostics.jacobian_at(run, k)
    J_k = rnnviz.state_jacobians(run)[k]
    if np.isfinite(log10_scale):
        np.testing.assert_allclose(direction * 10.0**log10_scale, J_k, rtol=1e-9, atol=1e-12)
    else:
        assert not J_k.any()


@FEW
@given(st.integers(1, 8), st.floats(0.05, 3.0), st.sampled_from(rnnviz.RECURRENT_INITS), st.integers(0, 2**16))
def test_the_spectral_radius_never_exceeds_sigma_max(H, scale, init, seed):
    W = rnnviz.recurrent_matrix(init, H, scale, np.random.default_rng(seed))
    assert rnnviz.spectral_radius(W) <= rnnviz.sigma_max(W) * (1 + 1e-9)


@st.composite
def any_settings(draw):
    return Settings(
        activation=draw(st.sampled_from(CHOICES["activation"])),
        scale=draw(st.floats(*LIMITS.scale)),
        init=draw(st.sampled_from(CHOICES["init"])),
        hidden_size=draw(st.integers(*LIMITS.hidden_size)),
        seq_length=draw(st.integers(*LIMITS.seq_length)),
        input_kind=draw(st.sampled_from(CHOICES["input_kind"])),
        loss_placement=draw(st.sampled_from(CHOICES["loss_placement"])),
        seed=draw(st.integers(*LIMITS.seed)),
    )


@settings(max_examples=100, deadline=None)
@given(any_settings())
def test_every_valid_setting_survives_the_trip_through_the_url(chosen):
    parsed, notices = parse_query(to_query(chosen))
    assert parsed == chosen and notices == []


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([*QUERY_KEYS.values(), "other"]), st.text(max_size=40)))
def test_any_query_gives_valid_settings_using_each_good_value_and_naming_each_bad_one(params):
    parsed, notices = parse_query(params)
    for name, key in QUERY_KEYS.items():
        if key not in params:
            assert getattr(parsed, name) == DEFAULTS[name]
            continue
        try:
            value = parse_value(name, params[key])
        except ValueError:
            assert getattr(parsed, name) == DEFAULTS[name]
            assert any(notice.startswith(key) for notice in notices), (key, notices)
        else:
            assert getattr(parsed, name) == value
