"""Ready lessons: settings that show one effect, a question to answer before seeing it, and the explanation.

Each scenario's settings are checked by tests to show what its explanation says (through
`rnnviz.experiment.simulate`, or `rnnviz.comparison.compare_cells` for the gated one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.settings import Settings, to_query

LESSON_KEY = "lesson"  # the URL query parameter naming the scenario


@dataclass(frozen=True)
class Scenario:
    """One lesson: open it, answer the question, then reveal the chart and the explanation."""

    id: str
    title: str
    settings: Settings
    question: str
    choices: tuple[str, ...]
    correct: int  # index of the right answer in `choices`
    explanation: str  # markdown, may hold inline LaTeX
    expected_log10: tuple[float, float]  # the explanation's claim: log10 ||dh_T/dh_0|| of the vanilla cell
    chart: str = "norms"  # "norms": ||dh_T/dh_k|| beside its bound; "cells": vanilla RNN against LSTM and GRU
    page: str | None = None  # a page that shows more, e.g. "pages/cells.py"

    def __post_init__(self):
        if not 0 <= self.correct < len(self.choices):
            raise ValueError(f"correct must index one of the {len(self.choices)} choices, got {self.correct}")

    @property
    def answer(self) -> str:
        return self.choices[self.correct]

    def is_correct(self, choice: str | None) -> bool:
        return choice == self.answer

    def query(self) -> dict[str, str]:
        """The URL query parameters that open this lesson: its id and its settings."""
        return {LESSON_KEY: self.id, **to_query(self.settings)}


_STEPS_30 = "What will happen to the gradient $\\|\\partial h_T/\\partial h_0\\|$ after 30 steps back?"

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario(
            id="sigmoid_vanishing",
            title="Sigmoid: the gradient vanishes",
            settings=Settings(activation="sigmoid", init="orthogonal", scale=1.0, seq_length=30),
            question="A sigmoid cell whose $W_{hh}$ is orthogonal (every singular value is 1). " + _STEPS_30,
            choices=(
                "It keeps about the same size (within a factor of 100)",
                "It shrinks to about 1/4 of its size, once",
                "It shrinks below 0.25^30 ≈ 10^-18: it vanishes",
                "It grows without bound",
            ),
            correct=2,
            explanation=(
                "Each step back multiplies the gradient by $\\mathrm{diag}(\\sigma'(a_t))\\,W_{hh}$. The sigmoid's "
                "slope "
                "is at most $\\gamma = 1/4$ and this $W_{hh}$ stretches nothing, so every step shrinks the gradient at "
                "least fourfold: after 30 steps at most $0.25^{30} \\approx 10^{-18}$, and in fact less, because "
                "$\\sigma'$ is below 1/4 away from $a = 0$. Only a weight scale above $1/\\gamma = 4$ could stop it."
            ),
            expected_log10=(-np.inf, 30 * np.log10(0.25)),
        ),
        Scenario(
            id="relu_exploding",
            title="ReLU at scale 1.5: the gradient explodes",
            settings=Settings(activation="relu", init="identity", scale=1.5, seq_length=30),
            question="A ReLU cell with $W_{hh} = 1.5\\,I$. " + _STEPS_30,
            choices=(
                "It shrinks to almost nothing",
                "It stays about the same",
                "It grows about 1.5^30 ≈ 190,000 times",
                "It grows 1.5 × 30 = 45 times",
            ),
            correct=2,
            explanation=(
                "The ReLU's slope is 1 on every active unit and $W_{hh} = 1.5\\,I$, so each step back multiplies the "
                "gradient by exactly 1.5. Factors multiply, they do not add: $1.5^{30} \\approx 10^{5.3}$. Here "
                "$\\gamma\\,\\sigma_{max} = 1.5 > 1$, which Pascanu et al. show is necessary for an explosion. "
                "Gradient "
                "norm clipping is the usual remedy."
            ),
            expected_log10=(30 * np.log10(1.5) - 0.01, 30 * np.log10(1.5) + 0.01),
        ),
        Scenario(
            id="tanh_edge",
            title="tanh with orthogonal W_hh: on the edge",
            settings=Settings(activation="tanh", init="orthogonal", scale=1.0, input_kind="impulse"),
            question="A tanh cell with an orthogonal $W_{hh}$, driven by one impulse at step 1 and nothing after. "
            "What will happen to the gradient $\\|\\partial h_T/\\partial h_0\\|$ over 60 steps?",
            choices=(
                "It vanishes (shrinks more than 100 times)",
                "It stays within a factor of 100 of its size",
                "It explodes (grows more than 100 times)",
            ),
            correct=1,
            explanation=(
                "Every singular value of an orthogonal $W_{hh}$ is 1: it rotates the gradient without stretching it. "
                "After the impulse the state stays small, so tanh works in its linear part where $\\tanh' \\approx 1$, "
                "and the product of 60 Jacobians keeps its size. Switch the input to Gaussian noise and the units "
                "saturate: $\\tanh'$ drops below 1 and the gradient vanishes again."
            ),
            expected_log10=(-2.0, 2.0),
        ),
        Scenario(
            id="irnn",
            title="IRNN: identity weights and ReLU",
            settings=Settings(activation="relu", init="identity", scale=1.0, seq_length=200),
            question="An IRNN (Le, Jaitly & Hinton 2015): ReLU with $W_{hh} = I$, 200 steps of noise. "
            "What is $\\|\\partial h_T/\\partial h_0\\|$?",
            choices=("About 0: it vanishes", "Exactly 1", "About 200", "It explodes"),
            correct=1,
            explanation=(
                "With $W_{hh} = I$ each step back multiplies the gradient by $\\mathrm{diag}(f'(a_t))$: 1 for an "
                "active "
                "unit, 0 for one that is off. A unit that stays active passes the gradient on unchanged, however long "
                "the sequence. That is the IRNN's trick; its catch is the previous lesson: a scale a little above 1 "
                "explodes."
            ),
            expected_log10=(-1e-9, 1e-9),
        ),
        Scenario(
            id="linear_powers",
            title="Linear cell: powers of W_hh",
            settings=Settings(activation="linear", init="orthogonal", scale=0.9, seq_length=30),
            question="A linear cell, $f(a) = a$, with $W_{hh}$ = 0.9 × an orthogonal matrix. After 30 steps back, "
            "the gradient's size is about…",
            choices=("0.9", "0.9 × 30 = 27", "0.9^30 ≈ 0.04", "0"),
            correct=2,
            explanation=(
                "With $f(a) = a$ there is no $\\mathrm{diag}(f')$: $\\partial h_T/\\partial h_k = W_{hh}^{T-k}$, a "
                "power "
                "of the recurrent matrix. Every singular value of this $W_{hh}$ is 0.9, so the norm is exactly "
                "$0.9^{T-k}$: $0.9^{30} \\approx 0.042$. For a general $W_{hh}$ the spectral radius decides in the "
                "long "
                "run, but a non-normal matrix (init: gaussian) can grow for a while before it shrinks."
            ),
            expected_log10=(30 * np.log10(0.9) - 0.01, 30 * np.log10(0.9) + 0.01),
        ),
        Scenario(
            id="gated_vs_vanilla",
            title="Gated against vanilla",
            settings=Settings(activation="tanh", init="gaussian", scale=1.0, seq_length=100),
            question="A vanilla tanh RNN and an LSTM read the same 100 steps of noise. Which one still carries a "
            "gradient from step 100 back to step 0?",
            choices=(
                "Both lose it equally fast",
                "The vanilla RNN",
                "The LSTM, along its cell state",
                "Neither: both explode",
            ),
            correct=2,
            explanation=(
                "The vanilla cell multiplies by $\\mathrm{diag}(\\tanh'(a_t))\\,W_{hh}$ at every step and loses about "
                "20 orders of magnitude over 100 steps. The LSTM updates its cell additively, "
                "$c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$, so $\\partial c_T/\\partial c_k$ holds only the product "
                "of the forget gates: with gates near 1 it shrinks far more slowly. The Cells page compares RNN, LSTM "
                "and GRU in detail."
            ),
            expected_log10=(-np.inf, -10.0),
            chart="cells",
            page="pages/cells.py",
        ),
    )
}


def get_scenario(lesson_id: str) -> Scenario:
    """The scenario called `lesson_id`; ValueError naming the choices for any other id."""
    if lesson_id not in SCENARIOS:
        raise ValueError(f"lesson must be one of {', '.join(SCENARIOS)}, got {str(lesson_id)[:32]!r}")
    return SCENARIOS[lesson_id]
