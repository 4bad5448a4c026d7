"""Ready lessons: settings that show one effect, a question to answer before seeing it, and the explanation.

A lesson's explanation is not written in advance: `Scenario.explain` builds it from the lesson's own run (its
`LessonRun`, from `lesson_run`), so every number and verdict it states is the one its chart shows. The verdicts
and their tolerances come from `rnnviz.verdicts`, as everywhere else in the app.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnviz.comparison import Comparison, compare_cells
from rnnviz.experiment import Experiment, build_inputs, simulate
from rnnviz.init import random_rnn
from rnnviz.run import unroll
from rnnviz.settings import Settings, to_query
from rnnviz.verdicts import (
    AT,
    badge,
    badge_rule,
    compare_with_one,
    factor,
    growth_sentence,
    pascanu_sentence,
    power_of_ten,
    tolerance_words,
)

LESSON_KEY = "lesson"  # the URL query parameter naming the scenario
SURVEY_SEEDS = 40  # the IRNN lesson counts, over this many seeds, the runs that keep a unit active throughout
EARLY_STEPS = 10  # the tanh lesson says how much of the fall happens in the first steps after the impulse


@dataclass(frozen=True, eq=False)
class LessonRun:
    """What a lesson's explanation is computed from: its run, and what some lessons add to it."""

    experiment: Experiment  # the vanilla cell at the lesson's settings: the "norms" chart
    comparison: Comparison | None = None  # the "cells" chart: RNN, LSTM and GRU on the same input
    contrast: Experiment | None = None  # the same cell at `Scenario.contrast`, e.g. driven by noise
    seeds_kept: int | None = None  # of SURVEY_SEEDS seeds, how many keep a unit active at every step


@dataclass(frozen=True)
class Scenario:
    """One lesson: open it, answer the question, then reveal the chart and the explanation."""

    id: str
    title: str  # neutral: it must not give the answer away
    settings: Settings
    question: str
    choices: tuple[str, ...]
    correct: int  # index of the right answer in `choices`
    explain: Callable[[LessonRun], str]  # markdown built from the run, may hold inline LaTeX
    expected_log10: tuple[float, float]  # the right answer as a range of log10 ||dh_T/dh_0|| of the vanilla cell
    chart: str = "norms"  # "norms": ||dh_T/dh_k|| beside its bound; "cells": vanilla RNN against LSTM and GRU
    page: str | None = None  # a page that shows more, e.g. "pages/cells.py"
    contrast: Settings | None = None  # a second run the explanation compares with
    survey: bool = False  # count, over SURVEY_SEEDS seeds, the runs that keep a ReLU unit active throughout
    forget_bias: float = 1.0  # the LSTM's forget-gate bias, for the "cells" chart

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


# what the explanations measure -----------------------------------------------------------------------------------


def always_active_units(exp: Experiment) -> int:
    """How many units have f'(a_t) > 0 at every one of the run's steps (for ReLU: active throughout)."""
    return int(np.all(exp.analysed_run.trace.fprime > 0, axis=0).sum())


def seeds_keeping_a_unit_active(settings: Settings, seeds: int = SURVEY_SEEDS) -> int:
    """Of seeds 0..seeds-1 at these settings, how many runs keep at least one unit's f'(a_t) > 0 at every step.

    For a ReLU cell with W_hh = I that is exactly when ||dh_T/dh_0|| = 1; in every other run it is exactly 0.
    Only the forward pass is needed.
    """
    kept = 0
    for seed in range(int(seeds)):
        at_seed = settings.replace(seed=seed)
        xs, _, _ = build_inputs(at_seed, np.random.default_rng(seed))
        cell = random_rnn(
            at_seed.hidden_size, xs.shape[1], 3, at_seed.activation, at_seed.init, at_seed.scale, seed=seed
        )
        kept += bool(np.any(np.all(unroll(cell, xs).trace.fprime > 0, axis=0)))
    return kept


