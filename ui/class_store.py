"""The class store: who is in a class, which lesson it is on, and what each student answered.

It imports no Streamlit (it sits in ui/ because only the app's server uses it, and so a host, a test or the load
client can open the same file without a page). `ClassStore` is the interface a page calls; `SQLiteClassStore`
keeps it in one SQLite file (WAL mode) that every server process opens: each call opens the file, reads or writes
in one transaction and closes it, so nothing is cached in a process and several processes see the same class.

A class has a short code from `secrets` (no character that reads like another), a teacher's token (only its
holder moves the class on) and one round per lesson shown: a round is voting, then closed (the spread is shown),
then revealed. A student is a random token kept in their browser session; no name is stored. Classes expire
`LIFETIME_SECONDS` after they are made and their rows are deleted; every size is bounded.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DB_ENV = "RNNVIZ_CLASS_DB"  # the environment variable that moves the store's file
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "rnnviz_classes.sqlite3"  # beside app.py
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector without doubt
CODE_LENGTH = 6  # 31^6 ≈ 8.9e8 codes
LIFETIME_SECONDS = 12 * 3600
MAX_CLASSES = 200  # live classes per server
MAX_CLASSES_PER_STARTER = 5  # live classes started from one address (a hall's teachers share at most a few)
MAX_STUDENTS = 500  # students per class
MAX_CHANGES = 50  # times one student may answer (or change the answer) in one round
MAX_ROUNDS = 200  # lessons one class may show
MAX_CHOICES = 8  # a question's answers
OPEN_ATTEMPTS = 8  # tries to open the file while SQLite rebuilds its WAL index
VOTING, CLOSED, REVEALED = "voting", "closed", "revealed"
PHASES = (VOTING, CLOSED, REVEALED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, teacher TEXT NOT NULL, lesson INTEGER NOT NULL, round INTEGER NOT NULL,
    phase TEXT NOT NULL, created REAL NOT NULL, starter TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS students (
    code TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (code, token));
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, round INTEGER NOT NULL, token TEXT NOT NULL, choice INTEGER NOT NULL,
    changes INTEGER NOT NULL, PRIMARY KEY (code, round, token));
"""


class ClassError(ValueError):
    """A request the store refuses; its message is written for the person who made it."""


class NoSuchClassError(ClassError):
    """The code names no live class (never made, or expired)."""


@dataclass(frozen=True)
class ClassState:
    """What a class shows now."""

    code: str
    lesson: int  # index into the app's lessons
    round: int  # 1 for the first lesson shown, one more for each move
    phase: str  # VOTING, CLOSED or REVEALED
    expires: float  # seconds since the epoch


@dataclass(frozen=True)
class Ticket:
    """What the teacher keeps after making a class."""

    code: str
    teacher: str  # the token that moves the class on


class ClassStore(Protocol):
    """What the pages ask of a class store (SQLite here; a server database could stand behind it)."""

    def create_class(self, lesson: int, starter: str = "") -> Ticket: ...
    def resume(self, code: str, teacher: str) -> Ticket: ...
    def join(self, code: str) -> str: ...
    def is_student(self, code: str, student: str) -> bool: ...
    def answer(self, code: str, student: str, choice: int, round_: int | None = None) -> None: ...
    def state(self, code: str) -> ClassState: ...
    def my_answer(self, code: str, student: str) -> int | None: ...
    def counts(self, code: str) -> list[int]: ...
    def students(self, code: str) -> int: ...
    def set_phase(self, code: str, teacher: str, phase: str) -> ClassState: ...
    def set_lesson(self, code: str, teacher: str, lesson: int) -> ClassState: ...
    def end_class(self, code: str, teacher: str) -> None: ...
    def expire(self) -> int: ...


