"""Figures of backpropagation through time, drawn from an `rnnviz.experiment.Experiment`.

    dL/dW = sum_t dL/dh_t dh_t^+/dW        dh_T/dh_k = prod_{t=k+1..T} diag(f'(a_t)) W_hh
    ||dh_T/dh_k|| <= (gamma sigma_max(W_hh))^(T-k)

Norms are plotted as log10 values with tick labels 10^k: they can be 10^-300 or 10^400, beyond float64.
||dh_T/dh_k|| is drawn against the number of steps back n = T - k, so a falling line is a vanishing gradient and a
rising one an exploding gradient; the backward animation keeps k, under the unrolled graph, with an arrow.
When the run overflowed, every figure shows the finite part (steps up to `exp.analysed_steps`) and says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz import diagnostics, nonnormal
from rnnviz.figures import style
from rnnviz.losses import input_steps, loss_steps

__all__ = [
    "backward_animation_figure",
    "jacobian_at_figure",
    "jacobian_norms_figure",
    "per_step_table",
    "power_norms_figure",
    "step_terms_figure",
]

TERM_NAMES = ("W_hh", "W_xh", "b_h")  # the parameters of the recurrence, whose terms BPTT sums over steps
GATED_TERM_NAMES = ("W_hh", "W_ih", "b_ih")  # the same for the LSTM and the GRU (b_hh's terms: see their bptt)
TERM_COLOURS = {"W_hh": style.MEASURED, "W_xh": style.HIGHLIGHT, "b_h": "#27ae60", "W_ih": style.HIGHLIGHT}
TERM_COLOURS["b_ih"] = TERM_COLOURS["b_h"]
EXAMPLE_RADIUS, EXAMPLE_COUPLING = 0.9, 4.0  # the non-normal example: rho = 0.9 < 1 < sigma_max
MAX_FRAMES = 61  # one frame per step up to T = 60 (the default); longer runs advance several steps a frame
DENSE_POWERS_UP_TO = 64  # ||W^n|| at every n up to this H; at 29 steps for larger W_hh
MAX_HEATMAP_UNITS = 48  # the Jacobian heatmap shows the first units of a large H
BOUND_HEADROOM = 3.0  # decades: the y axis follows the measurement and shows at most this much more of the bound


def _legend_below(fig: go.Figure, y: float = -0.2, bottom: int = 120) -> go.Figure:
    """The legend under the x axis title, so long trace names never cover the title."""
    fig.update_layout(
        legend={"orientation": "h", "y": y, "yanchor": "top", "x": 0.0, "xanchor": "left"}, margin={"b": bottom}
    )
    return fig


def _finite_part_note(exp) -> str:
    if exp.overflow_step is None:
        return ""
    return f"<br><sup>the finite part: the state overflowed at step {exp.overflow_step}</sup>"


def _fit_to_measurement(fig: go.Figure, n: np.ndarray, measured: np.ndarray, bound: np.ndarray) -> None:
    """A log y axis fitted to the measurement and to the part of the bound within BOUND_HEADROOM decades of it,
    with a note where the bound leaves the axis."""
    low, high = style.finite_range([measured])
    near = bound[np.isfinite(bound) & (bound >= low - BOUND_HEADROOM) & (bound <= high + BOUND_HEADROOM)]
    _, top = style.log_axis(fig, [measured], span=style.finite_range([measured, near]))
    note = _bound_note(n, bound, top)
    if note is not None:
        fig.add_annotation(note)


def _bound_note(n: np.ndarray, bound: np.ndarray, top: float) -> dict | None:
    """An annotation where the bound leaves the top of the axis, saying how far it goes, or None."""
    above = np.flatnonzero(np.isfinite(bound) & (bound > top))
    if above.size == 0:
        return None
    leaves = int(n[above[0]])
    largest = float(np.max(bound[np.isfinite(bound)]))
    right = leaves > 0.6 * n[-1]
    return {
        "x": leaves,
        "y": top,
        "xref": "x",
        "yref": "y",
        "xanchor": "right" if right else "left",
        "yanchor": "top",
        "xshift": -4 if right else 4,
        "text": f"bound continues to 10<sup>{largest:.0f}</sup> ↑",
        "showarrow": False,
        "font": {"color": style.BOUND, "size": style.FONT_SIZE},
        "bgcolor": "rgba(255,255,255,0.85)",
    }


def jacobian_norms_figure(exp) -> go.Figure:
    """||dh_T/dh_k|| (spectral, and Frobenius on demand) against the steps back n = T - k, beside the bound
    (gamma sigma_max)^n.

    The y axis is fitted to the measurement: the bound is drawn as far as it stays within BOUND_HEADROOM decades
    of it, and a note says where it leaves the axis and how far it goes.
    """
    T = exp.analysed_steps
    n, k, measured = style.steps_back(exp.norms.log10_spectral)
    frobenius, bound = exp.norms.log10_frobenius[::-1], exp.log10_bound[::-1]
    gamma, sigma = exp.gamma, exp.weights["sigma_max"]
    bound_name = getattr(exp, "bound_name", None) or f"bound (γ σ_max)^n = ({gamma:g} × {sigma:.3g})^n"
    line = {
        "mode": "lines",
        "hovertemplate": "n = %{x} steps back (k = %{customdata[0]})<br>%{customdata[1]}<extra></extra>",
    }
    fig = go.Figure(
        [
            go.Scatter(
                x=n,
                y=style.plotted(bound),
                name=bound_name,
                line={"color": style.BOUND, "dash": "dash", "width": 2.5},
                customdata=_hover_data(k, "bound", bound),
                **line,
            ),
            go.Scatter(
                x=n,
                y=style.plotted(frobenius),
                name="‖∂h_T/∂h_k‖_F (Frobenius)",
                visible="legendonly",
                line={"color": style.MEASURED, "dash": "dot", "width": 1.5},
                customdata=_hover_data(k, "Frobenius", frobenius),
                **line,
            ),
            go.Scatter(
                x=n,
                y=style.plotted(measured),
                name="measured ‖∂h_T/∂h_k‖₂",
                line={"color": style.MEASURED, "width": 3},
                marker={"size": 5},
                customdata=_hover_data(k, "measured", measured),
                **{**line, "mode": "lines+markers" if T <= 80 else "lines"},
            ),
        ]
    )
    _fit_to_measurement(fig, n, measured, bound)
    style.steps_back_axis(fig, T)
    if not np.isfinite(measured[1:]).any():
        fig.add_annotation(NOTHING_REACHES_BACK)
    style.layout(
        fig,
        f"‖∂h_T/∂h_k‖ against the steps back n = T − k, T = {T}{_finite_part_note(exp)}",
        x_title=style.STEPS_BACK_TITLE,
        y_title="‖∂h_T/∂h_k‖ (log scale)",
        height=500,
    )
    return _legend_below(fig, y=-0.18, bottom=150)


NOTHING_REACHES_BACK = {
    "text": "‖∂h_T/∂h_k‖ is exactly 0 for every k < T: no gradient reaches back at all",
    "x": 0.5,
    "y": 0.5,
    "xref": "paper",
    "yref": "paper",
    "showarrow": False,
    "font": {"size": style.FONT_SIZE},
    "bgcolor": "white",
}


def _hover_data(k: np.ndarray, word: str, values: np.ndarray) -> list:
    """(k, "word = 10^v") for each point, the value written out where it is 0 or infinite."""
    return [
        [int(step), f"{word} = 10^{v:.1f}" if np.isfinite(v) else f"{word} = {10.0**v:g}"]
        for step, v in zip(k, values, strict=True)
    ]


def power_norms_figure(exp, n_max: int = 100) -> go.Figure:
    """||W^n|| against n for this run's W_hh and for a non-normal example with rho < 1 < sigma_max.

    For a linear cell ||dh_T/dh_k|| = ||W_hh^(T-k)||; the dotted lines are rho^n, which the norms follow in the
    end (Gelfand), and sigma_max^n, which bounds them from the first step.
    """
    example = nonnormal.nonnormal_example(EXAMPLE_RADIUS, EXAMPLE_COUPLING)
    panels = [
        ("this run's W_hh", exp.cell.W_hh, style.MEASURED),
        (f"non-normal [[{EXAMPLE_RADIUS:g}, {EXAMPLE_COUPLING:g}], [0, {EXAMPLE_RADIUS:g}]]", example, style.HIGHLIGHT),
    ]
    fig = make_subplots(rows=1, cols=2, subplot_titles=[title for title, _, _ in panels], horizontal_spacing=0.12)
    for col, (title, W, colour) in enumerate(panels, start=1):
        _power_panel(fig, col, title, W, colour, n_max)
    style.layout(fig, "Spectral radius against σ_max: ‖W^n‖ over n steps", height=470)
    fig.update_xaxes(title_text="steps back n", range=[0, n_max])
    fig.update_yaxes(title_text="‖W^n‖₂ (log scale)", row=1, col=1)
    fig.update_layout(margin={"t": style.title_room(fig, 90)})
    return _legend_below(fig, y=-0.2, bottom=140)


def _power_panel(fig: go.Figure, col: int, title: str, W: np.ndarray, colour: str, n_max: int) -> None:
    """One panel of `power_norms_figure`: ||W^n||, rho^n and sigma_max^n, with the transient peak named."""
    n = np.arange(n_max + 1)
    numbers = nonnormal.summary(W)
    steps = n if W.shape[0] <= DENSE_POWERS_UP_TO else np.unique(np.r_[0:11, np.linspace(10, n_max, 19).round()])
    norms = nonnormal.log10_power_norms(W, n_max, at=steps)  # each norm is an SVD: fewer steps for a large W
    radius_line = n * style.log10(numbers["spectral_radius"])
    sigma_line = n * style.log10(numbers["sigma_max"])
    lines = (
        (steps, norms, f"‖W^n‖ ({title})", "‖W^n‖", {"color": colour, "width": 3}),
        (n, radius_line, f"ρ^n, ρ = {numbers['spectral_radius']:.3g}", "ρ^n", {"color": colour, "dash": "dot"}),
        (
            n,
            sigma_line,
            f"σ_max^n, σ_max = {numbers['sigma_max']:.3g}",
            "σ_max^n",
            {"color": style.BOUND, "dash": "dash", "width": 1.5},
        ),
    )
    for x, y, name, short, line in lines:
        trace = go.Scatter(
            x=x,
            y=style.plotted(y),
            mode="lines",
            line=line,
            name=name,
            legendgroup=str(col),
            hovertemplate=f"n = %{{x}}<br>{short} = 10^%{{y:.2f}}<extra></extra>",
        )
        fig.add_trace(trace, row=1, col=col)
    peak_index, peak = nonnormal.transient_peak(norms)
    peak_n = int(steps[peak_index])
    if 0 < peak_n < n_max:  # a true transient: it grows, then shrinks
        label = f"peak 10^{peak:.1f} at n = {peak_n}"
        fig.add_annotation(x=peak_n, y=peak, text=label, showarrow=True, arrowhead=2, ax=80, ay=-10, row=1, col=col)
    shown = [norms, radius_line, np.minimum(sigma_line, np.nanmax(norms[np.isfinite(norms)]) + 1)]
    style.log_axis(fig, shown, row=1, col=col, max_ticks=6)


def step_terms_figure(exp, rescaled: bool = False) -> go.Figure:
    """The norm of each step's own term of dL/dW_hh, dL/dW_xh, dL/db_h (W_ih, b_ih for a gated cell) and the share
    the last steps carry.

    The terms are the seed's sum dL/dW = sum_t dL/dh_t dh_t^+/dW made visible: summed over t they give the
    gradient. `rescaled` divides each parameter's terms by their largest, so the three shapes compare.
    """
    T = exp.analysed_steps
    t = np.arange(1, T + 1)
    names = TERM_NAMES if exp.cell.kind == "rnn" else GATED_TERM_NAMES
    term_norms = {name: exp.gradients.term_norms(name) for name in names}
    if not any(np.isfinite(norms).any() and np.nanmax(norms) > 0 for norms in term_norms.values()):
        return style.empty_figure(
            "No finite step term to draw: the gradient is beyond floating point (or exactly 0) at every step.<br>"
            "Lower the weight scale or the sequence length.",
            f"Each step's own term of the gradient{_finite_part_note(exp)}",
        )
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.08)
    plotted = [_term_log_norms(term_norms[name], rescaled) for name in names]
    for name, log_norms in zip(names, plotted, strict=True):
        term = go.Scatter(
            x=t,
            y=style.plotted(log_norms),
            name=f"‖step t's term of ∂L/∂{name}‖",
            mode="lines+markers" if T <= 80 else "lines",
            marker={"size": 5},
            line={"color": TERM_COLOURS[name], "width": 2.5},
            hovertemplate=f"t = %{{x}}<br>{name} term = 10^%{{y:.2f}}<extra></extra>",
        )
        fig.add_trace(term, row=1, col=1)
    style.log_axis(fig, plotted, row=1, col=1, max_ticks=6)
    top = max((float(np.nanmax(v[np.isfinite(v)])) for v in plotted if np.isfinite(v).any()), default=0.0)
    carries = loss_steps(exp.settings.loss_placement, T)
    losses = go.Scatter(
        x=t[carries],
        y=np.full(int(carries.sum()), round(top + 0.3, 3)),
        mode="markers",
        marker={"symbol": "triangle-down", "size": 9, "color": style.BOUND},
        name="steps with a loss term L_t",
        hovertemplate="step %{x} carries a loss term<extra></extra>",
    )
    fig.add_trace(losses, row=1, col=1)
    _share_panel(fig, exp.gradients.term_norms("W_hh"), T)
    style.layout(fig, f"Each step's own term of the gradient{_finite_part_note(exp)}", height=600)
    fig.update_yaxes(title_text="norm (÷ largest, log)" if rescaled else "norm (log scale)", row=1, col=1)
    fig.update_yaxes(title_text="share from t to T", range=[0, 1.05], tickformat=".0%", row=2, col=1)
    fig.update_xaxes(range=[0.5, T + 0.5])
    fig.update_xaxes(title_text=f"step t (T = {T})", row=2, col=1)
    return _legend_below(fig, y=-0.14, bottom=150)


def _term_log_norms(norms: np.ndarray, rescaled: bool) -> np.ndarray:
    """log10 of a parameter's step terms; `rescaled`: divided by the largest, so the largest is 10^0."""
    log_norms = style.log10(norms)
    if rescaled and np.isfinite(log_norms).any():
        log_norms = log_norms - np.nanmax(log_norms[np.isfinite(log_norms)])
    return log_norms


