"""One look for every figure: readable on a projector, the same colour for the same quantity everywhere.

Also the pieces every figure shares: log axes labelled 10^k over log10 values (norms can be 10^-300 or 10^400,
beyond float64, so they are plotted as log10 numbers), the axis of steps back n = T - k, a matrix drawn as a
picture, and the larger type of presenter mode.
"""

from __future__ import annotations

import base64
import copy
import re
import struct
import zlib

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

FONT_SIZE = 15
TOOLBAR_ROOM = 30  # px at the top of every chart kept for its toolbar
MEASURED = "#1f4e99"  # a measured quantity (||dh_T/dh_k||, a loss, a norm)
BOUND = "#c0392b"  # the theory drawn beside it (the bound, a baseline)
HIGHLIGHT = "#e67e22"  # the current step, the current settings
MUTED = "#7f8c8d"  # context: grid of the unrolled graph, inactive steps
CELL_COLOURS = {"rnn": "#1f4e99", "lstm": "#27ae60", "gru": "#8e44ad"}
REGIME_COLOURS = {"vanishing": "#2471a3", "exploding": "#c0392b", "near the edge": "#1e8449"}
DIVERGING = "RdBu_r"  # signed values (states, Jacobian entries), centred on 0
SEQUENTIAL = "Viridis"  # magnitudes (norms, shares)
STEPS_BACK_TITLE = "steps back n = T − k"  # the x axis of every chart of ||dh_T/dh_k|| (a falling line vanishes)
TITLE_LINE = 48  # characters: a title's line, 14 px type on a phone (390 px) and 18 px on a laptop both hold it
TITLE_LINE_HEIGHT = 24  # px: the room each further line of a title takes
PRESENTER_FONT = 24  # px: the smallest chart text in presenter mode (tick labels, legends), read from the back row


def wrapped(title: str, width: int = TITLE_LINE) -> str:
    """`title` broken into lines (Plotly's `<br>`) of at most `width` characters where it has spaces: an SVG title
    never wraps by itself, and one line of a long title runs off a phone's screen. Tags such as `<sub>` take no
    room."""
    if "<br>" in title:  # lines the title already has are wrapped each on its own
        return "<br>".join(wrapped(line, width) for line in title.split("<br>"))
    lines: list[list[str]] = [[]]
    for word in re.split(r"(?<![=−×+≈≤≥/]) (?![=−×+≈≤≥/\d])", title):  # "T = 500", "a − b", "step 3" stay whole
        line = " ".join([*lines[-1], word])
        if lines[-1] and len(re.sub(r"<[^>]*>", "", line)) > width:
            lines.append([word])
        else:
            lines[-1].append(word)
    return "<br>".join(" ".join(line) for line in lines)


def layout(
    fig: go.Figure, title: str, x_title: str = "", y_title: str = "", height: int = 420, legend: bool = True
) -> go.Figure:
    """Title, axis titles, font and margins shared by every figure."""
    title = wrapped(title)
    extra_lines = title.count("<br>")
    fig.update_layout(
        # the title sits below the chart's toolbar (the top TOOLBAR_ROOM px), which would otherwise cover it on a phone
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": TOOLBAR_ROOM},
            "font": {"size": FONT_SIZE + 3},
        },
        font={"size": FONT_SIZE, "family": "DejaVu Sans, Arial, sans-serif"},
        height=height,
        margin={"l": 70, "r": 30, "t": TOOLBAR_ROOM + 50 + TITLE_LINE_HEIGHT * extra_lines, "b": 60},
        template="plotly_white",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
        hoverlabel={"font": {"size": FONT_SIZE + 1}},  # plotly's own 13 px is hard to read on a busy chart
    )
    fig.update_xaxes(showline=True, linecolor="#444", mirror=False, zeroline=False)
    fig.update_yaxes(showline=True, linecolor="#444", zeroline=False)
    if x_title:  # an empty title leaves the titles the builder already gave its panels
        fig.update_xaxes(title_text=x_title)
    if y_title:
        fig.update_yaxes(title_text=y_title)
    return fig


STILL = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}


def play_controls(
    frames: list[str], duration: int, buttons_y: float, slider_y: float, active: int, current: dict, slider_pad: int = 0
) -> dict:
    """Layout entries for Play and Pause buttons and a slider over `frames` (the Plotly frames' names): the
    animation runs in the browser, `duration` ms a frame, never redrawing what the frames do not change."""
    play = {**STILL, "frame": {"duration": duration, "redraw": False}, "fromcurrent": True}
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [None, play]},
        {"label": "❚❚ Pause", "method": "animate", "args": [[None], STILL]},
    ]
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": buttons_y,
                "xanchor": "left",
                "yanchor": "top",
                "showactive": False,
                "pad": {"r": 10, "t": 0},
                "buttons": buttons,
            }
        ],
        "sliders": [
            {
                "active": active,
                "x": 0.25,
                "len": 0.75,
                "y": slider_y,
                "yanchor": "top",
                "pad": {"t": slider_pad},
                "currentvalue": current,
                "transition": {"duration": 0},
                "steps": [{"label": name, "method": "animate", "args": [[name], STILL]} for name in frames],
            }
        ],
    }


