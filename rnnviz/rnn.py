"""The Elman cell: its step, its one-step Jacobian and its backward rule, side by side.

    a_t = W_hh h_{t-1} + W_xh x_t + b_h        h_t = f(a_t)        y_t = W_hy h_t + b_y

    dh_t/dh_{t-1} = diag(f'(a_t)) W_hh

States are row vectors in the arrays ((T+1, H) or (T+1, B, H)), so `h @ W_hh.T` is W_hh h for every row.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from rnnviz._checks import as_array, as_dtype, as_square, expect_shape
from rnnviz.activations import Activation, get_activation


@dataclass(frozen=True, eq=False)
class RNNTrace:
    """What the backward pass needs from the forward pass."""

    a: np.ndarray  # (T, [B,] H): a[t-1] = a_t
    fprime: np.ndarray  # (T, [B,] H): f'(a_t)


class CellParameters:
    """What every cell shares: its parameters by name and the floating-point type it computes in."""

    param_names: tuple[str, ...]

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Constructor argument name -> array."""
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the parameters, which `unroll` and `bptt` compute in (float64 unless
        the cell was made by `astype`)."""
        return self.W_hh.dtype

    def astype(self, dtype):
        """An equal cell whose parameters are copies in `dtype`: "float32" or "float64" (or those NumPy types).

        The constructors always store float64; a float32 cell runs, and is trained, in float32 (about twice
        as fast, as PyTorch trains), with float32's rounding (relative error about 1e-7 per operation).
        """
        dtype = as_dtype("dtype", dtype)
        cell = copy.copy(self)
        for name in self.param_names:
            setattr(cell, name, getattr(self, name).astype(dtype))
        return cell


class RNN(CellParameters):
    """A vanilla (Elman) recurrent cell with a linear read-out.

    Parameters
    ----------
    W_xh : (H, D) input weights.          W_hh : (H, H) recurrent weights.    b_h : (H,) bias.
    W_hy : (O, H) output weights.         b_y : (O,) output bias.
    activation : "tanh" | "sigmoid" | "relu" | "linear" | "leaky_relu" (slope 0.01).
    """

    kind = "rnn"
    param_names = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")

    def __init__(self, W_xh, W_hh, b_h, W_hy, b_y, activation: str = "tanh"):
        self.activation: Activation = get_activation(activation)
        self.W_hh = as_square("W_hh", W_hh)
        H = self.W_hh.shape[0]
        self.W_xh = as_array("W_xh", W_xh, 2)
        if self.W_xh.shape[0] != H or self.W_xh.shape[1] == 0:
            raise ValueError(f"W_xh must have shape (H, D) = ({H}, D) with D >= 1, got {self.W_xh.shape}")
        self.b_h = as_array("b_h", b_h, 1)
        expect_shape("b_h", self.b_h, (H,))
        self.W_hy = as_array("W_hy", W_hy, 2)
        if self.W_hy.shape[1] != H or self.W_hy.shape[0] == 0:
            raise ValueError(f"W_hy must have shape (O, H) = (O, {H}) with O >= 1, got {self.W_hy.shape}")
        self.b_y = as_array("b_y", b_y, 1)
        expect_shape("b_y", self.b_y, (self.W_hy.shape[0],))

    @property
    def hidden_size(self) -> int:
        """H, the number of hidden units."""
        return self.W_hh.shape[0]

    @property
    def input_size(self) -> int:
        """D, the size of each input x_t."""
        return self.W_xh.shape[1]

    @property
    def output_size(self) -> int:
        """O, the size of each output y_t."""
        return self.W_hy.shape[0]

    def __repr__(self) -> str:
        return (
            f"RNN(H={self.hidden_size}, D={self.input_size}, O={self.output_size}, activation={self.activation.name!r})"
        )

    # forward ---------------------------------------------------------------------------------------
    def forward(self, xs: np.ndarray, h0: np.ndarray) -> tuple[np.ndarray, np.ndarray, RNNTrace]:
        """h (T+1, [B,] H) with h[0] = h0, y (T, [B,] O) and the trace for the backward pass."""
        f = self.activation.f
        T = xs.shape[0]
        input_part = matmul_rows(xs, self.W_xh.T)
        input_part += self.b_h  # W_xh x_t + b_h for every t at once: (T, [B,] H)
        W_hh_T = transposed_for_steps(self.W_hh)
        h = np.empty((T + 1, *h0.shape), dtype=input_part.dtype)
        a = np.empty_like(input_part)
        h[0] = h0
        for t in range(1, T + 1):
            np.matmul(h[t - 1], W_hh_T, out=a[t - 1])  # W_hh h_{t-1}, written in place
            a[t - 1] += input_part[t - 1]  # a_t = W_hh h_{t-1} + W_xh x_t + b_h
            h[t] = f(a[t - 1])  # h_t = f(a_t)
        y = matmul_rows(h[1:], self.W_hy.T) + self.b_y
        return h, y, RNNTrace(a=a, fprime=self.activation.derivative(a, h[1:]))

    # one-step Jacobian -----------------------------------------------------------------------------
    def chain_start(self) -> np.ndarray:
        """dh_T/dh_T = I: the backward sweep carries M = dh_T/dh_t, shape (H, H)."""
        return np.eye(self.hidden_size)

    def chain_readout(self, M: np.ndarray) -> np.ndarray:
        """dh_T/dh_t from the carried M: the state is h itself, so M."""
        return M

    def chain_step(self, run, M: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """M @ dh_t/dh_{t-1} = M diag(f'(a_t)) W_hh, for an unbatched run (written into `out` when given)."""
        return np.matmul(M * run.trace.fprime[t - 1], self.W_hh, out=out)

    def input_step(self, run, M: np.ndarray, t: int) -> np.ndarray:
        """M @ dh_t/dx_t = M diag(f'(a_t)) W_xh."""
        return (M * run.trace.fprime[t - 1]) @ self.W_xh

    # backward --------------------------------------------------------------------------------------
    def backward(self, run, dy: np.ndarray) -> tuple[dict, np.ndarray, dict]:
        """Backpropagation through time.

        Returns the totals dL/dparam, dh (dL/dh_t for t = 0..T) and what the per-step terms are built from.
        """
        T = dy.shape[0]
        fprime = run.trace.fprime
        dh = np.empty_like(run.h)
        dh[1:] = matmul_rows(dy, self.W_hy)  # W_hy^T dy_t for every t at once: what y_t sends back to h_t
        da = np.empty_like(run.trace.a)
        dh_from_later = np.zeros_like(run.h[0])  # dL/dh_t through h_{t+1}; nothing after step T
        for t in range(T, 0, -1):
            dh[t] += dh_from_later  # dL/dh_t = W_hy^T dy_t + W_hh^T dL/da_{t+1}
            np.multiply(fprime[t - 1], dh[t], out=da[t - 1])  # dL/da_t = f'(a_t) * dL/dh_t
            np.matmul(da[t - 1], self.W_hh, out=dh_from_later)  # W_hh^T dL/da_t, for step t-1
        dh[0] = dh_from_later
        h_prev, h_now, xs = run.h[:-1], run.h[1:], run.xs
        total = {
            "W_xh": _sum_outer(da, xs),
            "W_hh": _sum_outer(da, h_prev),
            "b_h": _sum_rows(da),
            "W_hy": _sum_outer(dy, h_now),
            "b_y": _sum_rows(dy),
        }
        per_step_terms = {
            "W_xh": (da, xs),
            "W_hh": (da, h_prev),
            "b_h": (da, None),
            "W_hy": (dy, h_now),
            "b_y": (dy, None),
        }
        return total, dh, per_step_terms


def matmul_rows(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """rows @ matrix for rows of shape (..., K).

    In float32, one (T*B, K) by (K, N) product: NumPy multiplies a (T, B, K) stack by a matrix as T separate
    products, 2 to 4 times slower. float64 keeps NumPy's own product, whose last bits can differ from the
    single product's for some shapes: float64 results stay bit for bit those of the float64 path as it was.
    """
    if rows.dtype == np.float64:
        return rows @ matrix
    return (rows.reshape(-1, rows.shape[-1]) @ matrix).reshape(*rows.shape[:-1], matrix.shape[-1])


def transposed_for_steps(W: np.ndarray) -> np.ndarray:
    """W.T for the step loop's `h @ W.T`: a contiguous copy in float32, where OpenBLAS multiplies (32, 128) by
    it about 1.5 times faster than by the transposed view; the view in float64, whose results stay bit for bit
    those of the float64 path as it always was."""
    return W.T if W.dtype == np.float64 else np.ascontiguousarray(W.T)


def _sum_outer(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """sum over t (and the batch) of outer(left_t, right_t), as one matrix product."""
    return left.reshape(-1, left.shape[-1]).T @ right.reshape(-1, right.shape[-1])


def _sum_rows(rows: np.ndarray) -> np.ndarray:
    return rows.reshape(-1, rows.shape[-1]).sum(axis=0)


def outer_per_step(left: np.ndarray, right: np.ndarray | None) -> np.ndarray:
    """Step t's term: outer(left_t, right_t) (summed over the batch), or left_t itself when right is None."""
    if right is None:
        return left if left.ndim == 2 else left.sum(axis=1)
    if left.ndim == 2:
        return left[:, :, None] * right[:, None, :]
    return np.matmul(left.transpose(0, 2, 1), right)
