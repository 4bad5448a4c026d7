"""Running a cell over a sequence and differentiating the run: `unroll`, `state_jacobians`, `bptt`.

dh_T/dh_k = prod_{t=k+1..T} dh_t/dh_{t-1}                  (one backward sweep, O(T H^3))
dL/dW = sum_t dL/dh_t * dh_t^+/dW                           (the explicit part of step t, summed)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from rnnviz._checks import as_array, as_sequence, as_state, check_cell, expect_shape
from rnnviz.cell import Cell, backward_sweep


@dataclass(eq=False)
class Run:
    """One forward pass: the states, the outputs and where the state stopped being finite."""

    cell: Cell
    xs: np.ndarray  # (T, D) or (T, B, D)
    states: tuple[np.ndarray, ...]  # one array per cell.state_names, each (T+1, [B,] H); index 0 = the initial state
    y: np.ndarray  # (T, O) or (T, B, O); y[t-1] = y_t
    trace: Any = field(repr=False)  # the cell's cache for the backward pass
    overflow_step: int | None = None  # first step t whose state is not finite

    @property
    def h(self) -> np.ndarray:
        """(T+1, [B,] H): h[0] = h0, h[t] the state after step t."""
        return self.states[0]

    @property
    def c(self) -> np.ndarray | None:
        """The LSTM's cell state, shaped like h; None for a cell without one."""
        return dict(zip(self.cell.state_names, self.states, strict=True)).get("c")

    @property
    def T(self) -> int:
        """The number of steps."""
        return self.xs.shape[0]

    @property
    def batched(self) -> bool:
        """True for a batch of sequences, xs of shape (T, B, D)."""
        return self.xs.ndim == 3


@dataclass(eq=False)
class Gradients:
    """The result of `bptt`: totals, per-step terms (built on first use) and dL/dh_t."""

    total: dict[str, np.ndarray]
    dstates: dict[str, np.ndarray]  # state name -> dL/d(state_t) for t = 0..T, shaped like the run's states
    _terms: dict = field(repr=False)

    @property
    def dh(self) -> np.ndarray:
        """Like run.h: dL/dh_t for t = 0..T, through every later step."""
        return self.dstates["h"]

    @property
    def dc(self) -> np.ndarray | None:
        """LSTM only: dL/dc_t, shaped like run.c; None for a cell without a cell state."""
        return self.dstates.get("c")

    @cached_property
    def per_step(self) -> dict[str, np.ndarray]:
        """name -> (T, *param shape); index t-1 holds step t's explicit term. Sums to `total` over axis 0."""
        return {name: outer_per_step(left, right) for name, (left, right) in self._terms.items()}

    def term_norms(self, name: str) -> np.ndarray:
        """(T,) Frobenius norm of each step's term of dL/d`name`, without building the terms when unbatched.

        For an unbatched run ||outer(u_t, v_t)||_F = ||u_t|| ||v_t||.
        """
        if name not in self._terms:
            raise ValueError(f"name must be one of {sorted(self._terms)}, got {name!r}")
        left, right = self._terms[name]
        with np.errstate(over="ignore", invalid="ignore"):
            if left.ndim == 2:
                norms = np.linalg.norm(left, axis=1)
                return norms if right is None else norms * np.linalg.norm(right, axis=1)
            terms = outer_per_step(left, right)
            return np.linalg.norm(terms.reshape(terms.shape[0], -1), axis=1)


def first_non_finite_step(states: np.ndarray) -> int | None:
    """The first t whose state states[t] has a non-finite entry, or None."""
    finite = np.isfinite(states.reshape(states.shape[0], -1)).all(axis=1)
    return None if finite.all() else int(np.argmin(finite))


