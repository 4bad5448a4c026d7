"""The class store: codes, expiry, bounds, a restart, and several writers at once on one file."""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui import class_store
from ui.class_store import (
    CLOSED,
    CODE_ALPHABET,
    CODE_LENGTH,
    LIFETIME_SECONDS,
    MAX_CHANGES,
    MAX_CHOICES,
    REVEALED,
    VOTING,
    ClassError,
    NoSuchClassError,
    SQLiteClassStore,
    normalise_code,
)

LESSONS = 6


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path):
    return tmp_path / "classes.sqlite3"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(path, clock):
    return SQLiteClassStore(path, lessons=LESSONS, clock=clock)


def test_a_code_is_six_characters_none_of_which_reads_like_another(store):
    code = store.create_class(0).code
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_codes_of_classes_made_one_after_another_share_no_pattern(store):
    codes = [store.create_class(0).code for _ in range(40)]
    assert len(set(codes)) == 40
    # made by a counter or a clock, consecutive codes would share most of their characters
    same_places = [
        sum(a == b for a, b in zip(one, two, strict=True)) for one, two in zip(codes, codes[1:], strict=False)
    ]
    assert max(same_places) <= 3


def test_a_typed_code_is_read_without_case_or_spaces_and_anything_else_is_refused():
    assert normalise_code(" ab c2 34 ") == "ABC234"
    for bad in ("", "ABC23", "ABC2345", "ABCD0O", "[x](y)", "٣٣٣٣٣٣"):
        with pytest.raises(ClassError):
            normalise_code(bad)


def test_a_new_class_is_voting_on_its_lesson_with_no_answers(store):
    ticket = store.create_class(3)
    state = store.state(ticket.code)
    assert (state.lesson, state.round, state.phase) == (3, 1, VOTING)
    assert store.counts(ticket.code) == [0] * MAX_CHOICES and store.students(ticket.code) == 0


def test_each_student_s_last_answer_counts_once(store):
    code = store.create_class(0).code
    first, second = store.join(code), store.join(code)
    store.answer(code, first, 1)
    store.answer(code, first, 2)
    store.answer(code, second, 2)
    assert store.counts(code)[:4] == [0, 0, 2, 0]
    assert store.my_answer(code, first) == 2


def test_no_answer_is_taken_once_the_vote_is_closed(store):
    ticket = store.create_class(0)
    student = store.join(ticket.code)
    store.set_phase(ticket.code, ticket.teacher, CLOSED)
    with pytest.raises(ClassError, match="closed"):
        store.answer(ticket.code, student, 0)


def test_only_the_teacher_s_token_moves_the_class_on(store):
    ticket = store.create_class(0)
    student = store.join(ticket.code)
    with pytest.raises(ClassError, match="teacher"):
        store.set_phase(ticket.code, student, REVEALED)
    with pytest.raises(ClassError, match="teacher"):
        store.set_lesson(ticket.code, student, 1)
    assert store.state(ticket.code).phase == VOTING


def test_the_next_lesson_starts_a_new_round_with_no_answers(store):
    ticket = store.create_class(0)
    student = store.join(ticket.code)
    store.answer(ticket.code, student, 1)
    store.set_phase(ticket.code, ticket.teacher, REVEALED)
    state = store.set_lesson(ticket.code, ticket.teacher, 1)
    assert (state.lesson, state.round, state.phase) == (1, 2, VOTING)
    assert sum(store.counts(ticket.code)) == 0 and store.my_answer(ticket.code, student) is None


def test_an_answer_to_a_question_the_class_has_left_is_refused_not_counted_for_the_next(store):
    ticket = store.create_class(0)
    student = store.join(ticket.code)
    round_on_the_phone = store.state(ticket.code).round
    store.set_lesson(ticket.code, ticket.teacher, 1)
    with pytest.raises(ClassError, match="moved on"):
        store.answer(ticket.code, student, 2, round_on_the_phone)
    assert sum(store.counts(ticket.code)) == 0
    store.answer(ticket.code, student, 2, store.state(ticket.code).round)
    assert store.my_answer(ticket.code, student) == 2


def test_a_joined_token_is_known_and_another_is_not(store):
    code = store.create_class(0).code
    student = store.join(code)
    assert store.is_student(code, student)
    assert not store.is_student(code, "made-up-token")
    assert not store.is_student(store.create_class(0).code, student)  # a token belongs to one class


def test_the_teacher_s_token_resumes_the_class_and_another_token_does_not(store):
    ticket = store.create_class(0)
    assert store.resume(ticket.code, ticket.teacher) == ticket
    with pytest.raises(ClassError, match="teacher"):
        store.resume(ticket.code, store.join(ticket.code))


def test_an_unjoined_token_cannot_answer(store):
    code = store.create_class(0).code
    with pytest.raises(ClassError, match="joined"):
        store.answer(code, "made-up-token", 0)


