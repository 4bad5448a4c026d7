"""Regime map: where the gradient vanishes or explodes, over the weight scale against T or the activation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import verdicts
from rnnviz.figures import map_cell_settings, regime_map_figure
from rnnviz.regime_map import MAP_HIDDEN, RegimeMap, edge_lines
from rnnviz.report import Equation
from rnnviz.settings import LIMITS, Settings
from ui import controls, export, notices, presenter, sections
from ui.cache import regime_map_for
from ui.sections import LookAt, Section, Shown

CHART_KEY = "regime_map_chart"
AXIS_KEY = "map"
AXES = ("T", "activation")
SHORT_MAX_LENGTH = 200  # the map's rows go up to T = 200, or to the longest T allowed when the settings ask more


def map_settings(settings: Settings, axis: str) -> Settings:
    """The settings with what the map does not depend on put to one value, so that it is computed once for them."""
    common = settings.replace(scale=1.0, hidden_size=MAP_HIDDEN)
    if settings.loss_placement != "one_to_many":  # only one-to-many changes the inputs (step 1 only)
        common = common.replace(loss_placement="many_to_one")
    if axis == "T":
        longest = SHORT_MAX_LENGTH if settings.seq_length <= SHORT_MAX_LENGTH else LIMITS.seq_length[1]
        return common.replace(seq_length=longest)
    return common.replace(activation="tanh")


def map_table(regime: RegimeMap) -> pd.DataFrame:
    """One row per cell: the row value, the scale, the median log10 ‖∂h_T/∂h_0‖ with its badge, each seed's value
    (-inf: exactly 0, inf: overflowed) and how many seeds died."""
    rows, scales = np.meshgrid(np.arange(len(regime.rows)), regime.scales, indexing="ij")
    columns = {
        "T" if regime.axis == "T" else "activation": [regime.rows[i] for i in rows.ravel()],
        "scale": scales.ravel(),
        "median log10 ‖∂h_T/∂h_0‖": regime.log10_norms.ravel(),
        "badge": [verdicts.badge(value) for value in regime.log10_norms.ravel()],
    }
    for seed, values in zip(regime.seeds, regime.seed_log10_norms, strict=True):
        columns[f"seed {seed}"] = values.ravel()
    columns["seeds with exactly 0"] = regime.dead_seeds.ravel()
    return pd.DataFrame(columns)


def intro_section(regime: RegimeMap | None = None) -> Section:
    """What the map shows: the screen's words (with the click), and the report's, with the seeds of `regime`
    (drawn before the map is computed, the section has none yet)."""
    seeds = "" if regime is None else f"{regime.n_seeds} seeds ({', '.join(str(seed) for seed in regime.seeds)})"
    return Section(
        "What the map shows",
        [
            Shown(
                lambda: st.markdown(
                    "Each cell runs the network at one weight scale and measures how much of the gradient at step $T$ "
                    "reaches step 0, $\\|\\partial h_T/\\partial h_0\\|$, as the median over a few seeds (hover a "
                    "cell for each seed's value). **Blue**: it shrinks, **red**: it grows; the badge's rule: "
                    f"{verdicts.badge_rule()}. The black line is where the median stays the same size; the dashed "
                    "line is Pascanu et al.'s condition $\\gamma\\,\\sigma_{max}(W_{hh}) = 1$. **Click a cell** to "
                    "load its settings."
                ),
                None
                if regime is None
                else "Each cell: log10 ‖∂h_T/∂h_0‖, how much of the gradient at step T reaches step 0, the median "
                f"over {seeds}. The badge's rule: {verdicts.badge_rule()}.",
            )
        ],
    )


BOUND = Section(  # in the report only: on the screen the dashed line on the map is this bound at 1
    "The bound",
    [
        Shown(
            lambda: None,
            Equation(
                r"\|\partial h_T/\partial h_k\| \le (\gamma\,\sigma_{max}(W_{hh}))^{T-k}",
                "‖∂h_T/∂h_k‖ ≤ (γ · σ_max(W_hh))^(T−k),   γ = sup |f′|",
            ),
        )
    ],
)


def look_at_words(axis: str, settings: Settings) -> str:
    """What to look at on the map, for its row axis."""
    if axis == "T":
        return (
            "Follow a row: as the scale grows the colour turns from blue to red, and it turns faster for long "
            "sequences, because the factor per step is raised to the power T. σ_max < 1/γ guarantees that the "
            "gradient shrinks at every T, but σ_max > 1/γ only allows an explosion, so the black line cannot "
            "sit left of the dashed one by more than the seeds' spread of σ_max. The star is your settings "
            f"({settings.activation}, scale {settings.scale:g}, T = {settings.seq_length})."
        )
    return (
        "Compare the rows: the sigmoid's slope is at most 1/4, so its W_hh must be four times larger for the "
        "same bound; the lines below say where each row turns on this map."
    )


def map_sections(regime: RegimeMap, axis: str, settings: Settings) -> list[Section]:
    """The map (a click on a cell loads its settings) with what to look at, the edges measured on it, and its
    numbers."""
    fig = regime_map_figure(regime, current=settings)
    measured = "\n".join(
        f"- {line}" for line in edge_lines(regime, None if axis == "activation" else [len(regime.rows) - 1])
    )
    chart = Shown(
        lambda: st.plotly_chart(
            presenter.fit(fig),
            key=CHART_KEY,
            on_select=lambda: apply_clicked_cell(regime),
            selection_mode="points",
            config=export.chart_config("regime_map"),
        ),
        fig,
    )
    caption = (
        f"{len(regime.scales)} scales × {len(regime.rows)} rows × {regime.n_seeds} seeds, H = {MAP_HIDDEN} "
        f"units, {settings.init} W_hh, {settings.input_kind} input. The colours stop at 10^±10; hover a "
        "cell for its median and each seed's value."
    )
    return [
        Section("The map", [chart, LookAt(look_at_words(axis, settings))]),
        Section(
            "Measured on this map",
            [
                Shown(
                    lambda: st.markdown(f"Measured on this map (median of {regime.n_seeds} seeds):\n{measured}"),
                    measured,
                ),
                Shown(lambda: st.caption(caption)),
            ],
        ),
        Section("The numbers", [Shown(lambda: None, map_table(regime))]),  # on the screen: its CSV download
    ]


def apply_clicked_cell(regime: RegimeMap) -> None:
    """The chart's selection callback: load the clicked cell's settings into the sidebar."""
    event = st.session_state.get(CHART_KEY)
    points = (
        (event or {}).get("selection", {}).get("points", [])
        if isinstance(event, dict)
        else (event.selection.points if event is not None else [])
    )
    for point in points:
        chosen = map_cell_settings(regime, point, controls.current_settings())
        if chosen is not None:
            controls.load(chosen)
            st.session_state["_map_applied"] = chosen
            return


settings = controls.current_settings()
st.title("Regime map: where gradients vanish or explode")
with notices.page_guard("the regime map"):
    sections.draw([intro_section()], headings=False)
    axis_problem = controls.link_problem(AXIS_KEY, controls.one_of(AXES))
    axis = (
        st.segmented_control(
            "Map the weight scale against",
            AXES,
            default="T",
            key=AXIS_KEY,
            required=True,
            bind="query-params",
            help="T: every sequence length for the activation in the sidebar. activation: every activation at the "
            "sidebar's T.",
        )
        or "T"
    )
    controls.show_link_problem(AXIS_KEY, axis_problem, axis)
    regime = regime_map_for(map_settings(settings, axis), axis)
    applied = st.session_state.pop("_map_applied", None)
    if applied is not None:
        st.toast(f"Loaded scale {applied.scale:g}, {applied.activation}, T = {applied.seq_length}.")
    shown = map_sections(regime, axis, settings)
    sections.draw(shown, headings=False)
    left, right = st.columns(2)
    with left:
        export.csv_button(map_table(regime), f"regime_map_{axis}.csv", label="Download the map (CSV)")
    with right:
        export.report_button(
            "Regime map",
            settings,
            sections.report([intro_section(regime), BOUND, *shown]),
            query={AXIS_KEY: axis} if axis != "T" else None,
        )