def level(
    fig: go.Figure, y: float, text: str, colour: str = BOUND, position: str = "top left", dash: str = "dash", width=2
) -> None:
    """A horizontal line across the chart at `y` (a threshold, a baseline), named by `text` in its colour."""
    fig.add_hline(
        y=y,
        line={"color": colour, "dash": dash, "width": width},
        annotation_text=text,
        annotation_position=position,
        annotation_font={"color": colour},
    )


def title_room(fig: go.Figure, top: int) -> int:
    """A top margin of `top` px for a one-line title, grown by a line's room for each line it wraps onto."""
    return top + TITLE_LINE_HEIGHT * str(fig.layout.title.text or "").count("<br>")


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


# Log axes ----------------------------------------------------------------------------------------------------


def log10(values) -> np.ndarray:
    """log10 of `values` as floats: -inf for 0, NaN for negative or NaN values, no warnings."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.log10(np.asarray(values, dtype=float))


def plotted(log_values, decimals: int = 3) -> list[float | None]:
    """Rounded finite values, None where not finite (Plotly leaves a gap there)."""
    return [round(float(v), decimals) if np.isfinite(v) else None for v in np.asarray(log_values, dtype=float)]


def log_ticks(low: float, high: float, max_ticks: int = 8) -> tuple[list[float], list[str]]:
    """Tick positions at whole decades between low and high (log10 values) and their labels 10^k."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return [0.0], ["10<sup>0</sup>"]
    low, high = int(np.floor(min(low, high))), int(np.ceil(max(low, high)))
    raw = max(1.0, (high - low) / max(max_ticks - 1, 1))
    step = next(int(m * 10**e) for e in range(0, 5) for m in (1, 2, 5) if m * 10**e >= raw)  # 1, 2, 5, 10, ...
    first = int(np.floor(low / step) * step)
    values = list(range(first, high + step, step))
    return [float(v) for v in values], [f"10<sup>{v}</sup>" for v in values]


def finite_range(log_values: list) -> tuple[float, float]:
    """The smallest and largest finite value over several arrays, (-1, 1) when none is finite."""
    finite = np.concatenate([np.asarray(v, dtype=float).ravel() for v in log_values] + [np.zeros(0)])
    finite = finite[np.isfinite(finite)]
    return (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)


