"""Figures of one step of a gated cell: the LSTM or the GRU drawn as a diagram with each gate coloured by its value
at step t, and the gates animated over the whole run.

    LSTM:  c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
    GRU:   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

The diagram is built from a `rnnviz.gated_step.GatedStep`, the animation from a `rnnviz.comparison.Comparison`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale
from plotly.subplots import make_subplots

from rnnviz.cell import CELL_NAMES
from rnnviz.figures import style
from rnnviz.gated_step import GatedStep

__all__ = ["gate_animation_figure", "gated_cell_figure"]

DIAGRAM_UNITS = 4  # up to this many units, each gate's box is drawn as one stripe per unit
STRIP_UNITS = 32  # units drawn as dots in the animation
ANIMATION_SECONDS = 6.0  # one play of the whole run
CANDIDATES = ("g", "n")  # tanh-valued, in [-1, 1]; every other gate is a sigmoid, in [0, 1]
GATE_WORDS = {
    "i": "input gate",
    "f": "forget gate",
    "g": "candidate",
    "o": "output gate",
    "r": "reset gate",
    "z": "update gate",
    "n": "candidate",
}
GATE_COLOURS = {
    "i": "#1f4e99",
    "f": "#27ae60",
    "g": "#e67e22",
    "o": "#8e44ad",
    "r": "#c0392b",
    "z": "#27ae60",
    "n": "#e67e22",
}
C_PATH, H_PATH, SIGNAL = style.CELL_COLOURS["lstm"], style.MEASURED, "#555555"
BOX_WIDTH, BOX_HEIGHT, OP_RADIUS = 1.0, 0.8, 0.25


@dataclass(frozen=True)
class Diagram:
    """Where each part of a cell is drawn (x from 0 to 10, y from -0.5 to 5.5)."""

    gates: dict[str, tuple[float, float]]  # gate -> centre of its box
    ops: tuple[tuple[float, float, str], ...]  # (x, y, symbol) of each ×, + or 1 − node
    paths: tuple[tuple, ...]  # (colour, points) with an arrow at the last point, or (colour, points, False)
    labels: tuple[tuple[float, float, str, str], ...]  # (x, y, text, colour)


LSTM_DIAGRAM = Diagram(
    gates={"f": (2.5, 2.2), "i": (4.0, 2.2), "g": (5.5, 2.2), "o": (7.0, 2.2)},
    ops=((2.5, 5.0, "×"), (4.75, 5.0, "+"), (4.75, 3.6, "×"), (8.3, 3.7, "tanh"), (8.3, 2.2, "×")),
    paths=(
        (C_PATH, ((0.5, 5.0), (2.25, 5.0))),
        (C_PATH, ((2.75, 5.0), (4.5, 5.0))),
        (C_PATH, ((5.0, 5.0), (9.4, 5.0))),
        (C_PATH, ((8.3, 5.0), (8.3, 3.95))),
        (H_PATH, ((8.3, 3.45), (8.3, 2.45))),
        (H_PATH, ((8.55, 2.2), (9.4, 2.2))),
        (H_PATH, ((0.5, 0.9), (7.0, 0.9)), False),
        (H_PATH, ((1.2, -0.3), (1.2, 0.9))),
        *((H_PATH, ((x, 0.9), (x, 1.8))) for x in (2.5, 4.0, 5.5, 7.0)),
        (SIGNAL, ((2.5, 2.6), (2.5, 4.75))),
        (SIGNAL, ((4.0, 2.6), (4.0, 3.6), (4.5, 3.6))),
        (SIGNAL, ((5.5, 2.6), (5.5, 3.6), (5.0, 3.6))),
        (SIGNAL, ((4.75, 3.85), (4.75, 4.75))),
        (SIGNAL, ((7.5, 2.2), (8.05, 2.2))),
    ),
    labels=(
        (0.4, 5.0, "c<sub>t−1</sub>", C_PATH),
        (9.5, 5.0, "c<sub>t</sub>", C_PATH),
        (0.4, 0.9, "h<sub>t−1</sub>", H_PATH),
        (1.2, -0.45, "x<sub>t</sub>", H_PATH),
        (9.5, 2.2, "h<sub>t</sub>", H_PATH),
    ),
)
GRU_DIAGRAM = Diagram(
    gates={"z": (2.5, 2.2), "r": (4.5, 2.2), "n": (6.5, 2.2)},
    ops=((2.5, 5.0, "×"), (7.7, 5.0, "+"), (5.0, 3.6, "1−"), (7.7, 3.6, "×")),
    paths=(
        (H_PATH, ((0.5, 5.0), (2.25, 5.0))),
        (H_PATH, ((2.75, 5.0), (7.45, 5.0))),
        (H_PATH, ((7.95, 5.0), (9.4, 5.0))),
        (H_PATH, ((1.0, 5.0), (1.0, 0.9), (6.5, 0.9)), False),
        (H_PATH, ((1.6, -0.3), (1.6, 0.9))),
        *((H_PATH, ((x, 0.9), (x, 1.8))) for x in (2.5, 4.5, 6.5)),
        (SIGNAL, ((2.5, 2.6), (2.5, 4.75))),
        (SIGNAL, ((2.5, 3.6), (4.75, 3.6))),
        (SIGNAL, ((5.25, 3.6), (7.45, 3.6))),
        (SIGNAL, ((5.0, 2.2), (6.0, 2.2))),
        (SIGNAL, ((7.0, 2.2), (7.7, 2.2), (7.7, 3.35))),
        (SIGNAL, ((7.7, 3.85), (7.7, 4.75))),
    ),
    labels=(
        (0.4, 5.0, "h<sub>t−1</sub>", H_PATH),
        (9.5, 5.0, "h<sub>t</sub>", H_PATH),
        (1.6, -0.45, "x<sub>t</sub>", H_PATH),
    ),
)
DIAGRAMS = {"lstm": LSTM_DIAGRAM, "gru": GRU_DIAGRAM}


def _scale(name: str) -> tuple[str, float, float]:
    """The colour scale and range of a gate: sigmoid gates 0 to 1 (sequential), the candidate −1 to 1 (diverging)."""
    return (style.DIVERGING, -1.0, 1.0) if name in CANDIDATES else (style.SEQUENTIAL, 0.0, 1.0)


def _colour(name: str, value: float) -> str:
    scale, low, high = _scale(name)
    share = float(np.clip((value - low) / (high - low), 0.0, 1.0)) if np.isfinite(value) else 0.5
    return sample_colorscale(get_colorscale(scale), [share])[0]


def _gate_box(name: str, centre: tuple[float, float], values: np.ndarray, per_unit: bool) -> list[dict]:
    """The box of a gate: one stripe per unit (`per_unit`) or one colour for the mean, with a black outline."""
    x, y = centre
    left, bottom, top = x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2, y + BOX_HEIGHT / 2
    shown = values if per_unit else np.array([np.mean(values)])
    width = BOX_WIDTH / len(shown)
    box = {"type": "rect", "y0": bottom, "y1": top}
    stripes = [
        {**box, "x0": left + k * width, "x1": left + (k + 1) * width, "fillcolor": _colour(name, float(value))}
        for k, value in enumerate(shown)
    ]
    return [
        *({**stripe, "line": {"width": 0}} for stripe in stripes),
        {**box, "x0": left, "x1": left + BOX_WIDTH, "line": {"color": "black", "width": 2}},
    ]


def _gate_label(name: str, centre: tuple[float, float], values: np.ndarray) -> dict:
    """The gate's letter and its mean value, on a white ground just above the box (the box's colours stay seen)."""
    function = "tanh" if name in CANDIDATES else "σ"
    return {
        "x": centre[0],
        "y": centre[1] + BOX_HEIGHT / 2 + 0.05,
        "yanchor": "bottom",
        "text": f"<b>{name}</b> {function}<br>{np.mean(values):.2f}",
        "showarrow": False,
        "bgcolor": "rgba(255,255,255,0.85)",
        "font": {"size": style.FONT_SIZE - 3},
    }


def _gate_hover(step: GatedStep, diagram: Diagram) -> go.Scatter:
    """Invisible points on the boxes whose hover lists each gate's values (the first 8 units)."""
    names = list(diagram.gates)
    texts = []
    for name in names:
        values = step.gates[name]
        units = "<br>".join(f"unit {k + 1}: {value:.3f}" for k, value in enumerate(values[:8]))
        more = f"<br>… ({values.shape[0]} units)" if values.shape[0] > 8 else ""
        texts.append(f"{GATE_WORDS[name]} {name} at step {step.t}<br>mean {np.mean(values):.3f}<br>{units}{more}")
    return go.Scatter(
        x=[diagram.gates[name][0] for name in names],
        y=[diagram.gates[name][1] for name in names],
        mode="markers",
        marker={"size": 40, "opacity": 0},
        hovertext=texts,
        hoverinfo="text",
        showlegend=False,
    )


