"""The shared controls: one sidebar on every page, every setting in the page's address (its URL query parameter).

Each widget's key is the setting's URL name (`rnnviz.settings.QUERY_KEYS`). The numbers are bound with
`bind="query-params"`; the choices, whose boxes show a name rather than the value, are written to the address by
`_keep_choices_in_link` on every run. So the address bar always holds the exact view and a shared link reopens it.

Streamlit silently drops a bound parameter it cannot use (a choice it does not know, a number it cannot
parse, a number outside the widget's range, an empty value) and shows the widget's default instead. So on
the first run of a session the link is read here first, each parameter through `rnnviz.settings.parse_value`,
and everything that is not used is named in a visible notice. Where Streamlit would accept a value that
`parse_value` refuses (e.g. `H=64.0`), the widget is put back to its default and the script reruns once, so the
settings always follow `parse_value` and the notice tells the truth.

A page's own parameters (its step, its view, a lesson) are read once a session through `link_problem`, and a value
the page cannot use is named in a notice the same way. Every value a notice quotes goes through `notices.inert`, so
a link cannot put a link, an image or HTML of its own on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from rnnviz.settings import CHOICES, DEFAULTS, LIMITS, QUERY_KEYS, RANGES, Settings, parse_value
from ui import labels, notices

LINK_READ = "_link_read"  # set once the first run of the session has read the link
LINK_NOTICES = "_link_notices"  # notices carried over the one rerun that puts refused values back
LINK_RESETS = "_link_resets"  # widget key -> default, applied before the widgets of that rerun
CHOICES_WRITTEN = "_choices_written"  # (page, setting name -> the value the last run wrote there, None: left out)
PAGE_LINKS_READ = "_page_links_read"  # the page parameters (outside the sidebar) whose link value has been read


def sidebar(page: str = "") -> Settings:
    """Draw the shared controls in the sidebar and return the settings they hold; `page` names the page drawn
    (its address path)."""
    for key, value in st.session_state.pop(LINK_RESETS, {}).items():
        st.session_state[key] = value
    first_run = LINK_READ not in st.session_state
    st.session_state[LINK_READ] = True
    requested, refused, link_notices = read_link(st.query_params) if first_run else ({}, set(), [])
    link_notices = st.session_state.pop(LINK_NOTICES, []) + link_notices
    chosen = {name: value for name, (_, value) in requested.items() if name in CHOICES}
    chosen |= _choices_moved_in_address(page)
    for name, value in chosen.items():
        st.session_state[QUERY_KEYS[name]] = value

    with st.sidebar:
        values = _widgets()
    _keep_choices_in_link(values, page)

    resets = {}
    seed = round(values["seed"])  # a whole number unless a fraction was typed into the box, e.g. 3.5
    if seed != values["seed"]:
        resets[QUERY_KEYS["seed"]] = seed  # an int, so the link says seed=4, not seed=4.0
    values["seed"] = seed
    for name, (raw, value) in requested.items():
        if values[name] != value:  # e.g. a repeated or otherwise odd parameter that Streamlit dropped
            link_notices.append(notices.link_notice(QUERY_KEYS[name], raw, "it could not be applied", values[name]))
    for name in refused:
        if values[name] != DEFAULTS[name]:
            resets[QUERY_KEYS[name]] = DEFAULTS[name]
    if resets:
        st.session_state[LINK_RESETS] = resets
        st.session_state[LINK_NOTICES] = link_notices
        st.rerun()

    settings = Settings(**values)
    notices.show_link_notices(list(dict.fromkeys(link_notices)))
    with st.sidebar:
        notices.sidebar_summary(settings)
    return settings


def _keep_choices_in_link(values: Mapping[str, object], page: str) -> None:
    """Each choice in the address as its value (`activation=leaky_relu`), written on every run so that it stays
    through every page change; left out at its default, as the bound controls are. What changed is written in one
    update (each write is a step of the browser's history)."""
    written, changed = {}, {}
    for name in CHOICES:
        key, value = QUERY_KEYS[name], str(values[name])
        if values[name] == DEFAULTS[name]:
            if key in st.query_params:
                del st.query_params[key]
            written[name] = None
        else:
            if st.query_params.get_all(key) != [value]:
                changed[key] = value
            written[name] = value
    if changed:
        st.query_params.update(changed)
    st.session_state[CHOICES_WRITTEN] = (page, written)


def _choices_moved_in_address(page: str) -> dict[str, str]:
    """The choices the address holds that the boxes must follow: on the same page, what differs from what the last
    run wrote there (the browser's Back and Forward buttons move the address; the boxes follow it, as the bound
    controls do); on another page, what a link to it sets (a page change through the navigation starts from an
    address without them: the boxes keep their values and the run writes them again)."""
    last_page, written = st.session_state.get(CHOICES_WRITTEN, (None, None))
    if written is None:
        return {}
    moved = {}
    for name, options in CHOICES.items():
        raw = st.query_params.get(QUERY_KEYS[name])
        if last_page != page:
            if raw in options:
                moved[name] = raw
        elif raw != written.get(name) and (raw is None or raw in options):
            moved[name] = DEFAULTS[name] if raw is None else raw
    return moved


def current_settings() -> Settings:
    """The settings the sidebar holds (the pages call this; `sidebar` has normally run before them).

    A page can run without the entry point: a `pages/` folder beside app.py makes Streamlit start in its
    file-based mode, which runs a deep-linked page file alone until `st.navigation` has run once (on a fresh
    server whose first request is e.g. /gradients, and in AppTest). Then the script is rerun through app.py,
    so the sidebar, the page config and the navigation are all there; if that cannot happen, the page draws
    the sidebar itself.
    """
    if not all(key in st.session_state for key in QUERY_KEYS.values()):
        require_entry_point()
        return sidebar()
    return Settings(**{name: st.session_state[key] for name, key in QUERY_KEYS.items()})


def require_entry_point() -> None:
    """Rerun through app.py when Streamlit's file-based mode ran this page alone (see `current_settings`).

    Every page calls it first, directly or through `current_settings`, so a deep link to any page on a fresh
    server opens with the navigation, the page config and the sidebar.
    """
    if PagesManager.uses_pages_directory:  # Streamlit's file-based mode ran this page alone
        PagesManager.uses_pages_directory = False  # what st.navigation in app.py sets on its first run
        st.rerun()


def load(settings: Settings) -> None:
    """Set every control to `settings` (a button callback: bound widgets change only through session_state)."""
    for name, value in asdict(settings).items():
        st.session_state[QUERY_KEYS[name]] = value  # the seed as an int: the link then says seed=4, not seed=4.0


def read_link(params: Mapping[str, str]) -> tuple[dict[str, tuple[str, object]], set[str], list[str]]:
    """What a link asks for: name -> (raw text, parsed value), the names it gives unusable values, and a
    notice naming each of those."""
    requested, refused, link_notices = {}, set(), []
    for name, key in QUERY_KEYS.items():
        if key not in params:
            continue
        given = params.get_all(key) if hasattr(params, "get_all") else [params[key]]
        raw = given[-1] if given else ""
        try:
            if len(given) > 1:
                raise ValueError(f"{key} is given more than once")
            requested[name] = (raw, parse_value(name, raw))
        except ValueError as error:
            refused.add(name)
            link_notices.append(notices.link_notice(key, raw, notices.reason_of(error, key, raw), DEFAULTS[name]))
    return requested, refused, link_notices


def _widgets() -> dict[str, object]:
    """One widget per setting, in the order a reader meets them in the recurrence."""
    st.header("Settings")
    values = {}
    for name in ("activation", "scale", "init", "hidden_size", "seq_length", "input_kind", "loss_placement", "seed"):
        values[name] = _widget(name)
    st.button("Reset to defaults", key="reset_settings", on_click=load, args=(Settings(),), width="stretch")
    return values


def _widget(name: str):
    key, label, help_text = QUERY_KEYS[name], labels.CONTROL_LABELS[name], labels.CONTROL_HELP[name]
    default = DEFAULTS[name]
    if name in CHOICES:
        # Not bound to the link: a bound select box writes the name it shows ("leaky ReLU") into the address, and the
        # link keeps the value ("leaky_relu"). `sidebar` applies the link's value and `_keep_choices_in_link` writes it.
        st.session_state.setdefault(key, default)
        value = st.selectbox(
            label, list(CHOICES[name]), key=key, help=help_text, format_func=lambda v, n=name: labels.choice_name(n, v)
        )
        if labels.choice_label(name, value) != labels.choice_name(name, value):
            st.caption(labels.choice_label(name, value))
        return value
    low, high = RANGES[name]
    if name == "seed":
        # A float box holding whole numbers: Streamlit's integer box converts a link's `inf` or `1e400` with int()
        # before any check and fails on every run; its float box sets any value that is not finite or is out of
        # range back to the default (then `sidebar` rounds what was typed).
        return st.number_input(
            label,
            min_value=float(low),
            max_value=float(high),
            value=float(default),
            step=1.0,
            format="%.0f",
            key=key,
            help=help_text,
            bind="query-params",
        )
    if name == "scale":
        return st.slider(
            label,
            min_value=float(low),
            max_value=float(high),
            value=float(default),
            step=LIMITS.scale_step,
            format="%.2f",
            key=key,
            help=help_text,
            bind="query-params",
        )
    return st.slider(
        label, min_value=low, max_value=high, value=default, step=1, key=key, help=help_text, bind="query-params"
    )


def link_problem(key: str, reason: Callable[[str], str | None]) -> tuple[str, str] | None:
    """Whether the link gives the page parameter `key` a value the page cannot use: (the value, why), or None.

    `reason(raw)` says why `raw` cannot be used, or None when it can. A parameter given more than once cannot be used
    either. Each parameter is read once a session, so its notice is shown once, when the link is opened.
    """
    read = st.session_state.setdefault(PAGE_LINKS_READ, set())
    if key not in st.query_params or key in read:
        return None
    read.add(key)
    given = st.query_params.get_all(key)
    raw = given[-1] if given else ""
    why = "it is given more than once" if len(given) > 1 else reason(raw)
    return None if why is None else (raw, why)


def show_link_problem(key: str, problem: tuple[str, str] | None, used) -> None:
    """The notice for a `link_problem` (if any), naming the value the page uses instead."""
    if problem is not None:
        raw, why = problem
        notices.show_link_notices([notices.link_notice(key, raw, why, used)])


def one_of(options) -> Callable[[str], str | None]:
    """A `link_problem` reason for a value that must be one of `options` (as written in the link)."""
    return lambda raw: None if raw in [str(option) for option in options] else "it is not one of the choices"


def queue_link_problem(key: str, problem: tuple[str, str] | None, used) -> None:
    """Like `show_link_problem`, for a parameter read before `sidebar` runs: its line joins the sidebar's notice."""
    if problem is not None:
        raw, why = problem
        st.session_state.setdefault(LINK_NOTICES, []).append(notices.link_notice(key, raw, why, used))


def whole_number_reason(low: int, high: int) -> Callable[[str], str | None]:
    """A `link_problem` reason for a whole number from low to high."""

    def reason(raw: str) -> str | None:
        text = str(raw).strip()
        if not text or len(text) > LIMITS.query_value_length:
            return "it is not a whole number"
        try:
            value = int(text)
        except ValueError:
            return "it is not a whole number"
        return None if low <= value <= high else f"it is outside {low} to {high}"

    return reason


def step_value(key: str, low: int, high: int, first: int) -> int:
    """What a `step_slider` over low..high shows, read where the slider is not drawn: the session's value, else
    the link's, else `first`; clamped into the range (a malformed value in the link gives `first`)."""
    raw = st.session_state.get(key, st.query_params.get(key, first))
    try:
        return min(max(int(raw), low), high)
    except (TypeError, ValueError):
        return first


def step_slider(label: str, key: str, low: int, high: int, first: int | None = None, help_text: str = "") -> int:
    """A bound slider over steps low..high that keeps its value when the range changes (clamped into it).

    `first` is the value shown before the user picks one (the widget's own default is `low`), also when the link's
    value cannot be used (then a notice says so).
    """
    problem = link_problem(key, whole_number_reason(low, high))
    if key in st.session_state:
        st.session_state[key] = min(max(int(st.session_state[key]), low), high)
    elif first is not None and (key not in st.query_params or problem is not None):
        st.session_state[key] = min(max(first, low), high)
    notice = st.empty() if problem else None  # above the slider, filled once its value is known
    if high <= low:
        st.caption(f"{label}: {low} (the only one)")
        st.session_state.pop(key, None)
        value = low
    else:
        value = st.slider(
            label, min_value=low, max_value=high, step=1, key=key, help=help_text or None, bind="query-params"
        )
    if notice is not None:
        with notice:
            show_link_problem(key, problem, value)
    return value
