"""The Sequences page in a real browser: its three views in tabs that go into the link, a sentence tab per
one-hot chart, and the sentences a user typed kept while another view is open."""

from __future__ import annotations

from tests.browser.waiting import wait_for


def open_sequences(app_page, **query):
    app_page.open()  # the entry page first, as a visitor arriving from the home page
    return app_page.open("sequences", **query)


def chart_titles(page) -> list[str]:
    page.wait_for_selector(".js-plotly-plot .gtitle")
    return [title.text_content() for title in page.locator(".js-plotly-plot .gtitle").all()]


def test_the_first_view_draws_the_open_sentence_and_its_tab_switches_the_chart(app_page):
    open_sequences(app_page)
    page = app_page.page
    assert wait_for(lambda: [t.split(":")[0] for t in chart_titles(page)] == ["One-hot input of sentence 1"])
    page.get_by_role("tab", name="Sentence 2").click()
    app_page.settle()
    assert wait_for(lambda: [t.split(":")[0] for t in chart_titles(page)] == ["One-hot input of sentence 2"])
    app_page.assert_healthy()


def test_the_views_go_into_the_link_and_keep_the_typed_sentences(app_page):
    open_sequences(app_page)
    page = app_page.page
    text = page.get_by_role("textbox", name="Sentences, one per line")
    text.fill("the cat sat on the mat\nthe dog")
    text.press("Control+Enter")
    app_page.settle()
    page.get_by_role("tab", name="Weight sharing").click()
    app_page.settle()
    assert app_page.query()["sequences_view"] == "Weight sharing"
    assert page.get_by_text("T = 8 padded steps, V = 9").is_visible()  # the typed sentences, framed and padded
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "4,000,000"
    page.get_by_role("tab", name="One-hot vectors").click()
    app_page.settle()
    typed = page.get_by_role("textbox", name="Sentences, one per line").input_value()
    assert typed == "the cat sat on the mat\nthe dog"
    app_page.assert_healthy()


def test_a_link_opens_the_shapes_of_rnn(app_page):
    open_sequences(app_page, sequences_view="The shapes of RNN")
    page = app_page.page
    assert wait_for(lambda: len(chart_titles(page)) == 5)
    assert "Many to one" in chart_titles(page)
    app_page.assert_healthy()
