"""The GRU cell in PyTorch's form and layout (gates r, z, n stacked), its step, Jacobian and backward rule.

    r = sigmoid(W_ir x + b_ir + W_hr h_{t-1} + b_hr)       z = sigmoid(W_iz x + b_iz + W_hz h_{t-1} + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h_{t-1} + b_hn))     h_t = (1 - z) * n + z * h_{t-1}

The reset gate multiplies W_hn h + b_hn, after the product (Cho et al. 2014 apply r to h before it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._gated import GatedCell, uniform_init
from rnnviz.activations import get_activation
from rnnviz.cell import State
from rnnviz.fast import matmul_rows, sigmoid_in_place, transposed_for_steps

sigmoid = get_activation("sigmoid").f


@dataclass(frozen=True, eq=False)
class GRUTrace:
    r: np.ndarray  # (T, [B,] H) each
    z: np.ndarray
    n: np.ndarray
    hidden_n: np.ndarray  # W_hn h_{t-1} + b_hn


class GRU(GatedCell):
    """torch.nn.GRU's equations and weight layout, with a linear read-out y_t = W_hy h_t + b_y."""

    kind = "gru"
    n_gates = 3
    gate_names = ("r", "z", "n")

    # the equations ---------------------------------------------------------------------------------
    def gates(self, x: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, ...]:
        """r, z, n of one step from x_t and h_{t-1}, and W_hn h_{t-1} + b_hn (what r multiplies)."""
        i_r, i_z, i_n = np.split(self.W_ih @ x + self.b_ih, 3)
        h_r, h_z, h_n = np.split(self.W_hh @ h + self.b_hh, 3)
        r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
        return r, z, np.tanh(i_n + r * h_n), h_n

    def step(self, x: np.ndarray, state: State) -> State:
        """h_t = (1 - z) * n + z * h_{t-1}."""
        (h,) = state
        r, z, n, _ = self.gates(x, h)
        return ((1 - z) * n + z * h,)

    def step_backward(self, x: np.ndarray, state: State, dstate: State) -> tuple[dict, State]:
        """From dL/dh_t: step t's terms and dL/dh_{t-1}."""
        (h_prev,), (dh,) = state, dstate
        r, z, n, h_n = self.gates(x, h_prev)
        dn_pre = dh * (1 - z) * (1 - n**2)  # dL/d(W_in x + b_in + r * (W_hn h + b_hn))
        dr_pre = dn_pre * h_n * r * (1 - r)
        dz_pre = dh * (h_prev - n) * z * (1 - z)
        d_input_part = np.concatenate([dr_pre, dz_pre, dn_pre])  # dL/d(W_ih x_t + b_ih)
        d_hidden_part = np.concatenate([dr_pre, dz_pre, dn_pre * r])  # dL/d(W_hh h_{t-1} + b_hh)
        terms = {
            "W_ih": np.outer(d_input_part, x),
            "W_hh": np.outer(d_hidden_part, h_prev),
            "b_ih": d_input_part,
            "b_hh": d_hidden_part,
        }
        return terms, (dh * z + self.W_hh.T @ d_hidden_part,)

    # one-step Jacobian -----------------------------------------------------------------------------
    def _gate_coefficients(self, run, t: int):
        """dh_t/d(pre-activations of r, z, n), as vectors; W_hh h + b_hh reaches n's through the factor r."""
        tr = run.trace
        r, z, n, hidden_n = tr.r[t - 1], tr.z[t - 1], tr.n[t - 1], tr.hidden_n[t - 1]
        dn_pre = (1 - z) * (1 - n**2)
        return dn_pre * hidden_n * r * (1 - r), (run.h[t - 1] - n) * z * (1 - z), dn_pre

    def chain_step(self, run, M: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """M dh_t/dh_{t-1} = M (diag(z) + [diag(c_r) diag(c_z) diag(c_n)] W_hh) (into `out` when given)."""
        c_r, c_z, c_n = self._gate_coefficients(run, t)
        through_gates = np.hstack([M * c_r, M * c_z, M * (c_n * run.trace.r[t - 1])]) @ self.W_hh
        return np.add(M * run.trace.z[t - 1], through_gates, out=out)

    def input_step(self, run, M: np.ndarray, t: int) -> np.ndarray:
        """M dh_t/dx_t."""
        c_r, c_z, c_n = self._gate_coefficients(run, t)
        return np.hstack([M * c_r, M * c_z, M * c_n]) @ self.W_ih

    # the whole sequence, fast ----------------------------------------------------------------------
    def forward(self, xs, state0):
        (h0,) = state0
        T, H = xs.shape[0], self.hidden_size
        input_part = matmul_rows(xs, self.W_ih.T)
        input_part += self.b_ih  # W_ih x_t + b_ih for every t: (T, [B,] 3H)
        W_hh_T = transposed_for_steps(self.W_hh)
        h = np.empty((T + 1, *h0.shape), dtype=input_part.dtype)
        hidden_part = np.empty_like(input_part)  # W_hh h_{t-1} + b_hh: (T, [B,] 3H)
        rz = np.empty((T, *h0.shape[:-1], 2 * H), dtype=h.dtype)  # [r, z]
        n = np.empty((T, *h0.shape), dtype=h.dtype)
        h[0] = h0
        for t in range(1, T + 1):
            gh = hidden_part[t - 1]
            np.matmul(h[t - 1], W_hh_T, out=gh)
            gh += self.b_hh
            np.add(input_part[t - 1, ..., : 2 * H], gh[..., : 2 * H], out=rz[t - 1])
            sigmoid_in_place(rz[t - 1])
            r, z = rz[t - 1, ..., :H], rz[t - 1, ..., H:]
            np.multiply(r, gh[..., 2 * H :], out=n[t - 1])
            n[t - 1] += input_part[t - 1, ..., 2 * H :]
            np.tanh(n[t - 1], out=n[t - 1])  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
            np.multiply(z, h[t - 1], out=h[t])
            h[t] += (1 - z) * n[t - 1]  # h_t = (1 - z) * n + z * h_{t-1}
        y = matmul_rows(h[1:], self.W_hy.T) + self.b_y
        return (h,), y, GRUTrace(r=rz[..., :H], z=rz[..., H:], n=n, hidden_n=hidden_part[..., 2 * H :])

    def backward(self, run, dy):
        T, H, tr = dy.shape[0], self.hidden_size, run.trace
        batch_shape = run.h.shape[1:-1]
        r, z, n, hidden_n = tr.r, tr.z, tr.n, tr.hidden_n  # (T, [B,] H) each
        # dh_t/d(pre-activations) of every step at once: of r, of z, of n
        dn_pre = (1 - z) * (1 - n**2)
        dr_pre = dn_pre * hidden_n * r * (1 - r)
        dz_pre = (run.h[:-1] - n) * z * (1 - z)
        to_input_part = np.stack([dr_pre, dz_pre, dn_pre], axis=-2)  # (T, [B,] 3, H)
        to_hidden_part = np.stack([dr_pre, dz_pre, dn_pre * r], axis=-2)  # W_hh h + b_hh reaches n through r
        dh_from_output = matmul_rows(dy, self.W_hy)  # W_hy^T dy_t for every t: (T, [B,] H)
        dh = np.empty_like(run.h)
        d_input_part = np.empty((T, *batch_shape, 3 * H), dtype=run.h.dtype)
        d_hidden_part = np.empty_like(d_input_part)
        input_blocks = d_input_part.reshape(T, *batch_shape, 3, H)  # views
        hidden_blocks = d_hidden_part.reshape(T, *batch_shape, 3, H)
        dh_from_later = np.zeros_like(run.h[0])
        for t in range(T, 0, -1):
            dh[t] = dh_from_output[t - 1] + dh_from_later
            np.multiply(to_input_part[t - 1], dh[t][..., None, :], out=input_blocks[t - 1])
            np.multiply(to_hidden_part[t - 1], dh[t][..., None, :], out=hidden_blocks[t - 1])
            dh_from_later = dh[t] * z[t - 1] + d_hidden_part[t - 1] @ self.W_hh
        dh[0] = dh_from_later
        total, terms = self._affine_terms(run, d_input_part, d_hidden_part)
        readout_total, readout_terms = self._readout_terms(run, dy)
        return {**total, **readout_total}, (dh,), {**terms, **readout_terms}


def random_gru(hidden_size: int, input_size: int, output_size: int, init: str = "pytorch", seed: int = 0) -> GRU:
    """A GRU initialised as PyTorch does (or with orthogonal recurrent blocks)."""
    rng = np.random.default_rng(seed)
    return GRU(*uniform_init(3, hidden_size, input_size, output_size, rng, init))
