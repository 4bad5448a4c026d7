"""Figures of the character model while it learns, drawn from an `rnnviz.train.TrainResult`.

- the loss and the accuracy per epoch, with the seed article's reported numbers beside them;
- the gradient norm ||g|| per epoch (before clipping) with the epochs where clipping acted;
- the RNNbow view: an epochs x window-steps heatmap of how large each step's term of dL/dW_hh is, with the steps
  that truncated BPTT drops marked;
- the spectral radius and sigma_max of W_hh over the epochs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures import style

__all__ = ["accuracy_figure", "grad_norm_figure", "loss_figure", "spectrum_figure", "step_terms_heatmap"]

REFERENCE = "#c0392b"  # the article's reported numbers
TERM_LABELS = {"W_hh": "∂L/∂W_hh", "W_xh": "∂L/∂W_xh"}


def _epochs_axis(fig: go.Figure, total_epochs: int | None, shown: int) -> None:
    last = max(int(total_epochs or 0), shown, 1)
    fig.update_xaxes(range=[0, last + 0.5])


def _add_history_curve(fig: go.Figure, history, column: str) -> None:
    """This run's `column` per epoch, drawn as the measured curve (nothing before the first epoch)."""
    if len(history):
        fig.add_trace(
            go.Scatter(
                x=history.epoch,
                y=history[column],
                mode="lines",
                name="this run",
                line={"color": style.MEASURED, "width": 3},
                hovertemplate=f"epoch %{{x}}: {column} %{{y:.3f}}<extra></extra>",
            )
        )


def loss_figure(result, reference: Mapping[int, float] | None = None, total_epochs: int | None = None) -> go.Figure:
    """Cross-entropy per epoch (the mean over the epoch's batches, as Keras reports it) and, when given, the
    article's reported values as markers. The x axis spans every planned epoch, so the curve grows into it."""
    history = result.history
    fig = go.Figure()
    _add_history_curve(fig, history, "loss")
    if reference:
        fig.add_trace(_article_points(reference, "loss", [f"{v:g}" for v in reference.values()], "top right"))
    uniform = np.log(len(result.vocabulary))
    style.level(
        fig,
        uniform,
        f"uniform guess: log {len(result.vocabulary)} = {uniform:.2f}",
        colour=style.MUTED,
        position="top right",
        dash="dot",
        width=1.5,
    )
    style.layout(fig, "Training loss per epoch", x_title="epoch", y_title="cross-entropy (nats)", height=380)
    fig.update_yaxes(rangemode="tozero")
    _epochs_axis(fig, total_epochs, len(history))
    return fig


def _article_points(reference: Mapping[int, float], what: str, labels: list[str], position) -> go.Scatter:
    """The article's reported values (epoch -> value) as crosses, with their labels."""
    return go.Scatter(
        x=list(reference),
        y=list(reference.values()),
        mode="markers+text",
        name="the article (Keras)",
        text=labels,
        textposition=position,
        cliponaxis=False,  # a label near the last epoch or the top may reach past the axes
        marker={"color": REFERENCE, "size": 11, "symbol": "x"},
        textfont={"color": REFERENCE},
        hovertemplate=f"article, epoch %{{x}}: {what} %{{y}}<extra></extra>",
    )


def accuracy_figure(
    result,
    reference: Mapping[int, float] | None = None,
    total_epochs: int | None = None,
    other_framework: float | None = None,
) -> go.Figure:
    """Share of training windows whose next character is the argmax prediction, per epoch, with the article's
    reported values (and another framework's result) when given."""
    history = result.history
    fig = go.Figure()
    _add_history_curve(fig, history, "accuracy")
    if reference:
        values = list(reference.values())
        # one label per run of equal values (the article's 0.875 at epochs 77 and 88), above the first point
        labels = [f"{v:g}" if i + 1 == len(values) or values[i + 1] != v else "" for i, v in enumerate(values)]
        positions = ["top right" if i == 0 else "bottom right" for i in range(len(values))]
        fig.add_trace(_article_points(reference, "accuracy", labels, positions))
    if other_framework is not None:
        style.level(
            fig, other_framework, f"another framework, epoch 100: ≈ {other_framework:g}", colour=style.MUTED, width=1.5
        )
    style.layout(
        fig, "Training accuracy per epoch", x_title="epoch", y_title="share of windows predicted right", height=380
    )
    fig.update_yaxes(range=[0, 1.05])
    fig.update_layout(margin={"r": 60})  # room for the article's labels beside the last epochs
    _epochs_axis(fig, total_epochs, len(history))
    return fig