def _share_panel(fig: go.Figure, w_hh_terms: np.ndarray, T: int) -> None:
    """The bottom panel: the share of the W_hh terms' norms that steps t..T carry, and where it reaches 99%."""
    t = np.arange(1, T + 1)
    share = diagnostics.cumulative_share_from_end(w_hh_terms)
    area = go.Scatter(
        x=t,
        y=style.plotted(share, 4),
        mode="lines",
        fill="tozeroy",
        name="share of W_hh terms from step t to T",
        line={"color": style.MEASURED, "width": 2},
        showlegend=False,
        hovertemplate="steps %{x}..T carry %{y:.1%}<extra></extra>",
    )
    fig.add_trace(area, row=2, col=1)
    if np.isfinite(share).all():
        steps = diagnostics.steps_carrying(w_hh_terms, 0.99)
        start = T - steps + 1
        fig.add_vline(x=start, line={"color": style.BOUND, "dash": "dash"}, row=2, col=1)
        words = f"the last {steps} steps carry 99% "
        fig.add_annotation(
            x=start, y=0.5, xanchor="right", text=words, showarrow=False, font={"color": style.BOUND}, row=2, col=1
        )


def backward_animation_figure(exp, max_frames: int = MAX_FRAMES) -> go.Figure:
    """The gradient flowing from the loss back through the unrolled graph, one frame per step (or several).

    The states h_k the backward pass has reached are coloured by log10 ||dL/dh_k||, the others are grey.
    Play, Pause and the slider run in the browser (Plotly frames); the colour range is fixed over the frames.
    """
    T = exp.analysed_steps
    log_dh = style.log10(diagnostics.state_norms(exp.gradients.dh))  # (T+1,)
    finite = log_dh[np.isfinite(log_dh)]
    if finite.size == 0:
        return style.empty_figure(
            "No finite ∂L/∂h_k to draw: the gradient is beyond floating point (or exactly 0) at every step.<br>"
            "Lower the weight scale or the sequence length.",
            f"The gradient flowing back{_finite_part_note(exp)}",
        )
    low, high = float(finite.min()), float(finite.max())
    high = high if high > low else low + 1.0
    colour = np.where(np.isfinite(log_dh), log_dh, np.where(log_dh == np.inf, high, low))  # 0 -> low, inf -> high
    colour = np.round(colour, 2).astype(np.float32)  # a small payload: 4 bytes a node a frame
    fronts = [int(f) for f in np.unique(np.round(np.linspace(T, 0, min(T + 1, max_frames))).astype(int))[::-1]]
    size = int(np.clip(420 / (T + 1), 4, 14))  # the nodes touch at most, on a chart about 600 px wide
    fig = go.Figure(
        [
            *_backward_graph(exp, T, size),
            _reached_trace(T, fronts[0], colour, low, high, size),
            _front_trace(fronts[0], size),
        ]
    )
    fig.frames = _front_frames(fronts, colour)
    fig.update_layout(
        **style.play_controls(
            [str(front) for front in fronts],
            duration=int(max(40, 4000 / len(fronts))),
            buttons_y=-0.32,
            slider_y=-0.22,
            active=0,
            current={"prefix": "gradient has reached k = ", "font": {"size": style.FONT_SIZE}},
            slider_pad=10,
        )
    )
    _travel_arrow(fig, T)
    style.layout(
        fig,
        f"The gradient flowing back from the loss through the unrolled graph{_finite_part_note(exp)}",
        x_title="step k (the gradient travels right to left, from k = T to k = 0)",
        height=440,
        legend=False,
    )
    fig.update_layout(margin={"b": 150})
    return fig


