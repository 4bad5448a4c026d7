"""The Gradients (BPTT) page in a real browser: the weight scale moves the regime, Play runs the backward
animation, and a shared link opens the same view."""

import time

from rnnviz.experiment import simulate
from rnnviz.settings import LIMITS, Settings

REGIME = ".st-key-page-regime"


def slider_value(app_page, key: str) -> str:
    return app_page.page.locator(f".st-key-{key} input[type='range']").input_value()


def test_moving_the_weight_scale_slider_changes_the_regime_and_the_url(app_page):
    app_page.open("gradients")
    assert "vanishing" in app_page.page.locator(REGIME).inner_text()
    thumb = app_page.page.locator(".st-key-scale input[type='range']")
    thumb.focus()
    thumb.press("End")  # the largest weight scale
    app_page.settle()
    app_page.assert_healthy()
    highest = LIMITS.scale[1]
    assert float(slider_value(app_page, "scale")) == highest
    assert "exploding" in app_page.page.locator(REGIME).inner_text()
    assert float(app_page.query()["scale"]) == highest  # the address bar follows the widget


def test_play_advances_the_backward_animation(app_page):
    app_page.open("gradients")
    app_page.page.get_by_role("tab", name="The gradient flowing back").click()
    app_page.settle()
    assert "gradients_view=The+gradient+flowing+back" in app_page.address()
    chart = app_page.page.locator(".st-key-backward .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    reached = "element => element._fullData[3].x.length"  # the states the gradient has reached
    assert chart.evaluate(reached) == 1  # only h_T, where the loss is
    chart.locator(".updatemenu-button", has_text="Play").click()
    time.sleep(1.5)
    assert chart.evaluate(reached) > 1
    assert chart.evaluate("element => element.layout.sliders[0].active") > 0  # the slider follows the frames
    app_page.assert_healthy()


def test_a_shared_link_opens_with_its_settings_in_the_sidebar_and_the_same_regime(app_page):
    app_page.open("gradients", activation="sigmoid", scale="0.5", T="100")
    app_page.assert_healthy()
    assert app_page.page.locator(".st-key-activation input").input_value() == "sigmoid"
    assert slider_value(app_page, "scale") == "0.5"
    assert slider_value(app_page, "T") == "100"
    expected = simulate(Settings(activation="sigmoid", scale=0.5, seq_length=100)).regime.label
    assert expected in app_page.page.locator(REGIME).inner_text()
    assert app_page.query() == {"activation": "sigmoid", "scale": "0.5", "T": "100"}
