"""The Cells page's view "Step by step" in AppTest: step t of the LSTM or the GRU with its numbers, from the link,
at the ends of the run, for a large H, and from links that cannot be used."""

import pytest
from conftest import assert_healthy, run_app

PAGE = "pages/cells.py"
VIEW = {"cells_view": "Step by step"}


def step_view(**query) -> object:
    at = run_app(PAGE, {**VIEW, **query})
    assert_healthy(at)
    return at


def latex(at) -> str:
    return "\n".join(element.value for element in at.latex)


def markdown(at) -> str:
    return "\n".join(element.value for element in at.markdown)


def notice(at) -> str:
    return "\n".join(warning.value for warning in at.warning if "could not be used" in warning.value)


def test_the_view_opens_on_the_lstm_at_step_one_with_its_numbers():
    at = step_view()
    assert at.radio(key="cells_step_cell").value == "lstm"
    assert at.slider(key="cells_step").value == 1
    assert "#### The LSTM at step 1, with its numbers" in markdown(at) and "#### Step 1 of 60" in markdown(at)
    assert [line.value.split("&=")[0].split()[-1] for line in at.latex] == [
        "i_{1}",
        "f_{1}",
        "g_{1}",
        "o_{1}",
        "c_{1}",
        "h_{1}",
    ]
    assert [chart.key for chart in at.get("plotly_chart")] == ["cells-norms", "cells-step-cell", "cells-step-gates"]


def test_the_gru_from_the_link_is_written_with_its_three_gates():
    at = step_view(cells_step_cell="GRU", cells_step="7")
    assert at.radio(key="cells_step_cell").value == "gru"
    assert "#### The GRU at step 7, with its numbers" in markdown(at)
    assert r"n_{7} &= \tanh" in latex(at) and r"h_{7} &= (1 - z_{7})" in latex(at)
    assert "c_{7}" not in latex(at)


def test_the_last_step_of_the_run_can_be_linked_and_next_is_disabled():
    at = step_view(cells_step="60")
    assert at.slider(key="cells_step").value == 60 and "h_{60}" in latex(at)
    assert at.button(key="cells_step_next").disabled and at.button(key="cells_step_last").disabled
    assert not notice(at)


@pytest.mark.parametrize("step", ["0", "61", "-3", "abc", "1e400"])
def test_a_step_the_run_does_not_have_opens_step_one_with_a_notice(step):
    at = step_view(cells_step=step)
    assert at.slider(key="cells_step").value == 1 and "h_{1}" in latex(at)
    assert f"cells_step={step}" in notice(at) and "using 1 instead" in notice(at)


def test_a_step_with_a_fraction_is_named_with_the_step_shown_instead():
    at = step_view(cells_step="2.5")
    shown = at.slider(key="cells_step").value
    assert f"h_{{{shown}}}" in latex(at)
    assert "cells_step=2.5" in notice(at) and f"using {shown} instead" in notice(at)


def test_an_unknown_cell_in_the_link_opens_the_lstm_with_a_notice():
    at = step_view(cells_step_cell="RNN")
    assert at.radio(key="cells_step_cell").value == "lstm"
    assert "cells_step_cell=RNN" in notice(at) and "using LSTM instead" in notice(at)


def test_the_step_buttons_move_the_step_and_the_link():
    at = step_view()
    at.button(key="cells_step_next").click().run()
    assert at.slider(key="cells_step").value == 2 and at.query_params["cells_step"] == "2"
    assert "h_{2}" in latex(at) and "#### Step 2 of 60" in markdown(at)
    at.button(key="cells_step_last").click().run()
    assert at.slider(key="cells_step").value == 60
    assert_healthy(at)


def test_a_large_h_shows_the_first_units_and_says_so():
    at = step_view(H="48")
    assert any("first 4 of the H = 48 units" in caption.value for caption in at.caption)


def test_a_small_h_is_written_in_full_without_a_note():
    at = step_view(H="3")
    assert r"\vdots" not in latex(at)
    assert not any("units (⋮" in caption.value for caption in at.caption)


def test_the_largest_sizes_step_through_the_clamped_run():
    at = step_view(H="256", T="500", cells_step="200")
    assert at.slider(key="cells_step").value == 200
    assert any("first 4 of the H = 64 units" in caption.value for caption in at.caption)
