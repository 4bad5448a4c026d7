"""A bidirectional RNN: a second cell reads the sequence backwards; the outputs are combined per step.

    forward:  h^f_t from x_1..x_t            backward:  h^b_t from x_T..x_t
    y_t = y^f_t + y^b_t = W^f_hy h^f_t + b^f_y + W^b_hy h^b_t + b^b_y

(Schuster & Paliwal 1997.) Summing the two read-outs equals one read-out of [h^f_t; h^b_t] with [W^f_hy  W^b_hy].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.run import Gradients, Run, bptt, unroll


@dataclass(frozen=True)
class Bidirectional:
    """Two cells with the same input and output sizes: `forward` reads x_1..x_T, `backward` reads x_T..x_1."""

    forward: object
    backward: object

    def __post_init__(self):
        for attribute in ("input_size", "output_size"):
            if getattr(self.forward, attribute) != getattr(self.backward, attribute):
                raise ValueError(f"backward must have the same {attribute} as forward")

    @property
    def dtype(self) -> np.dtype:
        """The floating-point type of the forward cell (see `astype`)."""
        return self.forward.dtype

    def astype(self, dtype) -> Bidirectional:
        """Both cells as `cell.astype(dtype)`: "float32" or "float64"."""
        return Bidirectional(self.forward.astype(dtype), self.backward.astype(dtype))


@dataclass(frozen=True, eq=False)
class BidirectionalRun:
    forward: Run  # states in reading order: forward.h[t] = h^f_t
    backward: Run  # backward.h[j] is the state after reading x_T..x_{T-j+1}
    y: np.ndarray  # (T, [B,] O) combined outputs

    @property
    def T(self) -> int:
        return self.forward.T

    @property
    def backward_states(self) -> np.ndarray:
        """h^b_t for t = 1..T in time order, (T, [B,] H): the backward state that has read x_T..x_t."""
        return self.backward.h[1:][::-1]


def unroll_bidirectional(model: Bidirectional, xs) -> BidirectionalRun:
    """Run both directions over xs ((T, D) or (T, B, D)) from zero states."""
    if not isinstance(model, Bidirectional):
        raise ValueError(f"model must be an rnnviz.Bidirectional, got {type(model).__name__}")
    forward = unroll(model.forward, xs)
    backward = unroll(model.backward, np.asarray(xs, dtype=float)[::-1])
    return BidirectionalRun(forward, backward, forward.y + backward.y[::-1])


def bptt_bidirectional(run: BidirectionalRun, dy) -> tuple[Gradients, Gradients]:
    """The gradients of both cells for dL/dy; the backward cell sees dy in its reading order."""
    dy = np.asarray(dy, dtype=float)
    return bptt(run.forward, dy), bptt(run.backward, dy[::-1])
