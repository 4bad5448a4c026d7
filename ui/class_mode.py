"""Class mode: a teacher runs a lesson for a room; each student answers on a phone; the projector shows the spread.

The teacher's screen (the Scenarios page, `teacher_panel`) starts a class and shows its join link and QR code, how
many have answered (re-read from the store every COUNT_SECONDS), then the spread of answers and the reveal. The
student's screen (the Join page, `student_view`) shows the class's current question, records the answer picked,
and follows the teacher: a fragment re-reads the class every POLL_SECONDS and redraws the page when it moved on.
Everything a class holds is in the store (`ui.class_store`), never in a server process, so every process of a
server sees the same class.
"""

from __future__ import annotations

import hashlib
import io
import re

import streamlit as st

from rnnviz.figures import class_answers_figure
from rnnviz.scenarios import LESSON_KEY, SCENARIOS, Scenario
from rnnviz.settings import LIMITS
from ui import controls, export, lessons, notices, presenter
from ui.class_store import (
    CLOSED,
    REVEALED,
    VOTING,
    ClassError,
    ClassState,
    NoSuchClassError,
    SQLiteClassStore,
    Ticket,
    normalise_code,
)

CLASS_KEY = "class"  # the Join page's URL parameter: the class code
ME_KEY = "me"  # the Join page's URL parameter: this browser's student token, so that a reload keeps its place
TEACH_KEY = "teach"  # the Scenarios page's URL parameter of a teacher's private link: the class's teacher token
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16), as the store makes them
JOIN_PAGE = "join"  # the Join page's URL path
LESSONS = list(SCENARIOS)  # a class's lesson index -> the lesson's id
POLL_SECONDS = 2.0  # a student's page re-reads the class this often
COUNT_SECONDS = 1.0  # the teacher's count is re-read this often
QR_SCALE = 14  # px per module: a version-3 code with its border is about 500 px wide
TICKET_KEY = "class_ticket"  # the teacher's Ticket, in their session
STUDENT_KEY = "class_students"  # code -> this browser's student token, in the student's session
THREE_STEPS = (
    "**Run it as a class, in three steps:** 1. open a lesson and press *Start a class*; 2. the students scan the "
    "QR code (or open the link) and answer on their phones; 3. press *Close the vote* to show what the class "
    "chose, then *Reveal the answer*, then *Next lesson*."
)


def store() -> SQLiteClassStore:
    """The class store (its file is read on every call; nothing about a class is kept in this process)."""
    return SQLiteClassStore(lessons=len(LESSONS))


def lesson_of(state: ClassState) -> Scenario:
    return SCENARIOS[LESSONS[state.lesson]]


def spread_chart(state: ClassState, key: str) -> list[int]:
    """The bar chart of the class's answers (the right one marked once revealed); returns the counts."""
    scenario = lesson_of(state)
    counts = store().counts(state.code)[: len(scenario.choices)]
    correct = scenario.correct if state.phase == REVEALED else None
    fig = class_answers_figure(list(scenario.choices), counts, correct)
    st.plotly_chart(presenter.fit(fig), config=export.chart_config(f"class_{scenario.id}"), key=key)
    return counts


def verdict_of_class(scenario: Scenario, counts: list[int]) -> str:
    """E.g. "12 of 30 answers (40%) chose the right one: …" from the class's own counts."""
    total, right = sum(counts), counts[scenario.correct]
    if total == 0:
        return f"Nobody answered. The answer: **{scenario.answer}**"
    return f"{right} of {total} answers ({right / total:.0%}) chose the right one: **{scenario.answer}**"


# the teacher -----------------------------------------------------------------------------------------------------


def join_link(code: str) -> str:
    """The address a student opens: the app's own address (as the teacher's browser sees it) on the Join page."""
    url = st.context.url or ""
    base = url.split("?", 1)[0].rstrip("/")
    if base.rsplit("/", 1)[-1] == "scenarios":
        base = base.rsplit("/", 1)[0]
    return f"{base}/{JOIN_PAGE}?{CLASS_KEY}={code}"


def qr_png(text: str) -> bytes | None:
    """The QR code of `text` as a PNG (segno, pure Python), or None when segno is not installed."""
    try:
        import segno
    except ImportError:
        return None
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


def starter_key() -> str:
    """An opaque key of the address that starts a class (its hash: no address is stored), for the per-address
    limit. Behind a proxy on this machine (deploy/, nginx) the proxy's X-Real-IP names the visitor."""
    try:
        address = st.context.ip_address or st.context.headers.get("X-Real-Ip") or "this machine"
    except Exception:  # noqa: BLE001 - outside a browser session (tests) there is no address
        address = "this machine"
    return hashlib.sha256(str(address).encode()).hexdigest()[:16]


