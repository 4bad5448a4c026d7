"""Cells: a vanilla RNN, an LSTM and a GRU on the same input, seed and sizes, and how far each carries a gradient."""

from functools import partial

import streamlit as st

from rnnviz import figures
from rnnviz.comparison import CONNECTIVITY_STEPS, Comparison, comparison_settings
from ui import controls, export, gated_step_views, notices, sections, views
from ui.cache import comparison_figure, comparison_for
from ui.cells_views import (
    GATED_INIT_LABELS,
    GRU_EQUATIONS,
    LSTM_EQUATIONS,
    cell_path_words,
    cells_controls,
    gradient_reached,
    metric_table,
)
from ui.sections import Chart, Columns, LookAt, Row, Section, Shown

NORMS_LOOK = (
    "Each line is log10 of how much a change of h_k still moves h_T; the flatter the line, the further back "
    "the gradient reaches. A straight falling line is a constant factor per step. Gated cells can copy part "
    "of their state (the LSTM through c_t where f ≈ 1, the GRU where z ≈ 1): raise the forget-gate bias and "
    "watch the LSTM's line flatten."
)
LSTM_GATES = (
    "Bright forget-gate rows (f near 1) are units that keep their cell value; the input gate decides what "
    "is written, the output gate what is shown in h_t."
)
GRU_GATES = (
    "Where the update gate z is near 1 the unit copies h_{t-1} to h_t, and the gradient passes unchanged; "
    "the reset gate r decides how much of the old state enters the candidate n."
)
PATH = (
    "The shaded band spans every unit's product of forget gates, the factor of the direct path c_k → c_T. "
    "The green line is the measured ‖∂c_T/∂c_k‖ with h_k held fixed; it can lie above the band, since c_k "
    "also reaches c_T through the states h. Raise the forget-gate bias: each f_t = sigmoid(… + b_f) moves "
    "towards 1 for the same input, and the band with it."
)
BIDIRECTIONAL_UNFOLD = (
    "Blue arrows run left to right (x_1 … x_T), orange arrows right to left (x_T … x_1); every output y_t adds "
    "the read-outs of both states of its step. Hover a state for its norm ||h||."
)
BIDIRECTIONAL_CONNECTIVITY = (
    "The connectivity map of a bidirectional vanilla RNN (the sidebar's cell, plus a second one reading "
    "backwards): it fills both sides of the diagonal, because y_t depends on the inputs before and after "
    "step t."
)
WHEN_BOTH_WAYS = (
    "**When to read both ways.** A bidirectional network needs the whole sequence before it answers, so "
    "it suits tagging a finished sentence (named entities, parts of speech), not predicting the next "
    "token. Its gradient still travels step by step in each direction: each half vanishes or explodes "
    "just like a one-directional cell."
)


def connectivity_look(steps: int) -> str:
    return (
        f"Row t shows log10 ||dy_t/dx_s|| for every input step s (first {steps} steps). Everything right of the "
        "diagonal is blank: a one-directional cell cannot see the future. How far the colour reaches left of "
        "the diagonal is the cell's memory."
    )


READ_OUT = "All three read out $y_t = W_{hy} h_t + b_y$. σ is the logistic sigmoid; ⊙ multiplies element-wise."
EQUATIONS = [  # in an expander on the screen
    Row(
        [
            Section(
                "LSTM",
                [
                    "**LSTM** (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000)",
                    LSTM_EQUATIONS,
                    "Along the cell path $\\partial c_t/\\partial c_{t-1} = \\mathrm{diag}(f_t)$, so "
                    "$\\partial c_T/\\partial c_k$ contains $\\prod_{t=k+1}^{T} f_t$.",
                ],
            ),
            Section(
                "GRU (PyTorch's form)",
                [
                    "**GRU** (Cho et al. 2014, in PyTorch's form)",
                    GRU_EQUATIONS,
                    "Here the reset gate $r_t$ multiplies the result of $W_{hn} h_{t-1} + b_{hn}$, after the "
                    "product. Cho et al.'s original applies it to the state before the product: "
                    "$n_t = \\tanh(W_{in} x_t + W_{hn}(r_t \\odot h_{t-1}) + b_n)$. When $z_t \\approx 1$ the state "
                    "is copied, and so is the gradient.",
                ],
            ),
        ]
    ),
    Section("The read-out", [Shown(partial(st.caption, READ_OUT), READ_OUT)]),
]
NORMS_HEADING = "The gradient through time, three cells on one plot"
VIEWS = {  # view -> (heading, builder, options, key, what to look at) of its charts, in the order of the page
    "The LSTM's gates": [
        (
            "The LSTM's gates over time",
            figures.gate_activations_figure,
            {"kind": "lstm"},
            "cells-gates-lstm",
            LSTM_GATES,
        )
    ],
    "The GRU's gates": [
        ("The GRU's gates over time", figures.gate_activations_figure, {"kind": "gru"}, "cells-gates-gru", GRU_GATES)
    ],
    "The LSTM's cell path": [
        ("The LSTM's cell path and the product of forget gates", figures.cell_path_figure, {}, "cells-cell-path", None)
    ],
    "Connectivity": [
        (
            "Connectivity: which inputs each output depends on",
            figures.cells_connectivity_figure,
            {},
            "cells-connectivity",
            None,
        )
    ],
    "Bidirectional": [
        (
            "Bidirectional: a second cell reads the sequence backwards",
            figures.bidirectional_unfold_figure,
            {},
            "cells-bidirectional-unfold",
            BIDIRECTIONAL_UNFOLD,
        ),
        (
            "Connectivity of a bidirectional RNN",
            figures.bidirectional_connectivity_figure,
            {},
            "cells-bidirectional-connectivity",
            BIDIRECTIONAL_CONNECTIVITY,
        ),
    ],
}