def _colour_bar(name: str, title: str, x: float) -> go.Scatter:
    """An invisible trace that only carries a horizontal colour bar below the diagram."""
    scale, low, high = _scale(name)
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "color": [low],
            "cmin": low,
            "cmax": high,
            "colorscale": scale,
            "showscale": True,
            "colorbar": {
                "orientation": "h",
                "x": x,
                "xanchor": "center",
                "y": -0.04,
                "yanchor": "top",
                "len": 0.42,
                "thickness": 12,
                "title": {"text": title, "side": "top"},
                "tickvals": [low, (low + high) / 2, high],
            },
        },
    )


def _paths(diagram: Diagram) -> tuple[list[go.Scatter], list[dict]]:
    """The lines of the diagram (one trace per colour) and an arrowhead at the end of each."""
    lines, arrows = {}, []
    for colour, points, *arrow in diagram.paths:
        xs, ys = lines.setdefault(colour, ([], []))
        xs.extend([*(x for x, _ in points), None])
        ys.extend([*(y for _, y in points), None])
        if arrow == [False]:  # a bus that feeds the gates: no arrowhead at its end
            continue
        (x0, y0), (x1, y1) = points[-2], points[-1]
        arrows.append(style.arrow(x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0), x1, y1, colour, width=2))
    width = {C_PATH: 5, H_PATH: 3.5, SIGNAL: 2}
    traces = [
        go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": width[colour]}, hoverinfo="skip")
        for colour, (xs, ys) in lines.items()
    ]
    return traces, arrows


