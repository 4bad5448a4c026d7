"""A link straight to a page, opened first on a freshly started server, shows the app (its navigation, its
sidebar), not the page file alone: Streamlit starts in its file-based mode because of the `pages/` folder."""

import pytest

from .conftest import AppPage, running_server

TITLES = {"Home", "Unfold", "Gradients (BPTT)", "Train", "Long-range memory", "Regime map", "Scenarios", "Sequences"}


@pytest.fixture
def fresh_server():
    with running_server() as url:
        yield url


@pytest.mark.parametrize("path", ["train", "unfold?T=30&activation=relu"])
def test_the_first_visit_of_a_fresh_server_through_a_deep_link_shows_the_whole_app(browser, fresh_server, path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        app = AppPage(context.new_page(), fresh_server).open(path)
        app.settle()
        links = app.page.locator("[data-testid='stSidebarNavLink']")
        shown = {links.nth(i).inner_text().split("\n")[-1] for i in range(links.count())}
        assert TITLES <= shown, shown
        assert app.page.get_by_text("Cell activation f").count() >= 1  # the shared sidebar is drawn
        app.assert_healthy()
    finally:
        context.close()