def _front_frames(fronts: list[int], colour: np.ndarray) -> list[go.Frame]:
    """One frame per front: the states from the front to T coloured, and the ring at the front."""
    node_k, zeros = np.arange(colour.size, dtype=np.int16), np.zeros(colour.size, dtype=np.int8)
    return [
        go.Frame(
            data=[
                {"type": "scatter", "x": node_k[front:], "y": zeros[front:], "marker": {"color": colour[front:]}},
                {"type": "scatter", "x": [front]},
            ],
            traces=[3, 4],
            name=str(front),
        )
        for front in fronts
    ]


def _backward_graph(exp, T: int, size: int) -> list[go.Scatter]:
    """The unrolled graph under the animation: the chain of states, the losses above it, the inputs below it."""
    k = np.arange(T + 1)
    carries = np.flatnonzero(loss_steps(exp.settings.loss_placement, T)) + 1  # steps t with a loss term
    fed = np.flatnonzero(input_steps(exp.settings.loss_placement, T)) + 1  # steps t with an input
    chain = go.Scatter(
        x=k.astype(np.int16),
        y=np.zeros(T + 1, dtype=np.int8),
        mode="lines+markers",
        name="h_{t-1} → h_t (W_hh)",
        line={"color": style.MUTED, "width": 1.5},
        marker={"size": size, "color": "#d5d8dc"},
        hoverinfo="skip",
        showlegend=False,
    )
    losses = _stems(carries, 1.0, "loss L_t (W_hy)", {"color": style.BOUND, "width": 1})
    losses.marker = {"size": size - 2, "color": style.BOUND, "symbol": "diamond"}
    inputs = _stems(fed, -1.0, "input x_t (W_xh)", {"color": "#d5d8dc", "width": 1})
    inputs.marker = {"size": max(size - 6, 3), "color": style.MUTED, "symbol": "square"}
    return [chain, losses, inputs]


