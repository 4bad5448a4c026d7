"""The Cells page's view "Step by step": step t of the LSTM or the GRU written out with its numbers, the cell drawn
with each gate coloured by its value at t, and the gates animated over the whole run.

The equation builders are plain functions of a `rnnviz.gated_step.GatedStep` (no Streamlit), so they are tested
without a page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import streamlit as st

from rnnviz import figures
from rnnviz.cell import CELL_NAMES
from rnnviz.gated_step import GATE_KINDS, GatedStep
from rnnviz.report import Equation
from rnnviz.settings import Settings
from ui import controls, export, links, notices, sections, unfold_views
from ui.cache import comparison_figure, comparison_for, gated_step_at, gated_step_figure
from ui.sections import Chart, LookAt, Row, Section, Shown

VIEW = "Step by step"  # the tab's label
CELL_KEY = "cells_step_cell"  # the cell shown, bound to the URL (its name: LSTM or GRU)
STEP_KEY = "cells_step"  # the step t, bound to the URL
EQUATION_UNITS = 4  # entries of each vector written out; a larger H shows the first ones, with a note
GATE_LATEX = {  # gate -> (its function, the index of its input block, of its hidden block), PyTorch's names
    "i": (r"\sigma", "ii", "hi"),
    "f": (r"\sigma", "if", "hf"),
    "g": (r"\tanh", "ig", "hg"),
    "o": (r"\sigma", "io", "ho"),
    "r": (r"\sigma", "ir", "hr"),
    "z": (r"\sigma", "iz", "hz"),
    "n": (r"\tanh", "in", "hn"),
}
CELL_LOOK = (
    "Each box is a gate, coloured by its value at step t (σ gates: dark = shut, yellow = open; the candidate: blue "
    "negative, red positive); the number over it is its mean over the units, and hovering it lists them. The top "
    "line is the path the state is copied along: the LSTM's c, multiplied by f; the GRU's h, multiplied by z."
)
ANIMATION_LOOK = (
    "Press Play: the dots are each unit's gate value at step t, the lines below each gate's mean over the units "
    "(LSTM: i input, f forget, g candidate, o output; GRU: r reset, z update, n candidate). A gate that stays near "
    "1 (f for the LSTM, z for the GRU) keeps the state, and the gradient along it."
)


# --- the equations with their numbers (no Streamlit) -----------------------------------------------------------


def _gate_lines(step: GatedStep, name: str, v: Callable) -> tuple[str, list[tuple[str, str]]]:
    """One gate's equation in symbols, and the rows (operator, expression) of its numbers, each vector written by
    `v`: the pre-activation in its two parts, then the pre-activation and the gate's value."""
    t, (function, into, back) = step.t, GATE_LATEX[name]
    pre, value = v(step.pre[name]), v(step.gates[name])
    into_part, back_part = v(step.input_parts[name]), v(step.hidden_parts[name])
    if name == "n":  # the reset gate multiplies W_hn h_{t-1} + b_hn
        symbols = (
            rf"n_{{{t}}} = \tanh\!\big(W_{{in}} x_{{{t}}} + b_{{in}}"
            rf" + r_{{{t}}} \odot (W_{{hn}} h_{{{t - 1}}} + b_{{hn}})\big)"
        )
        parts = rf"\tanh\!\big({into_part} + {v(step.gates['r'])} \odot {back_part}\big)"
    else:
        symbols = (
            rf"{name}_{{{t}}} = {function}\!\big(W_{{{into}}} x_{{{t}}} + b_{{{into}}}"
            rf" + W_{{{back}}} h_{{{t - 1}}} + b_{{{back}}}\big)"
        )
        parts = rf"{function}\!\big({into_part} + {back_part}\big)"
    return symbols, [("=", parts), ("=", rf"{function}\!\big({pre}\big) = {value}")]


