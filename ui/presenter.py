"""Presenter mode for a projector: larger type, the controls folded away, one chart per screen, arrow keys step.

A toggle at the top of the sidebar turns it on; it is bound to the URL (`?present=true`; `present=1` is read too),
so a teacher can open a lesson straight in presenter mode. When it is on:

- the sidebar starts collapsed (its arrow at the top left brings the controls back) and a "Leave presenter mode"
  button sits at the top of the page;
- the type is larger, and every chart's container is at least one screen high, so scrolling shows one at a time
  (pages can also pass their figures through `fit` to draw them larger);
- the left and right arrow keys press the buttons whose keys are "step_prev" and "step_next" (the Unfold page's
  step buttons), unless the focus is in a text box or on a slider.

Pages ask `is_on()` to adapt, e.g. to hide secondary widgets.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from rnnviz.figures import style
from ui import controls

PRESENT_KEY = "present"
_WAS_ON = "_presenter_was_on"
STEP_KEYS = {"ArrowLeft": "step_prev", "ArrowRight": "step_next"}
ON_WORDS = ("1", "yes", "on")  # besides "true", which the bound toggle reads itself
OFF_WORDS = ("false", "0", "no", "off")
PRESENTER_HEIGHT = 760  # px: a figure passed through `fit`, with its axes inside a 1920 x 1080 screen

_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 4rem 3rem 3rem 3rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; line-height: 1.5; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.1rem; }
[data-testid="stMain"] h1 { font-size: 2.8rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.0rem; }
[data-testid="stElementContainer"]:has(> [data-testid="stPlotlyChart"]) {
    min-height: 92vh; display: flex; flex-direction: column; justify-content: flex-start; }
/* the sentence that gives the regime its reason reads as body text, not as a caption */
[data-testid="stMain"] .st-key-page-reason [data-testid="stCaptionContainer"],
[data-testid="stMain"] .st-key-page-reason [data-testid="stCaptionContainer"] p { font-size: 1.3rem; }
/* a chart beside text in columns: the columns stack, so the chart is drawn at the screen's full width */
[data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) { flex-wrap: wrap; }
[data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"] {
    flex: 1 1 100% !important; width: 100% !important; min-width: 100% !important; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
    font-size: 3rem; line-height: 1.2; }
[data-testid="stMain"] [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; }
[data-testid="stMain"] [class*="st-key-"][class*="regime"] p { font-size: 1.8rem; }
[data-testid="stMain"] [class*="st-key-"][class*="regime"] .stMarkdownBadge {
    font-size: 1.8rem !important; padding: 0.1em 0.5em; }  /* over the badge's own inline size */
/* the value above a slider's thumb clears the thumb at the larger type */
[data-testid="stSlider"] { padding-top: 1.2rem; }
[data-testid="stSliderThumbValue"] { transform: translateY(-0.6rem); }
</style>
"""

# On every page, in and out of presenter mode: a formula too wide for its box scrolls inside it, and on a phone
# (at most 640 px wide) the unrolled graph keeps its width and scrolls sideways inside its own box.
_EVERY_PAGE_CSS = """
<style>
.katex-display { overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: 0.2em 0; }
[data-testid="stMarkdownContainer"] { overflow-wrap: anywhere; }
@media (max-width: 640px) {
  /* a chart's title, wrapped at style.TITLE_LINE characters, fits a phone's width at 14 px */
  .js-plotly-plot .gtitle { font-size: 14px !important; }
  .st-key-unfold_graph_box { overflow-x: auto; }
  .st-key-unfold_graph_box .st-key-unfold_graph { min-width: 960px; }
}
</style>
"""

_KEYS_SCRIPT = """
<span class="rnnviz-presenter-on" style="display:none"></span>
<script>
(function () {
  if (window.rnnvizPresenterKeys) { return; }
  window.rnnvizPresenterKeys = true;
  const stepKeys = %s;
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector(".rnnviz-presenter-on")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    const key = stepKeys[event.key];
    if (!key) { return; }
    const target = event.target;
    if (target && target.closest && target.closest(
        "input, textarea, select, [contenteditable='true'], [role='slider'], [role='listbox']")) { return; }
    const button = document.querySelector(".st-key-" + key + " button");
    if (!button || button.disabled) { return; }
    event.preventDefault();
    button.click();
  });
})();
</script>
"""


def is_on() -> bool:
    """Whether presenter mode is on (valid once `apply` has run, i.e. on every page)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def _present_reason(raw: str) -> str | None:
    """Why the link's `present` cannot be used, or None (see `controls.link_problem`)."""
    if str(raw).lower() in ("true", *ON_WORDS, *OFF_WORDS):
        return None
    return "it is neither on (true, 1, yes, on) nor off (false, 0, no, off)"


def _keep_in_link() -> None:
    """`present=true` in the address while presenter mode is on, written on every run, so that it stays through
    every step and page change (a page change starts from an address without it); removed when it is off."""
    if is_on():
        if st.query_params.get(PRESENT_KEY) != "true":
            st.query_params[PRESENT_KEY] = "true"
    elif PRESENT_KEY in st.query_params:
        del st.query_params[PRESENT_KEY]


def _leave() -> None:
    st.session_state[PRESENT_KEY] = False


def apply() -> None:
    """Draw the presenter toggle at the top of the sidebar and, when it is on, apply presenter mode."""
    problem = controls.link_problem(PRESENT_KEY, _present_reason)
    if PRESENT_KEY not in st.session_state:  # the link's word on the first run; the toggle's state after it
        st.session_state[PRESENT_KEY] = str(st.query_params.get(PRESENT_KEY, "")).lower() in ("true", *ON_WORDS)
    with st.sidebar:
        st.toggle(
            "Presenter mode",
            key=PRESENT_KEY,
            help="Larger type, the controls folded away, one chart per screen; ← and → step through a run.",
        )
    controls.queue_link_problem(PRESENT_KEY, problem, "on" if is_on() else "off")
    _keep_in_link()
    st.html(_EVERY_PAGE_CSS)
    if not is_on():
        if st.session_state.pop(_WAS_ON, False):  # just left: bring the controls back
            st.set_page_config(initial_sidebar_state="expanded")
        return
    st.session_state[_WAS_ON] = True
    st.set_page_config(initial_sidebar_state="collapsed")
    st.html(_CSS)
    with st.sidebar:
        st.html(_KEYS_SCRIPT % _js_object(STEP_KEYS), unsafe_allow_javascript=True)
    st.button(
        "Leave presenter mode",
        key="present_leave",
        on_click=_leave,
        type="tertiary",
        icon=":material/close_fullscreen:",
        help="Bring the controls back (the arrow at the top left opens them too).",
    )


def _js_object(mapping: dict[str, str]) -> str:
    return "{" + ", ".join(f'"{key}": "{value}"' for key, value in mapping.items()) + "}"


def fit(fig: go.Figure) -> go.Figure:
    """`fig` as presenter mode draws it: every text at least `style.PRESENTER_FONT` px, PRESENTER_HEIGHT px high
    (a copy; `fig` itself is unchanged). Every page passes its charts through here before `st.plotly_chart`."""
    if not is_on():
        return fig
    return style.for_projector(fig, PRESENTER_HEIGHT)
