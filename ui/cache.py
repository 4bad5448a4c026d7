"""The one cache between the pages and the core: an Experiment per Settings, and the figures drawn from it.

`st.cache_resource`, not `st.cache_data`: cache_data pickles the result on every hit, which for H = 256,
T = 500 is an 8 MB Experiment and about 15 ms of copying per hit (under 1 ms at the defaults); cache_resource
hands out the one shared object, which is safe because an Experiment is frozen and nothing mutates its arrays
or the cached figures (`st.plotly_chart` copies a figure with `to_dict` before sending it). Both caches are
bounded, so a stranger sweeping every setting cannot grow the server's memory without limit.
"""

from __future__ import annotations

import importlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnviz.experiment import Experiment, simulate
from rnnviz.settings import Settings
from rnnviz.stepper import StepParts, step_parts


@st.cache_resource(max_entries=32, show_spinner="Running the network…")
def experiment_for(settings: Settings) -> Experiment:
    """The run, its gradients and diagnostics for `settings`, computed once per distinct settings."""
    return simulate(settings)


class SentFigure(go.Figure):
    """A finished figure whose dict is built once: `st.plotly_chart` calls `to_dict()` on every rerun, a deep
    copy that costs about 30 ms for an animation with 60 frames. Nobody mutates a cached figure or its dict.

    The copy is made from the figure's dict without validating it again (`_validate=False`, Plotly's own switch
    for figures it has already checked): the builder's figure was validated as it was built, and a second pass
    costs 15-30 ms per figure on every new setting.
    """

    def __init__(self, figure: go.Figure):
        sent = figure.to_dict()
        super().__init__(sent, _validate=False)
        self._sent = sent

    def to_dict(self) -> dict:
        return self._sent


@st.cache_resource(max_entries=128, show_spinner=False)
def figure(builder: str, settings: Settings, **options) -> go.Figure:
    """`rnnviz.figures.<builder>(experiment_for(settings), **options)`, built once per arguments."""
    figures = importlib.import_module("rnnviz.figures")
    return SentFigure(getattr(figures, builder)(experiment_for(settings), **options))


@st.cache_resource(max_entries=64, show_spinner=False)
def cell_views(settings: Settings, t: int, max_units: int = 8) -> go.Figure:
    """The two pictures of the cell at step t (see `rnnviz.figures.cell_views_figure`)."""
    from rnnviz.figures import cell_views_figure

    return cell_views_figure(parts_at(settings, t), max_units=max_units)


def parts_at(settings: Settings, t: int) -> StepParts:
    """The parts of step t of the run for `settings` (cheap: slices of the cached run)."""
    return step_parts(experiment_for(settings).run, t)


@st.cache_resource(max_entries=32, show_spinner=False)
def table(builder: str, settings: Settings, **options) -> pd.DataFrame:
    """`rnnviz.figures.<builder>(experiment_for(settings), **options)` for a table (a DataFrame nobody mutates)."""
    figures = importlib.import_module("rnnviz.figures")
    return getattr(figures, builder)(experiment_for(settings), **options)