def _stems(steps: np.ndarray, to: float, name: str, line: dict) -> go.Scatter:
    """A short vertical line from the chain (y = 0) to y = `to` at each of `steps`."""
    x = np.repeat(steps, 3).astype(float)
    x[2::3] = np.nan
    return go.Scatter(
        x=x,
        y=np.tile([0.0, to, np.nan], steps.size),
        mode="lines+markers",
        line=line,
        name=name,
        hoverinfo="skip",
        showlegend=False,
    )


def _reached_trace(T: int, first: int, colour: np.ndarray, low: float, high: float, size: int) -> go.Scatter:
    """The states the gradient has reached, coloured by log10 ||dL/dh_k|| on a fixed scale."""
    tickvals, ticktext = style.log_ticks(low, high, 9)
    return go.Scatter(
        x=np.arange(T + 1, dtype=np.int16)[first:],
        y=np.zeros(T + 1, dtype=np.int8)[first:],
        mode="markers",
        name="reached by the gradient",
        showlegend=False,
        marker={
            "color": colour[first:],
            "size": size,
            "cmin": low,
            "cmax": high,
            "colorscale": style.SEQUENTIAL,
            "line": {"width": 0},
            "colorbar": {"title": {"text": "‖∂L/∂h_k‖", "side": "right"}, "tickvals": tickvals, "ticktext": ticktext},
        },
        hovertemplate="h_%{x}: ‖∂L/∂h_k‖ = 10^%{marker.color:.1f}<extra></extra>",
    )


