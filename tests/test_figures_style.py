"""The look every figure shares: one log axis labelled 10^k, the steps back n = T - k wherever ||dh_T/dh_k|| is
drawn, titles on every axis, and the pictures drawn from a matrix."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from rnnviz.comparison import compare_cells
from rnnviz.experiment import simulate
from rnnviz.figures import cells, gradients, style, training
from rnnviz.figures.classroom import regime_map_figure
from rnnviz.regime_map import regime_map
from rnnviz.settings import Settings
from rnnviz.train import train_char_rnn


@pytest.fixture(scope="module")
def exp():
    return simulate(Settings(seq_length=20))


@pytest.fixture(scope="module")
def comparison():
    return compare_cells(Settings(hidden_size=6, seq_length=12))


def axes(fig, name: str) -> list:
    """Every axis of `fig` whose name starts with `name` ("xaxis", "yaxis")."""
    return [fig.layout[key] for key in fig.layout if key.startswith(name) and fig.layout[key] is not None]


def test_log_ticks_are_whole_decades_labelled_as_powers_of_ten():
    values, labels = style.log_ticks(-3.2, 2.7)
    assert values == [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    assert labels[0] == "10<sup>-4</sup>" and labels[-1] == "10<sup>3</sup>"


def test_the_log_axis_spans_the_data_with_a_little_room():
    fig = go.Figure()
    assert style.log_axis(fig, [np.array([-2.0, 5.0, np.nan, -np.inf])]) == (-2.5, 5.5)
    assert list(fig.layout.yaxis.range) == [-2.5, 5.5]


def test_a_log_colour_bar_labels_only_decades_inside_its_range():
    bar = style.log_colorbar(-7.3, 0.4, "‖x‖")
    assert min(bar["tickvals"]) >= -7.3 and max(bar["tickvals"]) <= 0.4
    assert all(text.startswith("10<sup>") for text in bar["ticktext"])


def test_steps_back_reorders_values_given_by_k():
    n, k, values = style.steps_back(np.array([-3.0, -2.0, -1.0, 0.0]))  # k = 0..3, T = 3
    assert n.tolist() == [0, 1, 2, 3] and k.tolist() == [3, 2, 1, 0] and values.tolist() == [0.0, -1.0, -2.0, -3.0]


def norm_charts(exp, comparison):
    return {
        "gradients": gradients.jacobian_norms_figure(exp),
        "cells": cells.cells_norms_figure(comparison),
        "cell path": cells.cell_path_figure(comparison),
    }


def test_every_chart_of_the_norm_against_steps_back_shares_its_axis(exp, comparison):
    for name, fig in norm_charts(exp, comparison).items():
        assert fig.layout.xaxis.title.text == style.STEPS_BACK_TITLE, name
        drawn = [trace for trace in fig.data if trace.mode and "lines" in trace.mode]
        for trace in drawn:
            assert list(trace.x) == sorted(trace.x) and trace.x[0] == 0, name  # n from 0 up to T
            assert "n = %{x}" in trace.hovertemplate and "k = %{customdata" in trace.hovertemplate, name


def test_every_log_axis_of_a_norm_is_labelled_in_powers_of_ten(exp, comparison):
    figures = [
        *norm_charts(exp, comparison).values(),
        gradients.power_norms_figure(exp, n_max=30),
        gradients.step_terms_figure(exp),
        gradients.jacobian_at_figure(exp, 10),
    ]
    for fig in figures:
        labelled = [axis for axis in axes(fig, "yaxis") if axis.ticktext]
        assert labelled, fig.layout.title.text
        for axis in labelled:
            if "%" not in (axis.tickformat or "") and "unit" not in (axis.title.text or ""):
                assert all(text.startswith("10<sup>") for text in axis.ticktext), fig.layout.title.text


def test_every_connectivity_panel_has_axis_titles_and_a_colour_bar_in_powers_of_ten(comparison):
    for fig in (cells.cells_connectivity_figure(comparison), cells.bidirectional_connectivity_figure(comparison)):
        for axis in axes(fig, "xaxis") + axes(fig, "yaxis"):
            assert axis.title.text, fig.layout.title.text
        bar = fig.layout.coloraxis.colorbar if fig.layout.coloraxis.colorbar.ticktext else fig.data[0].colorbar
        assert bar.ticktext and all(text.startswith("10<sup>") for text in bar.ticktext)


def test_the_plotly_log_axes_of_positive_values_use_the_same_labels():
    result = train_char_rnn("abcabcabcabd", seq_length=3, hidden_size=5, epochs=2, batch_size=4)
    fig = training.grad_norm_figure(result)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.exponentformat == "power"
    heatmap = training.step_terms_heatmap(result)
    assert all(text.startswith("10<sup>") for text in heatmap.data[0].colorbar.ticktext)


def test_a_picture_is_transparent_where_the_matrix_is_not_finite():
    pixels = style.colour_pixels(np.array([[-1.0, 0.0], [1.0, np.nan]]), -1.0, 1.0, style.DIVERGING)
    assert pixels.shape == (2, 2, 4) and pixels.dtype == np.uint8
    assert pixels[..., 3].tolist() == [[255, 255], [255, 0]]
    assert tuple(pixels[0, 1, :3]) != tuple(pixels[0, 0, :3]) != tuple(pixels[1, 0, :3])
    assert style.picture_source(pixels).startswith("data:image/png;base64,")


def test_the_regime_maps_hover_text_is_as_large_as_the_charts_text():
    regime = regime_map(Settings(), scales=[0.5, 1.0, 2.0], lengths=[10, 20], n_seeds=1)
    fig = regime_map_figure(regime)
    assert fig.layout.hoverlabel.font.size >= style.FONT_SIZE


def test_the_accuracy_labels_are_not_clipped_at_the_chart_edge():
    result = train_char_rnn("abcabcabcabd", seq_length=3, hidden_size=5, epochs=2, batch_size=4)
    fig = training.accuracy_figure(result, reference={3: 0.02, 77: 0.875, 88: 0.875}, total_epochs=100)
    article = next(trace for trace in fig.data if trace.name == "the article (Keras)")
    assert article.cliponaxis is False and "0.875" in list(article.text)
    assert fig.layout.margin.r >= 60


def every_font_size(value) -> list[float]:
    """Every `size` under a `font`-like key of a figure's dict (layout and traces), in px."""
    sizes = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if "font" in key and isinstance(inner, dict) and inner.get("size") is not None:
                sizes.append(float(inner["size"]))
            sizes += every_font_size(inner)
    elif isinstance(value, list):
        for inner in value:
            sizes += every_font_size(inner)
    return sizes


