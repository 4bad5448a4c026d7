"""Figures for the classroom pages: the regime map, the lessons' charts, one-hot text and the shapes of RNN."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures import style
from rnnviz.labels import choice_name
from rnnviz.regime_map import RegimeMap
from rnnviz.sequences import EncodedSentences, ParameterCounts, RNNShape
from rnnviz.settings import Settings

__all__ = [
    "MAP_COLOUR_DECADES",
    "class_answers_figure",
    "map_cell_settings",
    "one_hot_figure",
    "parameter_count_figure",
    "regime_map_figure",
    "rnn_shape_figure",
]

MAP_COLOUR_DECADES = 10.0  # the colour scale saturates at 10^-10 and 10^+10; hovering shows the exact value
INPUT_COLOUR = "#1e8449"


def _row_positions(regime: RegimeMap) -> np.ndarray:
    """The y coordinate of each row: T itself, or the row's index for the activations."""
    return np.array(regime.rows, dtype=float) if regime.axis == "T" else np.arange(len(regime.rows), dtype=float)


def regime_map_figure(regime: RegimeMap, current: Settings | None = None) -> go.Figure:
    """Heatmap of the median over seeds of log10 ||dh_T/dh_0|| over the weight scale (x) against T or the
    activation (y); hovering a cell gives its median, each seed's value and how many seeds died.

    Drawn on top: the contour where the norm is 1 (neither grows nor shrinks), the line where gamma * sigma_max = 1,
    a star at the `current` settings, and a transparent marker at the centre of each cell, so that clicking a cell
    selects a point whose customdata is (scale, row index).
    """
    y = _row_positions(regime)
    fig = go.Figure([_median_heatmap(regime, y), _neutral_line(regime, y), _theory_line(regime, y)])
    _theory_beyond_the_map(fig, regime, y)
    fig.add_trace(_clickable_cells(regime, y))
    if current is not None:
        star = _your_settings(regime, current)
        if star is not None:
            fig.add_trace(star)
    by_T = regime.axis == "T"
    activation, init = choice_name("activation", regime.settings.activation), choice_name("init", regime.settings.init)
    what = f"{activation} cell" if by_T else f"T = {regime.settings.seq_length}"
    title = f"Where gradients vanish (blue) or explode (red): {what}, {init} W_hh, median of {regime.n_seeds} seeds"
    row_title = "Sequence length T (steps back)" if by_T else "Activation f"
    style.layout(fig, title, x_title="Weight scale of W_hh", y_title=row_title, height=560)
    _map_axes(fig, regime, y)
    fig.update_layout(
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        legend={"y": -0.14, "yanchor": "top", "x": 0.0, "xanchor": "left"},
        margin={"b": 110},
    )
    return fig


NEUTRAL = "median ‖∂h_T/∂h_0‖ = 1 (neither grows nor shrinks)"


def _median_heatmap(regime: RegimeMap, y: np.ndarray) -> go.Heatmap:
    """The median of log10 ||dh_T/dh_0|| of each cell, on a colour scale centred on 0 and clipped at ±10."""
    return go.Heatmap(
        x=regime.scales,
        y=y,
        z=regime.log10_norms,
        zmid=0.0,
        zmin=-MAP_COLOUR_DECADES,
        zmax=MAP_COLOUR_DECADES,
        colorscale=style.DIVERGING,
        hoverinfo="skip",
        name="log10 ‖∂h_T/∂h_0‖",
        colorbar={
            "title": {"text": "log10 ‖∂h_T/∂h_0‖ (median)", "side": "right"},
            "ticksuffix": "",
            "tickvals": [-10, -5, 0, 5, 10],
            "ticktext": ["≤ -10", "-5", "0", "5", "≥ 10"],
        },
    )


def _neutral_line(regime: RegimeMap, y: np.ndarray) -> go.Contour | go.Scatter:
    """Where the median norm is 1: a contour over T, or a tick at the first crossing in each activation's row."""
    scales, z = regime.scales, regime.log10_norms
    if regime.axis == "T":
        return go.Contour(
            x=scales,
            y=y,
            z=z,
            contours={"start": 0.0, "end": 0.0, "size": 1.0, "coloring": "none"},
            line={"color": "black", "width": 3},
            showscale=False,
            hoverinfo="skip",
            showlegend=True,
            name=NEUTRAL,
        )
    return go.Scatter(
        x=[_first_crossing(scales, row) for row in z],
        y=y,
        mode="markers",
        marker={"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": "black"}},
        name=NEUTRAL,
        hoverinfo="skip",
        unselected={"marker": {"opacity": 1}},
    )


