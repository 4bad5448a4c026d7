"""Streamlit helpers of the pages "Cells" and "Long-range memory": bounded caches of the cell comparison, the
page-only controls, the classic training run shared by every visitor, and live training with a Stop button.

Both runs are `ui.live_job.LiveJob`s trained by a thread of their own and watched by `ui.live_job.watch`. The
user's run holds a training slot and its histories are kept in `st.session_state` as lists of numbers (at most
3 cells x 1500 steps x 4 values): the small result a user owns. The classic comparison is trained once per server
(`ui.cache.classic_training`); every session that asks for it watches the same run and then reads its result.
"""

from __future__ import annotations

import time
import uuid

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import figures, verdicts
from rnnviz.cell import CELL_NAMES
from rnnviz.comparison import GATED_INITS, Comparison
from rnnviz.optim import CLIPPING, OPTIMIZERS
from rnnviz.report import Equation
from rnnviz.settings import LIMITS
from rnnviz.task_training import (
    CELL_KINDS,
    CLASSIC,
    CellHistory,
    StepRecord,
    TaskConfig,
    TaskResult,
    TaskTrainer,
    outcome,
    spikes,
)
from rnnviz.tasks import TASKS
from ui import export, links, notices, sections
from ui.cache import classic_training, training_slots
from ui.live_job import LiveJob, session_alive, watch
from ui.sections import Chart, LookAt, Section, Shown, draw_items
from ui.slots import busy_message

TASK_NAMES = {"adding": "adding problem", "copy": "copy memory"}
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.02, 0.05)
GATED_INIT_LABELS = {"pytorch": "PyTorch: U(±1/√H)", "orthogonal": "orthogonal W_hh blocks"}
MEMORY_RUN = "memory_run"  # session_state: the user's last training run (lists of numbers)
MEMORY_JOB = "memory_job"  # session_state: the `ui.live_job.LiveJob` that trains it
LSTM_EQUATIONS = Equation(
    r"\begin{aligned}"
    r"i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})\\"
    r"f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf})\\"
    r"o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho})\\"
    r"g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg})\\"
    r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t\\"
    r"h_t &= o_t \odot \tanh(c_t)"
    r"\end{aligned}",
    "i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi);   f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf);   "
    "o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho);   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg);   "
    "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t;   h_t = o_t ⊙ tanh(c_t)",
)
GRU_EQUATIONS = Equation(
    r"\begin{aligned}"
    r"r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\\"
    r"z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\\"
    r"n_t &= \tanh\big(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big)\\"
    r"h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}"
    r"\end{aligned}",
    "r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr);   z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz);   "
    "n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn));   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
)


# Cells ------------------------------------------------------------------------------------------------------------


FORGET_BIAS_KEY, GATED_INIT_KEY = "cells_forget_bias", "cells_gated_init"
FORGET_BIAS_DEFAULT, FORGET_BIAS_STEP = 1.0, 0.5


def cells_controls() -> tuple[float, str]:
    """The page's own controls, both in the link: the LSTM's forget-gate bias and the gated cells' initialisation."""
    low, high = LIMITS.forget_bias
    left, right = st.columns(2)
    with left:
        forget_bias = links.checked(
            FORGET_BIAS_KEY,
            FORGET_BIAS_DEFAULT,
            links.number_reason(low, high),
            lambda: st.slider(
                "LSTM forget-gate bias (added to b_f)",
                min_value=float(low),
                max_value=float(high),
                value=FORGET_BIAS_DEFAULT,
                step=FORGET_BIAS_STEP,
                key=FORGET_BIAS_KEY,
                bind="query-params",
                help="Jozefowicz et al. (2015) recommend 1: forget gates start near sigmoid(1) = 0.73.",
            ),
        )
    with right:
        gated_init = links.checked(
            GATED_INIT_KEY,
            GATED_INITS[0],
            links.choice_reason(GATED_INITS, GATED_INIT_LABELS.get),
            lambda: st.radio(
                "Gated cells' initialisation",
                GATED_INITS,
                index=0,
                key=GATED_INIT_KEY,
                horizontal=True,
                format_func=GATED_INIT_LABELS.get,
                bind="query-params",
                help="The vanilla RNN keeps the sidebar's activation, initialisation and scale.",
            ),
            shown=GATED_INIT_LABELS.get,
        )
    links.apply()
    return float(forget_bias), str(gated_init)


