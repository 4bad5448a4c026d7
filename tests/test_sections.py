"""A page described once as its sections: the screen draws every item, the report lists the same sections with the
screen-only items left out, and the Gradients report holds every heading the page shows."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from conftest import assert_healthy, run_app
from streamlit.testing.v1 import AppTest

from rnnviz.report import Equation
from rnnviz.settings import Settings
from ui import gradient_views
from ui.sections import Chart, Columns, LookAt, Section, Shown, report, report_items

FIGURE = go.Figure(go.Scatter(x=[0, 1], y=[1, 0]), layout={"title": {"text": "a line"}})
EQUATION = Equation(r"a_t = W_{hh} h_{t-1}", "a_t = W_hh h_{t−1}")


def test_the_report_lists_each_section_with_its_items_in_order():
    sections = [
        Section("First", ["Words.", EQUATION, Chart(FIGURE, key="line"), LookAt("the slope")]),
        Section("Second", [FIGURE]),
    ]
    assert report(sections) == [("First", ["Words.", EQUATION, FIGURE, "the slope"]), ("Second", [FIGURE])]


def test_columns_are_reported_left_then_right():
    assert report_items([Columns(["left 1", "left 2"], ["right"])]) == ["left 1", "left 2", "right"]


def test_screen_only_items_are_left_out_of_the_report_and_their_report_form_used():
    drawn = []
    items = [Shown(lambda: drawn.append(True)), Shown(lambda: None, "**Vanishing**: because"), Shown(print, ["a", "b"])]
    assert report_items(items) == ["**Vanishing**: because", "a", "b"]
    assert drawn == []  # reporting draws nothing


def draw_every_kind_of_item():
    import plotly.graph_objects as go
    import streamlit as st

    from rnnviz.report import Equation
    from ui.sections import Chart, Columns, LookAt, Section, Shown, draw

    line = go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))
    draw(
        [
            Section("Heading", ["Some **words**.", Equation("x^2", "x²"), Chart(line, key="line"), LookAt("this")]),
            Section("Side by side", [Columns([line], [Shown(lambda: st.metric("ρ", "0.9"))])]),
        ]
    )


def test_the_screen_draws_every_item_under_its_heading():
    at = AppTest.from_function(draw_every_kind_of_item).run()
    assert not at.exception
    assert [header.value for header in at.subheader] == ["Heading", "Side by side"]
    assert len(at.latex) == 1 and "x^2" in at.latex[0].value
    assert len(at.get("plotly_chart")) == 2 and at.metric[0].value == "0.9"
    assert any("**Look at:** this" in caption.value for caption in at.caption)


def draw_a_part_and_its_subsection():
    from ui.sections import Row, Section, draw

    draw([Section("1. A part of the page", ["Words."], level=2), Section("Within it", ["More words."])])
    draw([Row([Section("Left", ["a"], level=4), Section("Right", ["b"], level=4)], widths=(3, 2), gap="large")])


def test_a_section_of_level_2_is_drawn_as_a_header():
    at = AppTest.from_function(draw_a_part_and_its_subsection).run()
    assert not at.exception
    assert [header.value for header in at.header] == ["1. A part of the page"]
    assert [header.value for header in at.subheader] == ["Within it"]


def test_a_section_of_level_4_is_a_heading_within_its_column():
    at = AppTest.from_function(draw_a_part_and_its_subsection).run()
    assert [markdown.value for markdown in at.markdown if markdown.value.startswith("####")] == [
        "#### Left",
        "#### Right",
    ]


def test_a_row_shares_the_width_as_its_widths():
    at = AppTest.from_function(draw_a_part_and_its_subsection).run()
    assert [round(column.weight, 2) for column in at.columns] == [0.6, 0.4]  # widths (3, 2)


def draw_a_report_only_section():
    import streamlit as st

    from ui.sections import Section, Shown, draw

    draw([Section("The model", ["an LSTM"], on_screen=False), Section("", [Shown(lambda: st.metric("ρ", "1"))])])


def test_a_report_only_section_is_not_drawn_and_a_screen_only_one_is_not_reported():
    at = AppTest.from_function(draw_a_report_only_section).run()
    assert not at.exception
    assert not at.subheader and not [m for m in at.markdown if "an LSTM" in m.value]
    assert at.metric[0].value == "1"
    sections = [Section("The model", ["an LSTM"], on_screen=False), Section("", [Shown(lambda: None)])]
    assert report(sections) == [("The model", ["an LSTM"])]


def test_an_item_of_no_known_kind_is_refused_by_name():
    from ui.sections import _draw_item

    with pytest.raises(TypeError, match="cannot be int"):
        _draw_item(3)


def test_the_gradients_report_holds_every_heading_the_page_shows():
    at = run_app("pages/gradients.py")
    assert_healthy(at)
    reported = [heading for heading, _ in gradient_views.report_sections(Settings(), "absolute", 5)]
    for header in at.subheader:
        if header.value != "Look closer":  # the tabs' heading: each tab is a section of its own in the report
            assert header.value in reported
