"""What the pages read off a run: growth factor, regime, saturation, where the gradient comes from, the parts of
one step, where the loss sits, the inputs, and the settings a link carries."""

from __future__ import annotations

import numpy as np
import pytest
from numerical import central_difference

import rnnviz
from rnnviz import diagnostics, verdicts
from rnnviz.experiment import simulate
from rnnviz.inputs import END, PAD, START, Vocabulary, make_inputs, pad_sentences, sentence_inputs, tokenize
from rnnviz.losses import input_steps, loss_steps, mean_squared_error, output_gradient, softmax_cross_entropy
from rnnviz.settings import DEFAULTS, PRESET_REGIMES, PRESETS, Settings, parse_query, to_query
from rnnviz.stepper import step_parts

# growth factor and regime -----------------------------------------------------------------------------------


def geometric_log_norms(factor: float, T: int) -> np.ndarray:
    """log10 of factor^(T-k) for k = 0..T."""
    return (T - np.arange(T + 1)) * np.log10(factor)


@pytest.mark.parametrize("factor", [0.3, 0.97, 1.0, 1.5])
def test_growth_factor_recovers_a_geometric_decay_or_growth(factor):
    assert diagnostics.growth_factor(geometric_log_norms(factor, 30)) == pytest.approx(factor, rel=1e-9)


def test_growth_factor_fits_the_finite_part_only_and_needs_two_points():
    log_norms = geometric_log_norms(0.5, 10)
    log_norms[:4] = -np.inf
    assert diagnostics.growth_factor(log_norms) == pytest.approx(0.5, rel=1e-9)
    assert np.isnan(diagnostics.growth_factor(np.array([np.nan, np.nan, 0.0])))


def test_growth_is_described_in_words_with_the_decades_after_twenty_steps():
    assert verdicts.growth_sentence(0.1, 60) == "× 0.1 per step (fitted over every k): 20 such steps make 10^-20"
    assert verdicts.growth_sentence(10.0, 60, steps=3) == "× 10 per step (fitted over every k): 3 such steps make 10^+3"
    assert verdicts.growth_sentence(0.97, 60) == "× 0.97 per step (fitted over every k): 20 such steps make 10^-0.3"
    assert "no finite growth factor" in verdicts.growth_sentence(float("nan"), 60)


@pytest.mark.parametrize(
    "log10_at_0, label",
    [(-5.0, "vanishing"), (-2.0, "vanishing"), (-1.9, "near the edge"), (1.9, "near the edge"), (2.0, "exploding")],
)
def test_the_regime_label_follows_how_many_decades_the_norm_moved(log10_at_0, label):
    log_norms = np.linspace(log10_at_0, 0.0, 31)
    assert diagnostics.regime(log_norms, gamma=1.0, sigma=1.0, radius=0.9).label == label


def test_the_regime_reason_gives_the_numbers_and_pascanus_condition():
    vanishing = diagnostics.regime(geometric_log_norms(0.5, 20), gamma=0.25, sigma=2.0, radius=1.5)
    assert "10^-6" in vanishing.reason and "Over 20 steps" in vanishing.reason
    assert "γσ_max = 0.25 × 2 = 0.5 < 1: vanishing is guaranteed" in vanishing.reason
    assert "ρ = 1.5" in vanishing.reason
    exploding = diagnostics.regime(geometric_log_norms(1.5, 20), gamma=1.0, sigma=1.5, radius=1.5)
    assert "explosion is possible" in exploding.reason


def test_a_product_that_became_exactly_zero_is_vanishing_not_exploding():
    log_norms = np.array([-np.inf, -np.inf, -1.0, 0.0])
    result = diagnostics.regime(log_norms, gamma=1.0, sigma=1.2, radius=1.1)
    assert result.label == "vanishing" and "exactly 0 after 2 steps back" in result.reason


