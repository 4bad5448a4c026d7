"""Connectivity: how strongly each output y_t depends on each input x_s, ||dy_t/dx_s||_F for every (t, s).

    dy_t/dx_s = W_hy dh_t/dh_s dh_s/dx_s  (s <= t; zero for s > t in a one-directional cell)

Each row t is one backward sweep from y_t; the sweep carries dy_t/d(state), which has only O rows, so the whole
map costs O(T^2 O H^2), not T^2 matrix products. A bidirectional model adds its backward cell's map, mirrored.
"""

from __future__ import annotations

import numpy as np

from rnnviz.bidirectional import BidirectionalRun
from rnnviz.run import Run


def _output_input_jacobians(run: Run) -> np.ndarray:
    """dy_t/dx_s as (T, T, O, D), indices [t-1, s-1]."""
    cell, T = run.cell, run.T
    out = np.zeros((T, T, cell.output_size, cell.input_size))
    start = cell.W_hy @ cell.chain_start()  # dy_t/d(state_t) = W_hy dh_t/d(state_t)
    with np.errstate(all="ignore"):
        for t in range(T, 0, -1):
            M = start  # dy_t/d(state_t)
            for s in range(t, 0, -1):
                out[t - 1, s - 1] = cell.input_step(run, M, s)
                M = cell.chain_step(run, M, s)
    return out


def connectivity(run) -> np.ndarray:
    """C[t-1, s-1] = ||dy_t/dx_s||_F for an unbatched run of any cell or a BidirectionalRun: (T, T)."""
    if isinstance(run, BidirectionalRun):
        forward = _output_input_jacobians(run.forward)
        backward = _output_input_jacobians(run.backward)[::-1, ::-1]  # back to time order
        jacobians = forward + backward
    elif isinstance(run, Run):
        if run.batched:
            raise ValueError("run must be unbatched for connectivity")
        jacobians = _output_input_jacobians(run)
    else:
        raise ValueError(f"run must be the result of rnnviz.unroll or unroll_bidirectional, got {type(run).__name__}")
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sqrt(np.sum(jacobians**2, axis=(2, 3)))
