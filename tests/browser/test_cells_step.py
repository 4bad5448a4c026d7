"""The Cells page's view "Step by step" in a real browser: opened from its tab, Next moves the step, its numbers
and the picture of the cell change with it, and the step and the cell go into the link."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.waiting import wait_for


def test_the_step_view_steps_forward_and_its_numbers_change(app_page):
    app_page.open()
    app_page.open("cells")
    page = app_page.page
    page.get_by_role("tab", name="Step by step").click()
    app_page.settle()
    expect(page.get_by_text("The LSTM at step 1, with its numbers")).to_be_visible()
    title = page.locator(".st-key-cells-step-cell .js-plotly-plot .gtitle")
    assert wait_for(lambda: title.count() == 1 and "step 1" in title.text_content())
    numbers = page.locator(".katex-display").last.inner_text()  # h_1 = o_1 ⊙ tanh(c_1) with its numbers

    page.locator(".st-key-cells_step_next button").click()
    app_page.settle()
    expect(page.get_by_text("The LSTM at step 2, with its numbers")).to_be_visible()
    assert wait_for(lambda: "step 2" in title.text_content())
    assert page.locator(".katex-display").last.inner_text() != numbers
    assert app_page.query().get("cells_step") == "2" and app_page.query().get("cells_view") == "Step by step"

    page.locator(".st-key-cells_step_cell").get_by_text("GRU", exact=True).click()
    app_page.settle()
    expect(page.get_by_text("The GRU at step 2, with its numbers")).to_be_visible()
    assert app_page.query().get("cells_step_cell") == "GRU"
    expect(page.locator(".st-key-cells-step-gates .js-plotly-plot")).to_have_count(1)
    app_page.assert_healthy()


def test_play_runs_the_gates_through_the_steps_in_the_browser(app_page):
    app_page.open()
    app_page.open("cells", cells_view="Step by step", T="20")
    chart = app_page.page.locator(".st-key-cells-step-gates .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    current = chart.locator(".slider-container text").filter(has_text="step t =").first
    assert wait_for(lambda: current.count() == 1 and current.text_content() == "step t = 1")
    chart.get_by_text("▶ Play").click()
    assert wait_for(lambda: current.text_content() == "step t = 20", timeout=30), current.text_content()
    marker = "el => el._fullData[1].x[0]"  # the line on the current step
    assert chart.evaluate(marker) == 20
    app_page.assert_healthy()
