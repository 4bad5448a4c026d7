"""What every cell is: the interface RNN, LSTM and GRU meet, the parameters they share, and the backward sweep.

A cell's state is a tuple: (h,) for the vanilla RNN and the GRU, (h, c) for the LSTM. Every cell has

    step(x, state) -> state                        the equations of one step, for one sequence (the reference)
    step_backward(x, state, dstate) -> (terms, dstate_prev)   its local backward rule, beside it
    forward(xs, state0) / backward(run, dy)        the same over a whole (batched) sequence, fast
    chain_step(run, M, t) -> M d(state_t)/d(state_{t-1})      the one-step Jacobian, applied to rows M

and the read-out y_t = W_hy h_t + b_y. `backward_sweep` walks the chain of one-step Jacobians back from step T:

    d(.)/d(state_k) = d(.)/d(state_{k+1}) d(state_{k+1})/d(state_k)        one product per step, O(T H^3)
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rnnviz._checks import as_array, as_dtype, expect_shape

CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}  # kind -> the name the pages print

State = tuple[np.ndarray, ...]  # (h,) or (h, c), each (H,) or (B, H)


@runtime_checkable
class Cell(Protocol):
    """The interface every cell meets (rnnviz.RNN, rnnviz.LSTM, rnnviz.GRU)."""

    kind: str  # "rnn" | "lstm" | "gru"
    param_names: tuple[str, ...]  # the constructor's arguments, in order
    state_names: tuple[str, ...]  # ("h",) or ("h", "c")
    W_hy: np.ndarray  # (O, H) read-out: y_t = W_hy h_t + b_y
    b_y: np.ndarray  # (O,)

    @property
    def hidden_size(self) -> int: ...
    @property
    def input_size(self) -> int: ...
    @property
    def output_size(self) -> int: ...
    @property
    def dtype(self) -> np.dtype: ...
    @property
    def params(self) -> dict[str, np.ndarray]: ...
    def astype(self, dtype) -> Cell: ...

    def step(self, x: np.ndarray, state: State) -> State:
        """state_t from x_t (D,) and state_{t-1}: the equations, float64, one sequence."""

    def step_backward(self, x: np.ndarray, state: State, dstate: State) -> tuple[dict[str, np.ndarray], State]:
        """From dL/d(state_t): step t's explicit term of every recurrent parameter and dL/d(state_{t-1})."""

    def forward(self, xs: np.ndarray, state0: State) -> tuple[State, np.ndarray, Any]:
        """States (each (T+1, [B,] H), index 0 = state0), y (T, [B,] O) and the trace `backward` reads."""

    def backward(self, run, dy: np.ndarray) -> tuple[dict[str, np.ndarray], State, dict]:
        """Totals dL/dparam, dL/d(state_t) for t = 0..T (one array per state) and the per-step term factors."""

    def chain_start(self, path: str = "h") -> np.ndarray:
        """d(path_T)/d(state_T): (H, S) with S = H times the number of states."""

    def chain_step(self, run, M: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """M d(state_t)/d(state_{t-1}) for rows M (r, S) of an unbatched run, written into `out` when given."""

    def chain_readout(self, M: np.ndarray, path: str = "h") -> np.ndarray:
        """The columns of M = d(.)/d(state_k) that belong to path_k: d(.)/d(path_k), the other states held fixed."""

    def input_step(self, run, M: np.ndarray, t: int) -> np.ndarray:
        """M d(state_t)/dx_t."""


class CellParameters:
    """What every cell shares: its parameters by name, its dtype, its read-out and the state it carries."""

    kind: str
    param_names: tuple[str, ...]
    state_names: tuple[str, ...] = ("h",)

    def _set_readout(self, W_hy, b_y) -> None:
        """The read-out y_t = W_hy h_t + b_y, checked against H (set the recurrent weights first)."""
        H = self.hidden_size
        self.W_hy = as_array("W_hy", W_hy, 2)
        if self.W_hy.shape[1] != H or self.W_hy.shape[0] == 0:
            raise ValueError(f"W_hy must have shape (O, H) = (O, {H}) with O >= 1, got {self.W_hy.shape}")
        self.b_y = as_array("b_y", b_y, 1)
        expect_shape("b_y", self.b_y, (self.W_hy.shape[0],))

    @property
    def hidden_size(self) -> int:
        """H, the number of hidden units."""
        return self.W_hh.shape[1]

    @property
    def output_size(self) -> int:
        """O, the size of each output y_t."""
        return self.W_hy.shape[0]

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

    # the read-out ----------------------------------------------------------------------------------
    def _readout_terms(self, run, dy: np.ndarray) -> tuple[dict, dict]:
        """Totals and per-step factors of W_hy and b_y: dL/dW_hy = sum_t outer(dy_t, h_t), dL/db_y = sum_t dy_t."""
        h_now = run.h[1:]
        return {"W_hy": sum_outer(dy, h_now), "b_y": sum_rows(dy)}, {"W_hy": (dy, h_now), "b_y": (dy, None)}

    # where the sweep starts and what it reads ------------------------------------------------------
    def _state_block(self, path: str) -> slice:
        if path not in self.state_names:
            raise ValueError(f"path must be one of this cell's states {list(self.state_names)}, got {path!r}")
        H, index = self.hidden_size, self.state_names.index(path)
        return slice(index * H, (index + 1) * H)

    def chain_start(self, path: str = "h") -> np.ndarray:
        """d(path_T)/d(state_T): the rows of the identity that pick path_T out of the state, (H, S)."""
        H = self.hidden_size
        start = np.zeros((H, H * len(self.state_names)))
        start[:, self._state_block(path)] = np.eye(H)
        return start

    def chain_readout(self, M: np.ndarray, path: str = "h") -> np.ndarray:
        """d(.)/d(path_k) from M = d(.)/d(state_k), the other states held fixed (a view of M's columns)."""
        return M[..., self._state_block(path)]


def backward_sweep(
    run, path: str = "h", stop: int = 0, rescale: bool = False, out: np.ndarray | None = None
) -> Iterator[tuple[int, np.ndarray, float]]:
    """Yield (k, M_k, log10_scale) for k = T-1 down to `stop`, with M_k * 10^log10_scale = d(path_T)/d(state_k).

    M_k = M_{k+1} d(state_{k+1})/d(state_k), starting from M_T = `cell.chain_start(path)`: one product per step.
    rescale=True divides each M_k by its Frobenius norm and carries the scale as log10_scale, so that norms like
    10^-300 or 10^+400 stay exact; a norm of 0 (log10_scale -inf) or a non-finite one (nan) ends the sweep.
    out: a (T+1, H, S) array that keeps every M_k as out[k], each product written straight into it; without it,
    M_k is the sweep's own array: read it (or copy it) before asking for the next.
    """
    cell = run.cell
    M, log_scale = cell.chain_start(path), 0.0
    for t in range(run.T, stop, -1):
        with np.errstate(all="ignore"):  # an overflow is shown, not raised; the caller's error state is left alone
            M = cell.chain_step(run, M, t, out=None if out is None else out[t - 1])
            scale = float(np.linalg.norm(M)) if rescale else 1.0
            ended = scale == 0.0 or not np.isfinite(scale)
            if rescale and not ended:
                M /= scale
                log_scale += float(np.log10(scale))
        if rescale and ended:
            yield t - 1, M, (-np.inf if scale == 0.0 else np.nan)
            return
        yield t - 1, M, log_scale


def sum_outer(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """sum over t (and the batch) of outer(left_t, right_t), as one matrix product."""
    return left.reshape(-1, left.shape[-1]).T @ right.reshape(-1, right.shape[-1])


def sum_rows(rows: np.ndarray) -> np.ndarray:
    """sum over t (and the batch) of rows_t."""
    return rows.reshape(-1, rows.shape[-1]).sum(axis=0)