def power_of_ten(log10_value: float) -> str:
    """E.g. "10^-12.3" (`verdicts.power_of_ten`); "0 (exactly)" for an exact zero, "overflow" when not finite."""
    if np.isfinite(log10_value):
        return verdicts.power_of_ten(log10_value)
    return "0 (exactly)" if log10_value == -np.inf else "overflow"


def cell_path_words(comparison: Comparison, forget_bias: float) -> str:
    """What the cell-path chart shows at k = 0, measured: the band of forget-gate products, the measured
    ‖∂c_T/∂c_k‖ at k = 0 and its highest point, and where the line lies against the band."""
    T = comparison.forget_products.shape[0] - 1
    with np.errstate(divide="ignore"):
        band = np.log10(comparison.forget_products[0])  # (H,) every unit's product of f_t over t = 1..T
    low, high = float(band.min()), float(band.max())
    line = comparison.cell_path.log10_spectral  # (T+1,)
    at_0 = float(line[0])
    finite = np.isfinite(line)
    peak_k = int(np.flatnonzero(finite)[np.argmax(line[finite])]) if finite.any() else 0
    place = "above the band" if at_0 > high else "below the band" if at_0 < low else "inside the band"
    words = (
        f"Here, at forget-gate bias {forget_bias:g} over T = {T} steps: the band at k = 0 spans "
        f"{verdicts.power_of_ten(low)} to {verdicts.power_of_ten(high)}, and the line is at "
        f"{verdicts.power_of_ten(at_0)}, {place}."
    )
    if finite.any() and line[peak_k] > 0.0:
        words += (
            f" The line peaks at {verdicts.power_of_ten(float(line[peak_k]))} (k = {peak_k}): above 1, so through "
            "the states h a change of c_k can grow on its way to c_T, which the band alone never does."
        )
    return words


def gradient_reached(comparison: Comparison) -> dict[str, str]:
    """Per cell, how much of the gradient at step T reaches the first state, as a power of ten."""
    return {result.name: power_of_ten(result.norms.log10_spectral[0]) for result in comparison.cells.values()}


def metric_table(comparison: Comparison) -> pd.DataFrame:
    """The page's three metrics as a table: one row per cell."""
    reached = gradient_reached(comparison)
    return pd.DataFrame({"cell": list(reached), "‖∂h_T/∂h_0‖": list(reached.values())})


# Long-range memory: controls ----------------------------------------------------------------------------------


OPTIMIZER_LABELS = {"adam": "Adam", "sgd": "SGD"}
CLIPPING_LABELS = {
    "none": "off",
    "norm": "norm (keeps the direction)",
    "elementwise": "element-wise (changes the direction)",
}
TASK_DEFAULTS = {"memory_task": "adding", "memory_T": 50, "memory_seed": 0}  # what the example is drawn with


