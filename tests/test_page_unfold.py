"""The Unfold page in Streamlit's AppTest: it renders for every kind of setting, steps, and survives bad links
and overflowing runs."""

from __future__ import annotations

import json

import pytest
from conftest import assert_healthy, run_app

import rnnviz.experiment
import ui.cache
from rnnviz.activations import ACTIVATIONS
from rnnviz.rnn import RNN

PAGE = "pages/unfold.py"
VIEW = "unfold_view"  # the page's tabs, in the URL: only the open one is drawn
CELL_VIEW = "One cell, two pictures"
CHARTS = {"Step by step": 1, CELL_VIEW: 1, "The whole run": 2}  # the graph; the two pictures of the cell; the
# animation and ||h_t|| with saturation


def assert_every_view_draws(query: dict[str, str] | None = None) -> None:
    """Each of the page's views opens healthy with all of its charts."""
    for view, charts in CHARTS.items():
        at = run_app(PAGE, query={**(query or {}), VIEW: view})
        assert_healthy(at)
        assert len(at.get("plotly_chart")) == charts, view


def step_of(at) -> int:
    return next(slider.value for slider in at.slider if slider.key == "step")


def latex(at) -> str:
    return "\n".join(element.value for element in at.latex)


def text(at) -> str:
    return "\n".join(element.value for element in [*at.markdown, *at.caption])


def test_defaults_open_the_step_view_with_every_part_of_it():
    at = run_app(PAGE)
    assert_healthy(at)
    assert [tab.label for tab in at.tabs] == list(CHARTS)
    assert len(at.get("plotly_chart")) == CHARTS["Step by step"]
    assert step_of(at) == 1
    assert r"W_{hh}\,h_{0} + W_{xh}\,x_{1} + b_h" in latex(at)
    assert r"\mathrm{softmax}(y_{1})" in latex(at)
    assert "weight sharing" in text(at) and "h_0 = 0" in text(at)
    assert at.metric[0].value == "1,283"
    assert "Look at:" in text(at)


@pytest.mark.parametrize("query", [{"H": "256", "T": "500"}, {"H": "2", "T": "2"}], ids=["largest", "smallest"])
def test_extreme_sizes_render(query):
    assert_every_view_draws(query)
    at = run_app(PAGE, query=query)
    slider = next(s for s in at.slider if s.key == "step")
    assert slider.max == int(query["T"])


def test_a_large_state_is_written_out_in_its_first_units_with_a_note():
    at = run_app(PAGE, query={"H": "256", "T": "500"})
    assert "first 6 of the H = 256 units" in text(at)
    at = run_app(PAGE, query={"H": "256", "T": "500", VIEW: "The whole run"})
    assert "first 64 of the 256 units" in text(at)


def test_the_two_pictures_follow_the_step_and_keep_it_across_the_views():
    at = run_app(PAGE, {"step": "7"})
    at.session_state[VIEW] = CELL_VIEW
    at.run()
    assert_healthy(at)
    (chart,) = at.get("plotly_chart")
    assert "step 7" in json.loads(chart.proto.spec)["layout"]["title"]["text"]
    assert "Both pictures compute the same a_t" in text(at)  # what to look at, under the chart
    at.button(key="step_next").click().run()
    assert step_of(at) == 8
    at.session_state[VIEW] = "Step by step"
    at.run()
    assert_healthy(at)
    assert step_of(at) == 8 and r"W_{hh}\,h_{7} + W_{xh}\,x_{8}" in latex(at)


def test_the_whole_run_view_shows_the_animation_and_the_norms_instead_of_the_stepper():
    at = run_app(PAGE)
    at.session_state[VIEW] = "The whole run"
    at.run()
    assert_healthy(at)
    titles = " ".join(json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart"))
    assert "The state h" in titles and "saturated" in titles
    assert not [slider for slider in at.slider if slider.key == "step"]  # the stepper belongs to the other view


def test_a_link_to_an_unknown_view_opens_the_step_view():
    at = run_app(PAGE, query={VIEW: "<script>alert(1)</script>"})
    assert_healthy(at)
    assert step_of(at) == 1


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_renders(activation):
    assert_every_view_draws({"activation": activation})


def test_sentence_input_names_the_word_at_each_step():
    at = run_app(PAGE, query={"input": "sentence", "step": "2"})
    assert_healthy(at)
    assert "“place”" in text(at)


def test_the_step_buttons_move_the_step_and_the_link():
    at = run_app(PAGE, query={"T": "20"})
    at.button(key="step_next").click().run()
    assert step_of(at) == 2 and at.query_params["step"] == "2"
    at.button(key="step_last").click().run()
    assert step_of(at) == 20
    at.button(key="step_prev").click().run()
    assert step_of(at) == 19
    assert r"a_{19}" in latex(at)
    at.button(key="step_first").click().run()
    assert step_of(at) == 1
    assert_healthy(at)


def test_buttons_that_would_leave_the_run_are_disabled():
    at = run_app(PAGE, query={"T": "5"})
    assert at.button(key="step_first").disabled and at.button(key="step_prev").disabled
    at.button(key="step_last").click().run()
    assert at.button(key="step_next").disabled and at.button(key="step_last").disabled


def test_a_step_in_the_link_opens_that_step():
    at = run_app(PAGE, query={"step": "7"})
    assert step_of(at) == 7
    assert r"a_{7}" in latex(at)


@pytest.mark.parametrize(("raw", "reason"), [("abc", "not a whole number"), ("9999", "outside 1 to 60")])
def test_a_bad_step_in_the_link_falls_back_to_step_1_with_a_notice(raw, reason):
    at = run_app(PAGE, query={"step": raw})
    assert_healthy(at)
    assert step_of(at) == 1
    assert any(reason in warning.value for warning in at.warning)


@pytest.fixture
def overflowing_runs(monkeypatch):
    """Every run drawn with W_hh 1000 times larger: ReLU with W_hh = 3000 I overflows after about 90 steps."""
    draw = rnnviz.experiment.random_rnn

    def boosted(*args, **kwargs):
        cell = draw(*args, **kwargs)
        return RNN(**{**cell.params, "W_hh": 1000 * cell.params["W_hh"]}, activation=cell.activation.name)

    monkeypatch.setattr(rnnviz.experiment, "random_rnn", boosted)
    for cache in (ui.cache.experiment_for, ui.cache.figure, ui.cache.cell_views):
        cache.clear()
    yield
    for cache in (ui.cache.experiment_for, ui.cache.figure, ui.cache.cell_views):
        cache.clear()


def test_an_overflowing_run_shows_the_banner_and_the_finite_part(overflowing_runs):
    at = run_app(PAGE, query={"activation": "relu", "init": "identity", "scale": "3", "T": "500"})
    assert_healthy(at)
    banners = [error.value for error in at.error if "overflowed at step" in error.value]
    assert banners and "finite part" in banners[0]
    assert len(at.get("plotly_chart")) == CHARTS["Step by step"]
    at.button(key="step_last").click().run()
    assert_healthy(at)
    assert "no longer finite" in text(at)
    assert r"\text{NaN}" in latex(at) or r"\infty" in latex(at)
    at = run_app(
        PAGE, query={"activation": "relu", "init": "identity", "scale": "3", "T": "500", VIEW: "The whole run"}
    )
    assert_healthy(at)
    assert len(at.get("plotly_chart")) == CHARTS["The whole run"]