def test_a_product_that_left_floating_point_is_exploding():
    result = diagnostics.regime(np.array([np.nan, 300.0, 0.0]), gamma=1.0, sigma=3.0, radius=3.0)
    assert result.label == "exploding" and "left floating point after 2 steps back" in result.reason


def test_dead_relu_units_give_a_vanishing_regime():
    exp = simulate(Settings(activation="relu", input_kind="zeros"))  # a_t = 0 forever, f'(0) = 0
    assert exp.regime.label == "vanishing"
    assert exp.norms.log10_spectral[0] == -np.inf


# saturation --------------------------------------------------------------------------------------------------


def one_unit_per_input_cell(activation: str, H: int = 4) -> rnnviz.RNN:
    """W_hh = 0 and W_xh = I, so a_t = x_t: the input sets every pre-activation directly."""
    return rnnviz.RNN(np.eye(H), np.zeros((H, H)), np.zeros(H), np.ones((1, H)), np.zeros(1), activation)


def test_saturation_share_counts_the_units_whose_slope_is_below_a_tenth_of_gamma():
    xs = np.array([[0.0, 0.1, 3.0, -4.0], [5.0, 5.0, -5.0, 0.0], [0.0, 0.0, 0.0, 0.0]])  # tanh'(3) = 0.0099
    run = rnnviz.unroll(one_unit_per_input_cell("tanh"), xs)
    np.testing.assert_allclose(diagnostics.saturation_share(run), [0.5, 0.75, 0.0])


def test_for_relu_the_saturated_units_are_the_ones_that_are_off():
    xs = np.array([[1.0, -1.0, 2.0, -0.5], [-1.0, -1.0, -1.0, 1.0]])
    run = rnnviz.unroll(one_unit_per_input_cell("relu"), xs)
    np.testing.assert_allclose(diagnostics.saturation_share(run), [0.5, 0.75])


def test_a_linear_cell_never_saturates():
    run = rnnviz.unroll(one_unit_per_input_cell("linear"), np.full((3, 4), 100.0))
    assert not diagnostics.saturation_share(run).any()


# where the gradient comes from -------------------------------------------------------------------------------


def test_cumulative_share_counts_from_the_last_step_backwards():
    np.testing.assert_allclose(diagnostics.cumulative_share_from_end(np.array([1.0, 1.0, 2.0])), [1.0, 0.75, 0.5])
    assert np.isnan(diagnostics.cumulative_share_from_end(np.zeros(3))).all()


@pytest.mark.parametrize("share, steps", [(0.5, 1), (0.51, 2), (0.75, 2), (0.99, 3), (1.0, 3)])
def test_steps_carrying_is_the_fewest_last_steps_that_carry_the_share(share, steps):
    assert diagnostics.steps_carrying(np.array([1.0, 1.0, 2.0]), share) == steps


def test_a_vanishing_run_gets_its_gradient_from_the_last_few_steps():
    exp = simulate(PRESETS["Gradients vanish"])
    norms = exp.gradients.term_norms("W_hh")
    assert diagnostics.steps_carrying(norms, 0.99) < 15 < exp.analysed_steps


def test_state_and_term_norms_are_euclidean_norms_per_step():
    np.testing.assert_allclose(diagnostics.state_norms(np.array([[3.0, 4.0], [0.0, 0.0]])), [5.0, 0.0])
    np.testing.assert_allclose(diagnostics.term_norms(np.ones((2, 2, 2))), [2.0, 2.0])


def test_weight_summary_reports_radius_sigma_max_and_their_product_with_gamma():
    W = np.array([[0.0, 2.0], [0.0, 0.0]])  # nilpotent: radius 0, sigma_max 2
    summary = diagnostics.weight_summary(W, gamma=0.25)
    assert summary == pytest.approx({"spectral_radius": 0.0, "sigma_max": 2.0, "gamma_sigma_max": 0.5})


