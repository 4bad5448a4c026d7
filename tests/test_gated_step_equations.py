"""Step t of the LSTM and the GRU written with its numbers: each number printed is the one the cell computes."""

import re

import numpy as np
import pytest

import rnnviz
from rnnviz.gated_step import gated_step
from ui.gated_step_views import step_equations, step_facts, step_latex, units_note

T, D = 8, 2
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]\d+)?")


def run_of(kind, H, seed=3):
    cell = rnnviz.random_lstm(H, D, 2, seed=seed) if kind == "lstm" else rnnviz.random_gru(H, D, 2, seed=seed)
    return rnnviz.unroll(cell, np.random.default_rng(seed).normal(size=(T, D)))


def printed(text: str) -> list[float]:
    """The numbers of the last vector of a line: what its right-hand side comes to."""
    return [float(n) for n in NUMBER.findall(text.rsplit("= (", 1)[1])]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("t", [1, 5, T])
def test_the_h_printed_is_unrolls_h_to_the_printed_precision(kind, t):
    run = run_of(kind, H=3)
    h_line = step_equations(gated_step(run, t))[-1].text
    assert h_line.startswith(f"h_{t} = ")
    np.testing.assert_allclose(printed(h_line), run.h[t], atol=5e-4)


def test_the_lstms_cell_update_printed_is_unrolls_c():
    run = run_of("lstm", H=3)
    c_line = step_equations(gated_step(run, 4))[-2].text
    assert c_line.startswith("c_4 = f_4 ⊙ c_3 + i_4 ⊙ g_4")
    np.testing.assert_allclose(printed(c_line), run.c[4], atol=5e-4)


@pytest.mark.parametrize("kind, gates", [("lstm", "ifgo"), ("gru", "rzn")])
def test_every_gate_is_written_with_its_pre_activation_and_its_value(kind, gates):
    step = gated_step(run_of(kind, H=3), 2)
    lines = step_equations(step)
    assert [line.text[0] for line in lines[: len(gates)]] == list(gates)
    for name, line in zip(gates, lines, strict=False):
        value, pre = line.text.rsplit(" = ", 1)[1], line.text.rsplit(" = ", 2)[1]
        np.testing.assert_allclose([float(n) for n in NUMBER.findall(value)], step.gates[name], atol=5e-4)
        np.testing.assert_allclose([float(n) for n in NUMBER.findall(pre)], step.pre[name], atol=5e-4)


def test_the_grus_candidate_line_shows_the_reset_gate_multiplying_the_hidden_part():
    lines = step_latex(gated_step(run_of("gru", H=3), 2))
    assert r"r_{2} \odot (W_{hn} h_{1} + b_{hn})" in lines[2]


def test_a_small_cell_is_written_in_full_with_no_note():
    lines = step_latex(gated_step(run_of("lstm", H=4), 2))
    assert not any(r"\vdots" in line for line in lines)
    assert units_note(4) == ""


def test_a_large_cell_shows_its_first_units_and_says_how_many_of_how_many():
    step = gated_step(run_of("gru", H=20), 2)
    h_line = step_equations(step)[-1].text
    assert len(printed(h_line)) == 4 and h_line.endswith("…)")
    assert all(r"\vdots" in line for line in step_latex(step))
    assert "first 4 of the H = 20 units" in units_note(20)


def test_the_facts_are_computed_from_the_step():
    step = gated_step(run_of("lstm", H=3), 3)
    facts = " ".join(step_facts(step))
    assert f"‖h_3‖ = {np.linalg.norm(step.h):.3g}" in facts
    assert f"its mean is {np.mean(step.gates['f']):.2f}" in facts
    gru = gated_step(run_of("gru", H=3), 3)
    assert f"copies {100 * np.mean(gru.gates['z']):.0f}% of h_2" in " ".join(step_facts(gru))