def task_links() -> dict[str, tuple]:
    """The training form's fields in the link: key -> (default, reason), read through `links.checked`."""
    hidden = [h for h in (4, 8, 16, 32, 48, 64) if LIMITS.task_hidden_size[0] <= h <= LIMITS.task_hidden_size[1]]
    batches = [b for b in (4, 8, 16, 32, 64) if LIMITS.task_batch_size[0] <= b <= LIMITS.task_batch_size[1]]
    rates = [lr for lr in LEARNING_RATES if LIMITS.task_learning_rate[0] <= lr <= LIMITS.task_learning_rate[1]]
    return {
        "memory_task": ("adding", links.choice_reason(TASKS, TASK_NAMES.get), TASKS),
        "memory_T": (50, links.number_reason(*LIMITS.task_seq_length, whole=True), None),
        "memory_H": (32, links.choice_reason(hidden), hidden),
        "memory_batch": (32, links.choice_reason(batches), batches),
        "memory_steps": (300, links.number_reason(*LIMITS.task_steps, whole=True), None),
        "memory_optimizer": ("adam", links.choice_reason(OPTIMIZERS, OPTIMIZER_LABELS.get), OPTIMIZERS),
        "memory_lr": (0.01, links.choice_reason(rates), rates),
        "memory_clipping": ("norm", links.choice_reason(CLIPPING, CLIPPING_LABELS.get), CLIPPING),
        "memory_threshold": (1.0, links.number_reason(*LIMITS.task_clip_threshold), None),
        "memory_forget_bias": (1.0, links.number_reason(*LIMITS.forget_bias), None),
        "memory_seed": (0.0, links.number_reason(*LIMITS.seed, step=1), None),
    }


def task_example() -> tuple[str, int, int]:
    """The task, T and seed the form holds (or its link gives, before the form is drawn): the example's."""
    fields = task_links()
    task = links.link_value("memory_task", "adding", fields["memory_task"][1], {TASK_NAMES[t]: t for t in TASKS}.get)
    T = links.link_value("memory_T", 50, fields["memory_T"][1], int)
    seed = links.link_value("memory_seed", 0, fields["memory_seed"][1], float)
    return task, int(T), round(seed)


def task_controls() -> TaskConfig | None:
    """The training form, every field in the link; returns the config when the user presses Train, else None."""
    fields = task_links()

    def bound(key: str, widget, *args, shown=None, **kwargs):
        default, reason, _ = fields[key]
        return links.checked(key, default, reason, lambda: widget(*args, key=key, bind="query-params", **kwargs), shown)

    with st.form("memory_form", border=True):
        chosen = {}
        for column, draw in zip(st.columns(3), (_task_column, _training_column, _clipping_column), strict=True):
            with column:
                chosen |= draw(bound, fields)
        links.apply()
        submitted = st.form_submit_button("Train RNN, LSTM and GRU", type="primary")
    return TaskConfig(**chosen) if submitted else None


def _task_column(bound, fields) -> dict:
    """The task and the size of the networks."""
    task = bound("memory_task", st.selectbox, "Task", TASKS, format_func=TASK_NAMES.get, shown=TASK_NAMES.get)
    low, high = LIMITS.task_seq_length
    seq_length = bound("memory_T", st.slider, "T: sequence length (copy: the delay)", low, high, 50, step=5)
    hidden = bound("memory_H", st.select_slider, "Hidden size H of every cell", fields["memory_H"][2], value=32)
    return {"task": task, "seq_length": int(seq_length), "hidden_size": int(hidden)}


def _training_column(bound, fields) -> dict:
    """The batch, the number of steps and the optimiser."""
    batch = bound("memory_batch", st.select_slider, "Batch size", fields["memory_batch"][2], value=32)
    low, high = LIMITS.task_steps
    steps = bound("memory_steps", st.slider, "Training steps", low, high, 300, step=10)
    optimizer = bound(
        "memory_optimizer",
        st.radio,
        "Optimiser",
        OPTIMIZERS,
        index=OPTIMIZERS.index("adam"),
        horizontal=True,
        format_func=OPTIMIZER_LABELS.get,
        shown=OPTIMIZER_LABELS.get,
    )
    learning_rate = bound("memory_lr", st.select_slider, "Learning rate", fields["memory_lr"][2], value=0.01)
    return {
        "batch_size": int(batch),
        "steps": int(steps),
        "optimizer": optimizer,
        "learning_rate": float(learning_rate),
    }


