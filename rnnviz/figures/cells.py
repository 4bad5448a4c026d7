"""Figures of the gated cells: RNN, LSTM and GRU compared on one input, and their training on long-range tasks.

From a `rnnviz.comparison.Comparison`: ||dh_T/dh_k|| of the three cells on one log plot, the gates over time, the
LSTM's cell path beside its forget-gate product, the connectivity ‖∂y_t/∂x_s‖ of each cell, and the
bidirectional RNN unrolled in both directions. From `rnnviz.task_training` histories: the loss beside the task's
trivial baseline, the gradient norm with its spikes and the clipping threshold, and one example of the task.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.cell import CELL_NAMES
from rnnviz.figures import style

__all__ = [
    "CONNECTIVITY_DECADES",
    "bidirectional_connectivity_figure",
    "bidirectional_unfold_figure",
    "cell_path_figure",
    "cells_connectivity_figure",
    "cells_norms_figure",
    "gate_activations_figure",
    "moving_average",
    "task_example_figure",
    "task_grad_norm_figure",
    "task_loss_figure",
]

CONNECTIVITY_DECADES = 8.0  # the connectivity colour scale spans this many decades below its largest value
UNFOLD_STEPS = 8  # steps of the bidirectional unfolding drawn
GATE_WORDS = {
    "i": "input gate i",
    "f": "forget gate f",
    "o": "output gate o",
    "g": "candidate g",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
}
SHOWN_GATES = {"lstm": ("i", "f", "o"), "gru": ("r", "z")}
BACKWARD_COLOUR = style.HIGHLIGHT  # the backward-reading cell of the bidirectional RNN


def _finite_or_gap(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def cells_norms_figure(comparison) -> go.Figure:
    """||dh_T/dh_k|| against the steps back n = T - k for the vanilla RNN, the LSTM and the GRU on the same
    input (log axis, 10^k labels)."""
    fig = go.Figure()
    drawn = []
    for kind, result in comparison.cells.items():
        n, k, norms = style.steps_back(result.norms.log10_spectral)
        drawn.append(norms)
        fig.add_trace(
            go.Scatter(
                x=n,
                y=_finite_or_gap(norms),
                customdata=k,
                mode="lines",
                name=result.name,
                line={"color": style.CELL_COLOURS[kind], "width": 3},
                hovertemplate=f"{result.name}<br>n = %{{x}} steps back (k = %{{customdata}})"
                "<br>‖∂h_T/∂h_k‖ = 10^%{y:.2f}<extra></extra>",
            )
        )
    fig.add_hline(y=0.0, line={"color": style.MUTED, "width": 1})
    T = comparison.settings.seq_length
    style.layout(
        fig,
        f"How far back each cell carries the gradient from step T = {T}",
        x_title=style.STEPS_BACK_TITLE,
        y_title="‖∂h_T/∂h_k‖ (log scale)",
    )
    style.log_axis(fig, drawn)
    style.steps_back_axis(fig, T)
    return fig


def gate_activations_figure(comparison, kind: str) -> go.Figure:
    """Heatmaps of the gates over time: i, f, o for the LSTM or r, z for the GRU (one row per hidden unit)."""
    if kind not in SHOWN_GATES:
        raise ValueError(f"kind must be 'lstm' or 'gru', got {kind!r}")
    result = comparison.cells[kind]
    names = SHOWN_GATES[kind]
    fig = make_subplots(
        rows=len(names),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=[GATE_WORDS[name] for name in names],
    )
    for row, name in enumerate(names, start=1):
        gate = result.gates[name]  # (T, H)
        fig.add_trace(
            go.Heatmap(
                z=gate.T,
                x=np.arange(1, gate.shape[0] + 1),
                y=np.arange(1, gate.shape[1] + 1),
                coloraxis="coloraxis",
                hovertemplate=f"{name}: step %{{x}}, unit %{{y}}: %{{z:.3f}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text="unit", row=row, col=1)
    style.layout(
        fig, f"{result.name} gates over time (0 = closed, 1 = open)", height=170 + 150 * len(names), legend=False
    )
    fig.update_xaxes(title_text="step t", row=len(names), col=1)
    fig.update_layout(
        coloraxis={"colorscale": style.SEQUENTIAL, "cmin": 0.0, "cmax": 1.0, "colorbar": {"title": {"text": "gate"}}}
    )
    return fig


def cell_path_figure(comparison) -> go.Figure:
    """The LSTM's ||dc_T/dc_k|| (h_k held fixed) beside the product of forget gates prod_{t=k+1..T} f_t, against
    the steps back n = T - k (log axis, 10^k labels)."""
    n, k, measured = style.steps_back(comparison.cell_path.log10_spectral)
    log_products = style.log10(comparison.forget_products)[::-1]  # (T+1, H), row n = T - k
    lstm = comparison.cells["lstm"].norms.log10_spectral[::-1]
    hover = "n = %{x} steps back (k = %{customdata})<br>10^%{y:.2f}<extra></extra>"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([n, n[::-1]]),
            y=_finite_or_gap(np.concatenate([log_products.max(axis=1), log_products.min(axis=1)[::-1]])),
            fill="toself",
            fillcolor="rgba(192, 57, 43, 0.12)",
            line={"width": 0},
            hoverinfo="skip",
            name="prod_{t=k+1..T} f_t of every unit (band)",
        )
    )
    for values, name, line in (
        (log_products.max(axis=1), "largest unit's prod f_t", {"color": style.BOUND, "width": 2, "dash": "dash"}),
        (np.median(log_products, axis=1), "median unit's prod f_t", {"color": style.BOUND, "width": 2, "dash": "dot"}),
        (measured, "measured ‖∂c_T/∂c_k‖", {"color": style.CELL_COLOURS["lstm"], "width": 3}),
        (lstm, "LSTM ‖∂h_T/∂h_k‖ (c_k fixed)", {"color": style.MUTED, "width": 2}),
    ):
        fig.add_trace(
            go.Scatter(
                x=n, y=_finite_or_gap(values), customdata=k, mode="lines", name=name, line=line, hovertemplate=hover
            )
        )
    fig.add_hline(y=0.0, line={"color": style.MUTED, "width": 1})
    style.layout(
        fig,
        "LSTM cell path ‖∂c_T/∂c_k‖ and the products of forget gates",
        x_title=style.STEPS_BACK_TITLE,
        y_title="size (log scale)",
        height=500,
    )
    style.log_axis(fig, [measured, lstm, log_products.max(axis=1), log_products.min(axis=1)])
    style.steps_back_axis(fig, n.shape[0] - 1)
    fig.update_layout(
        legend={"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0.0, "xanchor": "left"}, margin={"b": 130}
    )
    return fig


def _log10_connectivity(C: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(C)
    return np.where(np.isfinite(logs), logs, np.nan)


def _connectivity_range(maps: list[np.ndarray]) -> tuple[float, float]:
    finite = np.concatenate([m[np.isfinite(m)] for m in maps] + [np.array([])])
    if finite.size == 0:
        return -1.0, 0.0
    top = float(finite.max())
    return max(float(finite.min()), top - CONNECTIVITY_DECADES), top


def cells_connectivity_figure(comparison) -> go.Figure:
    """log10 ‖∂y_t/∂x_s‖ for every output step t and input step s, one heatmap per cell, one colour scale."""
    results = list(comparison.cells.values())
    maps = [_log10_connectivity(result.connectivity) for result in results]
    if not maps or maps[0].size == 0:
        return style.empty_figure("There are no steps to connect.", "Connectivity ‖∂y_t/∂x_s‖")
    low, high = _connectivity_range(maps)
    steps = np.arange(1, maps[0].shape[0] + 1)
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=[r.name for r in results], horizontal_spacing=0.06)
    for col, (result, logs) in enumerate(zip(results, maps, strict=True), start=1):
        fig.add_trace(
            go.Heatmap(
                z=logs,
                x=steps,
                y=steps,
                coloraxis="coloraxis",
                hovertemplate=f"{result.name}<br>output y_%{{y}}, input x_%{{x}}<br>‖∂y_t/∂x_s‖ = 10^%{{z:.2f}}"
                "<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text="input step s", row=1, col=col)
        fig.update_yaxes(title_text="output step t", row=1, col=col)
    fig.update_yaxes(autorange="reversed")
    style.layout(
        fig,
        f"Connectivity: how strongly output y_t depends on input x_s (first {steps.shape[0]} steps; "
        "blank = no dependence)",
        height=430,
        legend=False,
    )
    fig.update_layout(
        coloraxis={
            "colorscale": style.SEQUENTIAL,
            "cmin": low,
            "cmax": high,
            "colorbar": style.log_colorbar(low, high, "‖∂y_t/∂x_s‖"),
        }
    )
    return fig


def bidirectional_connectivity_figure(comparison) -> go.Figure:
    """log10 ‖∂y_t/∂x_s‖ of the bidirectional vanilla RNN: it reaches both earlier and later inputs."""
    logs = _log10_connectivity(comparison.bidirectional_connectivity)
    if logs.size == 0:
        return style.empty_figure("There are no steps to connect.", "Bidirectional connectivity")
    low, high = _connectivity_range([logs])
    steps = np.arange(1, logs.shape[0] + 1)
    fig = go.Figure(
        go.Heatmap(
            z=logs,
            x=steps,
            y=steps,
            zmin=low,
            zmax=high,
            colorscale=style.SEQUENTIAL,
            colorbar=style.log_colorbar(low, high, "‖∂y_t/∂x_s‖"),
            hovertemplate="output y_%{y}, input x_%{x}<br>‖∂y_t/∂x_s‖ = 10^%{z:.2f}<extra></extra>",
        )
    )
    style.layout(
        fig,
        "Bidirectional RNN: ‖∂y_t/∂x_s‖ reaches both ways",
        x_title="input step s",
        y_title="output step t",
        height=430,
        legend=False,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def _arrow(fig: go.Figure, x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
    fig.add_annotation(**style.arrow(x0, y0, x1, y1, colour, width=2.2, standoff=16))


def bidirectional_unfold_figure(comparison, steps: int = UNFOLD_STEPS) -> go.Figure:
    """The bidirectional RNN unrolled: x_t feeds a forward state (read left to right) and a backward state (read
    right to left); y_t combines both. Hovering a state shows ‖h_t‖."""
    run = comparison.bidirectional_run
    shown = min(int(steps), run.T)
    t = np.arange(1, shown + 1, dtype=float)
    fig = go.Figure()
    _bidirectional_arrows(fig, shown, run.T)
    forward = np.linalg.norm(run.forward.h[1 : shown + 1], axis=-1)  # ||h^f_t||
    backward = np.linalg.norm(run.backward_states[:shown], axis=-1)  # ||h^b_t||
    io_font, state_font = {"size": 15}, {"size": 14, "color": "white"}
    fig.add_traces(
        [
            _node_row(t, "x", "input x_t", "x<sub>{}</sub>", _io_node(style.MUTED, "#eef2f7"), io_font),
            _node_row(
                t - _OFFSET,
                "forward",
                "forward state h→_t (reads x_1 … x_t)",
                "h→<sub>{}</sub>",
                _state_node(style.CELL_COLOURS["rnn"]),
                state_font,
                forward,
            ),
            _node_row(
                t + _OFFSET,
                "backward",
                "backward state h←_t (reads x_T … x_t)",
                "h←<sub>{}</sub>",
                _state_node(BACKWARD_COLOUR),
                state_font,
                backward,
            ),
            _node_row(
                t,
                "y",
                "output y_t = W→ h→_t + W← h←_t + b",
                "y<sub>{}</sub>",
                _io_node(style.BOUND, "#fdf2e9"),
                io_font,
            ),
        ]
    )
    style.layout(
        fig, "Bidirectional RNN unrolled: one cell reads forwards, a second reads backwards; y_t sees both", height=500
    )
    fig.update_xaxes(visible=False, range=[0.4, shown + (1.4 if run.T > shown else 0.6)])
    fig.update_yaxes(visible=False, range=[-0.5, 3.5])
    fig.update_layout(
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0.5, "xanchor": "center"},
        margin={"l": 20, "r": 20, "t": style.title_room(fig, 60), "b": 90},
    )
    return fig


_ROWS = {"x": 0.0, "forward": 1.0, "backward": 2.0, "y": 3.0}
_OFFSET = 0.22  # the two states of a step sit slightly apart so that no arrow runs through a node


def _io_node(line: str, fill: str) -> dict:
    return {"size": 34, "color": fill, "line": {"color": line, "width": 2}}


def _state_node(colour: str) -> dict:
    return {"size": 40, "color": colour, "line": {"color": "white", "width": 1}}


def _node_row(x, row: str, name: str, text: str, marker: dict, font: dict, norms=None) -> go.Scatter:
    """One row of nodes at the steps (`text` with {} for the step); a state's hover gives its norm."""
    hover = (
        {"hoverinfo": "skip"}
        if norms is None
        else {
            "customdata": norms,
            "hovertemplate": f"{row} state at step %{{x:.0f}}<br>‖h‖ = %{{customdata:.3f}}<extra></extra>",
        }
    )
    return go.Scatter(
        x=x,
        y=np.full(len(x), _ROWS[row]),
        mode="markers+text",
        name=name,
        marker=marker,
        text=[text.format(step) for step in range(1, len(x) + 1)],
        textfont=font,
        **hover,
    )


