"""Everything the pages say besides their charts: link notices, the regime badge, the overflow banner, the
"what to look at" captions, and the guard that turns a failure into words instead of a traceback."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import streamlit as st

from rnnviz import verdicts
from rnnviz.experiment import Experiment
from rnnviz.settings import Settings
from ui.cache import experiment_for

_LOGGER = logging.getLogger("rnnviz.app")
REGIME_COLOURS = {"vanishing": "blue", "exploding": "red", "near the edge": "green"}
FAILURE_PREFIX = "This view could not be computed"
SHOWN_CHARACTERS = 24  # a link's value is quoted up to this many characters
ERROR_CHARACTERS = 300  # an error's message is quoted up to this many characters


def inert(text: object, limit: int | None = None) -> str:
    """Markdown that shows `text` (from a link, an upload or a text box) as it is: a code span, in which nothing is a
    link, an image, HTML, math or an icon.

    The span's fence is one backtick longer than any run of backticks in the text, so the text cannot close it.
    Whitespace is collapsed to single spaces and invisible or control characters are shown as "�"; longer than
    `limit` characters, the text is cut there and ends with "…".
    """
    shown = " ".join(str(text).split())
    shown = "".join("\ufffd" if unicodedata.category(char).startswith("C") else char for char in shown)
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + "…"
    if not shown:
        return "(nothing)"
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", shown)), default=0))
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""  # one space each side is dropped again
    return f"{fence}{pad}{shown}{pad}{fence}"


def reason_of(error: Exception, key: str, raw: str) -> str:
    """The reason in `parse_value`'s message without its `key='value'` prefix, e.g. "it is outside 2 to 256"."""
    message, text = str(error), str(raw).strip()
    for prefix in (f"{key}={text!r} ", f"{key} "):
        if message.startswith(prefix):
            message = "it " + message[len(prefix) :]
            break
    return "it cannot be used" if text and text in message else message  # the value is only ever quoted inert


def link_notice(key: str, raw: str, reason: str, used) -> str:
    """One line of the link notice, e.g. "`H=10000`: it is outside 2 to 256; using 32 instead".

    The value is quoted through `inert`, so a link cannot put its own link, image or HTML on the page."""
    shown = " ".join(str(raw).split())
    if len(shown) > SHOWN_CHARACTERS:
        shown = shown[:SHOWN_CHARACTERS] + "…"
    return f"{inert(f'{key}={shown}')}: {reason}; using {_format(used)} instead."


def _format(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def show_link_notices(lines: list[str]) -> None:
    """A warning listing every parameter of the link that was not used."""
    if lines:
        st.warning(
            "Some settings in this link could not be used, so their defaults stand:\n\n"
            + "\n".join(f"- {line}" for line in lines),
            icon=":material/warning:",
        )


def regime_badge(exp: Experiment, key: str = "regime") -> None:
    """The regime label as a coloured badge, in a container with CSS class `st-key-<key>`."""
    label = exp.regime.label
    with st.container(key=key):
        st.markdown(f"**Regime:** :{REGIME_COLOURS.get(label, 'gray')}-badge[{label}]")


def headline(exp: Experiment) -> str:
    """E.g. "‖∂h_T/∂h_0‖ = 10^-12.3 over 60 steps", in plain Unicode (it sits in the sidebar of every page, which
    then needs no math typesetting to draw)."""
    start = exp.norms.log10_spectral[0]
    steps = exp.analysed_steps
    if np.isnan(start) or start == np.inf:
        return f"‖∂h_T/∂h_0‖ left floating point over {steps} steps"
    return f"‖∂h_T/∂h_0‖ = {verdicts.power_of_ten(start)} over {steps} steps"


def sidebar_summary(settings: Settings) -> None:
    """The regime of the current settings, under the controls, so every change shows its effect at once."""
    st.divider()
    try:
        exp = experiment_for(settings)
    except Exception as error:  # noqa: BLE001 - any failure of the core becomes words, never a traceback
        _LOGGER.exception("simulate failed for %s", settings)
        st.error(f"{FAILURE_PREFIX} for these settings: {error}")
        return
    regime_badge(exp, key="regime")
    st.caption(
        f"{headline(exp)}; measured {verdicts.growth_sentence(exp.growth, exp.analysed_steps)}. "
        f"{verdicts.pascanu_sentence(exp.gamma, exp.weights['sigma_max'], exp.analysed_steps)}."
    )
    st.caption("The address bar holds every setting: copy it to share this exact view.")


def overflow_banner(exp: Experiment) -> None:
    """When the state overflowed: say where, and that the charts show the finite part."""
    if exp.overflow_step is None:
        return
    st.error(
        f"**The hidden state overflowed at step {exp.overflow_step}: the gradients exploded.** "
        f"The charts show the finite part, steps 1 to {exp.analysed_steps}. Lower the weight scale or "
        f"the sequence length to see the whole run.",
        icon=":material/local_fire_department:",
    )


def look_at(text: str) -> None:
    """The one to three sentences beside a chart on what to look at."""
    st.caption(f"**Look at:** {text}")


@contextmanager
def page_guard(what: str = "this view") -> Iterator[None]:
    """Run a page's body; any failure becomes a clear message (and a log entry), the settings stay as they were."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the reader sees words, the log keeps the traceback
        _LOGGER.exception("%s failed", what)
        st.error(
            f"{FAILURE_PREFIX}: {inert(f'{type(error).__name__}: {error}', limit=ERROR_CHARACTERS)}. The settings are "
            "unchanged; change one to try again."
        )


def failure(error: str | None) -> None:
    """A failed run's words, quoted as text (the log keeps the traceback)."""
    st.error(f"{FAILURE_PREFIX}: {inert(error or '', limit=ERROR_CHARACTERS)}")
