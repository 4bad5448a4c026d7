"""Connectivity: how strongly each output y_t depends on each input x_s, ||dy_t/dx_s||_F for every (t, s).

    dy_t/dx_s = W_hy dh_t/dh_s dh_s/dx_s  (s <= t; zero for s > t in a one-directional cell)

Each row t is one backward sweep from y_t; the sweep carries dy_t/d(state), which has only O rows, so the whole
map costs O(T^2 O H^2), not T^2 matrix products. A bidirectional model adds its backward cell's map, mirrored.
"""

from __future__ import annotations

import numpy as np

from rnnviz.bidirectional import BidirectionalRun
from rnnviz.run import Run


def _norms_and_diagonal(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """||dy_t/dx_s||_F as (T, T), indices [t-1, s-1], and the diagonal blocks dy_t/dx_t as (T, O, D).

    Only norms are kept, never the (T, T, O, D) Jacobians, so memory stays O(T^2 + T O D) for any O and D."""
    cell, T = run.cell, run.T
    norms = np.zeros((T, T))
    diagonal = np.zeros((T, cell.output_size, cell.input_size))
    start = cell.W_hy @ cell.chain_start()  # dy_t/d(state_t) = W_hy dh_t/d(state_t)
    with np.errstate(all="ignore"):
        for t in range(T, 0, -1):
            M = start  # dy_t/d(state_t)
            for s in range(t, 0, -1):
                block = cell.input_step(run, M, s)  # dy_t/dx_s, (O, D)
                norms[t - 1, s - 1] = np.sqrt(np.sum(block**2))
                if s == t:
                    diagonal[t - 1] = block
                M = cell.chain_step(run, M, s)
    return norms, diagonal


def connectivity(run) -> np.ndarray:
    """C[t-1, s-1] = ||dy_t/dx_s||_F for an unbatched run of any cell or a BidirectionalRun: (T, T).

    In a bidirectional model the forward cell reaches s <= t and the backward cell s >= t: they meet only on the
    diagonal, where their Jacobians add before the norm is taken."""
    if isinstance(run, BidirectionalRun):
        forward, forward_diagonal = _norms_and_diagonal(run.forward)
        backward, backward_diagonal = _norms_and_diagonal(run.backward)
        backward, backward_diagonal = backward[::-1, ::-1], backward_diagonal[::-1]  # back to time order
        with np.errstate(over="ignore", invalid="ignore"):
            both = forward + backward
            diagonal = np.sqrt(np.sum((forward_diagonal + backward_diagonal) ** 2, axis=(1, 2)))
        np.fill_diagonal(both, diagonal)
        return both
    if isinstance(run, Run):
        if run.batched:
            raise ValueError("run must be unbatched for connectivity")
        return _norms_and_diagonal(run)[0]
    raise ValueError(f"run must be the result of rnnviz.unroll or unroll_bidirectional, got {type(run).__name__}")
