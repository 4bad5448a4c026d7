"""Optimisers and clipping: Pascanu's norm clipping keeps the direction, element-wise clipping does not."""

import numpy as np
import pytest

from rnnviz.optim import SGD, Adam, clip, global_norm


def grads():
    return {"W": np.array([[3.0, -0.1], [0.2, 4.0]]), "b": np.array([0.0, 12.0])}


def test_norm_clipping_keeps_the_direction_and_sets_the_norm_to_the_threshold():
    g = grads()
    result = clip(g, "norm", 1.0)
    assert result.clipped and result.norm_before == pytest.approx(13.0, rel=1e-3)
    assert global_norm(result.grads) == pytest.approx(1.0)
    for name in g:
        np.testing.assert_allclose(result.grads[name] * result.norm_before, g[name])


def test_norm_clipping_below_the_threshold_changes_nothing():
    result = clip(grads(), "norm", 100.0)
    assert not result.clipped
    np.testing.assert_array_equal(result.grads["W"], grads()["W"])


def test_elementwise_clipping_bounds_every_entry_and_turns_the_direction():
    g = grads()
    result = clip(g, "elementwise", 1.0)
    flat = np.concatenate([v.ravel() for v in result.grads.values()])
    original = np.concatenate([v.ravel() for v in g.values()])
    assert result.clipped and np.max(np.abs(flat)) == 1.0
    cosine = flat @ original / (np.linalg.norm(flat) * np.linalg.norm(original))
    assert cosine < 0.99


def test_clip_rejects_unknown_methods_and_bad_thresholds():
    with pytest.raises(ValueError, match="method"):
        clip(grads(), "sometimes", 1.0)
    with pytest.raises(ValueError, match="threshold"):
        clip(grads(), "norm", 0.0)


def test_sgd_takes_one_step_against_the_gradient():
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    SGD(0.5).step(params, grads())
    np.testing.assert_allclose(params["b"], [0.0, -6.0])


def test_adams_first_step_moves_every_entry_by_the_learning_rate():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    Adam(0.01).step(params, grads())
    np.testing.assert_allclose(np.abs(params["W"]), 0.01, rtol=1e-4)
    np.testing.assert_allclose(params["b"], [0.0, -0.01], atol=1e-8)  # epsilon shaves ~1e-9


def test_adam_minimises_a_quadratic():
    params = {"x": np.array([5.0, -3.0])}
    adam = Adam(0.1)
    for _ in range(500):
        adam.step(params, {"x": 2 * params["x"]})
    np.testing.assert_allclose(params["x"], 0.0, atol=1e-2)
