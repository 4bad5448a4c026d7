"""The Your network page in a real browser: a model file uploaded through the page's own upload box opens, and its
gradient chart is drawn for it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks"


def test_an_uploaded_pytorch_lstm_opens_and_its_charts_are_drawn_with_its_cell_path(app_page):
    app_page.open()
    app_page.open("your_network")
    page = app_page.page
    expect(page.get_by_text("Opened the example")).to_be_visible()
    page.locator(".st-key-yn_upload input[type='file']").set_input_files(str(DATA / "pytorch_lstm_bi_float32.npz"))
    app_page.settle()
    expect(page.get_by_text("Opened your file pytorch_lstm_bi_float32.npz")).to_be_visible()
    expect(page.get_by_text("a PyTorch nn.LSTM (H = 4, D = 3, O = 2), bidirectional")).to_be_visible()
    expect(page.locator(".st-key-yn-norms .js-plotly-plot")).to_have_count(1)
    expect(page.locator(".st-key-yn-cell-path .js-plotly-plot")).to_have_count(1)
    app_page.assert_healthy()
