"""The offline report: one HTML file with plotly.js inside, the figures' data, the settings and a link back."""

import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from rnnviz.report import Equation, build_report
from rnnviz.settings import Settings


@pytest.fixture(scope="module")
def report():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[0.125, 0.25, 0.5], name="distinctive-trace-name"))
    table = pd.DataFrame({"step": [1, 2], "norm": [0.75, 1.5]})
    return build_report(
        "A <test> report",
        Settings(activation="relu", scale=1.5),
        [
            ("Words", "Some **bold** text.\n\nA second paragraph."),
            ("Bound", Equation(r"\gamma \sigma_{max} < 1", "γ σ_max < 1")),
            ("Figures", [fig, fig]),
            ("Table", table),
        ],
        link="http://localhost:8501/regime_map?activation=relu&scale=1.5",
    )


def test_plotly_js_is_embedded_once_and_no_script_is_fetched(report):
    assert report.count(get_plotlyjs()) == 1
    assert not re.search(r"<script[^>]+src\s*=\s*['\"]?(https?:)?//", report, flags=re.IGNORECASE)


def test_every_figure_carries_its_data(report):
    assert report.count("distinctive-trace-name") == 2
    assert "0.125" in report and "Plotly.newPlot" in report


def test_the_settings_the_table_and_the_words_are_in_the_page(report):
    assert "ReLU" in report and "1.5" in report
    assert "<strong>bold</strong>" in report and "A second paragraph." in report
    assert "<td>0.75</td>" in report


def test_equations_are_typeset_without_latex_source(report):
    assert "γ σ<sub>max</sub> &lt; 1" in report
    assert r"\gamma" not in report and "LaTeX:" not in report


def test_the_settings_are_named_as_the_sidebar_names_them(report):
    assert "<th>Cell activation f</th><td>ReLU</td>" in report
    assert "<th>Where the loss sits</th><td>many to one: loss at the last step</td>" in report
    assert "<th>Weight scale of W_hh</th><td>1.5</td>" in report


def test_the_title_is_escaped_and_the_link_back_is_there(report):
    assert "A &lt;test&gt; report" in report and "<test>" not in report
    assert "href='http://localhost:8501/regime_map?activation=relu&amp;scale=1.5'" in report


def test_unknown_content_is_refused_with_its_type():
    with pytest.raises(ValueError, match="int"):
        build_report("x", None, [("n", 3)])
