"""The Your network page in AppTest: the shipped example by default, an upload of every kind, bad uploads and bad
inputs as messages that keep what was entered, and the report that stands in for a link."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_healthy, run_app

from rnnviz.frameworks import KERAS_SNIPPET, PYTORCH_SNIPPET
from rnnviz.report import build_report
from rnnviz.train import ARTICLE_TEXT
from ui import your_network_views

PAGE = "pages/your_network.py"
DATA = Path(__file__).parent / "data" / "frameworks"
REPORT_LABEL = "Download an offline report (HTML)"


def chart_keys(at) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


def chart_data(at, key: str) -> list[dict]:
    (chart,) = [chart for chart in at.get("plotly_chart") if chart.key == key]
    return json.loads(chart.proto.spec)["data"]


def values(field) -> np.ndarray:
    """A trace's x or y as numbers: Plotly sends long arrays base64-encoded ({"dtype": ..., "bdata": ...})."""
    if isinstance(field, dict):
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"]).astype(float)
    return np.array(field, dtype=float)


def upload(at, name: str, content: bytes):
    at.file_uploader(key=your_network_views.UPLOAD_KEY).set_value((name, content, "application/octet-stream")).run()
    return at


def uploaded(reference: str):
    return upload(run_app(PAGE), f"{reference}.npz", (DATA / f"{reference}.npz").read_bytes())


def errors(at) -> list[str]:
    return [error.value for error in at.error]


def test_without_an_upload_the_article_s_character_model_reads_the_article_s_sentence():
    at = run_app(PAGE)
    assert_healthy(at)
    assert [s.value for s in at.success] == ["Opened the example: a Keras SimpleRNN (H = 50, D = 17, O = 17), relu."]
    assert at.text_input(key="yn_text").value == ARTICLE_TEXT
    assert chart_keys(at) == ["yn-norms", "yn-terms", "yn-connectivity"]
    assert [code.value for code in at.code] == [PYTORCH_SNIPPET.strip(), KERAS_SNIPPET.strip()]


def test_the_article_s_model_shows_its_gradient_at_every_step_of_the_text():
    at = run_app(PAGE)
    T = len(ARTICLE_TEXT)
    terms = chart_data(at, "yn-terms")[0]  # the W_hh term of each step
    assert np.array_equal(values(terms["x"]), np.arange(1, T + 1))
    drawn = np.isfinite(values(terms["y"]))  # a term that is exactly 0 (h_0 = 0 at step 1) is a gap
    assert drawn.sum() >= 0.9 * T
    assert any(f"of {T} steps" in markdown.value for markdown in at.markdown)  # the share the last steps carry


@pytest.mark.parametrize(
    "reference, described, charts",
    [
        ("pytorch_rnn_relu_float32", "a PyTorch nn.RNN (H = 4, D = 3, O = 2), relu", 3),
        ("pytorch_lstm_bi_float64", "a PyTorch nn.LSTM (H = 4, D = 3, O = 2), bidirectional", 4),
        ("pytorch_gru_float32", "a PyTorch nn.GRU (H = 4, D = 3, O = 2)", 3),
        ("keras_simplernn_tanh_float32", "a Keras SimpleRNN (H = 4, D = 3, O = 2), tanh", 3),
        ("keras_lstm_float32", "a Keras LSTM (H = 4, D = 3, O = 2)", 4),
        ("keras_gru_bi_sum_float32", "a Keras GRU (H = 4, D = 3, O = 2), Bidirectional (sum)", 3),
    ],
)
def test_an_uploaded_model_of_each_kind_opens_and_is_drawn(reference, described, charts):
    at = uploaded(reference)
    assert_healthy(at)
    assert [s.value for s in at.success] == [f"Opened your file `{reference}.npz`: {described}."]
    assert len(chart_keys(at)) == charts  # the LSTM adds its cell path
    assert not errors(at)


def test_the_vanilla_cell_gets_pascanu_s_conditions_and_the_gated_cell_why_they_do_not_apply():
    vanilla = uploaded("pytorch_rnn_tanh_float64")
    assert any("1/γ = 1" in markdown.value for markdown in vanilla.markdown)
    gated = uploaded("pytorch_gru_float64")
    words = [markdown.value for markdown in gated.markdown if "Pascanu's conditions bound" in markdown.value]
    assert words and "GRU" in words[0] and "median" in words[0]


