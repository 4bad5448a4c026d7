"""Figures of the page that unfolds the network: the unrolled graph, the hidden state filling in over time,
||h_t|| with the share of saturated units, and the two pictures of one step of the cell.

    a_t = W_hh h_{t-1} + W_xh x_t + b_h = [W_hh  W_xh] [h_{t-1}; x_t] + b_h,    h_t = f(a_t),    y_t = W_hy h_t + b_y

Every builder takes a result of the math (an `Experiment`, or the `StepParts` of one step) and returns a
`plotly.graph_objects.Figure`, so a notebook draws the same pictures as the app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.experiment import Experiment
from rnnviz.figures import style
from rnnviz.losses import input_steps
from rnnviz.stepper import StepParts

__all__ = [
    "cell_views_figure",
    "hidden_state_animation",
    "state_norms_figure",
    "unrolled_graph_figure",
]

GRAPH_WINDOW = 12  # steps drawn in the unrolled graph around the current one
ANIMATION_UNITS = 64  # units shown in the hidden-state heatmap
ANIMATION_FRAMES = 60  # at most this many frames: long runs advance several steps per frame
ANIMATION_SECONDS = 6.0  # one play of the whole run
CURTAIN = "#d5d8dc"  # covers the steps the animation has not reached yet
HOVER_POINTS = 8192  # hover points of the hidden-state picture: every cell, or the frames' steps of a long run
NODE_SIZE = 38
ROWS = {"x": 0.0, "h": 1.0, "y": 2.0}  # height of the inputs, the states and the outputs in the graph
LOG_COLOURS_ABOVE = 1e3  # an unbounded state larger than this is coloured on a signed log scale
BOUNDED_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}  # the range of h_t for bounded activations


def finite_state_norms(h: np.ndarray) -> np.ndarray:
    """‖h_t‖ for every row of h (T+1, H), computed as max|h| * ||h / max|h||| so that states near the largest
    float still have a norm; NaN where the state is not finite."""
    with np.errstate(invalid="ignore", over="ignore"):
        scale = np.max(np.abs(h), axis=1)  # (T+1,)
        safe = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        norms = safe * np.linalg.norm(h / safe[:, None], axis=1)
    return np.where(np.isfinite(norms), norms, np.nan)


def graph_window(step: int, seq_length: int, window: int = GRAPH_WINDOW) -> tuple[int, int]:
    """The first and last step drawn in the unrolled graph: `window` steps around `step`, inside 1..T."""
    T = int(seq_length)
    window = max(1, min(int(window), T))
    first = min(max(1, int(step) - window // 2 + 1), T - window + 1)
    return first, first + window - 1


def _sub(name: str, index: int | str) -> str:
    return f"{name}<sub>{index}</sub>"


def _short_vector(v: np.ndarray, shown: int = 4) -> str:
    entries = ", ".join(f"{value:.3g}" for value in v[:shown])
    return f"({entries}{', …' if v.shape[0] > shown else ''})"


def unrolled_graph_figure(experiment: Experiment, step: int, window: int = GRAPH_WINDOW) -> go.Figure:
    """The network unrolled over the steps around `step`: x_t -> h_t -> y_t and h_{t-1} -> h_t, every edge
    labelled with its shared matrix, `step` highlighted, h_0 = 0 drawn when step 1 is in view.

    Every node carries its step as its x coordinate and its customdata, so a click on it names the step.
    """
    run, T = experiment.run, experiment.run.T
    step = min(max(int(step), 1), T)
    first, last = graph_window(step, T, window)
    steps = np.arange(first, last + 1)
    before = first - 1  # the state the window starts from: h_0 = 0, or a state of an earlier step
    fig = go.Figure()
    fig.add_shape(
        type="rect",
        x0=step - 0.42,
        x1=step + 0.42,
        y0=-0.42,
        y1=2.42,
        line={"color": style.HIGHLIGHT},
        fillcolor=style.HIGHLIGHT,
        opacity=0.18,
        layer="below",
    )
    fig.add_trace(_weight_labels(steps))
    for trace in _node_rows(run, steps, step):
        fig.add_trace(trace)
    fig.add_trace(_start_node(run, before))
    fig.update_layout(annotations=_edges_and_ends(steps, before, last, T))  # set once: one by one copies them
    if experiment.tokens is not None:
        fig.add_trace(_token_words(experiment, steps))
    title = (
        f"The unrolled network, steps {first} to {last} of T = {T}: the same W<sub>xh</sub>, "
        f"W<sub>hh</sub>, W<sub>hy</sub> at every step"
    )
    style.layout(fig, title, x_title="step t (click a node to go to its step)", height=460, legend=False)
    fig.update_xaxes(
        range=[before - 0.6, last + (1.3 if last < T else 0.6)],
        tickmode="array",
        tickvals=list(steps),
        showgrid=False,
        fixedrange=True,
        showline=False,
    )
    fig.update_yaxes(
        range=[-1.0 if experiment.tokens is not None else -0.6, 2.6],
        tickmode="array",
        tickvals=list(ROWS.values()),
        ticktext=["input x<sub>t</sub>", "state h<sub>t</sub>", "output y<sub>t</sub>"],
        showgrid=False,
        fixedrange=True,
        showline=False,
    )
    fig.update_layout(dragmode=False, margin={"l": 110})
    return fig


def _weight_labels(steps: np.ndarray) -> go.Scatter:
    """The shared matrix beside each edge: W_xh, W_hy and W_hh at every step."""
    labels_x, labels_y, labels = [], [], []
    for t in steps:
        labels_x += [t - 0.2, t - 0.2, t - 0.5]
        labels_y += [0.45, 1.58, 1.16]
        labels += ["W<sub>xh</sub>", "W<sub>hy</sub>", "W<sub>hh</sub>"]
    return go.Scatter(
        x=labels_x,
        y=labels_y,
        text=labels,
        mode="text",
        hoverinfo="skip",
        textfont={"size": style.FONT_SIZE - 2, "color": style.MEASURED},
        name="shared weights",
        showlegend=False,
    )


def _node_rows(run, steps: np.ndarray, step: int) -> list[go.Scatter]:
    """The nodes x_t, h_t and y_t of each step in view, `step` highlighted; a click on one names its step."""
    norms = finite_state_norms(run.h)  # (T+1,)
    colours = [style.HIGHLIGHT if t == step else style.MEASURED for t in steps]
    rows = (
        ("x", [f"x<sub>{t}</sub> = {_short_vector(run.xs[t - 1])}" for t in steps]),
        ("h", [f"h<sub>{t}</sub>: ‖h<sub>{t}</sub>‖ = {norms[t]:.3g}" for t in steps]),
        ("y", [f"y<sub>{t}</sub> = {_short_vector(run.y[t - 1])}" for t in steps]),
    )
    return [
        go.Scatter(
            x=steps,
            y=np.full(steps.shape, ROWS[name]),
            mode="markers+text",
            text=[_sub(name, t) for t in steps],
            textfont={"color": "white", "size": style.FONT_SIZE - 1},
            customdata=steps,
            marker={"size": NODE_SIZE, "color": colours, "line": {"color": "white", "width": 1}},
            hovertext=hover,
            hovertemplate="%{hovertext}<br>click to go to step %{customdata}<extra></extra>",
            name=f"{name}_t",
            showlegend=False,
        )
        for name, hover in rows
    ]


def _start_node(run, before: int) -> go.Scatter:
    """The state the window starts from (grey): h_0 = 0, or the state of the step before the window."""
    norm = finite_state_norms(run.h)[before]
    return go.Scatter(
        x=[before],
        y=[ROWS["h"]],
        mode="markers+text",
        text=[_sub("h", before)],
        customdata=[max(before, 1)],
        textfont={"color": "white", "size": style.FONT_SIZE - 1},
        marker={"size": NODE_SIZE, "color": style.MUTED, "line": {"color": "white", "width": 1}},
        hovertext=[f"h<sub>{before}</sub>: ‖h<sub>{before}</sub>‖ = {norm:.3g}"],
        hovertemplate="%{hovertext}<extra></extra>",
        name="h_start",
        showlegend=False,
    )


def _edges_and_ends(steps: np.ndarray, before: int, last: int, T: int) -> list[dict]:
    """The arrows x_t -> h_t -> y_t and h_{t-1} -> h_t, and the words at the window's two ends."""
    edges = []
    for t in steps:
        edges += [(t, ROWS["x"], t, ROWS["h"]), (t, ROWS["h"], t, ROWS["y"]), (t - 1, ROWS["h"], t, ROWS["h"])]
    annotations = [
        style.arrow(x0, y0, x1, y1, "#555", width=1.6, standoff=NODE_SIZE / 2 + 1) for x0, y0, x1, y1 in edges
    ]
    words = {"showarrow": False, "font": {"size": style.FONT_SIZE - 2, "color": style.MUTED}}
    start = "h<sub>0</sub> = 0" if before == 0 else "← earlier steps"
    annotations.append({"x": before + 0.3, "y": ROWS["h"] - 0.42, "xanchor": "right", "text": start, **words})
    if last < T:
        annotations.append(
            {"x": last + 0.62, "y": ROWS["h"], "text": f"… to h<sub>{T}</sub>", "xanchor": "left", **words}
        )
    return annotations


