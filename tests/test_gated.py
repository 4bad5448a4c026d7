"""LSTM, GRU, the bidirectional wrapper and connectivity: exact gradients and the known answers."""

import numpy as np
import pytest
from numerical import central_difference_in_place

import rnnviz
from rnnviz.bidirectional import Bidirectional, bptt_bidirectional, unroll_bidirectional
from rnnviz.connectivity import connectivity
from rnnviz.lstm import forget_gate_products
from rnnviz.tasks import adding_problem, baseline_loss, copy_memory, task_sizes

EPS = 1e-6
FORCE = 1000.0  # a gate bias this large drives sigmoid to exactly 0 or 1 in float64


def random_cell(kind, H=3, D=2, O=2, seed=1):
    if kind == "lstm":
        return rnnviz.random_lstm(H, D, O, forget_bias=0.5, seed=seed)
    return rnnviz.random_gru(H, D, O, seed=seed)


def run_of(cell, xs, h0=None, c0=None):
    return rnnviz.unroll(cell, xs, h0, c0)  # c0 is None for a GRU


def mse_loss(cell, xs, targets, h0=None, c0=None):
    return 0.5 * np.sum((run_of(cell, xs, h0, c0).y - targets) ** 2)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("batched", [False, True])
def test_every_parameter_gradient_matches_finite_differences(kind, batched):
    rng = np.random.default_rng(0)
    cell = random_cell(kind)
    shape = (5, 3, 2) if batched else (5, 2)
    xs = rng.normal(size=shape)
    h0 = rng.normal(size=(*shape[1:-1], 3))
    c0 = rng.normal(size=h0.shape) if kind == "lstm" else None
    targets = rng.normal(size=(5, *shape[1:-1], 2))
    run = run_of(cell, xs, h0, c0)
    g = rnnviz.bptt(run, run.y - targets)
    for name, param in cell.params.items():
        numeric = central_difference_in_place(lambda: mse_loss(cell, xs, targets, h0, c0), param)
        np.testing.assert_allclose(g.total[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_initial_state_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(1)
    cell = random_cell(kind)
    xs, targets = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    h0 = rng.normal(size=3)
    c0 = rng.normal(size=3) if kind == "lstm" else None
    run = run_of(cell, xs, h0, c0)
    g = rnnviz.bptt(run, run.y - targets)
    numeric_h0 = central_difference_in_place(lambda: mse_loss(cell, xs, targets, h0, c0), h0)
    np.testing.assert_allclose(g.dh[0], numeric_h0, rtol=1e-6, atol=1e-8)
    if kind == "lstm":
        numeric_c0 = central_difference_in_place(lambda: mse_loss(cell, xs, targets, h0, c0), c0)
        np.testing.assert_allclose(g.dc[0], numeric_c0, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("batched", [False, True])
def test_per_step_terms_sum_to_the_totals(kind, batched):
    rng = np.random.default_rng(2)
    cell = random_cell(kind, H=4, D=3, O=2)
    xs = rng.normal(size=(7, 5, 3) if batched else (7, 3))
    run = run_of(cell, xs)
    g = rnnviz.bptt(run, rng.normal(size=run.y.shape))
    for name in cell.params:
        assert g.per_step[name].shape == (7, *cell.params[name].shape)
        np.testing.assert_allclose(g.per_step[name].sum(axis=0), g.total[name], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_state_jacobians_match_finite_differences_with_c_held_fixed(kind):
    rng = np.random.default_rng(3)
    cell = random_cell(kind, seed=4)
    xs = rng.normal(size=(6, 2))
    run = run_of(cell, xs)
    J = rnnviz.state_jacobians(run)
    assert J.shape == (7, 3, 3)
    np.testing.assert_array_equal(J[6], np.eye(3))
    for k in range(6):
        c_k = run.c[k] if kind == "lstm" else None
        for j in range(3):
            up, down = run.h[k].copy(), run.h[k].copy()
            up[j] += EPS
            down[j] -= EPS
            column = (run_of(cell, xs[k:], up, c_k).h[-1] - run_of(cell, xs[k:], down, c_k).h[-1]) / (2 * EPS)
            np.testing.assert_allclose(J[k][:, j], column, rtol=1e-6, atol=1e-9)


def test_lstm_cell_path_matches_finite_differences_with_h_held_fixed():
    rng = np.random.default_rng(5)
    cell = random_cell("lstm", seed=6)
    xs = rng.normal(size=(5, 2))
    run = run_of(cell, xs)
    C = rnnviz.state_jacobians(run, path="c")
    for k in range(5):
        for j in range(3):
            up, down = run.c[k].copy(), run.c[k].copy()
            up[j] += EPS
            down[j] -= EPS
            column = (run_of(cell, xs[k:], run.h[k], up).c[-1] - run_of(cell, xs[k:], run.h[k], down).c[-1]) / (2 * EPS)
            np.testing.assert_allclose(C[k][:, j], column, rtol=1e-6, atol=1e-9)


def test_lstm_with_forget_gate_one_and_input_gate_zero_keeps_its_cell_exactly():
    rng = np.random.default_rng(6)
    cell = random_cell("lstm", H=4, D=2)
    H = 4
    cell.b_ih[:H] = -FORCE  # input gate i = 0
    cell.b_ih[H : 2 * H] = FORCE  # forget gate f = 1
    c0 = rng.normal(size=H)
    run = rnnviz.unroll(cell, rng.normal(size=(20, 2)), c0=c0)
    np.testing.assert_array_equal(run.c, np.broadcast_to(c0, run.c.shape))
    C = rnnviz.state_jacobians(run, path="c")
    for k in range(21):
        np.testing.assert_array_equal(C[k], np.eye(H))
    np.testing.assert_array_equal(forget_gate_products(run), np.ones((21, H)))


def test_lstm_cell_path_is_the_product_of_forget_gates_when_h_does_not_feed_back():
    rng = np.random.default_rng(7)
    cell = random_cell("lstm", H=3, D=2)
    cell.W_hh[:] = 0.0  # no recurrence through h: dc_T/dc_k = diag(prod f)
    run = rnnviz.unroll(cell, rng.normal(size=(8, 2)))
    C = rnnviz.state_jacobians(run, path="c")
    products = forget_gate_products(run)
    for k in range(9):
        np.testing.assert_allclose(C[k], np.diag(products[k]), rtol=1e-12, atol=1e-15)


def test_gru_with_update_gate_one_copies_its_state():
    rng = np.random.default_rng(8)
    cell = random_cell("gru", H=4, D=2)
    cell.b_ih[4:8] = FORCE  # z = 1: h_t = h_{t-1}
    h0 = rng.normal(size=4)
    run = rnnviz.unroll(cell, rng.normal(size=(15, 2)), h0)
    np.testing.assert_array_equal(run.h, np.broadcast_to(h0, run.h.shape))
    J = rnnviz.state_jacobians(run)
    for k in range(16):
        np.testing.assert_array_equal(J[k], np.eye(4))


def test_lstm_matches_the_equations_written_out_for_one_step():
    rng = np.random.default_rng(9)
    cell = random_cell("lstm", H=2, D=3)
    x, h0, c0 = rng.normal(size=3), rng.normal(size=2), rng.normal(size=2)
    run = rnnviz.unroll(cell, x[None], h0, c0)

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    z = cell.W_ih @ x + cell.b_ih + cell.W_hh @ h0 + cell.b_hh
    i, f, g, o = sigmoid(z[0:2]), sigmoid(z[2:4]), np.tanh(z[4:6]), sigmoid(z[6:8])
    c1 = f * c0 + i * g
    np.testing.assert_allclose(run.c[1], c1, rtol=1e-13)
    np.testing.assert_allclose(run.h[1], o * np.tanh(c1), rtol=1e-13)
    np.testing.assert_allclose(run.y[0], cell.W_hy @ (o * np.tanh(c1)) + cell.b_y, rtol=1e-13)


def test_gru_matches_pytorchs_equations_written_out_for_one_step():
    rng = np.random.default_rng(10)
    cell = random_cell("gru", H=2, D=3)
    x, h0 = rng.normal(size=3), rng.normal(size=2)
    run = rnnviz.unroll(cell, x[None], h0)

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    gi, gh = cell.W_ih @ x + cell.b_ih, cell.W_hh @ h0 + cell.b_hh
    r, z = sigmoid(gi[0:2] + gh[0:2]), sigmoid(gi[2:4] + gh[2:4])
    n = np.tanh(gi[4:6] + r * gh[4:6])  # the reset gate applies after the recurrent product
    np.testing.assert_allclose(run.h[1], (1 - z) * n + z * h0, rtol=1e-13)


def test_bidirectional_equals_two_separate_runs():
    rng = np.random.default_rng(11)
    model = Bidirectional(rnnviz.random_rnn(3, 2, 2, seed=1), random_cell("gru", H=4, D=2, O=2, seed=2))
    xs = rng.normal(size=(6, 2))
    run = unroll_bidirectional(model, xs)
    forward = rnnviz.unroll(model.forward, xs)
    backward = rnnviz.unroll(model.backward, xs[::-1])
    np.testing.assert_array_equal(run.y, forward.y + backward.y[::-1])
    np.testing.assert_array_equal(run.backward_states, backward.h[1:][::-1])
    dy = rng.normal(size=run.y.shape)
    g_forward, g_backward = bptt_bidirectional(run, dy)
    np.testing.assert_allclose(g_forward.total["W_hh"], rnnviz.bptt(forward, dy).total["W_hh"])
    np.testing.assert_allclose(g_backward.total["W_hh"], rnnviz.bptt(backward, dy[::-1]).total["W_hh"])


def test_bidirectional_rejects_cells_of_different_sizes():
    with pytest.raises(ValueError, match="input_size"):
        Bidirectional(rnnviz.random_rnn(3, 2, 2), rnnviz.random_rnn(3, 4, 2))


def finite_difference_connectivity(output_of, xs):
    T, D = xs.shape
    result = np.zeros((T, T))
    for s in range(T):
        columns = []
        for d in range(D):
            up, down = xs.copy(), xs.copy()
            up[s, d] += EPS
            down[s, d] -= EPS
            columns.append((output_of(up) - output_of(down)) / (2 * EPS))  # (T, O)
        result[:, s] = np.sqrt(sum(np.sum(c**2, axis=1) for c in columns))
    return result


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_connectivity_matches_finite_differences_and_is_causal(kind):
    rng = np.random.default_rng(12)
    cell = rnnviz.random_rnn(3, 2, 2, seed=1) if kind == "rnn" else random_cell(kind)
    xs = rng.normal(size=(5, 2))
    C = connectivity(run_of(cell, xs))
    np.testing.assert_allclose(C, finite_difference_connectivity(lambda x: run_of(cell, x).y, xs), atol=1e-8)
    assert np.all(C[np.triu_indices(5, 1)] == 0.0)  # y_t does not depend on later inputs


def test_bidirectional_connectivity_reaches_both_ways():
    rng = np.random.default_rng(13)
    model = Bidirectional(rnnviz.random_rnn(3, 2, 2, seed=1), rnnviz.random_rnn(3, 2, 2, seed=2))
    xs = rng.normal(size=(5, 2))
    C = connectivity(unroll_bidirectional(model, xs))
    np.testing.assert_allclose(
        C, finite_difference_connectivity(lambda x: unroll_bidirectional(model, x).y, xs), atol=1e-8
    )
    assert np.all(C[np.triu_indices(5, 1)] > 0.0)


def test_adding_problem_has_two_markers_one_per_half_and_their_sum_as_target():
    batch = adding_problem(20, 64, np.random.default_rng(0))
    values, markers = batch.xs[..., 0], batch.xs[..., 1]
    np.testing.assert_array_equal(markers.sum(axis=0), 2.0)
    np.testing.assert_array_equal(markers[:10].sum(axis=0), 1.0)
    np.testing.assert_allclose(batch.targets[:, 0], (values * markers).sum(axis=0))


def test_always_answering_one_on_the_adding_problem_costs_its_baseline():
    batch = adding_problem(30, 200_000, np.random.default_rng(1))
    assert abs(np.mean((batch.targets - 1.0) ** 2) - baseline_loss("adding", 30)) < 0.003


def test_copy_memory_asks_for_the_first_ten_symbols_after_the_delimiter():
    batch = copy_memory(15, 8, np.random.default_rng(2))
    assert batch.xs.shape == (35, 8, 10) and task_sizes("copy") == (10, 10)
    shown = batch.xs.argmax(axis=-1)
    np.testing.assert_array_equal(batch.targets[-10:], shown[:10])
    np.testing.assert_array_equal(batch.targets[:-10], 0)
    np.testing.assert_array_equal(shown[24], 9)  # the delimiter, ten steps before the end
    assert baseline_loss("copy", 15) == pytest.approx(10 * np.log(8) / 35)


def test_comparison_runs_the_three_cells_on_the_same_inputs():
    from rnnviz.comparison import compare_cells
    from rnnviz.settings import Settings

    comparison = compare_cells(Settings(hidden_size=8, seq_length=30))
    inputs = [result.run.xs for result in comparison.cells.values()]
    np.testing.assert_array_equal(inputs[0], inputs[1])
    np.testing.assert_array_equal(inputs[0], inputs[2])
    assert set(comparison.cells["lstm"].gates) == {"i", "f", "g", "o"}
    assert set(comparison.cells["gru"].gates) == {"r", "z", "n"}
    assert comparison.forget_products.shape == (31, 8)
    assert comparison.cells["rnn"].connectivity.shape == (30, 30)


def test_lstm_cell_path_norm_is_at_most_the_largest_forget_product_when_h_does_not_feed_back():
    from rnnviz.diagnostics import jacobian_norms

    rng = np.random.default_rng(14)
    cell = random_cell("lstm", H=5, D=2)
    cell.W_hh[:] = 0.0
    run = rnnviz.unroll(cell, rng.normal(size=(12, 2)))
    norms = jacobian_norms(run, path="c")
    largest_product = forget_gate_products(run).max(axis=1)
    np.testing.assert_allclose(norms.log10_spectral, np.log10(largest_product), atol=1e-12)


def test_comparison_keeps_to_its_sizes_and_says_so():
    from rnnviz.comparison import MAX_HIDDEN, MAX_STEPS, comparison_settings
    from rnnviz.settings import Settings

    clamped, notice = comparison_settings(Settings(hidden_size=256, seq_length=500))
    assert (clamped.hidden_size, clamped.seq_length) == (MAX_HIDDEN, MAX_STEPS)
    assert "H = 64" in notice
    assert comparison_settings(Settings(hidden_size=8, seq_length=20)) == (Settings(hidden_size=8, seq_length=20), None)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_batch_runs_like_each_of_its_sequences_alone(kind):
    rng = np.random.default_rng(15)
    cell = random_cell(kind, H=4, D=3, O=2)
    xs = rng.normal(size=(9, 5, 3))
    batch = rnnviz.unroll(cell, xs)
    for b in range(5):
        alone = rnnviz.unroll(cell, xs[:, b])
        np.testing.assert_allclose(batch.h[:, b], alone.h, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(batch.y[:, b], alone.y, rtol=1e-13, atol=1e-15)
        if kind == "lstm":
            np.testing.assert_allclose(batch.c[:, b], alone.c, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind, gates", [("lstm", 4), ("gru", 3)])
def test_pytorch_initialisation_draws_every_weight_and_bias_within_one_over_root_h(kind, gates):
    H = 25
    cell = rnnviz.random_lstm(H, 3, 2, seed=3) if kind == "lstm" else rnnviz.random_gru(H, 3, 2, seed=3)
    for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
        values = cell.params[name]
        assert values.shape[0] == gates * H
        assert np.abs(values).max() <= 1 / np.sqrt(H)
        assert np.abs(values).max() > 0.9 / np.sqrt(H)  # spread over the whole interval, not a narrower one


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_orthogonal_initialisation_makes_every_gate_block_of_w_hh_orthogonal(kind):
    H = 6
    make = rnnviz.random_lstm if kind == "lstm" else rnnviz.random_gru
    cell = make(H, 3, 2, init="orthogonal", seed=4)
    for block in np.split(cell.W_hh, cell.n_gates):
        np.testing.assert_allclose(block @ block.T, np.eye(H), atol=1e-12)
    with pytest.raises(ValueError, match="init"):
        make(H, 3, 2, init="identity")


def test_the_forget_bias_moves_only_the_forget_gates_input_bias():
    plain = rnnviz.random_lstm(5, 3, 2, seed=8)
    biased = rnnviz.random_lstm(5, 3, 2, forget_bias=1.0, seed=8)
    np.testing.assert_allclose(biased.b_ih - plain.b_ih, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    for name in ("W_ih", "W_hh", "b_hh", "W_hy", "b_y"):
        np.testing.assert_array_equal(biased.params[name], plain.params[name])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_wrong_shapes_are_refused_with_the_argument_named(kind):
    cls, G = (rnnviz.LSTM, 4) if kind == "lstm" else (rnnviz.GRU, 3)
    H, D, O = 3, 2, 2
    good = {
        "W_ih": np.zeros((G * H, D)),
        "W_hh": np.zeros((G * H, H)),
        "b_ih": np.zeros(G * H),
        "b_hh": np.zeros(G * H),
        "W_hy": np.zeros((O, H)),
        "b_y": np.zeros(O),
    }
    for name, bad in [
        ("W_hh", np.zeros((G * H + 1, H))),
        ("W_ih", np.zeros((G * H - 1, D))),
        ("b_hh", np.zeros(G * H + 1)),
        ("W_hy", np.zeros((O, H + 1))),
        ("b_ih", np.full(G * H, np.nan)),
    ]:
        with pytest.raises(ValueError, match=name):
            cls(**{**good, name: bad})


def test_a_gru_that_copies_its_state_passes_the_whole_output_gradient_back_to_h0():
    rng = np.random.default_rng(16)
    cell = random_cell("gru", H=4, D=2)
    cell.b_ih[4:8] = FORCE  # z = 1: h_t = h_0 for every t, so dL/dh_0 = sum_t W_hy^T dy_t
    run = rnnviz.unroll(cell, rng.normal(size=(10, 2)), rng.normal(size=4))
    dy = rng.normal(size=run.y.shape)
    np.testing.assert_allclose(rnnviz.bptt(run, dy).dh[0], dy.sum(axis=0) @ cell.W_hy, rtol=1e-12)
