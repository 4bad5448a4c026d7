"""The parts of the Gradients (BPTT) page: the derivation with this run's numbers, the words beside the charts,
the chosen-k view (a fragment, so moving k reruns only it) and the table with its download.

The page is described once, as its sections (`ui.sections`), one function a section: the page draws them and the
offline report (`report_sections`) lists the same sections."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnviz import figures, verdicts
from rnnviz.diagnostics import state_norms, steps_carrying
from rnnviz.experiment import Experiment
from rnnviz.report import Equation
from rnnviz.settings import Settings
from ui import cache, controls, explain, export, links, notices, presenter, sections
from ui.sections import Chart, Columns, LookAt, Section, Shown, draw_items

VALUE_VIEWS = ("absolute", "rescaled")
VALUES_KEY = "values"  # the absolute/rescaled choice, bound to the URL parameter `values`
CLOSER_VIEWS = (  # the page's tabs: one drawn at a time
    "Each step's term",
    "The gradient flowing back",
    "∂h_T/∂h_k up close",
    "Every step in numbers",
    "ρ against σ_max",
)
K_KEY = "k"  # the k slider, bound to the URL parameter `k`
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(
    builder: Callable[..., go.Figure], settings: Settings, look_at: str, key: str | None = None, **options
) -> None:
    """A cached figure of `builder` (a function of `rnnviz.figures`) and, under it, what to look at."""
    st.plotly_chart(
        presenter.fit(cache.figure(builder, settings, **options)),
        width="stretch",
        theme=None,
        config=PLOT_CONFIG,
        key=key,
    )
    notices.look_at(look_at)


def _power(value: float) -> str:
    """10^x in LaTeX, e.g. 10^{-12.4}."""
    return verdicts.power_of_ten(value, latex=True)


def derivation_equations(exp: Experiment) -> list[Equation]:
    """The articles' derivation in SPEC's notation, with this run's gamma and sigma_max in the bound."""
    gamma, sigma = exp.gamma, exp.weights["sigma_max"]
    product = gamma * sigma
    return [
        Equation(
            r"\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \frac{\partial L}{\partial h_t}\,"
            r"\frac{\partial^{+} h_t}{\partial W}, \qquad \frac{\partial L}{\partial h_t} = \sum_{s \ge t}"
            r"\frac{\partial L_s}{\partial h_s}\,\frac{\partial h_s}{\partial h_t}",
            "dL/dW = Σ_t dL/dh_t · ∂⁺h_t/∂W,   dL/dh_t = Σ_{s≥t} ∂L_s/∂h_s · ∂h_s/∂h_t",
        ),
        Equation(
            r"\frac{\partial h_T}{\partial h_k} = \prod_{t=k+1}^{T} \frac{\partial h_t}{\partial h_{t-1}},"
            r"\qquad \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}\big(f'(a_t)\big)\, W_{hh}",
            "∂h_T/∂h_k = Π_{t=k+1..T} ∂h_t/∂h_{t-1},   ∂h_t/∂h_{t-1} = diag(f'(a_t)) W_hh",
        ),
        Equation(
            r"\left\|\frac{\partial h_T}{\partial h_k}\right\| \le \prod_{t=k+1}^{T}"
            r"\big\|\mathrm{diag}(f'(a_t))\big\|\,\|W_{hh}\| \le (\gamma\,\sigma_{\max})^{T-k}"
            f" = ({gamma:g} \\times {sigma:.3g})^{{T-k}} = {product:.3g}^{{T-k}}",
            f"‖∂h_T/∂h_k‖ ≤ (γ σ_max)^(T−k) = ({gamma:g} × {sigma:.3g})^(T−k) = {product:.3g}^(T−k)",
        ),
    ]