def _token_words(experiment: Experiment, steps: np.ndarray) -> go.Scatter:
    """The word each step reads, under its input node ("(none)" where the step has no input)."""
    fed = input_steps(experiment.settings.loss_placement, experiment.run.T)  # (T,) one-to-many feeds step 1 only
    return go.Scatter(
        x=steps,
        y=ROWS["x"] - 0.45 - 0.25 * (steps % 2 == 0),  # staggered, so long neighbouring words do not touch
        text=[f"“{experiment.tokens[t - 1]}”" if fed[t - 1] else "(none)" for t in steps],
        mode="text",
        hoverinfo="skip",
        textfont={"size": style.FONT_SIZE - 2},
        showlegend=False,
        name="tokens",
    )


def _colour_scale(experiment: Experiment, states: np.ndarray) -> tuple[np.ndarray, float, float, dict, str]:
    """The heatmap's values, fixed colour range, colour bar and hover text.

    tanh and sigmoid: the range of f. Other activations: symmetric around 0 over the finite states, on a
    signed log scale sign(h) log10(1 + |h|) once the state grows past LOG_COLOURS_ABOVE, so that an exploding
    state still shows its early steps.
    """
    name = experiment.cell.activation.name
    title = {"text": "h<sub>t,i</sub>", "side": "top"}
    if name in BOUNDED_RANGES:
        low, high = BOUNDED_RANGES[name]
        return states, low, high, {"title": title}, "h = %{z:.3g}"
    finite = np.abs(states[np.isfinite(states)])
    largest = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    if largest <= LOG_COLOURS_ABOVE:
        return states, -largest, largest, {"title": title}, "h = %{z:.3g}"
    with np.errstate(invalid="ignore"):
        z = np.sign(states) * np.log10(1.0 + np.abs(states))
    top = math.log10(1.0 + largest)
    step = max(1, math.ceil(top / 4))
    decades = list(range(step, int(top) + 1, step))
    ticks = [-k for k in reversed(decades)] + [0] + decades
    labels = [("−" if k < 0 else "") + f"10<sup>{abs(k)}</sup>" if k else "0" for k in ticks]
    colorbar = {
        "title": {"text": "h<sub>t,i</sub><br>(log scale)", "side": "top"},
        "tickvals": ticks,
        "ticktext": labels,
    }
    return z, -top, top, colorbar, "sign(h) log<sub>10</sub>(1 + |h|) = %{z:.2f}"


