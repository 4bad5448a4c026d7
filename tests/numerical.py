"""Central finite differences in float64: the oracle every analytic derivative in the tests is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-6  # step: truncation error ~ EPS^2, rounding error ~ 1e-16 / EPS


def central_difference(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f / d x by central differences, shape f(x).shape + x.shape; x is perturbed on a copy, one entry at a time."""
    x = np.array(x, dtype=np.float64)
    f0 = np.asarray(f(x), dtype=np.float64)
    out = np.empty(f0.shape + x.shape)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        out[(..., *index)] = (np.asarray(f(plus)) - np.asarray(f(minus))) / (2 * eps)
    return out


def central_difference_in_place(f: Callable[[], float], array: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f / d array for a scalar f() that reads `array` itself (e.g. a cell's own parameter): each entry is moved
    in place by +-eps and put back."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad
