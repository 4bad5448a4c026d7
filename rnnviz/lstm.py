"""The LSTM cell in PyTorch's form and layout (gates i, f, g, o stacked), its step, Jacobians and backward rule.

    z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh = [z_i; z_f; z_g; z_o]
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)      g = tanh(z_g)
    c_t = f * c_{t-1} + i * g         h_t = o * tanh(c_t)         y_t = W_hy h_t + b_y

Hochreiter & Schmidhuber (1997); the forget gate of Gers, Schmidhuber & Cummins (2000). The cell path
dc_t/dc_{t-1} = diag(f_t): while the forget gates stay near 1, the gradient along it survives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._gated import GatedCell, uniform_init
from rnnviz.activations import get_activation
from rnnviz.cell import State
from rnnviz.fast import HalvedSigmoidGates, matmul_rows, one_minus_square, sigmoid_in_place, transposed_for_steps

sigmoid = get_activation("sigmoid").f


@dataclass(frozen=True, eq=False)
class LSTMTrace:
    i: np.ndarray  # (T, [B,] H) each
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    tanh_c: np.ndarray  # tanh(c_t)
    gates: np.ndarray  # (T, [B,] 4H): [i, f, g, o], of which the four above are views


class LSTM(GatedCell):
    """torch.nn.LSTM's equations and weight layout, with a linear read-out y_t = W_hy h_t + b_y."""

    kind = "lstm"
    n_gates = 4
    gate_names = ("i", "f", "g", "o")
    state_names = ("h", "c")

    # the equations ---------------------------------------------------------------------------------
    def gates(self, x: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, ...]:
        """i, f, g, o of one step from x_t and h_{t-1}."""
        z_i, z_f, z_g, z_o = np.split(self.W_ih @ x + self.b_ih + self.W_hh @ h + self.b_hh, 4)
        return sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)

    def step(self, x: np.ndarray, state: State) -> State:
        """c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t)."""
        h, c = state
        i, f, g, o = self.gates(x, h)
        c = f * c + i * g
        return o * np.tanh(c), c

    def step_backward(self, x: np.ndarray, state: State, dstate: State) -> tuple[dict, State]:
        """From dL/dh_t and dL/dc_t (through later steps): step t's terms and dL/d(h_{t-1}, c_{t-1})."""
        (h_prev, c_prev), (dh, dc) = state, dstate
        i, f, g, o = self.gates(x, h_prev)
        tanh_c = np.tanh(f * c_prev + i * g)
        dc = dc + dh * o * (1 - tanh_c**2)  # c_t reaches the loss through h_t = o * tanh(c_t) too
        dz_i, dz_f, dz_g = dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2)
        dz_o = dh * tanh_c * o * (1 - o)
        dz = np.concatenate([dz_i, dz_f, dz_g, dz_o])  # dL/dz_t, z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        terms = {"W_ih": np.outer(dz, x), "W_hh": np.outer(dz, h_prev), "b_ih": dz, "b_hh": dz}
        return terms, (self.W_hh.T @ dz, dc * f)

    # one-step Jacobians ----------------------------------------------------------------------------
    def _gate_gradients(self, run, M: np.ndarray, t: int):
        """For M = d(.)/d(h_t, c_t): d(.)/dz_t (rows, 4H) and d(.)/dc_t through both h_t and c_t (rows, H)."""
        H, tr = self.hidden_size, run.trace
        i, f, g, o, tanh_c = (tr.i[t - 1], tr.f[t - 1], tr.g[t - 1], tr.o[t - 1], tr.tanh_c[t - 1])
        M_h, M_c = M[:, :H], M[:, H:]
        N = M_h * (o * (1 - tanh_c**2)) + M_c
        dz = np.hstack(
            [
                N * (g * i * (1 - i)),  # dc_t/dz_i
                N * (run.c[t - 1] * f * (1 - f)),  # dc_t/dz_f
                N * (i * (1 - g**2)),  # dc_t/dz_g
                M_h * (tanh_c * o * (1 - o)),  # dh_t/dz_o
            ]
        )
        return dz, N

    def chain_step(self, run, M: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """M d(h_t, c_t)/d(h_{t-1}, c_{t-1}) for M = d(.)/d(h_t, c_t) of shape (rows, 2H) (into `out` when given)."""
        dz, N = self._gate_gradients(run, M, t)
        return np.concatenate([dz @ self.W_hh, N * run.trace.f[t - 1]], axis=1, out=out)  # [d/dh_{t-1}, d/dc_{t-1}]

    def input_step(self, run, M: np.ndarray, t: int) -> np.ndarray:
        """M d(h_t, c_t)/dx_t."""
        return self._gate_gradients(run, M, t)[0] @ self.W_ih

    # the whole sequence, fast ----------------------------------------------------------------------
    def forward(self, xs, state0):
        h0, c0 = state0
        T, H = xs.shape[0], self.hidden_size
        W_ih_T, W_hh_T, bias = self.W_ih.T, transposed_for_steps(self.W_hh), self.b_ih + self.b_hh
        halved = None
        if self.dtype == np.float32:  # sigmoid's tanh form: z_i, z_f, z_o computed halved (exactly)
            halved = HalvedSigmoidGates(np.arange(4 * H) // H == 2)
            W_ih_T, W_hh_T, bias = halved.halve(W_ih_T), halved.halve(W_hh_T), halved.halve(bias)
        input_part = matmul_rows(xs, W_ih_T)
        input_part += bias  # W_ih x_t + b_ih + b_hh for every t: (T, [B,] 4H)
        h = np.empty((T + 1, *h0.shape), dtype=input_part.dtype)
        c = np.empty_like(h)
        tanh_c = np.empty((T, *h0.shape), dtype=h.dtype)
        gates = np.empty_like(input_part)  # [i, f, g, o] after their nonlinearities
        i_times_g = np.empty_like(h0)
        h[0], c[0] = h0, c0
        for t in range(1, T + 1):
            z = gates[t - 1]
            np.matmul(h[t - 1], W_hh_T, out=z)
            z += input_part[t - 1]  # z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
            _activate_gates(z, H, halved)
            i, f, g, o = z[..., :H], z[..., H : 2 * H], z[..., 2 * H : 3 * H], z[..., 3 * H :]
            np.multiply(f, c[t - 1], out=c[t])
            c[t] += np.multiply(i, g, out=i_times_g)  # c_t = f * c_{t-1} + i * g
            np.tanh(c[t], out=tanh_c[t - 1])
            np.multiply(o, tanh_c[t - 1], out=h[t])  # h_t = o * tanh(c_t)
        y = matmul_rows(h[1:], self.W_hy.T) + self.b_y
        i, f, g, o = (gates[..., k * H : (k + 1) * H] for k in range(4))
        return (h, c), y, LSTMTrace(i=i, f=f, g=g, o=o, tanh_c=tanh_c, gates=gates)

    def backward(self, run, dy):
        T, H, tr = dy.shape[0], self.hidden_size, run.trace
        batch_shape = run.h.shape[1:-1]
        i, f, g, o, tanh_c, c_prev = tr.i, tr.f, tr.g, tr.o, tr.tanh_c, run.c[:-1]  # (T, [B,] H) each
        dh_from_output = matmul_rows(dy, self.W_hy)  # W_hy^T dy_t for every t: (T, [B,] H)
        dh, dc = np.empty_like(run.h), np.empty_like(run.c)
        dz = np.empty((T, *batch_shape, 4 * H), dtype=run.h.dtype)
        dz_blocks = dz.reshape(T, *batch_shape, 4, H)  # views: [dz_i, dz_f, dz_g, dz_o]
        dh_from_later = np.zeros_like(run.h[0])
        dc_from_later = np.zeros_like(run.c[0])
        local = np.empty_like(run.h[0])  # one step's local derivative, reused (a step's arrays stay in cache)
        factor = np.zeros_like(tr.gates[0])  # what each sigmoid gate multiplies: [g, c_{t-1}, (unused), tanh(c_t)]
        factor_blocks = factor.reshape(*batch_shape, 4, H)
        one_minus_gate = np.empty_like(factor)
        for t in range(T, 0, -1):
            s = t - 1  # step t's index in the (T, ...) arrays
            np.add(dh_from_output[s], dh_from_later, out=dh[t])  # dL/dh_t = W_hy^T dy_t + W_hh^T dL/dz_{t+1}
            one_minus_square(tanh_c[s], out=local)
            local *= o[s]  # dh_t/dc_t = o * (1 - tanh(c_t)^2)
            local *= dh[t]
            np.add(dc_from_later, local, out=dc[t])  # dL/dc_t = f_{t+1} dL/dc_{t+1} + dL/dh_t dh_t/dc_t
            # the sigmoid gates i, f, o at once: d(factor * gate)/dz = factor * gate * (1 - gate)
            factor_blocks[..., 0, :], factor_blocks[..., 1, :], factor_blocks[..., 3, :] = g[s], c_prev[s], tanh_c[s]
            np.multiply(factor, tr.gates[s], out=dz[s])
            np.subtract(1, tr.gates[s], out=one_minus_gate)
            dz[s] *= one_minus_gate  # (g's block is overwritten next)
            one_minus_square(g[s], out=dz_blocks[s, ..., 2, :])
            dz_blocks[s, ..., 2, :] *= i[s]  # dc_t/dz_g = i (1 - g^2)
            dz_blocks[s, ..., :3, :] *= dc[t][..., None, :]  # i, f, g reach the loss through c_t
            dz_blocks[s, ..., 3, :] *= dh[t]  # o through h_t
            np.matmul(dz[s], self.W_hh, out=dh_from_later)  # W_hh^T dL/dz_t
            np.multiply(dc[t], f[s], out=dc_from_later)  # dL/dc_t dc_t/dc_{t-1}
        dh[0], dc[0] = dh_from_later, dc_from_later
        total, terms = self._affine_terms(run, dz, dz)
        readout_total, readout_terms = self._readout_terms(run, dy)
        return {**total, **readout_total}, (dh, dc), {**terms, **readout_terms}


def _activate_gates(z: np.ndarray, H: int, halved: HalvedSigmoidGates | None) -> np.ndarray:
    """[z_i, z_f, z_g, z_o] -> [i, f, g, o] = [sigmoid, sigmoid, tanh, sigmoid] in place: in float32 through the
    halved sigmoid (z_i, z_f, z_o arrive halved), in float64 as 1 / (1 + exp(-z))."""
    if halved is not None:
        return halved.activate(z)
    g = np.tanh(z[..., 2 * H : 3 * H])
    sigmoid_in_place(z)  # i, f, o (g's block is overwritten next)
    z[..., 2 * H : 3 * H] = g
    return z


def forget_gate_products(run) -> np.ndarray:
    """prod_{t=k+1..T} f_t for k = 0..T, (T+1, H): the direct cell path's factor in dc_T/dc_k."""
    f = run.trace.f  # (T, H)
    products = np.ones((run.T + 1, f.shape[-1]))
    for k in range(run.T - 1, -1, -1):
        products[k] = products[k + 1] * f[k]
    return products


def random_lstm(
    hidden_size: int, input_size: int, output_size: int, init: str = "pytorch", forget_bias: float = 0.0, seed: int = 0
) -> LSTM:
    """An LSTM initialised as PyTorch does (or with orthogonal recurrent blocks); `forget_bias` is added to the
    forget gate's b_ih (Jozefowicz et al. 2015 recommend 1)."""
    rng = np.random.default_rng(seed)
    W_ih, W_hh, b_ih, b_hh, W_hy, b_y = uniform_init(4, hidden_size, input_size, output_size, rng, init)
    b_ih[hidden_size : 2 * hidden_size] += forget_bias
    return LSTM(W_ih, W_hh, b_ih, b_hh, W_hy, b_y)
