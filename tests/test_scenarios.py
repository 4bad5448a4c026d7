"""Every lesson's explanation says what its own run measured and what its charts draw, and its link reopens it.

Each number an explanation prints is parsed back and compared with the chart's data or with a measurement made
here, independently of the explanation (tolerance: half a unit in the last printed digit, tests/lesson_text.py).
"""

import math

import numpy as np
import pytest

from rnnviz.comparison import compare_cells
from rnnviz.experiment import simulate
from rnnviz.figures import cell_path_figure, cells_norms_figure, jacobian_norms_figure
from rnnviz.scenarios import (
    LESSON_KEY,
    SCENARIOS,
    SURVEY_SEEDS,
    Scenario,
    explain_tanh_edge,
    get_scenario,
    lesson_run,
)
from rnnviz.settings import Settings, parse_query
from rnnviz.verdicts import badge
from tests.lesson_text import NUMBER, POWER, at_step_0, matches, one

IDS = list(SCENARIOS)
MEASURED = "measured"  # the vanilla cell's measured curve on the Gradients chart


@pytest.fixture(scope="module")
def runs():
    return {lesson_id: lesson_run(scenario) for lesson_id, scenario in SCENARIOS.items()}


def explanation(runs, lesson_id: str) -> str:
    return SCENARIOS[lesson_id].explain(runs[lesson_id])


def vanilla_chart(runs, lesson_id: str):
    run = runs[lesson_id]
    return cells_norms_figure(run.comparison) if run.comparison is not None else jacobian_norms_figure(run.experiment)


def vanilla_at_0(runs, lesson_id: str) -> float:
    part = "vanilla RNN" if SCENARIOS[lesson_id].chart == "cells" else MEASURED
    return at_step_0(vanilla_chart(runs, lesson_id), part)


@pytest.mark.parametrize("lesson_id", IDS)
def test_the_right_answer_holds_for_the_lessons_run(lesson_id, runs):
    low, high = SCENARIOS[lesson_id].expected_log10
    assert runs[lesson_id].experiment.overflow_step is None
    assert low <= vanilla_at_0(runs, lesson_id) <= high


@pytest.mark.parametrize("lesson_id", [i for i in IDS if SCENARIOS[i].chart == "norms"])
def test_the_verdict_in_each_reveal_is_the_badge_of_the_value_its_chart_draws(lesson_id, runs):
    text = explanation(runs, lesson_id)
    drawn = vanilla_at_0(runs, lesson_id)
    label = one(r"\*\*The app's verdict: ([a-z ]+)\.\*\*", text).group(1)
    assert label == badge(drawn)
    over = one(r"Over (\d+) steps? ‖∂h_T/∂h_0‖ = " + POWER, text)
    assert int(over.group(1)) == SCENARIOS[lesson_id].settings.seq_length
    assert matches(over.group(2), drawn)
    if label != "vanishing":
        assert "vanishing is guaranteed" not in text


@pytest.mark.parametrize("lesson_id", IDS)
def test_each_reveal_states_only_numbers_of_its_run(lesson_id, runs):
    """Built twice from the same run it is the same; built from another run (another seed and scale) it changes."""
    scenario = SCENARIOS[lesson_id]
    assert scenario.explain(runs[lesson_id]) == explanation(runs, lesson_id)
    settings = scenario.settings.replace(seed=7, scale=0.95 * scenario.settings.scale)
    other = lesson_run(Scenario(**{**scenario.__dict__, "settings": settings}))
    assert scenario.explain(other) != explanation(runs, lesson_id)


def test_sigmoid_reveal_the_bound_the_measurement_and_the_gap_are_the_charts(runs):
    text, exp = explanation(runs, "sigmoid_vanishing"), runs["sigmoid_vanishing"].experiment
    chart = jacobian_norms_figure(exp)
    bound = one(r"the bound \(γσ_max\)\^(\d+) is " + POWER, text)
    assert matches(bound.group(2), at_step_0(chart, "bound"))
    assert matches(one(r"Measured: ‖∂h_T/∂h_0‖ = " + POWER, text).group(1), at_step_0(chart, MEASURED))
    gap = one(NUMBER + r" decades below the bound", text).group(1)
    assert matches(gap, at_step_0(chart, "bound") - at_step_0(chart, MEASURED))
    fold = one(r"at least " + NUMBER + r"-fold", text).group(1)
    sigma = np.linalg.svd(exp.cell.W_hh, compute_uv=False).max()
    assert float(fold) == pytest.approx(1 / (0.25 * sigma), rel=1e-3)


