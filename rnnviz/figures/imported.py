"""Figures of a model opened from a file (`rnnviz.imported.ImportedExperiment`): the Cells page's LSTM cell path and
connectivity map, drawn for the one model. ||dh_T/dh_k|| and the step terms are the Gradients page's own builders
(`jacobian_norms_figure`, `step_terms_figure`), which read an ImportedExperiment as they read an Experiment."""

from __future__ import annotations

from types import SimpleNamespace

import plotly.graph_objects as go

from rnnviz.figures import style
from rnnviz.figures.cells import cell_path_figure, cells_connectivity_figure

__all__ = ["imported_cell_path_figure", "imported_connectivity_figure"]


def imported_cell_path_figure(exp) -> go.Figure:
    """An imported LSTM's ||dc_T/dc_k|| beside its products of forget gates (see `cell_path_figure`)."""
    if exp.cell_path is None:
        return style.empty_figure("Only an LSTM has a cell path c_t.", "Cell path ‖∂c_T/∂c_k‖")
    lstm = SimpleNamespace(norms=exp.norms)
    return cell_path_figure(
        SimpleNamespace(cell_path=exp.cell_path, forget_products=exp.forget_products, cells={"lstm": lstm})
    )


def imported_connectivity_figure(exp) -> go.Figure:
    """||dy_t/dx_s|| of the whole model (both directions of a bidirectional one) over its first steps."""
    model = SimpleNamespace(name=exp.imported.description.split(" (")[0], connectivity=exp.connectivity)
    return cells_connectivity_figure(SimpleNamespace(cells={"model": model}))
