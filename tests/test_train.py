"""Training the seed article's character model: the recipe, its gradient, truncation, clipping, saving."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numerical import central_difference_in_place

import rnnviz
from rnnviz.optim import clip
from rnnviz.run import unroll
from rnnviz.settings import LIMITS
from rnnviz.train import (
    ARTICLE_PREFIX,
    ARTICLE_TEXT,
    CharTrainer,
    Recipe,
    bundled_text,
    char_vocabulary,
    check_text,
    encode,
    keras_like_rnn,
    load_model,
    model_bytes,
    one_hot,
    save_model,
    train_char_rnn,
    window_gradients,
    windows,
)


@pytest.fixture(scope="module")
def article_run():
    return train_char_rnn(ARTICLE_TEXT, seed=0)


def small_batch(seq_length=5, batch=4, hidden=6, activation="tanh", seed=3):
    """A small cell and a batch of windows of the bundled text (float64 throughout)."""
    text = bundled_text()[:200]
    vocabulary = char_vocabulary(text)
    inputs, targets = windows(encode(text, vocabulary), seq_length)
    rng = np.random.default_rng(seed)
    cell = keras_like_rnn(len(vocabulary), hidden, activation, rng)
    cell.b_h += rng.normal(0, 0.1, cell.b_h.shape)  # non-zero biases so that every entry is exercised
    cell.b_y += rng.normal(0, 0.1, cell.b_y.shape)
    chosen = rng.choice(len(targets), batch, replace=False)
    return cell, one_hot(inputs[chosen], len(vocabulary)), targets[chosen]


def central_difference(loss, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """d loss() / d param for every parameter, each moved in place (tests/numerical.py)."""
    return {name: central_difference_in_place(loss, theta) for name, theta in params.items()}


# the worked example -----------------------------------------------------------------------------------------
def test_the_article_text_has_17_characters_and_48_windows():
    inputs, targets = windows(encode(ARTICLE_TEXT, char_vocabulary(ARTICLE_TEXT)), 3)
    assert len(char_vocabulary(ARTICLE_TEXT)) == 17
    assert inputs.shape == (48, 3) and targets.shape == (48,)


def test_the_article_recipe_reaches_accuracy_085_after_100_epochs(article_run):
    history = article_run.history
    assert list(history.columns[:4]) == ["epoch", "loss", "accuracy", "grad_norm"]
    assert len(history) == 100 and history.epoch.iloc[-1] == 100
    assert history.accuracy.iloc[-1] >= 0.85


def test_the_article_recipes_loss_falls_from_about_log_17(article_run):
    loss = article_run.history.loss.to_numpy()
    assert loss[0] == pytest.approx(np.log(17), abs=0.15)  # a uniform guess over 17 characters at first
    assert loss[-1] < 0.6 and loss[-1] < loss[44] < loss[2]


def test_the_trained_model_is_an_rnn_with_relu_and_keras_sizes(article_run):
    model = article_run.model
    assert isinstance(model, rnnviz.RNN)
    assert (model.hidden_size, model.input_size, model.output_size) == (50, 17, 17)
    assert model.activation.name == "relu"


def test_keras_like_initialisation_is_glorot_orthogonal_and_zero_biases():
    cell = keras_like_rnn(17, 50, "relu", np.random.default_rng(0))
    np.testing.assert_allclose(cell.W_hh @ cell.W_hh.T, np.eye(50), atol=1e-12)
    assert np.max(np.abs(cell.W_xh)) <= np.sqrt(6 / (17 + 50))
    assert np.max(np.abs(cell.W_hy)) <= np.sqrt(6 / (17 + 50))
    assert not cell.b_h.any() and not cell.b_y.any()


def test_generation_from_this_is_g_adds_50_characters_of_the_vocabulary(article_run):
    text = article_run.generate(ARTICLE_PREFIX)
    assert text.startswith(ARTICLE_PREFIX) and len(text) == len(ARTICLE_PREFIX) + 50
    assert set(text) <= set(ARTICLE_TEXT)
    assert text[len(ARTICLE_PREFIX) :].startswith("eeks")  # the model learnt what follows "is G"


def test_generation_is_deterministic_at_temperature_zero(article_run):
    assert article_run.generate("This", 30) == article_run.generate("This", 30)


def test_generation_with_temperature_follows_its_seed(article_run):
    first = article_run.generate("This", 40, temperature=1.0, seed=1)
    assert first == article_run.generate("This", 40, temperature=1.0, seed=1)
    assert any(article_run.generate("This", 40, temperature=1.0, seed=s) != first for s in range(2, 6))


def test_a_prefix_with_unseen_characters_is_refused_by_name(article_run):
    with pytest.raises(ValueError, match="'z'"):
        article_run.generate("zebra")
    with pytest.raises(ValueError, match="empty"):
        article_run.generate("")


def test_the_same_seed_gives_the_same_history_and_another_seed_another():
    first = train_char_rnn(ARTICLE_TEXT, epochs=5, seed=4).history
    assert first.equals(train_char_rnn(ARTICLE_TEXT, epochs=5, seed=4).history)
    assert not first.loss.equals(train_char_rnn(ARTICLE_TEXT, epochs=5, seed=5).history.loss)


def test_each_epoch_covers_every_window_once_in_batches_of_32(article_run):
    assert (article_run.history.batches == 2).all()  # 48 windows: 32 + 16


# the gradient ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_batch_gradient_matches_central_differences_through_the_softmax(activation):
    cell, xs, targets = small_batch(activation=activation)
    analytic = window_gradients(cell, xs, targets).grads
    numeric = central_difference(lambda: window_gradients(cell, xs, targets).loss, cell.params)
    for name in cell.param_names:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_the_loss_is_the_mean_cross_entropy_over_the_batch():
    cell, xs, targets = small_batch()
    p = rnnviz.softmax(unroll(cell, xs).y[-1])
    expected = -np.mean(np.log(p[np.arange(len(targets)), targets]))
    assert window_gradients(cell, xs, targets).loss == pytest.approx(expected, rel=1e-12)


# truncated BPTT ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [5, 6, 50])
def test_truncation_at_or_beyond_the_window_is_full_bptt(k):
    cell, xs, targets = small_batch(seq_length=5)
    full = window_gradients(cell, xs, targets).grads
    truncated = window_gradients(cell, xs, targets, truncation=k).grads
    for name in cell.param_names:
        np.testing.assert_array_equal(truncated[name], full[name])


@pytest.mark.parametrize("k", [1, 2, 4])
def test_truncation_to_k_steps_is_the_gradient_with_h_t_minus_k_held_fixed(k):
    cell, xs, targets = small_batch(seq_length=5)
    T = xs.shape[0]
    h_fixed = unroll(cell, xs[: T - k]).h[-1].copy()  # computed once: it does not move with the weights

    def loss_with_h_fixed():
        logits = unroll(cell, xs[T - k :], h0=h_fixed).y[-1]
        p = rnnviz.softmax(logits)
        return -np.mean(np.log(p[np.arange(len(targets)), targets]))

    truncated = window_gradients(cell, xs, targets, truncation=k)
    numeric = central_difference(loss_with_h_fixed, cell.params)
    for name in cell.param_names:
        np.testing.assert_allclose(truncated.grads[name], numeric[name], rtol=1e-5, atol=1e-8, err_msg=name)
    assert truncated.first_kept_step == T - k + 1


def test_truncation_keeps_exactly_the_last_k_per_step_terms_of_full_bptt():
    cell, xs, targets = small_batch(seq_length=5)
    full = window_gradients(cell, xs, targets).gradients.per_step
    truncated = window_gradients(cell, xs, targets, truncation=2).grads
    for name in ("W_hh", "W_xh", "b_h"):
        np.testing.assert_allclose(truncated[name], full[name][-2:].sum(axis=0), rtol=1e-12, atol=1e-15)
        assert not np.allclose(truncated[name], full[name].sum(axis=0))  # the dropped terms were not zero


def test_training_with_truncation_marks_the_dropped_steps_in_the_per_step_record():
    result = train_char_rnn(ARTICLE_TEXT, seq_length=4, epochs=3, truncation=2)
    assert result.step_norms["W_hh"].shape == (3, 4)
    assert np.isnan(result.step_norms["W_hh"][:, :2]).all()
    assert (result.step_norms["W_hh"][:, 2:] > 0).all()
    np.testing.assert_array_equal(result.kept_steps, [False, False, True, True])


# clipping in training ---------------------------------------------------------------------------------------
def flat(grads):
    return np.concatenate([g.ravel() for g in grads.values()])


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_norm_clipping_of_a_training_gradient_keeps_its_direction_and_elementwise_turns_it():
    cell, xs, targets = small_batch(seq_length=8, batch=16, hidden=12)
    grads = window_gradients(cell, xs, targets).grads
    threshold = 0.05
    assert np.linalg.norm(flat(grads)) > threshold
    by_norm = clip(grads, "norm", threshold)
    by_entry = clip(grads, "elementwise", 0.01)
    assert by_norm.clipped and by_entry.clipped
    assert np.linalg.norm(flat(by_norm.grads)) == pytest.approx(threshold)
    assert cosine(flat(by_norm.grads), flat(grads)) == pytest.approx(1.0, abs=1e-12)
    assert cosine(flat(by_entry.grads), flat(grads)) < 0.999


def test_training_with_a_low_norm_threshold_records_clipping_events():
    history = train_char_rnn(ARTICLE_TEXT, epochs=5, clipping="norm", clip_threshold=0.01).history
    assert (history.clipped_batches == history.batches).all()
    assert (history.grad_norm > 0.01).all()  # the norm is recorded before clipping
    unclipped = train_char_rnn(ARTICLE_TEXT, epochs=5).history
    assert (unclipped.clipped_batches == 0).all()


# diagnostics, stopping, divergence ----------------------------------------------------------------------------
def test_every_epoch_records_the_spectrum_of_w_hh_and_per_step_terms(article_run):
    history = article_run.history
    assert article_run.initial_weights["sigma_max"] == pytest.approx(1.0)  # orthogonal at the start
    assert (history.sigma_max >= history.spectral_radius - 1e-9).all()
    assert article_run.step_norms["W_xh"].shape == (100, 3)
    assert np.isfinite(article_run.step_norms["W_hh"]).all()


def test_a_stop_check_keeps_the_epochs_trained_so_far():
    epochs_seen = []
    result = train_char_rnn(
        ARTICLE_TEXT, on_epoch=lambda row: epochs_seen.append(row["epoch"]), should_stop=lambda: len(epochs_seen) >= 4
    )
    assert result.status == "stopped" and len(result.history) == 4 and epochs_seen == [1, 2, 3, 4]
    assert "after epoch 4" in result.message


def test_a_trainer_continues_where_it_stopped():
    trainer = CharTrainer(ARTICLE_TEXT, Recipe(epochs=6))
    trainer.train(epochs=2)
    trainer.train(epochs=4)
    whole = train_char_rnn(ARTICLE_TEXT, epochs=6).history
    assert trainer.result().history.equals(whole)


def test_a_learning_rate_that_diverges_stops_with_a_message_and_a_finite_model():
    result = train_char_rnn(ARTICLE_TEXT, activation="relu", optimizer="sgd", learning_rate=10.0, epochs=50)
    assert result.status == "diverged"
    assert "learning rate 10" in result.message
    assert any(word in result.message for word in ("NaN", "infinite", "not finite"))
    assert len(result.history) < 50
    assert all(np.isfinite(value).all() for value in result.model.params.values())


# bad text ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "words"), [("", "empty"), ("abc", "at least 4"), ("a\x00bcdef", "NUL")])
def test_texts_that_cannot_be_trained_on_are_refused_in_words(text, words):
    with pytest.raises(ValueError, match=words):
        check_text(text, 3)


def test_an_oversized_text_is_refused_at_the_limits_the_app_passes():
    with pytest.raises(ValueError, match="at most"):
        train_char_rnn("ab" * LIMITS.train_text_chars, epochs=1, max_text_chars=LIMITS.train_text_chars)
    many = "".join(chr(0x100 + k) for k in range(LIMITS.train_vocabulary + 1))
    with pytest.raises(ValueError, match=f"at most {LIMITS.train_vocabulary} can be one-hot encoded"):
        check_text(many, 3, max_vocabulary=LIMITS.train_vocabulary)


def test_a_notebook_trains_past_the_servers_limits_by_default():
    many = "".join(chr(0x100 + k) for k in range(LIMITS.train_vocabulary + 1))  # more distinct characters
    result = train_char_rnn(many * 2, hidden_size=4, epochs=1, batch_size=512)
    assert len(result.vocabulary) == LIMITS.train_vocabulary + 1
    assert check_text("ab" * LIMITS.train_text_chars, 3)  # a longer text than the server takes
    loaded = load_model(model_bytes(result))  # and opens the model it saved
    assert loaded.vocabulary == result.vocabulary
    with pytest.raises(ValueError, match=f"{LIMITS.train_vocabulary + 1} characters"):
        load_model(model_bytes(result), LIMITS)  # which the server refuses


def test_the_bundled_text_is_a_few_kilobytes_of_alice():
    text = bundled_text("alice")
    assert 3000 < len(text) <= LIMITS.train_text_chars and "Alice" in text


# saving and loading ----------------------------------------------------------------------------------------------
def test_a_saved_model_loads_back_exactly(article_run, tmp_path):
    path = tmp_path / "model.npz"
    save_model(article_run, path)
    loaded = load_model(path, LIMITS)
    for name, value in article_run.model.params.items():
        np.testing.assert_array_equal(loaded.cell.params[name], value)
    assert loaded.vocabulary == article_run.vocabulary and loaded.seq_length == 3
    assert loaded.cell.activation.name == "relu"
    assert loaded.generate(ARTICLE_PREFIX) == article_run.generate(ARTICLE_PREFIX)
    assert load_model(model_bytes(article_run), LIMITS).vocabulary == article_run.vocabulary


def arrays_of(result) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(model_bytes(result))) as npz:
        return {name: npz[name] for name in npz.files}


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a: a.update(W_hh=a["W_hh"][:, :-1]), "W_hh|hidden size"),
        (lambda a: a.update(W_xh=a["W_xh"].T), "W_xh"),
        (lambda a: a.update(b_y=np.append(a["b_y"], 0.0)), "b_y"),
        (lambda a: a["W_hy"].__setitem__((0, 0), np.nan), "NaN or infinite"),
        (lambda a: a["b_h"].__setitem__(0, np.inf), "NaN or infinite"),
        (lambda a: a.update(W_hh=a["W_hh"].astype(np.int64)), "floating-point"),
        (lambda a: a.update(activation=np.array("swish")), "activation"),
        (lambda a: a.update(vocabulary=np.array(["a", "a", "b"])), "vocabulary"),
        (lambda a: a.update(vocabulary=np.array(["ab", "c"])), "single characters"),
        (lambda a: a.update(vocabulary=np.arange(17)), "text"),
        (lambda a: a.update(seq_length=np.array(1000)), "seq_length"),
        (lambda a: a.update(seq_length=np.array(2.5)), "seq_length"),
        (lambda a: a.pop("b_h"), "missing b_h"),
        (lambda a: a.update(extra=np.zeros(2)), "unexpected extra"),
        (lambda a: a.update(format=np.array("something else")), "format"),
    ],
)
def test_a_malformed_model_file_is_refused_in_words(article_run, change, words):
    arrays = arrays_of(article_run)
    change(arrays)
    with pytest.raises(ValueError, match=words):
        load_model(npz_bytes(**arrays), LIMITS)


def test_a_model_file_with_pickled_objects_is_refused(article_run):
    arrays = arrays_of(article_run)
    arrays["vocabulary"] = np.array(list(arrays["vocabulary"]), dtype=object)
    with pytest.raises(ValueError, match="pickled"):
        load_model(npz_bytes(**arrays), LIMITS)


@pytest.mark.parametrize("data", [b"", b"not a zip file at all", b"PK\x03\x04" + b"\x00" * 40])
def test_a_file_that_is_not_an_npz_archive_is_refused(data):
    with pytest.raises(ValueError, match="empty|not an .npz archive"):
        load_model(data, LIMITS)


def test_an_oversized_model_file_is_refused_unread():
    with pytest.raises(ValueError, match="larger than"):
        load_model(b"\x00" * (LIMITS.model_file_bytes + 1), LIMITS)


def test_a_model_file_that_unpacks_to_too_much_is_refused(article_run):
    arrays = arrays_of(article_run)
    buffer = io.BytesIO()
    big = np.zeros((900, 256))  # compresses to almost nothing, unpacks to 1.8 MB
    np.savez_compressed(buffer, **{**arrays, "W_hh": big, "W_xh": big})
    assert len(buffer.getvalue()) < LIMITS.model_file_bytes
    with pytest.raises(ValueError, match="unpacks to more than"):
        load_model(buffer.getvalue(), LIMITS)


def test_loading_a_missing_path_says_so(tmp_path):
    with pytest.raises(ValueError, match="no model file"):
        load_model(tmp_path / "nothing.npz", LIMITS)


# figures -------------------------------------------------------------------------------------------------------
def test_every_training_figure_is_titled_with_labelled_axes(article_run):
    from rnnviz.figures import training as figures
    from rnnviz.train import ARTICLE_ACCURACY, ARTICLE_LOSS

    built = [
        figures.loss_figure(article_run, ARTICLE_LOSS, 100),
        figures.accuracy_figure(article_run, ARTICLE_ACCURACY, 100, 0.95),
        figures.grad_norm_figure(article_run, 100),
        figures.spectrum_figure(article_run, 100),
        figures.step_terms_heatmap(article_run, "W_hh"),
        figures.step_terms_heatmap(article_run, "W_xh"),
    ]
    for fig in built:
        assert fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        assert fig.data


def test_the_training_figures_mark_clipping_and_truncation():
    from rnnviz.figures import training as figures

    result = train_char_rnn(ARTICLE_TEXT, seq_length=4, epochs=3, clipping="norm", clip_threshold=0.01, truncation=2)
    grad = figures.grad_norm_figure(result, 3)
    assert any(trace.name.startswith("clipped") for trace in grad.data)
    assert any("threshold 0.01" in (shape_text or "") for shape_text in [a.text for a in grad.layout.annotations])
    heatmap = figures.step_terms_heatmap(result, "W_hh")
    assert any("dropped by" in annotation.text for annotation in heatmap.layout.annotations)