def lesson_run(scenario: Scenario) -> LessonRun:
    """Everything `scenario.explain` and the lesson's charts need, computed (the page caches each part)."""
    return LessonRun(
        experiment=simulate(scenario.settings),
        comparison=compare_cells(scenario.settings, forget_bias=scenario.forget_bias)
        if scenario.chart == "cells"
        else None,
        contrast=simulate(scenario.contrast) if scenario.contrast is not None else None,
        seeds_kept=seeds_keeping_a_unit_active(scenario.settings) if scenario.survey else None,
    )


def measured(exp: Experiment) -> float:
    """log10 ||dh_T/dh_0|| of the run: the left end of the chart's measured curve."""
    return float(exp.norms.log10_spectral[0])


def verdict(exp: Experiment) -> str:
    """The app's badge and its reason for the run, as the sidebar and the Gradients page say them."""
    return f"**The app's verdict: {exp.regime.label}.** {exp.regime.reason} (The badge: {badge_rule()}.)"


# the explanations ------------------------------------------------------------------------------------------------


def explain_sigmoid(run: LessonRun) -> str:
    exp = run.experiment
    gamma, sigma, T = exp.gamma, exp.weights["sigma_max"], exp.analysed_steps
    product = gamma * sigma
    bound, at_0 = T * math.log10(product), measured(exp)
    return (
        f"Each step back multiplies the gradient by $\\mathrm{{diag}}(\\sigma'(a_t))\\,W_{{hh}}$. The sigmoid's "
        f"slope is at most γ = {gamma:g} and this $W_{{hh}}$ has σ_max = {factor(sigma)}, so every step shrinks "
        f"the gradient at least {1 / product:.3g}-fold: after {T} steps the bound (γσ_max)^{T} is "
        f"{power_of_ten(bound)}. Measured: ‖∂h_T/∂h_0‖ = {power_of_ten(at_0)}, {bound - at_0:.1f} decades below "
        f"the bound, because σ′(a) is below 1/4 wherever a ≠ 0: {growth_sentence(exp.growth, T)}. Only "
        f"σ_max(W_hh) above 1/γ = {1 / gamma:g} would lift the guarantee.\n\n{verdict(exp)}"
    )


def explain_relu(run: LessonRun) -> str:
    exp = run.experiment
    scale, T, H = exp.settings.scale, exp.analysed_steps, exp.settings.hidden_size
    kept, at_0 = always_active_units(exp), measured(exp)
    if kept:
        along = (
            f"In this run {kept} of the {H} units were active at all {T} steps; along each of them the gradient "
            f"grows by {scale:g}^{T} = {power_of_ten(T * math.log10(scale))}"
        )
    else:
        along = f"In this run no unit was active at all {T} steps, so every path back was cut somewhere"
    return (
        f"The ReLU's slope is 1 on a unit that is active at that step ($a_t > 0$) and 0 on one that is off, and "
        f"$W_{{hh}} = {scale:g}\\,I$. So one step back multiplies the gradient by exactly {scale:g} on the units "
        f"that are active at that step, and by 0 on the others. {along}. Measured: ‖∂h_T/∂h_0‖ = "
        f"{power_of_ten(at_0)}, {growth_sentence(exp.growth, T)}. Factors multiply, they do not add: {scale:g} × "
        f"{T} would be only {scale * T:g}. Gradient norm clipping is the usual remedy.\n\n{verdict(exp)}"
    )


