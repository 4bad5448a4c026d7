"""The Sequences page's weight-sharing view: the dense network's input size and the answer to "does an RNN have
more parameters?" are computed from the numbers typed in, and the recurrent layer is named as such."""

import re

import pytest

from tests.conftest import assert_healthy, run_app

PAGE = "pages/sequences.py"


def count_view(T: int | None = None, V: int | None = None, H: int | None = None):
    at = run_app(PAGE, {"sequences_view": "Weight sharing"})
    for name, value in (("T", T), ("V", V), ("H", H)):
        if value is not None:
            at.number_input(key=f"count_{name}").set_value(value)
    at.run()
    assert_healthy(at)
    return at


def number(text: str) -> int:
    return int(text.replace(",", ""))


def markdown_with(at, words: str) -> str:
    return next(block.value for block in at.markdown if words in block.value)


@pytest.mark.parametrize(("T", "V", "H"), [(None, None, None), (3, 7, 5), (1, 2, 40)])
def test_each_input_of_the_dense_network_is_t_times_v_numbers(T, V, H):
    at = count_view(T, V, H)
    T, V, H = (at.number_input(key=f"count_{name}").value for name in ("T", "V", "H"))
    step = markdown_with(at, "Laid end to end")
    size = re.search(r"T·V = ([\d,]+) numbers", step)
    weights = re.search(r"= ([\d,]+) input weights", step)
    assert number(size.group(1)) == T * V
    assert number(weights.group(1)) == T * V * H


def test_the_articles_example_becomes_a_400000_number_input():
    step = markdown_with(count_view(), "Laid end to end")
    assert "T·V = 400,000 numbers" in step


@pytest.mark.parametrize(("T", "V", "H", "answer"), [(None, None, None, "no"), (1, 2, 40, "yes")])
def test_more_parameters_than_a_dense_network_is_answered_from_the_counts(T, V, H, answer):
    at = count_view(T, V, H)
    T, V, H = (at.number_input(key=f"count_{name}").value for name in ("T", "V", "H"))
    line = markdown_with(at, "more parameters than a dense network")
    rnn, dense = (number(n) for n in re.search(r"holds ([\d,]+) .* layer ([\d,]+)", line).groups())
    assert rnn == V * H + H * H + H and dense == T * V * H + H
    assert f"**{answer}**" in line
    assert (rnn > dense) == (answer == "yes")


def test_the_third_count_is_the_recurrent_layer_not_all_weights():
    at = count_view()
    assert "RNN: the recurrent layer (W_xh, W_hh, b_h)" in [metric.label for metric in at.metric]
    assert not any("all weights" in metric.label for metric in at.metric)


def test_the_shapes_view_lists_where_rnns_are_used():
    at = run_app(PAGE, {"sequences_view": "The shapes of RNN"})
    assert_healthy(at)
    assert "time-series forecasting" in markdown_with(at, "RNNs read anything")


def test_the_count_chart_names_each_bar_with_its_count_above_it_and_needs_no_wide_margin():
    from rnnviz.figures import parameter_count_figure
    from rnnviz.sequences import parameter_counts

    counts = parameter_counts(20, 20_000, 10)
    fig = parameter_count_figure(counts)
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert texts == [
        "<b>4,000,000</b>  dense network (T·V·H)",
        "<b>200,000</b>  RNN's input weights W_xh (V·H)",
        "<b>200,110</b>  RNN's layer (W_xh, W_hh, b_h)",
    ]
    assert list(fig.data[0].x) == [4_000_000, 200_000, 200_110]
    rows, above = list(fig.data[0].y), [annotation.y for annotation in fig.layout.annotations]
    assert all(label < row for label, row in zip(above, rows, strict=True))  # the axis runs downwards: above
    assert fig.layout.margin.l <= 40 and fig.layout.yaxis.showticklabels is False
