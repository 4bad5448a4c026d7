"""The cached figures the pages send: the same figure as the builder's, without a second validation pass."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

import rnnviz.figures
from rnnviz.experiment import simulate
from rnnviz.settings import Settings
from ui.cache import SentFigure


def test_a_sent_figure_is_the_builders_figure_and_keeps_its_dict():
    exp = simulate(Settings(seq_length=12, hidden_size=4))
    built = rnnviz.figures.hidden_state_animation(exp)
    sent = SentFigure(built)
    assert isinstance(sent, go.Figure)
    assert sent.to_dict() == built.to_dict()
    assert sent.to_dict() is sent.to_dict()  # built once, handed out on every rerun
    assert len(sent.frames) == len(built.frames) > 0
    assert pio.to_json(sent, validate=False) == pio.to_json(built, validate=False)
