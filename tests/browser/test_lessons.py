"""A lesson in a real browser: Reveal waits for an answer, and the revealed words state the number the revealed
chart draws (read from the chart in the page, tolerance as in tests/lesson_text.py)."""

from __future__ import annotations

import re

from rnnviz.scenarios import SCENARIOS
from tests.lesson_text import POWER, matches


def test_reveal_waits_for_an_answer_and_the_words_match_the_chart(app_page):
    scenario = SCENARIOS["sigmoid_vanishing"]
    app_page.open()
    app_page.open("scenarios", **scenario.query())
    page = app_page.page
    reveal = page.get_by_role("button", name="Reveal")
    assert reveal.is_disabled()
    page.get_by_text(scenario.answer, exact=True).click()
    app_page.settle()
    assert reveal.is_enabled()
    reveal.click()
    app_page.settle()
    shown = page.locator(".st-key-lesson_reveal")
    shown.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=30_000)
    drawn = page.evaluate(
        """() => {
        const gd = document.querySelector('.st-key-lesson_reveal .js-plotly-plot');
        const index = gd.data.findIndex(t => t.name.startsWith('measured'));
        const points = gd.calcdata[index];  // the points as drawn: {x, y}
        const back = (gd._fullLayout.xaxis.title.text || '').includes('back');
        const end = back ? Math.max(...points.map(p => p.x)) : 0;
        return points.find(p => p.x === end).y;
    }"""
    )
    text = shown.inner_text()
    measured = re.search(r"Over \d+ steps ‖∂h_T/∂h_0‖ = " + POWER, text)
    assert measured, text
    assert matches(measured.group(1), drawn)
    app_page.assert_healthy()
