"""Reading a lesson's explanation and its charts: the numbers a sentence prints, and the values the chart draws.

A printed number stands for every value that rounds to it: its tolerance is half a unit in its last printed digit
(10^-19.8 covers -19.85 to -19.75; 10^-20 covers -20.5 to -19.5), plus FLOAT_SLACK for the arithmetic.
"""

from __future__ import annotations

import base64
import re

import numpy as np

FLOAT_SLACK = 1e-9
NUMBER = r"(\d+(?:\.\d+)?)"  # a printed number, without a sentence's full stop
POWER = r"10\^([+-]?\d+(?:\.\d+)?)"


def half_unit(printed: str) -> float:
    """Half a unit in the last printed digit of `printed`, e.g. 0.05 for "-19.8", 0.5 for "20"."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0**-decimals + FLOAT_SLACK


def matches(printed: str, value: float) -> bool:
    """Whether `value` rounds to the printed number."""
    return abs(float(printed) - value) <= half_unit(printed)


def one(pattern: str, text: str) -> re.Match:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in: {text}"
    return found


def values(trace: dict | object, axis: str) -> np.ndarray:
    """A trace's x or y as floats, from a figure or from a chart's JSON spec (plotly may send base64 arrays)."""
    raw = trace[axis] if isinstance(trace, dict) else getattr(trace, axis)
    if isinstance(raw, dict) and "bdata" in raw:
        return np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"])).astype(float)
    return np.array([np.nan if v is None else v for v in raw], dtype=float)


def trace_named(figure, part: str):
    """The one trace whose name contains `part`."""
    data = figure["data"] if isinstance(figure, dict) else figure.data
    named = [trace for trace in data if part in (trace["name"] if isinstance(trace, dict) else trace.name)]
    assert len(named) == 1, [trace["name"] if isinstance(trace, dict) else trace.name for trace in data]
    return named[0]


def x_title(figure) -> str:
    if isinstance(figure, dict):
        return str(figure["layout"].get("xaxis", {}).get("title", {}).get("text", ""))
    return str(figure.layout.xaxis.title.text or "")


def at_step_0(figure, part: str) -> float:
    """The value the trace named `part` draws for ∂·_T/∂·_0: at k = 0, or at n = T when the axis counts steps
    back."""
    trace = trace_named(figure, part)
    x, y = values(trace, "x"), values(trace, "y")
    finite = np.isfinite(x)
    target = np.max(x[finite]) if "back" in x_title(figure).lower() else 0.0
    (index,) = np.flatnonzero(x == target)
    return float(y[index])
