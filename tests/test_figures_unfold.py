"""The Unfold page's figures and words: what each one draws, its fixed ranges, its size, and its labels."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import plotly.io as pio
import pytest
from plotly.colors import get_colorscale, sample_colorscale

import rnnviz.experiment
from rnnviz.experiment import simulate
from rnnviz.figures import style, unfold
from rnnviz.rnn import RNN
from rnnviz.settings import Settings
from rnnviz.stepper import step_parts
from ui import unfold_views

DEFAULTS = Settings()
LONG = Settings(hidden_size=80, seq_length=500)  # more units than drawn, as many steps as allowed


@pytest.fixture(scope="module")
def exp():
    return simulate(DEFAULTS)


@pytest.fixture(scope="module")
def long_exp():
    return simulate(LONG)


@pytest.fixture(scope="module")
def sentence_exp():
    return simulate(Settings(input_kind="sentence"))


def overflowing_experiment(monkeypatch) -> rnnviz.experiment.Experiment:
    """A ReLU run whose W_hh is 3000 I: its state leaves floating point after about 90 steps."""
    draw = rnnviz.experiment.random_rnn

    def boosted(*args, **kwargs):
        cell = draw(*args, **kwargs)
        return RNN(**{**cell.params, "W_hh": 1000 * cell.params["W_hh"]}, activation=cell.activation.name)

    monkeypatch.setattr(rnnviz.experiment, "random_rnn", boosted)
    exp = simulate(Settings(activation="relu", init="identity", scale=3.0, seq_length=500))
    assert exp.overflow_step is not None
    return exp


def payload_bytes(fig) -> int:
    return len(pio.to_json(fig, validate=False))


def node_trace(fig, name):
    return next(trace for trace in fig.data if trace.name == name)


# --- the unrolled graph ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("T", [2, 5, 12, 60, 500])
@pytest.mark.parametrize("step", [1, 2, 7, 59, 500])
def test_graph_window_holds_the_step_inside_the_run(T, step):
    step = min(step, T)
    first, last = unfold.graph_window(step, T)
    assert 1 <= first <= step <= last <= T
    assert last - first + 1 == min(unfold.GRAPH_WINDOW, T)


def test_graph_draws_input_state_and_output_of_every_step_in_view(exp):
    fig = unfold.unrolled_graph_figure(exp, step=30)
    first, last = unfold.graph_window(30, exp.run.T)
    for name in ("x_t", "h_t", "y_t"):
        assert list(node_trace(fig, name).customdata) == list(range(first, last + 1))
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 3 * (last - first + 1)  # x_t -> h_t, h_t -> y_t, h_{t-1} -> h_t


def test_graph_labels_every_edge_with_its_shared_matrix(exp):
    fig = unfold.unrolled_graph_figure(exp, step=5)
    labels = list(node_trace(fig, "shared weights").text)
    steps = len(node_trace(fig, "h_t").x)
    for matrix in ("W<sub>xh</sub>", "W<sub>hh</sub>", "W<sub>hy</sub>"):
        assert labels.count(matrix) == steps


def test_graph_highlights_the_current_step_only(exp):
    fig = unfold.unrolled_graph_figure(exp, step=4)
    trace = node_trace(fig, "h_t")
    highlighted = [t for t, colour in zip(trace.x, trace.marker.color, strict=True) if colour == unfold.style.HIGHLIGHT]
    assert highlighted == [4]


def test_graph_draws_h0_as_zeros_when_the_first_step_is_in_view(exp):
    fig = unfold.unrolled_graph_figure(exp, step=1)
    assert list(node_trace(fig, "h_start").x) == [0]
    assert any(a.text == "h<sub>0</sub> = 0" for a in fig.layout.annotations)


def test_graph_of_a_long_run_shows_a_window_and_says_where_it_goes(long_exp):
    fig = unfold.unrolled_graph_figure(long_exp, step=250)
    assert len(node_trace(fig, "h_t").x) == unfold.GRAPH_WINDOW
    assert any("to h<sub>500</sub>" in (a.text or "") for a in fig.layout.annotations)
    assert "of T = 500" in fig.layout.title.text.replace("<br>", " ")  # the title wraps at style.TITLE_LINE


def test_graph_writes_the_word_under_each_input_of_a_sentence(sentence_exp):
    fig = unfold.unrolled_graph_figure(sentence_exp, step=1)
    assert "“Delightful”" in list(node_trace(fig, "tokens").text)


def test_graph_axes_name_the_rows_and_the_steps(exp):
    fig = unfold.unrolled_graph_figure(exp, step=3)
    assert [text.split("<")[0].strip() for text in fig.layout.yaxis.ticktext] == ["input x", "state h", "output y"]
    assert "step t" in fig.layout.xaxis.title.text
    assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange


# --- the hidden-state animation -------------------------------------------------------------------------------


def test_animation_has_one_frame_per_step_for_short_runs(exp):
    fig = unfold.hidden_state_animation(exp)
    assert [frame.name for frame in fig.frames] == [str(t) for t in range(1, exp.run.T + 1)]
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)


def test_animation_of_a_long_run_has_at_most_60_frames_ending_at_T(long_exp):
    fig = unfold.hidden_state_animation(long_exp)
    ends = [int(frame.name) for frame in fig.frames]
    assert len(ends) <= unfold.ANIMATION_FRAMES
    assert ends[-1] == 500 and ends == sorted(ends)


def picture(fig) -> np.ndarray:
    """The pixels (rows, columns, 4) of the states' picture, decoded from its PNG data URL."""
    data = base64.b64decode(fig.layout.images[0].source.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, 1 + 4 * width)
    assert (rows[:, 0] == 0).all()  # unfiltered rows
    return rows[:, 1:].reshape(height, width, 4)


