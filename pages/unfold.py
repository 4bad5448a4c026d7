"""Unfold: the same cell drawn once per step, one step written out with its numbers, the two pictures of the cell
on that step's numbers, and the hidden state filling in over the whole run."""

import streamlit as st

from ui import controls, explain, export, labels, notices, presenter, unfold_views, views
from ui.cache import cell_views, experiment_for, parts_at

STEP_VIEW, CELL_VIEW, RUN_VIEW = "Step by step", "One cell, two pictures", "The whole run"


@st.fragment
def step_section(settings, view: str) -> None:
    """The stepper and what it drives in `view` (the graph and the recurrence, or the two pictures of the cell);
    stepping reruns only this part of the page."""
    with notices.page_guard("the step view"):
        exp = experiment_for(settings)
        T = exp.run.T
        t = unfold_views.stepper(T)
        if view == STEP_VIEW:
            unfold_views.graph(settings, t, T)
            parts = parts_at(settings, t)
            equations, facts = st.columns([3, 2], gap="large")
            with equations:
                st.markdown(f"#### The recurrence at step {t}, with its numbers")
                for line in unfold_views.recurrence_latex(parts, settings.activation):
                    st.latex(line)
                note = unfold_views.units_note(parts.h.shape[0], parts.y.shape[0])
                if note:
                    st.caption(note)
                notices.look_at(explain.LOOK_AT["equations"])
            with facts:
                st.markdown(f"#### Step {t} of {T}")
                st.markdown("\n\n".join(unfold_views.step_facts(exp, parts)))
        else:
            cell_figure = cell_views(settings, t)
            st.plotly_chart(
                presenter.fit(cell_figure), width="stretch", theme=None, config=export.chart_config(f"cell_step_{t}")
            )
            notices.look_at(explain.LOOK_AT["cell_views"])
        # here, inside the stepper's fragment, so that the report is of the step shown
        unfold_views.report_button(settings, t)


settings = controls.current_settings()
st.title("Unfold: the same cell at every step")
with notices.page_guard("the Unfold page"):
    exp = experiment_for(settings)
    model, sharing = st.columns([2, 1], gap="large")
    with model:
        for equation in unfold_views.RECURRENCE:
            st.latex(equation.latex)
        st.markdown(
            f"The cell reads the input $x_t$ and its own previous state $h_{{t-1}}$. Here $f$ is "
            f"{labels.choice_label('activation', settings.activation)}. The output map $g$ is linear for "
            f"regression and softmax for classification; every step here predicts a class, so $g$ = softmax. "
            f"The state starts from $h_0 = 0$, a vector of zeros, unless it is set."
        )
        notation = views.folded("The same cell in the articles' notation", key="unfold_notation")
        if notation is not None:
            with notation:
                for source, equation in unfold_views.NOTATION_EQUATIONS:
                    st.markdown(f"**{source}:** {equation}")
                st.table(unfold_views.notation_table().set_index("what it is"))
                st.caption(unfold_views.NOTATION_NOTE)
    with sharing:
        count, breakdown = unfold_views.parameter_count(exp)
        st.metric("Parameters, for any sequence length T", f"{count:,}")
        st.caption(
            f"{breakdown}. The same weights are used at every step (weight sharing), so unrolling over "
            f"T = {settings.seq_length} steps adds no parameters: T = 2 or T = 500 needs the same {count:,}."
        )
    notices.overflow_banner(exp)

view, tab = views.open_view((STEP_VIEW, CELL_VIEW, RUN_VIEW), key="unfold_view")
with tab:
    if view != RUN_VIEW:
        step_section(settings, view)
    else:
        with notices.page_guard("the hidden-state charts"):
            st.markdown("#### The hidden state over the whole run")
            animation_figure, norms_figure = unfold_views.run_figures(settings)
            animation, norms = st.columns([3, 2], gap="medium")
            with animation:
                st.plotly_chart(
                    presenter.fit(animation_figure),
                    width="stretch",
                    theme=None,
                    config=export.chart_config("hidden_state"),
                )
                notices.look_at(unfold_views.animation_look_at(settings))
            with norms:
                st.plotly_chart(
                    presenter.fit(norms_figure), width="stretch", theme=None, config=export.chart_config("state_norms")
                )
                notices.look_at(explain.LOOK_AT["norms"])
            unfold_views.report_button(settings, unfold_views.current_step(experiment_for(settings).run.T))
