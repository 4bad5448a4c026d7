"""Unfold: the same cell drawn once per step, one step written out with its numbers, the two pictures of the cell
on that step's numbers, and the hidden state filling in over the whole run."""

import streamlit as st

from ui import controls, notices, sections, unfold_views, views
from ui.cache import experiment_for

STEP_VIEW, CELL_VIEW, RUN_VIEW = "Step by step", "One cell, two pictures", "The whole run"


@st.fragment
def step_section(settings, view: str) -> None:
    """The stepper and what it drives in `view` (the graph and the recurrence, or the two pictures of the cell);
    stepping reruns only this part of the page."""
    with notices.page_guard("the step view"):
        t = unfold_views.stepper(experiment_for(settings).run.T)
        if view == STEP_VIEW:
            sections.draw(unfold_views.graph_sections(settings, t), headings=False)
            sections.draw(unfold_views.step_sections(settings, t))
        else:
            sections.draw(unfold_views.cell_sections(settings, t), headings=False)
        # here, inside the stepper's fragment, so that the report is of the step shown
        unfold_views.report_button(settings, t)


settings = controls.current_settings()
st.title("Unfold: the same cell at every step")
with notices.page_guard("the Unfold page"):
    sections.draw(unfold_views.model_sections(settings), headings=False)
    notices.overflow_banner(experiment_for(settings))

view, tab = views.open_view((STEP_VIEW, CELL_VIEW, RUN_VIEW), key="unfold_view")
with tab:
    if view != RUN_VIEW:
        step_section(settings, view)
    else:
        with notices.page_guard("the hidden-state charts"):
            sections.draw(unfold_views.run_sections(settings))
            unfold_views.report_button(settings, unfold_views.current_step(experiment_for(settings).run.T))