@pytest.mark.parametrize("activation, scale", [("tanh", 1.0), ("relu", 1.0), ("sigmoid", 3.0)])
def test_the_estimate_above_64_units_is_a_tight_lower_bound_of_the_exact_norm(activation, scale):
    cell = rnnviz.random_rnn(100, 2, 2, activation=activation, scale=scale, seed=0)
    run = rnnviz.unroll(cell, np.random.default_rng(0).normal(size=(60, 2)))
    estimate, exact = diagnostics.jacobian_norms(run), diagnostics.jacobian_norms(run, exact_spectral=True)
    assert not estimate.exact_spectral and exact.exact_spectral
    assert np.all(estimate.log10_spectral <= exact.log10_spectral + 1e-12)
    np.testing.assert_allclose(estimate.log10_spectral, exact.log10_spectral, atol=1e-9)


# one step in its parts ---------------------------------------------------------------------------------------


@pytest.fixture
def stepped_run() -> rnnviz.Run:
    rng = np.random.default_rng(0)
    cell = rnnviz.RNN(
        rng.normal(size=(4, 3)),
        rng.normal(size=(4, 4)),
        rng.normal(size=4),
        rng.normal(size=(5, 4)),
        rng.normal(size=5),
        activation="tanh",
    )
    return rnnviz.unroll(cell, rng.normal(size=(6, 3)), rng.normal(size=4))


@pytest.mark.parametrize("t", [1, 3, 6])
def test_the_parts_of_a_step_add_up_to_its_pre_activation(stepped_run, t):
    parts = step_parts(stepped_run, t)
    cell = stepped_run.cell
    np.testing.assert_allclose(parts.recurrent_part, cell.W_hh @ stepped_run.h[t - 1], rtol=1e-12)
    np.testing.assert_allclose(parts.input_part, cell.W_xh @ stepped_run.xs[t - 1], rtol=1e-12)
    np.testing.assert_allclose(parts.recurrent_part + parts.input_part + parts.bias, parts.a, rtol=1e-12)


def test_the_concatenated_view_of_the_cell_gives_the_same_pre_activation(stepped_run):
    parts = step_parts(stepped_run, 4)
    assert parts.concatenated.shape == (4 + 3,) and parts.W_concatenated.shape == (4, 4 + 3)
    np.testing.assert_allclose(parts.W_concatenated @ parts.concatenated + parts.bias, parts.a, rtol=1e-12)


def test_the_rest_of_the_step_follows_from_its_pre_activation(stepped_run):
    parts = step_parts(stepped_run, 2)
    cell = stepped_run.cell
    np.testing.assert_allclose(parts.h, np.tanh(parts.a), rtol=1e-12)
    np.testing.assert_allclose(parts.fprime, 1 - np.tanh(parts.a) ** 2, rtol=1e-12)
    np.testing.assert_allclose(parts.y, cell.W_hy @ parts.h + cell.b_y, rtol=1e-12)
    np.testing.assert_allclose(parts.p, np.exp(parts.y) / np.exp(parts.y).sum(), rtol=1e-12)
    np.testing.assert_array_equal(parts.h_prev, stepped_run.h[1])


# where the loss sits -----------------------------------------------------------------------------------------


def test_many_to_one_has_a_loss_on_the_last_step_only_the_others_on_every_step():
    np.testing.assert_array_equal(loss_steps("many_to_one", 4), [False, False, False, True])
    np.testing.assert_array_equal(loss_steps("many_to_many", 4), [True] * 4)
    np.testing.assert_array_equal(loss_steps("one_to_many", 4), [True] * 4)


def test_one_to_many_has_an_input_at_step_one_only():
    np.testing.assert_array_equal(input_steps("one_to_many", 4), [True, False, False, False])
    np.testing.assert_array_equal(input_steps("many_to_one", 4), [True] * 4)


