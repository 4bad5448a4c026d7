"""The classroom in a real browser: a lesson link, the regime map's clicks, presenter mode, the offline report."""

from __future__ import annotations

import time

from rnnviz.scenarios import SCENARIOS
from tests.browser.offline import download_report, opened_offline


def open_page(app_page, path: str = "", **query):
    """Open the app's home first (so the server knows every page), then `path`."""
    app_page.open()
    return app_page.open(path, **query)


def font_size(page) -> float:
    return float(page.evaluate("getComputedStyle(document.documentElement).fontSize").rstrip("px"))


def test_a_lesson_link_asks_first_and_reveals_the_chart_after_the_answer(app_page):
    scenario = SCENARIOS["relu_exploding"]
    open_page(app_page, "scenarios", **scenario.query())
    page = app_page.page
    assert page.get_by_role("heading", name=scenario.title).is_visible()
    assert page.locator(".st-key-lesson_reveal").count() == 0
    page.get_by_text(scenario.answer, exact=True).click()
    app_page.settle()
    page.get_by_role("button", name="Reveal").click()
    app_page.settle()
    reveal = page.locator(".st-key-lesson_reveal")
    assert "Right" in reveal.inner_text()
    reveal.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=30_000)
    app_page.assert_healthy()
    assert app_page.query()["lesson"] == "relu_exploding"


def test_clicking_a_cell_of_the_regime_map_loads_its_settings(app_page):
    open_page(app_page, "regime_map", map="activation")
    page = app_page.page
    page.wait_for_selector(".js-plotly-plot .main-svg")
    target = page.evaluate(
        """() => {
        const gd = document.querySelector('.js-plotly-plot');
        const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const rows = gd._fullLayout.yaxis.ticktext;
        const row = rows.indexOf('sigmoid');
        return {x: box.left + gd._fullLayout.xaxis.l2p(2.0), y: box.top + gd._fullLayout.yaxis.l2p(row)};
    }"""
    )
    page.mouse.move(target["x"], target["y"])
    page.mouse.click(target["x"], target["y"])
    time.sleep(1.0)
    app_page.settle()
    query = app_page.query()
    assert query.get("activation") == "sigmoid"
    assert float(query.get("scale")) == 2.0
    app_page.assert_healthy()


def test_presenter_mode_enlarges_the_type_folds_the_controls_and_has_a_way_back(app_page):
    open_page(app_page, "scenarios", lesson="irnn")
    page = app_page.page
    normal = font_size(page)
    page.get_by_text("Presenter mode", exact=True).click()
    app_page.settle()
    assert app_page.query().get("present") == "true"
    assert font_size(page) > normal
    sidebar = page.locator("[data-testid='stSidebar']").bounding_box()
    assert sidebar is None or sidebar["width"] == 0 or sidebar["x"] + sidebar["width"] <= 0
    page.get_by_role("button", name="Leave presenter mode").click()
    app_page.settle()
    assert font_size(page) == normal
    assert "present" not in app_page.query()
    app_page.assert_healthy()


def test_in_presenter_mode_the_arrow_keys_step_through_the_unfold_page(app_page):
    open_page(app_page, "unfold", present="true")
    page = app_page.page
    page.wait_for_selector(".st-key-step_next button")
    page.locator("h1").first.click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    app_page.settle()
    page.keyboard.press("ArrowRight")
    app_page.settle()
    assert app_page.query().get("step") == "3"
    page.keyboard.press("ArrowLeft")
    app_page.settle()
    assert app_page.query().get("step") == "2"
    app_page.assert_healthy()


def test_the_exported_report_opens_offline_with_its_figures_drawn(app_page, browser, tmp_path):
    open_page(app_page, "regime_map", activation="relu")
    report = download_report(app_page, tmp_path)
    assert "<script src=" not in report.read_text(encoding="utf-8")

    with opened_offline(browser, report) as offline:
        page = offline.page
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator(".js-plotly-plot").count() == 1
        assert page.locator(".js-plotly-plot .heatmaplayer image, .js-plotly-plot .hm").count() >= 1
        assert "ReLU" in page.locator("table.settings").inner_text()
        assert not offline.errors, offline.errors
        assert all(url.startswith("file://") for url in offline.requested), offline.requested
