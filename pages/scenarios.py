"""Scenarios: ready lessons. Each opens with a question; the student answers, then the chart is revealed."""

from __future__ import annotations

from functools import partial

import streamlit as st

from rnnviz.scenarios import LESSON_KEY, SCENARIOS, Scenario, get_scenario
from rnnviz.settings import Settings
from ui import class_mode, controls, export, lessons, notices, sections
from ui.sections import Section, Shown

GALLERY_COLUMNS = 3


def answer_key(scenario: Scenario) -> str:
    return f"answer_{scenario.id}"


def revealed_key(scenario: Scenario) -> str:
    return f"revealed_{scenario.id}"


def reveal(scenario: Scenario) -> None:
    st.session_state[revealed_key(scenario)] = True


def ask_again(scenario: Scenario) -> None:
    st.session_state[revealed_key(scenario)] = False
    st.session_state[answer_key(scenario)] = None


def open_lesson(scenario: Scenario) -> None:
    """A gallery button's callback: the lesson's settings into the sidebar, its id into the URL."""
    controls.load(scenario.settings)
    st.query_params[LESSON_KEY] = scenario.id


def show_lesson(scenario: Scenario, settings: Settings) -> None:
    """The lesson's question; once answered and revealed, its chart, why, and where to go next."""
    st.header(scenario.title)
    if settings != scenario.settings:
        st.info(
            "The sidebar holds other settings than this lesson's. The chart below uses the lesson's own settings.",
            icon=":material/info:",
        )
        st.button(
            "Put the lesson's settings in the sidebar",
            key="lesson_settings",
            on_click=controls.load,
            args=(scenario.settings,),
        )
    if class_mode.teacher_panel(scenario):
        return
    answer, revealed = ask(scenario)
    if revealed:
        revealed_part = reveal_sections(scenario, answer)
        with st.container(key="lesson_reveal"):
            sections.draw(revealed_part, headings=False)
        after_the_reveal(scenario, [Section("Question", [Shown(lambda: None, scenario.question)]), *revealed_part])
    else:
        st.caption("Pick an answer, then press Reveal to see the chart." if answer is None else "Press Reveal.")
    class_mode.offer_class(scenario)


def show_verdict(scenario: Scenario, answer: str) -> None:
    if scenario.is_correct(answer):
        st.success(f"Right: **{scenario.answer}**", icon=":material/check_circle:")
    else:
        st.warning(f"Not quite: you picked “{answer}”. The answer: **{scenario.answer}**", icon=":material/cancel:")


def reveal_sections(scenario: Scenario, answer: str) -> list[Section]:
    """Whether `answer` is right (in the report: the answer), the lesson's charts and why."""
    return [
        Section("Answer", [Shown(partial(show_verdict, scenario, answer), scenario.answer)]),
        *lessons.lesson_sections(scenario),
    ]


def ask(scenario: Scenario) -> tuple[str | None, bool]:
    """The question, its answers and Reveal (only once an answer is picked): the answer picked and whether the
    lesson is revealed."""
    with st.container(border=True, key="lesson_question"):
        st.markdown(f"#### {scenario.question}")
        answer = st.radio("Your answer", scenario.choices, index=None, key=answer_key(scenario))
        revealed = st.session_state.get(revealed_key(scenario), False) and answer is not None
        if not revealed:
            st.button(
                "Reveal",
                key="reveal",
                type="primary",
                on_click=reveal,
                args=(scenario,),
                icon=":material/visibility:",
                disabled=answer is None,
            )
    return answer, revealed


def after_the_reveal(scenario: Scenario, reported: list[Section]) -> None:
    """Ask again, the page to explore it on, and the lesson's offline report of the sections `reported`."""
    left, middle, right = st.columns(3)
    with left:
        st.button("Ask again", key="ask_again", on_click=ask_again, args=(scenario,), icon=":material/replay:")
    with middle:
        if scenario.page is not None:
            st.page_link(scenario.page, label="Compare the cells in detail", icon=":material/hub:")
        else:
            st.page_link(
                "pages/gradients.py",
                label="Explore these settings on the Gradients page",
                icon=":material/trending_down:",
            )
    with right:
        export.report_button(
            f"Lesson: {scenario.title}",
            scenario.settings,
            sections.report(reported),
            query={LESSON_KEY: scenario.id},
            key="lesson_report",
        )


def show_gallery() -> None:
    st.header("All lessons")
    st.caption("Each lesson is a link that holds its settings: open it, or copy its address to share it.")
    scenarios = list(SCENARIOS.values())
    for start in range(0, len(scenarios), GALLERY_COLUMNS):
        for column, scenario in zip(
            st.columns(GALLERY_COLUMNS), scenarios[start : start + GALLERY_COLUMNS], strict=False
        ):
            with column.container(border=True):
                st.markdown(f"**{scenario.title}**")
                st.caption(scenario.question)
                st.button(
                    "Open this lesson",
                    key=f"open_{scenario.id}",
                    on_click=open_lesson,
                    args=(scenario,),
                    width="stretch",
                )
                st.code(
                    export.link_to_view(scenario.settings, {LESSON_KEY: scenario.id}), language=None, wrap_lines=True
                )


settings = controls.current_settings()
st.title("Scenarios: predict, then look")
with notices.page_guard("the lesson"):
    given = st.query_params.get_all(LESSON_KEY)  # the link's lesson, quoted only through notices.link_notice
    scenario, reason = None, "it is given more than once" if len(given) > 1 else None
    if given and reason is None:
        try:
            scenario = get_scenario(given[-1])
        except ValueError:
            reason = f"it is not one of the lessons ({', '.join(SCENARIOS)})"
    if reason is not None:
        notices.show_link_notices([notices.link_notice(LESSON_KEY, given[-1], reason, "the list of lessons below")])
    class_mode.resume_from_link()  # a teacher's private link back to a running class
    if scenario is None:
        st.markdown(
            "Each lesson sets up a network, asks what its gradient will do, and shows the answer only after you "
            "pick one. Open one below."
        )
        st.markdown(class_mode.THREE_STEPS)
    else:
        show_lesson(scenario, settings)
        st.divider()
    show_gallery()
