"""The Train page's Streamlit parts: the recipe controls, live training in a fragment, generation, model files.

Training is a `ui.live_job.LiveJob` its watcher advances in chunks: the panel's fragment reruns while the model
trains, each rerun trains minibatches for about a fifth of a second (an epoch may span several runs; a chunk also
ends after the epochs of one redraw), redraws the progress bar and the curves, and returns, so a click on Stop gets
through within the epoch. The browser asks for each rerun, so a closed tab trains at most one more chunk; the chunk
also ends when the session does.

Before a run starts, the Train button checks the recipe's bounds, its cost (`Recipe.work`, batch overheads
included) against LIMITS.train_work, and takes one of the server's training slots (`ui.slots`, shared with
Long-range memory); each chunk renews the slot's lease, and the run's end releases it. The trainer (the model,
Adam's moments and the history: small) lives in the user's session_state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict

import pandas as pd
import streamlit as st

from rnnviz.activations import ACTIVATIONS
from rnnviz.figures import training as figures
from rnnviz.optim import CLIPPING, OPTIMIZERS
from rnnviz.settings import LIMITS
from rnnviz.train import (
    ARTICLE_ACCURACY,
    ARTICLE_LOSS,
    ARTICLE_PREFIX,
    ARTICLE_TEXT,
    BUNDLED_TITLES,
    OTHER_FRAMEWORK_ACCURACY,
    CharModel,
    CharTrainer,
    Recipe,
    bundled_text,
    load_model,
    model_bytes,
)
from ui import export, links, live_job, notices, sections
from ui.cache import training_slots
from ui.labels import PRECISION_LABELS
from ui.live_job import LiveJob, session_alive
from ui.sections import Chart, Columns, LookAt, Row, Section
from ui.slots import LEASE_SECONDS, busy_message

FRAMES = 20  # the article's 100 epochs grow in about this many redraws
REPORT_SAMPLE_CHARS = 50  # characters generated for the report
JOB, LIVE, UPLOADED, SOURCE, NOTICE, UPLOAD_NOTICE, GENERATED = (
    "train_job",  # the trainer: the model, Adam's moments and the history
    "train_live",  # the `ui.live_job.LiveJob` that trains it
    "train_uploaded",
    "train_model_source",
    "train_notice",
    "train_upload_notice",
    "train_generated",
)
TEXTS = {"article": "The article's sentence", **{name: title for name, title in BUNDLED_TITLES.items()}}
CLIPPING_LABELS = {
    "none": "none",
    "norm": "norm (Pascanu: rescale g when ‖g‖ > threshold)",
    "elementwise": "element-wise (clip each entry to ±threshold)",
}
OPTIMIZER_LABELS = {"adam": "Adam (Keras defaults)", "sgd": "SGD"}
DEFAULTS = Recipe()
BOUNDED = {  # widget key -> (what it sets, in words; its bounds): typed values past them are refused by Train
    "train_hidden": ("The hidden size H", LIMITS.train_hidden_size),
    "train_window": ("The window length T", LIMITS.train_window),
    "train_epochs": ("The number of epochs", LIMITS.train_epochs),
    "train_batch": ("The batch size", LIMITS.train_batch_size),
}
WIDGETS = {  # widget key -> (Recipe field, default)
    "train_activation": ("activation", DEFAULTS.activation),
    "train_hidden": ("hidden_size", DEFAULTS.hidden_size),
    "train_window": ("seq_length", DEFAULTS.seq_length),
    "train_epochs": ("epochs", DEFAULTS.epochs),
    "train_optimizer": ("optimizer", DEFAULTS.optimizer),
    "train_lr": ("learning_rate", DEFAULTS.learning_rate),
    "train_batch": ("batch_size", DEFAULTS.batch_size),
    "train_clipping": ("clipping", DEFAULTS.clipping),
    "train_threshold": ("clip_threshold", DEFAULTS.clip_threshold),
    "train_seed": ("seed", DEFAULTS.seed),
    "train_dtype": ("dtype", DEFAULTS.dtype),
}


# the text and the recipe ---
def _load_text() -> None:
    name = st.session_state["train_source"]
    _clear_notice()
    st.session_state["train_text"] = ARTICLE_TEXT if name == "article" else bundled_text(name)


def text_box() -> str:
    """The training text (pre-filled with the article's sentence) and a choice of the bundled texts."""
    st.session_state.setdefault("train_text", ARTICLE_TEXT)
    left, right = st.columns([3, 1])
    with right:
        st.selectbox(
            "Load a text",
            list(TEXTS),
            format_func=TEXTS.get,
            key="train_source",
            on_change=_load_text,
            help="Replaces the text box with this text. The bundled passage is in the public domain.",
        )
        text = st.session_state["train_text"]
        st.caption(
            f"{len(text):,} characters, {len(set(text))} distinct; at most "
            f"{LIMITS.train_text_chars:,} characters are trained on."
        )
    with left:
        return st.text_area(
            "Training text: every window of T characters predicts the next one",
            key="train_text",
            height=140,
            max_chars=LIMITS.train_text_chars,
            on_change=_clear_notice,
        )


def _clear_notice() -> None:
    st.session_state[NOTICE] = None  # the text changed: the last refusal no longer applies


def _reset_recipe() -> None:
    for key, (_, default) in WIDGETS.items():
        st.session_state[key] = float(default) if key in WHOLE else default
    st.session_state["train_truncate"] = False


WHOLE = {*BOUNDED, "train_seed"}  # whole numbers in float boxes: Streamlit's integer box fails on a link's `inf`


def recipe_links() -> dict[str, tuple]:
    """The recipe's fields in the link: widget key -> (default, why a link's value cannot be used, how the link
    writes a value). The text is not in it. H, T, epochs and batch take what a box takes (up to LIMITS.train_typed):
    past their own bounds, Train refuses them in words."""
    whole = links.number_reason(1, LIMITS.train_typed, step=1)
    return {
        "train_activation": (DEFAULTS.activation, links.choice_reason(ACTIVATIONS), None),
        "train_hidden": (float(DEFAULTS.hidden_size), whole, None),
        "train_window": (float(DEFAULTS.seq_length), whole, None),
        "train_epochs": (float(DEFAULTS.epochs), whole, None),
        "train_batch": (float(DEFAULTS.batch_size), whole, None),
        "train_seed": (float(DEFAULTS.seed), links.number_reason(*LIMITS.seed, step=1), None),
        "train_optimizer": (
            DEFAULTS.optimizer,
            links.choice_reason(OPTIMIZERS, OPTIMIZER_LABELS.get),
            OPTIMIZER_LABELS.get,
        ),
        "train_lr": (DEFAULTS.learning_rate, links.number_reason(*LIMITS.learning_rate), None),
        "train_dtype": (
            DEFAULTS.dtype,
            links.choice_reason(PRECISION_LABELS, PRECISION_LABELS.get),
            PRECISION_LABELS.get,
        ),
        "train_clipping": (DEFAULTS.clipping, links.choice_reason(CLIPPING, CLIPPING_LABELS.get), CLIPPING_LABELS.get),
        "train_threshold": (DEFAULTS.clip_threshold, links.number_reason(*LIMITS.clip_threshold), None),
        "train_truncate": (False, links.flag_reason, None),
        "train_k": (1.0, links.number_reason(1, LIMITS.train_window[1], step=1), None),
    }


def _parse(key: str, default) -> Callable[[str], object]:
    """How a usable link value becomes the control's value."""
    if isinstance(default, bool):
        return lambda raw: raw.strip().lower() == "true"
    if isinstance(default, float):
        return float
    choices = {"train_optimizer": OPTIMIZER_LABELS, "train_dtype": PRECISION_LABELS, "train_clipping": CLIPPING_LABELS}
    written = {str(label): value for value, label in choices.get(key, {}).items()}
    return lambda raw: written.get(raw, raw)


def recipe_controls() -> Recipe:
    """Every setting of the recipe, bounded and in the link; the defaults are the article's."""
    fields = recipe_links()
    for key, (default, reason, _) in fields.items():
        st.session_state.setdefault(key, links.link_value(key, default, reason, _parse(key, default)))

    def bound(key: str, widget, *args, **kwargs):
        default, reason, shown = fields[key]
        return links.checked(key, default, reason, lambda: widget(*args, key=key, bind="query-params", **kwargs), shown)

    for column, draw in zip(
        st.columns(4), (_model_column, _run_column, _optimiser_column, _clipping_column), strict=True
    ):
        with column:
            draw(bound)
    links.apply()
    return recipe_from_state()


def _choice(bound, key: str, label: str, options, default: str, names: dict | None = None, **kwargs) -> None:
    """A select box of the recipe over `options`, showing each option's name in `names` if given."""
    options = list(options)
    if names is not None:
        kwargs["format_func"] = names.get
    bound(key, st.selectbox, label, options, index=options.index(default), **kwargs)


def _model_column(bound) -> None:
    _choice(bound, "train_activation", "Activation f", ACTIVATIONS, DEFAULTS.activation)
    _typed_number(bound, "Hidden size H", "train_hidden", step=1)
    _typed_number(bound, "Window length T (characters)", "train_window", step=1)


def _run_column(bound) -> None:
    _typed_number(bound, "Epochs", "train_epochs", step=10)
    _typed_number(bound, "Batch size", "train_batch", step=1)
    low, high = LIMITS.seed
    bound("train_seed", st.number_input, "Seed", float(low), float(high), float(DEFAULTS.seed), 1.0, format="%.0f")


def _optimiser_column(bound) -> None:
    _choice(bound, "train_optimizer", "Optimiser", list(OPTIMIZERS)[::-1], DEFAULTS.optimizer, OPTIMIZER_LABELS)
    bound(
        "train_lr",
        st.number_input,
        "Learning rate",
        *LIMITS.learning_rate,
        DEFAULTS.learning_rate,
        0.0005,
        format="%.5f",
    )
    _choice(
        bound,
        "train_dtype",
        "Precision",
        PRECISION_LABELS,
        DEFAULTS.dtype,
        PRECISION_LABELS,
        help="float32 computes the forward pass, the backward pass and Adam in single precision: about twice "
        "as fast on long texts, and the GeeksforGeeks article's sentence still reaches the same accuracy.",
    )
    st.button("Use the GeeksforGeeks article's recipe", on_click=_reset_recipe, key="train_reset_recipe")


def _clipping_column(bound) -> None:
    _choice(bound, "train_clipping", "Gradient clipping", CLIPPING, DEFAULTS.clipping, CLIPPING_LABELS)
    bound(
        "train_threshold",
        st.number_input,
        "Clipping threshold",
        *LIMITS.clip_threshold,
        DEFAULTS.clip_threshold,
        0.1,
        disabled=st.session_state["train_clipping"] == "none",
    )
    bound(
        "train_truncate",
        st.checkbox,
        "Truncated BPTT",
        value=False,
        help="Backpropagate only the last k steps of each window (Williams & Peng).",
    )
    window = _whole(st.session_state["train_window"])
    if st.session_state.get("train_k", 1) > window:
        st.session_state["train_k"] = float(max(window, 1))
    bound(
        "train_k",
        st.number_input,
        "k: steps backpropagated",
        1.0,
        float(max(window, 1)),
        1.0,
        1.0,
        format="%.0f",
        disabled=not st.session_state["train_truncate"],
        help="k ≥ T is full BPTT.",
    )


def _whole(value) -> int:
    return round(float(value))


def _typed_number(bound, label: str, key: str, step: int) -> None:
    """A whole-number field that takes what is typed (up to LIMITS.train_typed): a value past the setting's own
    bounds is refused in words when Train is pressed, never turned back silently by the field."""
    low, high = BOUNDED[key][1]
    default = float(WIDGETS[key][1])
    bound(
        key,
        st.number_input,
        label,
        1.0,
        float(LIMITS.train_typed),
        default,
        float(step),
        format="%.0f",
        help=f"From {low:,} to {high:,}.",
    )


def out_of_bounds() -> list[str]:
    """A sentence for each recipe field whose value is past its bounds (empty when every one is within)."""
    problems = []
    for key, (what, (low, high)) in BOUNDED.items():
        value = _whole(st.session_state.get(key, WIDGETS[key][1]))
        if not low <= value <= high:
            problems.append(f"{what} is {value:,}; from {low:,} to {high:,} can be trained here.")
    return problems


def recipe_from_state() -> Recipe:
    """The recipe the controls hold now (callbacks read it here: they run before the widgets are drawn)."""
    values = {field: st.session_state.get(key, default) for key, (field, default) in WIDGETS.items()}
    for key in WHOLE:
        values[WIDGETS[key][0]] = _whole(values[WIDGETS[key][0]])
    k = min(_whole(st.session_state.get("train_k", 1)), values["seq_length"])
    return Recipe(**values, truncation=k if st.session_state.get("train_truncate", False) else None)


# starting and stopping ---
def too_large(recipe: Recipe, n_windows: int, vocab_size: int) -> str | None:
    """Why the run is refused as too costly for the shared server, with its numbers; None when it fits."""
    work = recipe.work(n_windows, vocab_size)
    if work <= LIMITS.train_work:
        return None
    batches, batch = recipe.batches(n_windows), min(recipe.batch_size, n_windows)
    return (
        f"This run is too large for the shared server: about {work:.1e} multiply-adds ({recipe.epochs:,} epochs × "
        f"{batches:,} batches of {batch:,} windows × T = {recipe.seq_length} × H = {recipe.hidden_size}, with the "
        f"fixed cost of each batch counted); at most {LIMITS.train_work:.0e}, about a minute. Lower the epochs, H, "
        "T or the text's length, or raise the batch size."
    )


def start() -> None:
    """The Train button's callback: a new trainer holding a training slot, or a message saying why not (the
    inputs stay as typed)."""
    text = st.session_state.get("train_text", "")
    try:
        problems = out_of_bounds()
        if problems:
            raise ValueError(" ".join(problems))
        recipe = recipe_from_state()
        trainer = CharTrainer(
            text, recipe, max_text_chars=LIMITS.train_text_chars, max_vocabulary=LIMITS.train_vocabulary
        )
        refusal = too_large(recipe, trainer.n_windows, len(trainer.vocabulary))
        if refusal:
            raise ValueError(refusal)
    except ValueError as error:
        st.session_state[NOTICE] = str(error)
        return
    previous = st.session_state.get(LIVE)
    if previous is not None:
        previous.stop()  # gives its training slot back
    slots, holder = training_slots(), uuid.uuid4().hex
    if not slots.claim(holder, seconds=LEASE_SECONDS):
        st.session_state[NOTICE] = busy_message("or train the GeeksforGeeks article's recipe when one is free")
        return
    redraw_every = max(1, recipe.epochs // FRAMES)  # epochs

    def step() -> bool:
        """One minibatch; True when an epoch ends that is due to be drawn."""
        return trainer.train_batch() is not None and trainer.epochs_done % redraw_every == 0

    live = LiveJob(
        trainer,
        step=step,
        more=lambda: trainer.running,
        stop_work=trainer.stop,
        slots=slots,
        holder=holder,
        lease=LEASE_SECONDS,
        alive=session_alive(),
    )
    st.session_state.update(
        {JOB: trainer, LIVE: live, SOURCE: "trained", NOTICE: None, GENERATED: None, UPLOAD_NOTICE: None}
    )
    _readable_prefix(trainer.vocabulary, text[: max(recipe.seq_length, 9)])


def _readable_prefix(vocabulary: tuple[str, ...], fallback: str) -> None:
    """Keep the user's prefix if the new model can read it; else the article's, else `fallback`."""
    prefix = st.session_state.get("gen_prefix", "")
    if prefix and set(prefix) <= set(vocabulary):
        return
    st.session_state["gen_prefix"] = ARTICLE_PREFIX if set(ARTICLE_PREFIX) <= set(vocabulary) else fallback


def stop() -> None:
    """Stop the run (its slot is given back); the model trained so far is kept."""
    live = st.session_state.get(LIVE)
    if live is not None:
        live.stop()


def start_and_stop_buttons() -> None:
    job = st.session_state.get(JOB)
    left, right = st.columns([1, 3])
    left.button("Train from scratch", type="primary", key="train_start", on_click=start, width="stretch")
    if st.session_state.get(NOTICE):
        right.error(st.session_state[NOTICE], icon=":material/front_hand:")
    elif job is not None and job.running:
        right.caption("Training… the charts below grow as it learns; Stop keeps the model trained so far.")


# the live panel ---
def training_panel() -> None:
    """Progress, Stop and every chart of the current run: live while it trains (`ui.live_job.watch`), then the
    result, its words and its report."""
    job = st.session_state.get(JOB)
    if job is None:
        st.info(
            "Press **Train from scratch**: the loss and accuracy curves grow here while the model learns, "
            "with the gradient diagnostics under them. The defaults are the GeeksforGeeks article's recipe: 100 epochs "
            "in a few seconds.",
            icon=":material/model_training:",
        )
        return
    live = st.session_state.get(LIVE)
    if live is not None and live.running:
        live_job.watch(live, "train", _progress, lambda trainer: charts(trainer.result(), trainer.recipe))
        return
    _result_panel(job, live)


def _progress(job: CharTrainer) -> tuple[float, str]:
    return job.epochs_done / job.recipe.epochs, _progress_words(job)


def _progress_words(job: CharTrainer) -> str:
    recipe, done = job.recipe, job.epochs_done
    last = job.rows[-1] if done else None
    words = f"Epoch {done} of {recipe.epochs}" + (
        f" · loss {last['loss']:.3f} · accuracy {last['accuracy']:.3f}" if last is not None else ""
    )
    if job.running and job.batches_into_epoch:
        words += f" · epoch {done + 1}: batch {job.batches_into_epoch:,} of {job.batches_per_epoch:,}"
    return words


def _result_panel(job: CharTrainer, live: LiveJob | None) -> None:
    recipe, done = job.recipe, job.epochs_done
    st.progress(done / recipe.epochs, text=_progress_words(job))
    result = job.result()
    if live is not None and live.status == "failed":
        notices.failure(live.error)
    elif job.status == "diverged":
        st.error(job.message, icon=":material/local_fire_department:")
    elif job.status == "stopped":
        st.info(job.message + " The model trained so far is kept: generate from it or download it below.")
    elif job.status == "finished":
        precision = " in float32" if recipe.dtype == "float32" else ""
        st.success(f"Trained {done} epochs on {job.n_windows:,} windows of {recipe.seq_length} characters{precision}.")
    chart_sections = charts(result, recipe)
    if done:
        report_button(job, result, chart_sections)


def _is_article_recipe(result) -> bool:
    recipe = result.recipe
    return (
        recipe.seq_length,
        recipe.hidden_size,
        recipe.activation,
        recipe.optimizer,
        recipe.learning_rate,
        recipe.batch_size,
        recipe.clipping,
        recipe.truncation,
    ) == (
        DEFAULTS.seq_length,
        DEFAULTS.hidden_size,
        DEFAULTS.activation,
        DEFAULTS.optimizer,
        DEFAULTS.learning_rate,
        DEFAULTS.batch_size,
        "none",
        None,
    ) and result.vocabulary == tuple(sorted(set(ARTICLE_TEXT)))


ARTICLE_LOOK_AT = (
    "The red crosses are the GeeksforGeeks article's Keras run of this recipe: loss 2.79 at epoch 3, 1.77 at "
    "45, 0.61 at 88; accuracy 0.02, 0.56, then 0.875 by epochs 77–88 (about 0.95 in another "
    "framework). Loss and accuracy are averaged over each epoch's batches, as Keras reports them."
)
CURVES_LOOK_AT = (
    "The loss starts near log(vocabulary size), a uniform guess, and falls as the model learns. "
    "Accuracy is the share of windows whose next character gets the highest probability."
)
GRAD_LOOK_AT = (
    "Spikes in ‖g‖ are what clipping is for. Norm clipping rescales a large gradient and keeps "
    "its direction; element-wise clipping caps each entry and turns the direction."
)
SPECTRUM_LOOK_AT = (
    "W_hh starts orthogonal (every singular value 1). σ_max above the spectral radius means a "
    "non-normal W_hh, which can amplify for a few steps even when ρ < 1."
)


def rnnbow_look_at(name: str) -> str:
    return (
        f"Each row is an epoch, each column a step of the window: the size of that step's term of "
        f"dL/d{name}, averaged over the measured batches. Darker towards step 1 means the gradient fades "
        "going back through time; the grey block is what truncated BPTT never computes."
    )


def _chart(fig, key: str) -> Chart:
    """A chart of the page: its toolbar saves a PNG named after `key`."""
    return Chart(fig, key=key, config=export.chart_config(key.removesuffix("_chart")))


def curve_sections(result, recipe: Recipe) -> list:
    """The loss and accuracy curves (beside the article's numbers for its recipe), then the gradient norm beside
    the spectrum of W_hh, each with what to look at."""
    article = _is_article_recipe(result)
    loss = figures.loss_figure(result, ARTICLE_LOSS if article else None, recipe.epochs)
    accuracy = figures.accuracy_figure(
        result,
        ARTICLE_ACCURACY if article else None,
        recipe.epochs,
        OTHER_FRAMEWORK_ACCURACY if article else None,
    )
    curves = Columns([_chart(loss, "train_loss_chart")], [_chart(accuracy, "train_accuracy_chart")], (1, 1), "small")
    return [
        Section("Loss and accuracy, epoch by epoch", [curves, LookAt(ARTICLE_LOOK_AT if article else CURVES_LOOK_AT)]),
        Row(
            [
                Section(
                    "The gradient norm",
                    [_chart(figures.grad_norm_figure(result, recipe.epochs), "train_grad_chart"), LookAt(GRAD_LOOK_AT)],
                ),
                Section(
                    "The spectrum of W_hh",
                    [
                        _chart(figures.spectrum_figure(result, recipe.epochs), "train_spectrum_chart"),
                        LookAt(SPECTRUM_LOOK_AT),
                    ],
                ),
            ]
        ),
    ]


def rnnbow_section(result, name: str) -> Section:
    """The per-step terms of dL/d`name`, epoch by epoch (RNNbow), with what to look at."""
    return Section(
        f"Per-step terms of ∂L/∂{name} (RNNbow)",
        [_chart(figures.step_terms_heatmap(result, name), "train_rnnbow_chart"), LookAt(rnnbow_look_at(name))],
    )


def charts(result, recipe: Recipe) -> list:
    """The curves, the gradient norm, the spectrum of W_hh and the RNNbow heatmap of the term chosen between
    them, each with what to look at; returns their sections, for the report."""
    curves = curve_sections(result, recipe)
    sections.draw(curves, headings=False)  # the charts' titles name them
    name = st.radio(
        "Per-step terms of",
        ["W_hh", "W_xh"],
        horizontal=True,
        key="train_rnnbow_term",
        format_func=lambda n: f"∂L/∂{n}",
    )
    rnnbow = rnnbow_section(result, name)
    sections.draw([rnnbow], headings=False)
    return [*curves, rnnbow]


RECIPE_LABELS = {
    "seq_length": "window length T (characters)",
    "hidden_size": "hidden size H",
    "activation": "activation f",
    "epochs": "epochs",
    "batch_size": "batch size",
    "optimizer": "optimiser",
    "learning_rate": "learning rate",
    "seed": "seed",
    "clipping": "gradient clipping",
    "clip_threshold": "clipping threshold",
    "truncation": "backpropagated steps",
    "dtype": "precision",
}


def recipe_table(recipe: Recipe) -> pd.DataFrame:
    """The recipe as a two-column table: setting, value."""
    values = asdict(recipe)
    values["truncation"] = "all (full BPTT)" if recipe.truncation is None else f"the last {recipe.truncation}"
    values["optimizer"] = OPTIMIZER_LABELS[recipe.optimizer]
    values["clipping"] = CLIPPING_LABELS[recipe.clipping]
    values["dtype"] = PRECISION_LABELS[recipe.dtype]
    return pd.DataFrame(
        {"setting": [RECIPE_LABELS.get(name, name) for name in values], "value": [str(v) for v in values.values()]}
    )


def report_sample(model: CharModel) -> str | None:
    """Text generated from `model` at temperature 0 (the argmax), from the page's prefix when the model can read
    it, else from the article's; None when it can read neither."""
    prefix = st.session_state.get("gen_prefix") or ARTICLE_PREFIX
    for start in (prefix, ARTICLE_PREFIX):
        try:
            return model.generate(start, REPORT_SAMPLE_CHARS, 0.0)
        except ValueError:
            continue
    return None


def report_button(job: CharTrainer, result, chart_sections: list) -> None:
    """The offline report of the trained model: the run and its recipe, the page's charts and a generated sample."""
    recipe = job.recipe
    sample = report_sample(result.char_model)
    run = Section(
        "The run",
        [
            f"{job.epochs_done} epochs of {recipe.epochs} on {job.n_windows:,} windows of {recipe.seq_length} "
            f"characters; {len(result.vocabulary)} distinct characters. {job.message or ''}".strip(),
            recipe_table(recipe),
        ],
    )
    generated = Section(
        "Generated text",
        [
            f"Temperature 0 (each step takes the most likely character), {REPORT_SAMPLE_CHARS} characters "
            f"added to the prefix, each predicted from the last {recipe.seq_length}:",
            pd.DataFrame({"generated": [sample]}),
        ],
    )
    reported = [run, *chart_sections, *([generated] if sample is not None else [])]
    export.report_button("Train a character model", None, sections.report(reported), key="train_report")


# generation and model files ---
def current_model() -> CharModel | None:
    """The model the page generates from and downloads: the last one trained or uploaded."""
    if st.session_state.get(SOURCE) == "uploaded":
        return st.session_state.get(UPLOADED)
    job = st.session_state.get(JOB)
    return None if job is None else job.result().char_model


def generation_box(model: CharModel | None) -> None:
    """Prefix, length and temperature; temperature 0 takes the argmax, as the article does."""
    if model is None:
        st.caption("Train or upload a model first.")
        return
    st.session_state.setdefault("gen_prefix", ARTICLE_PREFIX)
    with st.form("train_generate", border=True):
        left, middle, right = st.columns([3, 1, 1])
        left.text_input("Start from (prefix)", key="gen_prefix", max_chars=LIMITS.generate_prefix_chars)
        middle.number_input("Characters to add", *LIMITS.generate_chars, value=50, step=10, key="gen_chars")
        right.number_input("Temperature (0 = argmax)", *LIMITS.temperature, value=0.0, step=0.1, key="gen_temp")
        submitted = st.form_submit_button("Generate", type="primary")
    if submitted:
        try:
            st.session_state[GENERATED] = model.generate(
                st.session_state["gen_prefix"], int(st.session_state["gen_chars"]), float(st.session_state["gen_temp"])
            )
        except ValueError as error:
            st.session_state[GENERATED] = None
            st.error(notices.inert(error, notices.ERROR_CHARACTERS), icon=":material/abc:")  # it quotes the prefix
    if st.session_state.get(GENERATED):
        st.code(st.session_state[GENERATED], language=None, wrap_lines=True)
        st.caption(f"Each new character is predicted from the last {model.seq_length} characters.")


def _uploaded() -> None:
    file = st.session_state.get("train_upload")
    if file is None:
        return
    try:
        model = load_model(file.getvalue(), LIMITS)
    except ValueError as error:
        quoted = notices.inert(error, notices.ERROR_CHARACTERS)  # it may name the archive's members
        st.session_state[UPLOAD_NOTICE] = ("error", f"{_named(file)}: {quoted}")
        return
    st.session_state.update({UPLOADED: model, SOURCE: "uploaded", GENERATED: None})
    st.session_state[UPLOAD_NOTICE] = ("success", f"Loaded {_named(file)}: {describe(model)}. Generate from it above.")
    _readable_prefix(model.vocabulary, "".join(model.vocabulary[: model.seq_length]))


def _named(file) -> str:
    """The uploaded file's name, as text (the visitor chose it)."""
    return notices.inert(file.name, limit=60)


def describe(model: CharModel) -> str:
    return (
        f"{model.cell.activation.name} RNN, H = {model.cell.hidden_size}, windows of {model.seq_length}, "
        f"{len(model.vocabulary)} characters"
    )


def model_files(model: CharModel | None) -> None:
    """Download the current model as .npz; upload one back (validated, nothing unpickled)."""
    left, right = st.columns(2)
    with left:
        if model is None:
            st.caption("Nothing to download yet.")
        else:
            st.download_button(
                "Download the model (.npz)",
                data=model_bytes(model),
                file_name="char_rnn.npz",
                mime="application/octet-stream",
                key="train_download",
                on_click="ignore",
                icon=":material/save:",
            )
            origin = "uploaded" if st.session_state.get(SOURCE) == "uploaded" else "trained here"
            st.caption(f"Current model ({origin}): {describe(model)}.")
    with right:
        st.file_uploader(
            "Upload a model (.npz saved by this page)",
            type=["npz"],
            key="train_upload",
            on_change=_uploaded,
            max_upload_size=LIMITS.model_file_bytes // 1_000_000,
        )
        kind, message = st.session_state.get(UPLOAD_NOTICE) or (None, "")
        if kind == "error":
            st.error(message, icon=":material/block:")
        elif kind == "success":
            st.success(message)
