"""The Elman cell: its step, its local backward rule and its one-step Jacobian, side by side.

    a_t = W_hh h_{t-1} + W_xh x_t + b_h        h_t = f(a_t)        y_t = W_hy h_t + b_y

    dh_t/dh_{t-1} = diag(f'(a_t)) W_hh

`step` and `step_backward` are the equations for one sequence (the reference the tests hold `forward` and
`backward` to); `forward` and `backward` run them over a whole batch at once. States are row vectors in the
arrays ((T+1, H) or (T+1, B, H)), so `h @ W_hh.T` is W_hh h for every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import as_array, as_square, expect_shape
from rnnviz.activations import Activation, get_activation
from rnnviz.cell import CellParameters, State, sum_outer, sum_rows
from rnnviz.fast import matmul_rows, transposed_for_steps


@dataclass(frozen=True, eq=False)
class RNNTrace:
    """What the backward pass needs from the forward pass."""

    a: np.ndarray  # (T, [B,] H): a[t-1] = a_t
    fprime: np.ndarray  # (T, [B,] H): f'(a_t)


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
    state_names = ("h",)

    def __init__(self, W_xh, W_hh, b_h, W_hy, b_y, activation: str = "tanh"):
        self.activation: Activation = get_activation(activation)
        self.W_hh = as_square("W_hh", W_hh)
        H = self.W_hh.shape[0]
        self.W_xh = as_array("W_xh", W_xh, 2)
        if self.W_xh.shape[0] != H or self.W_xh.shape[1] == 0:
            raise ValueError(f"W_xh must have shape (H, D) = ({H}, D) with D >= 1, got {self.W_xh.shape}")
        self.b_h = as_array("b_h", b_h, 1)
        expect_shape("b_h", self.b_h, (H,))
        self._set_readout(W_hy, b_y)

    @property
    def input_size(self) -> int:
        """D, the size of each input x_t."""
        return self.W_xh.shape[1]

    def __repr__(self) -> str:
        return (
            f"RNN(H={self.hidden_size}, D={self.input_size}, O={self.output_size}, activation={self.activation.name!r})"
        )

    # the equations ---------------------------------------------------------------------------------
    def step(self, x: np.ndarray, state: State) -> State:
        """h_t = f(W_hh h_{t-1} + W_xh x_t + b_h)."""
        (h,) = state
        a = self.W_hh @ h + self.W_xh @ x + self.b_h
        return (self.activation.f(a),)

    def step_backward(self, x: np.ndarray, state: State, dstate: State) -> tuple[dict, State]:
        """From dL/dh_t: step t's terms of dL/dW_xh, dL/dW_hh, dL/db_h and dL/dh_{t-1} = W_hh^T dL/da_t."""
        (h_prev,), (dh,) = state, dstate
        a = self.W_hh @ h_prev + self.W_xh @ x + self.b_h
        da = self.activation.df(a) * dh  # dL/da_t = f'(a_t) * dL/dh_t
        terms = {"W_xh": np.outer(da, x), "W_hh": np.outer(da, h_prev), "b_h": da}
        return terms, (self.W_hh.T @ da,)

    # one-step Jacobian -----------------------------------------------------------------------------
    def chain_step(self, run, M: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """M @ dh_t/dh_{t-1} = M diag(f'(a_t)) W_hh, for an unbatched run (written into `out` when given)."""
        return np.matmul(M * run.trace.fprime[t - 1], self.W_hh, out=out)

    def input_step(self, run, M: np.ndarray, t: int) -> np.ndarray:
        """M @ dh_t/dx_t = M diag(f'(a_t)) W_xh."""
        return (M * run.trace.fprime[t - 1]) @ self.W_xh

    # the whole sequence, fast ----------------------------------------------------------------------
    def forward(self, xs: np.ndarray, state0: State) -> tuple[State, np.ndarray, RNNTrace]:
        """(h,) with h (T+1, [B,] H) and h[0] = h0, y (T, [B,] O) and the trace for the backward pass."""
        (h0,) = state0
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
        return (h,), y, RNNTrace(a=a, fprime=self.activation.derivative(a, h[1:]))

    def backward(self, run, dy: np.ndarray) -> tuple[dict, State, dict]:
        """Backpropagation through time: the totals dL/dparam, (dL/dh_t for t = 0..T,) and the per-step factors."""
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
        h_prev, xs = run.h[:-1], run.xs
        total = {"W_xh": sum_outer(da, xs), "W_hh": sum_outer(da, h_prev), "b_h": sum_rows(da)}
        terms = {"W_xh": (da, xs), "W_hh": (da, h_prev), "b_h": (da, None)}
        readout_total, readout_terms = self._readout_terms(run, dy)
        return {**total, **readout_total}, (dh,), {**terms, **readout_terms}