def test_a_class_is_gone_after_twelve_hours_and_its_rows_are_deleted(store, clock, path):
    ticket = store.create_class(0)
    store.answer(ticket.code, store.join(ticket.code), 0)
    clock.now += LIFETIME_SECONDS - 1
    assert store.state(ticket.code).phase == VOTING
    clock.now += 1
    with pytest.raises(NoSuchClassError):
        store.state(ticket.code)
    assert store.expire() == 1
    with sqlite3.connect(path) as db:
        assert [
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("classes", "students", "answers")
        ] == [0, 0, 0]


def test_a_code_that_was_never_made_names_no_class(store):
    with pytest.raises(NoSuchClassError):
        store.join("ABC234")


@pytest.mark.parametrize("lesson", [-1, LESSONS, 10**9])
def test_a_lesson_outside_the_range_is_refused(store, lesson):
    with pytest.raises(ClassError, match="lesson"):
        store.create_class(lesson)
    ticket = store.create_class(0)
    with pytest.raises(ClassError, match="lesson"):
        store.set_lesson(ticket.code, ticket.teacher, lesson)


@pytest.mark.parametrize("choice", [-1, MAX_CHOICES])
def test_a_choice_outside_the_range_is_refused(store, choice):
    code = store.create_class(0).code
    with pytest.raises(ClassError):
        store.answer(code, store.join(code), choice)


def test_a_student_changes_an_answer_at_most_max_changes_times_a_round(store):
    code = store.create_class(0).code
    student = store.join(code)
    for change in range(MAX_CHANGES):
        store.answer(code, student, change % 2)
    with pytest.raises(ClassError, match="at most"):
        store.answer(code, student, 0)


def test_a_full_class_takes_no_more_students(store, monkeypatch):
    monkeypatch.setattr(class_store, "MAX_STUDENTS", 3)
    code = store.create_class(0).code
    for _ in range(3):
        store.join(code)
    with pytest.raises(ClassError, match="full"):
        store.join(code)


def test_one_address_starts_at_most_a_few_classes_while_others_still_can(store, monkeypatch):
    monkeypatch.setattr(class_store, "MAX_CLASSES_PER_STARTER", 2)
    first = store.create_class(0, starter="hall")
    store.create_class(0, starter="hall")
    with pytest.raises(ClassError, match="from this address"):
        store.create_class(0, starter="hall")
    assert store.create_class(0, starter="office").code
    store.end_class(first.code, first.teacher)
    assert store.create_class(0, starter="hall").code  # ending one makes room


def test_a_server_runs_at_most_max_classes_and_expired_ones_make_room(store, clock, monkeypatch):
    monkeypatch.setattr(class_store, "MAX_CLASSES", 2)
    store.create_class(0)
    store.create_class(0)
    with pytest.raises(ClassError, match="already runs"):
        store.create_class(0)
    clock.now += LIFETIME_SECONDS
    assert store.create_class(0).code


def test_a_class_has_at_most_max_rounds(store, monkeypatch):
    monkeypatch.setattr(class_store, "MAX_ROUNDS", 2)
    ticket = store.create_class(0)
    store.set_lesson(ticket.code, ticket.teacher, 1)
    with pytest.raises(ClassError, match="at most"):
        store.set_lesson(ticket.code, ticket.teacher, 2)


def test_a_new_store_on_the_same_file_sees_the_class_and_its_answers(path, clock):
    before = SQLiteClassStore(path, lessons=LESSONS, clock=clock)
    ticket = before.create_class(2)
    student = before.join(ticket.code)
    before.answer(ticket.code, student, 3)
    del before  # the server restarts
    after = SQLiteClassStore(path, lessons=LESSONS, clock=clock)
    assert after.state(ticket.code).lesson == 2
    assert after.counts(ticket.code)[3] == 1 and after.my_answer(ticket.code, student) == 3


def test_the_file_is_in_wal_mode(store, path):
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_environment_variable_moves_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(class_store.DB_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert SQLiteClassStore(lessons=LESSONS).path == str(tmp_path / "elsewhere.sqlite3")


def test_forty_threads_answering_at_once_are_all_counted(store):
    code = store.create_class(0).code

    def one_student(index: int) -> None:
        token = store.join(code)
        store.answer(code, token, index % 4)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one_student, range(40)))
    assert store.counts(code)[:4] == [10, 10, 10, 10]


def _students_in_a_process(path: str, code: str, students: int, choice: int) -> None:
    store = SQLiteClassStore(path, lessons=LESSONS)
    for _ in range(students):
        store.answer(code, store.join(code), choice)


def test_two_processes_answering_at_once_are_all_counted(path):
    store = SQLiteClassStore(path, lessons=LESSONS)
    code = store.create_class(0).code
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_students_in_a_process, args=(str(path), code, 25, c)) for c in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert store.counts(code)[:2] == [25, 25] and store.students(code) == 50


def test_ending_a_class_deletes_it_and_only_its_teacher_can(store):
    ticket = store.create_class(0)
    student = store.join(ticket.code)
    with pytest.raises(ClassError, match="teacher"):
        store.end_class(ticket.code, student)
    store.end_class(ticket.code, ticket.teacher)
    with pytest.raises(NoSuchClassError):
        store.state(ticket.code)