def _ops(diagram: Diagram) -> go.Scatter:
    """The nodes ×, + and 1 − (tanh of c_t for the LSTM) as white circles."""
    return go.Scatter(
        x=[x for x, _, _ in diagram.ops],
        y=[y for _, y, _ in diagram.ops],
        text=[symbol for _, _, symbol in diagram.ops],
        mode="markers+text",
        marker={
            "size": [44 if len(symbol) > 2 else 30 for _, _, symbol in diagram.ops],
            "color": "white",
            "line": {"color": SIGNAL, "width": 2},
        },
        textfont={"size": style.FONT_SIZE - 2},
        hoverinfo="skip",
        showlegend=False,
    )


def _state_names(diagram: Diagram) -> list[dict]:
    """The state's names at the ends of its paths: left of those entering, right of those leaving, under x_t."""
    return [
        {
            "x": x,
            "y": y,
            "text": text,
            "xanchor": "right" if x < 1 else "left" if x > 9 else "center",
            "showarrow": False,
            "font": {"color": colour, "size": style.FONT_SIZE},
        }
        for x, y, text, colour in diagram.labels
    ]


def gated_cell_figure(step: GatedStep, max_units: int = DIAGRAM_UNITS) -> go.Figure:
    """The LSTM (c path on top, h path below) or the GRU (h path on top) at step t, each gate's box coloured by its
    value: one stripe per unit when H <= `max_units`, else by the mean over the units. Hover a box for its values."""
    diagram, H = DIAGRAMS[step.kind], step.hidden_size
    per_unit = H <= max_units
    lines, arrows = _paths(diagram)
    fig = go.Figure([*lines, _ops(diagram), _gate_hover(step, diagram)])
    fig.add_traces([_colour_bar("f", "gates (σ)", 0.23), _colour_bar("g", "candidate (tanh)", 0.77)])
    shapes = [
        shape for name, centre in diagram.gates.items() for shape in _gate_box(name, centre, step.gates[name], per_unit)
    ]
    labels = [_gate_label(name, centre, step.gates[name]) for name, centre in diagram.gates.items()]
    words = _state_names(diagram)
    shown = f"a stripe per unit of {H}" if per_unit else f"each gate's mean over {H} units"
    style.layout(fig, f"The {CELL_NAMES[step.kind]} at step {step.t}<br>{shown}", legend=False)
    fig.update_layout(
        shapes=shapes, annotations=[*arrows, *labels, *words], height=470, margin={"l": 10, "r": 10, "b": 90}
    )
    fig.update_xaxes(range=[-0.9, 10.5], visible=False, fixedrange=True)
    fig.update_yaxes(range=[-0.7, 5.5], visible=False, fixedrange=True)
    return fig


# The gates over the whole run -----------------------------------------------------------------------------------


def _strip_x(gate_index: int, units: int) -> np.ndarray:
    """Each unit's horizontal place in its gate's column: spread over ±0.3 around the gate's position."""
    offsets = np.linspace(-0.3, 0.3, units) if units > 1 else np.zeros(1)
    return gate_index + offsets


def _strip_at(gates: dict[str, np.ndarray], t: int, units: int) -> tuple[list[float], list[float | None]]:
    """x and y of every shown unit of every gate at step t (its index t−1): plain lists, as the frames send them
    (y rounded to 3 decimals, None where not finite)."""
    xs = np.concatenate([_strip_x(index, units) for index in range(len(gates))]).round(3).tolist()
    ys = style.plotted(np.concatenate([values[t - 1, :units] for values in gates.values()]))
    return xs, ys


def _means_at(means: dict[str, np.ndarray], t: int) -> tuple[list[int], list[float | None]]:
    return [t] * len(means), style.plotted([m[t - 1] for m in means.values()])


