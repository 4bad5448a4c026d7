"""The Train page in AppTest: defaults, training a few epochs, stopping, generating, model files, bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest

from rnnviz.settings import LIMITS
from rnnviz.train import ARTICLE_TEXT, model_bytes, train_char_rnn
from tests.conftest import assert_healthy, run_app

PAGE = "pages/train.py"


def texts(elements) -> list[str]:
    return [str(element.value) for element in elements]


def job(at):
    return at.session_state["train_job"] if "train_job" in at.session_state else None


def train(at, max_runs: int = 40):
    """Click Train, then rerun (one chunk of epochs per run, as the fragment does in a browser) until it ends."""
    at.button(key="train_start").click().run()
    for _ in range(max_runs):
        if job(at) is None or not job(at).running:
            break
        at.run()
    return at


@pytest.fixture(scope="module")
def trained_bytes() -> bytes:
    return model_bytes(train_char_rnn(ARTICLE_TEXT, epochs=20))


def progress_text(at) -> str:
    return at.get("progress")[0].proto.text


def test_the_page_opens_with_the_articles_sentence_and_recipe():
    at = run_app(PAGE)
    assert_healthy(at)
    assert at.text_area(key="train_text").value == ARTICLE_TEXT
    assert at.number_input(key="train_window").value == 3 and at.number_input(key="train_hidden").value == 50
    assert at.selectbox(key="train_activation").value == "relu" and at.selectbox(key="train_optimizer").value == "adam"
    assert any("Train from scratch" in text for text in texts(at.info))
    assert not at.get("plotly_chart")


def test_training_a_few_epochs_draws_every_chart_and_reports_the_result():
    at = run_app(PAGE)
    at.number_input(key="train_epochs").set_value(5)
    train(at)
    assert_healthy(at)
    assert progress_text(at).startswith("Epoch 5 of 5")
    assert any("Trained 5 epochs on 48 windows" in text for text in texts(at.success))
    assert len(at.get("plotly_chart")) == 5


def test_the_article_recipe_is_shown_beside_the_articles_numbers():
    at = train(run_app(PAGE))
    assert job(at).epochs_done == 100 and job(at).result().history.accuracy.iloc[-1] >= 0.85
    assert any("2.79" in text and "0.875" in text for text in texts(at.caption))


def test_training_grows_chunk_by_chunk_and_stop_keeps_the_model_so_far():
    at = run_app(PAGE)
    at.button(key="train_start").click().run()
    first = job(at).epochs_done
    assert 1 <= first < 100 and job(at).running
    at.button(key="train_stop").click().run()
    assert_healthy(at)
    assert job(at).status == "stopped" and job(at).epochs_done == first
    assert any(f"Stopped after epoch {first} of 100" in text for text in texts(at.info))
    at.run()
    assert job(at).epochs_done == first  # it does not resume by itself


def test_generation_continues_the_prefix_with_the_trained_model():
    at = run_app(PAGE)
    at.number_input(key="train_epochs").set_value(5)
    train(at)
    at.button(key="FormSubmitter:train_generate-Generate").click().run()
    assert_healthy(at)
    generated = at.get("code")[0].value
    assert generated.startswith("This is G") and len(generated) == len("This is G") + 50


def test_a_prefix_with_unseen_characters_says_which_and_keeps_the_prefix():
    at = run_app(PAGE)
    at.number_input(key="train_epochs").set_value(2)
    train(at)
    at.text_input(key="gen_prefix").set_value("xyz?")
    at.button(key="FormSubmitter:train_generate-Generate").click().run()
    assert_healthy(at)
    assert any("'x'" in text and "'?'" in text for text in texts(at.error))
    assert at.text_input(key="gen_prefix").value == "xyz?"


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "The text is empty"), ("abc", "needs at least 4")],
)
def test_a_text_that_cannot_be_trained_on_gets_a_message_and_stays_in_the_box(text, words):
    at = run_app(PAGE)
    at.text_area(key="train_text").set_value(text).run()
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert any(words in message for message in texts(at.error))
    assert at.text_area(key="train_text").value == text
    assert job(at) is None
    at.text_area(key="train_text").set_value(ARTICLE_TEXT).run()
    assert not any(words in message for message in texts(at.error))  # a corrected text clears the refusal


def test_a_pasted_text_longer_than_the_limit_is_cut_to_it_by_the_box():
    at = run_app(PAGE)
    at.text_area(key="train_text").set_value("ab" * LIMITS.train_text_chars).run()
    assert_healthy(at)
    assert len(at.text_area(key="train_text").value) == LIMITS.train_text_chars


def test_a_run_too_large_for_the_server_is_refused_in_words():
    at = run_app(PAGE)
    at.selectbox(key="train_source").set_value("alice").run()
    at.number_input(key="train_hidden").set_value(LIMITS.train_hidden_size[1])
    at.number_input(key="train_window").set_value(LIMITS.train_window[1])
    at.number_input(key="train_epochs").set_value(LIMITS.train_epochs[1]).run()
    at.button(key="train_start").click().run()
    assert_healthy(at)
    assert any("too large" in message for message in texts(at.error))


def test_the_bundled_text_can_be_loaded_into_the_box():
    at = run_app(PAGE)
    at.selectbox(key="train_source").set_value("alice").run()
    assert at.text_area(key="train_text").value.startswith("CHAPTER I.")


def test_a_learning_rate_that_makes_the_loss_nan_stops_and_says_so():
    at = run_app(PAGE)
    at.selectbox(key="train_optimizer").set_value("sgd")
    at.number_input(key="train_lr").set_value(LIMITS.learning_rate[1])
    at.number_input(key="train_epochs").set_value(60)
    train(at)
    assert_healthy(at)
    assert job(at).status == "diverged"
    assert any("The loss became" in text and "Lower the learning rate" in text for text in texts(at.error))
    assert at.number_input(key="train_lr").value == LIMITS.learning_rate[1]


def test_truncation_and_clipping_train_and_mark_the_dropped_steps():
    at = run_app(PAGE)
    at.number_input(key="train_window").set_value(6)
    at.number_input(key="train_epochs").set_value(4)
    at.selectbox(key="train_clipping").set_value("norm").run()
    at.number_input(key="train_threshold").set_value(0.1)
    at.checkbox(key="train_truncate").check().run()
    at.number_input(key="train_k").set_value(2).run()
    train(at)
    assert_healthy(at)
    result = job(at).result()
    assert result.recipe.truncation == 2 and (result.history.clipped_batches > 0).all()
    assert np.isnan(result.step_norms["W_hh"][:, :4]).all()


def test_a_good_model_file_is_loaded_and_generates(trained_bytes):
    at = run_app(PAGE)
    at.file_uploader(key="train_upload").set_value(("model.npz", trained_bytes, "application/octet-stream")).run()
    assert_healthy(at)
    assert any("Loaded `model.npz`" in text for text in texts(at.success))
    at.button(key="FormSubmitter:train_generate-Generate").click().run()
    assert at.get("code")[0].value.startswith("This is G")


def pickled_model(trained_bytes: bytes) -> bytes:
    with np.load(io.BytesIO(trained_bytes)) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["vocabulary"] = np.array(list(arrays["vocabulary"]), dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (lambda good: b"this is not a model", "not an .npz archive"),
        (pickled_model, "pickled"),
        (lambda good: b"\x00" * (LIMITS.model_file_bytes + 1), "larger than"),
    ],
)
def test_a_bad_model_file_gets_a_clear_message_and_the_page_keeps_working(trained_bytes, content, words):
    at = run_app(PAGE)
    at.file_uploader(key="train_upload").set_value(("bad.npz", content(trained_bytes), "application/octet-stream"))
    at.run()
    assert_healthy(at)
    assert any(words in text and "bad.npz" in text for text in texts(at.error))
    at.number_input(key="train_epochs").set_value(2)
    train(at)
    assert progress_text(at).startswith("Epoch 2 of 2")


def test_a_link_with_bad_shared_settings_still_opens_the_page():
    at = run_app(PAGE, {"H": "100000", "activation": "nope"})
    assert_healthy(at)
    assert at.text_area(key="train_text").value == ARTICLE_TEXT


def test_the_precision_defaults_to_float64_and_float32_trains_a_float32_model():
    at = run_app(PAGE)
    assert at.selectbox(key="train_dtype").value == "float64"
    at.selectbox(key="train_dtype").set_value("float32")
    at.number_input(key="train_epochs").set_value(5)
    train(at)
    assert_healthy(at)
    assert job(at).recipe.dtype == "float32" and job(at).cell.dtype == np.float32
    assert any("Trained 5 epochs on 48 windows of 3 characters in float32" in text for text in texts(at.success))
    at.button(key="train_reset_recipe").click().run()
    assert at.selectbox(key="train_dtype").value == "float64"