def log_axis(
    fig: go.Figure,
    log_values: list,
    row: int | None = None,
    col: int | None = None,
    max_ticks: int = 8,
    span: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """A y axis that carries log10 values: decade ticks labelled 10^k, the range around the data (or `span`,
    low and high in log10) with a little room. Returns the range set."""
    low, high = span if span is not None else finite_range(log_values)
    pad = max(0.05 * (high - low), 0.5)
    low, high = low - pad, high + pad
    tickvals, ticktext = log_ticks(low, high, max_ticks)
    fig.update_yaxes(tickvals=tickvals, ticktext=ticktext, range=[low, high], row=row, col=col)
    return low, high


def log_colorbar(low: float, high: float, title: str, max_ticks: int = 6) -> dict:
    """A colour bar over log10 values between low and high, its ticks labelled 10^k."""
    tickvals, ticktext = log_ticks(low, high, max_ticks)
    inside = [(v, t) for v, t in zip(tickvals, ticktext, strict=True) if low - 1e-9 <= v <= high + 1e-9]
    if inside:
        tickvals, ticktext = [v for v, _ in inside], [t for _, t in inside]
    return {"title": {"text": title, "side": "right"}, "tickvals": tickvals, "ticktext": ticktext}


def power_axis(fig: go.Figure, row: int | None = None, col: int | None = None, **options) -> None:
    """Plotly's own log axis (for positive values that stay inside float64) with the same 10^k labels."""
    fig.update_yaxes(type="log", exponentformat="power", showexponent="all", row=row, col=col, **options)


def steps_back_axis(fig: go.Figure, T: int, row: int | None = None, col: int | None = None) -> None:
    """The x axis of ||dh_T/dh_k|| against the number of steps back n = T - k, from n = 0 (k = T) to n = T."""
    fig.update_xaxes(title_text=STEPS_BACK_TITLE, range=[-0.5, T + 0.5], row=row, col=col)


def steps_back(log_values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n = T - k, k and the values reordered so that n runs 0, 1, ..., T, from values indexed by k = 0..T."""
    values = np.asarray(log_values, dtype=float)
    n = np.arange(values.shape[0])
    return n, n[::-1].copy(), values[::-1]


# A matrix as a picture ---------------------------------------------------------------------------------------


def _png(rgba: np.ndarray) -> bytes:
    """A PNG file of an (rows, columns, 4) uint8 array, unfiltered and deflated (no imaging library needed)."""
    rows, columns, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[i].tobytes() for i in range(rows))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", columns, rows, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def colour_pixels(z: np.ndarray, zmin: float, zmax: float, colorscale: str) -> np.ndarray:
    """The (rows, columns, 4) RGBA pixels of z on `colorscale` between zmin and zmax; transparent where z is
    not finite."""
    z = np.asarray(z, dtype=float)
    finite = np.isfinite(z)
    share = np.clip((np.where(finite, z, zmin) - zmin) / (zmax - zmin if zmax > zmin else 1.0), 0.0, 1.0)
    colours = sample_colorscale(get_colorscale(colorscale), share.ravel().tolist(), colortype="tuple")
    rgb = np.asarray(colours, dtype=float).reshape(*z.shape, 3)
    rgb = rgb * 255.0 if rgb.max() <= 1.0 else rgb
    alpha = np.where(finite, 255, 0)[..., None]
    return np.concatenate([np.round(rgb), alpha], axis=-1).astype(np.uint8)


def picture_source(pixels: np.ndarray, width: int = 900, height: int = 420) -> str:
    """A data URL of `pixels` (rows, columns, 4) with each cell repeated into a block, about `width` x `height`
    pixels, so that the browser's smoothing blurs only the cells' edges."""
    rows, columns, _ = pixels.shape
    across, down = max(1, -(-width // columns)), max(1, -(-height // rows))
    blocks = np.repeat(np.repeat(pixels, down, axis=0), across, axis=1)
    return "data:image/png;base64," + base64.b64encode(_png(blocks)).decode("ascii")


# Presenter mode ----------------------------------------------------------------------------------------------


def _larger(font: dict | None, scale: float, smallest: float) -> dict:
    """`font` with its size (FONT_SIZE when unset) times `scale`, and never below `smallest` px."""
    font = dict(font or {})
    font["size"] = round(max((font.get("size") or FONT_SIZE) * scale, smallest), 1)
    return font


def _larger_colorbar(bar: dict | None, scale: float, smallest: float) -> dict:
    bar = dict(bar or {})
    bar["tickfont"] = _larger(bar.get("tickfont"), scale, smallest)
    title = dict(bar.get("title") or {})
    title["font"] = _larger(title.get("font"), scale, smallest)
    bar["title"] = title
    return bar


def _larger_trace(trace: dict, scale: float, smallest: float) -> dict:
    """A copy of the parts of `trace` that carry text, larger; the data arrays are shared, not copied."""
    trace = dict(trace)
    if "textfont" in trace or "text" in trace:
        trace["textfont"] = _larger(trace.get("textfont"), scale, smallest)
    if "colorbar" in trace:
        trace["colorbar"] = _larger_colorbar(trace["colorbar"], scale, smallest)
    marker = trace.get("marker")
    if isinstance(marker, dict) and "colorbar" in marker:
        trace["marker"] = {**marker, "colorbar": _larger_colorbar(marker["colorbar"], scale, smallest)}
    return trace


def for_projector(fig: go.Figure, height: int, font: float = PRESENTER_FONT) -> go.Figure:
    """A copy of `fig` for presenter mode: every text (ticks, legend, titles, annotations, colour bars, sliders,
    buttons, text on the chart) scaled by font / FONT_SIZE and at least `font` px, margins grown to hold it, the
    axes' margins fitted to their labels, `height` px high. `fig` itself is unchanged; its frames are shared."""
    scale = font / FONT_SIZE
    sent = fig.to_dict()
    layout = copy.deepcopy(sent.get("layout", {}))
    layout["height"] = height
    layout["font"] = _larger(layout.get("font"), scale, font)
    if isinstance(layout.get("title"), dict):
        layout["title"]["font"] = _larger(layout["title"].get("font"), scale, font)
    layout["legend"] = {**layout.get("legend", {}), "font": _larger(layout.get("legend", {}).get("font"), scale, font)}
    layout["hoverlabel"] = {**layout.get("hoverlabel", {}), "font": _larger(None, scale, font)}
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis["tickfont"] = _larger(axis.get("tickfont"), scale, font)
            title = axis.get("title")
            if isinstance(title, dict):
                title["font"] = _larger(title.get("font"), scale, font)
            axis["automargin"] = True
    for annotation in layout.get("annotations", []):
        annotation["font"] = _larger(annotation.get("font"), scale, font)
    for slider in layout.get("sliders", []):
        slider["font"] = _larger(slider.get("font"), scale, font)
        slider["currentvalue"] = {
            **slider.get("currentvalue", {}),
            "font": _larger(slider.get("currentvalue", {}).get("font"), scale, font),
        }
    for menu in layout.get("updatemenus", []):
        menu["font"] = _larger(menu.get("font"), scale, font)
    if isinstance(layout.get("coloraxis"), dict):
        layout["coloraxis"]["colorbar"] = _larger_colorbar(layout["coloraxis"].get("colorbar"), scale, font)
    margin = layout.get("margin", {})
    layout["margin"] = {side: round(value * scale) for side, value in margin.items() if isinstance(value, (int, float))}
    data = [_larger_trace(trace, scale, font) for trace in sent.get("data", [])]
    return go.Figure({"data": data, "layout": layout, "frames": sent.get("frames", [])}, _validate=False)
