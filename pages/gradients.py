"""Gradients (BPTT): ||dh_T/dh_k|| beside its bound, the per-step terms of the gradient, and the gradient
flowing back through the unrolled graph."""

import streamlit as st

from rnnviz import figures
from ui import controls, explain, gradient_views, notices, presenter, views
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
    if not presenting:
        gradient_views.summary(exp)

    st.subheader("How much of the gradient survives T - k steps back")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        gradient_views.chart(figures.jacobian_norms_figure, settings, explain.LOOK_AT["jacobian_norms"])
    with right:
        if presenting:
            gradient_views.summary(exp)
        gradient_views.numbers(exp)
        st.markdown(gradient_views.growth_words(exp))
        st.markdown(gradient_views.pascanu_words(exp))
    if presenting:
        st.markdown(INTRO)

    st.subheader("Where the factor per step comes from")
    gradient_views.derivation(exp)

    st.subheader("Look closer")
    view = gradient_views.value_control()
    shown, tab = views.open_view(gradient_views.CLOSER_VIEWS, key="gradients_view")
    with tab:
        if shown == "Each step's term":
            left, right = st.columns([3, 2], gap="medium")
            with left:
                gradient_views.chart(
                    figures.step_terms_figure, settings, explain.LOOK_AT["step_terms"], rescaled=view == "rescaled"
                )
            with right:
                for equation in gradient_views.STEP_TERM_EQUATIONS:
                    st.latex(equation.latex)
                st.markdown(gradient_views.share_words(exp))
                st.markdown(gradient_views.placement_words(exp))
                st.caption("Change *Where the loss sits* in the sidebar to see other terms appear or disappear.")
        elif shown == "The gradient flowing back":
            gradient_views.chart(
                figures.backward_animation_figure, settings, explain.LOOK_AT["backward"], key="backward"
            )
        elif shown == "Every step in numbers":
            gradient_views.table(settings, view)
        elif shown == "∂h_T/∂h_k up close":
            gradient_views.chosen_k(settings, view)  # ends with the page's offline report, for the k on screen
        else:
            gradient_views.chart(
                figures.power_norms_figure,
                settings,
                "For a linear cell ∂h_T/∂h_k = W_hh^(T-k). The spectral radius ρ decides the long run (dotted "
                "ρ^n), but a non-normal matrix (right: every eigenvalue 0.9) can first grow more than tenfold "
                "before it shrinks; only σ_max^n (dashed) bounds it from the first step.",
            )
    if shown != "∂h_T/∂h_k up close":
        gradient_views.report_button(settings, view, gradient_views.current_k(exp))