def _compact(values: np.ndarray) -> np.ndarray:
    """float32 where it holds the numbers (half the payload), float64 where float32 would overflow."""
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0 or finite.max() < 1e37:
        return values.astype(np.float32)
    return values


def _frame_steps(seq_length: int, max_frames: int) -> list[int]:
    """The last step each frame shows: every step, or every k-th step so that there are at most `max_frames`."""
    stride = max(1, math.ceil(seq_length / max_frames))
    ends = list(range(stride, seq_length + 1, stride))
    if ends[-1] != seq_length:
        ends.append(seq_length)
    return ends


def _curtain(t: int, T: int, units: int) -> dict[str, list[float]]:
    """The rectangle covering steps t+1..T (empty at t = T)."""
    left, right, low, high = t + 0.5, T + 0.5, 0.5, units + 0.5
    return {"x": [left, right, right, left, left], "y": [low, low, high, high, low]}


def _hover_steps(T: int, ends: list[int], max_points: int, units: int) -> np.ndarray:
    """The steps whose cells carry a hover point: every step, or h_0 and the frames' steps for a long run."""
    if (T + 1) * units <= max_points:
        return np.arange(T + 1)
    return np.array([0, *ends])


def hidden_state_animation(
    experiment: Experiment, max_units: int = ANIMATION_UNITS, max_frames: int = ANIMATION_FRAMES
) -> go.Figure:
    """The hidden state h_t (units x time) filling in step by step: Play, Pause and a slider run in the browser.

    The states are one picture (a layout image, sent once); each frame only moves a curtain over the steps not
    yet run and the marker of the current step, so the payload does not grow with the number of frames and no
    frame redraws the picture (plotly.js drops a heatmap trace from frames drawn without a redraw, and a redraw
    rebuilds its image, blank until decoded). A scatter of invisible points at the cells' centres carries the
    hover text and the colour bar. Axes and colour range are fixed (see `_colour_scale`). At most `max_units`
    units and `max_frames` frames (long runs advance several steps per frame); states after an overflow are left
    blank (transparent).
    """
    run, T, H = experiment.run, experiment.run.T, experiment.run.h.shape[1]
    units = min(H, max_units)
    states = run.h[:, :units].T.copy()  # (units, T+1): column t is h_t, column 0 is h_0 = 0
    if experiment.overflow_step is not None:  # only the finite part: the steps before the overflow
        states[:, experiment.overflow_step :] = np.nan
    z, zmin, zmax, colorbar, hover = _colour_scale(experiment, states)
    ends = _frame_steps(T, max_frames)
    fig = go.Figure(
        [
            _state_hover(z, zmin, zmax, colorbar, hover, _hover_steps(T, ends, HOVER_POINTS, units)),
            *_curtain_traces(T, units),
        ]
    )
    fig.add_layout_image(_states_picture(z, zmin, zmax))
    fig.frames = [
        go.Frame(
            name=str(t),
            traces=[1, 2],
            data=[go.Scatter(**_curtain(t, T, units)), go.Scatter(x=[t, t], y=[0.5, units + 0.5])],
        )
        for t in ends
    ]
    fig.update_layout(  # the picture stays; only the curtain moves
        **style.play_controls(
            [str(t) for t in ends],
            duration=max(40, int(1000 * ANIMATION_SECONDS / len(ends))),
            buttons_y=-0.24,
            slider_y=-0.24,
            active=len(ends) - 1,
            current={"prefix": "step t = ", "visible": True, "xanchor": "right"},
        )
    )
    shown = f"units 1 to {units} of {H}" if units < H else f"all {H} units"
    pace = "1 step per frame" if ends[0] == 1 else f"{ends[0]} steps per frame"
    style.layout(
        fig,
        f"The state h<sub>t</sub> over time ({shown})",
        x_title=f"step t ({pace})",
        y_title="unit i of h<sub>t</sub>",
        height=480,
        legend=False,
    )
    fig.update_xaxes(range=[-0.5, T + 0.5], fixedrange=True, autorange=False, showgrid=False)
    fig.update_yaxes(range=[0.5, units + 0.5], fixedrange=True, autorange=False, dtick=1 if units <= 8 else None)
    fig.update_layout(margin={"b": 150}, yaxis_showgrid=False)
    _overflow_line(fig, experiment.overflow_step)
    return fig