def explain_tanh_edge(run: LessonRun) -> str:
    exp, noise = run.experiment, run.contrast
    T = exp.analysed_steps
    h = exp.analysed_run.h[1:]  # (T, H): h_1 .. h_T
    slopes = exp.analysed_run.trace.fprime  # (T, H): tanh'(a_t)
    state = np.linalg.norm(h, axis=1)
    step = int(np.argmin(slopes.min(axis=1)))  # the step (0-based) with the smallest slope of any unit
    early = min(EARLY_STEPS, T)
    log10_norms = exp.norms.log10_spectral
    at_0 = measured(exp)
    share = (log10_norms[early] - at_0) / -at_0 if at_0 < 0 else 0.0
    text = (
        f"Every singular value of an orthogonal $W_{{hh}}$ is 1 (here σ_max = {factor(exp.weights['sigma_max'])}): "
        f"it rotates the gradient without stretching it. The impulse is not small, though: it drives the state to "
        f"‖h_1‖ = {state[0]:.2f}, and at step {step + 1} one unit sits at tanh′ = {slopes[step].min():.2g}, far "
        f"from tanh's linear part. The state then shrinks, to ‖h_{T}‖ = {state[-1]:.2f} at step {T}, and "
        f"tanh′ comes back towards 1 (its smallest value at step {T}: {slopes[-1].min():.2f}). Each step with "
        f"tanh′ < 1 takes a little from the gradient: over {T} steps ‖∂h_T/∂h_0‖ = {power_of_ten(at_0)}, about "
        f"{10**-at_0:.1f} times smaller, {share:.0%} of that (in decades) in the first {early} steps after the "
        f"impulse. γσ_max = {factor(exp.gamma * exp.weights['sigma_max'])}, so it cannot grow; it shrinks far "
        f"less than 100-fold over this length."
    )
    if noise is not None:
        noisy = measured(noise)
        text += (
            f" Switch the input to Gaussian noise (the same seed) and the units saturate: on average "
            f"{noise.saturation.mean():.0%} of them per step (after the single impulse: {exp.saturation.mean():.1%}), "
            f"and "
            f"‖∂h_T/∂h_0‖ = {power_of_ten(noisy)}, **{badge(noisy)}**."
        )
    return f"{text}\n\n{verdict(exp)}"


def explain_irnn(run: LessonRun) -> str:
    exp = run.experiment
    T, H, seed = exp.analysed_steps, exp.settings.hidden_size, exp.settings.seed
    kept, at_0 = always_active_units(exp), measured(exp)
    if at_0 == -np.inf:
        outcome = "exactly 0"
    elif compare_with_one(10.0**at_0) == AT:
        outcome = f"1 ({tolerance_words()})"
    else:
        outcome = power_of_ten(at_0)
    text = (
        f"With $W_{{hh}} = I$ each step back multiplies the gradient by $\\mathrm{{diag}}(f'(a_t))$: 1 for a unit "
        f"active at that step, 0 for one that is off. Over {T} steps the product is 1 for a unit that was active "
        f"at every step and 0 for any other, so ‖∂h_T/∂h_0‖ is **exactly 1 when at least one unit stays active at "
        f"all {T} steps, and exactly 0 when every unit is switched off at least once**. In this run (seed {seed}) "
        f"{kept} of the {H} units stayed active throughout, so ‖∂h_T/∂h_0‖ is {outcome}; the chart shows "
        f"{power_of_ten(at_0)}."
    )
    if run.seeds_kept is not None:
        text += (
            f" Over seeds 0 to {SURVEY_SEEDS - 1} at these settings, {run.seeds_kept} of {SURVEY_SEEDS} runs keep a "
            f"unit active throughout (‖∂h_T/∂h_0‖ = 1); in the other {SURVEY_SEEDS - run.seeds_kept} it is "
            f"exactly 0."
        )
    text += (
        " A unit that stays active passes the gradient on unchanged, however long the sequence: that is the IRNN's "
        "trick. Its catch is the lesson with $W_{hh} = 1.5\\,I$: a scale a little above 1 explodes."
    )
    return f"{text}\n\n{verdict(exp)}"


