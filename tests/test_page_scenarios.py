"""The scenarios page in AppTest: every lesson link opens, answering then revealing shows the chart and the verdict."""

import json

import pytest

from rnnviz.scenarios import SCENARIOS
from rnnviz.settings import QUERY_KEYS
from rnnviz.verdicts import badge
from tests.conftest import assert_healthy, run_app
from tests.lesson_text import NUMBER, POWER, at_step_0, matches, one

PAGE = "pages/scenarios.py"


def sidebar_settings(at) -> dict:
    return {name: at.session_state[key] for name, key in QUERY_KEYS.items()}


@pytest.mark.parametrize("lesson_id", list(SCENARIOS))
def test_each_lesson_link_opens_on_its_question_with_its_settings_in_the_sidebar(lesson_id):
    scenario = SCENARIOS[lesson_id]
    at = run_app(PAGE, scenario.query())
    assert_healthy(at)
    assert at.header[0].value == scenario.title
    assert list(at.radio(key=f"answer_{lesson_id}").options) == list(scenario.choices)
    assert not at.get("plotly_chart"), "the chart stays hidden until the answer is revealed"
    assert sidebar_settings(at) == {name: getattr(scenario.settings, name) for name in QUERY_KEYS}


@pytest.mark.parametrize("lesson_id", list(SCENARIOS))
def test_the_right_answer_then_reveal_shows_the_chart_and_says_right(lesson_id):
    scenario = SCENARIOS[lesson_id]
    at = run_app(PAGE, scenario.query())
    at.radio(key=f"answer_{lesson_id}").set_value(scenario.answer).run()
    at.button(key="reveal").click().run()
    assert_healthy(at)
    assert "Right" in at.success[0].value
    assert len(at.get("plotly_chart")) == (2 if scenario.chart == "cells" else 1)


def test_a_wrong_answer_is_told_the_right_one():
    scenario = SCENARIOS["sigmoid_vanishing"]
    wrong = next(choice for choice in scenario.choices if choice != scenario.answer)
    at = run_app(PAGE, scenario.query())
    at.radio(key="answer_sigmoid_vanishing").set_value(wrong).run()
    at.button(key="reveal").click().run()
    assert_healthy(at)
    assert not at.success
    assert scenario.answer in at.warning[0].value


def test_reveal_is_enabled_only_once_an_answer_is_picked():
    scenario = SCENARIOS["irnn"]
    at = run_app(PAGE, scenario.query())
    assert at.button(key="reveal").disabled
    assert not at.get("plotly_chart") and not at.success and not at.warning
    at.radio(key="answer_irnn").set_value(scenario.choices[0]).run()
    assert not at.button(key="reveal").disabled


@pytest.mark.parametrize("lesson_id", list(SCENARIOS))
def test_the_revealed_explanation_states_what_the_revealed_chart_draws(lesson_id):
    scenario = SCENARIOS[lesson_id]
    at = run_app(PAGE, scenario.query())
    at.radio(key=f"answer_{lesson_id}").set_value(scenario.answer).run()
    at.button(key="reveal").click().run()
    assert_healthy(at)
    shown = " ".join(block.value for block in at.markdown)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    if scenario.chart == "cells":
        vanilla, lstm = at_step_0(chart, "vanilla RNN"), at_step_0(chart, "LSTM")
        assert matches(one(r"at every step: ‖∂h_T/∂h_0‖ = " + POWER, shown).group(1), vanilla)
        assert matches(one(r"Its ‖∂h_T/∂h_0‖ = " + POWER, shown).group(1), lstm)
        assert matches(one(r"keeps \*\*" + NUMBER + " decades more", shown).group(1), lstm - vanilla)
    else:
        drawn = at_step_0(chart, "measured")
        assert matches(one(r"Over \d+ steps? ‖∂h_T/∂h_0‖ = " + POWER, shown).group(1), drawn)
        assert one(r"The app's verdict: ([a-z ]+)\.", shown).group(1) == badge(drawn)


def test_ask_again_hides_the_chart_and_clears_the_answer():
    scenario = SCENARIOS["linear_powers"]
    at = run_app(PAGE, scenario.query())
    at.radio(key="answer_linear_powers").set_value(scenario.answer).run()
    at.button(key="reveal").click().run()
    at.button(key="ask_again").click().run()
    assert_healthy(at)
    assert not at.get("plotly_chart")
    assert at.radio(key="answer_linear_powers").value is None


def test_the_gallery_button_opens_a_lesson_and_loads_its_settings():
    at = run_app(PAGE)
    assert_healthy(at)
    at.button(key="open_relu_exploding").click().run()
    assert_healthy(at)
    assert at.header[0].value == SCENARIOS["relu_exploding"].title
    assert sidebar_settings(at)["scale"] == 1.5 and sidebar_settings(at)["init"] == "identity"


def test_the_gallery_titles_do_not_give_the_answers_away():
    at = run_app(PAGE)
    shown = " ".join(block.value for block in at.markdown).lower()
    for scenario in SCENARIOS.values():
        assert f"**{scenario.title.lower()}**" in shown
    assert "vanishes" not in shown and "explodes" not in shown and "on the edge" not in shown


def test_an_unknown_lesson_in_the_link_is_named_and_the_gallery_stays():
    at = run_app(PAGE, {"lesson": "<script>"})
    assert_healthy(at)
    assert "sigmoid_vanishing" in at.warning[0].value  # the message names the lessons there are
    assert at.button(key="open_irnn")


def test_a_lesson_opened_with_other_settings_offers_to_load_its_own():
    at = run_app(PAGE, {"lesson": "irnn", "activation": "sigmoid"})
    assert_healthy(at)
    at.button(key="lesson_settings").click().run()
    assert sidebar_settings(at)["activation"] == "relu"