STEP_TERM_EQUATIONS = [
    Equation(
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \underbrace{\frac{\partial L}{\partial a_t}"
        r"\, h_{t-1}^{\top}}_{\text{step } t\text{'s term}}",
        "dL/dW_hh = Σ_t (dL/da_t) h_{t-1}ᵀ   (step t's term)",
    ),
    Equation(
        r"\frac{\partial L}{\partial W_{xh}} = \sum_t \frac{\partial L}{\partial a_t}\, x_t^{\top}, \quad"
        r"\frac{\partial L}{\partial b_h} = \sum_t \frac{\partial L}{\partial a_t}",
        "dL/dW_xh = Σ_t (dL/da_t) x_tᵀ,   dL/db_h = Σ_t dL/da_t",
    ),
]


def derivation(exp: Experiment) -> None:
    """The derivation's equations, then what they mean for this run."""
    draw_items(derivation_section(exp).items)


def derivation_caption(exp: Experiment) -> None:
    """What the derivation means for this run: γ, the bound over all T steps and what was measured."""
    T = exp.analysed_steps
    st.caption(
        f"∂⁺h_t/∂W is the explicit part of step t (h_{{t-1}} and x_t held fixed); the implicit part flows "
        f"back through ∂h_T/∂h_k. γ = sup |f'| = {exp.gamma:g} for {exp.settings.activation}. Over all "
        f"T = {T} steps the bound allows ${_power(float(exp.log10_bound[0]))}$; this run measured "
        f"${_power(float(exp.norms.log10_spectral[0]))}$."
    )


def pascanu_words(exp: Experiment) -> str:
    """Pascanu, Mikolov & Bengio's conditions in words, for this run's numbers."""
    return verdicts.pascanu_paragraph(
        exp.settings.activation,
        exp.gamma,
        exp.weights["sigma_max"],
        exp.weights["spectral_radius"],
        exp.regime.label,
        exp.analysed_steps,
    )


def growth_words(exp: Experiment) -> str:
    """The measured growth factor per step, in words."""
    return f"Measured: ‖∂h_T/∂h_k‖ {verdicts.growth_sentence(exp.growth, exp.analysed_steps)}."


def placement_words(exp: Experiment) -> str:
    """Which gradient terms exist for this loss placement."""
    T = exp.analysed_steps
    words = {
        "many_to_one": f"**Many-to-one:** only step {T} carries a loss, so every term reaches step t through "
        f"∂h_T/∂h_t: the early terms are the long-term ones, and they vanish or explode with it.",
        "many_to_many": "**Many-to-many:** every step carries a loss L_t, so step t's term always has a short path "
        "from its own L_t: the terms stay alive even when the long-term parts vanish.",
        "one_to_many": "**One-to-many:** only step 1 receives an input (x_t = 0 after it), so ∂L/∂W_xh has a term "
        "at step 1 only; every step carries a loss.",
    }[exp.settings.loss_placement]
    return words + " The W_hh term of step 1 is 0 because h_0 = 0."


def share_words(exp: Experiment) -> str:
    """E.g. "The last 5 of 60 steps carry 99% of the W_hh gradient"."""
    norms = exp.gradients.term_norms("W_hh")
    if not np.isfinite(norms).all():
        return "Some terms left floating point (the gradient exploded), so no share can be computed."
    return verdicts.recent_steps_sentence(steps_carrying(norms, 0.99), exp.analysed_steps, 0.99)


def summary(exp: Experiment) -> None:
    """The regime badge and the reason for it."""
    notices.regime_badge(exp, key="page-regime")
    with st.container(key="page-reason"):
        st.caption(exp.regime.reason)


def numbers(exp: Experiment) -> None:
    """Spectral radius, sigma_max, gamma, the bound on the factor per step and the measured factor, three then two
    (wider) to a row, to sit beside the chart (after it on a phone, where the columns stack)."""
    columns = [*st.columns(3), *st.columns(2)]
    columns[0].metric(
        "ρ(W_hh)",
        verdicts.factor(exp.weights["spectral_radius"]),
        help="Spectral radius: the largest |eigenvalue| of W_hh. It decides the long run for a linear cell.",
    )
    columns[1].metric(
        "σ_max(W_hh)",
        f"{exp.weights['sigma_max']:.3g}",
        help="The largest singular value ‖W_hh‖₂: it bounds every single step.",
    )
    columns[2].metric("γ = sup |f'|", f"{exp.gamma:g}", help=f"The largest slope of {exp.settings.activation}.")
    columns[3].metric(
        "γ σ_max",
        verdicts.factor(exp.weights["gamma_sigma_max"]),
        help="The bound on the factor per step back: below 1 the bound shrinks at every step, so over a long enough "
        "sequence the gradient must vanish; at 1 it cannot grow; above 1 it may explode.",
    )
    growth = exp.growth
    columns[4].metric(
        "measured / step",
        verdicts.factor(growth) if np.isfinite(growth) else "n/a",
        help="The measured factor per step: least-squares slope of log10 ‖∂h_T/∂h_k‖ against T - k.",
    )


def value_control() -> str:
    """Absolute or rescaled values for the closer views, in the link as `values`."""
    view = links.checked(
        VALUES_KEY,
        VALUE_VIEWS[0],
        links.choice_reason(VALUE_VIEWS),
        lambda: (
            st.segmented_control(
                "Values",
                VALUE_VIEWS,
                default=VALUE_VIEWS[0],
                key=VALUES_KEY,
                required=True,
                bind="query-params",
                help="For the step terms, the table and ∂h_T/∂h_k. Rescaled: each curve or column divided by its "
                "largest value.",
            )
            or VALUE_VIEWS[0]
        ),
    )
    links.apply()
    return view


def gradient_overflow_note(exp: Experiment) -> None:
    """When some of the gradient's norms are beyond floating point (the charts leave them out)."""
    if not np.isfinite(state_norms(exp.gradients.dh)).all():
        st.warning(
            "**Part of the gradient is beyond floating point**: some ‖∂L/∂h_k‖ and step terms are larger than "
            "10^308 (or undefined, where the outputs themselves overflowed). The charts leave them out or pin them "
            "to the top of the colour scale; the table shows them as inf or empty.",
            icon=":material/local_fire_department:",
        )


@st.fragment
def chosen_k(settings: Settings, view: str) -> None:
    """The k slider and what it drives: dh_T/dh_k as a heatmap and its singular values. Reruns on its own, and
    ends with the page's offline report so that the report holds the k on screen."""
    exp = cache.experiment_for(settings)
    T = exp.analysed_steps
    k = controls.step_slider(
        "Step k to look at",
        key=K_KEY,
        low=0,
        high=T - 1,
        first=first_k(exp),
        help_text="∂h_T/∂h_k for this k: how a change of h_k moves h_T.",
    )
    with notices.page_guard("the Jacobian at k"):
        log_norm, bound = float(exp.norms.log10_spectral[k]), float(exp.log10_bound[k])
        st.markdown(
            f"At k = {k}, T - k = {T - k} steps back: ‖∂h_T/∂h_k‖ = ${_power(log_norm)}$ ≤ bound ${_power(bound)}$."
        )
        draw_items(chosen_k_section(settings, k).items)
    report_button(settings, view, k)


def table(settings: Settings, view: str) -> None:
    """The per-step figures as a table, with a CSV download of the same numbers."""
    frame: pd.DataFrame = cache.table(figures.per_step_table, settings, rescaled=view == "rescaled")
    numbers = {
        name: st.column_config.NumberColumn(format="%.3e")
        for name in frame.columns
        if name.startswith("‖") or name.startswith("bound")
    }
    numbers["share of ∂L/∂W_hh from steps k..T"] = st.column_config.NumberColumn(format="percent")
    st.dataframe(frame, hide_index=True, column_config=numbers, height=320, width="stretch")
    st.download_button(
        "Download the table (CSV)",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"bptt_steps_{view}.csv",
        mime="text/csv",
        key="download-steps",
        on_click="ignore",
        icon=":material/download:",
    )
    notices.look_at(
        explain.LOOK_AT["table"]
        + (
            " Rescaled: each column divided by its largest value, so every column peaks at 1."
            if view == "rescaled"
            else ""
        )
    )


def _figure(builder: Callable[..., go.Figure], settings: Settings, key: str | None = None, **options) -> Chart:
    """The cached figure of `builder` as the page draws it (Plotly's own theme, the page's toolbar)."""
    return Chart(cache.figure(builder, settings, **options), key=key, config=PLOT_CONFIG, theme=None)


def regime_section(exp: Experiment, presenting: bool = False) -> Section:
    """The regime: its badge and reason on the screen (beside the chart on a projector: then not here)."""
    shown = [] if presenting else [Shown(lambda: summary(exp), f"**{exp.regime.label}**: {exp.regime.reason}")]
    return Section("The regime", shown)


def survival_section(exp: Experiment, settings: Settings, presenting: bool = False) -> Section:
    """||dh_T/dh_k|| beside its bound, with the numbers and the words beside it."""
    right = [Shown(lambda: summary(exp))] if presenting else []
    return Section(
        "How much of the gradient survives T - k steps back",
        [
            Columns(
                [_figure(figures.jacobian_norms_figure, settings), LookAt(explain.LOOK_AT["jacobian_norms"])],
                [*right, Shown(lambda: numbers(exp)), growth_words(exp), pascanu_words(exp)],
            )
        ],
    )


def derivation_section(exp: Experiment) -> Section:
    """The derivation's equations, then what they mean for this run (on the screen)."""
    return Section(
        "Where the factor per step comes from", [*derivation_equations(exp), Shown(lambda: derivation_caption(exp))]
    )


def step_terms_section(exp: Experiment, settings: Settings, view: str) -> Section:
    """Each step's term of dL/dW_hh, its equations and the words for this run's loss placement."""
    return Section(
        "Each step's term of the gradient",
        [
            Columns(
                [
                    _figure(figures.step_terms_figure, settings, rescaled=view == "rescaled"),
                    LookAt(explain.LOOK_AT["step_terms"]),
                ],
                [
                    *STEP_TERM_EQUATIONS,
                    share_words(exp),
                    placement_words(exp),
                    Shown(
                        lambda: st.caption(
                            "Change *Where the loss sits* in the sidebar to see other terms appear or disappear."
                        )
                    ),
                ],
            )
        ],
    )


def backward_section(settings: Settings) -> Section:
    """The gradient flowing back through the unrolled graph, animated."""
    return Section(
        "The gradient flowing back",
        [_figure(figures.backward_animation_figure, settings, key="backward"), LookAt(explain.LOOK_AT["backward"])],
    )


def table_section(settings: Settings, view: str) -> Section:
    """Every step in numbers: the table (with its download and what to look at on the screen)."""
    frame = cache.table(figures.per_step_table, settings, rescaled=view == "rescaled")
    return Section("Every step in numbers", [Shown(lambda: table(settings, view), frame)])


POWER_LOOK_AT = (
    "For a linear cell ∂h_T/∂h_k = W_hh^(T-k). The spectral radius ρ decides the long run (dotted "
    "ρ^n), but a non-normal matrix (right: every eigenvalue 0.9) can first grow more than tenfold "
    "before it shrinks; only σ_max^n (dashed) bounds it from the first step."
)


def power_section(settings: Settings) -> Section:
    """ρ against σ_max: the powers of a non-normal W_hh."""
    return Section(
        "Spectral radius against σ_max: a non-normal W_hh",
        [_figure(figures.power_norms_figure, settings), LookAt(POWER_LOOK_AT)],
    )


def chosen_k_section(settings: Settings, k: int) -> Section:
    """dh_T/dh_k at step k: its heatmap and singular values."""
    return Section(
        f"One step up close: ∂h_T/∂h_k at k = {k}",
        [
            _figure(figures.jacobian_at_figure, settings, key="jacobian-at-k", k=k),
            LookAt(f"{explain.LOOK_AT['jacobian_heatmap']} {explain.LOOK_AT['singular_values']}"),
        ],
    )


def closer_section(shown: str, exp: Experiment, settings: Settings, view: str, k: int) -> Section:
    """The section of the open tab `shown`, one of CLOSER_VIEWS."""
    return {
        "Each step's term": lambda: step_terms_section(exp, settings, view),
        "The gradient flowing back": lambda: backward_section(settings),
        "∂h_T/∂h_k up close": lambda: chosen_k_section(settings, k),
        "Every step in numbers": lambda: table_section(settings, view),
        "ρ against σ_max": lambda: power_section(settings),
    }[shown]()


def report_sections(settings: Settings, view: str, k: int) -> list:
    """The offline report of the page: the page's sections, every tab's, with the k on screen."""
    exp = cache.experiment_for(settings)
    return sections.report(
        [
            regime_section(exp),
            survival_section(exp, settings),
            derivation_section(exp),
            power_section(settings),
            step_terms_section(exp, settings, view),
            backward_section(settings),
            table_section(settings, view),
            chosen_k_section(settings, k),
        ]
    )


def first_k(exp: Experiment) -> int:
    """The k the slider starts at: ten steps back from T."""
    return max(exp.analysed_steps - 10, 0)


def current_k(exp: Experiment) -> int:
    """The k on screen, or in the link when the k slider is not drawn (`first_k` when neither says)."""
    return controls.step_value(K_KEY, 0, exp.analysed_steps - 1, first=first_k(exp))


def report_button(settings: Settings, view: str, k: int) -> None:
    """The offline report of the page at step k (built, with every figure, when clicked)."""
    export.report_button(
        "Gradients (BPTT)", settings, partial(report_sections, settings, view, k), query={K_KEY: str(k)}
    )
