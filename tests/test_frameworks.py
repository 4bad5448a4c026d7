"""Models trained in PyTorch and Keras open as rnnviz cells that compute what the frameworks computed.

The reference files in tests/data/frameworks were written by PyTorch and Keras themselves
(scripts/make_framework_references.py): each model saved with the page's own snippet, beside each framework's
forward pass on a fixed input. These tests need neither framework.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

import rnnviz
from rnnviz import diagnostics
from rnnviz.bidirectional import unroll_bidirectional
from rnnviz.frameworks import KERAS_SNIPPET, PYTORCH_SNIPPET, open_model
from rnnviz.imported import (
    EXAMPLES,
    InputRequest,
    analyse,
    analyse_request,
    app_inputs,
    connectivity_steps,
    csv_inputs,
    example_bytes,
    step_limit,
    text_inputs,
)
from rnnviz.settings import LIMITS
from rnnviz.train import model_bytes, train_char_rnn

DATA = Path(__file__).parent / "data" / "frameworks"
REFERENCES = sorted(path.name.removesuffix(".outputs.npz") for path in DATA.glob("*.outputs.npz"))
OPENED = [name for name in REFERENCES if "reset_before" not in name]
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}


def relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def tolerance(name: str) -> float:
    return TOLERANCE["float64" if name.endswith("float64") else "float32"]


def states_and_outputs(imported, xs: np.ndarray) -> dict[str, np.ndarray]:
    """h_1..h_T (and the backward direction's, in time order) and y_1..y_T, as the reference files hold them."""
    if imported.bidirectional:
        run = unroll_bidirectional(imported.model, xs)
        return {"h": run.forward.h[1:], "h_reverse": run.backward_states, "y": run.y}
    run = rnnviz.unroll(imported.model, xs)
    return {"h": run.h[1:], "y": run.y}


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def arrays_of(name: str) -> dict[str, np.ndarray]:
    with np.load(DATA / f"{name}.npz", allow_pickle=False) as archive:
        return dict(archive)


def test_there_is_a_reference_of_every_kind_and_framework():
    for kind in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
        for direction in ("", "_bi"):
            for dtype in ("float32", "float64"):
                assert f"pytorch_{kind}{direction}_{dtype}" in REFERENCES
    for kind in ("simplernn_tanh", "simplernn_relu", "lstm", "gru", "lstm_bi", "gru_bi_sum", "simplernn_bi_ave"):
        assert f"keras_{kind}_float32" in REFERENCES


@pytest.mark.parametrize("name", OPENED)
def test_the_states_and_outputs_equal_the_framework_s_own_forward_pass(name):
    imported = open_model(DATA / f"{name}.npz", LIMITS)
    with np.load(DATA / f"{name}.outputs.npz", allow_pickle=False) as reference:
        computed = states_and_outputs(imported, reference["xs"])
        compared = [key for key in ("h", "h_reverse", "y") if key in reference]
        assert compared
        for key in compared:
            assert relative_error(computed[key], reference[key]) <= tolerance(name), key


def test_the_pytorch_snippet_writes_the_state_dict_s_names_with_the_layer_and_its_nonlinearity():
    names = set(arrays_of("pytorch_rnn_relu_bi_float32"))
    recurrent = {
        f"rnn.{part}_l0{suffix}"
        for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        for suffix in ("", "_reverse")
    }
    assert names == recurrent | {"head.weight", "head.bias", "layer", "nonlinearity"}
    assert open_model(DATA / "pytorch_rnn_relu_bi_float32.npz").forward_cell.activation.name == "relu"


def test_a_keras_gru_with_reset_after_false_is_refused_and_told_how_to_train_one_that_opens():
    with pytest.raises(ValueError, match="reset_after=False.*reset_after=True"):
        open_model(DATA / "keras_gru_reset_before_float32.npz")


def test_the_article_s_keras_model_trained_100_epochs_opens_with_its_vocabulary_and_predicts_as_keras_did():
    imported = open_model(DATA / "keras_article_char_model.npz", LIMITS)
    assert imported.vocabulary is not None and len(imported.vocabulary) == 17
    assert (imported.kind, imported.hidden_size, imported.forward_cell.activation.name) == ("rnn", 50, "relu")
    with np.load(DATA / "keras_article_char_model.outputs.npz", allow_pickle=False) as reference:
        run = rnnviz.unroll(imported.model, reference["xs"])
        assert float(reference["accuracy"]) > 0.8  # trained, not a fresh model
        assert relative_error(run.h[1:], reference["h"]) <= 1e-5
        assert relative_error(rnnviz.softmax(run.y[-1]), reference["probabilities"]) <= 1e-5


def test_every_shipped_example_opens_under_the_server_s_limits():
    for name in EXAMPLES:
        assert open_model(example_bytes(name), LIMITS).description


def test_rnnviz_s_own_model_file_opens_too():
    result = train_char_rnn("abcabcabd", seq_length=3, hidden_size=4, epochs=1, seed=0)
    imported = open_model(model_bytes(result), LIMITS)
    assert (imported.framework, imported.vocabulary) == ("rnnviz", ("a", "b", "c", "d"))
    assert np.array_equal(imported.model.W_hh, result.model.W_hh)


def test_open_model_is_exported_by_the_package():
    assert rnnviz.open_model is open_model


# refusals: each names what was expected and what was found -----------------------------------------------------
def test_a_file_of_other_arrays_is_refused_naming_the_formats_expected_and_the_arrays_found():
    with pytest.raises(ValueError, match=r"expected PyTorch's arrays.*found kernel, weights"):
        open_model(npz_bytes(weights=np.zeros(3), kernel=np.ones(2)))


def test_a_file_that_is_not_an_npz_archive_is_refused():
    with pytest.raises(ValueError, match="not a zip file"):
        open_model(b"not a model at all")


def test_a_pickled_array_is_never_loaded():
    with pytest.raises(ValueError, match="pickled Python objects"):
        open_model(npz_bytes(layer=np.array(["LSTM", {"x": 1}], dtype=object)))


def test_a_second_pytorch_layer_is_refused():
    arrays = arrays_of("pytorch_gru_float32")
    arrays["rnn.weight_ih_l1"] = arrays["rnn.weight_hh_l0"]
    with pytest.raises(ValueError, match="Only one layer.*rnn.weight_ih_l1"):
        open_model(npz_bytes(**arrays))


def test_pytorch_weights_of_the_wrong_shape_for_the_layer_are_refused_with_both_shapes():
    arrays = arrays_of("pytorch_lstm_float32")
    arrays["layer"] = np.array("GRU")  # an LSTM's (4H, H) weights under a GRU's name
    with pytest.raises(ValueError, match=r"rnn.weight_hh_l0 must have shape \(3H, H\) for nn.GRU, got \(16, 4\)"):
        open_model(npz_bytes(**arrays))


def test_a_weight_that_is_not_finite_is_refused_by_name():
    arrays = arrays_of("pytorch_rnn_tanh_float64")
    arrays["head.bias"] = np.array([np.nan, 0.0])
    with pytest.raises(ValueError, match="head.bias has entries that are NaN"):
        open_model(npz_bytes(**arrays))


def test_a_pytorch_model_without_a_linear_head_is_refused():
    arrays = {k: v for k, v in arrays_of("pytorch_gru_float32").items() if not k.startswith("head.")}
    with pytest.raises(ValueError, match="Expected one nn.Linear read-out.*found 0"):
        open_model(npz_bytes(**arrays))


def test_a_keras_bidirectional_layer_merged_by_multiplication_is_refused():
    arrays = arrays_of("keras_lstm_bi_float32")
    layers = json.loads(str(arrays["keras"]))
    layers[0][1]["merge_mode"] = "mul"
    arrays["keras"] = np.array(json.dumps(layers))
    with pytest.raises(ValueError, match="merge_mode must be concat, sum or ave.*'mul'"):
        open_model(npz_bytes(**arrays))


def test_a_keras_layer_that_reads_backwards_is_refused_rather_than_opened_as_reading_forward():
    arrays = arrays_of("keras_gru_float32")
    layers = json.loads(str(arrays["keras"]))
    layers[0][1]["go_backwards"] = True
    arrays["keras"] = np.array(json.dumps(layers))
    with pytest.raises(ValueError, match="go_backwards=True"):
        open_model(npz_bytes(**arrays))


def test_a_keras_file_whose_configuration_is_not_json_is_refused():
    arrays = arrays_of("keras_gru_float32")
    arrays["keras"] = np.array("[not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        open_model(npz_bytes(**arrays))


def test_a_vocabulary_that_does_not_match_the_input_size_is_refused():
    arrays = arrays_of("keras_lstm_float32")
    arrays["vocabulary"] = np.array(list("abcd"))  # D = 3
    with pytest.raises(ValueError, match="vocabulary has 4 characters but the model's input size is 3"):
        open_model(npz_bytes(**arrays))


def test_a_model_larger_than_the_server_s_hidden_size_is_refused_there_and_opened_without_limits():
    H = LIMITS.train_hidden_size[1] + 1
    arrays = {
        "layer": np.array("RNN"),
        "rnn.weight_ih_l0": np.zeros((H, 1)),
        "rnn.weight_hh_l0": np.zeros((H, H)),
        "head.weight": np.zeros((1, H)),
    }
    with pytest.raises(ValueError, match=f"H = {H} hidden units"):
        open_model(npz_bytes(**arrays), LIMITS)
    assert open_model(npz_bytes(**arrays)).hidden_size == H


# inputs ---------------------------------------------------------------------------------------------------------
def test_a_csv_with_a_header_reads_as_its_rows_of_numbers():
    xs = csv_inputs("a,b\n1, 2\n3,-4.5\n", input_size=2, max_steps=10)
    assert np.array_equal(xs, [[1.0, 2.0], [3.0, -4.5]])


def test_a_csv_saved_with_a_byte_order_mark_keeps_its_first_row():
    text = "1,2\n3,4\n".encode("utf-8-sig").decode("utf-8")  # as a spreadsheet saves "CSV UTF-8"
    assert np.array_equal(csv_inputs(text, input_size=2, max_steps=10), [[1.0, 2.0], [3.0, 4.0]])


def test_a_csv_whose_first_row_has_a_number_is_data_not_a_header():
    with pytest.raises(ValueError, match="Row 1, column 1 of the CSV is 'x'"):
        csv_inputs("x,2\n3,4\n", input_size=2, max_steps=10)


def test_a_csv_field_longer_than_the_reader_takes_is_a_message_not_a_crash():
    with pytest.raises(ValueError, match="The CSV cannot be read"):
        csv_inputs("1" * 150_000, input_size=1, max_steps=10)


def test_a_csv_row_of_the_wrong_width_is_named_with_the_width_expected():
    with pytest.raises(ValueError, match="Row 2 of the CSV has 3 values; the model reads D = 2"):
        csv_inputs("1,2\n1,2,3\n", input_size=2, max_steps=10)


def test_a_csv_cell_that_is_not_a_finite_number_is_named_by_row_and_column():
    with pytest.raises(ValueError, match="Row 1, column 2 of the CSV is 'inf', not a finite number"):
        csv_inputs("1,inf\n", input_size=2, max_steps=10)


def test_a_csv_longer_than_the_step_limit_is_refused():
    with pytest.raises(ValueError, match="3 rows; at most 2 steps"):
        csv_inputs("1\n2\n3\n", input_size=1, max_steps=2)


def test_a_text_outside_the_vocabulary_names_the_characters_it_does_not_know():
    with pytest.raises(ValueError, match="outside the model's vocabulary: 'xz'"):
        text_inputs("abzx", ("a", "b"), max_steps=10)


def test_a_gated_model_s_steps_are_bounded_by_the_work_of_its_jacobians():
    big = rnnviz.frameworks.ImportedModel("PyTorch", "lstm", rnnviz.random_lstm(256, 2, 2), None, "")
    most = step_limit(big, LIMITS)
    assert 2 <= most < LIMITS.model_steps[1]
    assert most * (2 * 256) ** 3 <= LIMITS.model_work
    with pytest.raises(ValueError, match=f"from 1 to {most}"):
        analyse_request(big, InputRequest(steps=most + 1), LIMITS)


# the analysis ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["pytorch_lstm_bi_float64", "keras_gru_float32", "pytorch_rnn_tanh_float64"])
def test_the_bound_drawn_is_never_below_the_measured_norm(name):
    imported = open_model(DATA / f"{name}.npz")
    exp = analyse(imported, app_inputs("random", 40, imported.input_size, seed=3))
    assert np.all(exp.norms.log10_spectral <= exp.log10_bound + 1e-9)


def test_a_vanilla_model_s_bound_is_gamma_sigma_max_to_the_steps_back():
    imported = open_model(DATA / "pytorch_rnn_tanh_float64.npz")
    exp = analyse(imported, app_inputs("impulse", 20, imported.input_size))
    sigma = rnnviz.sigma_max(imported.model.W_hh)
    assert np.allclose(exp.log10_bound, diagnostics.log10_bound(1.0, sigma, 20))
    assert "σ_max" in exp.regime.reason


def test_the_backward_direction_of_a_bidirectional_model_is_analysed_in_its_reading_order():
    imported = open_model(DATA / "pytorch_gru_bi_float64.npz")
    xs = app_inputs("random", 12, imported.input_size)
    exp = analyse(imported, xs, direction="backward")
    assert exp.cell is imported.model.backward
    assert np.allclose(exp.run.xs, xs[::-1])


def test_a_text_s_targets_are_its_next_characters():
    imported = open_model(DATA / "keras_article_char_model.npz")
    xs, tokens = text_inputs("This is", imported.vocabulary, max_steps=50)
    exp = analyse(imported, xs, "many_to_many", tokens=tokens)
    index = {char: i for i, char in enumerate(imported.vocabulary)}
    probabilities = np.array([rnnviz.softmax(y) for y in exp.y])
    next_characters = -sum(np.log(probabilities[t, index[char]]) for t, char in enumerate("his is"))
    own_answer_at_the_end = -np.log(probabilities[-1].max())
    assert exp.loss == pytest.approx(next_characters + own_answer_at_the_end)


def test_a_run_that_overflows_is_analysed_on_its_finite_part():
    H = 4
    exploding = rnnviz.frameworks.ImportedModel(
        "PyTorch",
        "rnn",
        rnnviz.RNN(np.ones((H, 1)), 50.0 * np.eye(H), np.zeros(H), np.ones((1, H)), np.zeros(1), "linear"),
        None,
        "",
    )
    exp = analyse(exploding, app_inputs("constant", 400, 1))
    assert exp.overflow_step is not None
    assert exp.analysed_steps == exp.overflow_step - 1
    assert exp.norms.log10_spectral.shape == (exp.analysed_steps + 1,)


def test_the_readme_shows_the_page_s_own_snippets():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert PYTORCH_SNIPPET in readme and KERAS_SNIPPET in readme


# connectivity's cost -------------------------------------------------------------------------------------------
def wide_rnn(H: int, D: int, O: int) -> bytes:
    """A tiny file for a model whose input and output sizes are large: its connectivity, not its H, is costly."""
    rng = np.random.default_rng(0)
    return npz_bytes(
        layer=np.array("RNN"),
        **{
            "rnn.weight_ih_l0": (rng.normal(size=(H, D)) * 0.1).astype(np.float32),
            "rnn.weight_hh_l0": (rng.normal(size=(H, H)) * 0.1).astype(np.float32),
            "head.weight": (rng.normal(size=(O, H)) * 0.1).astype(np.float32),
        },
    )


def test_the_connectivity_map_covers_fewer_steps_as_the_model_s_input_and_output_sizes_grow():
    small = open_model(wide_rnn(H=4, D=2, O=2), LIMITS)
    wide = open_model(wide_rnn(H=128, D=512, O=512), LIMITS)
    assert connectivity_steps(small, LIMITS) == 40
    S = connectivity_steps(wide, LIMITS)
    assert 2 <= S < 40
    assert S**2 / 2 * 512 * (128**2 + 128 * 512) <= LIMITS.model_work  # its blocks' work within the budget


def test_a_wide_model_s_connectivity_covers_its_first_steps_and_the_page_s_words_say_how_many():
    from ui.your_network_views import connectivity_look

    imported = open_model(wide_rnn(H=2, D=512, O=512), LIMITS)
    exp = analyse_request(imported, InputRequest(kind="random", steps=60), LIMITS)
    S = exp.connectivity.shape[0]
    assert S == connectivity_steps(imported, LIMITS) < 60
    assert f"the first {S} of the 60 steps" in connectivity_look(exp)