def cell_pixels(fig, units: int, steps: int) -> np.ndarray:
    """The pixel at the centre of every cell, (units, steps, 4), unit 1 first."""
    pixels = picture(fig)
    height, width, _ = pixels.shape
    rows = ((np.arange(units)[::-1] + 0.5) * height / units).astype(int)  # the picture's top row is the last unit
    columns = ((np.arange(steps) + 0.5) * width / steps).astype(int)
    return pixels[rows][:, columns]


def test_animation_frames_move_only_the_curtain_and_the_step_marker(exp):
    fig = unfold.hidden_state_animation(exp)
    assert all(trace.type == "scatter" for trace in fig.data)  # the states are a picture, not a heatmap trace
    for frame in fig.frames:
        assert list(frame.traces) == [1, 2]
        assert all(trace.type == "scatter" for trace in frame.data)


def test_every_frame_shows_every_step_already_run_and_covers_only_the_rest(exp):
    fig = unfold.hidden_state_animation(exp)
    T, units = exp.run.T, exp.run.h.shape[1]
    opaque = cell_pixels(fig, units, T + 1)[..., 3] == 255
    for frame in fig.frames:
        t = int(frame.name)
        assert opaque[:, : t + 1].all()  # the picture holds a colour for every state up to h_t
        curtain = frame.data[0]
        assert min(curtain.x) == pytest.approx(t + 0.5) and max(curtain.x) == pytest.approx(T + 0.5)


def test_no_frame_redraws_the_picture(exp):
    fig = unfold.hidden_state_animation(exp)
    play = fig.layout.updatemenus[0].buttons[0].args[1]
    assert play["frame"]["redraw"] is False  # a redraw rebuilds the picture, blank until the browser decodes it
    assert all(step.args[1]["frame"]["redraw"] is False for step in fig.layout.sliders[0].steps)
    assert len(fig.layout.images) == 1 and fig.layout.images[0].layer == "below"


def test_animation_picture_colours_the_states_of_the_run(exp):
    fig = unfold.hidden_state_animation(exp)
    T, units = exp.run.T, exp.run.h.shape[1]
    colours = cell_pixels(fig, units, T + 1)[..., :3].astype(float)  # (units, T+1, 3)
    h = exp.run.h.T  # (units, T+1)
    expected = np.asarray(
        sample_colorscale(get_colorscale(style.DIVERGING), ((h.ravel() + 1) / 2).tolist(), colortype="tuple")
    ).reshape(*h.shape, 3)
    expected = expected * 255 if expected.max() <= 1 else expected
    np.testing.assert_allclose(colours, expected, atol=1.5)


def test_animation_hover_points_hold_the_states_of_the_run(exp):
    fig = unfold.hidden_state_animation(exp)
    cells = fig.data[0]
    values = np.full(exp.run.h.T.shape, np.nan)
    values[np.asarray(cells.y, dtype=int) - 1, np.asarray(cells.x, dtype=int)] = np.asarray(cells.marker.color)
    np.testing.assert_allclose(values, exp.run.h.T, rtol=1e-6, atol=1e-6)


def test_animation_axes_and_colour_range_are_fixed(exp):
    fig = unfold.hidden_state_animation(exp)
    assert list(fig.layout.xaxis.range) == [-0.5, exp.run.T + 0.5]
    assert fig.layout.xaxis.autorange is False and fig.layout.yaxis.autorange is False
    assert (fig.data[0].marker.cmin, fig.data[0].marker.cmax) == (-1.0, 1.0)  # tanh's range
    image = fig.layout.images[0]
    assert (image.x, image.sizex, image.y, image.sizey) == (-0.5, exp.run.T + 1, exp.run.h.shape[1] + 0.5, 32)


