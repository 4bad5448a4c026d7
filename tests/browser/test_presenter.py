"""Presenter mode on a 1920 x 1080 projector, in a real browser: the charts' text as the browser draws it, the
chart's size on the screen, the large numbers, and `present` kept in the address through steps and page changes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AppPage, fresh_app_page
from tests.browser.waiting import wait_for

SMALLEST_CHART_TEXT = 22  # px: tick labels, legends and titles readable from the back row
SCREEN = {"width": 1920, "height": 1080}

# the smallest font size, in px, of each kind of text in a Plotly chart, as the browser computed it
CHART_FONTS = """chart => {
  const kinds = {
    ticks: '.xtick text, .ytick text', legend: '.legendtext', title: '.gtitle', axis_titles: '.xtitle, .ytitle'};
  const out = {};
  for (const [kind, selector] of Object.entries(kinds)) {
    const sizes = Array.from(chart.querySelectorAll(selector)).map(node => parseFloat(getComputedStyle(node).fontSize));
    out[kind] = sizes.length ? Math.min(...sizes) : null;
  }
  return out;
}"""


@pytest.fixture
def projector(browser, app_url):
    with fresh_app_page(browser, app_url, SCREEN) as app:
        yield app


def first_chart(app_page: AppPage):
    chart = app_page.page.locator(".js-plotly-plot").first
    assert wait_for(lambda: chart.locator(".xtick text").count() > 0, timeout=30), "no chart was drawn"
    return chart


@pytest.mark.parametrize("path", ["gradients", "memory"])
def test_chart_text_is_large_enough_for_a_projector(projector, path):
    projector.open(path, present="1")
    fonts = first_chart(projector).evaluate(CHART_FONTS)
    assert fonts["ticks"] is not None and fonts["ticks"] >= SMALLEST_CHART_TEXT, fonts
    assert fonts["legend"] is not None and fonts["legend"] >= SMALLEST_CHART_TEXT, fonts
    assert fonts["title"] is not None and fonts["title"] >= SMALLEST_CHART_TEXT, fonts
    assert fonts["axis_titles"] is not None and fonts["axis_titles"] >= SMALLEST_CHART_TEXT, fonts
    projector.assert_healthy()


def test_without_presenter_mode_the_chart_text_is_the_usual_size(projector):
    projector.open("gradients")
    fonts = first_chart(projector).evaluate(CHART_FONTS)
    assert fonts["ticks"] < SMALLEST_CHART_TEXT  # the check above measures what presenter mode changes


def test_the_main_chart_fills_the_width_and_its_axes_are_on_the_first_screen(projector):
    projector.open("gradients", present="1")
    chart = first_chart(projector)
    assert projector.page.evaluate("window.scrollY") == 0
    box = chart.bounding_box()
    assert box["width"] >= 0.85 * SCREEN["width"], box
    assert box["height"] <= SCREEN["height"] - 60, box  # below Streamlit's header, the whole chart at once
    axis = chart.locator(".xtick text").first.bounding_box()
    assert 0 <= axis["y"] and axis["y"] + axis["height"] <= SCREEN["height"], "the x axis is below the screen"


def test_the_numbers_and_the_regime_badge_are_large(projector):
    projector.open("gradients", present="1")
    page = projector.page
    value = page.locator("[data-testid='stMain'] [data-testid='stMetricValue'] p").first
    badge = page.locator("[data-testid='stMain'] .st-key-page-regime .stMarkdownBadge")
    assert float(value.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 48
    assert float(badge.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 30
    reason = page.locator("[data-testid='stMain'] .st-key-page-reason p").first
    assert float(reason.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 24  # as body text


def test_present_stays_in_the_address_after_a_step_and_a_page_change(projector):
    projector.open("unfold", present="1")
    page = projector.page
    assert wait_for(lambda: projector.query().get("present") == "true")  # the link's 1, in the toggle's word
    page.get_by_text("Step 1 of 60").wait_for()
    page.wait_for_selector(".st-key-step_next button")
    projector.settle()
    page.locator("h1").first.click()  # the focus on the page, not in a box
    for shown in ("Step 2 of 60", "Step 3 of 60"):
        page.keyboard.press("ArrowRight")
        assert wait_for(lambda shown=shown: page.get_by_text(shown).count() > 0, timeout=30), "no step"
        projector.settle()
        assert projector.query().get("present") == "true"
    page.locator("[data-testid='stExpandSidebarButton']").click()  # the sidebar is folded in presenter mode
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Gradients").first.click()
    page.wait_for_url("**/gradients**", timeout=60_000)
    projector.settle()
    assert projector.query().get("present") == "true"
    assert page.get_by_role("button", name="Leave presenter mode").is_visible()
    fonts = first_chart(projector).evaluate(CHART_FONTS)
    assert fonts["ticks"] >= SMALLEST_CHART_TEXT
    projector.assert_healthy()
