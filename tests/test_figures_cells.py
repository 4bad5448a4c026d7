"""The figures of the Cells and Long-range memory pages: what each one draws, titled and labelled."""

import numpy as np
import pytest

from rnnviz.comparison import compare_cells
from rnnviz.figures import cells as figures
from rnnviz.settings import Settings
from rnnviz.task_training import CellHistory
from rnnviz.tasks import adding_problem, copy_memory


@pytest.fixture(scope="module")
def comparison():
    return compare_cells(Settings(hidden_size=6, seq_length=12))


@pytest.fixture(scope="module")
def exploding():
    return compare_cells(Settings(activation="relu", init="identity", scale=3.0, hidden_size=6, seq_length=200))


COMPARISON_BUILDERS = [
    (figures.cells_norms_figure, {}),
    (figures.gate_activations_figure, {"kind": "lstm"}),
    (figures.gate_activations_figure, {"kind": "gru"}),
    (figures.cell_path_figure, {}),
    (figures.cells_connectivity_figure, {}),
    (figures.bidirectional_connectivity_figure, {}),
    (figures.bidirectional_unfold_figure, {}),
]


@pytest.mark.parametrize("builder, options", COMPARISON_BUILDERS)
def test_every_comparison_figure_has_a_title_and_something_drawn(comparison, builder, options):
    fig = builder(comparison, **options)
    assert fig.layout.title.text
    assert len(fig.data) > 0


@pytest.mark.parametrize("builder, options", COMPARISON_BUILDERS)
def test_an_exploding_vanilla_cell_at_the_largest_sizes_gives_figures_without_infinities(exploding, builder, options):
    fig = builder(exploding, **options)
    for trace in fig.data:
        for values in (getattr(trace, "y", None), getattr(trace, "z", None)):
            if values is not None and len(values):
                assert not np.isinf(np.asarray(values, dtype=float)).any()


def test_the_norms_figure_has_one_line_per_cell_with_its_measured_values(comparison):
    fig = figures.cells_norms_figure(comparison)
    assert [trace.name for trace in fig.data] == ["vanilla RNN", "LSTM", "GRU"]
    np.testing.assert_allclose(fig.data[1].y, comparison.cells["lstm"].norms.log10_spectral[::-1])  # n = T - k
    assert list(fig.data[1].x) == list(range(13)) and list(fig.data[1].customdata) == list(range(12, -1, -1))
    assert "log scale" in fig.layout.yaxis.title.text and fig.layout.xaxis.title.text == "steps back n = T − k"
    assert all(text.startswith("10<sup>") for text in fig.layout.yaxis.ticktext)


def test_the_gate_figures_show_i_f_o_for_the_lstm_and_r_z_for_the_gru(comparison):
    lstm = figures.gate_activations_figure(comparison, "lstm")
    gru = figures.gate_activations_figure(comparison, "gru")
    assert [a.text for a in lstm.layout.annotations] == ["input gate i", "forget gate f", "output gate o"]
    assert [a.text for a in gru.layout.annotations] == ["reset gate r", "update gate z"]
    np.testing.assert_array_equal(lstm.data[1].z, comparison.cells["lstm"].gates["f"].T)  # a row per unit
    with pytest.raises(ValueError, match="kind"):
        figures.gate_activations_figure(comparison, "rnn")


def test_the_cell_path_figure_puts_the_measured_norm_beside_the_forget_gate_products(comparison):
    fig = figures.cell_path_figure(comparison)
    by_name = {trace.name: trace for trace in fig.data}
    measured, largest = by_name["measured ‖∂c_T/∂c_k‖"], by_name["largest unit's prod f_t"]
    np.testing.assert_allclose(measured.y, comparison.cell_path.log10_spectral[::-1])  # against n = T - k
    np.testing.assert_allclose(largest.y, np.log10(comparison.forget_products).max(axis=1)[::-1])
    assert list(measured.x) == list(range(13)) and list(measured.customdata) == list(range(12, -1, -1))
    assert fig.layout.xaxis.title.text == "steps back n = T − k"
    assert all(text.startswith("10<sup>") for text in fig.layout.yaxis.ticktext)


