"""Vanilla RNN, LSTM and GRU side by side on the same input, seed and sizes: how far each carries a gradient.

For the LSTM the cell path dc_T/dc_k (h_k held fixed) is measured beside prod_{t=k+1..T} f_t, the forget gates'
product that it contains: while the gates stay near 1 the gradient survives along it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz import diagnostics
from rnnviz.bidirectional import Bidirectional, unroll_bidirectional
from rnnviz.cell import CELL_NAMES
from rnnviz.connectivity import connectivity
from rnnviz.experiment import OUTPUT_SIZE, build_inputs
from rnnviz.gru import random_gru
from rnnviz.init import random_rnn
from rnnviz.lstm import forget_gate_products, random_lstm
from rnnviz.run import Run, unroll
from rnnviz.settings import Settings

GATED_INITS = ("pytorch", "orthogonal")
CONNECTIVITY_STEPS = 40  # the connectivity map covers the first steps only: it costs O(T^2)
MAX_HIDDEN, MAX_STEPS = 64, 200  # three cells at once: the comparison keeps to these sizes


def comparison_settings(settings: Settings) -> tuple[Settings, str | None]:
    """The settings clamped to the comparison's sizes, and a sentence saying so when they were."""
    H, T = min(settings.hidden_size, MAX_HIDDEN), min(settings.seq_length, MAX_STEPS)
    if (H, T) == (settings.hidden_size, settings.seq_length):
        return settings, None
    return settings.replace(hidden_size=H, seq_length=T), (
        f"The comparison runs three cells at once, so it uses H = {H} and T = {T} "
        f"(your settings: H = {settings.hidden_size}, T = {settings.seq_length})."
    )


@dataclass(frozen=True, eq=False)
class CellResult:
    kind: str  # "rnn" | "lstm" | "gru"
    name: str
    run: Run
    norms: diagnostics.JacobianNorms  # log10 ||dh_T/dh_k||
    gates: dict[str, np.ndarray]  # gate name -> (T, H) activations (empty for the vanilla cell)
    connectivity: np.ndarray  # (S, S) ||dy_t/dx_s|| over the first S steps

    @property
    def growth(self) -> float:
        return diagnostics.growth_factor(self.norms.log10_spectral)


@dataclass(frozen=True, eq=False)
class Comparison:
    settings: Settings
    cells: dict[str, CellResult]  # "rnn", "lstm", "gru"
    cell_path: diagnostics.JacobianNorms  # LSTM: log10 ||dc_T/dc_k||
    forget_products: np.ndarray  # LSTM: (T+1, H) prod of forget gates from k+1 to T
    bidirectional_connectivity: np.ndarray  # (S, S) of a bidirectional vanilla RNN
    bidirectional_run: object


def compare_cells(
    settings: Settings,
    forget_bias: float = 1.0,
    gated_init: str = "pytorch",
    connectivity_steps: int = CONNECTIVITY_STEPS,
) -> Comparison:
    """Run the three cells on the inputs `settings` describes; the vanilla cell uses its activation and init."""
    if gated_init not in GATED_INITS:
        raise ValueError(f"gated_init must be one of {list(GATED_INITS)}, got {gated_init!r}")
    rng = np.random.default_rng(settings.seed)
    xs, tokens, _ = build_inputs(settings, rng)
    H, D, seed = settings.hidden_size, xs.shape[1], settings.seed
    O = D if tokens is not None else OUTPUT_SIZE
    cells = {
        "rnn": random_rnn(H, D, O, settings.activation, settings.init, settings.scale, seed=seed),
        "lstm": random_lstm(H, D, O, init=gated_init, forget_bias=forget_bias, seed=seed),
        "gru": random_gru(H, D, O, init=gated_init, seed=seed),
    }
    S = min(int(connectivity_steps), xs.shape[0])
    results = {}
    for kind, cell in cells.items():
        run = unroll(cell, xs)
        trace = run.trace
        gates = {name: getattr(trace, name) for name in getattr(cell, "gate_names", ())}
        results[kind] = CellResult(
            kind, CELL_NAMES[kind], run, diagnostics.jacobian_norms(run), gates, connectivity(unroll(cell, xs[:S]))
        )
    lstm_run = results["lstm"].run
    reverse = random_rnn(H, D, O, settings.activation, settings.init, settings.scale, seed=seed + 1)
    bidirectional_run = unroll_bidirectional(Bidirectional(cells["rnn"], reverse), xs[:S])
    return Comparison(
        settings=settings,
        cells=results,
        cell_path=diagnostics.jacobian_norms(lstm_run, path="c"),
        forget_products=forget_gate_products(lstm_run),
        bidirectional_connectivity=connectivity(bidirectional_run),
        bidirectional_run=bidirectional_run,
    )