def start_class(scenario: Scenario) -> None:
    """The Start button's callback: a new class on this lesson, its ticket in the teacher's session."""
    try:
        st.session_state[TICKET_KEY] = store().create_class(LESSONS.index(scenario.id), starter_key())
    except ClassError as error:
        st.session_state["class_problem"] = str(error)


def private_link(ticket: Ticket, lesson_id: str) -> str:
    """The teacher's own link back to the class: it opens this lesson with control of the class."""
    return export.link_to_view(None, {LESSON_KEY: lesson_id, CLASS_KEY: ticket.code, TEACH_KEY: ticket.teacher})


def resume_from_link() -> None:
    """A teacher's private link (a class code and its teacher's key) takes control of its class in this session.
    Both leave the address at once, so the room never sees the key; a link that controls no class is named."""
    teach, codes = st.query_params.get_all(TEACH_KEY), st.query_params.get_all(CLASS_KEY)
    if not teach and not codes:
        return
    for key in (TEACH_KEY, CLASS_KEY):
        del st.query_params[key]
    try:
        if len(teach) != 1 or len(codes) != 1:
            raise ClassError("a teacher's link holds one class code and one teacher's key")
        if not TOKEN.fullmatch(teach[0]):
            raise ClassError("it holds no teacher's key")
        st.session_state[TICKET_KEY] = store().resume(normalise_code(codes[0]), teach[0])
    except ClassError as error:
        reason = f"this teacher's link does not control a running class ({error})"
        given = [(TEACH_KEY, teach), (CLASS_KEY, codes)]
        notices.show_link_notices(
            [notices.link_notice(key, values[-1], reason, "no class") for key, values in given if values]
        )


def end_class() -> None:
    """The End button's callback: the class and its answers deleted (the phones say it has ended)."""
    ticket = st.session_state.pop(TICKET_KEY, None)
    if ticket is not None:
        act(store().end_class, ticket.code, ticket.teacher)


def move(ticket: Ticket, phase: str) -> None:
    store().set_phase(ticket.code, ticket.teacher, phase)


def move_to_lesson(ticket: Ticket, lesson_id: str) -> None:
    """Move the class (and this page) to `lesson_id`: a new question, voting."""
    store().set_lesson(ticket.code, ticket.teacher, LESSONS.index(lesson_id))
    controls.load(SCENARIOS[lesson_id].settings)
    st.query_params[LESSON_KEY] = lesson_id


def next_lesson_id(lesson_id: str) -> str:
    return LESSONS[(LESSONS.index(lesson_id) + 1) % len(LESSONS)]


def show_join(code: str, phase: str) -> None:
    """The join link, the code in large type and the QR code (folded once the vote is closed)."""
    link = join_link(code)
    with st.expander("How to join: the link and its QR code", expanded=phase == VOTING), st.container(key="class_join"):
        left, right = st.columns([1, 1])
        with left:
            png = qr_png(link)
            if png is None:
                st.caption("The QR code needs the segno package (pip install segno); the link works without it.")
            else:
                st.image(png, width=520 if presenter.is_on() else 360, caption="Scan to join")
        with right:
            st.markdown(f"### Class code: {code}")
            st.markdown("Open this address on a phone:")
            st.code(link, language=None, wrap_lines=True)


@st.fragment(run_every=COUNT_SECONDS)
def live_count(code: str) -> None:
    """How many have joined and answered, re-read from the store every COUNT_SECONDS."""
    try:
        answered, joined = sum(store().counts(code)), store().students(code)
    except NoSuchClassError:
        st.warning("This class has ended (classes last 12 hours).")
        return
    except ClassError as error:  # busy: the next rerun reads it again
        st.caption(f"The count could not be read just now: {error}.")
        return
    with st.container(key="class_count"):
        st.metric("Answers so far", f"{answered} of {joined} joined")


def act(action, *args) -> None:
    """Run a button's store action; a refusal (e.g. the class ended) is shown on the next run, not raised."""
    try:
        action(*args)
    except ClassError as error:
        st.session_state["class_problem"] = str(error)


def offer_class(scenario: Scenario) -> None:
    """The three steps and the button that starts a class on this lesson."""
    with st.container(border=True, key="class_offer"):
        st.markdown(THREE_STEPS)
        st.button(
            "Start a class",
            key="class_start",
            on_click=start_class,
            args=(scenario,),
            icon=":material/groups:",
            help="Students join with a code or a QR code and answer on their phones; no names, no accounts.",
        )


