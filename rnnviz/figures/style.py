"""One look for every figure: readable on a projector, the same colour for the same quantity everywhere."""

from __future__ import annotations

import plotly.graph_objects as go

FONT_SIZE = 15
MEASURED = "#1f4e99"  # a measured quantity (||dh_T/dh_k||, a loss, a norm)
BOUND = "#c0392b"  # the theory drawn beside it (the bound, a baseline)
HIGHLIGHT = "#e67e22"  # the current step, the current settings
MUTED = "#7f8c8d"  # context: grid of the unrolled graph, inactive steps
CELL_COLOURS = {"rnn": "#1f4e99", "lstm": "#27ae60", "gru": "#8e44ad"}
REGIME_COLOURS = {"vanishing": "#2471a3", "exploding": "#c0392b", "near the edge": "#1e8449"}
DIVERGING = "RdBu_r"  # signed values (states, Jacobian entries), centred on 0
SEQUENTIAL = "Viridis"  # magnitudes (norms, shares)


def layout(
    fig: go.Figure, title: str, x_title: str = "", y_title: str = "", height: int = 420, legend: bool = True
) -> go.Figure:
    """Title, axis titles, font and margins shared by every figure."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": FONT_SIZE + 3}},
        font={"size": FONT_SIZE, "family": "DejaVu Sans, Arial, sans-serif"},
        height=height,
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        template="plotly_white",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
    )
    fig.update_xaxes(title_text=x_title, showline=True, linecolor="#444", mirror=False, zeroline=False)
    fig.update_yaxes(title_text=y_title, showline=True, linecolor="#444", zeroline=False)
    return fig


def empty_figure(message: str, title: str = "", height: int = 300) -> go.Figure:
    """A figure that says in words why there is nothing to draw (never an empty chart without words)."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": FONT_SIZE + 1}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title, height=height, legend=False)


def arrow(x0: float, y0: float, x1: float, y1: float, colour: str, width: float = 2.5, standoff: float = 0.0) -> dict:
    """An annotation drawing an arrow from (x0, y0) to (x1, y1) in data coordinates, `standoff` pixels short of
    both ends (the radius of the nodes it joins)."""
    return {
        "x": x1,
        "y": y1,
        "ax": x0,
        "ay": y0,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.2,
        "arrowwidth": width,
        "arrowcolor": colour,
        "text": "",
        "standoff": standoff,
        "startstandoff": standoff,
    }
