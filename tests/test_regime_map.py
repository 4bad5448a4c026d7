"""The regime map: the same numbers as a single run, in one vectorised sweep."""

import numpy as np
import pytest

from rnnviz.experiment import simulate
from rnnviz.regime_map import MAP_HIDDEN, MAP_SEEDS, regime_map
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
