"""Every lesson shows what its explanation says, and its link reopens it."""

import numpy as np
import pytest

from rnnviz.comparison import compare_cells
from rnnviz.experiment import simulate
from rnnviz.scenarios import LESSON_KEY, SCENARIOS, Scenario, get_scenario
from rnnviz.settings import Settings, parse_query

IDS = list(SCENARIOS)


@pytest.mark.parametrize("lesson_id", IDS)
def test_each_lesson_measures_what_its_explanation_claims(lesson_id):
    scenario = SCENARIOS[lesson_id]
    exp = simulate(scenario.settings)
    low, high = scenario.expected_log10
    assert exp.overflow_step is None
    assert low <= exp.norms.log10_spectral[0] <= high


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


def test_sigmoid_lesson_shrinks_at_least_fourfold_per_step():
    exp = simulate(SCENARIOS["sigmoid_vanishing"].settings)
    assert exp.gamma == 0.25
    assert exp.weights["sigma_max"] == pytest.approx(1.0)
    assert exp.regime.label == "vanishing"
    assert np.all(np.diff(exp.norms.log10_spectral) >= np.log10(4) - 1e-9)


def test_relu_lesson_explodes_by_exactly_one_and_a_half_per_step():
    exp = simulate(SCENARIOS["relu_exploding"].settings)
    assert exp.regime.label == "exploding"
    assert exp.growth == pytest.approx(1.5, rel=1e-9)


def test_tanh_lesson_stays_on_the_edge_but_vanishes_with_noise_as_its_explanation_says():
    scenario = SCENARIOS["tanh_edge"]
    assert simulate(scenario.settings).regime.label == "near the edge"
    assert simulate(scenario.settings.replace(input_kind="gaussian")).regime.label == "vanishing"


def test_irnn_lesson_passes_the_gradient_on_unchanged_at_every_step():
    exp = simulate(SCENARIOS["irnn"].settings)
    np.testing.assert_allclose(exp.norms.log10_spectral, 0.0, atol=1e-9)


def test_linear_lesson_is_the_power_of_w_hh():
    exp = simulate(SCENARIOS["linear_powers"].settings)
    k = np.arange(exp.analysed_steps + 1)
    np.testing.assert_allclose(exp.norms.log10_spectral, (exp.analysed_steps - k) * np.log10(0.9), atol=1e-9)


def test_gated_lesson_the_lstm_cell_path_keeps_far_more_than_the_vanilla_cell():
    comparison = compare_cells(SCENARIOS["gated_vs_vanilla"].settings)
    vanilla = comparison.cells["rnn"].norms.log10_spectral[0]
    cell_path = comparison.cell_path.log10_spectral[0]
    assert vanilla < -15
    assert cell_path - vanilla > 10


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
        Scenario("x", "x", Settings(), "?", ("a", "b"), 2, "", (0.0, 0.0))
