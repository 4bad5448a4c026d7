"""The one cache between the pages and the core: every result the pages compute (an Experiment per Settings, the
cells' comparison, the regime map, the encoded sentences) and the figures drawn from them. A figure is looked up by
its builder, a function of `rnnviz.figures`, not by its name.

Mostly `st.cache_resource`, not `st.cache_data`: cache_data pickles the result on every hit, which for H = 256,
T = 500 is an 8 MB Experiment and about 15 ms of copying per hit (under 1 ms at the defaults); cache_resource
hands out the one shared object, which is safe because an Experiment is frozen and nothing mutates its arrays
or the cached figures (`st.plotly_chart` copies a figure with `to_dict` before sending it). The two small results
(a count of seeds, a regime map) use cache_data. Every cache is bounded (`max_entries`), so a stranger sweeping
every setting cannot grow the server's memory without limit.

The first section holds the two objects that are not caches of a computation but one per server, shared by every
session: the count of training slots (`ui.slots`) and the classic comparison's run (a `ui.live_job.LiveJob`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnviz.comparison import Comparison, compare_cells
from rnnviz.experiment import Experiment, simulate
from rnnviz.figures import cell_views_figure, one_hot_figure, parameter_count_figure, rnn_shape_figure
from rnnviz.figures.gated_step import gated_cell_figure
from rnnviz.frameworks import ImportedModel, open_model
from rnnviz.gated_step import GatedStep, gated_step
from rnnviz.imported import ImportedExperiment, InputRequest, analyse_request
from rnnviz.regime_map import RegimeMap, regime_map
from rnnviz.scenarios import seeds_keeping_a_unit_active
from rnnviz.sequences import RNN_SHAPES, EncodedSentences, ParameterCounts, encode_sentences
from rnnviz.settings import LIMITS, Settings
from rnnviz.stepper import StepParts, step_parts
from rnnviz.task_training import TaskConfig, TaskTrainer
from ui.live_job import LiveJob
from ui.slots import MAX_CONCURRENT_TRAININGS, TrainingSlots

BY_NAME = {FunctionType: lambda builder: f"{builder.__module__}.{builder.__qualname__}"}  # a builder's cache key


# one per server, shared by every session ---------------------------------------------------------------------------
@st.cache_resource(max_entries=1, show_spinner=False)
def training_slots() -> TrainingSlots:
    """The server's one count of training slots, shared by every session."""
    return TrainingSlots(MAX_CONCURRENT_TRAININGS)


@st.cache_resource(max_entries=1, show_spinner=False)
def classic_training(config: TaskConfig) -> LiveJob:
    """The classic comparison's run, one per server, trained by a thread of its own from the first call: a class
    opening it at once trains it once, and every session watches the same run, then reads its `result`."""
    trainer = TaskTrainer(config)
    return LiveJob(trainer, step=trainer.step, more=lambda: trainer.running, finish=trainer.result).start_thread()


# caches of a computation ------------------------------------------------------------------------------------------


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


@st.cache_resource(max_entries=128, show_spinner=False, hash_funcs=BY_NAME)
def figure(builder: Callable[..., go.Figure], settings: Settings, **options) -> go.Figure:
    """`builder(experiment_for(settings), **options)`, a builder of `rnnviz.figures`, built once per arguments."""
    return SentFigure(builder(experiment_for(settings), **options))


@st.cache_resource(max_entries=64, show_spinner=False)
def cell_views(settings: Settings, t: int, max_units: int = 8) -> go.Figure:
    """The two pictures of the cell at step t (see `rnnviz.figures.cell_views_figure`)."""
    return cell_views_figure(parts_at(settings, t), max_units=max_units)


def parts_at(settings: Settings, t: int) -> StepParts:
    """The parts of step t of the run for `settings` (cheap: slices of the cached run)."""
    return step_parts(experiment_for(settings).run, t)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=BY_NAME)
def table(builder: Callable[..., pd.DataFrame], settings: Settings, **options) -> pd.DataFrame:
    """`builder(experiment_for(settings), **options)` for a table (a DataFrame nobody mutates)."""
    return builder(experiment_for(settings), **options)