def _update_lines(step: GatedStep, v: Callable) -> list[tuple[str, list[tuple[str, str]]]]:
    """The state update: the LSTM's c_t and h_t, the GRU's h_t, in symbols and in rows of their numbers."""
    t, g = step.t, step.gates
    if step.kind == "lstm":
        return [
            (
                rf"c_{{{t}}} = f_{{{t}}} \odot c_{{{t - 1}}} + i_{{{t}}} \odot g_{{{t}}}",
                [
                    ("=", rf"{v(g['f'])} \odot {v(step.c_prev)}"),
                    ("+", rf"{v(g['i'])} \odot {v(g['g'])}"),
                    ("=", v(step.c)),
                ],
            ),
            (
                rf"h_{{{t}}} = o_{{{t}}} \odot \tanh(c_{{{t}}})",
                [("=", rf"{v(g['o'])} \odot \tanh\!\big({v(step.c)}\big)"), ("=", v(step.h))],
            ),
        ]
    return [
        (
            rf"h_{{{t}}} = (1 - z_{{{t}}}) \odot n_{{{t}}} + z_{{{t}}} \odot h_{{{t - 1}}}",
            [
                ("=", rf"\big(1 - {v(g['z'])}\big) \odot {v(g['n'])}"),
                ("+", rf"{v(g['z'])} \odot {v(step.h_prev)}"),
                ("=", v(step.h)),
            ],
        )
    ]


def _lines(step: GatedStep, v: Callable) -> list[tuple[str, list[tuple[str, str]]]]:
    return [_gate_lines(step, name, v) for name in step.gate_names] + _update_lines(step, v)


def step_latex(step: GatedStep, max_units: int = EQUATION_UNITS) -> list[str]:
    """The lines of step t with its numbers: each gate (pre-activation and value), then the state update. Each is
    an aligned block of rows with at most three vectors, so that a phone holds it."""
    v = lambda values: unfold_views.latex_vector(values, max_units)  # noqa: E731 - a short name keeps lines readable
    blocks = []
    for symbols, rows in _lines(step, v):
        numbers = "".join(rf" \\ &{op} {expression}" for op, expression in rows)
        blocks.append(rf"\begin{{aligned}} {symbols.replace(' = ', ' &= ', 1)}{numbers} \end{{aligned}}")
    return blocks


def step_equations(step: GatedStep, max_units: int = EQUATION_UNITS) -> list[Equation]:
    """The lines of `step_latex` as report equations, each with a plain-text rendering of its numbers."""
    v = lambda values: unfold_views.text_vector(values, max_units)  # noqa: E731 - as in step_latex
    texts = [
        _plain(" ".join([symbols, *(f"{op} {expression}" for op, expression in rows)]))
        for symbols, rows in _lines(step, v)
    ]
    return [Equation(latex, text) for latex, text in zip(step_latex(step, max_units), texts, strict=True)]


def _plain(latex: str) -> str:
    """A line of `_gate_lines` or `_update_lines` as plain text: ⊙, σ, no LaTeX spacing or braces."""
    for old, new in (
        (r"\!", ""),
        (r"\big", ""),
        (r"\odot", "⊙"),
        (r"\sigma", "σ"),
        (r"\tanh", "tanh"),
        ("{", ""),
        ("}", ""),
    ):
        latex = latex.replace(old, new)
    return " ".join(latex.split())


def units_note(hidden_size: int, max_units: int = EQUATION_UNITS) -> str:
    """Says which units the equations write out, or "" when they show every one."""
    if hidden_size <= max_units:
        return ""
    return (
        f"Showing the first {max_units} of the H = {hidden_size} units (⋮ marks the rest); the products W x and W h "
        "use all of them."
    )


def step_facts(step: GatedStep) -> list[str]:
    """Markdown lines about step t computed from its numbers: the input, ‖h_t‖ and what the copying gate does."""
    t, gates = step.t, step.gates
    lines = [
        f"**Input:** x_{t} = {unfold_views.text_vector(step.x)}.",
        f"**State:** ‖h_{t}‖ = {np.linalg.norm(step.h):.3g}.",
    ]
    if step.kind == "lstm":
        lines.append(
            f"**Forget gate:** its mean is {np.mean(gates['f']):.2f}, so on average a unit keeps "
            f"{100 * np.mean(gates['f']):.0f}% of c_{t - 1}; the input gate lets in "
            f"{100 * np.mean(gates['i']):.0f}% of the candidate g."
        )
    else:
        lines.append(
            f"**Update gate:** its mean is {np.mean(gates['z']):.2f}, so on average a unit copies "
            f"{100 * np.mean(gates['z']):.0f}% of h_{t - 1} and takes the rest from the candidate n."
        )
    return lines