def _states_picture(z: np.ndarray, zmin: float, zmax: float) -> dict:
    """The states (units x steps) as one picture over the chart's cells, the first unit at the top."""
    units, steps = z.shape
    return {
        "source": style.picture_source(style.colour_pixels(z[::-1], zmin, zmax, style.DIVERGING)),
        "xref": "x",
        "yref": "y",
        "x": -0.5,
        "y": units + 0.5,
        "sizex": steps,
        "sizey": units,
        "sizing": "stretch",
        "xanchor": "left",
        "yanchor": "top",
        "layer": "below",
        "name": "the states h_t",
    }


def _state_hover(z: np.ndarray, zmin: float, zmax: float, colorbar: dict, hover: str, steps: np.ndarray) -> go.Scatter:
    """Invisible points at the centres of the picture's cells at `steps`: they carry the hover text and the
    colour bar."""
    units = z.shape[0]
    cell_t, cell_unit = np.meshgrid(steps, np.arange(1, units + 1))  # (units, steps) each
    cell_z = z[:, steps]
    shown = np.isfinite(cell_z)
    return go.Scatter(
        x=cell_t[shown].astype(np.int16),
        y=cell_unit[shown].astype(np.int16),
        mode="markers",
        marker={
            "color": _compact(cell_z[shown]),
            "cmin": zmin,
            "cmax": zmax,
            "colorscale": style.DIVERGING,
            "showscale": True,
            "colorbar": {**colorbar, "thickness": 14},
            "opacity": 0,
            "size": 8,
        },
        hovertemplate="step %{x}, unit %{y}: " + hover.replace("%{z", "%{marker.color") + "<extra></extra>",
        name="h_t",
        showlegend=False,
    )