def _theory_line(regime: RegimeMap, y: np.ndarray) -> go.Scatter:
    """Pascanu et al.'s condition gamma * sigma_max(W_hh) = 1, where the map's weight scales reach it."""
    critical_x, critical_y = _critical_segments(regime, y)
    return go.Scatter(
        x=critical_x,
        y=critical_y,
        mode="lines",
        line={"color": style.BOUND, "width": 3, "dash": "dash"},
        name="σ_max(W_hh) = 1/γ (theory)",
        hoverinfo="skip",
    )


def _theory_beyond_the_map(fig: go.Figure, regime: RegimeMap, y: np.ndarray) -> None:
    """A note at the right edge for a theory line beyond the largest scale drawn."""
    scales, by_T = regime.scales, regime.axis == "T"
    for row, critical in zip(y, regime.critical_scales, strict=True):
        if critical > scales[-1] and (not by_T or row == y[0]):
            fig.add_annotation(
                x=scales[-1],
                xanchor="right",
                y=0.5 if by_T else row,
                yref="paper" if by_T else "y",
                text=f"γ σ_max = 1 at scale {critical:.2g} →",
                showarrow=False,
                bgcolor="rgba(255,255,255,0.85)",
                font={"color": style.BOUND, "size": style.FONT_SIZE - 1},
            )


def _clickable_cells(regime: RegimeMap, y: np.ndarray) -> go.Scatter:
    """A transparent marker at each cell's centre: its hover gives the median and each seed's value, and a click
    selects it (customdata: scale, row index, median)."""
    scales, rows, z = regime.scales, regime.rows, regime.log10_norms
    grid_x, grid_y = np.meshgrid(scales, y)  # (R, S) each
    grid_rows = np.broadcast_to(np.arange(len(rows))[:, None], z.shape)
    row_names = np.array(
        [[f"{row}<br>{regime.cell_words(i, j, '<br>')}" for j in range(len(scales))] for i, row in enumerate(rows)],
        dtype=object,
    )  # (R, S): the row, the median and each seed's value
    return go.Scatter(
        x=grid_x.ravel(),
        y=grid_y.ravel(),
        mode="markers",
        showlegend=False,
        name="cells",
        marker={"symbol": "square", "size": 16, "color": "rgba(0,0,0,0)"},
        customdata=np.stack([grid_x.ravel(), grid_rows.ravel(), z.ravel()], axis=1),
        text=row_names.ravel(),
        hovertemplate=(
            "scale %{customdata[0]:.2f}, "
            + ("T = %{text}" if regime.axis == "T" else "%{text}")
            + "<br>click to use these settings"
            + "<extra></extra>"
        ),
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
    )


def _your_settings(regime: RegimeMap, current: Settings) -> go.Scatter | None:
    """A star at the sidebar's settings, or None when the map has no row for them."""
    rows = list(regime.rows)
    if regime.axis == "T":
        marker_y = current.seq_length
    elif current.activation in rows:
        marker_y = rows.index(current.activation)
    else:
        return None
    return go.Scatter(
        x=[current.scale],
        y=[marker_y],
        mode="markers",
        name="your settings",
        marker={"symbol": "star", "size": 22, "color": style.HIGHLIGHT, "line": {"width": 2, "color": "black"}},
        hovertemplate="your settings: scale %{x:.2f}<extra></extra>",
        unselected={"marker": {"opacity": 1}},
    )


def _map_axes(fig: go.Figure, regime: RegimeMap, y: np.ndarray) -> None:
    """The scales' axis with half a cell either side; T on a log axis, or the activations top to bottom."""
    scales = regime.scales
    fig.update_xaxes(range=[scales[0] - _half_step(scales), scales[-1] + _half_step(scales)])
    if regime.axis == "T":
        ticks = [t for t in (2, 5, 10, 20, 50, 100, 200, 500) if y[0] <= t <= y[-1]]
        fig.update_yaxes(
            type="log",
            range=[np.log10(y[0]) - 0.05, np.log10(y[-1]) + 0.05],
            tickvals=ticks,
            ticktext=[str(t) for t in ticks],
            minor={"showgrid": False},
        )
    else:
        fig.update_yaxes(tickvals=y, ticktext=list(regime.rows), range=[len(regime.rows) - 0.5, -0.5])


def _half_step(scales: np.ndarray) -> float:
    return float(np.diff(scales).mean() / 2) if len(scales) > 1 else 0.05


def _first_crossing(scales: np.ndarray, row: np.ndarray) -> float | None:
    """The scale where the row first passes from below 0 to above (linear between grid points), or None."""
    for i in range(len(row) - 1):
        if row[i] < 0 <= row[i + 1]:
            return float(scales[i] + (scales[i + 1] - scales[i]) * (-row[i]) / (row[i + 1] - row[i]))
    return None


