"""Class mode in AppTest: a teacher's Scenarios page and several students' Join pages on one class store."""

from __future__ import annotations

import json

import pytest

from rnnviz.scenarios import SCENARIOS
from tests.conftest import assert_healthy, run_app
from ui import class_store
from ui.class_mode import LESSONS, ME_KEY, STUDENT_KEY, TICKET_KEY

LESSON = SCENARIOS["sigmoid_vanishing"]
TEACHER_PAGE, JOIN_PAGE = "pages/scenarios.py", "pages/join.py"


@pytest.fixture(autouse=True)
def class_file(tmp_path, monkeypatch):
    """Every test has a store file of its own."""
    path = tmp_path / "classes.sqlite3"
    monkeypatch.setenv(class_store.DB_ENV, str(path))
    return path


def teacher_with_a_class():
    at = run_app(TEACHER_PAGE, LESSON.query())
    at.button(key="class_start").click().run()
    assert_healthy(at)
    return at, at.session_state[TICKET_KEY].code


def student(code: str):
    at = run_app(JOIN_PAGE, {"class": code})
    assert_healthy(at)
    return at


def answer(at, index: int):
    at.radio[0].set_value(at.radio[0].options[index]).run()
    assert_healthy(at)
    return at


def count_shown(at) -> str:
    return at.metric[0].value


