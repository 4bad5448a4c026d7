"""The Sequences page's links to the Gradients page, in a real browser: each one's text is shown whole, on a
laptop and on a phone (390 x 844), where the cards are narrowest."""

from __future__ import annotations

import pytest

from tests.browser.conftest import fresh_app_page
from tests.browser.waiting import wait_for

CUT = "link => Array.from(link.querySelectorAll('*')).some(node => node.scrollWidth > node.clientWidth + 1)"


@pytest.mark.parametrize("viewport", [{"width": 1400, "height": 900}, {"width": 390, "height": 844}])
def test_every_link_of_the_shapes_of_rnn_shows_its_whole_text(browser, app_url, viewport):
    with fresh_app_page(browser, app_url, viewport) as app_page:
        app_page.open("sequences", sequences_view="The shapes of RNN")
        links = app_page.page.locator("[data-testid='stPageLink'] a", has_text="Gradients,")
        assert wait_for(lambda: links.count() >= 4)
        for i in range(links.count()):
            assert not links.nth(i).evaluate(CUT), links.nth(i).inner_text()
        app_page.assert_healthy()
