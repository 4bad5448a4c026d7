"""The parts of the Unfold page: the recurrence with one step's numbers, the parameter count, the stepper, the
clickable unrolled graph, and the page's sections, drawn to the screen and listed in its offline report.

The LaTeX builders are plain functions of the numbers (no Streamlit), so they are tested without a page.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnviz import figures
from rnnviz.experiment import SENTENCE, Experiment
from rnnviz.figures.unfold import ANIMATION_UNITS
from rnnviz.inputs import sentence_inputs
from rnnviz.losses import input_steps, loss_steps
from rnnviz.report import Equation
from rnnviz.settings import Settings
from rnnviz.stepper import StepParts
from ui import controls, explain, export, labels, presenter, sections, views
from ui.cache import cell_views, experiment_for, figure, parts_at
from ui.sections import Chart, Columns, LookAt, Row, Section, Shown

STEP_KEY = "step"  # the step slider, bound to the URL parameter `step`
GRAPH_KEY = "unfold_graph"  # the clickable unrolled graph
GRAPH_BOX_KEY = "unfold_graph_box"  # its box, which scrolls sideways on a phone
BUTTONS = (("« First", "first"), ("‹ Previous", "prev"), ("Next ›", "next"), ("Last »", "last"))  # key: step_first…
EQUATION_UNITS = 6  # entries of each vector written out in the equations
F_LATEX = {
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "relu": r"\mathrm{ReLU}",
    "linear": r"\mathrm{id}",
    "leaky_relu": r"\mathrm{LeakyReLU}",
}
STATE_UPDATE = Equation(
    r"h_t = f\left(W_{hh}\,h_{t-1} + W_{xh}\,x_t + b_h\right)", "h_t = f(W_hh h_{t−1} + W_xh x_t + b_h)"
)
OUTPUT = Equation(r"y_t = g\left(W_{hy}\,h_t + b_y\right)", "y_t = g(W_hy h_t + b_y)")
RECURRENCE = (STATE_UPDATE, OUTPUT)  # one equation a line: each fits a phone's width

NOTATION_ROWS = (  # (what it is, ours, GeeksforGeeks' introduction, the beginner's guide)
    ("input → hidden weights", "W_xh", "U", "W_hx"),
    ("hidden → hidden (recurrent) weights", "W_hh", "W", "W_hh"),
    ("hidden → output weights", "W_hy", "V", "W_yh"),
    ("hidden bias", "b_h", "B", "—"),
    ("output bias", "b_y", "C", "—"),
    ("activation of the state", "f", "σ", "—"),
    ("output map", "g", "O", "—"),
)
NOTATION_EQUATIONS = (  # inline LaTeX
    ("This app", r"$h_t = f(W_{hh} h_{t-1} + W_{xh} x_t + b_h), \quad y_t = g(W_{hy} h_t + b_y)$"),
    ("GeeksforGeeks' introduction to RNNs", r"$h = \sigma(UX + Wh + B), \quad Y = O(Vh + C)$"),
)
NOTATION_LABEL = "The same cell in the articles' notation"
NOTATION_NOTE = (
    "The beginner's guide writes the destination first (W_hx takes x to h); this app writes the source first "
    "(W_xh: from x to h). The matrices are the same. “—”: the guide gives it no name of its own."
)


def notation_table() -> pd.DataFrame:
    """The names of the cell's parts in this app and in two of the articles it follows."""
    return pd.DataFrame(
        NOTATION_ROWS,
        columns=["what it is", "this app", "GeeksforGeeks' introduction", "the beginner's guide"],
    )


# --- the recurrence with numbers -------------------------------------------------------------------------------


def latex_number(value: float) -> str:
    """A number as LaTeX: 3 decimals, powers of ten for very large or small ones, ∞ and NaN named."""
    if math.isnan(value):
        return r"\text{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        mantissa, exponent = f"{value:.2e}".split("e")
        return rf"{mantissa}\!\times\!10^{{{int(exponent)}}}"
    return f"{value:.3f}"


def latex_vector(v: np.ndarray, max_units: int = EQUATION_UNITS) -> str:
    """A column vector of its first `max_units` entries, with a ⋮ when some are left out."""
    entries = [latex_number(float(value)) for value in v[:max_units]]
    if v.shape[0] > max_units:
        entries.append(r"\vdots")
    return r"\begin{bmatrix}" + r" \\ ".join(entries) + r"\end{bmatrix}"