def _front_trace(first: int, size: int) -> go.Scatter:
    """A ring around the state the gradient has just reached."""
    return go.Scatter(
        x=[first],
        y=[0],
        mode="markers",
        name="where the gradient is",
        marker={"size": size + 10, "color": "rgba(0,0,0,0)", "line": {"color": style.HIGHLIGHT, "width": 3}},
        showlegend=False,
        hoverinfo="skip",
    )


def _travel_arrow(fig: go.Figure, T: int) -> None:
    """The direction of travel, on the chart itself: from step T back to step 0; and the graph's rows named."""
    fig.update_yaxes(
        tickvals=[-1, 0, 1], ticktext=["input x_t", "state h_t", "loss L_t"], range=[-1.6, 1.5], showgrid=False
    )
    fig.update_xaxes(range=[-1, T + 1], showgrid=False)
    tip = T - max(2.0, 0.3 * T)
    fig.add_annotation(**style.arrow(T, 1.3, tip, 1.3, style.HIGHLIGHT, width=3))
    fig.add_annotation(
        x=tip,
        y=1.3,
        xanchor="right",
        xshift=-6,
        text="gradient flows back ←  from step T to step 0",
        showarrow=False,
        font={"color": style.HIGHLIGHT, "size": style.FONT_SIZE},
    )