@pytest.mark.parametrize(
    "build",
    [
        lambda exp, comparison: gradients.jacobian_norms_figure(exp),
        lambda exp, comparison: gradients.backward_animation_figure(exp),
        lambda exp, comparison: cells.cells_connectivity_figure(comparison),
        lambda exp, comparison: cells.bidirectional_unfold_figure(comparison),
    ],
)
def test_for_a_projector_every_text_of_a_figure_is_large_and_the_figure_itself_is_unchanged(exp, comparison, build):
    fig = build(exp, comparison)
    before = fig.to_json()
    big = style.for_projector(fig, height=820)
    sent = big.to_dict()
    sizes = every_font_size({"layout": sent["layout"], "data": sent["data"]})
    assert sizes and min(sizes) >= style.PRESENTER_FONT
    for name in [key for key in sent["layout"] if key.startswith(("xaxis", "yaxis"))]:
        assert sent["layout"][name]["tickfont"]["size"] >= style.PRESENTER_FONT
    assert sent["layout"]["legend"]["font"]["size"] >= style.PRESENTER_FONT
    assert sent["layout"]["height"] == 820
    assert len(big.frames) == len(fig.frames)
    assert fig.to_json() == before


def test_a_long_title_wraps_into_lines_a_phone_holds_and_keeps_every_word():
    title = "Adding problem: two of the T = 500 values are marked; W<sub>hh</sub> carries them to step 500 at the end"
    lines = style.wrapped(title).split("<br>")
    assert len(lines) >= 2
    assert all(len(re.sub(r"<[^>]*>", "", line)) <= style.TITLE_LINE for line in lines), lines
    assert " ".join(lines) == title
    assert any("T = 500" in line for line in lines) and any("step 500" in line for line in lines)
    assert style.wrapped("short") == "short"
    assert style.wrapped("a title<br><sup>its note</sup>") == "a title<br><sup>its note</sup>"


def test_a_wrapped_title_gets_room_for_its_lines():
    one = style.layout(go.Figure(), "short")
    two = style.layout(go.Figure(), "word " * 15)
    assert two.layout.margin.t == one.layout.margin.t + style.TITLE_LINE_HEIGHT


def test_a_builder_that_sets_its_own_top_margin_keeps_room_for_a_wrapped_title():
    fig = style.layout(go.Figure(), "word " * 30)
    lines = fig.layout.title.text.count("<br>") + 1
    assert lines >= 3 and style.title_room(fig, 60) == 60 + (lines - 1) * style.TITLE_LINE_HEIGHT