@pytest.mark.parametrize("placement", ["many_to_one", "many_to_many", "one_to_many"])
@pytest.mark.parametrize("batch", [(), (2,)], ids=["unbatched", "batched"])
def test_softmax_cross_entropy_dy_matches_finite_differences(placement, batch):
    rng = np.random.default_rng(1)
    y, targets = rng.normal(size=(4, *batch, 3)), rng.integers(0, 3, size=(4, *batch))
    loss, dy = output_gradient(y, targets, placement, "cross_entropy")
    numeric = central_difference(lambda y: output_gradient(y, targets, placement, "cross_entropy")[0], y)
    np.testing.assert_allclose(dy, numeric, rtol=1e-6, atol=1e-9)
    steps = loss_steps(placement, 4)
    assert not dy[~steps].any()


@pytest.mark.parametrize("placement", ["many_to_one", "many_to_many", "one_to_many"])
@pytest.mark.parametrize("batch", [(), (2,)], ids=["unbatched", "batched"])
def test_mean_squared_error_dy_matches_finite_differences(placement, batch):
    rng = np.random.default_rng(2)
    y, targets = rng.normal(size=(4, *batch, 3)), rng.normal(size=(4, *batch, 3))
    loss, dy = output_gradient(y, targets, placement, "mse")
    numeric = central_difference(lambda y: output_gradient(y, targets, placement, "mse")[0], y)
    np.testing.assert_allclose(dy, numeric, rtol=1e-6, atol=1e-9)


def test_the_losses_have_their_textbook_values():
    y = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])  # softmax (1/2, 1/2) and (3/4, 1/4)
    loss, _ = softmax_cross_entropy(y, np.array([0, 0]))
    assert loss == pytest.approx(-np.log(0.5) - np.log(0.75))
    loss, _ = mean_squared_error(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))
    assert loss == pytest.approx((1 + 9) / 2)


def test_cross_entropy_stays_finite_for_huge_logits():
    loss, dy = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.isfinite(dy).all()


@pytest.mark.parametrize("placement", ["many_to_one", "many_to_many", "one_to_many"])
def test_the_loss_gradient_of_the_weights_matches_finite_differences_end_to_end(placement):
    """The helpers' dy fed to bptt gives dL/dW_hh of the whole chain: inputs, run, loss."""
    rng = np.random.default_rng(3)
    cell = rnnviz.random_rnn(3, 2, 3, activation="tanh", scale=0.9, seed=3)
    xs = rng.normal(size=(5, 2)) * input_steps(placement, 5)[:, None]
    targets = rng.integers(0, 3, size=5)

    def loss(W_hh):
        changed = rnnviz.RNN(cell.W_xh, W_hh, cell.b_h, cell.W_hy, cell.b_y, "tanh")
        return output_gradient(rnnviz.unroll(changed, xs).y, targets, placement)[0]

    run = rnnviz.unroll(cell, xs)
    _, dy = output_gradient(run.y, targets, placement)
    g = rnnviz.bptt(run, dy)
    np.testing.assert_allclose(g.total["W_hh"], central_difference(loss, cell.W_hh), rtol=1e-6, atol=1e-9)
    if placement == "many_to_one":  # the terms of steps before T still exist: they come through dh, not dy
        assert np.abs(g.per_step["W_hh"][:-1]).sum() > 0


# inputs ------------------------------------------------------------------------------------------------------


def test_numeric_inputs_are_what_their_names_say():
    rng = np.random.default_rng(0)
    assert make_inputs("gaussian", 500, 4, rng).std() == pytest.approx(1.0, rel=0.05)
    impulse = make_inputs("impulse", 5, 3, rng)
    np.testing.assert_array_equal(impulse[0], np.ones(3))
    assert not impulse[1:].any()
    np.testing.assert_array_equal(make_inputs("constant", 5, 3, rng), np.ones((5, 3)))
    np.testing.assert_array_equal(make_inputs("zeros", 5, 3, rng), np.zeros((5, 3)))