def jacobian_at_figure(exp, k: int, max_units: int = MAX_HEATMAP_UNITS) -> go.Figure:
    """The matrix dh_T/dh_k for one k as a heatmap (first `max_units` units), beside all its singular values.

    The heatmap shows entry / max |entry| (the colour range is fixed at -1..1); the title gives the largest entry.
    The singular values are on a log scale, under the bound (gamma sigma_max)^(T-k).
    """
    T = exp.analysed_steps
    direction, log_scale = diagnostics.jacobian_at(exp.analysed_run, int(k))
    title = f"∂h_T/∂h_k at k = {k}, T - k = {T - k} steps back"
    if not np.isfinite(log_scale):
        reason = "exactly 0: no path from h_k reaches h_T" if log_scale == -np.inf else "not finite (overflow)"
        return style.empty_figure(f"∂h_T/∂h_k at k = {k} is {reason}.", title)
    H = direction.shape[0]
    shown = min(H, max_units)
    largest = float(np.max(np.abs(direction)))
    log_largest = log_scale + float(np.log10(largest))
    singular = np.linalg.svd(direction, compute_uv=False)  # (H,), descending
    log_singular = log_scale + style.log10(singular)
    units = f"first {shown} of {H} units" if shown < H else f"{H} units"
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        horizontal_spacing=0.2,
        subplot_titles=[f"entries / 10^{log_largest:.1f} ({units})", f"its {H} singular values"],
    )
    matrix = np.round(direction[:shown, :shown] / largest, 3)
    fig.add_trace(
        go.Heatmap(
            z=matrix,
            x=np.arange(1, shown + 1),
            y=np.arange(1, shown + 1),
            zmin=-1,
            zmax=1,
            colorscale=style.DIVERGING,
            colorbar={"x": 0.38, "len": 0.85, "thickness": 14},
            hovertemplate="unit %{y} of h_T, unit %{x} of h_k: %{z:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    _singular_values_panel(fig, log_singular, float(exp.log10_bound[k]))
    style.layout(fig, title, height=520)
    fig.update_yaxes(autorange="reversed", title_text="unit of h_T", row=1, col=1)
    fig.update_xaxes(title_text="unit of h_k", row=1, col=1)
    fig.update_yaxes(title_text="σ_i (log scale)", row=1, col=2)
    fig.update_xaxes(title_text="i (largest first)", row=1, col=2)
    return _legend_below(fig, y=-0.16, bottom=130)


def _singular_values_panel(fig: go.Figure, log_singular: np.ndarray, bound: float) -> None:
    """The right panel of `jacobian_at_figure`: every singular value (log10), under the bound's level."""
    H = log_singular.shape[0]
    singular = go.Scatter(
        x=np.arange(1, H + 1),
        y=style.plotted(log_singular),
        mode="markers+lines",
        name="singular values σ_i",
        marker={"size": 6, "color": style.MEASURED},
        line={"color": style.MEASURED, "width": 1},
        hovertemplate="σ_%{x} = 10^%{y:.2f}<extra></extra>",
    )
    level = go.Scatter(
        x=[1, H],
        y=[bound, bound],
        mode="lines",
        name="bound (γ σ_max)^(T-k)",
        line={"color": style.BOUND, "dash": "dash", "width": 2},
        hovertemplate=f"bound = 10^{bound:.1f}<extra></extra>",
    )
    fig.add_trace(singular, row=1, col=2)
    fig.add_trace(level, row=1, col=2)
    style.log_axis(fig, [log_singular, np.array([bound])], row=1, col=2, max_ticks=6)


def per_step_table(exp, rescaled: bool = False) -> pd.DataFrame:
    """One row per step k = 0..T: ||dh_T/dh_k||, its bound, ||dL/dh_k||, each step's terms and the share.

    Absolute values can underflow to 0 or overflow to inf in float64 (the log10 columns never do);
    `rescaled` divides each norm column by its largest value (computed in log10), so every column peaks at 1.
    """
    T = exp.analysed_steps
    log_columns = {
        "‖∂h_T/∂h_k‖": exp.norms.log10_spectral,
        "bound (γ σ_max)^(T-k)": exp.log10_bound,
        "‖∂L/∂h_k‖": style.log10(diagnostics.state_norms(exp.gradients.dh)),
    }
    for name in TERM_NAMES:  # step k's own term; there is none at k = 0
        log_columns[f"‖term of ∂L/∂{name}‖"] = np.concatenate([[np.nan], style.log10(exp.gradients.term_norms(name))])
    table = {"k": np.arange(T + 1), "T - k": T - np.arange(T + 1)}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, values in log_columns.items():
            if rescaled:
                finite = values[np.isfinite(values)]
                values = values - (finite.max() if finite.size else 0.0)
            table[name] = 10.0**values
        table["log10 ‖∂h_T/∂h_k‖"] = np.round(exp.norms.log10_spectral, 4)
        share = diagnostics.cumulative_share_from_end(exp.gradients.term_norms("W_hh"))
        table["share of ∂L/∂W_hh from steps k..T"] = np.concatenate([[np.nan], share])
    carries = loss_steps(exp.settings.loss_placement, T)
    table["loss at step k"] = np.concatenate([[False], carries])
    return pd.DataFrame(table)
