"""The offline report of the Unfold, Cells, Train and Long-range memory pages: a download button on the page, and a
report holding every chart the page shows (the same figures, with their data), its words, and no script fetched
from the network."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest
from conftest import assert_healthy, run_app
from plotly.io.json import to_json_plotly

import ui.export
from rnnviz import figures
from rnnviz.report import Equation, build_report, math_html
from rnnviz.settings import Settings
from tests.test_page_memory import until_trained
from ui.cells_views import MEMORY_JOB

REPORT_LABEL = "Download an offline report (HTML)"
REMOTE_SCRIPT = re.compile(r"<script[^>]+src\s*=\s*['\"]?(https?:)?//", flags=re.IGNORECASE)


@pytest.fixture
def recorded(monkeypatch) -> list:
    """Every call of `ui.export.report_button` while a page runs: (title, settings, sections, query)."""
    calls = []
    button = ui.export.report_button

    def record(page_title, settings, sections, query=None, key=None):
        calls.append((page_title, settings, list(sections() if callable(sections) else sections), query))
        button(page_title, settings, sections, query=query, key=key)

    monkeypatch.setattr(ui.export, "report_button", record)
    return calls


def items(sections) -> list:
    return [item for _, content in sections for item in (content if isinstance(content, list) else [content])]


def figures_of(sections) -> list[go.Figure]:
    return [item for item in items(sections) if isinstance(item, go.Figure)]


def figure_data(fig: go.Figure) -> str:
    """A figure's traces as the report embeds them."""
    return to_json_plotly(fig.to_dict()["data"])


def report_buttons(at) -> list:
    return [button for button in at.get("download_button") if button.proto.label == REPORT_LABEL]


def assert_report_holds_the_page(at, call) -> str:
    """The report of `call` holds every chart the page shows, each figure's data, and fetches nothing."""
    title, settings, sections, query = call
    figures = figures_of(sections)
    reported = [json.loads(figure_data(fig)) for fig in figures]
    for chart in at.get("plotly_chart"):
        assert json.loads(chart.proto.spec)["data"] in reported
    html = build_report(title, settings, sections, link="http://localhost:8501/")
    assert html.count('class="plotly-graph-div"') == len(figures)
    for fig in figures:
        assert figure_data(fig) in html
    assert not REMOTE_SCRIPT.search(html)
    return html


# Unfold ------------------------------------------------------------------------------------------------------------


def test_unfold_offers_a_report_of_both_views_at_the_current_step(recorded):
    at = run_app("pages/unfold.py", {"step": "4"})
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    (call,) = recorded
    assert call[3] == {"step": "4"}
    html = assert_report_holds_the_page(at, call)
    assert len(figures_of(call[2])) == 4  # graph, cell views, animation, norms
    assert "The recurrence at step 4" in html and math_html("a_4 = W_hh h_3 + W_xh x_4 + b_h") in html
    assert "weight sharing" in html and "Look at" not in html and "Click a node" in html


def test_unfold_report_sections_write_the_recurrence_and_the_parameter_count():
    from ui.cache import cell_views, figure
    from ui.unfold_views import RECURRENCE, parameter_count, report_sections

    settings = Settings(hidden_size=3, seq_length=5)
    graph, cells = figure(figures.unrolled_graph_figure, settings, step=2), cell_views(settings, 2)
    sections = report_sections(settings, 2)
    assert all(equation in items(sections) for equation in RECURRENCE)
    assert any(isinstance(item, Equation) and item.text.startswith("h_2 = f(a_2)") for item in items(sections))
    assert figures_of(sections)[:2] == [graph, cells]
    html = build_report("Unfold", settings, sections)
    from ui.cache import experiment_for

    assert f"{parameter_count(experiment_for(settings))[0]:,}" in html
    assert not REMOTE_SCRIPT.search(html)


# Cells -------------------------------------------------------------------------------------------------------------


def test_cells_offers_a_report_with_both_gated_cells_equations_and_every_chart(recorded):
    at = run_app("pages/cells.py", {"T": "20"})
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    (call,) = recorded
    html = assert_report_holds_the_page(at, call)
    assert len(figures_of(call[2])) == 9  # the main chart and those of every tab, not just the open one
    assert math_html("c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t") in html
    assert math_html("h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}") in html
    assert "forget-gate bias is 1" in html and "LSTM" in html
    assert "The LSTM at step 1, with its numbers" in html  # the step view, at the step of the link (none: 1)


def test_cells_step_view_reports_the_step_shown_and_links_back_to_it(recorded):
    at = run_app("pages/cells.py", {"T": "20", "cells_view": "Step by step", "cells_step_cell": "GRU"})
    at.button(key="cells_step_next").click().run()
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    call = recorded[-1]
    assert call[3] == {"cells_view": "Step by step", "cells_step_cell": "GRU", "cells_step": "2"}
    html = assert_report_holds_the_page(at, call)
    assert "The GRU at step 2, with its numbers" in html and "Step 2 of 20" in html
    assert math_html("h_2 = (1 - z_2) ⊙ n_2 + z_2 ⊙ h_1") in html


# Train -------------------------------------------------------------------------------------------------------------


def test_train_has_no_report_before_a_model_is_trained(recorded):
    at = run_app("pages/train.py")
    assert not report_buttons(at) and not recorded


def test_train_offers_a_report_of_the_trained_model_with_its_recipe_and_a_sample(recorded):
    at = run_app("pages/train.py")
    at.number_input(key="train_epochs").set_value(3)
    at.button(key="train_start").click().run()
    for _ in range(20):
        if not at.session_state["train_job"].running:
            break
        at.run()
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    html = assert_report_holds_the_page(at, recorded[-1])
    assert len(figures_of(recorded[-1][2])) == len(at.get("plotly_chart")) == 5
    assert "learning rate" in html and "all (full BPTT)" in html
    assert "Generated text" in html and "Temperature 0" in html


# Long-range memory --------------------------------------------------------------------------------------------


def test_memory_offers_a_report_of_the_tasks_before_any_run(recorded):
    at = run_app("pages/memory.py")
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    html = assert_report_holds_the_page(at, recorded[-1])
    assert "Adding problem" in html and "10 log 8 / (T + 20)" in html


def test_memory_report_and_csv_hold_the_last_run(recorded):
    at = run_app("pages/memory.py")
    for key, value in {"memory_T": 10, "memory_steps": 10}.items():
        at.slider(key=key).set_value(value)
    at.select_slider(key="memory_H").set_value(4)
    at.select_slider(key="memory_batch").set_value(4)
    at.button(key="FormSubmitter:memory_form-Train RNN, LSTM and GRU").click().run()
    until_trained(at, MEMORY_JOB)
    assert_healthy(at)
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Download the results (CSV)" in labels and REPORT_LABEL in labels
    title, settings, sections, query = recorded[-1]
    html = assert_report_holds_the_page(at, recorded[-1])
    assert len(figures_of(sections)) == len(at.get("plotly_chart")) == 3  # the example, the loss, the norm
    assert "Your last run: the numbers" in html and "held-out loss" in html
    assert "Your last run: the loss and the gradient norm" in html


def test_gradients_offers_a_report_with_the_derivation_every_chart_and_the_k_on_screen(recorded):
    at = run_app("pages/gradients.py", query={"k": "7"})
    assert_healthy(at)
    assert len(report_buttons(at)) == 1
    (call,) = recorded
    html = assert_report_holds_the_page(at, call)
    assert math_html("∂h_T/∂h_k = Π_{t=k+1..T} ∂h_t/∂h_{t-1}") in html and "k = 7" in html