def _bidirectional_arrows(fig: go.Figure, shown: int, T: int) -> None:
    """x_t into both states, both states into y_t, the forward chain to the right and the backward chain to the
    left; past the last step drawn, the chains go on to step T."""
    rows, offset = _ROWS, _OFFSET
    forward_colour, backward_colour = style.CELL_COLOURS["rnn"], BACKWARD_COLOUR
    for step in np.arange(1, shown + 1, dtype=float):
        _arrow(fig, step, rows["x"], step - offset, rows["forward"], style.MUTED)
        _arrow(fig, step, rows["x"], step + offset, rows["backward"], style.MUTED)
        _arrow(fig, step - offset, rows["forward"], step, rows["y"], forward_colour)
        _arrow(fig, step + offset, rows["backward"], step, rows["y"], backward_colour)
        if step < shown:
            _arrow(fig, step - offset, rows["forward"], step + 1 - offset, rows["forward"], forward_colour)
            _arrow(fig, step + 1 + offset, rows["backward"], step + offset, rows["backward"], backward_colour)
    if T > shown:  # the recurrence continues past the drawn steps
        _arrow(fig, shown - offset, rows["forward"], shown + 0.7 - offset, rows["forward"], forward_colour)
        _arrow(fig, shown + 0.7 + offset, rows["backward"], shown + offset, rows["backward"], backward_colour)
        fig.add_annotation(
            x=shown + 0.85,
            y=1.5,
            text=f"… to step {T}",
            showarrow=False,
            font={"size": style.FONT_SIZE, "color": style.MUTED},
        )