def _curtain_traces(T: int, units: int) -> list[go.Scatter]:
    """The curtain over the steps not yet run and the line at the current step, as the last frame shows them."""
    curtain = go.Scatter(
        **_curtain(T, T, units),
        fill="toself",
        fillcolor=CURTAIN,
        mode="lines",
        line={"width": 0, "color": CURTAIN},
        hoverinfo="skip",
        name="not yet run",
        showlegend=False,
    )
    current = go.Scatter(
        x=[T, T],
        y=[0.5, units + 0.5],
        mode="lines",
        line={"color": style.HIGHLIGHT, "width": 3},
        hoverinfo="skip",
        name="current step",
        showlegend=False,
    )
    return [curtain, current]


def _overflow_line(fig: go.Figure, overflow_step: int | None) -> None:
    """A dashed line where the state overflowed, named above the chart (nothing when it did not)."""
    if overflow_step is None:
        return
    fig.add_vline(x=overflow_step - 0.5, line={"color": style.BOUND, "dash": "dash"})
    fig.add_annotation(
        x=overflow_step - 0.5,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        text=f"overflow at step {overflow_step}",
        showarrow=False,
        font={"color": style.BOUND},
    )


def state_norms_figure(experiment: Experiment) -> go.Figure:
    """‖h_t‖ over the steps (top) and the share of saturated units, f'(a_t) near 0 (bottom); only the finite
    part of a run that overflowed, with the step where it stopped marked. ||h_t|| goes on a log scale when it
    spans more than three decades."""
    run, T = experiment.run, experiment.run.T
    t = np.arange(T + 1)
    norms = finite_state_norms(run.h)  # (T+1,)
    saturation = np.asarray(experiment.saturation, dtype=float).copy()  # (T,) for steps 1..T
    if experiment.overflow_step is not None:
        norms[experiment.overflow_step :] = np.nan
        saturation[experiment.overflow_step - 1 :] = np.nan
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("size of the state ‖h<sub>t</sub>‖", "saturated units: f'(a<sub>t</sub>) < 0.1 γ"),
    )
    state_size = go.Scatter(
        x=t,
        y=norms,
        mode="lines+markers" if T <= 80 else "lines",
        name="‖h_t‖",
        line={"color": style.MEASURED, "width": 2},
        marker={"size": 4},
        hovertemplate="step %{x}: ‖h‖ = %{y:.3g}<extra></extra>",
    )
    saturated = go.Scatter(
        x=t[1:],
        y=100 * saturation,
        mode="lines",
        name="saturated units",
        line={"color": style.BOUND, "width": 2, "shape": "hv"},
        hovertemplate="step %{x}: %{y:.0f}% saturated<extra></extra>",
    )
    fig.add_trace(state_size, row=1, col=1)
    fig.add_trace(saturated, row=2, col=1)
    style.layout(fig, "‖h<sub>t</sub>‖ and saturated units", height=480, legend=False)
    positive = norms[np.isfinite(norms) & (norms > 0)]
    log_scale = bool(positive.size > 1 and positive.max() / positive.min() > 1e3)
    title = "‖h<sub>t</sub>‖ (log)" if log_scale else "‖h<sub>t</sub>‖"
    fig.update_yaxes(title_text=title, type="log" if log_scale else "linear", row=1, col=1)
    fig.update_yaxes(title_text="% of units", range=[-3, 103], row=2, col=1)
    fig.update_xaxes(range=[-0.5, T + 0.5], row=1, col=1)
    fig.update_xaxes(title_text="step t", range=[-0.5, T + 0.5], row=2, col=1)
    if experiment.overflow_step is not None:
        _overflow_in_both_rows(fig, experiment.overflow_step)
    return fig


