"""Long-range memory: the adding problem and the copy-memory task, where a vanilla RNN fails and gated cells learn."""

import numpy as np
import streamlit as st

from rnnviz import figures
from rnnviz.report import Equation
from rnnviz.task_training import CLASSIC
from rnnviz.tasks import make_task
from ui import controls, export, links, notices, sections
from ui.cells_views import (
    TASK_NAMES,
    describe_config,
    own_run,
    show_classic,
    start_run,
    task_controls,
    task_example,
)
from ui.labels import PRECISION_LABELS
from ui.sections import Chart, Columns, LookAt, Section

controls.require_entry_point()
st.title("Long-range memory: where the vanilla RNN fails")
st.markdown(
    "Some tasks need an input from many steps ago. The gradient that would teach the network to keep it must "
    "travel back all those steps, and in a vanilla RNN it vanishes on the way: the network learns only the "
    "average answer. Gated cells carry it."
)

ADDING = (
    "**Adding problem** (Hochreiter & Schmidhuber 1997). At each of T steps the input is a value "
    "from U(0, 1) and a marker; two values are marked, one in each half. After the last step the "
    "network must answer their sum. Always answering 1 costs"
)
ADDING_BASELINE = Equation(
    r"\mathbb{E}\,(u + u' - 1)^2 = \operatorname{Var}(u + u') = \tfrac{1}{6} \approx 0.167",
    "E (u + u′ − 1)² = Var(u + u′) = 1/6 ≈ 0.167",
)
COPY = (
    "**Copy memory** (Arjovsky, Shah & Bengio 2016). Ten symbols from 8, then T − 1 blank steps and a "
    "delimiter (a delay of T steps), then ten more steps in which the network must repeat the symbols: "
    "T + 20 steps in all. Answering blank, then guessing, costs (cross-entropy per step)"
)
COPY_BASELINE = Equation(r"\frac{10 \log 8}{T + 20}", "10 log 8 / (T + 20)")

TASKS = Section("The tasks", [Columns([ADDING, ADDING_BASELINE], [COPY, COPY_BASELINE], (1, 1), "small")])
sections.draw([TASKS], headings=False)

with notices.page_guard("the long-range memory page"):
    st.subheader("The classic comparison")
    st.markdown(
        f"One click trains all three cells on the same minibatches: {describe_config(CLASSIC)}. "
        "The vanilla cell is a tanh RNN with a Gaussian W_hh at scale 1; the LSTM and the GRU start from PyTorch's "
        "initialisation. It takes about 10 to 20 seconds on two cores (longer on a busy server), and its result is "
        "kept on the server, so a whole class can open it at once and it trains only once."
    )
    if st.button("Run the classic comparison", type="primary", key="memory_classic"):
        st.session_state["memory_show_classic"] = True
    classic_sections = show_classic() if st.session_state.get("memory_show_classic") else None

    st.subheader("Your own run")
    task, T, seed = task_example()
    example = make_task(task, T, 1, np.random.default_rng(seed))
    example_look_at = (
        f"One sequence of the {TASK_NAMES[task]} at T = {T}, as the cells see it in training. The information "
        "the answer needs sits far from the step where the answer is asked for."
    )
    example_chart = Chart(
        figures.task_example_figure(example), key="memory-example", config=export.chart_config(f"{task}_example")
    )
    example_section = Section(f"An example of the {TASK_NAMES[task]}", [example_chart, LookAt(example_look_at)])
    sections.draw([example_section], headings=False)
    precision = links.checked(
        "memory_dtype",
        next(iter(PRECISION_LABELS)),
        links.choice_reason(PRECISION_LABELS, PRECISION_LABELS.get),
        lambda: st.radio(
            "Precision of your run",
            list(PRECISION_LABELS),
            format_func=PRECISION_LABELS.get,
            horizontal=True,
            key="memory_dtype",
            bind="query-params",
            help="float32 trains the three cells about twice as fast; the vanilla cell still stays at the baseline "
            "and the gated cells still learn the classic comparison's task.",
        ),
        shown=PRECISION_LABELS.get,
    )
    config = task_controls()
    last_sections = None
    if config is None or start_run(config.replace(dtype=precision)):
        last_sections = own_run()
    st.divider()
    export.report_button(
        "Long-range memory",
        None,
        sections.report([TASKS, example_section, *(classic_sections or []), *(last_sections or [])]),
    )