def test_animation_colour_range_covers_a_moderate_unbounded_state():
    exp = simulate(Settings(activation="relu", init="identity", scale=1.0))
    fig = unfold.hidden_state_animation(exp)
    largest = np.abs(exp.run.h).max()
    assert largest <= unfold.LOG_COLOURS_ABOVE
    marker = fig.data[0].marker
    assert marker.cmax == pytest.approx(largest) and marker.cmin == pytest.approx(-largest)


def test_animation_colours_an_exploding_state_on_a_signed_log_scale():
    exp = simulate(Settings(activation="relu", init="identity", scale=1.5))
    fig = unfold.hidden_state_animation(exp)
    h = exp.run.h.T  # (H, T+1)
    cells = fig.data[0]
    colour = np.asarray(cells.marker.color, dtype=float)
    shown = h[np.asarray(cells.y, dtype=int) - 1, np.asarray(cells.x, dtype=int)]
    np.testing.assert_allclose(colour, np.sign(shown) * np.log10(1 + np.abs(shown)), rtol=1e-5)
    assert cells.marker.cmax == pytest.approx(np.log10(1 + np.abs(h).max()))
    assert "log scale" in cells.marker.colorbar.title.text


def test_animation_has_play_pause_and_a_slider_that_animate_in_the_browser(exp):
    fig = unfold.hidden_state_animation(exp)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.method for b in buttons] == ["animate", "animate"]
    assert "Play" in buttons[0].label and "Pause" in buttons[1].label
    assert all(step.method == "animate" for step in fig.layout.sliders[0].steps)


def test_animation_caps_the_units_and_says_so(long_exp):
    fig = unfold.hidden_state_animation(long_exp)
    assert fig.layout.images[0].sizey == unfold.ANIMATION_UNITS and max(fig.data[0].y) == unfold.ANIMATION_UNITS
    assert cell_pixels(fig, unfold.ANIMATION_UNITS, 501)[..., 3].min() == 255  # every state of the 64 units
    assert "units 1 to 64 of 80" in fig.layout.title.text


def test_animation_payload_is_small(exp, long_exp):
    assert payload_bytes(unfold.hidden_state_animation(exp)) < 200_000
    assert payload_bytes(unfold.hidden_state_animation(long_exp)) < 1_000_000


def test_animation_leaves_the_steps_after_an_overflow_blank(monkeypatch):
    exp = overflowing_experiment(monkeypatch)
    fig = unfold.hidden_state_animation(exp)
    opaque = cell_pixels(fig, exp.run.h.shape[1], exp.run.T + 1)[..., 3] == 255
    assert not opaque[:, exp.overflow_step :].any() and opaque[:, : exp.overflow_step].all()
    assert max(fig.data[0].x) < exp.overflow_step  # no hover point on a state that is not finite
    assert any(f"overflow at step {exp.overflow_step}" in (a.text or "") for a in fig.layout.annotations)


# --- ||h_t|| and saturation ----------------------------------------------------------------------------------


def test_norms_figure_draws_the_norm_and_the_saturated_share(exp):
    fig = unfold.state_norms_figure(exp)
    np.testing.assert_allclose(fig.data[0].y, np.linalg.norm(exp.run.h, axis=1))
    np.testing.assert_allclose(fig.data[1].y, 100 * exp.saturation)
    assert fig.layout.yaxis.type == "linear"
    assert fig.layout.yaxis2.title.text == "% of units" and fig.layout.xaxis2.title.text == "step t"


def test_norms_figure_uses_a_log_scale_for_an_exploding_state():
    exp = simulate(Settings(activation="relu", init="identity", scale=3.0, seq_length=200))
    fig = unfold.state_norms_figure(exp)
    assert fig.layout.yaxis.type == "log"


def test_norms_figure_plots_only_the_finite_part_of_an_overflowed_run(monkeypatch):
    exp = overflowing_experiment(monkeypatch)
    fig = unfold.state_norms_figure(exp)
    norms = np.asarray(fig.data[0].y, dtype=float)
    assert np.isfinite(norms[: exp.overflow_step]).all() and np.isnan(norms[exp.overflow_step :]).all()
    assert any(f"overflow at<br>step {exp.overflow_step}" in (a.text or "") for a in fig.layout.annotations)


# --- the two pictures of the cell ----------------------------------------------------------------------------


def blocks(fig, row):
    axis = "y" if row == 1 else "y2"
    return [trace for trace in fig.data if trace.yaxis == axis]


def test_both_pictures_end_in_the_same_a_t(exp):
    parts = step_parts(exp.run, 9)
    fig = unfold.cell_views_figure(parts, max_units=8)
    top, bottom = blocks(fig, 1), blocks(fig, 2)
    np.testing.assert_allclose(np.ravel(top[-1].z), parts.a[:8])
    np.testing.assert_allclose(np.ravel(bottom[-1].z), parts.a[:8])


