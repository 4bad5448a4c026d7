"""The home page in a real browser: it loads, and a starting point sets the sidebar and the URL."""


def test_every_page_in_the_sidebar_loads_without_an_exception(app_page):
    app_page.open()
    links = app_page.page.locator("[data-testid='stSidebarNavLink']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 9
    for href in hrefs:
        app_page.page.goto(href if href.startswith("http") else app_page.base_url + href.lstrip("/"))
        app_page.settle()
        app_page.assert_healthy()


def test_a_starting_point_changes_the_regime_and_the_url(app_page):
    app_page.open()
    badge = app_page.page.locator(".st-key-regime")
    before = badge.inner_text()
    app_page.page.get_by_role("button", name="Show this").first.click()
    app_page.settle()
    assert app_page.query().get("activation") == "sigmoid"
    assert "vanishing" in badge.inner_text()
    assert badge.inner_text() != before or "vanishing" in before
