"""The figures of the Cells page's step view: the cell drawn with its gates coloured by their values at step t, and
the gates animated over the run, one frame per step."""

import numpy as np
import pytest
from plotly.colors import get_colorscale, sample_colorscale

from rnnviz.comparison import compare_cells
from rnnviz.figures import gated_step as figures
from rnnviz.figures import style
from rnnviz.gated_step import gated_step
from rnnviz.settings import Settings

T = 12


@pytest.fixture(scope="module")
def small():
    return compare_cells(Settings(hidden_size=3, seq_length=T))


@pytest.fixture(scope="module")
def large():
    return compare_cells(Settings(hidden_size=40, seq_length=T))


def filled_boxes(fig):
    return [shape for shape in fig.layout.shapes if shape.fillcolor is not None]


def box_text(fig):
    return [a.text for a in fig.layout.annotations if a.bgcolor]  # the gates' labels sit on a white ground


@pytest.mark.parametrize("kind, gates", [("lstm", 4), ("gru", 3)])
def test_a_small_cell_colours_one_stripe_per_unit_of_every_gate(small, kind, gates):
    fig = figures.gated_cell_figure(gated_step(small.cells[kind].run, 5))
    assert len(filled_boxes(fig)) == gates * 3
    assert fig.layout.title.text == f"The {kind.upper()} at step 5<br>a stripe per unit of 3"


def test_a_large_cell_colours_each_gate_by_its_mean_and_says_so(large):
    step = gated_step(large.cells["lstm"].run, 7)
    fig = figures.gated_cell_figure(step)
    assert len(filled_boxes(fig)) == 4
    assert "mean over 40 units" in fig.layout.title.text
    assert any(f"{np.mean(step.gates['f']):.2f}" in text for text in box_text(fig))


def test_a_stripe_has_the_colour_of_its_units_value(small):
    step = gated_step(small.cells["lstm"].run, 3)
    forget = filled_boxes(figures.gated_cell_figure(step))[:3]  # f is the first box drawn
    expected = sample_colorscale(get_colorscale(style.SEQUENTIAL), step.gates["f"].tolist())
    assert [box.fillcolor for box in forget] == expected


def test_the_candidate_is_coloured_on_the_signed_scale(small):
    step = gated_step(small.cells["gru"].run, 3)
    candidate = filled_boxes(figures.gated_cell_figure(step))[6:9]  # z, r, then n
    expected = sample_colorscale(get_colorscale(style.DIVERGING), ((step.gates["n"] + 1) / 2).tolist())
    assert [box.fillcolor for box in candidate] == expected


@pytest.mark.parametrize(
    "kind, paths",
    [("lstm", ("c<sub>t−1</sub>", "c<sub>t</sub>", "h<sub>t</sub>")), ("gru", ("h<sub>t−1</sub>", "h<sub>t</sub>"))],
)
def test_the_diagram_labels_the_paths_of_the_state(small, kind, paths):
    fig = figures.gated_cell_figure(gated_step(small.cells[kind].run, 1))
    texts = [a.text for a in fig.layout.annotations]
    assert all(path in texts for path in paths)
    assert "x<sub>t</sub>" in texts


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_animation_has_one_frame_per_step(small, kind):
    fig = figures.gate_animation_figure(small, kind)
    assert [frame.name for frame in fig.frames] == [str(t) for t in range(1, T + 1)]
    assert [step.label for step in fig.layout.sliders[0].steps] == [str(t) for t in range(1, T + 1)]
    assert [button.label for button in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]


def test_each_frame_shows_every_units_gate_values_at_its_step(small):
    fig = figures.gate_animation_figure(small, "lstm")
    gates = small.cells["lstm"].gates
    dots, marker, means = fig.frames[4].data  # step 5
    expected = np.concatenate([gates[name][4] for name in "ifgo"])
    np.testing.assert_allclose(dots.y, expected, atol=5e-4)
    assert list(marker.x) == [5, 5]
    np.testing.assert_allclose(means.y, [np.mean(gates[name][4]) for name in "ifgo"], atol=5e-4)


def test_the_animation_is_titled_and_its_axes_labelled(large):
    fig = figures.gate_animation_figure(large, "gru")
    assert "The GRU's gates step by step (units 1 to 32 of 40)" in fig.layout.title.text.replace("<br>", " ")
    assert fig.layout.xaxis2.title.text == "step t"
    assert fig.layout.yaxis.title.text == "value at step t" and fig.layout.yaxis2.title.text == "mean over units"
    assert len(fig.frames[0].data[0].y) == 3 * 32


def test_the_animation_refuses_the_vanilla_cell(small):
    with pytest.raises(ValueError, match="kind must be 'lstm' or 'gru'"):
        figures.gate_animation_figure(small, "rnn")