def _critical_segments(regime: RegimeMap, y: np.ndarray) -> tuple[list, list]:
    """A vertical line at the critical scale (T axis) or a short segment per row (activation axis)."""
    if regime.axis == "T":
        c = float(regime.critical_scales[0])
        return [c, c], [float(y[0]), float(y[-1])]
    xs, ys = [], []
    for row, c in zip(y, regime.critical_scales, strict=True):
        xs += [float(c), float(c), None]
        ys += [row - 0.45, row + 0.45, None]
    return xs, ys


def map_cell_settings(regime: RegimeMap, point: dict, current: Settings) -> Settings | None:
    """The settings of the clicked cell (a selected point of `regime_map_figure`), or None for any other point."""
    data = point.get("customdata")
    if isinstance(data, dict):  # the browser may send an array as {"0": ..., "1": ...}
        data = [data.get(str(i), data.get(i)) for i in range(len(data))]
    if not isinstance(data, (list, tuple)) or len(data) < 2 or data[0] is None or data[1] is None:
        return None
    scale, row = float(data[0]), int(round(float(data[1])))
    if not 0 <= row < len(regime.rows):
        return None
    if regime.axis == "T":
        return current.replace(scale=scale, seq_length=int(regime.rows[row]))
    return current.replace(scale=scale, activation=str(regime.rows[row]))


def one_hot_figure(encoded: EncodedSentences, index: int = 0) -> go.Figure:
    """The one-hot matrix of sentence `index`: a row per padded token, a column per vocabulary entry."""
    padded = encoded.padded[index]
    xs = encoded.one_hot[index]  # (T_max, V)
    vocabulary = list(encoded.vocabulary.tokens)
    steps = [f"{t + 1}: {token}" for t, token in enumerate(padded)]
    fig = go.Figure(
        go.Heatmap(
            z=xs,
            x=vocabulary,
            y=steps,
            colorscale=[[0, "#f4f6f7"], [1, style.MEASURED]],
            showscale=False,
            xgap=1,
            ygap=1,
            text=np.where(xs > 0, "1", ""),
            texttemplate="%{text}",
            hovertemplate="step %{y}<br>vocabulary entry %{x}: %{z:.0f}<extra></extra>",
        )
    )
    height = min(max(260, 34 * len(padded) + 170), 1100)
    style.layout(
        fig,
        f"One-hot input of sentence {index + 1}: one row per step, one column per vocabulary entry",
        x_title="vocabulary entry (column index = position of the 1)",
        y_title="step t: token",
        height=height,
        legend=False,
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-45)
    return fig


def parameter_count_figure(counts: ParameterCounts) -> go.Figure:
    """Input weights of a dense network on padded one-hot input beside the RNN's.

    Each bar is named, with its count, on a line of its own just above it (placed in data units, so it keeps its
    place at any height), so the chart needs no wide margin for labels and reads the same on a phone as on a
    projector.
    """
    names = [
        "dense network: T·V·H input weights",
        "RNN: W_xh (V·H), shared by every step",
        "RNN: the recurrent layer (W_xh, W_hh, b_h)",
    ]
    short = ["dense network (T·V·H)", "RNN's input weights W_xh (V·H)", "RNN's layer (W_xh, W_hh, b_h)"]
    values = [counts.dense_input_weights, counts.rnn_input_weights, counts.rnn_weights]
    labels = [f"<b>{value:,}</b>  {name}" for name, value in zip(short, values, strict=True)]
    fig = _labelled_bars(values, labels, [style.BOUND, style.MEASURED, style.MUTED], names, "%{x:,}")
    style.layout(
        fig,
        f"Weights needed for T = {counts.seq_length:,} tokens, V = {counts.vocabulary_size:,} words, "
        f"H = {counts.hidden_size:,} units",
        x_title="number of weights",
        height=340,
        legend=False,
    )
    fig.update_xaxes(range=[0, 1.02 * max(values)])
    _label_room(fig, len(values), top=-0.8)
    return fig


