"""The Train page's guards in a real browser: Stop shows as soon as a run starts and stops it within the epoch;
the server's two training slots refuse a third visitor, and a visitor who closes the tab mid-run frees theirs."""

from __future__ import annotations

import re

from tests.browser.waiting import wait_for
from ui.slots import LEASE_SECONDS, MAX_CONCURRENT_TRAININGS

BUSY = f"{MAX_CONCURRENT_TRAININGS} other trainings are running"


def set_number(page, label: str, value: int) -> None:
    field = page.get_by_role("spinbutton", name=label)
    field.fill(str(value))
    field.press("Enter")


def open_long_run(app_page, epochs: int = 5) -> None:
    """The Train page with a run of many small batches set up: the bundled text (4,059 windows), batch 1."""
    app_page.open("train")
    page = app_page.page
    app_page.choose("Load a text", re.compile("Alice"))
    app_page.settle()
    set_number(page, "Batch size", 1)
    app_page.settle()
    set_number(page, "Epochs", epochs)
    app_page.settle()


def stop_shown(page) -> bool:
    return page.get_by_role("button", name="Stop").count() > 0


def test_stop_shows_at_once_and_stops_within_the_first_epoch(app_page):
    open_long_run(app_page, epochs=2)
    page = app_page.page
    page.get_by_role("button", name="Train from scratch").click()
    assert wait_for(lambda: stop_shown(page), 5), "no Stop button within 5 s of pressing Train"
    assert wait_for(lambda: "batch" in page.locator("[data-testid='stProgress']").first.inner_text(), 10)
    page.get_by_role("button", name="Stop").click()
    stopped = page.get_by_text(re.compile(r"Stopped after epoch 0 of 2\. The model also keeps the updates of \d+"))
    assert wait_for(lambda: stopped.count() > 0, 15), "the run did not stop within its first epoch"
    app_page.settle()
    assert not stop_shown(page)
    app_page.assert_healthy()


def test_a_third_visitor_is_refused_and_a_closed_tab_frees_its_slot(browser, app_url):
    from tests.browser.conftest import AppPage

    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(3)]
    try:
        first, second, third = (AppPage(context.new_page(), app_url) for context in contexts)
        for visitor in (first, second):
            visitor.page.set_default_timeout(60_000)
            open_long_run(visitor)
            visitor.page.get_by_role("button", name="Train from scratch").click()
            assert wait_for(lambda v=visitor: stop_shown(v.page), 10)
        third.page.set_default_timeout(60_000)
        third.open("train")
        third.page.get_by_role("button", name="Train from scratch").click()
        third.settle()
        assert third.page.get_by_text(BUSY).count() == 1
        assert not stop_shown(third.page)

        contexts[0].close()  # the first visitor closes the tab mid-run
        freed = False
        for _ in range(int(LEASE_SECONDS // 5) + 4):
            third.page.get_by_role("button", name="Train from scratch").click()
            third.settle()
            if third.page.get_by_text(BUSY).count() == 0:
                freed = True
                break
            third.page.wait_for_timeout(5_000)
        assert freed, f"the closed tab's slot was not free {LEASE_SECONDS + 20:.0f} s later"
        assert wait_for(lambda: third.page.get_by_text(re.compile(r"^Trained 100 epochs")).count() > 0, 60)
        if stop_shown(second.page):  # still training: Stop gives its slot back to the later tests
            second.page.get_by_role("button", name="Stop").click()
            second.settle()
        third.assert_healthy()
        second.assert_healthy()
    finally:
        for context in contexts[1:]:
            context.close()