def explain_linear(run: LessonRun) -> str:
    exp = run.experiment
    T, at_0 = exp.analysed_steps, measured(exp)
    singular = np.linalg.svd(exp.cell.W_hh, compute_uv=False)
    low, high = factor(float(singular.min())), factor(float(singular.max()))
    values = (
        f"every singular value of this $W_{{hh}}$ is {high}"
        if low == high
        else f"its singular values run from {low} to {high}"
    )
    sigma = float(singular.max())
    return (
        f"With $f(a) = a$ there is no $\\mathrm{{diag}}(f')$: $\\partial h_T/\\partial h_k = W_{{hh}}^{{T-k}}$, a "
        f"power of the recurrent matrix. Here {values}, so the norm is {high}^(T−k): {high}^{T} = "
        f"{sigma**T:.3f} ({power_of_ten(T * math.log10(sigma))}). Measured: ‖∂h_T/∂h_0‖ = {10**at_0:.3f} "
        f"({power_of_ten(at_0)}). {pascanu_sentence(exp.gamma, exp.weights['sigma_max'], T)}. For a general "
        f"$W_{{hh}}$ the spectral radius decides in the long run, but a non-normal matrix (Gaussian init) can grow "
        f"for a while before it shrinks.\n\n{verdict(exp)}"
    )


def explain_gated(run: LessonRun, forget_bias: float) -> str:
    comparison = run.comparison
    cells = {kind: float(result.norms.log10_spectral[0]) for kind, result in comparison.cells.items()}
    vanilla, lstm, gru = cells["rnn"], cells["lstm"], cells["gru"]
    T = comparison.settings.seq_length
    with np.errstate(divide="ignore"):
        products = np.log10(comparison.forget_products[0])  # (H,) log10 prod_{t=1..T} f_t of each unit
    forget_mean = float(np.mean(comparison.cells["lstm"].gates["f"]))
    cell_path = float(comparison.cell_path.log10_spectral[0])
    further = lstm - vanilla
    return (
        f"Both cells read the same {T} steps of noise. The vanilla cell multiplies by "
        f"$\\mathrm{{diag}}(\\tanh'(a_t))\\,W_{{hh}}$ at every step: ‖∂h_T/∂h_0‖ = {power_of_ten(vanilla)}. "
        f"This LSTM starts with its forget-gate bias at {forget_bias:+g} (as Jozefowicz et al. 2015 recommend), "
        f"which alone would put its forget gates at σ({forget_bias:g}) = {1 / (1 + math.exp(-forget_bias)):.2f}; "
        f"over this run they average {forget_mean:.2f}. Its ‖∂h_T/∂h_0‖ = {power_of_ten(lstm)}: "
        f"**{badge(lstm)}** by the app's badge too, but it keeps **{abs(further):.1f} decades "
        f"{'more' if further > 0 else 'less'} of the gradient than the vanilla cell**. The GRU measures "
        f"{power_of_ten(gru)}, {abs(gru - vanilla):.1f} decades {'above' if gru > vanilla else 'below'} the vanilla "
        f"cell.\n\n"
        f"The LSTM updates its cell additively, $c_t = f_t \\odot c_{{t-1}} + i_t \\odot g_t$, so "
        f"$\\partial c_T/\\partial c_k$ contains the product of the forget gates. Only the direct path, along the "
        f"cell state with h held fixed at every step, is exactly $\\mathrm{{diag}}(\\prod f_t)$: over {T} steps its "
        f"largest unit keeps {power_of_ten(float(products.max()))}, its median unit "
        f"{power_of_ten(float(np.median(products)))}. The measured ‖∂c_T/∂c_0‖, which adds the paths through h, is "
        f"{power_of_ten(cell_path)}. A larger forget-gate bias keeps the gates nearer 1: try it on the Cells page."
    )


# the lessons -----------------------------------------------------------------------------------------------------

