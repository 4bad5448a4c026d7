"""A lesson's reveal, as the Scenarios page and a class's screens draw it: its run, its charts and its words."""

from __future__ import annotations

from rnnviz.comparison import GATED_INITS
from rnnviz.figures import cell_path_figure, cells_norms_figure, jacobian_norms_figure
from rnnviz.scenarios import LessonRun, Scenario
from ui import export, sections
from ui.cache import comparison_for, experiment_for, seeds_kept_for
from ui.sections import Chart, LookAt, Section

LOOK_AT = {
    "norms": "The solid curve is the size of the gradient sent back from the last step to step k, on a log scale: "
    "a straight line means the same factor at every step, and 0 means it kept its size. It stays under the "
    "dashed bound.",
    "cells": "Top: how much of the gradient at the last step reaches step k in each cell. Bottom: the LSTM's cell "
    "path ‖∂c_T/∂c_k‖ beside the products of its forget gates, which it contains: the product alone is the direct "
    "path, with h held fixed at every step.",
}


def lesson_run(scenario: Scenario) -> LessonRun:
    """The lesson's run, each part cached: what its charts draw and its explanation is computed from."""
    return LessonRun(
        experiment=experiment_for(scenario.settings),
        comparison=comparison_for(scenario.settings, scenario.forget_bias, GATED_INITS[0])
        if scenario.chart == "cells"
        else None,
        contrast=experiment_for(scenario.contrast) if scenario.contrast is not None else None,
        seeds_kept=seeds_kept_for(scenario.settings) if scenario.survey else None,
    )


def lesson_figures(scenario: Scenario, run: LessonRun) -> list:
    """The charts a lesson reveals, drawn from the lesson's own run."""
    if run.comparison is not None:
        return [cells_norms_figure(run.comparison), cell_path_figure(run.comparison)]
    return [jacobian_norms_figure(run.experiment)]


def lesson_sections(scenario: Scenario, key: str = "lesson_chart") -> list[Section]:
    """The lesson's charts with what to look at, then its explanation, computed from the lesson's run."""
    run = lesson_run(scenario)
    charts = [
        Chart(fig, f"{key}_{index}", export.chart_config(scenario.id))
        for index, fig in enumerate(lesson_figures(scenario, run))
    ]
    return [
        Section("The chart", [*charts, LookAt(LOOK_AT[scenario.chart])]),
        Section("Why", [scenario.explain(run)]),
    ]


def show_charts_and_why(scenario: Scenario, key: str = "lesson_chart") -> None:
    """The lesson's charts, what to look at and its explanation, on the screen (the charts' titles say it)."""
    sections.draw(lesson_sections(scenario, key), headings=False)
