"""The regime map: the same numbers as a single run, in one vectorised sweep."""

import numpy as np
import pytest

from rnnviz.experiment import simulate
from rnnviz.regime_map import MAP_HIDDEN, MAP_SEEDS, edge_lines, regime_map
from rnnviz.settings import LIMITS, Settings


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_each_cell_of_the_map_equals_the_norm_of_a_single_run(activation):
    settings = Settings(activation=activation, hidden_size=MAP_HIDDEN, seq_length=40, scale=1.3, seed=7)
    single = simulate(settings).norms.log10_spectral[0]
    mapped = regime_map(settings, scales=[1.3], lengths=[40], n_seeds=1).log10_norms[0, 0]
    assert mapped == pytest.approx(single, abs=1e-9)


def test_every_length_comes_from_the_same_sweep_as_a_separate_run():
    settings = Settings(hidden_size=MAP_HIDDEN, scale=0.8, seed=3)
    mapped = regime_map(settings, scales=[0.8], lengths=[5, 17, 30], n_seeds=1).log10_norms[:, 0]
    for row, T in enumerate([5, 17, 30]):
        assert mapped[row] == pytest.approx(simulate(settings.replace(seq_length=T)).norms.log10_spectral[0], abs=1e-9)


def test_linear_identity_map_is_exactly_T_log10_scale():
    settings = Settings(activation="linear", init="identity", hidden_size=MAP_HIDDEN)
    regime = regime_map(settings, scales=[0.5, 1.0, 2.0], lengths=[10, 100], n_seeds=2)
    expected = np.outer([10, 100], np.log10([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(regime.log10_norms, expected, atol=1e-9)
    np.testing.assert_allclose(regime.critical_scales, 1.0)


def test_the_map_over_activations_puts_sigmoids_critical_scale_four_times_further():
    regime = regime_map(Settings(init="orthogonal"), axis="activation", scales=[1.0], n_seeds=1)
    critical = dict(zip(regime.rows, regime.critical_scales, strict=True))
    assert critical["tanh"] == pytest.approx(1.0)
    assert critical["sigmoid"] == pytest.approx(4.0)


def test_the_map_rejects_an_unknown_axis():
    with pytest.raises(ValueError, match="axis"):
        regime_map(Settings(), axis="seed")


def test_a_run_whose_state_overflows_is_mapped_as_exploded():
    settings = Settings(activation="linear", init="gaussian", seq_length=500)
    regime = regime_map(settings, scales=[3.0], lengths=[500], n_seeds=1)
    assert regime.log10_norms[0, 0] >= 100


def test_the_highest_seed_still_averages_over_several_seeds():
    regime = regime_map(Settings(seed=LIMITS.seed[1]), scales=[1.0], lengths=[10])
    assert regime.n_seeds == MAP_SEEDS
    assert np.isfinite(regime.log10_norms).all()


def test_clicking_a_cell_of_the_figure_gives_its_scale_and_length():
    from rnnviz.figures import map_cell_settings

    regime = regime_map(Settings(), scales=[0.5, 1.5], lengths=[10, 40], n_seeds=1)
    chosen = map_cell_settings(regime, {"customdata": {"0": 1.5, "1": 1, "2": 0.0}}, Settings(activation="relu"))
    assert (chosen.scale, chosen.seq_length, chosen.activation) == (1.5, 40, "relu")


def test_clicking_a_row_of_the_activation_map_gives_that_activation():
    from rnnviz.figures import map_cell_settings

    regime = regime_map(Settings(), axis="activation", scales=[2.0], n_seeds=1)
    chosen = map_cell_settings(regime, {"customdata": [2.0, regime.rows.index("sigmoid")]}, Settings())
    assert (chosen.scale, chosen.activation) == (2.0, "sigmoid")


def test_a_click_on_anything_but_a_cell_changes_nothing():
    from rnnviz.figures import map_cell_settings

    regime = regime_map(Settings(), scales=[1.0], lengths=[10], n_seeds=1)
    assert map_cell_settings(regime, {"x": 1.0, "y": 10}, Settings()) is None
    assert map_cell_settings(regime, {"customdata": [1.0, 7]}, Settings()) is None


# the median over seeds, the dead seeds and the words ---------------------------------------------------------


def test_relu_identity_at_scale_1_shows_the_median_and_the_seed_that_died():
    """Two of three seeds give exactly 1 and one gives exactly 0: the cell is 10^0, not a mean dragged to -100."""
    regime = regime_map(Settings(activation="relu", init="identity"), scales=[1.0], lengths=[60])
    assert regime.log10_norms[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert regime.dead_seeds[0, 0] == 1
    assert sorted(regime.seed_log10_norms[:, 0, 0])[0] == -np.inf
    words = regime.cell_words(0, 0)
    assert "median of 3 seeds: 10^0 (near the edge)" in words
    assert "1 of 3 died (exactly 0)" in words


def test_each_cell_is_the_median_of_its_seeds_and_the_first_seed_is_the_settings_own():
    settings = Settings(activation="relu", hidden_size=MAP_HIDDEN, seq_length=30, scale=1.4, seed=5)
    regime = regime_map(settings, scales=[1.0, 1.4], lengths=[10, 30])
    np.testing.assert_allclose(regime.log10_norms, np.median(regime.seed_log10_norms, axis=0))
    assert regime.seeds[0] == 5
    single = simulate(settings).norms.log10_spectral[0]
    assert regime.seed_log10_norms[0, 1, 1] == pytest.approx(single, abs=1e-9)
    assert f"seed 5's value when H = {MAP_HIDDEN}" in regime.cell_words(1, 1)


def test_the_hover_of_every_cell_names_its_median_and_each_seed():
    from rnnviz.figures import regime_map_figure

    regime = regime_map(Settings(), scales=[0.5, 2.0], lengths=[10, 40])
    cells = next(trace for trace in regime_map_figure(regime).data if trace.name == "cells")
    assert all("median of 3 seeds" in text and "seeds 0: " in text for text in cells.text)


def test_an_edge_beyond_the_map_is_said_to_be_beyond_it():
    regime = regime_map(Settings(init="orthogonal", seq_length=60), axis="activation", n_seeds=1)
    sigmoid = next(line for line in edge_lines(regime) if line.startswith("**sigmoid**"))
    assert "γσ_max = 1 at scale 4, beyond the map" in sigmoid
    assert "stays below 1 up to scale 3" in sigmoid


def test_the_edges_are_read_off_the_medians():
    regime = regime_map(Settings(activation="linear", init="identity"), scales=[0.5, 1.0, 1.5, 2.0], lengths=[10])
    (line,) = edge_lines(regime)
    assert line.startswith("**T = 10**: reaches 1 at scale 1, exploding (≥ 10^+2) from 2")  # 1.5^10 < 100 < 2^10