def _overflow_in_both_rows(fig: go.Figure, overflow_step: int) -> None:
    """A dashed line at the step where the state overflowed, in both rows, named beside the top one."""
    for row in (1, 2):
        fig.add_vline(x=overflow_step, line={"color": style.BOUND, "dash": "dash"}, row=row, col=1)
    fig.add_annotation(
        x=overflow_step,
        y=0.5,
        xref="x",
        yref="y domain",
        xanchor="left",
        xshift=6,
        text=f"overflow at<br>step {overflow_step}",
        showarrow=False,
        align="left",
        font={"color": style.BOUND},
    )


def _cell_text(value: float) -> str:
    """A number short enough for one cell: 2 decimals, or mantissa and power of ten (3e3, -2e125)."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) < 100:
        return f"{value:.2f}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _block(values: np.ndarray, left: float, row: int, zmax: float, name: str) -> go.Heatmap:
    """A matrix (rows x columns) as a heatmap of its numbers whose top-left cell is centred at (left, 0)."""
    values = np.atleast_2d(values)
    text = [[_cell_text(v) for v in line] for line in values]
    return go.Heatmap(
        z=values,
        x0=left,
        dx=1,
        y0=0,
        dy=-1,
        zmin=-zmax,
        zmax=zmax,
        colorscale=style.DIVERGING,
        showscale=False,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        xgap=1,
        ygap=1,
        name=name,
        hovertemplate=f"{name}: %{{z:.4g}}<extra></extra>",
        xaxis=_AXES[row][0],
        yaxis=_AXES[row][1],
    )


_AXES = {1: ("x", "y"), 2: ("x2", "y2")}


def cell_views_figure(parts: StepParts, max_units: int = 8) -> go.Figure:
    """The two pictures of the same step on the same numbers.

    Top: separate matrices, a_t = W_hh h_{t-1} + W_xh x_t + b_h. Bottom: one matrix on the concatenated vector,
    a_t = [W_hh  W_xh] [h_{t-1}; x_t] + b_h. Both end in the same a_t. At most `max_units` units (and input
    entries) are drawn; a_t is always computed over all of them.
    """
    H, D, t = parts.h_prev.shape[0], parts.x.shape[0], parts.t
    n, d = min(H, max_units), min(D, max_units)
    W_hh = parts.W_concatenated[:n, :n]  # (n, n) the shown block of W_hh
    W_xh = parts.W_concatenated[:n, H : H + d]  # (n, d)
    h_prev, x, b_h, a = parts.h_prev[:n], parts.x[:d], parts.bias[:n], parts.a[:n]
    zmax = _colour_limit(W_hh, W_xh, h_prev, x, b_h, a)
    separate = _equation_row(
        (
            (W_hh, "W<sub>hh</sub>", "·"),
            (h_prev[:, None], _sub("h", t - 1), "+"),
            (W_xh, "W<sub>xh</sub>", "·"),
            (x[:, None], _sub("x", t), "+"),
            (b_h[:, None], "b<sub>h</sub>", "="),
            (a[:, None], _sub("a", t), None),
        ),
        1,
        n,
        zmax,
    )
    stacked = _equation_row(
        (
            (np.hstack([W_hh, W_xh]), "[W<sub>hh</sub>  W<sub>xh</sub>]", "·"),
            (np.concatenate([h_prev, x])[:, None], f"[h<sub>{t - 1}</sub>; x<sub>{t}</sub>]", "+"),
            (b_h[:, None], "b<sub>h</sub>", "="),
            (a[:, None], _sub("a", t), None),
        ),
        2,
        n,
        zmax,
    )
    fig = _two_rows(separate, stacked, n, d)
    cut = [f"units 1 to {n} of {H}"] * (n < H) + [f"inputs 1 to {d} of {D}"] * (d < D)
    note = f" (showing {' and '.join(cut)}; a<sub>t</sub> uses all)" if cut else ""
    style.layout(
        fig, f"Two pictures of step {t}, the same numbers{note}", height=200 + 30 * (max(n, d) + n + d), legend=False
    )
    fig.update_layout(margin={"l": 20, "r": 20, "t": style.title_room(fig, 100), "b": 20})
    return fig


def _two_rows(separate: _EquationRow, stacked: _EquationRow, n: int, d: int) -> go.Figure:
    """The two equations one above the other, with lines where W_hh meets W_xh and h_{t-1} meets x_t below."""
    fig = make_subplots(
        rows=2, cols=1, vertical_spacing=0.1, row_heights=[max(n, d) + 2, n + d + 2], subplot_titles=_PICTURES
    )
    fig.add_traces([*separate.blocks, *stacked.blocks])
    stacked_left = n + d + 1.5  # where [h_{t-1}; x_t] starts in the bottom row
    dividers = [  # where W_hh ends and W_xh begins; where h_{t-1} ends and x_t begins
        {"type": "line", "x0": n - 0.5, "x1": n - 0.5, "y0": 0.5, "y1": -n + 0.5},
        {"type": "line", "x0": stacked_left - 0.5, "x1": stacked_left + 0.5, "y0": -n + 0.5, "y1": -n + 0.5},
    ]
    words = [*separate.operators, *stacked.operators, *separate.labels, *stacked.labels]
    fig.update_layout(
        annotations=[*fig.layout.annotations, *words],
        shapes=[{**shape, "xref": "x2", "yref": "y2", "line": {"color": "black", "width": 3}} for shape in dividers],
    )
    width = max(separate.width, stacked.width)
    for row, rows in ((1, max(n, d)), (2, n + d)):
        fig.update_xaxes(range=[-0.6, width], visible=False, fixedrange=True, row=row, col=1)
        fig.update_yaxes(range=[-rows + 0.4, 1.6], visible=False, fixedrange=True, row=row, col=1)
    return fig


_PICTURES = (
    "Separate matrices: a<sub>t</sub> = W<sub>hh</sub> h<sub>t-1</sub> + W<sub>xh</sub> x<sub>t</sub> + b<sub>h</sub>",
    "One matrix on the stacked vector: a<sub>t</sub> = [W<sub>hh</sub> W<sub>xh</sub>] [h<sub>t-1</sub>; "
    "x<sub>t</sub>] + b<sub>h</sub>",
)


def _colour_limit(*arrays: np.ndarray) -> float:
    """The colour scale's limit ±z for all of `arrays`: the 95th percentile of their finite |values| (1 if none)."""
    with np.errstate(invalid="ignore"):
        shown = np.concatenate([np.ravel(values) for values in arrays])
    finite = np.abs(shown[np.isfinite(shown)])
    zmax = float(np.percentile(finite, 95)) if finite.size else 1.0
    return zmax if zmax > 0 else 1.0


