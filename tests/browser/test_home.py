"""The home page in a real browser: it loads, and a starting point opens the Gradients page with its settings."""


def test_every_page_in_the_sidebar_loads_without_an_exception(app_page):
    app_page.open()
    links = app_page.page.locator("[data-testid='stSidebarNavLink']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 9
    for href in hrefs:
        app_page.visit(href if href.startswith("http") else app_page.base_url + href.lstrip("/"))
        app_page.assert_healthy()


def test_show_this_opens_the_gradients_page_with_the_starting_point_in_the_sidebar_and_the_link(app_page):
    app_page.open()
    page = app_page.page
    page.get_by_role("button", name="Show this").first.click()
    page.wait_for_url("**/gradients**", timeout=60_000)  # the Gradients page opens
    app_page.settle()
    assert page.locator("h1").first.text_content().startswith("Gradients through time")
    assert app_page.query().get("activation") == "sigmoid"  # the first starting point: a sigmoid cell
    assert "vanishing" in page.locator(".st-key-regime").inner_text()
    app_page.assert_healthy()


def test_show_this_keeps_presenter_mode(app_page):
    app_page.open(present="1")
    page = app_page.page
    page.get_by_role("button", name="Show this").nth(1).click()
    page.wait_for_url("**/gradients**", timeout=60_000)  # the Gradients page opens
    app_page.settle()
    assert app_page.query().get("present") == "true"
    assert page.get_by_role("button", name="Leave presenter mode").is_visible()
    app_page.assert_healthy()
