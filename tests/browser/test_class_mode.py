"""A class in real browsers: one teacher on a projector (1920x1080, presenter mode), three students on phones
(390x844). The students join by the link the teacher's screen shows, answer, and follow the teacher's screen by
themselves: the count, the closed vote and the reveal reach every screen without a reload."""

from __future__ import annotations

import re

import pytest

from rnnviz.scenarios import SCENARIOS
from tests.browser.conftest import fresh_app_page, running_server
from ui import class_store

LESSON = SCENARIOS["sigmoid_vanishing"]
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
FOLLOW_MS = 20_000  # a screen shows what the class did within this (the pages poll every 1 to 2 s; CI is busy)
CHART_MS = 60_000  # the first chart of a tab loads Plotly's script first


@pytest.fixture
def class_app(tmp_path, monkeypatch):
    """A server of its own on a fresh class store file."""
    monkeypatch.setenv(class_store.DB_ENV, str(tmp_path / "classes.sqlite3"))
    with running_server() as url:
        yield url


def test_three_phones_answer_and_follow_the_projector(browser, class_app):
    with fresh_app_page(browser, class_app, PROJECTOR) as teacher:
        teacher.open("scenarios", lesson=LESSON.id, present="true")
        teacher.page.get_by_role("button", name="Start a class").click()
        teacher.settle()
        link = teacher.page.locator(".st-key-class_join [data-testid='stCode']").inner_text().strip()
        assert re.search(r"/join\?class=[A-Z2-9]{6}$", link), link
        qr = teacher.page.locator(".st-key-class_join [data-testid='stImage'] img").bounding_box()
        assert qr["width"] >= 480, "the QR code is large enough to scan from the back of a hall"
        picks = [LESSON.correct, LESSON.correct, 0]
        phones = [fresh_app_page(browser, class_app, PHONE, is_mobile=True, has_touch=True) for _ in picks]
        students = [phone.__enter__() for phone in phones]
        try:
            for student, pick in zip(students, picks, strict=True):
                student.visit(link)
                student.page.locator("[data-testid='stMain'] [data-testid='stRadio'] [role='radiogroup'] label").nth(
                    pick
                ).click()
                student.page.get_by_text("Your answer is in").wait_for(timeout=FOLLOW_MS)
            count = teacher.page.locator(".st-key-class_count [data-testid='stMetricValue']")
            count.get_by_text("3 of 3 joined").wait_for(timeout=FOLLOW_MS)

            teacher.page.get_by_role("button", name="Close the vote").click()
            teacher.settle()
            for student in students:
                student.page.get_by_text("The vote is closed").wait_for(timeout=FOLLOW_MS)
                student.settle()
                student.page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=CHART_MS)

            teacher.page.get_by_role("button", name="Reveal the answer").click()
            teacher.settle()
            teacher.page.get_by_text("2 of 3 answers (67%) chose the right one").wait_for(timeout=FOLLOW_MS)
            for student, pick in zip(students, picks, strict=True):
                verdict = "Right" if pick == LESSON.correct else "Not quite"
                student.page.locator(".st-key-class_outcome").get_by_text(verdict).wait_for(timeout=FOLLOW_MS)
                student.settle()
                assert student.page.locator("[data-testid='stPlotlyChart']").count() == 2
                width = student.page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], "nothing runs off the phone's screen sideways"
                student.assert_healthy()
            teacher.assert_healthy()
        finally:
            for phone in phones:
                phone.__exit__(None, None, None)
