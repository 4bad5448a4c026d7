"""Home: what the app shows, and one-click starting points."""

import streamlit as st

from rnnviz.settings import PRESETS
from ui import controls, explain, notices, presenter
from ui.cache import experiment_for

st.title("Why recurrent networks forget: vanishing and exploding gradients")
st.markdown(explain.INTRO)
st.latex(
    r"\left\|\frac{\partial h_T}{\partial h_k}\right\| \le \left(\gamma\,\sigma_{\max}(W_{hh})\right)^{T-k},"
    r"\qquad \gamma = \sup |f'|"
)

st.subheader("Start here")
SHOWN_KEY = "_home_show"  # the starting point whose button was pressed, until its page opens


def show(preset) -> None:
    """The button's callback: the preset's settings into every control, then (in the run) the Gradients page."""
    controls.load(preset)
    st.session_state[SHOWN_KEY] = preset


settings = controls.current_settings()
chosen = st.session_state.pop(SHOWN_KEY, None)
if chosen is not None:  # switching pages ends this run by raising, so before the guard below
    # the controls, bound to the link, write the settings back into it there; presenter mode is carried over
    st.switch_page("pages/gradients.py", query_params={presenter.PRESENT_KEY: "true"} if presenter.is_on() else {})
with notices.page_guard("the starting points"):
    for column, (index, (name, preset)) in zip(st.columns(len(PRESETS)), enumerate(PRESETS.items()), strict=True):
        with column.container(border=True):
            st.markdown(f"#### {name}")
            st.caption(explain.PRESET_WORDS.get(name, ""))
            exp = experiment_for(preset)
            notices.regime_badge(exp, key=f"preset-regime-{index}")
            st.caption(notices.headline(exp))
            current = preset == settings
            st.button(
                "Showing now" if current else "Show this",
                key=f"preset-{index}",
                on_click=show,
                args=(preset,),
                type="primary" if current else "secondary",
                disabled=current,
                width="stretch",
                help="Opens the Gradients page with these settings (they stay in the sidebar and the link).",
            )

st.subheader("Then look closer")
left, right = st.columns(2)
with left:
    st.page_link("pages/unfold.py", label="Unfold the network", icon=":material/account_tree:")
    st.markdown(explain.PAGES["unfold"])
with right:
    st.page_link("pages/gradients.py", label="Gradients through time", icon=":material/trending_down:")
    st.markdown(explain.PAGES["gradients"])