def normalise_code(raw: object) -> str:
    """A code as typed or linked, upper-cased without spaces; ClassError unless it could be a code."""
    code = "".join(str(raw).split()).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise ClassError(f"a class code is {CODE_LENGTH} letters and digits, as on the teacher's screen")
    return code


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SQLiteClassStore:
    """`ClassStore` in one SQLite file, shared by every process that opens the same path."""

    def __init__(self, path: str | os.PathLike | None = None, lessons: int = 1, clock: Callable[[], float] = time.time):
        self.path = str(path if path is not None else os.environ.get(DB_ENV) or DEFAULT_PATH)
        self.lessons, self.clock = int(lessons), clock
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            if db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'answers'").fetchone()[0] == 0:
                db.execute("PRAGMA journal_mode=WAL")  # kept in the file: every later connection uses it
                db.executescript(_SCHEMA)
        finally:
            db.close()

    def _begin(self, write: bool) -> sqlite3.Connection:
        """A connection inside its transaction. Opening a WAL file that no one holds open makes SQLite rebuild its
        index, and a connection opened meanwhile may be refused at once (busy handler or not): that is retried."""
        for attempt in range(OPEN_ATTEMPTS):
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            try:
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                db.execute("SELECT 1 FROM classes LIMIT 1").fetchall()  # a read takes its snapshot here
                return db
            except sqlite3.OperationalError:
                db.close()
                if attempt == OPEN_ATTEMPTS - 1:
                    raise ClassError("the class store is busy: try again in a moment") from None
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One connection, one transaction, closed after. A write takes the file's write lock at once (other
        writers wait up to 30 s); a read never waits for a writer (WAL). A store that stays busy is a ClassError."""
        db = self._begin(write)
        try:
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise ClassError("the class store is busy: try again in a moment") from error
        finally:
            db.close()

    def _live(self, db: sqlite3.Connection, code: str) -> tuple:
        """The class's row (teacher, lesson, round, phase, created); NoSuchClassError if gone or expired."""
        row = db.execute(
            "SELECT teacher, lesson, round, phase, created FROM classes WHERE code = ? AND created > ?",
            (code, self.clock() - LIFETIME_SECONDS),
        ).fetchone()
        if row is None:
            raise NoSuchClassError("no class has this code: it may have ended (classes last 12 hours)")
        return row

    def _check_lesson(self, lesson: int) -> int:
        if not 0 <= int(lesson) < self.lessons:
            raise ClassError(f"lesson must be one of 0 to {self.lessons - 1}")
        return int(lesson)

    def _delete_expired(self, db: sqlite3.Connection) -> int:
        codes = [row[0] for row in db.execute(
            "SELECT code FROM classes WHERE created <= ?", (self.clock() - LIFETIME_SECONDS,))]  # fmt: skip
        for table in ("answers", "students", "classes"):
            db.executemany(f"DELETE FROM {table} WHERE code = ?", [(code,) for code in codes])
        return len(codes)

    def expire(self) -> int:
        """Delete every class older than LIFETIME_SECONDS with its students and answers; how many went."""
        with self._transaction() as db:
            return self._delete_expired(db)

    def end_class(self, code: str, teacher: str) -> None:
        """Delete the class with its students and answers (only its teacher can)."""
        with self._transaction() as db:
            self._teacher(db, code, teacher)
            for table in ("answers", "students", "classes"):
                db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))

    def create_class(self, lesson: int, starter: str = "") -> Ticket:
        """A new class on `lesson`, voting; ClassError when the server holds MAX_CLASSES live classes, or `starter`
        (an opaque key of who starts it, e.g. a hash of their address) MAX_CLASSES_PER_STARTER."""
        lesson = self._check_lesson(lesson)
        with self._transaction() as db:
            self._delete_expired(db)
            if db.execute("SELECT COUNT(*) FROM classes").fetchone()[0] >= MAX_CLASSES:
                raise ClassError(f"this server already runs {MAX_CLASSES} classes: try again later")
            started = db.execute("SELECT COUNT(*) FROM classes WHERE starter = ?", (starter,)).fetchone()[0]
            if starter and started >= MAX_CLASSES_PER_STARTER:
                raise ClassError(
                    f"{MAX_CLASSES_PER_STARTER} classes started from this address are running: end one to start another"
                )
            code = new_code()
            while db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                code = new_code()
            ticket = Ticket(code, secrets.token_urlsafe(16))
            db.execute(
                "INSERT INTO classes VALUES (?, ?, ?, 1, ?, ?, ?)",
                (code, ticket.teacher, lesson, VOTING, self.clock(), starter),
            )
        return ticket

    def resume(self, code: str, teacher: str) -> Ticket:
        """The ticket of a live class for the teacher who holds its token (after a reload, or in another tab)."""
        with self._transaction(write=False) as db:
            self._teacher(db, code, teacher)
        return Ticket(code, teacher)

    def join(self, code: str) -> str:
        """A new student's token in the class; ClassError when it has MAX_STUDENTS."""
        with self._transaction() as db:
            self._live(db, code)
            if db.execute("SELECT COUNT(*) FROM students WHERE code = ?", (code,)).fetchone()[0] >= MAX_STUDENTS:
                raise ClassError(f"this class is full ({MAX_STUDENTS} students)")
            token = secrets.token_urlsafe(16)
            db.execute("INSERT INTO students VALUES (?, ?)", (code, token))
        return token

    def is_student(self, code: str, student: str) -> bool:
        """Whether `student` is a token that joined this live class."""
        with self._transaction(write=False) as db:
            self._live(db, code)
            return (
                db.execute("SELECT 1 FROM students WHERE code = ? AND token = ?", (code, student)).fetchone()
                is not None
            )

    def answer(self, code: str, student: str, choice: int, round_: int | None = None) -> None:
        """Record (or change) the student's answer to the current round's question while it is voting.

        round_ : the round the student answered (None: the current one). An answer to a question the class has left
            is refused, never counted for the next one."""
        if not 0 <= int(choice) < MAX_CHOICES:
            raise ClassError(f"an answer is one of at most {MAX_CHOICES} choices")
        with self._transaction() as db:
            _, _, current, phase, _ = self._live(db, code)
            if round_ is not None and round_ != current:
                raise ClassError("the class has moved on to another question")
            round_ = current
            if phase != VOTING:
                raise ClassError("the vote is closed")
            if not db.execute("SELECT 1 FROM students WHERE code = ? AND token = ?", (code, student)).fetchone():
                raise ClassError("this browser has not joined the class: open the join link again")
            row = db.execute(
                "SELECT changes FROM answers WHERE code = ? AND round = ? AND token = ?", (code, round_, student)
            ).fetchone()
            changes = 0 if row is None else row[0]
            if changes >= MAX_CHANGES:
                raise ClassError(f"an answer can be changed at most {MAX_CHANGES} times")
            row = (code, round_, student, int(choice), changes + 1)
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)", row)

    def state(self, code: str) -> ClassState:
        with self._transaction(write=False) as db:
            _, lesson, round_, phase, created = self._live(db, code)
        return ClassState(code, lesson, round_, phase, created + LIFETIME_SECONDS)

    def my_answer(self, code: str, student: str) -> int | None:
        """The student's answer in the current round, or None."""
        with self._transaction(write=False) as db:
            round_ = self._live(db, code)[2]
            row = db.execute(
                "SELECT choice FROM answers WHERE code = ? AND round = ? AND token = ?", (code, round_, student)
            ).fetchone()
        return None if row is None else row[0]

    def counts(self, code: str) -> list[int]:
        """How many students chose each answer (index 0 to MAX_CHOICES - 1) in the current round."""
        with self._transaction(write=False) as db:
            round_ = self._live(db, code)[2]
            rows = db.execute(
                "SELECT choice, COUNT(*) FROM answers WHERE code = ? AND round = ? GROUP BY choice", (code, round_)
            ).fetchall()
        counts = [0] * MAX_CHOICES
        for choice, count in rows:
            counts[choice] = count
        return counts

    def students(self, code: str) -> int:
        """How many students have joined the class."""
        with self._transaction(write=False) as db:
            self._live(db, code)
            return db.execute("SELECT COUNT(*) FROM students WHERE code = ?", (code,)).fetchone()[0]

    def _teacher(self, db: sqlite3.Connection, code: str, teacher: str) -> tuple:
        row = self._live(db, code)
        if not secrets.compare_digest(row[0], str(teacher)):
            raise ClassError("only the teacher who started the class can move it on")
        return row

    def set_phase(self, code: str, teacher: str, phase: str) -> ClassState:
        """Close the vote (CLOSED), reveal (REVEALED), or open it again (VOTING)."""
        if phase not in PHASES:
            raise ClassError(f"phase must be one of {', '.join(PHASES)}")
        with self._transaction() as db:
            _, lesson, round_, _, created = self._teacher(db, code, teacher)
            db.execute("UPDATE classes SET phase = ? WHERE code = ?", (phase, code))
        return ClassState(code, lesson, round_, phase, created + LIFETIME_SECONDS)

    def set_lesson(self, code: str, teacher: str, lesson: int) -> ClassState:
        """Move the class to `lesson`: a new round, voting, with no answers yet."""
        lesson = self._check_lesson(lesson)
        with self._transaction() as db:
            _, _, round_, _, created = self._teacher(db, code, teacher)
            if round_ >= MAX_ROUNDS:
                raise ClassError(f"a class shows at most {MAX_ROUNDS} lessons: start a new class")
            db.execute(
                "UPDATE classes SET lesson = ?, round = ?, phase = ? WHERE code = ?", (lesson, round_ + 1, VOTING, code)
            )
        return ClassState(code, lesson, round_ + 1, VOTING, created + LIFETIME_SECONDS)