def teacher_panel(scenario: Scenario) -> bool:
    """The teacher's running class, if any: True when it is drawn (the page then draws nothing of its own
    question); the offer to start one is `offer_class`."""
    problem = st.session_state.pop("class_problem", None)
    if problem is not None:
        st.error(f"The class could not do that: {problem}.")
    ticket = st.session_state.get(TICKET_KEY)
    state = None
    if ticket is not None:
        try:
            state = store().state(ticket.code)
        except NoSuchClassError:
            st.session_state.pop(TICKET_KEY, None)
            st.info("Your class has ended (classes last 12 hours). Start a new one below.")
        except ClassError as error:
            st.warning(f"Your class could not be read just now: {error}.")
            return True
    if state is None:
        return False
    if LESSONS[state.lesson] != scenario.id:
        st.info(f"Your class {state.code} is on another lesson: {lesson_of(state).title}.")
        left, right = st.columns(2)
        left.button(
            "Move the class to this lesson", key="class_here", on_click=act, args=(move_to_lesson, ticket, scenario.id)
        )
        right.button("End the class", key="class_end", on_click=end_class)
        return True
    show_class(ticket, state, scenario)
    return True


def show_class(ticket: Ticket, state: ClassState, scenario: Scenario) -> None:
    """The question for the room, how to join, the count, then the spread and the reveal, and the next lesson."""
    with st.container(border=True, key="class_question"):
        st.markdown(f"#### {scenario.question}")
        st.markdown("\n".join(f"{chr(ord('A') + i)}. {choice}" for i, choice in enumerate(scenario.choices)))
    show_join(ticket.code, state.phase)
    if state.phase == VOTING:
        live_count(ticket.code)
        st.button(
            "Close the vote", key="class_close", type="primary", on_click=act, args=(move, ticket, CLOSED),
            icon=":material/how_to_vote:",
        )  # fmt: skip
    else:
        counts = spread_chart(state, key="class_spread")
        if state.phase == CLOSED:
            left, right = st.columns(2)
            left.button(
                "Reveal the answer", key="class_reveal", type="primary", on_click=act, args=(move, ticket, REVEALED),
                icon=":material/visibility:",
            )  # fmt: skip
            right.button("Open the vote again", key="class_reopen", on_click=act, args=(move, ticket, VOTING))
        else:
            with st.container(key="class_verdict"):
                st.success(verdict_of_class(scenario, counts), icon=":material/check_circle:")
            lessons.show_charts_and_why(scenario)
    following = SCENARIOS[next_lesson_id(scenario.id)]
    left, right = st.columns(2)
    left.button(
        f"Next lesson: {following.title}", key="class_next", on_click=act, args=(move_to_lesson, ticket, following.id),
        icon=":material/skip_next:",
    )  # fmt: skip
    right.button("End the class", key="class_end", on_click=end_class, icon=":material/logout:")
    with st.expander("Keep control of this class after a reload or in another tab (a private link)"):
        st.caption("Anyone with this link can move the class on: keep it off the projector.")
        st.code(private_link(ticket, scenario.id), language=None, wrap_lines=True)


# the student -----------------------------------------------------------------------------------------------------


def code_from_link() -> str | None:
    """The link's class code; else None, after a notice naming a link's code that cannot be used (quoted as text)
    and a box to type the code in."""
    token_notice()
    given = st.query_params.get_all(CLASS_KEY)
    if given:
        reason = "it is given more than once" if len(given) > 1 else None
        if reason is None:
            try:
                return normalise_code(given[-1])
            except ClassError as error:
                reason = f"it is not a class code ({error})"
        notices.show_link_notices([notices.link_notice(CLASS_KEY, given[-1], reason, "the class code box below")])
    st.markdown("Open the link your teacher shows, or scan its QR code. Or type the class code:")
    with st.form("class_code_form"):
        typed = st.text_input("Class code", max_chars=LIMITS.class_code_chars, key="class_typed")
        if st.form_submit_button("Join") and typed:
            st.query_params[CLASS_KEY] = typed[: LIMITS.class_code_chars]
            st.rerun()
    return None


def token_notice() -> None:
    """A notice naming a link's student key that cannot be one (quoted as text): the browser joins as new."""
    given = st.query_params.get_all(ME_KEY)
    if given and (len(given) > 1 or not TOKEN.fullmatch(given[-1])):
        reason = "it is given more than once" if len(given) > 1 else "it is not a student's key"
        notices.show_link_notices([notices.link_notice(ME_KEY, given[-1], reason, "a new place in the class")])


