"""The Cells page in AppTest: the three cells side by side at the defaults, at the extremes, from bad links."""

import pytest
from conftest import assert_healthy, run_app

PAGE = "pages/cells.py"
VIEW = "cells_view"  # the page's tabs, in the URL: only the open one is drawn
MAIN_CHART = "cells-norms"  # above the tabs, on every view
VIEW_CHARTS = {
    "The LSTM's gates": ["cells-gates-lstm"],
    "The GRU's gates": ["cells-gates-gru"],
    "The LSTM's cell path": ["cells-cell-path"],
    "Connectivity": ["cells-connectivity"],
    "Bidirectional": ["cells-bidirectional-unfold", "cells-bidirectional-connectivity"],
    "Step by step": ["cells-step-cell", "cells-step-gates"],
}


def chart_keys(at) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


def assert_every_view_draws(query: dict[str, str] | None = None) -> None:
    """Each tab opens healthy with the main chart and its own charts."""
    for view, keys in VIEW_CHARTS.items():
        at = run_app(PAGE, {**(query or {}), VIEW: view})
        assert_healthy(at)
        assert chart_keys(at) == [MAIN_CHART, *keys], view


def metric_values(at):
    return [metric.value for metric in at.metric]


def test_the_defaults_open_the_lstms_gates_with_every_tab_named_and_one_number_per_cell():
    at = run_app(PAGE)
    assert_healthy(at)
    assert [tab.label for tab in at.tabs] == list(VIEW_CHARTS)
    assert chart_keys(at) == [MAIN_CHART, *VIEW_CHARTS["The LSTM's gates"]]
    assert [metric.label for metric in at.metric] == [
        "vanilla RNN: ‖∂h_T/∂h_0‖",
        "LSTM: ‖∂h_T/∂h_0‖",
        "GRU: ‖∂h_T/∂h_0‖",
    ]
    assert all(value.startswith("10^") for value in metric_values(at))
    assert not [info for info in at.info if "three cells at once" in info.value]
    assert not at.latex  # the equations are drawn when their expander is opened
    at.session_state["cells_equations"] = True
    at.run()
    assert_healthy(at)
    assert len(at.latex) == 2 and any("Cho et al." in markdown.value for markdown in at.markdown)


def test_the_largest_sizes_are_clamped_with_a_notice():
    at = run_app(PAGE, {"H": "256", "T": "500"})
    assert_healthy(at)
    notice = [info.value for info in at.info if "three cells at once" in info.value]
    assert notice and "H = 64" in notice[0] and "T = 200" in notice[0]
    assert_every_view_draws({"H": "256", "T": "500"})


def test_an_exploding_vanilla_cell_is_shown_not_crashed_on():
    assert_every_view_draws({"activation": "relu", "init": "identity", "scale": "3", "T": "200"})


@pytest.mark.parametrize("query", [{"H": "lots"}, {"T": "-5"}, {"activation": "<script>"}, {"scale": "nan"}])
def test_a_bad_link_names_what_it_ignored_and_the_page_still_works(query):
    at = run_app(PAGE, query)
    assert_healthy(at)
    assert any("could not be used" in warning.value for warning in at.warning)
    assert chart_keys(at) == [MAIN_CHART, *VIEW_CHARTS["The LSTM's gates"]]


def test_a_link_to_an_unknown_view_opens_the_first_tab():
    at = run_app(PAGE, {VIEW: "' OR 1=1 --"})
    assert_healthy(at)
    assert chart_keys(at) == [MAIN_CHART, *VIEW_CHARTS["The LSTM's gates"]]


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


def test_the_cell_path_words_state_the_band_and_the_line_this_run_measured():
    from rnnviz.comparison import compare_cells
    from rnnviz.settings import Settings
    from rnnviz.verdicts import power_of_ten
    from ui.cells_views import cell_path_words

    comparison = compare_cells(Settings(), forget_bias=3.0)
    words = cell_path_words(comparison, 3.0)
    line = comparison.cell_path.log10_spectral
    assert f"the line is at {power_of_ten(line[0])}" in words
    assert f"peaks at {power_of_ten(line.max())}" in words and line.max() > 0  # above 1: said, never "towards 0"
    assert "together" not in words
