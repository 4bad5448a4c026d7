"""The Train page in a real browser: the curve grows while it trains, Stop keeps the model trained so far, and
that model generates."""

from __future__ import annotations

import re
import time

from tests.browser.waiting import wait_for

LOSS_POINTS = """() => {
    const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
    const loss = plots.find(p => p.layout && p.layout.title && String(p.layout.title.text).includes('Training loss'));
    return loss && loss._fullData && loss._fullData.length ? loss._fullData[0].x.length : 0;
}"""


def epoch_shown(page) -> int:
    text = page.locator("[data-testid='stProgress']").first.inner_text()
    match = re.search(r"Epoch (\d+) of", text)
    return int(match.group(1)) if match else -1


def wait_until(condition, timeout: float = 30.0) -> None:
    assert wait_for(condition, timeout), "the page did not get there in time"


def test_training_grows_the_loss_curve_and_stop_keeps_the_model(app_page):
    app_page.open("train")
    page = app_page.page
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("400")
    epochs.press("Enter")
    app_page.settle()
    page.get_by_role("button", name="Train from scratch").click()
    wait_until(lambda: page.locator("[data-testid='stProgress']").count() > 0 and epoch_shown(page) > 0)
    first_epoch, first_points = epoch_shown(page), page.evaluate(LOSS_POINTS)
    wait_until(lambda: epoch_shown(page) > first_epoch + 20)
    wait_until(lambda: page.evaluate(LOSS_POINTS) > first_points)
    page.get_by_role("button", name="Stop").click()
    wait_until(lambda: page.get_by_text(re.compile(r"Stopped after epoch \d+ of 400")).count() > 0)
    app_page.settle()
    stopped_at = epoch_shown(page)
    assert 0 < stopped_at < 400
    assert page.evaluate(LOSS_POINTS) == stopped_at
    time.sleep(1.0)
    assert epoch_shown(page) == stopped_at  # it stays stopped
    page.get_by_role("button", name="Generate").click()  # from the model trained so far
    app_page.settle()
    generated = page.locator("[data-testid='stCode']").first.inner_text()
    # 50 characters follow the prefix; the page may not show spaces the model generated at the very end
    assert generated.startswith("This is G") and len("This is G") < len(generated.rstrip()) <= len("This is G") + 50
    app_page.assert_healthy()


def test_float32_precision_trains_the_article_and_says_so(app_page):
    app_page.open("train")
    page = app_page.page
    app_page.choose("Precision", "float32 (fast, as PyTorch trains)")
    app_page.settle()
    page.get_by_role("button", name="Train from scratch").click()
    wait_until(lambda: page.get_by_text("Trained 100 epochs on 48 windows of 3 characters in float32").count() > 0)
    app_page.settle()
    assert epoch_shown(page) == 100
    page.get_by_role("button", name="Generate").click()
    app_page.settle()
    assert page.locator("[data-testid='stCode']").first.inner_text().startswith("This is G")
    app_page.assert_healthy()