def _clipping_column(bound, fields) -> dict:
    """Gradient clipping, the LSTM's forget-gate bias and the seed."""
    clipping = bound(
        "memory_clipping",
        st.radio,
        "Gradient clipping",
        CLIPPING,
        index=CLIPPING.index("norm"),
        format_func=CLIPPING_LABELS.get,
        shown=CLIPPING_LABELS.get,
    )
    low, high = LIMITS.task_clip_threshold
    threshold = bound(
        "memory_threshold", st.number_input, "Clipping threshold", min_value=low, max_value=high, value=1.0, step=0.5
    )
    low, high = LIMITS.forget_bias
    forget_bias = bound(
        "memory_forget_bias", st.slider, "LSTM forget-gate bias", float(low), float(high), 1.0, step=0.5
    )
    seed = bound(  # a float box holding whole numbers: Streamlit's integer box fails on a link's `inf`
        "memory_seed",
        st.number_input,
        "Seed",
        min_value=float(LIMITS.seed[0]),
        max_value=float(LIMITS.seed[1]),
        value=0.0,
        step=1.0,
        format="%.0f",
    )
    return {
        "clipping": clipping,
        "clip_threshold": float(threshold),
        "forget_bias": float(forget_bias),
        "seed": round(seed),
    }


def describe_config(config: TaskConfig) -> str:
    """The run's settings in one line."""
    clipping = (
        "no clipping" if config.clipping == "none" else f"{config.clipping} clipping at {config.clip_threshold:g}"
    )
    optimizer = "SGD" if config.optimizer == "sgd" else "Adam"
    return (
        f"{TASK_NAMES[config.task]}, T = {config.seq_length}, H = {config.hidden_size}, "
        f"batch {config.batch_size}, {config.steps} steps of {optimizer} at "
        f"learning rate {config.learning_rate:g}, {clipping}, LSTM forget bias {config.forget_bias:g}, "
        f"seed {config.seed}" + ("" if config.dtype == "float64" else f", computed in {config.dtype}")
    )


# Long-range memory: histories and drawing ---------------------------------------------------------------------


def empty_records(kinds=CELL_KINDS) -> dict[str, dict[str, list]]:
    return {kind: {"loss": [], "grad_norm": [], "clipped": [], "skipped": []} for kind in kinds}


def append_records(records: dict[str, dict[str, list]], step_records: dict[str, StepRecord]) -> None:
    for kind, record in step_records.items():
        lists = records[kind]
        lists["loss"].append(record.loss)
        lists["grad_norm"].append(record.grad_norm)
        lists["clipped"].append(record.clipped)
        lists["skipped"].append(record.skipped)


def histories_of(
    records: dict[str, dict[str, list]], evaluation: dict[str, float] | None = None
) -> dict[str, CellHistory]:
    """CellHistory per cell from the recorded lists (all cut to the same number of steps)."""
    steps = min((len(lists["loss"]) for lists in records.values()), default=0)
    return {
        kind: CellHistory(
            kind,
            np.array(lists["loss"][:steps], dtype=float),
            np.array(lists["grad_norm"][:steps], dtype=float),
            np.array(lists["clipped"][:steps], dtype=bool),
            np.array(lists["skipped"][:steps], dtype=bool),
            (evaluation or {}).get(kind, float("nan")),
        )
        for kind, lists in records.items()
    }


def training_charts(config: TaskConfig, histories: dict[str, CellHistory], key: str) -> list[Chart]:
    """The loss and gradient-norm charts of a run (their element keys end with `key`)."""
    found = {kind: spikes(history.grad_norm) for kind, history in histories.items()}
    loss = figures.task_loss_figure(histories, config.baseline, config.task, config.steps)
    norm = figures.task_grad_norm_figure(histories, config.clipping, config.clip_threshold, found, config.steps)
    return [
        Chart(loss, key=f"memory-loss-{key}", config=export.chart_config("task_loss")),
        Chart(norm, key=f"memory-norm-{key}", config=export.chart_config("task_gradient_norm")),
    ]


def result_frame(config: TaskConfig, histories: dict[str, CellHistory]) -> pd.DataFrame:
    """One row per cell: the recent and held-out loss against the baseline, clipping and spikes."""
    rows = []
    for kind, history in histories.items():
        rows.append(
            {
                "cell": CELL_NAMES[kind],
                "loss, last 25 steps": history.recent_loss,
                "held-out loss": history.evaluation_loss,
                "trivial baseline": config.baseline,
                "outcome": outcome(history, config.baseline),
                "steps clipped": f"{history.clipped.mean():.0%}" if history.steps else "",
                "gradient spikes": int(spikes(history.grad_norm).size),
                "steps skipped (overflow)": int(history.skipped.sum()),
            }
        )
    return pd.DataFrame(rows)


