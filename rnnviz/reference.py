"""The reference run and backpropagation through time of any cell, built from its `step` and `step_backward` only.

One sequence, one step at a time, the equations as written: slow and plain. The tests hold the fast passes
(`rnnviz.unroll`, `rnnviz.bptt`, which call the cells' `forward` and `backward`) to these, in float64 and float32,
and check these against central finite differences.

    forward:   state_t = step(x_t, state_{t-1})          y_t = W_hy h_t + b_y
    backward:  dL/dh_t = W_hy^T dy_t + (what step t+1 sends back)
               step t's terms, dL/d(state_{t-1}) = step_backward(x_t, state_{t-1}, dL/d(state_t))
"""

from __future__ import annotations

import numpy as np

from rnnviz.cell import Cell, State


def reference_unroll(cell: Cell, xs: np.ndarray, state0: State) -> tuple[list[State], np.ndarray]:
    """states[t] for t = 0..T (states[0] = state0) and y (T, O), for one sequence xs (T, D)."""
    states = [tuple(state0)]
    for x in xs:
        states.append(cell.step(x, states[-1]))
    y = np.array([cell.W_hy @ h + cell.b_y for h, *_ in states[1:]])
    return states, y


def reference_bptt(cell: Cell, xs: np.ndarray, state0: State, dy: np.ndarray) -> tuple[dict, list[State]]:
    """per_step[name] (T, *shape): step t's explicit term at index t-1; dstates[t] = dL/d(state_t) for t = 0..T.

    dL/dh_t is the total through y_t and every later step; the LSTM's dL/dc_t is through the later steps
    (c_t reaches y_t only through h_t, inside step t).
    """
    states, _ = reference_unroll(cell, xs, state0)
    T = len(xs)
    dstates: list[State] = [()] * (T + 1)
    terms: list[dict] = [{}] * T
    dstate = tuple(np.zeros_like(s) for s in state0)  # nothing comes back from after step T
    for t in range(T, 0, -1):
        dh, *rest = dstate
        dstates[t] = (dh + cell.W_hy.T @ dy[t - 1], *rest)  # y_t = W_hy h_t + b_y sends W_hy^T dy_t to h_t
        step_terms, dstate = cell.step_backward(xs[t - 1], states[t - 1], dstates[t])
        terms[t - 1] = {**step_terms, "W_hy": np.outer(dy[t - 1], states[t][0]), "b_y": dy[t - 1]}
    dstates[0] = dstate
    return {name: np.array([step[name] for step in terms]) for name in cell.param_names}, dstates
