"""The app on a phone (390 x 844): no page scrolls sideways, the unrolled graph's nodes stay apart (its box scrolls
instead), formulas scroll inside their own box, chart titles fit the screen, and the Gradients chart comes before its
numbers."""

from __future__ import annotations

import pytest

from tests.browser.conftest import fresh_app_page
from tests.browser.waiting import wait_for

PHONE = {"width": 390, "height": 844}
PAGES = ["", "unfold", "gradients", "cells", "your_network", "train", "memory", "regime_map", "scenarios", "sequences"]

# the bounding boxes of the graph's node markers, in page pixels
_NODE_BOXES = """el => Array.from(el.querySelectorAll('.scatterlayer .trace .points path.point')).map(p => {
    const r = p.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


@pytest.fixture
def phone(browser, app_url):
    with fresh_app_page(browser, app_url, PHONE, is_mobile=True, has_touch=True) as app:
        yield app


def document_overflow(app_page) -> tuple[int, int]:
    return app_page.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways(phone, path):
    phone.open(path)
    assert wait_for(lambda: phone.page.locator("[data-testid='stMain']").count() == 1)
    phone.settle()
    scroll_width, inner_width = document_overflow(phone)
    assert scroll_width <= inner_width + 1, f"/{path} is {scroll_width} px wide on a {inner_width} px screen"
    phone.assert_healthy()


def test_the_sidebar_starts_folded_away(phone):
    phone.open("gradients")
    sidebar = phone.page.locator("[data-testid='stSidebar']")
    assert sidebar.count() == 1
    right = sidebar.evaluate("el => el.getBoundingClientRect().right")
    assert right <= 1, f"the sidebar covers {right:.0f} px of a {PHONE['width']} px screen"


def test_the_unrolled_graph_nodes_do_not_overlap(phone):
    phone.open("unfold")
    chart = phone.page.locator(".st-key-unfold_graph .js-plotly-plot").first
    assert wait_for(lambda: chart.count() == 1 and len(chart.evaluate(_NODE_BOXES)) > 10)
    boxes = chart.evaluate(_NODE_BOXES)
    for i, (left, top, right, bottom) in enumerate(boxes):
        assert right - left > 5 and bottom - top > 5, "a node is drawn too small to see"
        for other in boxes[i + 1 :]:
            overlap_x = min(right, other[2]) - max(left, other[0])
            overlap_y = min(bottom, other[3]) - max(top, other[1])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, f"nodes at {boxes[i]} and {other} overlap"
    box = phone.page.locator(".st-key-unfold_graph_box")
    widths = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], "the graph should keep its width and scroll sideways in its box"
    phone.assert_healthy()


def test_a_formula_wider_than_the_screen_scrolls_inside_its_box(phone):
    phone.open("unfold")
    formulas = phone.page.locator("[data-testid='stMain'] .katex-display")
    assert wait_for(lambda: formulas.count() > 0)
    overflowing = formulas.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => getComputedStyle(e).overflowX)"
    )
    assert overflowing, "no formula is wider than a phone: this test checks nothing"
    assert set(overflowing) == {"auto"}


def test_the_gradients_chart_comes_before_its_numbers(phone):
    phone.open("gradients")
    chart = phone.page.locator(".js-plotly-plot").first
    assert wait_for(lambda: chart.count() == 1)
    chart_top = chart.bounding_box()["y"]
    metric_tops = [box["y"] for box in (m.bounding_box() for m in phone.page.locator("[data-testid='stMetric']").all())]
    assert len(metric_tops) == 5
    assert chart_top < min(metric_tops)
    assert chart_top < PHONE["height"], "the chart should start on the first screen"


# each chart title's right edge and the right edge of its chart, outside the unrolled graph's own scrolling box
_TITLE_EDGES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(chart => !chart.closest('.st-key-unfold_graph_box') && chart.querySelector('.gtitle'))
    .map(chart => [chart.querySelector('.gtitle').textContent,
                   chart.querySelector('.gtitle').getBoundingClientRect().right,
                   chart.getBoundingClientRect().right])"""


@pytest.mark.parametrize("path", ["gradients", "cells", "memory", "regime_map", "sequences"])
def test_every_chart_title_fits_the_screen(phone, path):
    phone.open(path)
    assert wait_for(lambda: len(phone.page.evaluate(_TITLE_EDGES)) > 0, timeout=30), "no chart with a title"
    for title, title_right, chart_right in phone.page.evaluate(_TITLE_EDGES):
        assert title_right <= min(chart_right, PHONE["width"]) + 1, f"{title!r} runs off the screen"