def unroll(cell: Cell, xs, h0=None, c0=None) -> Run:
    """Run `cell` over a sequence from the initial state.

    Parameters
    ----------
    cell : any `rnnviz.cell.Cell`: rnnviz.RNN, rnnviz.LSTM or rnnviz.GRU.
    xs : (T, D) sequence or (T, B, D) batch of sequences, T >= 1.
    h0 : (H,) or (B, H) initial state; zeros when None.
    c0 : LSTM only: the initial cell state, like h0.

    Returns
    -------
    Run
        h (T+1, [B,] H) with h[0] = h0, y (T, [B,] O), in the cell's dtype (float64 unless the cell was made
        by `cell.astype("float32")`; xs, h0 and c0 are cast to it). Overflow is not an error: the run
        continues with non-finite numbers, nothing is raised or warned, and `overflow_step` says where the
        state first stopped being finite.
    """
    check_cell("cell", cell)
    dtype = cell.dtype  # float32 for a cell made by cell.astype("float32")
    xs = as_sequence("xs", xs, cell.input_size).astype(dtype, copy=False)
    if c0 is not None and "c" not in cell.state_names:
        raise ValueError("c0 is only for LSTM cells; this cell has no cell state")
    batch_shape = xs.shape[1:2] if xs.ndim == 3 else ()
    given = {"h": h0, "c": c0}
    state0 = tuple(
        as_state(f"{name}0", given[name], batch_shape, cell.hidden_size).astype(dtype, copy=False)
        for name in cell.state_names
    )
    with np.errstate(all="ignore"):
        states, y, trace = cell.forward(xs, state0)
    overflow = min((step for step in map(first_non_finite_step, states) if step is not None), default=None)
    return Run(cell=cell, xs=xs, states=states, y=y, trace=trace, overflow_step=overflow)


def finite_part(run: Run) -> Run:
    """The run cut before its overflow: steps 1..overflow_step - 1, every state finite (the run itself if none).

    Its states, Jacobians and gradients are those of the same network over the shorter sequence, so the
    pages can show everything up to the step where the state left floating point. A run that overflows at
    its first step keeps that step (there is no shorter run).
    """
    _check_run(run)
    if run.overflow_step is None:
        return run
    steps = max(run.overflow_step - 1, 1)
    state0 = {f"{name}0": states[0] for name, states in zip(run.cell.state_names, run.states, strict=True)}
    return unroll(run.cell, run.xs[:steps], **state0)


def _check_run(run) -> None:
    if not isinstance(run, Run):
        raise ValueError(f"run must be the result of rnnviz.unroll, got {type(run).__name__}")


def state_jacobians(run: Run, path: str = "h") -> np.ndarray:
    """J[k] = dh_T/dh_k for k = 0..T, shape (T+1, H, H); J[T] = I.

    One backward sweep J[k] = J[k+1] dh_{k+1}/dh_k over the one-step Jacobians (`rnnviz.cell.backward_sweep`).
    For the LSTM, c_k is held fixed while h_k moves; path="c" gives its cell path dc_T/dc_k with h_k held fixed
    (J is then a view of the sweep's (T+1, H, 2H) array d(path_T)/d(h_k, c_k)). Unbatched runs only. Computed in
    float64, from a float32 run's values too.
    """
    _check_run(run)
    if run.batched:
        raise ValueError("run must be unbatched (xs of shape (T, D)) for state_jacobians")
    cell, T = run.cell, run.T
    start = cell.chain_start(path)  # d(path_T)/d(state_T), (H, S)
    M = np.empty((T + 1, *start.shape))  # M[k] = d(path_T)/d(state_k), written by the sweep
    M[T] = start
    for _ in backward_sweep(run, path, out=M):  # each product written straight into M[k]: nothing copied
        pass
    return cell.chain_readout(M, path)  # path_k's columns: d(path_T)/d(path_k)


def bptt(run: Run, dy) -> Gradients:
    """Backpropagation through time for the loss whose gradient with respect to the outputs is `dy`.

    Parameters
    ----------
    run : the result of `unroll`.
    dy : dL/dy, shaped like run.y (for a batch, the loss is summed over it). Finite, unless the run
        overflowed (then its gradients are not finite either; `finite_part(run)` gives the meaningful part).

    Returns
    -------
    Gradients
        total[name] = dL/dparam; per_step[name][t-1] = step t's explicit term, summing to total;
        dh[t] = dL/dh_t for t = 0..T, through every later step. All in the run's dtype.
    """
    _check_run(run)
    dy = as_array("dy", dy, run.y.ndim, allow_non_finite=run.overflow_step is not None)
    expect_shape("dy", dy, run.y.shape)
    dy = dy.astype(run.h.dtype, copy=False)  # the gradients come in the run's dtype
    with np.errstate(all="ignore"):
        total, dstates, terms = run.cell.backward(run, dy)
    return Gradients(total=total, dstates=dict(zip(run.cell.state_names, dstates, strict=True)), _terms=terms)


def outer_per_step(left: np.ndarray, right: np.ndarray | None) -> np.ndarray:
    """Step t's term: outer(left_t, right_t) (summed over the batch), or left_t itself when right is None."""
    if right is None:
        return left if left.ndim == 2 else left.sum(axis=1)
    if left.ndim == 2:
        return left[:, :, None] * right[:, None, :]
    return np.matmul(left.transpose(0, 2, 1), right)