# --- the view on the page ----------------------------------------------------------------------------------------


def _reason(raw: str) -> str | None:
    return links.choice_reason(GATE_KINDS, CELL_NAMES.get)(raw)


def choose_cell() -> str:
    """The LSTM or the GRU, a choice in the link (by its name); returns its kind, "lstm" or "gru"."""
    kind = links.checked(
        CELL_KEY,
        GATE_KINDS[0],
        _reason,
        lambda: st.radio(
            "Cell",
            GATE_KINDS,
            key=CELL_KEY,
            horizontal=True,
            format_func=CELL_NAMES.get,
            bind="query-params",
            help="Both read the same input as the comparison above, with its weights.",
        ),
        shown=CELL_NAMES.get,
    )
    links.apply()
    return str(kind)


def current_cell() -> str:
    """The cell on screen, or in the link when the view is not drawn ("lstm" when neither says)."""
    by_name = {CELL_NAMES[kind]: kind for kind in GATE_KINDS}
    value = links.link_value(CELL_KEY, GATE_KINDS[0], _reason, by_name.get)
    return value if value in GATE_KINDS else GATE_KINDS[0]


def current_step(T: int) -> int:
    """The step on screen, or in the link when the stepper is not drawn (1 when neither says)."""
    return controls.step_value(STEP_KEY, 1, T, first=1)


def link_query(kind: str, t: int) -> dict[str, str]:
    """The view, the cell and the step as the link writes them."""
    return {"cells_view": VIEW, CELL_KEY: CELL_NAMES[kind], STEP_KEY: str(t)}


@st.fragment
def step_section(settings: Settings, forget_bias: float, gated_init: str, kind: str, report: Callable) -> None:
    """The stepper, then `step_sections` at the step shown; stepping reruns only this part of the page.
    `report(kind, t)` draws the page's report button for the step shown."""
    options = (settings, forget_bias, gated_init)
    with notices.page_guard("the step view"):
        t = unfold_views.stepper(step_count(*options, kind), key=STEP_KEY)
        sections.draw(step_sections(*options, kind, t))
        report(kind, t)


def step_sections(settings: Settings, forget_bias: float, gated_init: str, kind: str, t: int) -> list[Row]:
    """Step t's equations with their numbers beside its facts and the cell drawn at t."""
    options, name = (settings, forget_bias, gated_init), CELL_NAMES[kind]
    step = gated_step_at(*options, kind, t)
    note = units_note(step.hidden_size)
    drawn = Chart(gated_step_figure(*options, kind, t), "cells-step-cell", export.chart_config("cells-step-cell"))
    return [
        Row(
            [
                Section(
                    f"The {name} at step {t}, with its numbers",
                    [*step_equations(step), *([Shown(partial(st.caption, note), note)] if note else [])],
                    level=4,
                ),
                Section(
                    f"Step {t} of {step_count(*options, kind)}",
                    ["\n\n".join(step_facts(step)), drawn, LookAt(CELL_LOOK)],
                    level=4,
                ),
            ],
            widths=(3, 2),
            gap="large",
        )
    ]


def animation_sections(settings: Settings, forget_bias: float, gated_init: str, kind: str) -> list[Section]:
    """The gates of the cell over the whole run, animated in the browser (the heading only in the report)."""
    fig = comparison_figure(figures.gate_animation_figure, settings, forget_bias, gated_init, kind=kind)
    chart = Chart(fig, "cells-step-gates", export.chart_config("cells-step-gates"))
    return [Section(f"The {CELL_NAMES[kind]}'s gates step by step", [chart, LookAt(ANIMATION_LOOK)])]


def step_count(settings: Settings, forget_bias: float, gated_init: str, kind: str) -> int:
    """T of the comparison's run (the settings' T, clamped by the comparison)."""
    return comparison_for(settings, forget_bias, gated_init).cells[kind].run.T
