"""The Gradients (BPTT) page in AppTest: what it shows at the defaults, the k slider, the value toggle, the
loss placement, overflow and bad input."""

import json
import re

import numpy as np
import pytest
from conftest import assert_healthy, run_app

from rnnviz.experiment import simulate
from rnnviz.settings import Settings
from rnnviz.verdicts import factor, growth_sentence

PAGE = "pages/gradients.py"
OVERFLOWING = {"activation": "linear", "scale": "3", "H": "2", "T": "500", "seed": "2"}  # overflows at step 426


@pytest.fixture(scope="module")
def page():
    return run_app(PAGE)


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.latex])


def charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titles(at) -> list[str]:
    """Each chart's title as one line (a long title is wrapped with <br>)."""
    return [spec["layout"]["title"]["text"].replace("<br>", " ") for spec in charts(at)]


VIEW = "gradients_view"  # the page's tabs, in the URL: only the open one is drawn
VIEW_CHARTS = {  # charts under each tab, after the one above them all (||dh_T/dh_k|| against k)
    "Each step's term": 1,
    "The gradient flowing back": 1,
    "∂h_T/∂h_k up close": 1,
    "Every step in numbers": 0,
    "ρ against σ_max": 1,
}


def open_view(view: str, query: dict[str, str] | None = None):
    return run_app(PAGE, {**(query or {}), VIEW: view})


def assert_every_view_draws(query: dict[str, str] | None = None) -> None:
    """Every tab opens healthy with its titled charts (and the main chart above the tabs), each with words."""
    for view, count in VIEW_CHARTS.items():
        at = open_view(view, query)
        assert_healthy(at)
        titles = chart_titles(at)
        assert len(titles) == 1 + count and all(titles), view
        assert "‖∂h_T/∂h_k‖ against the steps back" in titles[0]
        assert sum("Look at:" in caption.value for caption in at.caption) >= 1 + count, view


def test_the_page_opens_healthy_on_the_step_terms_with_every_tab_named(page):
    assert_healthy(page)
    assert [tab.label for tab in page.tabs] == list(VIEW_CHARTS)
    assert any("Each step's own term" in title for title in chart_titles(page))


def test_every_view_draws_titled_charts_with_words_on_what_to_look_at():
    assert_every_view_draws()


def test_the_page_shows_the_regime_the_radius_sigma_max_and_the_growth_in_words(page):
    exp = simulate(Settings())
    metrics = {metric.label: metric.value for metric in page.metric}
    assert metrics["ρ(W_hh)"] == factor(exp.weights["spectral_radius"])
    assert metrics["σ_max(W_hh)"] == f"{exp.weights['sigma_max']:.3g}"
    words = texts(page)
    assert f"badge[{exp.regime.label}]" in words
    assert growth_sentence(exp.growth, exp.analysed_steps) in words


def test_pascanu_conditions_are_stated_for_these_numbers():
    vanishing = texts(run_app(PAGE, {"activation": "sigmoid", "scale": "2"}))  # sigma_max about 3.5 < 4
    assert "Sufficient for vanishing" in vanishing and "1/γ = 4" in vanishing
    assert "Necessary for exploding" in texts(run_app(PAGE, {"scale": "2"}))
    assert "Linear cell" in texts(run_app(PAGE, {"activation": "linear"}))


def test_the_derivation_substitutes_this_runs_gamma_and_sigma_max(page):
    exp = simulate(Settings())
    bound_line = next(x.value for x in page.latex if r"\gamma\,\sigma_{\max})^{T-k}" in x.value)
    assert f"({exp.gamma:g} \\times {exp.weights['sigma_max']:.3g})^{{T-k}}" in bound_line


def test_the_share_carried_by_the_last_steps_is_said_in_words(page):
    assert re.search(r"The last \*\*\d+ of 60 steps\*\* carry 99%", texts(page))


@pytest.mark.parametrize(
    "placement, words",
    [("many_to_one", "Many-to-one"), ("many_to_many", "Many-to-many"), ("one_to_many", "One-to-many")],
)
def test_the_loss_placement_is_explained_for_the_chosen_shape(placement, words):
    at = run_app(PAGE, {"loss": placement})
    assert_healthy(at)
    assert f"**{words}:**" in texts(at)


def test_moving_k_redraws_the_jacobian_at_that_step():
    at = open_view("∂h_T/∂h_k up close")
    assert at.slider(key="k").value == 50  # ten steps back from T = 60
    at.slider(key="k").set_value(12).run()
    assert_healthy(at)
    assert "At k = 12, T - k = 48 steps back" in texts(at)
    assert any("at k = 12" in title for title in chart_titles(at))


def test_a_k_beyond_the_run_is_clamped_into_it():
    at = open_view("∂h_T/∂h_k up close", {"k": "400"})
    assert_healthy(at)
    assert 0 <= at.slider(key="k").value <= 59


def test_the_rescaled_table_has_every_norm_column_peak_at_one():
    at = open_view("Every step in numbers")
    columns = ["bound (γ σ_max)^(T-k)", "‖∂L/∂h_k‖", "‖term of ∂L/∂W_hh‖"]
    absolute = at.dataframe[0].value
    assert all(absolute[column].max() != pytest.approx(1.0) for column in columns)
    at.button_group(key="values").set_value("rescaled").run()
    assert_healthy(at)
    rescaled = at.dataframe[0].value
    assert len(rescaled) == 61
    assert all(rescaled[column].max() == pytest.approx(1.0) for column in columns)


def test_the_table_can_be_downloaded_as_csv():
    labels = [button.label for button in open_view("Every step in numbers").get("download_button")]
    assert labels == ["Download the table (CSV)", "Download an offline report (HTML)"]


@pytest.mark.parametrize("view", list(VIEW_CHARTS))
def test_every_view_offers_the_pages_report(view):
    labels = [button.label for button in open_view(view).get("download_button")]
    assert labels.count("Download an offline report (HTML)") == 1


def test_an_overflowing_run_shows_a_banner_and_plots_its_finite_part():
    at = run_app(PAGE, OVERFLOWING)
    assert_healthy(at)
    assert any("overflowed at step 426" in error.value for error in at.error)
    assert all("overflowed at step 426" in title for title in chart_titles(at)[:1])
    measured = next(t for t in charts(at)[0]["data"] if "measured" in t["name"])
    assert np.isfinite(np.array(measured["y"], dtype=float)).sum() > 100


def test_a_gradient_that_leaves_floating_point_in_the_backward_pass_is_named():
    at = run_app(PAGE, {"activation": "relu", "init": "identity", "scale": "3", "T": "500"})
    assert_healthy(at)
    assert any("beyond floating point" in warning.value for warning in at.warning)


def test_the_smallest_network_still_shows_every_chart():
    assert_every_view_draws({"H": "2", "T": "2", "scale": "0.05"})