def test_the_backward_direction_of_a_bidirectional_model_can_be_analysed():
    at = uploaded("pytorch_lstm_bi_float32")
    forward = chart_data(at, "yn-norms")
    at.radio(key="yn_direction").set_value("backward").run()
    assert_healthy(at)
    assert chart_data(at, "yn-norms") != forward


def test_a_model_that_cannot_be_converted_is_refused_in_words_and_the_page_keeps_its_code_and_upload():
    at = uploaded("keras_gru_reset_before_float32")
    assert_healthy(at)
    (message,) = errors(at)
    assert "reset_after=False" in message and "reset_after=True" in message
    assert not chart_keys(at)
    assert len(at.code) == 2  # the snippets are still there
    assert at.file_uploader(key=your_network_views.UPLOAD_KEY).value is not None  # the file is kept


def test_a_file_that_is_not_an_npz_archive_is_named_as_such():
    at = upload(run_app(PAGE), "notes.npz", b"these are my notes")
    assert_healthy(at)
    assert any("not a zip file" in message for message in errors(at))


def test_a_model_name_that_tries_markdown_is_shown_as_text():
    at = upload(run_app(PAGE), "[x](https://example.invalid).npz", (DATA / "keras_gru_float32.npz").read_bytes())
    assert "`[x](https://example.invalid).npz`" in at.success[0].value


def test_a_bad_csv_row_is_named_and_the_typed_rows_are_kept():
    at = uploaded("pytorch_gru_float32")
    at.radio(key="yn_input").set_value("csv").run()
    assert_healthy(at)
    assert chart_keys(at)  # the example CSV of D = 3 reads
    typed = "1, 2, 3\n4, five, 6"
    at.text_area(key="yn_csv").set_value(typed).run()
    assert_healthy(at)
    assert any("Row 2, column 2 of the CSV is 'five'" in message for message in errors(at))
    assert at.text_area(key="yn_csv").value == typed
    assert not chart_keys(at)
    at.text_area(key="yn_csv").set_value("1, 2, 3\n4, 5, 6").run()
    assert not errors(at) and chart_keys(at)


def test_a_text_outside_the_vocabulary_is_named_and_kept():
    at = run_app(PAGE)
    at.text_input(key="yn_text").set_value("This is ZZ").run()
    assert_healthy(at)
    assert any("outside the model's vocabulary: 'Z'" in message for message in errors(at))
    assert at.text_input(key="yn_text").value == "This is ZZ"


def test_the_most_steps_a_model_allows_are_drawn():
    at = uploaded("pytorch_lstm_bi_float32")
    at.radio(key="yn_input").set_value("impulse").run()
    steps = at.number_input(key="yn_steps")
    steps.set_value(steps.max).run()
    assert_healthy(at)
    assert values(chart_data(at, "yn-terms")[0]["x"]).shape == (steps.max,)
    assert not errors(at)


def test_the_page_says_its_link_cannot_hold_the_model_and_offers_the_report_of_what_it_shows():
    at = uploaded("keras_lstm_float32")
    assert any("cannot hold a model" in info.value for info in at.info)
    assert [b for b in at.get("download_button") if b.proto.label == REPORT_LABEL]
    data = (DATA / "keras_lstm_float32.npz").read_bytes()
    request = your_network_views.InputRequest()  # the defaults the page starts at for a model without vocabulary
    sections = your_network_views.report_sections(data, request)
    assert [heading for heading, _ in sections][:3] == ["The model", "The input", "The regime"]
    assert "The LSTM's cell path" in [heading for heading, _ in sections]
    html = build_report("Your network", None, sections, link="http://localhost:8501/")
    assert html.count('class="plotly-graph-div"') == 4


def test_an_uploaded_csv_is_read_in_place_of_the_typed_rows():
    at = uploaded("keras_simplernn_relu_float32")
    at.radio(key="yn_input").set_value("csv").run()
    rows = "\n".join(f"{t}, 0.5, -1" for t in range(7))
    at.file_uploader(key=your_network_views.CSV_UPLOAD_KEY).set_value(("seq.csv", rows.encode(), "text/csv")).run()
    assert_healthy(at)
    assert not errors(at)
    assert values(chart_data(at, "yn-terms")[0]["x"]).shape == (7,)
