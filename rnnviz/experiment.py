"""Everything the pages show for one choice of settings, computed once: the run, its gradients and diagnostics.

A notebook user gets the same numbers as the app with `simulate(Settings(...))`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz import diagnostics
from rnnviz.init import random_rnn
from rnnviz.inputs import make_inputs, sentence_inputs
from rnnviz.losses import input_steps, output_gradient
from rnnviz.rnn import RNN
from rnnviz.run import Gradients, Run, bptt, finite_part, unroll
from rnnviz.settings import Settings

INPUT_SIZE = 4  # D for the numeric inputs
OUTPUT_SIZE = 3  # O classes for the numeric inputs (a sentence predicts its next token)
SENTENCE = "Delightful place to have dinner"


@dataclass(frozen=True, eq=False)
class Experiment:
    """The run for one Settings and everything measured on it; after an overflow, on its finite part."""

    settings: Settings
    cell: RNN
    run: Run  # the whole run, T steps
    tokens: list[str] | None  # the token at each step, for sentence inputs
    targets: np.ndarray  # (T,) class index at each step
    loss: float
    analysed_steps: int  # T, or the last finite step when the run overflowed
    gradients: Gradients  # of the analysed run
    norms: diagnostics.JacobianNorms  # of dh_T'/dh_k, T' = analysed_steps
    log10_bound: np.ndarray  # (T'+1,)
    weights: dict[str, float]  # spectral_radius, sigma_max, gamma_sigma_max
    growth: float  # measured factor per step
    regime: diagnostics.Regime
    saturation: np.ndarray  # (T,)
    analysed_run: Run

    @property
    def overflow_step(self) -> int | None:
        """The first step whose state is no longer finite, or None."""
        return self.run.overflow_step

    @property
    def gamma(self) -> float:
        """sup |f'| of the cell's activation."""
        return self.cell.activation.gamma


def build_inputs(settings: Settings, rng: np.random.Generator):
    """xs (T, D), the tokens (or None) and the targets (T,) for the settings.

    Numeric inputs have D = INPUT_SIZE and random targets among OUTPUT_SIZE classes; a sentence has one-hot
    tokens (D = its vocabulary) and the next token as target. One-to-many keeps only the input at step 1.
    """
    T = settings.seq_length
    if settings.input_kind == "sentence":
        xs, tokens, vocabulary = sentence_inputs(SENTENCE, T + 1, level="word")
        targets = np.array([vocabulary.index(token) for token in tokens[1:]])  # the next token
        xs, tokens = xs[:T], tokens[:T]
    else:
        xs, tokens = make_inputs(settings.input_kind, T, INPUT_SIZE, rng), None
        targets = rng.integers(0, OUTPUT_SIZE, size=T)
    xs = xs * input_steps(settings.loss_placement, T)[:, None]  # one-to-many: input at step 1 only
    return xs, tokens, targets


def simulate(settings: Settings) -> Experiment:
    """Build the cell and the inputs from the settings' seed, run them, and measure the gradients.

    The same settings always give the same numbers (every draw comes from the settings' seed).
    """
    if not isinstance(settings, Settings):
        raise ValueError(f"settings must be an rnnviz.settings.Settings, got {type(settings).__name__}")
    rng = np.random.default_rng(settings.seed)
    xs, tokens, targets = build_inputs(settings, rng)
    output_size = xs.shape[1] if tokens is not None else OUTPUT_SIZE
    cell = random_rnn(
        settings.hidden_size,
        xs.shape[1],
        output_size,
        settings.activation,
        settings.init,
        settings.scale,
        seed=settings.seed,
    )
    run = unroll(cell, xs)
    analysed = finite_part(run)  # after an overflow: the gradients of the part up to the last finite state
    steps = analysed.T
    loss, dy = output_gradient(analysed.y, targets[:steps], settings.loss_placement)
    if run.overflow_step is None:
        loss_all = loss
    else:
        loss_all = float("inf")
    gradients = bptt(analysed, dy)
    norms = diagnostics.jacobian_norms(analysed)
    weights = diagnostics.weight_summary(cell.W_hh, cell.activation.gamma)
    return Experiment(
        settings=settings,
        cell=cell,
        run=run,
        tokens=tokens,
        targets=targets,
        loss=loss_all,
        analysed_steps=steps,
        gradients=gradients,
        norms=norms,
        log10_bound=diagnostics.log10_bound(cell.activation.gamma, weights["sigma_max"], steps),
        weights=weights,
        growth=diagnostics.growth_factor(norms.log10_spectral),
        regime=diagnostics.regime(
            norms.log10_spectral, cell.activation.gamma, weights["sigma_max"], weights["spectral_radius"]
        ),
        saturation=diagnostics.saturation_share(run),
        analysed_run=analysed,
    )