_STEPS_30 = "What will happen to the gradient $\\|\\partial h_T/\\partial h_0\\|$ after 30 steps back?"
_GATED_BIAS = 1.0

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario(
            id="sigmoid_vanishing",
            title="A sigmoid cell over 30 steps",
            settings=Settings(activation="sigmoid", init="orthogonal", scale=1.0, seq_length=30),
            question="A sigmoid cell whose $W_{hh}$ is orthogonal (every singular value is 1). " + _STEPS_30,
            choices=(
                "It keeps about the same size (within a factor of 100)",
                "It shrinks to about 1/4 of its size, once",
                "It shrinks below 0.25^30 ≈ 10^-18: it vanishes",
                "It grows without bound",
            ),
            correct=2,
            explain=explain_sigmoid,
            expected_log10=(-np.inf, 30 * np.log10(0.25)),
        ),
        Scenario(
            id="relu_exploding",
            title="ReLU with W_hh = 1.5 I",
            settings=Settings(activation="relu", init="identity", scale=1.5, seq_length=30),
            question="A ReLU cell with $W_{hh} = 1.5\\,I$. " + _STEPS_30,
            choices=(
                "It shrinks to almost nothing",
                "It stays about the same",
                "It grows about 1.5^30 ≈ 190,000 times",
                "It grows 1.5 × 30 = 45 times",
            ),
            correct=2,
            explain=explain_relu,
            expected_log10=(30 * np.log10(1.5) - 0.01, 30 * np.log10(1.5) + 0.01),
        ),
        Scenario(
            id="tanh_edge",
            title="tanh, an orthogonal W_hh and one impulse",
            settings=Settings(activation="tanh", init="orthogonal", scale=1.0, input_kind="impulse"),
            question="A tanh cell with an orthogonal $W_{hh}$, driven by one impulse at step 1 and nothing after. "
            "What will happen to the gradient $\\|\\partial h_T/\\partial h_0\\|$ over 60 steps?",
            choices=(
                "It vanishes (shrinks more than 100 times)",
                "It stays within a factor of 100 of its size",
                "It explodes (grows more than 100 times)",
            ),
            correct=1,
            explain=explain_tanh_edge,
            expected_log10=(-2.0, 2.0),
            contrast=Settings(activation="tanh", init="orthogonal", scale=1.0, input_kind="gaussian"),
        ),
        Scenario(
            id="irnn",
            title="IRNN: identity weights and ReLU",
            settings=Settings(activation="relu", init="identity", scale=1.0, seq_length=200),
            question="An IRNN (Le, Jaitly & Hinton 2015): ReLU with $W_{hh} = I$, 200 steps of noise, seed 0. "
            "What is $\\|\\partial h_T/\\partial h_0\\|$?",
            choices=("About 0: it vanishes", "Exactly 1", "About 200", "It explodes"),
            correct=1,
            explain=explain_irnn,
            expected_log10=(-1e-9, 1e-9),
            survey=True,
        ),
        Scenario(
            id="linear_powers",
            title="Linear cell: powers of W_hh",
            settings=Settings(activation="linear", init="orthogonal", scale=0.9, seq_length=30),
            question="A linear cell, $f(a) = a$, with $W_{hh}$ = 0.9 × an orthogonal matrix. After 30 steps back, "
            "the gradient's size is about…",
            choices=("0.9", "0.9 × 30 = 27", "0.9^30 ≈ 0.04", "0"),
            correct=2,
            explain=explain_linear,
            expected_log10=(30 * np.log10(0.9) - 0.01, 30 * np.log10(0.9) + 0.01),
        ),
        Scenario(
            id="gated_vs_vanilla",
            title="Gated against vanilla",
            settings=Settings(activation="tanh", init="gaussian", scale=1.0, seq_length=100),
            question="A vanilla tanh RNN and an LSTM (forget-gate bias +1) read the same 100 steps of noise. Which "
            "one loses less of the gradient on its way from step 100 back to step 0?",
            choices=(
                "Both lose about the same",
                "The vanilla RNN",
                "The LSTM, along its cell state",
                "Neither: both explode",
            ),
            correct=2,
            explain=lambda run: explain_gated(run, _GATED_BIAS),
            expected_log10=(-np.inf, -10.0),
            chart="cells",
            page="pages/cells.py",
            forget_bias=_GATED_BIAS,
        ),
    )
}


def get_scenario(lesson_id: str) -> Scenario:
    """The scenario called `lesson_id`; ValueError naming the choices for any other id."""
    if lesson_id not in SCENARIOS:
        raise ValueError(f"lesson must be one of {', '.join(SCENARIOS)}, got {str(lesson_id)[:32]!r}")
    return SCENARIOS[lesson_id]
