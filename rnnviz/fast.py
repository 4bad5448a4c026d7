"""The speed tricks of the cells' whole-sequence `forward` and `backward`, kept apart from the equations.

Each cell's `step` and `step_backward` are the equations (the reference); its `forward` and `backward` compute the
same over a whole batch with these helpers, and tests/test_reference.py checks them against the reference in
float64 and float32. float64 keeps NumPy's own products, so its results stay bit for bit as they always were.
"""

from __future__ import annotations

import numpy as np


def matmul_rows(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """rows @ matrix for rows of shape (..., K).

    In float32, one (T*B, K) by (K, N) product: NumPy multiplies a (T, B, K) stack by a matrix as T separate
    products, 2 to 4 times slower. float64 keeps NumPy's own product, whose last bits can differ from the
    single product's for some shapes.
    """
    if rows.dtype == np.float64:
        return rows @ matrix
    return (rows.reshape(-1, rows.shape[-1]) @ matrix).reshape(*rows.shape[:-1], matrix.shape[-1])


def transposed_for_steps(W: np.ndarray) -> np.ndarray:
    """W.T for the step loop's `h @ W.T`: a contiguous copy in float32, where OpenBLAS multiplies (32, 128) by
    it about 1.5 times faster than by the transposed view; the view in float64."""
    return W.T if W.dtype == np.float64 else np.ascontiguousarray(W.T)


def sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = 1 / (1 + exp(-z)) computed in place in z (no temporary arrays); returns z.

    exp is about five times faster than tanh in NumPy; exp(-z) = inf for z < -709 gives exactly 0, so the caller
    runs it under np.errstate(over="ignore") (`rnnviz.unroll` does).
    """
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)
    return z


def one_minus_square(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 - x^2, written into `out`."""
    np.square(x, out=out)
    return np.subtract(1, out, out=out)


class HalvedSigmoidGates:
    """float32 gate activations through sigmoid(z) = tanh(z / 2) / 2 + 1/2, for weights stacked in gate blocks.

    float32 tanh is cheaper than exp: the sigmoid gates' rows of the weights and bias are halved once (exactly,
    a power of two), so that one tanh over the whole block (T, [B,] G*H) and one multiply-add give every gate:
    `scale` is 1/2 on the sigmoid gates and 1 on the tanh gates, `offset` 1/2 and 0.
    """

    def __init__(self, is_tanh_gate: np.ndarray):
        self.scale = np.where(is_tanh_gate, 1.0, 0.5).astype(np.float32)  # (G*H,)
        self.offset = np.where(is_tanh_gate, 0.0, 0.5).astype(np.float32)

    def halve(self, W: np.ndarray) -> np.ndarray:
        """The weights (or bias) with the sigmoid gates' columns halved: W of shape (..., G*H)."""
        return W * self.scale

    def activate(self, z: np.ndarray) -> np.ndarray:
        """Halved pre-activations -> gates, in place."""
        np.tanh(z, out=z)
        z *= self.scale
        z += self.offset
        return z
