"""Every page's offline report, as a visitor gets it: the button clicked in a real browser, the file downloaded,
then opened from disk with the network cut off. The report is built on the click, outside the page's script run,
so a report that reads the session there fails here."""

from __future__ import annotations

import re

import pytest

from tests.browser.offline import download_report, opened_offline
from tests.browser.waiting import wait_for

EXTERNAL = re.compile(r"""<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def answer_and_reveal(app_page) -> None:
    page = app_page.page
    page.get_by_role("radiogroup", name="Your answer").get_by_role("radio").first.check(force=True)
    app_page.settle()
    page.get_by_role("button", name="Reveal").click()
    app_page.settle()


def train_the_article_recipe(app_page) -> None:
    page = app_page.page
    page.get_by_role("button", name="Train from scratch").click()
    assert wait_for(lambda: page.get_by_text(re.compile(r"^Trained \d+ epochs")).count() > 0, 90)
    app_page.settle()


PAGES = {  # page -> (query, what to do before the report button is there, the report's title)
    "unfold": ({}, None, "Unfold"),
    "gradients": ({}, None, "Gradients (BPTT)"),
    "cells": ({}, None, "Cells"),
    "memory": ({}, None, "Long-range memory"),
    "train": ({}, train_the_article_recipe, "Train a character model"),
    "regime_map": ({}, None, "Regime map"),
    "scenarios": ({"lesson": "sigmoid_vanishing"}, answer_and_reveal, "Lesson:"),
    "sequences": ({}, None, "Sequences"),
    "your_network": ({}, None, "Your network"),
}


def open_offline(browser, path):
    """The offline report's title, first heading, drawn charts, requests and script errors."""
    with opened_offline(browser, path) as offline:
        page = offline.page
        drawn = wait_for(lambda: page.locator(".js-plotly-plot .main-svg").count() > 0, 30)
        charts = page.locator(".js-plotly-plot .main-svg").count() if drawn else 0
        return page.title(), page.locator("h1").first.inner_text(), charts, offline.requested, offline.errors


@pytest.mark.parametrize("name", list(PAGES))
def test_the_report_downloads_and_opens_offline_with_its_charts(name, app_page, browser, tmp_path):
    query, prepare, title = PAGES[name]
    app_page.open(name, **query)
    if prepare is not None:
        prepare(app_page)
    path = download_report(app_page, tmp_path)
    html = path.read_text(encoding="utf-8")
    assert path.suffix == ".html"
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html).group(0)
    assert "could not be built" not in html

    page_title, heading, charts, requested, errors = open_offline(browser, path)
    assert title in page_title and title in heading, (page_title, heading)
    assert charts >= 1
    assert all(url.startswith("file://") for url in requested), requested
    assert not errors, errors
    app_page.assert_healthy()