# Long-range tasks ---------------------------------------------------------------------------------------------


def moving_average(values: np.ndarray, window: int = 20) -> np.ndarray:
    """The mean of the last `window` values at each step (fewer at the start), ignoring non-finite values."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    sums = np.cumsum(np.where(finite, values, 0.0))
    counts = np.cumsum(finite)
    shifted_sums = np.concatenate([np.zeros(window), sums[:-window]]) if values.size > window else np.zeros_like(sums)
    shifted_counts = (
        np.concatenate([np.zeros(window), counts[:-window]]) if values.size > window else np.zeros_like(counts)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums - shifted_sums[: values.size]) / (counts - shifted_counts[: values.size])


TASK_WORDS = {"adding": "adding problem", "copy": "copy memory"}


def task_loss_figure(histories: Mapping, baseline: float, task: str, total_steps: int | None = None) -> go.Figure:
    """Minibatch loss of each cell against the step (faint) with its moving average (bold), and the task's
    trivial baseline as a dashed line. Log y axis."""
    fig = go.Figure()
    drawn = 0
    for kind, history in histories.items():
        loss = np.asarray(history.loss, dtype=float)
        if loss.size == 0:
            continue
        drawn += 1
        steps = np.arange(1, loss.size + 1)
        colour = style.CELL_COLOURS[kind]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=_positive(loss),
                mode="lines",
                line={"color": colour, "width": 1},
                opacity=0.3,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=_positive(moving_average(loss)),
                mode="lines",
                name=CELL_NAMES.get(kind, kind),
                line={"color": colour, "width": 3},
                hovertemplate=f"{CELL_NAMES.get(kind, kind)}<br>step %{{x}}: %{{y:.4f}}<extra></extra>",
            )
        )
    style.level(fig, baseline, f"trivial answer: {baseline:.3g}")
    title = f"Training loss on the {TASK_WORDS.get(task, task)} beside its trivial baseline"
    if drawn == 0:
        title += " (no steps yet)"
    style.layout(fig, title, x_title="training step", y_title="loss (log scale)", height=440)
    style.power_axis(fig, dtick=1)
    if total_steps:
        fig.update_xaxes(range=[0, int(total_steps)])
    return fig


def _positive(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def task_grad_norm_figure(
    histories: Mapping,
    clipping: str = "none",
    threshold: float = 1.0,
    spikes: Mapping | None = None,
    total_steps: int | None = None,
) -> go.Figure:
    """‖g‖ before clipping at every step for each cell (log y), the clipping threshold, and marked spikes."""
    fig = go.Figure()
    for kind, history in histories.items():
        norms = np.asarray(history.grad_norm, dtype=float)
        if norms.size == 0:
            continue
        steps = np.arange(1, norms.size + 1)
        name = CELL_NAMES.get(kind, kind)
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=_positive(norms),
                mode="lines",
                name=name,
                line={"color": style.CELL_COLOURS[kind], "width": 1.5},
                hovertemplate=f"{name}<br>step %{{x}}: ‖g‖ = %{{y:.3g}}<extra></extra>",
            )
        )
        found = np.asarray((spikes or {}).get(kind, []), dtype=int)
        found = found[found < norms.size]
        if found.size:
            fig.add_trace(_spikes(steps[found], norms[found], name, style.CELL_COLOURS[kind]))
    if clipping == "norm":
        style.level(fig, threshold, f"clipping threshold {threshold:g}: larger steps are scaled down to it")
    style.layout(
        fig,
        "Gradient norm ‖g‖ at every step, before clipping",
        x_title="training step",
        y_title="‖g‖ (log scale)",
        height=400,
    )
    style.power_axis(fig, dtick=1)
    if total_steps:
        fig.update_xaxes(range=[0, int(total_steps)])
    return fig


def _spikes(steps: np.ndarray, norms: np.ndarray, name: str, colour: str) -> go.Scatter:
    """Triangles at the steps where a cell's gradient norm spiked."""
    return go.Scatter(
        x=steps,
        y=_positive(norms),
        mode="markers",
        name=f"{name}: spikes",
        marker={"color": colour, "size": 10, "symbol": "triangle-up", "line": {"color": "black", "width": 1}},
        hovertemplate=f"{name} spike<br>step %{{x}}: ‖g‖ = %{{y:.3g}}<extra></extra>",
    )


