"""The Cells and Long-range memory pages in a real browser: both load; on Memory a training run draws its loss
curve as it goes, and Stop keeps the steps done so far."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.waiting import wait_for

LOSS_POINTS = """() => {
    const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
    const loss = plots.find(p => p.layout && p.layout.title && String(p.layout.title.text).includes('Training loss'));
    const trace = loss && loss._fullData && loss._fullData[0];
    return (trace && trace.x && trace.x.length) || 0;
}"""


def test_the_cells_page_loads_and_its_tabs_draw_their_charts(app_page):
    app_page.open()
    app_page.open("cells")
    app_page.assert_healthy()
    expect(app_page.page.get_by_text("Cells: RNN, LSTM and GRU on the same input")).to_be_visible()
    expect(app_page.page.locator(".js-plotly-plot")).to_have_count(2)  # three cells on one plot, the LSTM's gates
    app_page.page.get_by_role("tab", name="The GRU's gates").click()
    app_page.settle()
    expect(app_page.page.locator(".st-key-cells-gates-gru .js-plotly-plot")).to_have_count(1)
    expect(app_page.page.locator(".st-key-cells-gates-lstm .js-plotly-plot")).to_have_count(0)
    app_page.page.get_by_role("tab", name="Bidirectional").click()
    app_page.settle()
    expect(app_page.page.locator(".st-key-cells-bidirectional-unfold .js-plotly-plot")).to_have_count(1)
    expect(app_page.page.locator(".js-plotly-plot")).to_have_count(3)
    assert "cells_view=Bidirectional" in app_page.address()


def test_the_equations_are_drawn_when_their_expander_is_opened(app_page):
    app_page.open()
    app_page.open("cells")
    page = app_page.page
    expect(page.get_by_text("Cho et al. 2014")).to_have_count(0)
    page.get_by_text("The equations (PyTorch's form and weight layout)").click()
    app_page.settle()
    expect(page.get_by_text("Cho et al. 2014")).to_be_visible()
    expect(page.locator("[data-testid='stExpander'] .katex-display")).to_have_count(2)
    app_page.assert_healthy()


def test_the_memory_page_loads(app_page):
    app_page.open()
    app_page.open("memory")
    app_page.assert_healthy()
    expect(app_page.page.get_by_role("button", name="Run the classic comparison")).to_be_visible()
    expect(app_page.page.get_by_role("button", name="Train RNN, LSTM and GRU")).to_be_visible()


def test_training_draws_the_loss_curve_as_it_goes_and_stop_keeps_it(app_page):
    app_page.open()
    app_page.open("memory")
    page = app_page.page
    page.locator(".st-key-memory_steps input[type='range']").press("End")  # the longest run: it is stopped below
    page.get_by_role("button", name="Train RNN, LSTM and GRU").click()
    assert wait_for(lambda: page.evaluate(LOSS_POINTS) > 0, timeout=30), "no loss curve appeared"
    first = page.evaluate(LOSS_POINTS)
    assert wait_for(lambda: page.evaluate(LOSS_POINTS) > first, timeout=30), "the loss curve did not grow"
    expect(page.get_by_text("Training… step").first).to_be_visible()
    page.get_by_role("button", name="Stop").click()
    app_page.settle()
    app_page.assert_healthy()
    expect(page.get_by_text("Stopped at step").first).to_be_visible()
    assert page.evaluate(LOSS_POINTS) >= first