@dataclass
class _EquationRow:
    blocks: list[go.Heatmap]  # each matrix or vector of the equation, left to right
    operators: list[dict]  # the annotations ·, + and = between them
    labels: list[dict]  # the annotations naming each block, above it
    width: float  # in cells, operators included


def _equation_row(items, row: int, n: int, zmax: float) -> _EquationRow:
    """One row of `cell_views_figure`: (values, name, the operator after it or None) drawn left to right."""
    out, x_pos = _EquationRow([], [], [], 0.0), 0.0
    axes = {"xref": _AXES[row][0], "yref": _AXES[row][1], "showarrow": False}
    for values, name, op in items:
        out.blocks.append(_block(values, x_pos, row, zmax, name.replace("<sub>", "_").replace("</sub>", "")))
        width = values.shape[1]
        label = {"x": x_pos + (width - 1) / 2, "y": 0.6, **axes, "yanchor": "bottom", "text": name}
        out.labels.append({**label, "font": {"size": style.FONT_SIZE - 1}})
        x_pos += width
        if op is not None:
            operator = {"x": x_pos - 0.5 + 0.75, "y": -(n - 1) / 2, **axes, "text": f"<b>{op}</b>"}
            out.operators.append({**operator, "font": {"size": 22}})
            x_pos += 1.5
    out.width = x_pos
    return out
