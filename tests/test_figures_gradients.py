"""The figure builders of the Gradients (BPTT) page: traces, ranges, frame counts, and the bound above the
measurement."""

import json

import numpy as np
import pytest

from rnnviz.experiment import simulate
from rnnviz.figures import gradients as figures
from rnnviz.figures import style
from rnnviz.settings import Settings

OVERFLOWING = Settings(activation="linear", scale=3.0, hidden_size=2, seq_length=500, seed=2)  # overflows at 426


@pytest.fixture(scope="module")
def default_exp():
    return simulate(Settings())


@pytest.fixture(scope="module")
def overflow_exp():
    exp = simulate(OVERFLOWING)
    assert exp.overflow_step is not None
    return exp


def trace(fig, name_part):
    return next(t for t in fig.data if name_part in (t.name or ""))


def plotted(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear", "leaky_relu"])
def test_the_plotted_bound_is_never_below_the_measured_norm(activation):
    exp = simulate(Settings(activation=activation, scale=1.5, seq_length=80))
    fig = figures.jacobian_norms_figure(exp)
    measured, bound = plotted(trace(fig, "measured").y), plotted(trace(fig, "bound").y)
    finite = np.isfinite(measured) & np.isfinite(bound)
    assert finite.sum() > 10
    assert np.all(measured[finite] <= bound[finite] + 1e-3)  # both rounded to 3 decimals of log10


def test_the_norm_chart_plots_every_step_back_on_a_log_axis_labelled_in_powers_of_ten(default_exp):
    fig = figures.jacobian_norms_figure(default_exp)
    measured = trace(fig, "measured")
    assert list(measured.x) == list(range(61))  # n = T - k = 0, 1, ..., T
    assert plotted(measured.y)[60] == pytest.approx(default_exp.norms.log10_spectral[0], abs=1e-3)  # n = T is k = 0
    assert plotted(measured.y)[0] == pytest.approx(0.0, abs=1e-9)  # n = 0: dh_T/dh_T = I
    assert all(text.startswith("10<sup>") for text in fig.layout.yaxis.ticktext)
    low, high = fig.layout.yaxis.range
    assert low <= np.nanmin(plotted(measured.y)) and high >= np.nanmax(plotted(measured.y))
    assert fig.layout.title.text and fig.layout.yaxis.title.text
    assert fig.layout.xaxis.title.text == "steps back n = T − k"


def test_every_point_hovers_with_both_n_and_k(default_exp):
    fig = figures.jacobian_norms_figure(default_exp)
    for name in ("measured", "bound", "Frobenius"):
        series = trace(fig, name)
        assert "n = %{x}" in series.hovertemplate and "k = %{customdata[0]}" in series.hovertemplate
        assert [int(row[0]) for row in series.customdata] == [60 - n for n in series.x]


def test_a_vanishing_gradient_falls_and_an_exploding_one_rises_from_left_to_right():
    vanishing = trace(figures.jacobian_norms_figure(simulate(Settings(scale=0.5))), "measured")
    exploding = trace(figures.jacobian_norms_figure(simulate(Settings(scale=5.0))), "measured")
    assert plotted(vanishing.y)[-1] < plotted(vanishing.y)[0] - 10
    assert plotted(exploding.y)[-1] > plotted(exploding.y)[0] + 5


def test_the_y_range_follows_the_measurement_and_the_bound_leaving_it_is_noted():
    exp = simulate(Settings(scale=5.0))
    fig = figures.jacobian_norms_figure(exp)
    measured, bound = plotted(trace(fig, "measured").y), plotted(trace(fig, "bound").y)
    low, high = fig.layout.yaxis.range
    assert low <= np.nanmin(measured) and high >= np.nanmax(measured)  # the whole measurement is in view
    assert high - np.nanmax(measured) <= figures.BOUND_HEADROOM + 1.5  # within a few decades of it
    assert np.nanmin(measured) - low <= 1.0
    assert np.nanmax(bound) > high + 40  # the bound goes to 10^57: far outside
    assert len(bound) == len(measured) and np.isfinite(bound).all()  # drawn in full, clipped by the axis
    notes = [a for a in fig.layout.annotations if "bound continues" in (a.text or "")]
    assert len(notes) == 1
    assert f"10<sup>{np.nanmax(bound):.0f}</sup>" in notes[0].text and "↑" in notes[0].text
    leaves = int(np.flatnonzero(bound > high)[0])
    assert notes[0].x == leaves and notes[0].y == pytest.approx(high)


def test_a_bound_inside_the_range_has_no_note():
    fig = figures.jacobian_norms_figure(simulate(Settings(scale=0.5)))
    low, high = fig.layout.yaxis.range
    assert np.nanmax(plotted(trace(fig, "bound").y)) <= high
    assert not [a for a in fig.layout.annotations if "bound continues" in (a.text or "")]


def test_the_backward_animation_keeps_k_and_shows_the_direction_of_travel(default_exp):
    fig = figures.backward_animation_figure(default_exp)
    assert fig.layout.xaxis.title.text.startswith("step k")
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 1 and arrows[0].ax == 60 and arrows[0].x < arrows[0].ax  # drawn from k = T leftwards
    assert any("gradient flows back ←" in (a.text or "") for a in fig.layout.annotations)


def test_the_overflowed_run_plots_its_finite_part_and_says_so(overflow_exp):
    fig = figures.jacobian_norms_figure(overflow_exp)
    assert f"overflowed at step {overflow_exp.overflow_step}" in fig.layout.title.text.replace("<br>", " ")
    assert len(trace(fig, "measured").x) == overflow_exp.analysed_steps + 1
    assert np.isfinite(plotted(trace(fig, "measured").y)).sum() > 100


def test_log_ticks_stay_few_over_hundreds_of_decades():
    values, labels = style.log_ticks(-300.0, 400.0, max_ticks=8)
    assert len(values) <= 9 and values[0] <= -300 and values[-1] >= 400
    assert labels[0] == f"10<sup>{int(values[0])}</sup>"


def test_the_power_panel_shows_the_example_growing_before_it_shrinks(default_exp):
    fig = figures.power_norms_figure(default_exp, n_max=100)
    example = plotted(trace(fig, "non-normal").y)
    assert example.argmax() > 0 and example.max() > 1.0 and example[-1] < example.max() - 1.0
    assert any("peak" in annotation.text for annotation in fig.layout.annotations)
    assert fig.layout.xaxis.range[1] == 100 and fig.layout.xaxis2.range[1] == 100


@pytest.mark.parametrize("placement, loss_steps", [("many_to_one", 1), ("many_to_many", 60), ("one_to_many", 60)])
def test_the_loss_markers_show_which_steps_carry_a_loss_term(placement, loss_steps):
    fig = figures.step_terms_figure(simulate(Settings(loss_placement=placement)))
    assert len(trace(fig, "loss term").x) == loss_steps


def test_one_to_many_has_an_input_term_at_step_one_only():
    fig = figures.step_terms_figure(simulate(Settings(loss_placement="one_to_many")))
    input_terms = plotted(trace(fig, "W_xh").y)
    assert np.flatnonzero(np.isfinite(input_terms)).tolist() == [0]


def test_the_step_terms_are_the_norms_of_the_per_step_gradient(default_exp):
    fig = figures.step_terms_figure(default_exp)
    per_step = default_exp.gradients.per_step["W_hh"]  # (T, H, H)
    expected = np.log10(np.linalg.norm(per_step.reshape(per_step.shape[0], -1), axis=1)[1:])  # step 1's is 0
    np.testing.assert_allclose(plotted(trace(fig, "W_hh").y)[1:], expected, atol=1e-3)


def test_rescaled_step_terms_peak_at_one(default_exp):
    fig = figures.step_terms_figure(default_exp, rescaled=True)
    for name in figures.TERM_NAMES:
        assert np.nanmax(plotted(trace(fig, name).y)) == pytest.approx(0.0, abs=1e-9)


def test_the_animation_has_one_frame_per_step_for_short_runs(default_exp):
    fig = figures.backward_animation_figure(default_exp)
    assert [frame.name for frame in fig.frames] == [str(k) for k in range(60, -1, -1)]
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert [button.label for button in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]


def test_the_animation_of_a_long_run_stays_within_sixty_frames_and_ends_at_step_zero():
    exp = simulate(Settings(seq_length=500))
    fig = figures.backward_animation_figure(exp)
    assert len(fig.frames) <= figures.MAX_FRAMES
    assert fig.frames[0].name == "500" and fig.frames[-1].name == "0"
    assert len(fig.to_json()) < 400_000


def test_the_animation_colours_each_step_by_its_gradient_norm_on_a_fixed_range(default_exp):
    fig = figures.backward_animation_figure(default_exp)
    marker = fig.data[3].marker
    last = fig.frames[-1].data[0]
    colours = np.asarray(last.marker.color, dtype=float)
    assert len(last.x) == 61  # at k = 0 every state has been reached
    expected = np.log10(np.linalg.norm(default_exp.gradients.dh, axis=1))
    np.testing.assert_allclose(colours, expected, atol=0.01)
    assert marker.cmin <= colours.min() and colours.max() <= marker.cmax


def test_the_jacobian_at_k_matches_the_norm_curve_and_stays_under_the_bound(default_exp):
    k = 40
    fig = figures.jacobian_at_figure(default_exp, k)
    singular = plotted(trace(fig, "singular").y)
    assert len(singular) == 32
    assert singular[0] == pytest.approx(default_exp.norms.log10_spectral[k], abs=1e-3)
    assert np.all(singular <= default_exp.log10_bound[k] + 1e-3)
    heatmap = fig.data[0]
    assert np.asarray(heatmap.z).shape == (32, 32) and np.abs(heatmap.z).max() == pytest.approx(1.0)


def test_the_heatmap_of_a_large_network_shows_its_first_units_and_says_so():
    exp = simulate(Settings(hidden_size=100, seq_length=20))
    fig = figures.jacobian_at_figure(exp, 15)
    assert np.asarray(fig.data[0].z).shape == (figures.MAX_HEATMAP_UNITS, figures.MAX_HEATMAP_UNITS)
    assert f"first {figures.MAX_HEATMAP_UNITS} of 100 units" in json.dumps(fig.to_plotly_json()["layout"])


def test_the_table_has_a_row_per_step_and_rescales_every_column_to_peak_at_one(default_exp):
    absolute = figures.per_step_table(default_exp)
    rescaled = figures.per_step_table(default_exp, rescaled=True)
    assert len(absolute) == 61 and absolute["k"].tolist() == list(range(61))
    assert absolute["‖∂h_T/∂h_k‖"].iloc[0] == pytest.approx(10 ** default_exp.norms.log10_spectral[0])
    for column in ["‖∂h_T/∂h_k‖", "bound (γ σ_max)^(T-k)", "‖∂L/∂h_k‖", "‖term of ∂L/∂W_hh‖"]:
        assert rescaled[column].max() == pytest.approx(1.0)
    assert absolute["loss at step k"].sum() == 1


def test_the_table_of_an_exploded_gradient_keeps_its_log_column_finite():
    exp = simulate(Settings(activation="relu", init="identity", scale=3.0, seq_length=500))
    table = figures.per_step_table(exp)
    assert np.isfinite(table["log10 ‖∂h_T/∂h_k‖"]).all()
    assert np.isinf(table["‖∂L/∂h_k‖"]).any()  # the gradient left float64 in the backward pass


def test_a_run_whose_gradient_is_not_finite_anywhere_says_so_instead_of_an_empty_chart(overflow_exp):
    for figure in (figures.step_terms_figure(overflow_exp), figures.backward_animation_figure(overflow_exp)):
        words = " ".join(annotation.text for annotation in figure.layout.annotations)
        assert not figure.data and "beyond floating point" in words  # the outputs overflowed: dy is NaN
