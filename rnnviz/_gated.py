"""What the LSTM and the GRU share: PyTorch's parameter layout and its checks, and the affine parts' gradients."""

from __future__ import annotations

import numpy as np

from rnnviz._checks import as_array, expect_shape
from rnnviz.cell import CellParameters, sum_outer, sum_rows
from rnnviz.init import orthogonal


class GatedCell(CellParameters):
    """Parameters W_ih (G*H, D), W_hh (G*H, H), b_ih (G*H,), b_hh (G*H,), W_hy (O, H), b_y (O,); G gates."""

    n_gates: int
    gate_names: tuple[str, ...]
    param_names = ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_y")

    def __init__(self, W_ih, W_hh, b_ih, b_hh, W_hy, b_y):
        G = self.n_gates
        self.W_hh = as_array("W_hh", W_hh, 2)
        if self.W_hh.shape[0] % G or self.W_hh.shape[0] == 0:
            raise ValueError(f"W_hh must have shape ({G}H, H) with H >= 1, got {self.W_hh.shape}")
        H = self.W_hh.shape[0] // G
        expect_shape("W_hh", self.W_hh, (G * H, H))
        self.W_ih = as_array("W_ih", W_ih, 2)
        if self.W_ih.shape[0] != G * H or self.W_ih.shape[1] == 0:
            raise ValueError(f"W_ih must have shape ({G * H}, D) with D >= 1, got {self.W_ih.shape}")
        self.b_ih = as_array("b_ih", b_ih, 1)
        expect_shape("b_ih", self.b_ih, (G * H,))
        self.b_hh = as_array("b_hh", b_hh, 1)
        expect_shape("b_hh", self.b_hh, (G * H,))
        self._set_readout(W_hy, b_y)

    @property
    def input_size(self) -> int:
        return self.W_ih.shape[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(H={self.hidden_size}, D={self.input_size}, O={self.output_size})"

    def _affine_terms(self, run, d_input_part, d_hidden_part):
        """Totals and per-step factors of W_ih, b_ih (from d(W_ih x + b_ih)) and W_hh, b_hh (from d(W_hh h + b_hh))."""
        h_prev, xs = run.h[:-1], run.xs
        b_ih = sum_rows(d_input_part)
        total = {
            "W_ih": sum_outer(d_input_part, xs),
            "W_hh": sum_outer(d_hidden_part, h_prev),
            "b_ih": b_ih,
            "b_hh": b_ih.copy() if d_hidden_part is d_input_part else sum_rows(d_hidden_part),  # LSTM: the same
        }
        terms = {
            "W_ih": (d_input_part, xs),
            "W_hh": (d_hidden_part, h_prev),
            "b_ih": (d_input_part, None),
            "b_hh": (d_hidden_part, None),
        }
        return total, terms


def uniform_init(
    n_gates: int,
    hidden_size: int,
    input_size: int,
    output_size: int,
    rng: np.random.Generator,
    recurrent: str = "pytorch",
):
    """PyTorch's default: every weight and bias U(-1/sqrt(H), 1/sqrt(H)); recurrent="orthogonal" makes each
    gate's block of W_hh orthogonal instead. The read-out W_hy ~ N(0, 1/H), b_y = 0."""
    G, H, D, O = n_gates, hidden_size, input_size, output_size
    k = 1.0 / np.sqrt(H)
    W_ih = rng.uniform(-k, k, (G * H, D))
    W_hh = rng.uniform(-k, k, (G * H, H))
    if recurrent == "orthogonal":
        W_hh = np.vstack([orthogonal(H, H, rng) for _ in range(G)])
    elif recurrent != "pytorch":
        raise ValueError(f"init must be 'pytorch' or 'orthogonal', got {recurrent!r}")
    b_ih = rng.uniform(-k, k, G * H)
    b_hh = rng.uniform(-k, k, G * H)
    W_hy = rng.standard_normal((O, H)) / np.sqrt(H)
    return W_ih, W_hh, b_ih, b_hh, W_hy, np.zeros(O)