def _labelled_bars(
    values: list, labels: list[str], colours: list[str], hover_names: list[str], hover_value: str,
    label_colours: list[str] | None = None,
) -> go.Figure:  # fmt: skip
    """Horizontal bars, top to bottom, each with its label on a line of its own just above it (placed in data units,
    so it keeps its place at any height): no wide margin for labels, and the same on a phone as on a projector.
    `hover_value`: the value's part of the hover text, e.g. "%{x:,}"."""
    rows = list(range(len(values)))
    fig = go.Figure(
        go.Bar(
            x=values,
            y=rows,
            orientation="h",
            width=0.4,
            customdata=hover_names,
            marker={"color": colours},
            hovertemplate=f"%{{customdata}}: {hover_value}<extra></extra>",
        )
    )
    for row, label in zip(rows, labels, strict=True):
        fig.add_annotation(
            x=0, y=row - 0.22, text=label, xref="x", yref="y", xanchor="left", yanchor="bottom",
            showarrow=False, align="left", font={"color": label_colours[row]} if label_colours else None,
        )  # fmt: skip
    return fig


def _label_room(fig: go.Figure, bars: int, top: float) -> None:
    """The bars' axis without ticks, from just below the last bar up to `top`, where the first label fits."""
    fig.update_yaxes(range=[bars - 0.6, top], showticklabels=False, showline=False, showgrid=False)
    fig.update_layout(margin={"l": 20})


def rnn_shape_figure(shape: RNNShape) -> go.Figure:
    """The unrolled cells of one shape of RNN: inputs x_t attach below (green), outputs with a loss L_t above (red)."""
    steps = len(shape.inputs)
    boxes, notes = [], []
    for t in range(steps):
        boxes.append(
            {
                "type": "rect",
                "x0": t - 0.3,
                "x1": t + 0.3,
                "y0": -0.3,
                "y1": 0.3,
                "fillcolor": "#d6e4f5",
                "line": {"color": style.MEASURED, "width": 2},
            }
        )
        notes.append(_label(t, 0, f"h<sub>{t + 1}</sub>", "#1a1a1a"))
        if t > 0:
            notes.append(style.arrow(t - 0.7, 0, t - 0.3, 0, style.MEASURED))
        if shape.inputs[t]:
            notes += [
                style.arrow(t, -0.85, t, -0.3, INPUT_COLOUR),
                _label(t, -1.05, f"x<sub>{t + 1}</sub>", INPUT_COLOUR),
            ]
        if shape.outputs[t]:
            notes += [
                style.arrow(t, 0.3, t, 0.85, style.BOUND),
                _label(t, 1.08, f"y<sub>{t + 1}</sub>, L<sub>{t + 1}</sub>", style.BOUND),
            ]
    fig = go.Figure(layout={"shapes": boxes, "annotations": notes})
    style.layout(fig, shape.title, height=280, legend=False)
    fig.update_xaxes(visible=False, range=[-0.6, max(steps, 4) - 0.4])
    fig.update_yaxes(visible=False, range=[-1.3, 1.35])
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def _label(x: float, y: float, text: str, colour: str) -> dict:
    return {"x": x, "y": y, "text": text, "showarrow": False, "font": {"size": 16, "color": colour}}


RIGHT_COLOUR = "#1e8449"  # the right answer's bar, once revealed
ANSWER_LINE = 34  # characters of an answer's label per line: a phone's width at 15 px


def class_answers_figure(choices: list[str], counts: list[int], correct: int | None = None) -> go.Figure:
    """How many students picked each answer: a bar per answer, top to bottom in the question's order, its count,
    share and words on a line above it (so a phone and a projector both read it). With `correct` (the reveal),
    the right answer's bar is green and marked; the others are grey."""
    total = sum(counts)
    rows = list(range(len(choices)))
    colours = [style.MEASURED if correct is None else (RIGHT_COLOUR if row == correct else style.MUTED) for row in rows]
    labels = []
    for row, choice, count in zip(rows, choices, counts, strict=True):
        mark = "✓ right answer: " if row == correct else ""
        share = f" ({count / total:.0%})" if total else ""
        labels.append(style.wrapped(f"<b>{count}</b>{share}  {mark}{chr(ord('A') + row)}. {choice}", ANSWER_LINE))
    label_colours = [RIGHT_COLOUR if row == correct else "#1a1a1a" for row in rows]
    fig = _labelled_bars(counts, labels, colours, choices, "%{x} students", label_colours)
    lines = sum(style.wrapped(f"00 (00%)  A. {choice}", ANSWER_LINE).count("<br>") + 1 for choice in choices)
    title = f"What the class answered: {total} {'answer' if total == 1 else 'answers'}"
    style.layout(fig, title, x_title="students", height=140 + 70 * len(choices) + 22 * lines, legend=False)
    most = max(max(counts, default=0), 1)
    fig.update_xaxes(range=[0, 1.05 * most], tickformat="d", dtick=1 if most <= 10 else None)  # whole students
    _label_room(fig, len(choices), top=-1.0)
    return fig
