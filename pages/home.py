"""Home: what the app shows, and one-click starting points."""

import streamlit as st

from rnnviz.settings import PRESETS
from ui import controls, explain, notices
from ui.cache import experiment_for

st.title("Why recurrent networks forget: vanishing and exploding gradients")
st.markdown(explain.INTRO)
st.latex(
    r"\left\|\frac{\partial h_T}{\partial h_k}\right\| \le \left(\gamma\,\sigma_{\max}(W_{hh})\right)^{T-k},"
    r"\qquad \gamma = \sup |f'|"
)

st.subheader("Start here")
settings = controls.current_settings()
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
                on_click=controls.load,
                args=(preset,),
                type="primary" if current else "secondary",
                disabled=current,
                width="stretch",
            )

st.subheader("Then look closer")
left, right = st.columns(2)
with left:
    st.page_link("pages/unfold.py", label="Unfold the network", icon=":material/account_tree:")
    st.markdown(explain.PAGES["unfold"])
with right:
    st.page_link("pages/gradients.py", label="Gradients through time", icon=":material/trending_down:")
    st.markdown(explain.PAGES["gradients"])