def test_one_directional_connectivity_is_blank_above_the_diagonal_and_bidirectional_is_not(comparison):
    cells = figures.cells_connectivity_figure(comparison)
    assert len(cells.data) == 3
    for trace in cells.data:
        z = np.asarray(trace.z, dtype=float)
        assert np.isnan(z[np.triu_indices(z.shape[0], 1)]).all()
        assert np.isfinite(np.diag(z)).all()
    both = np.asarray(figures.bidirectional_connectivity_figure(comparison).data[0].z, dtype=float)
    assert np.isfinite(both).all()


def test_the_bidirectional_unfolding_draws_both_directions(comparison):
    fig = figures.bidirectional_unfold_figure(comparison, steps=5)
    names = [trace.name for trace in fig.data]
    assert any("forward state" in name for name in names) and any("backward state" in name for name in names)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    rightwards = [a for a in arrows if a.y == a.ay == 1.0 and a.x > a.ax]  # forward row: left to right
    leftwards = [a for a in arrows if a.y == a.ay == 2.0 and a.x < a.ax]  # backward row: right to left
    assert len(rightwards) == len(leftwards) == 5  # 4 between the drawn steps, 1 on to the steps not drawn


def history(kind, loss, norms=None, clipped=None):
    loss = np.asarray(loss, dtype=float)
    norms = np.ones_like(loss) if norms is None else np.asarray(norms, dtype=float)
    clipped = np.zeros(loss.shape, bool) if clipped is None else clipped
    return CellHistory(kind, loss, norms, clipped, np.zeros(loss.shape, bool))


def test_the_loss_figure_draws_each_cell_and_the_baseline_on_a_log_axis():
    histories = {"rnn": history("rnn", np.full(40, 0.17)), "gru": history("gru", np.geomspace(0.2, 0.001, 40))}
    fig = figures.task_loss_figure(histories, 1 / 6, "adding", total_steps=100)
    assert fig.layout.yaxis.type == "log"
    assert [s.y0 for s in fig.layout.shapes] == [pytest.approx(1 / 6)]
    named = [trace.name for trace in fig.data if trace.showlegend is not False]
    assert named == ["vanilla RNN", "GRU"]
    assert tuple(fig.layout.xaxis.range) == (0, 100)


def test_the_loss_figure_before_any_step_says_so():
    fig = figures.task_loss_figure({"rnn": history("rnn", [])}, 1 / 6, "adding")
    assert "no steps yet" in fig.layout.title.text


def test_the_gradient_norm_figure_marks_spikes_and_the_clipping_threshold_only_when_clipping_by_norm():
    norms = np.ones(50)
    norms[30] = 100.0
    histories = {"lstm": history("lstm", np.ones(50), norms)}
    clipped = figures.task_grad_norm_figure(histories, "norm", 2.0, spikes={"lstm": [30]})
    assert [s.y0 for s in clipped.layout.shapes] == [2.0]
    spike_trace = [trace for trace in clipped.data if "spikes" in trace.name][0]
    assert list(spike_trace.x) == [31] and list(spike_trace.y) == [100.0]
    assert not figures.task_grad_norm_figure(histories, "none", 2.0).layout.shapes


def test_the_adding_example_marks_its_two_values_and_states_their_sum():
    batch = adding_problem(20, 2, np.random.default_rng(0))
    fig = figures.task_example_figure(batch, index=1)
    marked = fig.data[1]
    assert len(marked.x) == 2
    assert f"{batch.targets[1, 0]:.2f}" in fig.layout.title.text


def test_the_copy_example_shows_the_symbols_and_the_delimiter():
    batch = copy_memory(5, 1, np.random.default_rng(1))
    text = np.asarray(figures.task_example_figure(batch).data[0].text)
    assert list(text[0, :10]) == [str(s) for s in batch.targets[-10:, 0]]
    assert text[0, 14] == ":"


def test_the_moving_average_is_the_mean_of_the_last_values_skipping_gaps():
    np.testing.assert_allclose(figures.moving_average(np.array([1.0, 3.0, 5.0, 7.0]), window=2), [1, 2, 4, 6])
    np.testing.assert_allclose(figures.moving_average(np.array([1.0, np.nan, 5.0]), window=3), [1, 1, 3])