def task_example_figure(batch, index: int = 0) -> go.Figure:
    """One sequence of the task: for the adding problem the values with the two marked ones; for copy memory the
    input symbols and the symbols asked for."""
    xs = batch.xs[:, index]  # (steps, D)
    steps = np.arange(1, xs.shape[0] + 1)
    if batch.loss == "mse":
        return _adding_example(steps, xs[:, 0], xs[:, 1] > 0, float(batch.targets[index, 0]))
    return _copy_example(steps, xs.argmax(axis=-1), batch.targets[:, index])


def _adding_example(steps: np.ndarray, values: np.ndarray, marked: np.ndarray, target: float) -> go.Figure:
    """The adding problem's values, the two marked ones in red with their values written above them."""
    bars = go.Bar(
        x=steps,
        y=values,
        marker={"color": np.where(marked, style.BOUND, "#c9d3df")},
        name="value at each step (U(0, 1))",
        hovertemplate="step %{x}: value %{y:.3f}<extra></extra>",
    )
    marks = go.Scatter(
        x=steps[marked],
        y=values[marked] + 0.08,
        mode="markers+text",
        name="marked",
        text=[f"{v:.2f}" for v in values[marked]],
        textposition="top center",
        marker={"symbol": "triangle-down", "size": 14, "color": style.BOUND},
    )
    fig = go.Figure([bars, marks])
    title = (
        f"Adding problem: two of the {steps.size} values are marked; the answer at the end is their sum, {target:.2f}"
    )
    style.layout(fig, title, x_title="step t", y_title="value", height=320)
    fig.update_yaxes(range=[0, 1.3])
    return fig


def _copy_example(steps: np.ndarray, shown: np.ndarray, wanted: np.ndarray) -> go.Figure:
    """Copy memory's input symbols and the symbols asked for, one row each."""
    fig = go.Figure(
        go.Heatmap(
            z=np.vstack([shown, wanted]),
            x=steps,
            y=["input", "wanted output"],
            colorscale="Turbo",
            zmin=0,
            zmax=9,
            text=np.vstack([_symbol_text(shown), _symbol_text(wanted)]),
            texttemplate="%{text}",
            xgap=1,
            ygap=2,
            showscale=False,
            hovertemplate="step %{x}, %{y}: %{text}<extra></extra>",
        )
    )
    style.layout(
        fig,
        f"Copy memory: remember 10 symbols over a delay of {steps.size - 20} steps, repeat them after "
        "the delimiter ':'",
        x_title="step t",
        height=260,
        legend=False,
    )
    return fig


def _symbol_text(symbols: np.ndarray) -> np.ndarray:
    return np.array(["" if s == 0 else (":" if s == 9 else str(int(s))) for s in symbols])