def recurrence_latex(parts: StepParts, activation: str, max_units: int = EQUATION_UNITS) -> list[str]:
    """The four lines of step t with its numbers: a_t in its three parts, h_t = f(a_t), y_t, softmax(y_t)."""
    t, f = parts.t, F_LATEX.get(activation, rf"\mathrm{{{activation}}}")
    v = lambda values: latex_vector(values, max_units)  # noqa: E731 - a short name keeps the lines readable
    return [
        rf"\begin{{aligned}} a_{{{t}}} &= W_{{hh}}\,h_{{{t - 1}}} + W_{{xh}}\,x_{{{t}}} + b_h \\"
        rf" &= \underbrace{{{v(parts.recurrent_part)}}}_{{\textstyle W_{{hh}} h_{{{t - 1}}}}}"
        rf" + \underbrace{{{v(parts.input_part)}}}_{{\textstyle W_{{xh}} x_{{{t}}}}}"
        rf" + \underbrace{{{v(parts.bias)}}}_{{\textstyle b_h}} = {v(parts.a)} \end{{aligned}}",
        rf"h_{{{t}}} = f(a_{{{t}}}) = {f}\!\left({v(parts.a)}\right) = {v(parts.h)}",
        rf"y_{{{t}}} = W_{{hy}}\,h_{{{t}}} + b_y = {v(parts.y)}",
        rf"\mathrm{{softmax}}(y_{{{t}}}) = {v(parts.p)}",
    ]


def text_number(value: float) -> str:
    """A number as plain text, as `latex_number` writes it: 3 decimals, e-notation for very large or small ones."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:.2e}"
    return f"{value:.3f}"


def text_vector(v: np.ndarray, max_units: int = EQUATION_UNITS) -> str:
    """The first `max_units` entries as plain text, e.g. "(0.120, -0.500, …)"."""
    entries = [text_number(float(value)) for value in v[:max_units]]
    if v.shape[0] > max_units:
        entries.append("…")
    return "(" + ", ".join(entries) + ")"


def recurrence_equations(parts: StepParts, activation: str, max_units: int = EQUATION_UNITS) -> list[Equation]:
    """The lines of `recurrence_latex` as report equations, each with a plain-text rendering of its numbers."""
    t, v = parts.t, lambda values: text_vector(values, max_units)  # noqa: E731 - as in recurrence_latex
    texts = [
        f"a_{t} = W_hh h_{t - 1} + W_xh x_{t} + b_h = {v(parts.recurrent_part)} + {v(parts.input_part)} + "
        f"{v(parts.bias)} = {v(parts.a)}",
        f"h_{t} = f(a_{t}) = {activation}({v(parts.a)}) = {v(parts.h)}",
        f"y_{t} = W_hy h_{t} + b_y = {v(parts.y)}",
        f"softmax(y_{t}) = {v(parts.p)}",
    ]
    return [
        Equation(latex, text) for latex, text in zip(recurrence_latex(parts, activation, max_units), texts, strict=True)
    ]


def units_note(hidden_size: int, output_size: int, max_units: int = EQUATION_UNITS) -> str:
    """Says which entries the equations write out, or "" when they show every one."""
    cut = []
    if hidden_size > max_units:
        cut.append(f"the first {max_units} of the H = {hidden_size} units of a, h")
    if output_size > max_units:
        cut.append(f"the first {max_units} of the {output_size} outputs")
    return f"Showing {' and '.join(cut)} (⋮ marks the rest); every sum uses all of them." if cut else ""


def parameter_count(exp: Experiment) -> tuple[int, str]:
    """The number of parameters of the cell and a line naming each matrix with its shape and size."""
    params = exp.cell.params
    parts = [f"{name} {' × '.join(str(n) for n in array.shape)} = {array.size:,}" for name, array in params.items()]
    return sum(array.size for array in params.values()), ", ".join(parts)


# --- what the page shows about one step ------------------------------------------------------------------------


def _vocabulary() -> tuple[str, ...]:
    return sentence_inputs(SENTENCE, 1)[2].tokens


def step_facts(exp: Experiment, parts: StepParts) -> list[str]:
    """Markdown lines about step t: the input (the token for a sentence), the prediction, the loss, ||h_t||."""
    t, settings = parts.t, exp.settings
    lines = []
    fed = bool(input_steps(settings.loss_placement, exp.run.T)[t - 1])
    if not fed:
        lines.append(f"**Input at step {t}:** none (one-to-many: only step 1 gets an input), so W_xh x_{t} = 0.")
    elif exp.tokens is not None:
        lines.append(
            f"**Input at step {t}:** the word “{exp.tokens[t - 1]}”, as a one-hot x_{t} of length {parts.x.shape[0]}."
        )
    else:
        lines.append(
            f"**Input at step {t}:** x_{t} = ({', '.join(f'{x:.2f}' for x in parts.x)}), "
            f"{labels.choice_label('input_kind', settings.input_kind)}."
        )
    if exp.tokens is not None and np.isfinite(parts.p).all():
        vocabulary = _vocabulary()
        lines.append(
            f"**Predicted next word:** “{vocabulary[int(np.argmax(parts.p))]}”; "
            f"the target is “{vocabulary[exp.targets[t - 1]]}”."
        )
    if exp.tokens is None and np.isfinite(parts.p).all():
        lines.append(
            f"**Most likely class:** {int(np.argmax(parts.p))} (of classes 0 to {parts.p.shape[0] - 1}); "
            f"the target is class {exp.targets[t - 1]}."
        )
    carries = bool(loss_steps(settings.loss_placement, exp.run.T)[t - 1])
    placement = labels.choice_name("loss_placement", settings.loss_placement)
    lines.append(f"**Loss at this step:** {'yes' if carries else 'no'} ({placement}).")
    if np.isfinite(parts.h).all():
        lines.append(
            f"**State:** ‖h_{t}‖ = {np.linalg.norm(parts.h):.3g}; {100 * exp.saturation[t - 1]:.0f}% of "
            f"the units are saturated."
        )
    else:
        lines.append(
            f"**The state is no longer finite at this step:** it overflowed at step {exp.overflow_step}, so "
            f"the output and the prediction are not numbers either."
        )
    return lines


# --- the stepper ----------------------------------------------------------------------------------------------


def _move(to: str, T: int, key: str = STEP_KEY) -> None:
    t = int(st.session_state.get(key, 1))
    st.session_state[key] = {"first": 1, "prev": max(1, t - 1), "next": min(T, t + 1), "last": T}[to]


def _select_clicked_step(T: int) -> None:
    """The graph's click callback: the step of the clicked node becomes the current step."""
    state = st.session_state.get(GRAPH_KEY)
    points = state.selection.points if state is not None else []
    if points and points[0].get("x") is not None:
        st.session_state[STEP_KEY] = min(max(int(round(float(points[0]["x"]))), 1), T)


