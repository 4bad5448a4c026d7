"""The parts of the Your network page: the snippets that save a model, the model's upload (or a shipped example), the
input it reads, and the Gradients and Cells pages' views of it, with the words computed from its run.

The page's controls are not in its link: a link cannot hold the model they apply to. The offline report can.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from rnnviz import figures, verdicts
from rnnviz.frameworks import KERAS_SNIPPET, PYTORCH_SNIPPET, VOCABULARY_LINE
from rnnviz.imported import EXAMPLES, INPUT_CHOICES, PLACEMENTS, ImportedExperiment, InputRequest, example_bytes
from rnnviz.imported import step_limit as model_step_limit
from rnnviz.settings import LIMITS
from rnnviz.train import ARTICLE_TEXT
from ui import cache, explain, export, gradient_views, notices
from ui.sections import Chart, Columns, LookAt, Section, Shown, report

UPLOAD_KEY = "yn_upload"
CSV_UPLOAD_KEY = "yn_csv_upload"
EXAMPLE_KEY = "yn_example"
INPUT_WORDS = {
    "random": "Random: x_t ~ N(0, 1)",
    "impulse": "Impulse: x_1 = 1, then 0",
    "constant": "Constant: every x_t = 1",
    "csv": "A sequence: typed or uploaded CSV",
    "text": "A text (character model)",
}
PLACEMENT_WORDS = {"many_to_one": "On the last step only (many-to-one)", "many_to_many": "On every step (many-to-many)"}
CSV_EXAMPLE = "0.5, -1.0, 0.2\n0.1, 0.3, -0.7\n-0.4, 0.8, 0.0"
NO_LINK = (
    "This page's address cannot hold a model, so a link to it opens the example, not yours. To share what you see, "
    "download the offline report: one HTML file with the charts and the numbers of this run."
)
GATED_NORMS_LOOK = (
    "A straight line on this log scale means a constant factor per step. The dashed bound multiplies the size of "
    "each step's Jacobian as measured in this run, so it holds but is loose: the directions of the steps need not "
    "line up, and the measured curve can fall far below it."
)
CELL_PATH_LOOK = (
    "The shaded band spans every unit's product of forget gates, the factor of the direct path c_k → c_T; the green "
    "line is the measured ‖∂c_T/∂c_k‖ (h_k held fixed). While the gates stay near 1 the gradient survives along it."
)
CONNECTIVITY_LOOK = (
    "Row t shows how strongly output y_t depends on each input x_s. A one-directional model is blank above the "
    "diagonal (y_t cannot see later inputs); a bidirectional one reaches both ways."
)


def snippets() -> None:
    """The code that saves a PyTorch or a Keras model as the .npz file this page opens."""
    pytorch, keras = st.tabs(["PyTorch", "Keras"])
    with pytorch:
        st.caption(
            "A module whose recurrent layer is `model.rnn` (nn.RNN with tanh or ReLU, nn.LSTM or nn.GRU; one layer, "
            "uni- or bidirectional) and whose read-out is `model.head` (nn.Linear):"
        )
        st.code(PYTORCH_SNIPPET, language="python")
    with keras:
        st.caption(
            "A model with one SimpleRNN, LSTM or GRU (alone or in Bidirectional) and one Dense layer. A GRU must "
            "have reset_after=True, Keras' default. The Dense layer's activation (e.g. softmax) is left out: y_t "
            "is its input, the logits."
        )
        st.code(KERAS_SNIPPET, language="python")
    st.caption(f"For a character model, add its characters in the order of its one-hot input: `{VOCABULARY_LINE}`")


def model_file() -> tuple[bytes, str]:
    """The file's bytes and where it came from: the upload, or else the chosen example."""
    uploaded = st.file_uploader(
        "Upload your model (.npz saved by a snippet above, or by the Train page)",
        type=["npz"],
        key=UPLOAD_KEY,
        max_upload_size=max(LIMITS.model_file_bytes // 1_000_000, 1),
    )
    if uploaded is not None:
        return uploaded.getvalue(), f"your file {notices.inert(uploaded.name, limit=60)}"
    name = st.selectbox("Or open an example", list(EXAMPLES), key=EXAMPLE_KEY)
    return example_bytes(name), "the example"


def opened(data: bytes, origin: str):
    """The model in `data`, with a line saying what was found; None (and the reason, as text) when it cannot open."""
    try:
        imported = cache.imported_model(data)
    except ValueError as error:
        st.error(
            f"This file could not be opened as a model: {notices.inert(str(error), limit=400)}",
            icon=":material/block:",
        )
        return None
    st.success(f"Opened {origin}: {imported.description}.", icon=":material/check_circle:")
    return imported


def input_request(imported) -> InputRequest:
    """The input, the loss's placement and (for a bidirectional model) the direction to analyse."""
    most = model_step_limit(imported, LIMITS)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        choices = INPUT_CHOICES if imported.vocabulary else INPUT_CHOICES[:-1]
        kind = st.radio(
            "Input",
            choices,
            index=len(choices) - 1 if imported.vocabulary else 0,
            format_func=INPUT_WORDS.get,
            key="yn_input_text" if imported.vocabulary else "yn_input",  # a text only for a model with a vocabulary
            horizontal=True,
        )
        fields = _input_fields(kind, imported, most)
    with right:
        placement = st.radio(  # a character model predicts the next character at every step
            "Where the loss sits",
            PLACEMENTS,
            index=1 if imported.vocabulary else 0,
            format_func=PLACEMENT_WORDS.get,
            key="yn_placement_text" if imported.vocabulary else "yn_placement",
        )
        direction = "forward"
        if imported.bidirectional:
            direction = st.radio(
                "Direction analysed",
                ("forward", "backward"),
                format_func=lambda d: "forward (reads x_1 … x_T)" if d == "forward" else "backward (reads x_T … x_1)",
                key="yn_direction",
            )
        st.caption(
            "The loss is the cross-entropy of y_t against the next character of a text, or else against the class "
            "the model itself predicts at step t."
        )
    return InputRequest(kind=kind, loss_placement=placement, direction=direction, **fields)


def _input_fields(kind: str, imported, most: int) -> dict:
    """The fields of the chosen input: steps and seed, the CSV text, or the text."""
    D = imported.input_size
    if kind == "csv":
        typed = st.text_area(
            f"T rows of D = {D} numbers, commas between them (at most {most} rows)",
            value=CSV_EXAMPLE if D == 3 else "",
            key="yn_csv",
            height=140,
            max_chars=LIMITS.model_csv_chars,
        )
        uploaded = st.file_uploader("or upload a CSV file", type=["csv", "txt"], key=CSV_UPLOAD_KEY)
        if uploaded is None:
            return {"csv_text": typed}
        if uploaded.size > LIMITS.model_csv_chars:
            st.error(
                f"The CSV file has {uploaded.size:,} bytes; at most {LIMITS.model_csv_chars:,} are read. The typed "
                "rows are used instead.",
                icon=":material/block:",
            )
            return {"csv_text": typed}
        st.caption("The uploaded file is used; remove it to use the typed rows.")
        return {"csv_text": uploaded.getvalue().decode("utf-8-sig", errors="replace")}
    if kind == "text":
        if imported.vocabulary is None:
            return {"text": ""}
        shown = "".join("␣" if char == " " else char for char in imported.vocabulary)  # a space made visible
        default = ARTICLE_TEXT if set(ARTICLE_TEXT) <= set(imported.vocabulary) else "".join(imported.vocabulary)
        text = st.text_input(
            f"Text in the model's vocabulary (at most {most} characters)",
            value=default[:most],
            key="yn_text",
            max_chars=most,
        )
        st.caption(f"The model's {len(imported.vocabulary)} characters: {notices.inert(shown)}")
        return {"text": text}
    steps_column, seed_column = st.columns(2)
    steps = steps_column.number_input(
        f"Steps T (1 to {most})", min_value=1, max_value=most, value=min(50, most), step=1, key="yn_steps"
    )
    seed = seed_column.number_input("Seed", min_value=0, max_value=LIMITS.seed[1], value=0, step=1, key="yn_seed")
    return {"steps": int(steps), "seed": int(seed)}


def experiment(data: bytes, request: InputRequest) -> ImportedExperiment | None:
    """The analysis, or None after a message naming what was expected and found (e.g. a bad CSV)."""
    try:
        return cache.imported_experiment(data, request)
    except ValueError as error:
        st.error(f"This input cannot be read: {notices.inert(str(error), limit=400)}", icon=":material/block:")
        return None


# the words, computed from the run -----------------------------------------------------------------------------
def overflow_banner(exp: ImportedExperiment) -> None:
    """When the state overflowed: say where, and that the charts show the finite part."""
    if exp.overflow_step is None:
        return
    st.error(
        f"**The hidden state overflowed at step {exp.overflow_step}: the gradients exploded.** The charts show the "
        f"finite part, steps 1 to {exp.analysed_steps}. A shorter input shows the whole run.",
        icon=":material/local_fire_department:",
    )


def connectivity_look(exp: ImportedExperiment) -> str:
    """What to look at in the connectivity map, and which steps it covers when it is not all of them."""
    covered, steps = exp.connectivity.shape[0], exp.xs.shape[0]
    if covered >= steps:
        return CONNECTIVITY_LOOK
    return (
        f"{CONNECTIVITY_LOOK} The map covers the first {covered} of the {steps} steps: its cost grows with the "
        "square of the steps and with the model's input and output sizes."
    )


def norms_look(exp: ImportedExperiment) -> str:
    """What to look at in the ||dh_T/dh_k|| chart: the Gradients page's words for a vanilla cell."""
    return GATED_NORMS_LOOK if exp.gated else explain.LOOK_AT["jacobian_norms"]


def cell_name(exp: ImportedExperiment) -> str:
    return {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}[exp.cell.kind]


def numbers(exp: ImportedExperiment) -> None:
    """The Gradients page's numbers for a vanilla cell; for a gated one, the measured sizes its bound is made of."""
    if not exp.gated:
        gradient_views.numbers(exp)
        return
    steps = np.diff(exp.log10_bound[::-1])  # log10 ||ds_t/ds_{t-1}||_F, from step T back to step 1
    columns = [*st.columns(1), *st.columns(2)]  # the sizes first, alone: a 10^-300 needs the width
    columns[0].metric("‖∂h_T/∂h_0‖", verdicts.power_of_ten(float(exp.norms.log10_spectral[0])))
    columns[1].metric(
        "largest ‖J_t‖_F",
        verdicts.factor(float(10.0 ** np.nanmax(steps))) if steps.size else "n/a",
        help="The largest Frobenius norm of a one-step Jacobian ∂s_t/∂s_{t-1} of the whole state over the run.",
    )
    columns[2].metric(
        "measured / step",
        verdicts.factor(exp.growth) if np.isfinite(exp.growth) else "n/a",
        help="The measured factor per step: least-squares slope of log10 ‖∂h_T/∂h_k‖ against T - k.",
    )


def condition_words(exp: ImportedExperiment) -> str:
    """Pascanu's conditions for a vanilla cell (the Gradients page's paragraph); for a gated cell, why they do not
    apply and what its measured steps say instead."""
    if not exp.gated:
        return gradient_views.pascanu_words(exp)
    steps = np.diff(exp.log10_bound[::-1])
    finite = steps[np.isfinite(steps)]
    if finite.size == 0:
        return f"**{cell_name(exp)}:** no one-step Jacobian of this run is finite. This run is **{exp.regime.label}**."
    low, median, high = (verdicts.factor(float(10.0**v)) for v in np.percentile(finite, [0, 50, 100]))
    state = "(h_t, c_t)" if exp.cell.kind == "lstm" else "h_t"
    return (
        f"**Pascanu's conditions bound the vanilla cell's step** diag(f'(a_t)) W_hh by γσ_max. The "
        f"{cell_name(exp)}'s step ∂s_t/∂s_{{t-1}} (s_t = {state}) moves with its gates, so no constant bounds it: "
        f"over this run its Frobenius norm goes from {low} to {high} (median {median}), and their product is the "
        f"bound drawn. The measurement decides: this run is **{exp.regime.label}**."
    )


def cell_path_words(exp: ImportedExperiment) -> str:
    """The LSTM's cell path against its forget gates, from this run."""
    path = float(exp.cell_path.log10_spectral[0])
    with np.errstate(divide="ignore"):
        gates = np.log10(exp.forget_products[0])
    return (
        f"Over {exp.analysed_steps} steps ‖∂c_T/∂c_0‖ = {verdicts.power_of_ten(path)}, against "
        f"‖∂h_T/∂h_0‖ = {verdicts.power_of_ten(float(exp.norms.log10_spectral[0]))}. The product of the forget gates "
        f"from step 1 to T is {verdicts.power_of_ten(float(np.max(gates)))} for the unit that keeps most and "
        f"{verdicts.power_of_ten(float(np.median(gates)))} for the median unit."
    )


def input_words(exp: ImportedExperiment, request: InputRequest) -> str:
    """What the model read, in words (a text as inert text)."""
    T = exp.xs.shape[0]
    if exp.tokens is not None:
        return f"The text {notices.inert(''.join(exp.tokens), limit=80)}, one character a step (T = {T})."
    what = INPUT_WORDS[request.kind].split(":")[0]
    seed = f", seed {request.seed}" if request.kind == "random" else ""
    return f"{what} input, T = {T} steps of D = {exp.xs.shape[1]}{seed}."


def page_sections(data: bytes, request: InputRequest) -> list[Section]:
    """The page after its input, described once: the model and input (report only), the regime, ||dh_T/dh_k||
    with its bound and words, the step terms, an LSTM's cell path and the connectivity map."""
    exp = cache.imported_experiment(data, request)

    def chart(builder, key: str) -> Chart:
        return Chart(cache.imported_figure(builder, data, request), key, gradient_views.PLOT_CONFIG, theme=None)

    sections = [
        Section(
            "The model", [f"{exp.imported.description}; analysed: the {exp.direction} direction."], on_screen=False
        ),
        Section("The input", [input_words(exp, request)], on_screen=False),
        Section("The regime", [f"**{exp.regime.label}**: {exp.regime.reason}"], on_screen=False),
        Section("", [Shown(lambda: gradient_views.summary(exp))]),  # the badge and its reason, on the screen
        Section(
            "How much of the gradient survives T - k steps back",
            [
                Columns(
                    [chart(figures.jacobian_norms_figure, "yn-norms"), LookAt(norms_look(exp))],
                    [Shown(lambda: numbers(exp)), gradient_views.growth_words(exp), condition_words(exp)],
                )
            ],
        ),
        Section(
            "Each step's term of the gradient",
            [
                Columns(
                    [chart(figures.step_terms_figure, "yn-terms"), LookAt(explain.LOOK_AT["step_terms"])],
                    [gradient_views.share_words(exp), gradient_views.placement_words(exp)],
                )
            ],
        ),
    ]
    if exp.cell_path is not None:
        sections.append(
            Section(
                "The LSTM's cell path",
                [
                    chart(figures.imported_cell_path_figure, "yn-cell-path"),
                    LookAt(CELL_PATH_LOOK),
                    cell_path_words(exp),
                ],
            )
        )
    sections.append(
        Section(
            "Connectivity: which inputs each output depends on",
            [chart(figures.imported_connectivity_figure, "yn-connectivity"), LookAt(connectivity_look(exp))],
        )
    )
    return sections


def report_sections(data: bytes, request: InputRequest) -> list:
    """The offline report: the same sections as the page."""
    return report(page_sections(data, request))


def report_button(data: bytes, request: InputRequest) -> None:
    """Why the link cannot hold this view, and the report that can."""
    st.info(NO_LINK, icon=":material/link_off:")
    export.report_button("Your network", None, partial(report_sections, data, request))
