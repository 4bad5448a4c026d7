"""A page's own controls in its link: each widget is bound to the query parameter named by its key, and the link's
value is read once a session through `controls.link_problem`, like every other page parameter.

    value = links.checked("cells_forget_bias", 1.0, links.number_reason(-2.0, 5.0, step=0.5), lambda: st.slider(...))
    ...
    links.apply()  # after the page's controls: puts back any value the link gave that cannot be used

A value the control cannot hold is named in a notice above it, with the value used instead (for a parameter given
twice, Streamlit's pick of the last one). Where Streamlit itself would take a value the page cannot use (e.g. 2.5 in a
box of whole numbers), the control is put back to its default and the script reruns once, so the control always shows
what the notice says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import streamlit as st

from rnnviz.settings import LIMITS
from ui import controls

RESETS = "_page_link_resets"  # widget key -> its default, set before the widget on the next run
CARRIED = "_page_link_carried"  # widget key -> (the link's value, why), shown on the run after a reset
READ = "_page_link_problems"  # widget key -> (the link's value, why), read in this run (shown again if it reruns)


def checked(key: str, default, reason: Callable[[str], str | None], draw: Callable[[], object], shown=None):
    """Draw the bound widget `key` with `draw()` after reading the link's value for it; returns its value.

    `default` is the widget's value without a link; `reason(raw)` says why the link's text cannot be used (None when it
    can); `shown(value)` is how the notice names the value used (the value itself by default).
    """
    resets = st.session_state.setdefault(RESETS, {})
    if key in resets:
        st.session_state[key] = resets.pop(key)
    carried = st.session_state.setdefault(CARRIED, {})
    problem = carried.pop(key, None) or controls.link_problem(key, reason)
    if problem is not None:
        st.session_state.setdefault(READ, {})[key] = problem
    notice = st.empty() if problem else None  # above the widget, filled once its value is known
    value = draw()
    if problem is not None and value != default and reason(_written(value, shown)) is not None:
        resets[key] = default  # Streamlit took a value the page cannot use (e.g. 2.5 for a whole number): put it back
        return value
    if notice is not None:
        with notice:
            controls.show_link_problem(key, problem, shown(value) if shown else value)
    return value


def _written(value, shown) -> str:
    """`value` as a link writes it: a choice as the widget shows it, a whole float without its ".0"."""
    if shown is not None:
        return str(shown(value))
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def apply() -> None:
    """Rerun once if a control took a value from the link that cannot be used (`checked` put its default back)."""
    read = st.session_state.pop(READ, {})
    if st.session_state.get(RESETS):
        st.session_state.setdefault(CARRIED, {}).update(read)  # this run's notices are shown by the next
        st.rerun()


def number_reason(
    low: float, high: float, step: float | None = None, whole: bool = False
) -> Callable[[str], str | None]:
    """A reason for a number from low to high (a whole number if `whole`), on the steps low, low + step, … if given."""

    def reason(raw: str) -> str | None:
        text = str(raw).strip()
        if not text or len(text) > LIMITS.query_value_length:
            return "it is not a number"
        try:
            value = float(text) if not whole else int(text)
        except ValueError:
            return "it is not a whole number" if whole else "it is not a number"
        if not math.isfinite(value):
            return "it is not a finite number"
        if not low <= value <= high:
            return f"it is outside {low:g} to {high:g}"
        if step is not None and not math.isclose((value - low) / step, round((value - low) / step), abs_tol=1e-9):
            return f"it is not a step of {step:g} from {low:g}"
        return None

    return reason


def choice_reason(options: Iterable, format_func: Callable = str) -> Callable[[str], str | None]:
    """A reason for one of `options`, as the link writes it (the option as the widget shows it)."""
    written = [str(format_func(option)) for option in options]
    return lambda raw: None if raw in written else "it is not one of the choices"


def flag_reason(raw: str) -> str | None:
    """A reason for a checkbox: the link writes true or false."""
    return None if str(raw).strip().lower() in ("true", "false") else "it is not true or false"


def link_value(key: str, default, reason: Callable[[str], str | None], parse: Callable[[str], object]):
    """What a control bound to `key` will show, read before it is drawn: the session's value, else the link's if
    usable, else `default`."""
    if key in st.session_state:
        return st.session_state[key]
    given = st.query_params.get_all(key)
    if len(given) == 1 and reason(given[0]) is None:
        return parse(given[0])
    return default