def student_token(code: str) -> str:
    """This browser's token in the class, joining it on the first visit (ClassError when it is full)."""
    tokens = st.session_state.setdefault(STUDENT_KEY, {})
    if code not in tokens:
        given = st.query_params.get(ME_KEY, "")
        known = TOKEN.fullmatch(given) is not None and store().is_student(code, given)
        tokens[code] = given if known else store().join(code)  # a reload (the token in the link) keeps its place
    if st.query_params.get(ME_KEY) != tokens[code]:
        st.query_params[ME_KEY] = tokens[code]
    return tokens[code]


def record(code: str, token: str, scenario: Scenario, key: str, round_: int) -> None:
    """The answer radio's callback: the choice into the store, for the question it was given to."""
    picked = st.session_state.get(key)
    if picked in scenario.choices:
        act(store().answer, code, token, scenario.choices.index(picked), round_)


@st.fragment
def pick(state: ClassState, token: str, scenario: Scenario) -> None:
    """The answers to pick from while the vote is open; the one picked is in the store at once. A fragment: a
    pick reruns only this part of the page, so a room answering at once costs the server little."""
    problem = st.session_state.pop("class_problem", None)
    if problem is not None:
        st.warning(f"Your answer was not taken: {problem}.")
    key = f"class_answer_{state.code}_{state.round}"
    if key not in st.session_state:  # a reload: the answer this browser gave already
        mine = store().my_answer(state.code, token)
        st.session_state[key] = scenario.choices[mine] if mine is not None and mine < len(scenario.choices) else None
    st.radio(
        "Your answer", scenario.choices, key=key, on_change=record, args=(state.code, token, scenario, key, state.round)
    )
    mine = store().my_answer(state.code, token)
    if mine is None:
        st.caption("Pick an answer. You can change it until your teacher closes the vote.")
    else:
        st.caption(f"Your answer is in: {chr(ord('A') + mine)}. You can change it until your teacher closes the vote.")


def show_outcome(state: ClassState, token: str, scenario: Scenario) -> None:
    """After the vote: the student's answer, the class's spread and, once revealed, the answer and the charts."""
    st.session_state.pop("class_problem", None)  # an answer sent as the vote closed: the outcome says it all
    mine = store().my_answer(state.code, token)
    picked = None if mine is None or mine >= len(scenario.choices) else scenario.choices[mine]
    with st.container(key="class_outcome"):
        if state.phase == CLOSED:
            st.info(f"The vote is closed. You picked: {picked or 'nothing'}. The answer comes next.")
        elif picked is None:
            st.info(f"You did not answer. The answer: **{scenario.answer}**")
        elif scenario.is_correct(picked):
            st.success(f"Right: **{scenario.answer}**", icon=":material/check_circle:")
        else:
            st.warning(f"Not quite: you picked “{picked}”. The answer: **{scenario.answer}**", icon=":material/cancel:")
    counts = spread_chart(state, key="class_spread")
    if state.phase == REVEALED:
        st.markdown(verdict_of_class(scenario, counts))
        lessons.show_charts_and_why(scenario)


@st.fragment(run_every=POLL_SECONDS)
def follow(code: str, drawn: tuple[int, str]) -> None:
    """Re-read the class every POLL_SECONDS; when the teacher moved it on (or it ended), redraw the page."""
    try:
        state = store().state(code)
    except NoSuchClassError:
        st.rerun()
    except ClassError:  # busy: the next rerun reads it again
        return
    if (state.round, state.phase) != drawn:
        st.rerun()
    st.caption("This page follows your teacher's screen by itself.")


def student_view() -> None:
    """The Join page: the class's question and the student's answer, then the spread and the reveal."""
    code = code_from_link()
    if code is None:
        return
    try:
        state = store().state(code)
        token = student_token(code)
    except NoSuchClassError:
        st.error(f"No class has the code {notices.inert(code)}: it may have ended (classes last 12 hours).")
        return
    except ClassError as error:
        st.error(f"You cannot join this class: {error}.")
        return
    scenario = lesson_of(state)
    st.header(scenario.title)
    with st.container(border=True, key="class_question"):
        st.markdown(f"#### {scenario.question}")
        if state.phase == VOTING:
            pick(state, token, scenario)
    if state.phase != VOTING:
        show_outcome(state, token, scenario)
    follow(code, (state.round, state.phase))
