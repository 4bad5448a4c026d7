"""Gradients (BPTT): ||dh_T/dh_k|| beside its bound, the per-step terms of the gradient, and the gradient
flowing back through the unrolled graph."""

import streamlit as st

from ui import controls, gradient_views, notices, presenter, sections, views
from ui.cache import experiment_for

INTRO = (
    "Backpropagation through time sends the gradient from the loss back through every step; each step "
    "back multiplies it by $\\mathrm{diag}(f'(a_t))\\,W_{hh}$. Change the activation or the weight scale "
    "in the sidebar and watch it vanish or explode."
)
# On a projector the chart comes first, with its axes on the first screen; the regime and the words follow it.
presenting = presenter.is_on()

st.title("Gradients through time (BPTT)")
if not presenting:
    st.markdown(INTRO)
settings = controls.current_settings()

with notices.page_guard("the gradients page"):
    exp = experiment_for(settings)
    notices.overflow_banner(exp)
    gradient_views.gradient_overflow_note(exp)
    sections.draw([gradient_views.regime_section(exp, presenting)], headings=False)
    sections.draw([gradient_views.survival_section(exp, settings, presenting)])
    if presenting:
        st.markdown(INTRO)
    sections.draw([gradient_views.derivation_section(exp)])

    st.subheader("Look closer")
    view = gradient_views.value_control()
    shown, tab = views.open_view(gradient_views.CLOSER_VIEWS, key="gradients_view")
    k = gradient_views.current_k(exp)
    with tab:
        if shown == "∂h_T/∂h_k up close":
            gradient_views.chosen_k(settings, view)  # ends with the page's offline report, for the k on screen
        else:
            sections.draw([gradient_views.closer_section(shown, exp, settings, view, k)], headings=False)
    if shown != "∂h_T/∂h_k up close":
        gradient_views.report_button(settings, view, k)