def test_relu_reveal_counts_the_units_active_throughout_and_the_power(runs):
    text, exp = explanation(runs, "relu_exploding"), runs["relu_exploding"].experiment
    kept, H, T = (int(n) for n in one(r"(\d+) of the (\d+) units were active at all (\d+) steps", text).groups())
    assert (H, T) == (32, 30)
    assert kept == int(np.all(exp.analysed_run.trace.a > 0, axis=0).sum()) > 0
    assert "exactly 1.5 on the units that are active at that step" in text
    power = one(r"1\.5\^30 = " + POWER, text).group(1)
    assert matches(power, 30 * math.log10(1.5))
    assert matches(one(r"Measured: ‖∂h_T/∂h_0‖ = " + POWER, text).group(1), vanilla_at_0(runs, "relu_exploding"))


def test_tanh_reveal_the_state_the_slope_the_fall_and_the_noisy_run(runs):
    text, exp = explanation(runs, "tanh_edge"), runs["tanh_edge"].experiment
    a = exp.analysed_run.trace.a  # (T, H)
    assert matches(one(r"‖h_1‖ = " + NUMBER, text).group(1), float(np.linalg.norm(np.tanh(a[0]))))
    slope = one(r"at step (\d+) one unit sits at tanh′ = ([\d.e-]+)", text)
    slopes = 1 - np.tanh(a) ** 2
    assert int(slope.group(1)) == int(np.argmin(slopes.min(axis=1))) + 1
    assert float(slope.group(2)) == pytest.approx(slopes.min(), rel=0.01)
    drawn = vanilla_at_0(runs, "tanh_edge")
    times = one(r"about " + NUMBER + r" times smaller", text).group(1)
    assert matches(times, 10**-drawn)
    assert 1 < float(times) < 100  # the right answer: within a factor of 100
    noisy = simulate(SCENARIOS["tanh_edge"].contrast)
    noise = one(r"Gaussian noise .*‖∂h_T/∂h_0‖ = " + POWER + r", \*\*([a-z ]+)\*\*", text)
    assert matches(noise.group(1), float(noisy.norms.log10_spectral[0]))
    assert noise.group(2) == badge(float(noisy.norms.log10_spectral[0])) == "vanishing"


def test_tanh_reveal_says_nothing_about_noise_without_the_noisy_run(runs):
    run = runs["tanh_edge"]
    alone = explain_tanh_edge(type(run)(experiment=run.experiment))
    assert "Gaussian noise" not in alone


def test_irnn_reveal_says_when_the_gradient_is_exactly_one_and_counts_the_seeds(runs):
    text, exp = explanation(runs, "irnn"), runs["irnn"].experiment
    kept = int(one(r"(\d+) of the 32 units stayed active throughout", text).group(1))
    assert kept == int(np.all(exp.analysed_run.trace.a > 0, axis=0).sum()) >= 1
    assert "‖∂h_T/∂h_0‖ is 1 (within" in text
    assert vanilla_at_0(runs, "irnn") == pytest.approx(0.0, abs=1e-9)
    seeds = one(r"(\d+) of (\d+) runs keep a unit active throughout", text)
    assert int(seeds.group(2)) == SURVEY_SEEDS
    exactly_one = 0
    for seed in range(SURVEY_SEEDS):  # the condition, checked against the full measurement of every seed
        at_0 = simulate(SCENARIOS["irnn"].settings.replace(seed=seed)).norms.log10_spectral[0]
        assert at_0 == -np.inf or abs(at_0) < 1e-9, (seed, at_0)
        exactly_one += bool(at_0 != -np.inf)
    assert int(seeds.group(1)) == exactly_one
    assert int(one(r"in the other (\d+) it is exactly 0", text).group(1)) == SURVEY_SEEDS - exactly_one


def test_linear_reveal_is_the_power_of_w_hh_and_agrees_with_its_badge(runs):
    text, exp = explanation(runs, "linear_powers"), runs["linear_powers"].experiment
    power = one(r"0\.9\^30 = " + NUMBER, text).group(1)
    assert matches(power, 0.9**30)
    measured = one(r"Measured: ‖∂h_T/∂h_0‖ = " + NUMBER, text).group(1)
    assert matches(measured, 10 ** vanilla_at_0(runs, "linear_powers"))
    k = np.arange(exp.analysed_steps + 1)
    np.testing.assert_allclose(exp.norms.log10_spectral, (exp.analysed_steps - k) * np.log10(0.9), atol=1e-9)
    assert "near the edge" in text and "vanishing is guaranteed" not in text
    assert "guarantees vanishing (10^-2) from T = 44" in text  # 0.9^43 > 10^-2 >= 0.9^44
    assert 0.9**43 > 1e-2 >= 0.9**44