def equations_folded() -> None:
    """The three cells' equations, in an expander drawn only while open."""
    equations = views.folded("The equations (PyTorch's form and weight layout)", key="cells_equations")
    if equations is not None:
        with equations:
            sections.draw(EQUATIONS, headings=False)


def comparison_sections(options: tuple, comparison: Comparison) -> list[Section]:
    """How much gradient reaches the first state in each cell, then the gradient through time of all three."""
    settings, forget_bias, gated_init = options

    def metrics() -> None:
        for column, (name, reached) in zip(st.columns(3), gradient_reached(comparison).items(), strict=True):
            column.metric(
                f"{name}: ‖∂h_T/∂h_0‖",
                reached,
                help="How much of the gradient at step T reaches the first state (spectral norm).",
            )

    words = (
        f"The vanilla cell uses the settings below; the LSTM's forget-gate bias is {forget_bias:g} and the "
        f"gated cells' initialisation is {GATED_INIT_LABELS[gated_init]}. How much of the gradient at step T "
        "reaches the first state, ‖∂h_T/∂h_0‖ (spectral norm):"
    )
    norms = Chart(
        comparison_figure(figures.cells_norms_figure, *options), "cells-norms", export.chart_config("cells-norms")
    )
    return [
        Section("The comparison", [Shown(metrics, [words, metric_table(comparison)])]),
        Section(NORMS_HEADING, [norms, LookAt(NORMS_LOOK)]),
    ]


def view_sections(view: str, options: tuple, comparison: Comparison) -> list[Section]:
    """The charts of one of the tabs, each under its heading with what to look at."""
    settings, forget_bias, _ = options
    computed = {  # the words measured on this comparison
        "cells-cell-path": f"{PATH} {cell_path_words(comparison, forget_bias)}",
        "cells-connectivity": connectivity_look(min(CONNECTIVITY_STEPS, settings.seq_length)),
    }
    drawn = []
    for heading, builder, extra, key, look in VIEWS[view]:
        chart = Chart(comparison_figure(builder, *options, **extra), key, export.chart_config(key))
        items = [chart, LookAt(look or computed[key])]
        if key == "cells-bidirectional-connectivity":
            items = [Columns(items, [WHEN_BOTH_WAYS], widths=(3, 2), gap="small")]
        drawn.append(Section(heading, items, level=5))
    return drawn


def report_sections(options: tuple, kind: str, t: int) -> list:
    """Every view of the page (the step view at the cell `kind` and step t), its figures built (or taken from the
    cache) when the report is asked for."""
    comparison = comparison_for(*options)
    return sections.report(
        [
            *EQUATIONS,
            *comparison_sections(options, comparison),
            *[section for view in VIEWS for section in view_sections(view, options, comparison)],
            *gated_step_views.step_sections(*options, kind, t),
            *gated_step_views.animation_sections(*options, kind),
        ]
    )


st.title("Cells: RNN, LSTM and GRU on the same input")
st.markdown(
    "The vanilla cell multiplies the gradient by $\\mathrm{diag}(f'(a_t))\\,W_{hh}$ at every step back. Gated cells "
    "add a path on which the gradient is multiplied by a gate instead: while the gate stays near 1, it survives. "
    "The three cells below read **the same input** with the same seed and hidden size; the vanilla cell uses the "
    "sidebar's activation, initialisation and scale."
)
equations_folded()
forget_bias, gated_init = cells_controls()

with notices.page_guard("the cell comparison"):
    settings, clamp_notice = comparison_settings(controls.current_settings())
    if clamp_notice:
        st.info(clamp_notice, icon=":material/info:")
    options = (settings, forget_bias, gated_init)
    comparison = comparison_for(*options)
    comparison_part = comparison_sections(options, comparison)
    sections.draw(comparison_part[:1], headings=False)  # the metrics: their labels say it
    sections.draw(comparison_part[1:])

    def report_button(kind: str, t: int) -> None:
        query = gated_step_views.link_query(kind, t) if shown == gated_step_views.VIEW else None
        export.report_button("Cells", settings, partial(report_sections, options, kind, t), query=query)

    st.subheader("Look closer")
    shown, tab = views.open_view((*VIEWS, gated_step_views.VIEW), key="cells_view")
    with tab:
        if shown == gated_step_views.VIEW:
            kind = gated_step_views.choose_cell()
            gated_step_views.step_section(*options, kind, report_button)
            sections.draw(gated_step_views.animation_sections(*options, kind), headings=False)
        else:
            sections.draw(view_sections(shown, options, comparison))

    if shown != gated_step_views.VIEW:  # the step view draws it beside its stepper, for the step shown
        cell = gated_step_views.current_cell()
        report_button(cell, gated_step_views.current_step(gated_step_views.step_count(*options, cell)))
