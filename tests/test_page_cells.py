"""The Cells page in AppTest: the three cells side by side at the defaults, at the extremes, from bad links."""

import pytest
from conftest import assert_healthy, run_app

PAGE = "pages/cells.py"
CHART_KEYS = {
    "cells-norms",
    "cells-gates-lstm",
    "cells-gates-gru",
    "cells-cell-path",
    "cells-connectivity",
    "cells-bidirectional-unfold",
    "cells-bidirectional-connectivity",
}


def metric_values(at):
    return [metric.value for metric in at.metric]


def test_the_defaults_show_every_chart_and_one_number_per_cell():
    at = run_app(PAGE)
    assert_healthy(at)
    assert len(at.get("plotly_chart")) == len(CHART_KEYS)
    assert [metric.label for metric in at.metric] == [
        "vanilla RNN: ||dh_T/dh_0||",
        "LSTM: ||dh_T/dh_0||",
        "GRU: ||dh_T/dh_0||",
    ]
    assert all(value.startswith("10^") for value in metric_values(at))
    assert not [info for info in at.info if "three cells at once" in info.value]
    assert any("Cho et al." in markdown.value for markdown in at.markdown)


def test_the_largest_sizes_are_clamped_with_a_notice():
    at = run_app(PAGE, {"H": "256", "T": "500"})
    assert_healthy(at)
    notice = [info.value for info in at.info if "three cells at once" in info.value]
    assert notice and "H = 64" in notice[0] and "T = 200" in notice[0]
    assert len(at.get("plotly_chart")) == len(CHART_KEYS)


def test_an_exploding_vanilla_cell_is_shown_not_crashed_on():
    at = run_app(PAGE, {"activation": "relu", "init": "identity", "scale": "3", "T": "200"})
    assert_healthy(at)
    assert len(at.get("plotly_chart")) == len(CHART_KEYS)


@pytest.mark.parametrize("query", [{"H": "lots"}, {"T": "-5"}, {"activation": "<script>"}, {"scale": "nan"}])
def test_a_bad_link_names_what_it_ignored_and_the_page_still_works(query):
    at = run_app(PAGE, query)
    assert_healthy(at)
    assert any("could not be used" in warning.value for warning in at.warning)
    assert len(at.get("plotly_chart")) == len(CHART_KEYS)


def test_a_larger_forget_gate_bias_keeps_more_of_the_lstm_gradient():
    at = run_app(PAGE)
    before = float(metric_values(at)[1].removeprefix("10^"))
    at.slider(key="cells_forget_bias").set_value(5.0).run()
    assert_healthy(at)
    after = float(metric_values(at)[1].removeprefix("10^"))
    assert after > before
    assert metric_values(at)[0] == metric_values(run_app(PAGE))[0]  # the vanilla cell did not change


def test_orthogonal_gated_cells_change_the_gated_cells_only():
    at = run_app(PAGE)
    before = metric_values(at)
    at.radio(key="cells_gated_init").set_value("orthogonal").run()
    assert_healthy(at)
    after = metric_values(at)
    assert after[0] == before[0] and after[1:] != before[1:]