def test_the_one_matrix_is_the_two_matrices_side_by_side(exp):
    parts = step_parts(exp.run, 9)
    fig = unfold.cell_views_figure(parts, max_units=8)
    W_hh, W_xh = np.asarray(blocks(fig, 1)[0].z), np.asarray(blocks(fig, 1)[2].z)
    np.testing.assert_allclose(np.asarray(blocks(fig, 2)[0].z), np.hstack([W_hh, W_xh]))
    np.testing.assert_allclose(parts.W_concatenated @ parts.concatenated + parts.bias, parts.a)


def test_cell_pictures_say_when_units_are_left_out(exp):
    assert "units 1 to 8 of 32" in unfold.cell_views_figure(step_parts(exp.run, 2)).layout.title.text
    small = simulate(Settings(hidden_size=2, seq_length=2))
    assert "showing" not in unfold.cell_views_figure(step_parts(small.run, 2)).layout.title.text


def test_every_unfold_figure_has_a_title(exp):
    parts = step_parts(exp.run, 3)
    figures = [
        unfold.unrolled_graph_figure(exp, 3),
        unfold.hidden_state_animation(exp),
        unfold.state_norms_figure(exp),
        unfold.cell_views_figure(parts),
    ]
    assert all(fig.layout.title.text for fig in figures)


# --- the recurrence in words and numbers ----------------------------------------------------------------------


def test_recurrence_writes_each_part_of_the_step_with_its_numbers(exp):
    parts = step_parts(exp.run, 5)
    a_line, h_line, y_line, p_line = unfold_views.recurrence_latex(parts, "tanh")
    assert r"W_{hh}\,h_{4} + W_{xh}\,x_{5} + b_h" in a_line
    assert unfold_views.latex_number(parts.recurrent_part[0]) in a_line
    assert unfold_views.latex_number(parts.input_part[0]) in a_line
    assert r"\tanh" in h_line and unfold_views.latex_number(parts.h[0]) in h_line
    assert unfold_views.latex_number(parts.y[0]) in y_line and r"\mathrm{softmax}(y_{5})" in p_line


def test_recurrence_shows_the_first_units_of_a_large_state_and_says_so(exp):
    a_line = unfold_views.recurrence_latex(step_parts(exp.run, 5), "tanh")[0]
    assert r"\vdots" in a_line
    assert "first 6 of the H = 32 units" in unfold_views.units_note(32, 3)
    assert unfold_views.units_note(2, 3) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.5, "0.500"),
        (-2.25, "-2.250"),
        (float("inf"), r"\infty"),
        (float("nan"), r"\text{NaN}"),
        (1.5e300, r"1.50\!\times\!10^{300}"),
    ],
)
def test_latex_number(value, text):
    assert unfold_views.latex_number(value) == text


def test_parameter_count_does_not_grow_with_T():
    short, long_ = simulate(Settings(seq_length=2)), simulate(Settings(seq_length=500))
    count, breakdown = unfold_views.parameter_count(short)
    H, D, O = 32, rnnviz.experiment.INPUT_SIZE, rnnviz.experiment.OUTPUT_SIZE
    assert count == unfold_views.parameter_count(long_)[0] == H * H + H * D + H + O * H + O
    assert "W_hh 32 × 32 = 1,024" in breakdown


def test_step_facts_name_the_word_fed_in_for_a_sentence(sentence_exp):
    facts = " ".join(unfold_views.step_facts(sentence_exp, step_parts(sentence_exp.run, 2)))
    assert "“place”" in facts and "Predicted next word" in facts


def test_one_to_many_feeds_no_word_after_the_first_step():
    exp = simulate(Settings(input_kind="sentence", loss_placement="one_to_many"))
    input_line = unfold_views.step_facts(exp, step_parts(exp.run, 2))[0]
    assert input_line.startswith("**Input at step 2:** none (one-to-many")
    words = list(node_trace(unfold.unrolled_graph_figure(exp, step=1), "tokens").text)
    assert words[:2] == ["“Delightful”", "(none)"]


def test_step_facts_say_when_the_state_is_no_longer_finite(monkeypatch):
    exp = overflowing_experiment(monkeypatch)
    facts = " ".join(unfold_views.step_facts(exp, step_parts(exp.run, exp.run.T)))
    assert f"overflowed at step {exp.overflow_step}" in facts


def test_state_norms_stay_finite_up_to_the_largest_float():
    h = np.array([[0.0, 0.0], [3.0, 4.0], [1e300, 1e300], [np.inf, 1.0]])
    norms = unfold.finite_state_norms(h)
    np.testing.assert_allclose(norms[:3], [0.0, 5.0, np.sqrt(2) * 1e300])
    assert np.isnan(norms[3])
