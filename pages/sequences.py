"""Sequences: a sentence as one-hot vectors, padding, why weight sharing saves parameters, the shapes of RNN.

The three parts are the page's views (tabs in the URL, `sequences_view`): only the open one is drawn, and what the
user typed in one view is kept while another is open."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from rnnviz.inputs import END, PAD, START
from rnnviz.report import Equation
from rnnviz.sequences import (
    EXAMPLE_SENTENCES,
    RNN_SHAPES,
    EncodedSentences,
    ParameterCounts,
    parameter_counts,
)
from rnnviz.settings import LIMITS, QUERY_KEYS, Settings, to_query
from ui import controls, export, labels, links, notices, presenter, sections, views
from ui.cache import count_figure_for, encoded_with_figures, shape_figures
from ui.sections import Chart, LookAt, Section, Shown

MAX_CHARACTERS = LIMITS.sequence_text_chars
MAX_SENTENCES = LIMITS.sequence_sentences
MAX_TOKENS = LIMITS.sequence_tokens
COUNT_LIMITS = {"T": LIMITS.count_tokens, "V": LIMITS.count_vocabulary, "H": LIMITS.count_hidden}
ARTICLE_COUNTS = {"T": 20, "V": 20_000, "H": 10}
SHAPE_COLUMNS = 2
APPLICATIONS = (  # where the introductory articles say RNNs are used
    "time-series forecasting",
    "language modelling and text generation",
    "machine translation",
    "speech recognition",
    "sentiment analysis",
    "image captioning",
    "music generation",
)
VIEWS = ("One-hot vectors", "Weight sharing", "The shapes of RNN")
ENTRIES = {  # what the user types on this page: widget key -> the value before they type
    "sentences": "\n".join(EXAMPLE_SENTENCES),
    "start_end": True,
    **{f"count_{name}": float(value) for name, value in ARTICLE_COUNTS.items()},  # float boxes: see count_section
}
LINKED = {  # the entries in the link -> why a link's value cannot be used; the typed sentences stay out of it
    "start_end": links.flag_reason,
    **{f"count_{name}": links.number_reason(*COUNT_LIMITS[name], step=1) for name in ARTICLE_COUNTS},
}


def read_sentences(text: str) -> tuple[list[str], list[str]]:
    """The sentences to encode (one per non-empty line, bounded) and a message for each bound applied."""
    messages = []
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_SENTENCES:
        messages.append(f"Only the first {MAX_SENTENCES} sentences are used ({len(lines)} were typed).")
        lines = lines[:MAX_SENTENCES]
    kept = []
    for number, line in enumerate(lines, start=1):
        words = line.split()
        if len(words) > MAX_TOKENS:
            messages.append(f"Sentence {number} has {len(words)} tokens; its first {MAX_TOKENS} are used.")
            words = words[:MAX_TOKENS]
        kept.append(" ".join(words))
    return kept, messages


def token_table(encoded: EncodedSentences) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sentence": list(encoded.sentences),
            "tokens": [" | ".join(words) for words in encoded.tokens],
            "number of tokens": list(encoded.lengths),
        }
    )


def padded_table(encoded: EncodedSentences) -> pd.DataFrame:
    steps = [f"step {t + 1}" for t in range(len(encoded.padded[0]))]
    return pd.DataFrame(
        [list(row) for row in encoded.padded],
        columns=steps,
        index=[f"sentence {n + 1}" for n in range(len(encoded.padded))],
    ).reset_index(names="")


def vocabulary_table(encoded: EncodedSentences) -> pd.DataFrame:
    return pd.DataFrame({"index": range(len(encoded.vocabulary)), "token": list(encoded.vocabulary.tokens)})


def keep_entries() -> None:
    """Give every entry its value before the widgets are drawn (the link's, for those in it), and keep it through the
    runs in which its view is closed (Streamlit forgets the value of a widget that a run does not draw, unless it is
    set like this)."""
    for key, value in ENTRIES.items():
        if key in LINKED:
            value = links.link_value(key, value, LINKED[key], float if key.startswith("count_") else _flag)
        st.session_state[key] = st.session_state.get(key, value)


def _flag(raw: str) -> bool:
    return raw.strip().lower() == "true"


def linked_entry(key: str, draw):
    """An entry that is in the link (`LINKED`): its link value read once, a notice for one it cannot hold."""
    return links.checked(key, ENTRIES[key], LINKED[key], draw)


TEXT_HEADING = "1. From a sentence to one-hot vectors"
TEXT_INTRO = (
    "Split on whitespace, every word is a **token**. The **vocabulary** lists each distinct token once; a token "
    "becomes a **one-hot** vector: all zeros but a 1 at its place in the vocabulary. The RNN reads one vector "
    "per step, so sentences of any length go through the same cell."
)
ONE_HOT_LOOK_AT = (
    "Each row has exactly one 1: that is the token read at that step. Rows of the same word are identical, "
    f"wherever it stands; the {PAD} rows are what padding adds."
)


def sentence_entries() -> None:
    """The sentences typed and whether to frame them (the framing is in the link)."""
    st.text_area(
        "Sentences, one per line",
        max_chars=MAX_CHARACTERS,
        key="sentences",
        height=110,
        help=f"Up to {MAX_SENTENCES} sentences of up to {MAX_TOKENS} tokens each.",
    )
    st.caption("The sentences stay while you use the app, but a link does not carry them: it holds the settings.")
    linked_entry(
        "start_end",
        lambda: st.checkbox(
            f"Frame each sentence with {START} and {END}",
            value=ENTRIES["start_end"],  # the default a link leaves out
            key="start_end",
            bind="query-params",
        ),
    )
    links.apply()


def text_sections(text: str, framed: bool) -> list[Section]:
    """The first view: the entries, the tokens, the padded batch, the one-hot vectors and the vocabulary of `text`
    (built outside the script run too, for the report: what the user entered is passed in)."""
    sentences, messages = read_sentences(text)
    items = [TEXT_INTRO, Shown(sentence_entries)]
    items += [Shown(partial(st.warning, message, icon=":material/content_cut:")) for message in messages]
    if not sentences:
        info = "Type at least one sentence above to see its tokens and one-hot vectors."
        return [Section(TEXT_HEADING, [*items, Shown(partial(st.info, info))], level=2)]
    encoded, one_hot_figures = encoded_with_figures(tuple(sentences), framed)
    tokens, padded = token_table(encoded), padded_table(encoded)
    padding_words = (
        f"To run several sentences as one batch they must have the same length: each is "
        f"{'framed by ' + START + ' and ' + END + ' and ' if framed else ''}filled up with {PAD} to the longest one "
        f"({len(encoded.padded[0])} steps here)."
    )
    tokens_csv = partial(export.csv_button, tokens, "tokens.csv", label="Download the tokens (CSV)")
    padded_csv = partial(export.csv_button, padded, "padded.csv", label="Download the padded sentences (CSV)")
    return [
        Section(TEXT_HEADING, [*items, tokens, Shown(tokens_csv)], level=2),
        Section("Padding to the longest sentence", [padding_words, padded, Shown(padded_csv)]),
        Section(
            f"The vocabulary ({len(encoded.vocabulary)} tokens) and the one-hot vectors",
            [
                Shown(partial(one_hot_tabs, one_hot_figures), one_hot_figures),
                LookAt(ONE_HOT_LOOK_AT),
                Shown(partial(vocabulary_folded, encoded), vocabulary_table(encoded)),
            ],
        ),
    ]


def one_hot_tabs(one_hot_figures: list) -> None:
    """The one-hot vectors of the sentence picked: only the open sentence is drawn."""
    names = [f"Sentence {n + 1}" for n in range(len(one_hot_figures))]
    sentence, tab = views.open_view(names, key="sentence", in_link=False)
    index = names.index(sentence)
    with tab:
        st.plotly_chart(
            presenter.fit(one_hot_figures[index]),
            key=f"one_hot_{index}",
            config=export.chart_config(f"one_hot_{index + 1}"),
        )


def vocabulary_folded(encoded: EncodedSentences) -> None:
    """The vocabulary as a table with its download, drawn while its expander is open."""
    table = views.folded("The vocabulary as a table", key="vocabulary_table")
    if table is not None:
        vocabulary = vocabulary_table(encoded)
        with table:
            st.dataframe(vocabulary, hide_index=True)
            export.csv_button(vocabulary, "vocabulary.csv", label="Download the vocabulary (CSV)")


def entered_counts() -> ParameterCounts:
    return parameter_counts(*(round(st.session_state[f"count_{name}"]) for name in ("T", "V", "H")))


def dense_input_step(counts: ParameterCounts) -> str:
    """The step from one-hot vectors to the dense network's input, with the counts' own numbers."""
    return (
        f"Laid end to end, the padded sentence's T = {counts.seq_length:,} one-hot vectors of length "
        f"V = {counts.vocabulary_size:,} make **one input of T·V = {counts.dense_input_size:,} numbers**. Each is "
        f"connected to each of the H = {counts.hidden_size:,} hidden units: {counts.dense_input_size:,} × "
        f"{counts.hidden_size:,} = {counts.dense_input_weights:,} input weights."
    )


def more_parameters_answer(counts: ParameterCounts) -> str:
    """'Does an RNN have more parameters than a dense network?' answered for the counts on screen."""
    rnn, dense = counts.rnn_weights, counts.dense_weights
    if rnn < dense:
        verdict = f"**no**, {dense / rnn:,.1f} times fewer"
    elif rnn > dense:
        verdict = f"**yes**, {rnn / dense:,.1f} times more, because W_hh adds H·H = {counts.rnn_recurrent_weights:,}"
    else:
        verdict = "**the same number**"
    return (
        f"*Does an RNN have more parameters than a dense network?* For these sizes, {verdict}: the recurrent layer "
        f"holds {rnn:,} weights and biases (V·H + H·H + H), the dense layer {dense:,} (T·V·H + H)."
    )


COUNT_HEADING = "2. Why an RNN shares its weights"
COUNT_INTRO = (
    "A dense network on the padded one-hot input sees the whole sentence at once: it needs a weight for every "
    "(position, word, hidden unit). An RNN applies the same $W_{xh}$ at every step, so its input weights do not "
    "depend on the length."
)
SHAPES_HEADING = "3. The shapes of RNN"
SHAPES_INTRO = (
    "RNNs read anything that comes as a sequence: " + ", ".join(APPLICATIONS) + ". What changes between tasks "
    "is where the inputs go in and where the outputs, with their loss terms, come out. The loss decides which "
    "gradient terms exist: a link opens the Gradients page with that loss placement."
)
SHAPES_LOOK_AT = (
    "Green arrows: inputs x_t; red arrows: outputs y_t with a loss L_t. Many to one has a single red arrow, so "
    "every gradient term travels back from the last step; many to many adds a term at every step."
)


def count_entries() -> None:
    """T, V and H, each in the link."""
    names = {"T": "Tokens per sentence T (padded)", "V": "Vocabulary size V", "H": "Hidden units H"}
    for column, (name, label) in zip(st.columns(3), names.items(), strict=True):
        low, high = COUNT_LIMITS[name]
        with column:  # a float box holding whole numbers: Streamlit's integer box fails on a link's `inf`
            linked_entry(
                f"count_{name}",
                partial(
                    st.number_input,
                    label,
                    min_value=float(low),
                    max_value=float(high),
                    value=ENTRIES[f"count_{name}"],  # the default a link leaves out
                    step=1.0,
                    format="%.0f",
                    key=f"count_{name}",
                    bind="query-params",
                ),
            )
    links.apply()


def sentences_caption(text: str, framed: bool) -> str | None:
    """T and V of the typed sentences beside the article's example (None when no sentence is typed)."""
    sentences, _ = read_sentences(text)
    if not sentences:
        return None
    encoded = encoded_with_figures(tuple(sentences), framed)[0]
    return (
        f"Your sentences (first tab): T = {len(encoded.padded[0])} padded steps, "
        f"V = {len(encoded.vocabulary)}. The sentiment article's example (“{EXAMPLE_SENTENCES[0]}”, padded): "
        + ", ".join(f"{name} = {value:,}" for name, value in ARTICLE_COUNTS.items())
        + "."
    )


def count_metrics(counts: ParameterCounts) -> None:
    left, middle, right = st.columns(3)
    left.metric("Dense network: input weights T·V·H", f"{counts.dense_input_weights:,}")
    middle.metric("RNN: input weights V·H (W_xh)", f"{counts.rnn_input_weights:,}")
    right.metric("RNN: the recurrent layer (W_xh, W_hh, b_h)", f"{counts.rnn_weights:,}")


def count_sections(text: str, framed: bool, counts: ParameterCounts) -> list[Section]:
    """The second view: the sizes, the weights a dense network and an RNN need for them, and the chart."""
    caption = sentences_caption(text, framed)
    counted = Equation(
        r"\text{dense: } T \cdot V \cdot H \qquad \text{RNN: } V \cdot H",
        f"dense: T·V·H = {counts.dense_input_weights:,}    RNN: V·H = {counts.rnn_input_weights:,}",
    )
    look_at = (
        f"The dense network needs T = {counts.seq_length:,} times the RNN's input weights, and a new network for "
        "every length. The RNN's count stays the same however long the sentence."
    )
    items = [
        COUNT_INTRO,
        Shown(count_entries),
        *([Shown(partial(st.caption, caption))] if caption else []),
        dense_input_step(counts),
        Shown(partial(count_metrics, counts), counted),
        more_parameters_answer(counts),
        Chart(count_figure_for(counts), "parameter_counts", export.chart_config("parameter_counts")),
        LookAt(look_at),
    ]
    return [Section(COUNT_HEADING, items, level=2)]


def shape_cards(settings: Settings) -> None:
    """Each shape of RNN in a card: its drawing, examples, note, and a link to Gradients per loss placement."""
    figures = shape_figures()
    for start in range(0, len(RNN_SHAPES), SHAPE_COLUMNS):
        for column, shape in zip(st.columns(SHAPE_COLUMNS), RNN_SHAPES[start : start + SHAPE_COLUMNS], strict=False):
            with column.container(border=True):
                fig = figures[RNN_SHAPES.index(shape)]
                st.plotly_chart(presenter.fit(fig), key=f"shape_{shape.id}", config=export.chart_config(shape.id))
                st.markdown(shape_examples(shape))
                st.caption(shape.note)
                for placement in shape.loss_placements:
                    where = labels.choice_label("loss_placement", placement)
                    st.page_link(  # a short label: a page link does not wrap, and the card is narrow
                        "pages/gradients.py",
                        label=f"Gradients, {where.split(':')[0]}",
                        help=f"Opens the Gradients page with this loss placement ({where}).",
                        icon=":material/trending_down:",
                        query_params={**_query_without_loss(settings), QUERY_KEYS["loss_placement"]: placement},
                    )


def shape_examples(shape) -> str:
    return "**Examples:** " + "; ".join(shape.examples)


def shapes_sections(settings: Settings) -> list[Section]:
    """The third view: the shapes of RNN, each with its examples, in cards that link to Gradients."""
    figures = shape_figures()
    reported = [
        part
        for fig, shape in zip(figures, RNN_SHAPES, strict=True)
        for part in (fig, shape_examples(shape), shape.note)
    ]
    cards = Shown(partial(shape_cards, settings), reported)
    return [Section(SHAPES_HEADING, [SHAPES_INTRO, cards, LookAt(SHAPES_LOOK_AT)], level=2)]


def _query_without_loss(settings: Settings) -> dict[str, str]:
    query = to_query(settings)
    query.pop(QUERY_KEYS["loss_placement"], None)
    return query


def report_sections(text: str, framed: bool, counts: ParameterCounts, settings: Settings) -> list:
    """Every view's sections, for the offline report. It is built when its button is clicked, outside the script
    run, so what the user entered (the sentences, the framing, the counts) is passed in."""
    return sections.report(
        [*text_sections(text, framed), *count_sections(text, framed, counts), *shapes_sections(settings)]
    )


settings = controls.current_settings()
st.title("Sequences: text as input, and the shapes of RNN")
keep_entries()
with notices.page_guard("the sequences page"):
    view, tab = views.open_view(VIEWS, key="sequences_view")
    entered = (st.session_state["sentences"], bool(st.session_state["start_end"]))
    with tab:
        if view == VIEWS[0]:
            sections.draw(text_sections(*entered))
        elif view == VIEWS[1]:
            sections.draw(count_sections(*entered, entered_counts()))
        else:
            sections.draw(shapes_sections(settings))
    st.divider()
    export.report_button("Sequences", settings, partial(report_sections, *entered, entered_counts(), settings))