def grad_norm_figure(result, total_epochs: int | None = None) -> go.Figure:
    """‖g‖ before clipping: the mean over each epoch's batches and the largest; epochs in which clipping acted
    are marked, and the norm-clipping threshold is drawn. Log y axis."""
    history, recipe = result.history, result.recipe
    if not len(history):
        return style.empty_figure("No epoch has finished yet.", "Gradient norm per epoch")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=history.epoch,
            y=history.grad_norm,
            mode="lines",
            name="mean over the batches",
            line={"color": style.MEASURED, "width": 3},
            hovertemplate="epoch %{x}: mean ‖g‖ = %{y:.3g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=history.epoch,
            y=history.grad_norm_max,
            mode="lines",
            name="largest batch",
            line={"color": style.MEASURED, "width": 1.5, "dash": "dot"},
            hovertemplate="epoch %{x}: largest ‖g‖ = %{y:.3g}<extra></extra>",
        )
    )
    _clipping_marks(fig, history, recipe)
    style.layout(
        fig, "Gradient norm ‖g‖ per epoch, before clipping", x_title="epoch", y_title="‖g‖  (log scale)", height=380
    )
    style.power_axis(fig)
    _epochs_axis(fig, total_epochs, len(history))
    return fig


def _clipping_marks(fig: go.Figure, history, recipe) -> None:
    """The epochs in which clipping acted (a marker at their largest norm), and the clipping rule on the chart."""
    clipped = history[history.clipped_batches > 0]
    if len(clipped):
        share = (clipped.clipped_batches / clipped.batches).to_numpy()
        fig.add_trace(
            go.Scatter(
                x=clipped.epoch,
                y=clipped.grad_norm_max,
                mode="markers",
                name=f"clipped ({recipe.clipping})",
                marker={
                    "color": style.HIGHLIGHT,
                    "size": 9,
                    "symbol": "triangle-down",
                    "line": {"color": "black", "width": 1},
                },
                customdata=np.stack([clipped.clipped_batches, clipped.batches, share], axis=1),
                hovertemplate="epoch %{x}: %{customdata[0]} of %{customdata[1]} batches clipped<extra></extra>",
            )
        )
    if recipe.clipping == "norm":
        style.level(
            fig,
            recipe.clip_threshold,
            f"threshold {recipe.clip_threshold:g}: larger gradients are scaled down to it",
            position="bottom left",
        )
    elif recipe.clipping == "elementwise":
        fig.add_annotation(
            text=f"each entry clipped to ±{recipe.clip_threshold:g}",
            x=0.01,
            y=0.02,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="left",
            font={"color": style.BOUND},
        )