@st.cache_resource(max_entries=16, show_spinner="Running the RNN, the LSTM and the GRU…")
def comparison_for(settings: Settings, forget_bias: float, gated_init: str) -> Comparison:
    """The three cells on the input of `settings` (already clamped by `comparison_settings`), computed once (the
    arguments are the key, so every caller passes all three)."""
    return compare_cells(settings, forget_bias=forget_bias, gated_init=gated_init)


@st.cache_resource(max_entries=96, show_spinner=False, hash_funcs=BY_NAME)
def comparison_figure(
    builder: Callable[..., go.Figure], settings: Settings, forget_bias: float, gated_init: str, **options
) -> go.Figure:
    """`builder(comparison_for(...), **options)`, a builder of `rnnviz.figures`, built once per arguments."""
    return builder(comparison_for(settings, forget_bias, gated_init), **options)


def gated_step_at(settings: Settings, forget_bias: float, gated_init: str, kind: str, t: int) -> GatedStep:
    """Step t of the comparison's LSTM or GRU in its parts (cheap: one step of the cell on the cached run)."""
    return gated_step(comparison_for(settings, forget_bias, gated_init).cells[kind].run, t)


@st.cache_resource(max_entries=64, show_spinner=False)
def gated_step_figure(settings: Settings, forget_bias: float, gated_init: str, kind: str, t: int) -> go.Figure:
    """The LSTM or the GRU drawn at step t, its gates coloured by their values (`gated_cell_figure`)."""
    return SentFigure(gated_cell_figure(gated_step_at(settings, forget_bias, gated_init, kind, t)))


@st.cache_data(max_entries=4, show_spinner="Running the other seeds…")
def seeds_kept_for(settings: Settings) -> int:
    """How many of the lesson's seeds keep a unit active (see `rnnviz.scenarios.seeds_keeping_a_unit_active`)."""
    return seeds_keeping_a_unit_active(settings)


@st.cache_data(max_entries=16, show_spinner="Computing the map…")
def regime_map_for(settings: Settings, axis: str) -> RegimeMap:
    """The regime map over the weight scale and `axis` ("T" or "activation"), up to the settings' T."""
    return regime_map(settings, axis=axis, max_length=settings.seq_length)


@st.cache_resource(max_entries=32, show_spinner=False)
def encoded_with_figures(sentences: tuple[str, ...], framed: bool) -> tuple[EncodedSentences, list]:
    """The encoded sentences and the one-hot figure of each (shared, never mutated)."""
    encoded = encode_sentences(sentences, with_start_end=framed)
    return encoded, [one_hot_figure(encoded, index) for index in range(len(sentences))]


@st.cache_resource(max_entries=1, show_spinner=False)
def shape_figures() -> list:
    """One figure for each of the shapes of RNN (one to one, one to many, ...)."""
    return [rnn_shape_figure(shape) for shape in RNN_SHAPES]


@st.cache_resource(max_entries=32, show_spinner=False)
def count_figure_for(counts: ParameterCounts) -> go.Figure:
    """The parameter counts of a sentence model, as a figure."""
    return parameter_count_figure(counts)


@st.cache_resource(max_entries=8, show_spinner="Opening the model…")
def imported_model(data: bytes) -> ImportedModel:
    """The model in an uploaded or shipped file (`rnnviz.frameworks.open_model` under the server's limits); a
    ValueError in words for a file it cannot open (not cached: the next try reads it again)."""
    return open_model(data, LIMITS)


@st.cache_resource(max_entries=16, show_spinner="Running your network…")
def imported_experiment(data: bytes, request: InputRequest) -> ImportedExperiment:
    """The model of `data` run and measured on the input `request` describes."""
    return analyse_request(imported_model(data), request, LIMITS)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=BY_NAME)
def imported_figure(builder: Callable[..., go.Figure], data: bytes, request: InputRequest, **options) -> go.Figure:
    """`builder(imported_experiment(data, request), **options)`, a builder of `rnnviz.figures`, built once."""
    return SentFigure(builder(imported_experiment(data, request), **options))