def bars(at) -> list[int]:
    """The counts the spread chart draws, one per answer."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return list(spec["data"][0]["x"])


def test_a_lesson_says_how_to_run_a_class_and_offers_to_start_one():
    at = run_app(TEACHER_PAGE, LESSON.query())
    assert_healthy(at)
    assert any("three steps" in m.value for m in at.markdown)
    assert at.button(key="class_start").label == "Start a class"


def test_starting_a_class_shows_its_code_its_join_link_and_its_qr_code():
    at, code = teacher_with_a_class()
    assert any(code in m.value for m in at.markdown)
    assert at.code[0].value.endswith(f"join?class={code}")
    assert at.get("image"), "the QR code is drawn"
    assert count_shown(at) == "0 of 0 joined"


def test_two_students_answering_are_counted_on_the_teacher_s_screen():
    teacher, code = teacher_with_a_class()
    answer(student(code), 0)
    answer(student(code), 2)
    student(code)  # joined, not answered yet
    teacher.run()
    assert count_shown(teacher) == "2 of 3 joined"


def test_every_student_sees_the_class_s_question_and_its_answers():
    _, code = teacher_with_a_class()
    at = student(code)
    assert at.header[0].value == LESSON.title
    assert list(at.radio[0].options) == list(LESSON.choices)
    assert not at.get("plotly_chart"), "nothing is revealed while the vote is open"


def test_a_changed_answer_counts_once_as_the_last_one_picked():
    teacher, code = teacher_with_a_class()
    at = answer(student(code), 0)
    answer(at, 3)
    assert any("Your answer is in: D" in c.value for c in at.caption)
    teacher.button(key="class_close").click().run()
    assert bars(teacher) == [0, 0, 0, 1]


def test_closing_the_vote_shows_the_same_spread_to_the_teacher_and_the_students():
    teacher, code = teacher_with_a_class()
    first, second = answer(student(code), 2), answer(student(code), 0)
    teacher.button(key="class_close").click().run()
    assert_healthy(teacher)
    first.run()
    second.run()
    assert bars(teacher) == bars(first) == bars(second) == [1, 0, 1, 0]
    assert not first.radio, "the vote is closed: no answer to pick"
    assert "The vote is closed" in first.info[0].value


def test_the_reveal_says_how_many_chose_the_right_answer_and_tells_each_student():
    teacher, code = teacher_with_a_class()
    right, wrong = answer(student(code), LESSON.correct), answer(student(code), 0)
    teacher.button(key="class_close").click().run()
    teacher.button(key="class_reveal").click().run()
    assert_healthy(teacher)
    assert teacher.success[0].value.startswith("1 of 2 answers (50%) chose the right one")
    right.run()
    wrong.run()
    assert right.success[0].value.startswith("Right")
    assert LESSON.answer in wrong.warning[0].value
    assert len(right.get("plotly_chart")) == 2, "the spread and the lesson's chart"


def test_the_next_lesson_moves_the_teacher_and_the_students_with_no_answers_yet():
    teacher, code = teacher_with_a_class()
    at = answer(student(code), 1)
    teacher.button(key="class_next").click().run()
    assert_healthy(teacher)
    following = SCENARIOS[LESSONS[1]]
    assert teacher.header[0].value == following.title
    at.run()
    assert at.header[0].value == following.title
    assert at.radio[0].value is None
    assert count_shown(teacher) == "0 of 1 joined"


def test_a_student_keeps_one_token_over_many_runs():
    teacher, code = teacher_with_a_class()
    at = student(code)
    at.run()
    at.run()
    teacher.run()
    assert len(at.session_state[STUDENT_KEY]) == 1
    assert count_shown(teacher) == "0 of 1 joined"


def test_a_code_of_no_class_says_so_and_quotes_it_as_text():
    at = student("ABC234")
    assert at.error[0].value.startswith("No class has the code `ABC234`")


def test_an_expired_class_tells_the_student_and_the_teacher(monkeypatch):
    teacher, code = teacher_with_a_class()
    at = student(code)
    monkeypatch.setattr(class_store, "LIFETIME_SECONDS", -1.0)
    at.run()
    teacher.run()
    assert_healthy(at)
    assert_healthy(teacher)
    assert "No class has the code" in at.error[0].value
    assert "has ended" in teacher.info[0].value
    assert teacher.button(key="class_start")


def test_the_join_page_without_a_code_asks_for_one_and_a_typed_code_joins():
    _, code = teacher_with_a_class()
    at = run_app(JOIN_PAGE)
    assert_healthy(at)
    at.text_input(key="class_typed").input(code.lower())
    next(button for button in at.button if button.label == "Join").click().run()
    assert_healthy(at)
    assert at.header[0].value == LESSON.title


def test_an_answer_sent_as_the_vote_closes_is_not_counted_and_the_student_sees_the_vote_closed():
    teacher, code = teacher_with_a_class()
    at = student(code)
    teacher.button(key="class_close").click().run()
    answer(at, 1)
    assert "The vote is closed. You picked: nothing" in at.info[0].value
    teacher.run()
    assert bars(teacher) == [0, 0, 0, 0]


def test_the_spread_chart_counts_whole_students_and_marks_the_right_answer_once_revealed():
    from rnnviz.figures import class_answers_figure

    fig = class_answers_figure(["a", "b", "c"], [2, 0, 1], correct=2)
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
    marked = [note.text for note in fig.layout.annotations if "right answer" in note.text]
    assert len(marked) == 1 and "C. c" in marked[0]
    assert fig.data[0].marker.color[2] != fig.data[0].marker.color[0]


def test_ending_the_class_tells_the_students_it_has_ended():
    teacher, code = teacher_with_a_class()
    at = student(code)
    teacher.button(key="class_end").click().run()
    assert_healthy(teacher)
    assert teacher.button(key="class_start")
    at.run()
    assert "No class has the code" in at.error[0].value


def test_a_student_s_reload_keeps_their_place_and_answer_instead_of_joining_again():
    teacher, code = teacher_with_a_class()
    phone = answer(student(code), 1)
    token = (
        phone.query_params[ME_KEY][0] if isinstance(phone.query_params[ME_KEY], list) else phone.query_params[ME_KEY]
    )
    reloaded = run_app(JOIN_PAGE, {"class": code, ME_KEY: token})  # a new session on the same link
    assert_healthy(reloaded)
    assert reloaded.radio[0].value == reloaded.radio[0].options[1]
    teacher.run()
    assert count_shown(teacher) == "1 of 1 joined"


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 22])
def test_a_link_s_unknown_student_token_joins_as_a_new_student(token):
    teacher, code = teacher_with_a_class()
    phone = run_app(JOIN_PAGE, {"class": code, ME_KEY: token})
    assert_healthy(phone)
    teacher.run()
    assert count_shown(teacher) == "0 of 1 joined"


def test_the_teacher_s_private_link_gives_control_of_the_class_back_after_a_reload():
    teacher, code = teacher_with_a_class()
    link = next(c.value for c in teacher.code if "teach=" in c.value)
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    reloaded = run_app(TEACHER_PAGE, query)
    assert_healthy(reloaded)
    assert reloaded.session_state[TICKET_KEY].code == code
    assert "teach" not in reloaded.query_params  # the key leaves the address the room can see
    reloaded.button(key="class_close").click().run()
    assert_healthy(reloaded)
    assert class_store.SQLiteClassStore(lessons=len(LESSONS)).state(code).phase == class_store.CLOSED


def test_a_teacher_s_link_with_a_wrong_key_gives_no_control_and_says_so():
    _, code = teacher_with_a_class()
    at = run_app(TEACHER_PAGE, {**LESSON.query(), "class": code, "teach": "A" * 22})
    assert_healthy(at)
    assert TICKET_KEY not in at.session_state
    assert any("does not control a running class" in w.value for w in at.warning)
    assert "teach" not in at.query_params