def test_a_sentence_becomes_one_one_hot_vector_per_word():
    xs, tokens, vocabulary = sentence_inputs("Delightful place to have dinner", 5)
    assert tokens == ["Delightful", "place", "to", "have", "dinner"]
    assert len(vocabulary) == 5 and xs.shape == (5, 5)
    np.testing.assert_array_equal(xs.sum(axis=1), np.ones(5))
    assert [vocabulary.tokens[i] for i in xs.argmax(axis=1)] == tokens


def test_a_sentence_is_cycled_to_fill_T_steps_and_repeated_words_share_a_vector():
    xs, tokens, vocabulary = sentence_inputs("to be or not to be", 8)
    assert tokens == ["to", "be", "or", "not", "to", "be", "to", "be"]
    assert len(vocabulary) == 4
    np.testing.assert_array_equal(xs[0], xs[4])


def test_character_tokens_keep_the_spaces():
    assert tokenize("a b", "char") == ["a", " ", "b"]
    xs, _, vocabulary = sentence_inputs("abca", 4, level="char")
    assert vocabulary.tokens == ("a", "b", "c") and xs.shape == (4, 3)


def test_padding_frames_each_sentence_and_fills_to_the_longest():
    padded = pad_sentences([tokenize("Delightful place to have dinner"), tokenize("Food was nice but service wasn't")])
    assert [len(tokens) for tokens in padded] == [8, 8]
    assert padded[0][0] == START and padded[0][-2:] == [END, PAD] and padded[1][-1] == END
    vocabulary = Vocabulary.from_tokens([token for tokens in padded for token in tokens], specials=(PAD, START, END))
    assert vocabulary.tokens[:3] == (PAD, START, END) and len(vocabulary) == 3 + 11


# settings and the URL ----------------------------------------------------------------------------------------


def test_only_changed_settings_go_into_the_url_and_come_back_the_same():
    chosen = Settings(activation="relu", scale=1.35, hidden_size=64, input_kind="sentence", seed=7)
    query = to_query(chosen)
    assert query == {"activation": "relu", "scale": "1.35", "H": "64", "input": "sentence", "seed": "7"}
    assert parse_query(query) == (chosen, [])
    assert to_query(Settings()) == {}


def test_a_scale_off_the_slider_grid_still_comes_back_exactly():
    chosen = Settings(scale=1.2345678912345)
    assert parse_query(to_query(chosen))[0] == chosen


@pytest.mark.parametrize(
    "key, raw",
    [
        ("H", "10000"),
        ("H", "64.5"),
        ("T", "abc"),
        ("scale", "nan"),
        ("scale", "inf"),
        ("activation", "gelu"),
        ("seed", "-1"),
        ("loss", "x" * 100),
        ("init", ""),
    ],
)
def test_a_bad_url_value_keeps_the_base_setting_and_says_why(key, raw):
    base = Settings(hidden_size=16, seq_length=30, scale=0.5, activation="sigmoid", seed=3, init="identity")
    parsed, notices = parse_query({key: raw, "input": "impulse"}, base=base)
    assert parsed == base.replace(input_kind="impulse")
    assert len(notices) == 1 and notices[0].startswith(key) and "instead" in notices[0]


def test_a_repeated_url_parameter_uses_its_last_value():
    assert parse_query({"H": ["8", "12"]})[0].hidden_size == 12


def test_settings_are_canonical_so_equal_choices_hash_equal():
    assert Settings(hidden_size=32.0, scale=1) == Settings() and hash(Settings(scale=1)) == hash(Settings())
    assert isinstance(Settings(hidden_size=np.int64(8)).hidden_size, int)
    assert DEFAULTS["scale"] == 1.0


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_shows_the_regime_it_is_named_for(name):
    exp = simulate(PRESETS[name])
    assert exp.overflow_step is None
    assert exp.regime.label == PRESET_REGIMES[name]