def result_table(table: pd.DataFrame, key: str) -> None:
    """The table of `result_frame`, with a CSV download."""
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(format="%.4f")
            for name in ("loss, last 25 steps", "held-out loss", "trivial baseline")
        },
    )
    export.csv_button(table, f"memory_{key}.csv", label="Download the results (CSV)", key=f"memory_csv_{key}")


def headline(config: TaskConfig, histories: dict[str, CellHistory]) -> str:
    """E.g. "LSTM and GRU got below the baseline; the vanilla RNN stayed at it." """
    below = [CELL_NAMES[k] for k, h in histories.items() if outcome(h, config.baseline) == "below the baseline"]
    at = [CELL_NAMES[k] for k, h in histories.items() if outcome(h, config.baseline) == "at the baseline"]
    parts = []
    if below:
        parts.append(f"{_listed(below)} got below the baseline")
    if at:
        parts.append(f"{_listed(at)} stayed at it")
    if not parts:
        return "No cell has trained for long enough to tell."
    sentence = "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]


def _listed(names: list[str]) -> str:
    """["a", "b", "c"] -> "the a, the b and the c"."""
    names = [f"the {name}" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# Long-range memory: the user's own run ------------------------------------------------------------------------


def start_run(config: TaskConfig) -> bool:
    """Start the user's run in a thread of its own, holding a training slot until it ends; False, with words, when
    it is too large for the server or every slot is held. The run's numbers are kept in session_state as it goes,
    so a Stop leaves the steps done so far on the page."""
    work = config.work()
    if work > LIMITS.task_work:
        st.error(
            f"This run is too large for the shared server: about {work:.1e} multiply-adds ({config.steps} steps × "
            f"batch {config.batch_size} × T = {config.seq_length} × H = {config.hidden_size}, three cells); at most "
            f"{LIMITS.task_work:.0e}, about a minute. Lower the steps, the batch, T or H.",
            icon=":material/block:",
        )
        return False
    previous = st.session_state.get(MEMORY_JOB)
    if previous is not None:
        previous.stop()
    slots, holder = training_slots(), uuid.uuid4().hex
    if not slots.claim(holder):
        st.warning(busy_message("or run the classic comparison, which is kept for everyone"))
        return False
    run = {"config": config, "records": empty_records(), "evaluation": None, "done": False}
    trainer = TaskTrainer(config)

    def finish() -> TaskResult:
        result = trainer.result()
        run["evaluation"] = {kind: history.evaluation_loss for kind, history in result.histories.items()}
        run["done"] = True
        return result

    job = LiveJob(
        trainer,
        step=lambda: append_records(run["records"], trainer.step()),
        more=lambda: trainer.running,
        stop_work=trainer.stop,
        finish=finish,
        slots=slots,
        holder=holder,
        alive=session_alive(),
    )
    st.session_state.update({MEMORY_RUN: run, MEMORY_JOB: job.start_thread()})
    return True


def own_run() -> list | None:
    """The user's run: live while it trains, then as `show_last_run` draws it. Returns its report sections."""
    job, run = st.session_state.get(MEMORY_JOB), st.session_state.get(MEMORY_RUN)
    if job is not None and job.running and run is not None:
        config = run["config"]
        watch(
            job,
            "memory",
            lambda histories: _live_progress("Training…", config, histories),
            lambda histories: draw_items(training_charts(config, histories, key="live")),
            look=lambda job: histories_of(run["records"]),
            stop_help="Stop training; the steps done so far stay on the page.",
        )
        return None
    if job is not None and job.status == "failed":
        notices.failure(job.error)
        return None
    return show_last_run()


def _live_progress(doing: str, config: TaskConfig, histories: dict[str, CellHistory]) -> tuple[float, str]:
    """(fraction, words) of a run: the step reached and each cell's last loss."""
    steps = min((history.steps for history in histories.values()), default=0)
    losses = ", ".join(f"{CELL_NAMES[k]} {h.loss[-1]:.3f}" for k, h in histories.items() if h.steps)
    return steps / config.steps, f"{doing} step {steps} of {config.steps}" + (f": {losses}" if losses else "")


def show_last_run() -> list | None:
    """The user's last run: finished, or stopped part-way. Returns its sections, for the report (None with no run)."""
    run = st.session_state.get(MEMORY_RUN)
    if not run:
        st.info("Choose a task and press **Train RNN, LSTM and GRU**, or run the classic comparison above.")
        return None
    config = run["config"]
    histories = histories_of(run["records"], run["evaluation"])
    steps = min((h.steps for h in histories.values()), default=0)
    if run["done"]:
        summary = f"**Trained {steps} steps.** {headline(config, histories)}"
        box = Shown(lambda: st.success(summary), summary)
    else:
        summary = (
            f"**Stopped at step {steps} of {config.steps}.** The charts show the steps done so far. "
            f"{headline(config, histories) if steps >= 25 else ''}"
        )
        box = Shown(lambda: st.warning(summary), summary)
    shown = run_sections("Your last run", box, describe_config(config), config, histories, key="last")
    sections.draw(shown, headings=False)
    return shown


LOSS_LOOK_AT = (
    "A cell has learned the task when its bold line drops clearly under the red dashed line, the loss "
    "of the trivial answer. Staying on the line means the cell learned only the average."
)
SPIKES_LOOK_AT = (
    "Triangles mark gradient spikes (ten times the recent median). With clipping off they can throw "
    "a cell's loss back up; with norm clipping every step larger than the threshold is scaled down."
)


def run_sections(
    title: str, box: Shown, caption: str, config: TaskConfig, histories: dict[str, CellHistory], key: str
) -> list[Section]:
    """A run's sections: its verdict (`box`) and settings, the loss and gradient-norm charts with what to look at,
    and the table with its download. The report keeps `caption` as a sentence."""
    table = result_frame(config, histories)
    return [
        Section(title, [box, Shown(lambda: st.caption(caption), caption.rstrip(".") + ".")]),
        Section(
            f"{title}: the loss and the gradient norm",
            [*training_charts(config, histories, key), LookAt(LOSS_LOOK_AT)],
        ),
        Section(f"{title}: the numbers", [Shown(lambda: result_table(table, key), table), LookAt(SPIKES_LOOK_AT)]),
    ]


# Long-range memory: the classic comparison, shared -------------------------------------------------------------


def show_classic() -> list | None:
    """Start (once per server) or join the classic comparison, watch it live, then show its result. Returns its
    report sections (None while it trains, or when it failed)."""
    job = classic_training(CLASSIC)
    config = job.work.config
    if job.running:
        watch(
            job,
            "classic",
            lambda seen: _classic_progress(config, *seen),
            lambda seen: draw_items(training_charts(config, seen[0], key="classic-live")),
            look=lambda job: (job.work.histories(), time.time() - job.started),
            stoppable=False,
        )
        return None
    if job.status == "failed":
        notices.failure(job.error)
        return None
    histories = job.result.histories
    summary = f"**Classic comparison:** {headline(config, histories)}"
    caption = describe_config(config) + "." + f" Trained in {job.seconds:.0f} s on this server."
    box = Shown(lambda: st.success(summary), summary)
    shown = run_sections("The classic comparison", box, caption, config, histories, key="classic")
    sections.draw(shown, headings=False)
    return shown


def _classic_progress(config: TaskConfig, histories: dict[str, CellHistory], seconds: float) -> tuple[float, str]:
    steps = min((history.steps for history in histories.values()), default=0)
    return steps / config.steps, f"Training the three cells… step {steps} of {config.steps} ({seconds:.0f} s)"