def stepper(T: int, key: str = STEP_KEY) -> int:
    """First / previous / next / last buttons (keys `{key}_first`, …) and the step slider `key` (bound to the URL,
    which `controls.step_slider` reads: a step that is not a step of this run starts the slider at step 1, with a
    notice); returns the step."""
    columns = st.columns([1, 1, 1, 1, 5], vertical_alignment="bottom")
    with columns[-1]:  # the slider first, so that the buttons know the step it shows (a link's step=7 too)
        current = controls.step_slider(
            f"Step t (1 to {T})",
            key,
            1,
            T,
            first=1,
            help_text="The step whose numbers are written out below; it is in the URL.",
        )
    for column, (label, to) in zip(columns, BUTTONS, strict=False):
        at_start, at_end = current <= 1, current >= T
        disabled = (to in ("first", "prev") and at_start) or (to in ("next", "last") and at_end)
        column.button(label, key=f"{key}_{to}", on_click=_move, args=(to, T, key), disabled=disabled, width="stretch")
    return current


def _graph_chart(fig: go.Figure, T: int) -> None:
    """The unrolled graph, clickable: clicking a node selects its step."""
    with st.container(key=GRAPH_BOX_KEY):  # on a phone, the graph keeps its width and this box scrolls sideways
        st.plotly_chart(
            presenter.fit(fig),
            width="stretch",
            theme=None,
            key=GRAPH_KEY,
            on_select=partial(_select_clicked_step, T),
            selection_mode="points",
            config=export.chart_config("unrolled_graph"),
        )


def animation_look_at(settings: Settings) -> str:
    """What to look at in the animation, and which units it draws when not all of them."""
    shown = (
        ""
        if settings.hidden_size <= ANIMATION_UNITS
        else f" Only the first {ANIMATION_UNITS} of the {settings.hidden_size} units are drawn."
    )
    return explain.LOOK_AT["animation"] + shown


def run_figures(settings: Settings) -> tuple[go.Figure, go.Figure]:
    """The hidden state over the whole run: the animation and ||h_t|| with the share of saturated units."""
    return figure(figures.hidden_state_animation, settings), figure(figures.state_norms_figure, settings)


# --- the page's sections -----------------------------------------------------------------------------------------


