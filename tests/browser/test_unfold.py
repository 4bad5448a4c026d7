"""The Unfold page in a real browser: it loads, Play runs the animation in the browser, and the stepper and the
graph's nodes move the step."""

from __future__ import annotations

from tests.browser.waiting import wait_for


def open_unfold(app_page, **query):
    app_page.open()  # the entry page first, as a visitor arriving from the home page
    return app_page.open("unfold", **query)


def test_the_page_loads_without_an_exception(app_page):
    open_unfold(app_page)
    app_page.assert_healthy()
    assert app_page.page.get_by_text("Step 1 of 60").is_visible()
    charts = app_page.page.locator(".js-plotly-plot")
    assert wait_for(lambda: charts.count() == 1)  # the graph; the two pictures of the cell are the next tab


def test_the_two_pictures_tab_follows_the_stepper(app_page):
    open_unfold(app_page, step="3")
    page = app_page.page
    page.get_by_role("tab", name="One cell, two pictures").click()
    app_page.settle()
    assert "unfold_view=One+cell%2C+two+pictures" in app_page.address()
    title = page.locator(".js-plotly-plot .gtitle").first
    assert wait_for(lambda: title.count() == 1 and "step 3" in title.text_content())
    page.locator(".st-key-step_next button").click()
    app_page.settle()
    assert wait_for(lambda: "step 4" in title.text_content())
    assert app_page.query()["step"] == "4"
    app_page.assert_healthy()


def test_the_whole_run_tab_draws_the_animation_and_goes_into_the_link(app_page):
    open_unfold(app_page)
    app_page.page.get_by_role("tab", name="The whole run").click()
    app_page.settle()
    assert "unfold_view=The+whole+run" in app_page.address()
    charts = app_page.page.locator(".js-plotly-plot")
    assert wait_for(lambda: charts.count() == 2)
    assert charts.filter(has_text="over time").count() == 1
    assert app_page.page.locator(".st-key-step_next").count() == 0  # the stepper belongs to the other tab
    app_page.assert_healthy()


def test_play_advances_the_animation_in_the_browser(app_page):
    open_unfold(app_page, unfold_view="The whole run")
    current = app_page.page.locator(".slider-container text").filter(has_text="step t =").first
    current.scroll_into_view_if_needed()
    before = current.text_content()
    assert before == "step t = 60"  # the whole run is shown until Play is pressed
    app_page.page.get_by_text("▶ Play").first.click()
    assert wait_for(lambda: current.text_content() != before), "the animation's slider did not move"
    assert wait_for(lambda: current.text_content() == before, timeout=20), "the animation did not reach the end"
    chart = app_page.page.locator(".js-plotly-plot").filter(has_text="over time").first
    assert chart.locator(".imagelayer image").count() == 1  # the states are still drawn after the animation
    app_page.assert_healthy()


def test_every_frame_of_play_shows_the_states(app_page):
    """Sampled all through Play, the states' picture is always there (a frame never draws a blank chart)."""
    open_unfold(app_page, unfold_view="The whole run")
    chart = app_page.page.locator(".js-plotly-plot").filter(has_text="over time").first
    chart.scroll_into_view_if_needed()
    current = chart.locator(".slider-container text").filter(has_text="step t =").first
    pictures = ".imagelayer image, .hm image"  # a layout image, or a heatmap trace's image
    assert wait_for(lambda: chart.locator(pictures).count() == 1)
    app_page.page.get_by_text("▶ Play").first.click()
    samples, steps = [], set()
    while len(samples) < 400 and (len(steps) < 2 or current.text_content() != "step t = 60"):
        samples.append(chart.evaluate("(el, pictures) => el.querySelectorAll(pictures).length", pictures))
        steps.add(current.text_content())
    assert len(steps) > 5, "the animation did not run through its frames"
    assert samples.count(1) == len(samples), f"{samples.count(0)} of {len(samples)} samples had no picture"
    app_page.assert_healthy()


def test_next_moves_to_the_next_step_and_into_the_link(app_page):
    open_unfold(app_page)
    app_page.page.locator(".st-key-step_next button").click()
    app_page.settle()
    assert app_page.query().get("step") == "2"
    assert app_page.page.get_by_text("Step 2 of 60").is_visible()
    app_page.assert_healthy()


def test_clicking_a_state_in_the_graph_selects_its_step(app_page):
    open_unfold(app_page)
    states = app_page.page.locator(".st-key-unfold_graph .scatterlayer .trace").nth(2).locator(".point")
    assert wait_for(lambda: states.count() == 12)  # steps 1 to 12 around step 1 (once the chart is drawn)
    states.nth(6).click(force=True)
    app_page.settle()
    assert app_page.query().get("step") == "7"
    assert app_page.page.get_by_text("Step 7 of 60").is_visible()
    app_page.assert_healthy()


def test_a_link_to_step_seven_can_go_back_at_once(app_page):
    open_unfold(app_page, step="7")
    page = app_page.page
    assert page.get_by_text("Step 7 of 60").is_visible()
    for key in ("step_first", "step_prev", "step_next", "step_last"):
        assert page.locator(f".st-key-{key} button").is_enabled(), key
    page.locator(".st-key-step_prev button").click()
    app_page.settle()
    assert page.get_by_text("Step 6 of 60").is_visible()
    page.locator(".st-key-step_first button").click()
    app_page.settle()
    assert page.get_by_text("Step 1 of 60").is_visible()
    assert page.locator(".st-key-step_prev button").is_disabled()
    app_page.assert_healthy()
