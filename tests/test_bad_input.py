"""Every public function refuses bad arguments with a ValueError that names the argument (never a traceback
from deep inside NumPy): wrong shapes, non-finite weights, unknown names, T = 0."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnnviz
from rnnviz import diagnostics, inputs, losses, settings, stepper
from rnnviz.experiment import simulate

H, D, O = 3, 2, 2
GOOD = {"W_xh": np.ones((H, D)), "W_hh": np.eye(H), "b_h": np.zeros(H), "W_hy": np.ones((O, H)), "b_y": np.zeros(O)}


def cell(**changed) -> rnnviz.RNN:
    return rnnviz.RNN(**{**GOOD, **changed})


def run(batched: bool = False) -> rnnviz.Run:
    return rnnviz.unroll(cell(), np.ones((4, 2, D)) if batched else np.ones((4, D)))


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


CASES = {
    # the cell
    "W_hh not square": (lambda: cell(W_hh=np.ones((H, H + 1))), "W_hh"),
    "W_hh empty": (lambda: cell(W_hh=np.ones((0, 0))), "W_hh"),
    "W_hh with NaN": (lambda: cell(W_hh=np.full((H, H), np.nan)), "W_hh"),
    "W_hh with infinity": (lambda: cell(W_hh=np.full((H, H), np.inf)), "W_hh"),
    "W_hh of text": (lambda: cell(W_hh="weights"), "W_hh"),
    "W_xh with the wrong H": (lambda: cell(W_xh=np.ones((H + 1, D))), "W_xh"),
    "W_xh with D = 0": (lambda: cell(W_xh=np.ones((H, 0))), "W_xh"),
    "W_xh with NaN": (lambda: cell(W_xh=np.full((H, D), np.nan)), "W_xh"),
    "b_h of the wrong size": (lambda: cell(b_h=np.zeros(H + 1)), "b_h"),
    "b_h as a matrix": (lambda: cell(b_h=np.zeros((H, 1))), "b_h"),
    "W_hy with the wrong H": (lambda: cell(W_hy=np.ones((O, H + 1))), "W_hy"),
    "W_hy with infinity": (lambda: cell(W_hy=np.full((O, H), -np.inf)), "W_hy"),
    "b_y of the wrong size": (lambda: cell(b_y=np.zeros(O + 1)), "b_y"),
    "unknown activation": (lambda: cell(activation="softplus"), "activation"),
    "activation not a name": (lambda: cell(activation=None), "activation"),
    # unroll
    "xs with T = 0": (lambda: rnnviz.unroll(cell(), np.ones((0, D))), "xs"),
    "xs with the wrong D": (lambda: rnnviz.unroll(cell(), np.ones((4, D + 1))), "xs"),
    "xs as a vector": (lambda: rnnviz.unroll(cell(), np.ones(4)), "xs"),
    "xs with four axes": (lambda: rnnviz.unroll(cell(), np.ones((4, 1, 1, D))), "xs"),
    "xs with an empty batch": (lambda: rnnviz.unroll(cell(), np.ones((4, 0, D))), "xs"),
    "xs with NaN": (lambda: rnnviz.unroll(cell(), np.full((4, D), np.nan)), "xs"),
    "xs of text": (lambda: rnnviz.unroll(cell(), [["a", "b"]]), "xs"),
    "h0 of the wrong size": (lambda: rnnviz.unroll(cell(), np.ones((4, D)), np.zeros(H + 1)), "h0"),
    "h0 unbatched for a batch": (lambda: rnnviz.unroll(cell(), np.ones((4, 2, D)), np.zeros(H)), "h0"),
    "h0 with NaN": (lambda: rnnviz.unroll(cell(), np.ones((4, D)), np.full(H, np.nan)), "h0"),
    "c0 for a cell without one": (lambda: rnnviz.unroll(cell(), np.ones((4, D)), c0=np.zeros(H)), "c0"),
    "cell that is not a cell": (lambda: rnnviz.unroll("rnn", np.ones((4, D))), "cell"),
    # state_jacobians, bptt, finite_part
    "state_jacobians of a batch": (lambda: rnnviz.state_jacobians(run(batched=True)), "run"),
    "state_jacobians of no run": (lambda: rnnviz.state_jacobians(np.ones((4, H))), "run"),
    "dy of the wrong shape": (lambda: rnnviz.bptt(run(), np.ones((3, O))), "dy"),
    "dy unbatched for a batch": (lambda: rnnviz.bptt(run(batched=True), np.ones((4, O))), "dy"),
    "dy with NaN": (lambda: rnnviz.bptt(run(), np.full((4, O), np.nan)), "dy"),
    "bptt of no run": (lambda: rnnviz.bptt(None, np.ones((4, O))), "run"),
    "finite_part of no run": (lambda: rnnviz.finite_part({}), "run"),
    "term_norms of an unknown parameter": (lambda: rnnviz.bptt(run(), np.ones((4, O))).term_norms("W"), "name"),
    # initialisers and weight measures
    "unknown init": (lambda: rnnviz.recurrent_matrix("xavier", H, 1.0, rng()), "init"),
    "hidden_size = 0": (lambda: rnnviz.recurrent_matrix("gaussian", 0, 1.0, rng()), "hidden_size"),
    "hidden_size not whole": (lambda: rnnviz.recurrent_matrix("gaussian", 2.5, 1.0, rng()), "hidden_size"),
    "negative scale": (lambda: rnnviz.recurrent_matrix("gaussian", H, -1.0, rng()), "scale"),
    "scale NaN": (lambda: rnnviz.recurrent_matrix("gaussian", H, np.nan, rng()), "scale"),
    "rng a seed": (lambda: rnnviz.recurrent_matrix("gaussian", H, 1.0, 0), "rng"),
    "random_rnn input_size = 0": (lambda: rnnviz.random_rnn(H, 0, O), "input_size"),
    "random_rnn output_size = 0": (lambda: rnnviz.random_rnn(H, D, 0), "output_size"),
    "random_rnn negative seed": (lambda: rnnviz.random_rnn(H, D, O, seed=-1), "seed"),
    "random_rnn unknown activation": (lambda: rnnviz.random_rnn(H, D, O, activation="gelu"), "activation"),
    "random_rnn infinite input_scale": (lambda: rnnviz.random_rnn(H, D, O, input_scale=np.inf), "input_scale"),
    "orthogonal with n_rows = 0": (lambda: rnnviz.orthogonal(0, 3, rng()), "n_rows"),
    "glorot_uniform with n_in = 0": (lambda: rnnviz.glorot_uniform(3, 0, rng()), "n_in"),
    "spectral_radius of a rectangle": (lambda: rnnviz.spectral_radius(np.ones((2, 3))), "W"),
    "spectral_radius with NaN": (lambda: rnnviz.spectral_radius(np.full((2, 2), np.nan)), "W"),
    "sigma_max of a vector": (lambda: rnnviz.sigma_max(np.ones(3)), "W"),
    "get_activation unknown": (lambda: rnnviz.get_activation("swish"), "activation"),
    # inputs
    "unknown input kind": (lambda: inputs.make_inputs("noise", 5, D, rng()), "kind"),
    "input kind sentence without a sentence": (lambda: inputs.make_inputs("sentence", 5, D, rng()), "kind"),
    "inputs with T = 0": (lambda: inputs.make_inputs("zeros", 0, D, rng()), "seq_length"),
    "inputs with D = 0": (lambda: inputs.make_inputs("zeros", 5, 0, rng()), "input_size"),
    "inputs without a generator": (lambda: inputs.make_inputs("gaussian", 5, D, None), "rng"),
    "unknown token level": (lambda: inputs.tokenize("a b", "sentence"), "level"),
    "tokenize a number": (lambda: inputs.tokenize(42), "text"),
    "empty sentence": (lambda: inputs.sentence_inputs("   ", 5), "text"),
    "sentence with T = 0": (lambda: inputs.sentence_inputs("a b", 0), "seq_length"),
    "token outside the vocabulary": (lambda: inputs.Vocabulary.from_tokens(["a"]).one_hot(["b"]), "token"),
    "one_hot of a string": (lambda: inputs.Vocabulary.from_tokens(["a"]).one_hot("a"), "tokens"),
    "pad a string": (lambda: inputs.pad_sentences("a b"), "sentences"),
    # losses
    "unknown placement": (lambda: losses.loss_steps("many_to_few", 5), "placement"),
    "loss steps with T = 0": (lambda: losses.loss_steps("many_to_one", 0), "seq_length"),
    "input steps unknown placement": (lambda: losses.input_steps("one", 5), "placement"),
    "unknown loss": (lambda: losses.output_gradient(np.zeros((3, O)), np.zeros(3, int), loss="hinge"), "loss"),
    "targets of the wrong shape": (lambda: losses.softmax_cross_entropy(np.zeros((3, O)), np.zeros(4, int)), "targets"),
    "targets out of range": (lambda: losses.softmax_cross_entropy(np.zeros((3, O)), np.full(3, O)), "targets"),
    "targets not classes": (lambda: losses.softmax_cross_entropy(np.zeros((3, O)), np.full(3, 0.5)), "targets"),
    "mse targets of the wrong shape": (lambda: losses.mean_squared_error(np.zeros((3, O)), np.zeros(3)), "targets"),
    "y as a vector": (lambda: losses.mean_squared_error(np.zeros(3), np.zeros(3)), "y"),
    "y with T = 0": (lambda: losses.output_gradient(np.zeros((0, O)), np.zeros(0, int)), "y"),
    "mask of the wrong length": (
        lambda: losses.mean_squared_error(np.zeros((3, O)), np.zeros((3, O)), np.ones(4, bool)),
        "mask",
    ),
    # diagnostics and the stepper
    "jacobian_norms of a batch": (lambda: diagnostics.jacobian_norms(run(batched=True)), "run"),
    "jacobian_norms of an unknown path": (lambda: diagnostics.jacobian_norms(run(), path="x"), "path"),
    "jacobian_norms cell path of an RNN": (lambda: diagnostics.jacobian_norms(run(), path="c"), "path"),
    "jacobian_at k beyond T": (lambda: diagnostics.jacobian_at(run(), 5), "k"),
    "jacobian_at negative k": (lambda: diagnostics.jacobian_at(run(), -1), "k"),
    "bound with negative gamma": (lambda: diagnostics.log10_bound(-1.0, 1.0, 5), "gamma"),
    "bound with NaN sigma": (lambda: diagnostics.log10_bound(1.0, np.nan, 5), "sigma"),
    "bound with negative T": (lambda: diagnostics.log10_bound(1.0, 1.0, -1), "seq_length"),
    "regime of a matrix": (lambda: diagnostics.regime(np.zeros((2, 2)), 1.0, 1.0, 1.0), "log10_norms"),
    "saturation of no run": (lambda: diagnostics.saturation_share([1, 2]), "run"),
    "steps carrying more than all": (lambda: diagnostics.steps_carrying(np.ones(3), share=1.5), "share"),
    "step t = 0": (lambda: stepper.step_parts(run(), 0), "t"),
    "step t beyond T": (lambda: stepper.step_parts(run(), 5), "t"),
    "step parts of a batch": (lambda: stepper.step_parts(run(batched=True), 1), "run"),
    "step parts of no run": (lambda: stepper.step_parts("run", 1), "run"),
    # settings
    "settings with an unknown activation": (lambda: settings.Settings(activation="gelu"), "activation"),
    "settings with H too large": (lambda: settings.Settings(hidden_size=10_000), "hidden_size"),
    "settings with H not whole": (lambda: settings.Settings(hidden_size=2.5), "hidden_size"),
    "settings with H infinite": (lambda: settings.Settings(hidden_size=float("inf")), "hidden_size"),
    "settings with T = 0": (lambda: settings.Settings(seq_length=0), "seq_length"),
    "settings with scale NaN": (lambda: settings.Settings(scale=float("nan")), "scale"),
    "settings with scale as text": (lambda: settings.Settings(scale="1.0"), "scale"),
    "settings with a boolean seed": (lambda: settings.Settings(seed=True), "seed"),
    "parse_value of an unknown field": (lambda: settings.parse_value("colour", "red"), "name"),
    "parse_value not a number": (lambda: settings.parse_value("hidden_size", "lots"), "H"),
    "parse_value out of range": (lambda: settings.parse_value("seq_length", "0"), "T"),
    "parse_value NaN": (lambda: settings.parse_value("scale", "nan"), "scale"),
    "parse_value too long": (lambda: settings.parse_value("activation", "t" * 100), "activation"),
    "simulate of a dict": (lambda: simulate({"activation": "tanh"}), "settings"),
}


@pytest.mark.parametrize("call, argument", CASES.values(), ids=CASES.keys())
def test_a_bad_argument_is_a_value_error_naming_it(call, argument):
    with pytest.raises(ValueError, match=rf"^{re.escape(argument)}\b"):  # the message starts with the argument
        call()


def test_a_run_that_overflowed_accepts_its_own_non_finite_dy():
    """bptt on an exploded run is allowed (the pages show where it broke), so its non-finite dy is too."""
    exploding = rnnviz.RNN(np.ones((1, 1)), [[1e300]], [0.0], [[1.0]], [0.0], "linear")
    run = rnnviz.unroll(exploding, np.ones((3, 1)))
    assert run.overflow_step == 3  # h_2 = 1e300 + 1, h_3 = 1e600
    g = rnnviz.bptt(run, run.y)
    assert g.dh.shape == run.h.shape
