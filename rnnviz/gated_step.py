"""One step t of a gated cell broken into its parts: each gate's pre-activation and value, the cell update, h_t.

LSTM (gates i, f, g, o), with z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh = [z_i; z_f; z_g; z_o]:

    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)    g = tanh(z_g)
    c_t = f * c_{t-1} + i * g                              h_t = o * tanh(c_t)

GRU (gates r, z, n), PyTorch's form:

    r = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)    z = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))  h_t = (1 - z) * n + z * h_{t-1}

The gate values come from the cell's own `gates`; the pre-activations are recomputed from the weights, so that the
page can write both sides of each equation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.run import Run, _check_run

GATE_KINDS = ("lstm", "gru")


@dataclass(frozen=True, eq=False)
class GatedStep:
    """Every number of step t of an LSTM or a GRU, in the order the cell computes them."""

    kind: str  # "lstm" | "gru"
    t: int
    x: np.ndarray  # x_t (D,)
    h_prev: np.ndarray  # h_{t-1} (H,)
    c_prev: np.ndarray | None  # c_{t-1} (H,), LSTM only
    input_parts: dict[str, np.ndarray]  # gate -> its block of W_ih x_t + b_ih (H,)
    hidden_parts: dict[str, np.ndarray]  # gate -> its block of W_hh h_{t-1} + b_hh (H,)
    pre: dict[str, np.ndarray]  # gate -> its pre-activation (H,); for the GRU's n: input part + r * hidden part
    gates: dict[str, np.ndarray]  # gate -> its value (H,)
    c: np.ndarray | None  # c_t (H,), LSTM only
    h: np.ndarray  # h_t (H,)

    @property
    def gate_names(self) -> tuple[str, ...]:
        return tuple(self.gates)

    @property
    def hidden_size(self) -> int:
        return self.h.shape[0]


def _blocks(values: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    return dict(zip(names, np.split(values, len(names)), strict=True))


def gated_step(run: Run, t: int) -> GatedStep:
    """The parts of step t (1..T) of an unbatched run of an `rnnviz.LSTM` or `rnnviz.GRU`.

    Each gate's value is the cell's own (`cell.gates`); c_t and h_t are recomputed from them with the equations
    above, so they equal `run.c[t]` and `run.h[t]` up to rounding.
    """
    _check_run(run)
    cell = run.cell
    if getattr(cell, "kind", None) not in GATE_KINDS or run.batched:
        raise ValueError("run must be an unbatched run of an rnnviz.LSTM or rnnviz.GRU for gated_step")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= run.T:
        raise ValueError(f"t must be an integer between 1 and T = {run.T}, got {t!r}")
    t, names = int(t), cell.gate_names
    x, h_prev = run.xs[t - 1], run.h[t - 1]
    with np.errstate(all="ignore"):
        input_parts = _blocks(cell.W_ih @ x + cell.b_ih, names)
        hidden_parts = _blocks(cell.W_hh @ h_prev + cell.b_hh, names)
        if cell.kind == "lstm":
            c_prev = run.c[t - 1]
            pre = {name: input_parts[name] + hidden_parts[name] for name in names}
            gates = dict(zip(names, cell.gates(x, h_prev), strict=True))
            c = gates["f"] * c_prev + gates["i"] * gates["g"]
            h = gates["o"] * np.tanh(c)
        else:
            c_prev = c = None
            r, z, n, _ = cell.gates(x, h_prev)
            gates = {"r": r, "z": z, "n": n}
            pre = {
                "r": input_parts["r"] + hidden_parts["r"],
                "z": input_parts["z"] + hidden_parts["z"],
                "n": input_parts["n"] + r * hidden_parts["n"],
            }
            h = (1 - z) * n + z * h_prev
    return GatedStep(cell.kind, t, x, h_prev, c_prev, input_parts, hidden_parts, pre, gates, c, h)
