"""Plotly figures built from rnnviz results (no Streamlit): the pages and a notebook draw the same pictures.

Each topic has its own module; every builder takes a result of the math (an Experiment, a training history,
a Comparison, ...) and returns a `plotly.graph_objects.Figure`. `ui.cache.figure("name", settings)` looks a
builder up by name here, so every public builder is re-exported below.
"""

from rnnviz.figures.cells import *  # noqa: F403
from rnnviz.figures.classroom import *  # noqa: F403
from rnnviz.figures.gradients import *  # noqa: F403
from rnnviz.figures.training import *  # noqa: F403
from rnnviz.figures.unfold import *  # noqa: F403
