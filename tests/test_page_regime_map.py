"""The regime map page in AppTest: defaults, both axes, extreme settings, bad links, presenter mode."""

import json

import pytest

from tests.conftest import assert_healthy, run_app

PAGE = "pages/regime_map.py"


def charts(at):
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_names(spec):
    return [trace.get("name") for trace in spec["data"]]


def test_the_default_map_is_over_T_with_the_edge_the_theory_line_and_the_current_settings():
    at = run_app(PAGE)
    assert_healthy(at)
    (spec,) = charts(at)
    assert "tanh cell" in spec["layout"]["title"]["text"]
    names = trace_names(spec)
    assert "σ_max(W_hh) = 1/γ (theory)" in names and "your settings" in names
    assert any(trace["type"] == "contour" for trace in spec["data"])
    assert spec["layout"]["yaxis"]["type"] == "log"


def test_the_star_sits_at_the_settings_of_the_link():
    at = run_app(PAGE, {"scale": "1.35", "T": "90", "activation": "relu"})
    assert_healthy(at)
    (spec,) = charts(at)
    star = next(trace for trace in spec["data"] if trace.get("name") == "your settings")
    assert (star["x"], star["y"]) == ([1.35], [90])
    assert "ReLU cell" in spec["layout"]["title"]["text"]


def test_the_activation_axis_has_a_row_per_activation_at_the_settings_T():
    at = run_app(PAGE, {"map": "activation", "T": "40"})
    assert_healthy(at)
    (spec,) = charts(at)
    assert spec["layout"]["yaxis"]["ticktext"] == ["tanh", "sigmoid", "relu", "linear", "leaky_relu"]
    assert "T = 40" in spec["layout"]["title"]["text"]


def test_an_exploding_long_run_is_drawn_not_crashed_on():
    at = run_app(PAGE, {"activation": "linear", "scale": "3", "T": "500", "H": "256"})
    assert_healthy(at)
    (spec,) = charts(at)
    assert 10 ** (spec["layout"]["yaxis"]["range"][1] - 0.05) == pytest.approx(500)


def test_a_bad_axis_in_the_link_falls_back_to_T():
    at = run_app(PAGE, {"map": "seed"})
    assert_healthy(at)
    (spec,) = charts(at)
    assert spec["layout"]["yaxis"]["type"] == "log"


def test_switching_the_axis_redraws_the_map():
    at = run_app(PAGE)
    at.segmented_control(key="map").set_value("activation").run()
    assert_healthy(at)
    (spec,) = charts(at)
    assert "leaky_relu" in spec["layout"]["yaxis"]["ticktext"]


def test_the_map_offers_its_table_as_csv_and_an_offline_report():
    at = run_app(PAGE)
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Download the map (CSV)" in labels and "Download an offline report (HTML)" in labels


def test_presenter_mode_from_the_link_shows_a_way_back_and_draws_the_map_larger():
    at = run_app(PAGE, {"present": "1"})
    assert_healthy(at)
    assert at.toggle(key="present").value is True
    assert at.button(key="present_leave")
    (spec,) = charts(at)
    assert spec["layout"]["height"] > 600
    at.button(key="present_leave").click().run()
    assert at.toggle(key="present").value is False
    (spec,) = charts(at)
    assert spec["layout"]["height"] < 600
