"""A user can drive the state past floating point from the sidebar alone, and every page says so instead of failing."""

import pytest
from conftest import assert_healthy, run_app

from rnnviz.experiment import simulate
from rnnviz.settings import LIMITS, Settings

HIGHEST_SCALE = LIMITS.scale[1]
EXPLODING = {"activation": "relu", "init": "identity", "scale": f"{HIGHEST_SCALE:g}", "T": str(LIMITS.seq_length[1])}


@pytest.mark.parametrize("activation", ["relu", "linear", "leaky_relu"])
def test_the_highest_scale_overflows_an_identity_cell_within_the_longest_sequence(activation):
    settings = Settings(activation=activation, init="identity", scale=HIGHEST_SCALE, seq_length=LIMITS.seq_length[1])
    experiment = simulate(settings)
    assert experiment.overflow_step is not None
    assert experiment.analysed_steps < experiment.overflow_step


@pytest.mark.parametrize("page", ["pages/unfold.py", "pages/gradients.py"])
def test_pages_show_the_overflow_banner_for_a_run_the_sidebar_can_set(page):
    at = run_app(page, query=EXPLODING)
    assert_healthy(at)
    assert any("overflowed at step" in error.value for error in at.error)


def test_the_cells_page_survives_the_highest_scale():
    assert_healthy(run_app("pages/cells.py", query=EXPLODING))