def model_sections(settings: Settings) -> list:
    """The cell's equations beside its parameter count, then (in the report only; on the screen in an expander under
    the equations) the same cell in the articles' notation."""
    count, breakdown = parameter_count(experiment_for(settings))
    words = (
        f"The cell reads the input $x_t$ and its own previous state $h_{{t-1}}$. Here $f$ is "
        f"{labels.choice_label('activation', settings.activation)}. The output map $g$ is linear for "
        f"regression and softmax for classification; every step here predicts a class, so $g$ = softmax. "
        f"The state starts from $h_0 = 0$, a vector of zeros, unless it is set."
    )
    caption = (
        f"{breakdown}. The same weights are used at every step (weight sharing), so unrolling over "
        f"T = {settings.seq_length} steps adds no parameters: T = 2 or T = 500 needs the same {count:,}."
    )
    shown = Shown(partial(_parameter_metric, count, caption), f"**{count:,}**: {caption}")
    return [
        Row(
            [
                Section("The recurrence", [*RECURRENCE, words, Shown(_notation_folded)]),
                Section("Parameters, for any sequence length T", [shown]),
            ],
            widths=(2, 1),
            gap="large",
        ),
        Section(NOTATION_LABEL, [Shown(lambda: None, [*_notation_words(), notation_table(), NOTATION_NOTE])]),
    ]


def _parameter_metric(count: int, caption: str) -> None:
    st.metric("Parameters, for any sequence length T", f"{count:,}")
    st.caption(caption)


def _notation_words() -> list[str]:
    return [f"**{source}:** {equation}" for source, equation in NOTATION_EQUATIONS]


def _notation_folded() -> None:
    """The articles' notation, in an expander drawn only while open."""
    notation = views.folded(NOTATION_LABEL, key="unfold_notation")
    if notation is not None:
        with notation:
            for line in _notation_words():
                st.markdown(line)
            st.table(notation_table().set_index("what it is"))
            st.caption(NOTATION_NOTE)


def graph_sections(settings: Settings, t: int) -> list[Section]:
    """The unrolled graph around step t, clickable on the screen (its heading only in the report)."""
    fig, T = figure(figures.unrolled_graph_figure, settings, step=t), experiment_for(settings).run.T
    return [
        Section("The unrolled graph", [Shown(partial(_graph_chart, fig, T), fig), LookAt(explain.LOOK_AT["graph"])])
    ]


def step_sections(settings: Settings, t: int) -> list[Row]:
    """Step t's recurrence with its numbers beside what happens at the step."""
    exp, parts = experiment_for(settings), parts_at(settings, t)
    note = units_note(parts.h.shape[0], parts.y.shape[0])
    recurrence = [
        *recurrence_equations(parts, settings.activation),
        *([Shown(partial(st.caption, note), note)] if note else []),
        LookAt(explain.LOOK_AT["equations"]),
    ]
    return [
        Row(
            [
                Section(f"The recurrence at step {t}, with its numbers", recurrence, level=4),
                Section(f"Step {t} of {exp.run.T}", ["\n\n".join(step_facts(exp, parts))], level=4),
            ],
            widths=(3, 2),
            gap="large",
        )
    ]


def cell_sections(settings: Settings, t: int) -> list[Section]:
    """The two pictures of the cell on step t's numbers (the heading only in the report)."""
    chart = Chart(cell_views(settings, t), config=export.chart_config(f"cell_step_{t}"), theme=None)
    return [Section("Two pictures of the same cell", [chart, LookAt(explain.LOOK_AT["cell_views"])])]


def run_sections(settings: Settings) -> list[Section]:
    """The hidden state over the whole run: the animation beside the norm and the share of saturated units."""
    animation, norms = run_figures(settings)
    return [
        Section(
            "The hidden state over the whole run",
            [
                Columns(
                    [
                        Chart(animation, config=export.chart_config("hidden_state"), theme=None),
                        LookAt(animation_look_at(settings)),
                    ],
                    [
                        Chart(norms, config=export.chart_config("state_norms"), theme=None),
                        LookAt(explain.LOOK_AT["norms"]),
                    ],
                    widths=(3, 2),
                )
            ],
            level=4,
        )
    ]


def report_sections(settings: Settings, t: int) -> list:
    """The report of the page at step t: the recurrence, the parameter count, the graph, step t's numbers and
    cell views, and the hidden state over the run (every view), each chart with what to look at."""
    return sections.report(
        [
            *model_sections(settings),
            *graph_sections(settings, t),
            *step_sections(settings, t),
            *cell_sections(settings, t),
            *run_sections(settings),
        ]
    )


def current_step(T: int) -> int:
    """The step on screen, or in the link when the stepper is not drawn (1 when neither says)."""
    return controls.step_value(STEP_KEY, 1, T, first=1)


def report_button(settings: Settings, t: int) -> None:
    """The offline report of the view at step t (built, with its figures, when clicked)."""
    export.report_button("Unfold", settings, partial(report_sections, settings, t), query={STEP_KEY: str(t)})
