"""Plotly figures built from rnnviz results (no Streamlit): the pages and a notebook draw the same pictures.

Each topic has its own module; every builder takes a result of the math (an Experiment, a training history,
a Comparison, ...) and returns a `plotly.graph_objects.Figure`. Every public builder is re-exported below, so a
page or a notebook reaches each as `rnnviz.figures.<name>` (the app's caches take the builder function itself).
"""

from rnnviz.figures.cells import *  # noqa: F403
from rnnviz.figures.classroom import *  # noqa: F403
from rnnviz.figures.gated_step import *  # noqa: F403
from rnnviz.figures.gradients import *  # noqa: F403
from rnnviz.figures.imported import *  # noqa: F403
from rnnviz.figures.training import *  # noqa: F403
from rnnviz.figures.unfold import *  # noqa: F403