def step_terms_heatmap(result, name: str = "W_hh") -> go.Figure:
    """The RNNbow view: for each epoch (row) and window step t (column), log10 of the mean ||step t's term of
    dL/d`name`|| over the batches. Steps whose terms truncated BPTT drops are greyed and labelled."""
    norms = np.asarray(result.step_norms[name], dtype=float)  # (epochs, T)
    label = TERM_LABELS.get(name, name)
    title = f"How much each step of the window contributes to {label} (RNNbow)"
    if norms.shape[0] == 0:
        return style.empty_figure("No epoch has finished yet.", title)
    T = norms.shape[1]
    kept = np.asarray(result.kept_steps, dtype=bool)
    steps = np.arange(1, T + 1)
    epochs = np.arange(1, norms.shape[0] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norms = np.log10(np.where(norms > 0, norms, np.nan))
    z = [[round(float(v), 3) if np.isfinite(v) else None for v in row] for row in log_norms]
    finite = log_norms[np.isfinite(log_norms)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 0.0)
    fig = go.Figure(
        go.Heatmap(
            x=steps,
            y=epochs,
            z=z,
            colorscale=style.SEQUENTIAL,
            zmin=low,
            zmax=high,
            colorbar=style.log_colorbar(low, high, "‖term‖"),
            hovertemplate="epoch %{y}, step %{x}: ‖term‖ = 10^%{z:.2f}<extra></extra>",
        )
    )
    _dropped_steps(fig, steps[~kept], int(kept.sum()), epochs[-1])
    if name == "W_hh" and (kept & ~np.isfinite(log_norms).any(axis=0) & (steps == 1)).any():
        fig.add_annotation(  # outer(dL/da_1, h_0) with h_0 = 0
            x=1,
            y=(epochs[-1] + 1) / 2,
            xref="x",
            yref="y",
            showarrow=False,
            textangle=-90,
            text="step 1: h_0 = 0, so no W_hh term",
            font={"size": style.FONT_SIZE, "color": "#2c3e50"},
        )
    style.layout(
        fig,
        title,
        x_title="step t of the window (T = last, where the loss sits)",
        y_title="epoch",
        height=420,
        legend=False,
    )
    fig.update_xaxes(dtick=max(1, T // 12), range=[0.5, T + 0.5])
    fig.update_yaxes(range=[0.5, epochs[-1] + 0.5])
    return fig


def _dropped_steps(fig: go.Figure, dropped: np.ndarray, kept: int, last_epoch: int) -> None:
    """Grey over the window's first steps, whose terms truncated BPTT drops, with their words (nothing if none)."""
    if not dropped.size:
        return
    fig.add_shape(
        type="rect",
        x0=0.5,
        x1=dropped.max() + 0.5,
        y0=0.5,
        y1=last_epoch + 0.5,
        xref="x",
        yref="y",
        fillcolor="#bdc3c7",
        opacity=0.85,
        line={"width": 0},
        layer="above",
    )
    fig.add_annotation(
        x=(dropped.max() + 1) / 2,
        y=(last_epoch + 1) / 2,
        xref="x",
        yref="y",
        showarrow=False,
        text=f"steps 1–{dropped.max()}<br>dropped by<br>truncated BPTT<br>(k = {kept})",
        font={"size": style.FONT_SIZE, "color": "#2c3e50"},
    )


def spectrum_figure(result, total_epochs: int | None = None) -> go.Figure:
    """Spectral radius and sigma_max of W_hh after each epoch (epoch 0 = the initial, orthogonal W_hh), beside
    1 / gamma, the line Pascanu's conditions are stated against."""
    history = result.history
    gamma = result.model.activation.gamma
    epochs = np.concatenate([[0], history.epoch.to_numpy()])
    radius = np.concatenate([[result.initial_weights["spectral_radius"]], history.spectral_radius.to_numpy()])
    sigma = np.concatenate([[result.initial_weights["sigma_max"]], history.sigma_max.to_numpy()])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=sigma,
            mode="lines+markers" if epochs.size < 30 else "lines",
            name="σ_max(W_hh)",
            line={"color": style.MEASURED, "width": 3},
            hovertemplate="epoch %{x}: σ_max = %{y:.4f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=radius,
            mode="lines+markers" if epochs.size < 30 else "lines",
            name="spectral radius ρ(W_hh)",
            line={"color": style.HIGHLIGHT, "width": 3, "dash": "dash"},
            hovertemplate="epoch %{x}: ρ = %{y:.4f}<extra></extra>",
        )
    )
    style.level(fig, 1 / gamma, f"1/γ = {1 / gamma:g}", position="bottom right", dash="dot")
    style.layout(
        fig,
        "Spectrum of W_hh while it learns",
        x_title="epoch (0 = initial weights)",
        y_title="spectral radius, σ_max",
        height=380,
    )
    _epochs_axis(fig, total_epochs, len(history))
    fig.update_xaxes(range=[-0.5, max(int(total_epochs or 0), len(history), 1) + 0.5])
    return fig
