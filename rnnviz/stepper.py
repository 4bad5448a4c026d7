"""One step of the recurrence broken into its parts, for the page that steps through a run.

    a_t = W_hh h_{t-1} + W_xh x_t + b_h,    h_t = f(a_t),    y_t = W_hy h_t + b_y,    p_t = softmax(y_t)

The same numbers in the other common picture of the cell: a_t = W [h_{t-1}; x_t] + b_h with W = [W_hh  W_xh].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.activations import softmax
from rnnviz.run import _check_run


@dataclass(frozen=True)
class StepParts:
    """Every number of one step t, in the order the recurrence computes them."""

    t: int
    h_prev: np.ndarray  # h_{t-1} (H,)
    x: np.ndarray  # x_t (D,)
    recurrent_part: np.ndarray  # W_hh h_{t-1} (H,)
    input_part: np.ndarray  # W_xh x_t (H,)
    bias: np.ndarray  # b_h (H,)
    a: np.ndarray  # a_t (H,)
    fprime: np.ndarray  # f'(a_t) (H,)
    h: np.ndarray  # h_t (H,)
    y: np.ndarray  # y_t (O,)
    p: np.ndarray  # softmax(y_t) (O,)
    concatenated: np.ndarray  # [h_{t-1}; x_t] (H + D,)
    W_concatenated: np.ndarray  # [W_hh  W_xh] (H, H + D)


def step_parts(run, t: int) -> StepParts:
    """The parts of step t (1..T) of an unbatched run of an RNN cell.

    recurrent_part + input_part + bias equals a (up to rounding), and so does W_concatenated @ concatenated + bias.
    """
    _check_run(run)
    cell = run.cell
    if getattr(cell, "kind", None) != "rnn" or run.batched:
        raise ValueError("run must be an unbatched run of an rnnviz.RNN for step_parts")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= run.T:
        raise ValueError(f"t must be an integer between 1 and T = {run.T}, got {t!r}")
    h_prev, x = run.h[t - 1], run.xs[t - 1]
    with np.errstate(all="ignore"):
        recurrent_part = cell.W_hh @ h_prev
        input_part = cell.W_xh @ x
        return StepParts(
            t=int(t),
            h_prev=h_prev,
            x=x,
            recurrent_part=recurrent_part,
            input_part=input_part,
            bias=cell.b_h,
            a=run.trace.a[t - 1],
            fprime=run.trace.fprime[t - 1],
            h=run.h[t],
            y=run.y[t - 1],
            p=softmax(run.y[t - 1]),
            concatenated=np.concatenate([h_prev, x]),
            W_concatenated=np.hstack([cell.W_hh, cell.W_xh]),
        )