def test_gated_reveal_compares_the_cells_as_its_charts_draw_them(runs):
    text, comparison = explanation(runs, "gated_vs_vanilla"), runs["gated_vs_vanilla"].comparison
    top, bottom = cells_norms_figure(comparison), cell_path_figure(comparison)
    vanilla, lstm, gru = (at_step_0(top, name) for name in ("vanilla RNN", "LSTM", "GRU"))
    assert matches(one(r"at every step: ‖∂h_T/∂h_0‖ = " + POWER, text).group(1), vanilla)
    assert matches(one(r"Its ‖∂h_T/∂h_0‖ = " + POWER, text).group(1), lstm)
    lstm_words = one(r"\*\*([a-z ]+)\*\* by the app's badge too", text).group(1)
    assert lstm_words == badge(lstm) == "vanishing"
    assert matches(one(r"keeps \*\*" + NUMBER + r" decades more", text).group(1), lstm - vanilla)
    assert matches(one(r"The GRU measures " + POWER, text).group(1), gru)
    assert matches(one(NUMBER + r" decades above the vanilla", text).group(1), gru - vanilla)
    assert one(r"forget-gate bias at ([+-][\d.]+)", text).group(1) == "+1"
    assert matches(one(r"σ\(1\) = " + NUMBER, text).group(1), 1 / (1 + math.exp(-1)))
    assert matches(one(r"they average " + NUMBER, text).group(1), float(comparison.cells["lstm"].gates["f"].mean()))
    assert matches(one(r"largest unit keeps " + POWER, text).group(1), at_step_0(bottom, "largest unit"))
    assert matches(one(r"median unit " + POWER, text).group(1), at_step_0(bottom, "median unit"))
    assert matches(one(r"which adds the paths through h, is " + POWER, text).group(1), at_step_0(bottom, "measured"))
    assert "contains the product of the forget gates" in text and "holds only" not in text


@pytest.mark.parametrize("lesson_id", IDS)
def test_each_lesson_link_holds_its_id_and_reopens_its_settings(lesson_id):
    scenario = SCENARIOS[lesson_id]
    query = scenario.query()
    assert query[LESSON_KEY] == lesson_id
    settings, notices = parse_query(query)
    assert settings == scenario.settings
    assert notices == []


def test_the_lessons_named_in_the_issue_are_all_there():
    assert set(IDS) == {"sigmoid_vanishing", "relu_exploding", "tanh_edge", "irnn", "linear_powers", "gated_vs_vanilla"}


@pytest.mark.parametrize("lesson_id", IDS)
def test_no_title_gives_the_answer_away(lesson_id):
    title = SCENARIOS[lesson_id].title.lower()
    assert not any(word in title for word in ("vanish", "explode", "edge", "exactly", "survive"))


def test_the_gated_lesson_runs_the_lstm_with_the_forget_bias_it_states():
    scenario = SCENARIOS["gated_vs_vanilla"]
    assert "forget-gate bias +1" in scenario.question and scenario.forget_bias == 1.0
    stated = compare_cells(scenario.settings, forget_bias=scenario.forget_bias)
    other = compare_cells(scenario.settings, forget_bias=0.0)
    assert stated.cells["lstm"].norms.log10_spectral[0] != other.cells["lstm"].norms.log10_spectral[0]


@pytest.mark.parametrize("lesson_id", IDS)
def test_only_the_correct_choice_counts_as_right(lesson_id):
    scenario = SCENARIOS[lesson_id]
    right = [choice for choice in scenario.choices if scenario.is_correct(choice)]
    assert right == [scenario.answer]
    assert not scenario.is_correct(None)


def test_an_unknown_lesson_id_names_the_choices():
    with pytest.raises(ValueError, match="sigmoid_vanishing"):
        get_scenario("nope")


def test_a_lesson_whose_answer_is_not_a_choice_is_refused():
    with pytest.raises(ValueError, match="correct"):
        Scenario("x", "x", Settings(), "?", ("a", "b"), 2, lambda run: "", (0.0, 0.0))
