"""Links written to break the app, opened in a real browser: the page opens with a notice instead of Streamlit's
error, and a value quoted in a notice is text: no link, no image, no request to the address it holds."""

from urllib.parse import quote

import pytest

from .waiting import wait_for

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
NOTICE = "[data-testid='stAlert']"
TRAP = "http://127.0.0.1:1/"  # nothing listens on port 1


def notice_text(app_page) -> str:
    return "\n".join(app_page.page.locator(NOTICE).all_inner_texts())


@pytest.mark.parametrize(
    "path, charted", [("?seed=inf", False), ("unfold?seed=1e400", True), ("gradients?seed=-inf", True)]
)
def test_an_infinite_seed_opens_the_page_with_a_notice(app_page, path, charted):
    app_page.open(path)
    app_page.assert_healthy()
    assert "seed=" in notice_text(app_page) and "could not be used" in notice_text(app_page)
    assert app_page.page.locator(".st-key-regime").count() == 1  # the sidebar's verdict on the default seed
    if charted:
        assert wait_for(lambda: app_page.page.locator(CHART).count() > 0)
    assert "seed" not in app_page.query()  # the unusable value left the address bar


def test_going_back_to_the_infinite_seed_in_the_history_keeps_the_page(app_page):
    app_page.open("unfold?seed=inf")
    assert "seed" not in app_page.query()
    app_page.page.go_back()  # to the address that still holds seed=inf
    app_page.settle()
    app_page.assert_healthy()
    assert wait_for(lambda: app_page.page.locator(CHART).count() > 0)


@pytest.mark.parametrize("lesson", [f"[Log in again]({TRAP})", f"![]({TRAP}pixel.png)", f"<img src='{TRAP}x.png'>"])
def test_a_lesson_link_shows_its_value_as_text_and_fetches_nothing(app_page, lesson):
    requests = []
    app_page.page.on("request", lambda request: requests.append(request.url))
    app_page.open("scenarios?lesson=" + quote(lesson))
    app_page.assert_healthy()
    notice = app_page.page.locator(NOTICE).filter(has_text="lesson=")
    assert notice.count() == 1
    assert notice.locator("code").inner_text().startswith("lesson=" + lesson[:10])  # quoted as it was written
    assert app_page.page.locator(f"a[href^='{TRAP}']").count() == 0
    assert app_page.page.locator(f"img[src^='{TRAP}']").count() == 0
    assert not [url for url in requests if url.startswith(TRAP)], requests


def test_markdown_math_and_icons_in_a_value_stay_text(app_page):
    value = ":red[r] $x$ :smile: *b*"  # 23 characters: quoted whole
    app_page.open("unfold?unfold_view=" + quote(value))
    app_page.assert_healthy()
    code = app_page.page.locator(NOTICE).filter(has_text="unfold_view=").locator("code")
    assert code.inner_text() == "unfold_view=" + value
    assert wait_for(lambda: app_page.page.locator(CHART).count() > 0)  # the first view is open


def test_the_seed_box_takes_whole_numbers_and_rounds_a_typed_fraction(app_page):
    app_page.open("unfold")
    box = app_page.page.locator(".st-key-seed input")
    box.fill("3.6")
    box.press("Enter")
    app_page.settle()
    app_page.assert_healthy()
    assert wait_for(lambda: box.input_value() == "4")
    assert wait_for(lambda: app_page.query().get("seed") == "4")