def _moving_traces(gates: dict, means: dict, t: int, units: int) -> list[dict]:
    """What the frame of step t changes (as plain trace dicts): the units' dots (their y only: each dot keeps its
    place), the line marking t, the gates' means at t."""
    mean_x, mean_y = _means_at(means, t)
    return [
        {"type": "scatter", "y": _strip_at(gates, t, units)[1]},
        {"type": "scatter", "x": [t, t]},
        {"type": "scatter", "x": mean_x, "y": mean_y},
    ]


def _mean_lines(means: dict[str, np.ndarray]) -> list[go.Scatter]:
    steps = np.arange(1, next(iter(means.values())).shape[0] + 1)
    return [
        go.Scatter(
            x=steps,
            y=style.plotted(mean),
            mode="lines",
            name=f"{name} ({GATE_WORDS[name]})",
            line={"color": GATE_COLOURS[name], "width": 2.5},
            hovertemplate=f"{name}: step %{{x}}, mean %{{y:.3f}}<extra></extra>",
        )
        for name, mean in means.items()
    ]


def gate_animation_figure(comparison, kind: str, max_units: int = STRIP_UNITS) -> go.Figure:
    """The gates of the LSTM or the GRU step by step, one frame per step, Play, Pause and a slider in the browser.

    Top: every unit's value of each gate at step t (a dot per unit, the first `max_units` units). Bottom: each gate's
    mean over the units for every step, a marker on step t. Only the dots, the line on step t and the means' markers
    move.
    """
    if kind not in DIAGRAMS:
        raise ValueError(f"kind must be 'lstm' or 'gru', got {kind!r}")
    gates = comparison.cells[kind].gates  # gate -> (T, H)
    T, H = next(iter(gates.values())).shape
    units = min(H, max_units)
    means = {name: np.mean(values, axis=1) for name, values in gates.items()}  # gate -> (T,)
    dots, marker, current = (go.Scatter(trace) for trace in _moving_traces(gates, means, 1, units))
    dots.update(
        x=_strip_at(gates, 1, units)[0],
        mode="markers",
        marker={"color": [GATE_COLOURS[name] for name in gates for _ in range(units)], "size": 8},
        text=[f"{name} ({GATE_WORDS[name]})" for name in gates for _ in range(units)],
        hovertemplate="%{text}: %{y:.3f}<extra></extra>",
        showlegend=False,
    )
    marker.update(
        y=[-1.05, 1.05], mode="lines", line={"color": style.HIGHLIGHT, "width": 2}, hoverinfo="skip", showlegend=False
    )
    current.update(
        mode="markers",
        marker={"color": [GATE_COLOURS[name] for name in gates], "size": 12, "line": {"width": 1}},
        hoverinfo="skip",
        showlegend=False,
    )
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.2)
    fig.add_trace(dots, row=1, col=1)
    fig.add_traces([marker, current, *_mean_lines(means)], rows=2, cols=1)
    _animation_layout(fig, list(gates), kind, units, H, T)
    frames = [
        {"name": str(t), "traces": [0, 1, 2], "data": _moving_traces(gates, means, t, units)} for t in range(1, T + 1)
    ]
    # the frames are plain data of three traces whose every key is checked above; T of them validated one by one
    # cost about 2 s at T = 200
    return go.Figure({**fig.to_dict(), "frames": frames}, _validate=False)


def _animation_layout(fig: go.Figure, names: list[str], kind: str, units: int, H: int, T: int) -> None:
    """Titles and axes (each gate's letter in its colour under its dots, which names the lines below too), then Play
    and Pause under the chart and the slider under them, across its whole width (a phone holds both)."""
    shown = f"all {H} units" if units == H else f"units 1 to {units} of {H}"
    style.layout(fig, f"The {CELL_NAMES[kind]}'s gates step by step ({shown})", height=660, legend=False)
    fig.update_xaxes(
        tickvals=list(range(len(names))),
        ticktext=[f'<span style="color:{GATE_COLOURS[name]}"><b>{name}</b></span>' for name in names],
        tickangle=0,
        range=[-0.5, len(names) - 0.5],
        fixedrange=True,
        row=1,
        col=1,
    )
    fig.update_yaxes(title_text="value at step t", range=[-1.05, 1.05], fixedrange=True, row=1, col=1)
    fig.update_xaxes(title_text="step t", range=[0.5, T + 0.5], fixedrange=True, row=2, col=1)
    fig.update_yaxes(title_text="mean over units", range=[-1.05, 1.05], fixedrange=True, row=2, col=1)
    controls = style.play_controls(
        [str(t) for t in range(1, T + 1)],
        duration=max(40, int(1000 * ANIMATION_SECONDS / T)),
        buttons_y=-0.16,
        slider_y=-0.25,
        active=0,
        current={"prefix": "step t = ", "visible": True, "xanchor": "left"},
    )
    controls["sliders"][0].update(x=0.0, len=1.0)
    fig.update_layout(margin={"b": 190}, **controls)
