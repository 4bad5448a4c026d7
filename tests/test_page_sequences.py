"""The sequences page in AppTest: the articles' sentences, bounds on the text, the parameter count, the shapes, its
three views (only the open one drawn, what was typed kept in the others) and a report of all of them."""

import json

import plotly.graph_objects as go
import pytest

import ui.export
from rnnviz.report import Equation
from tests.conftest import assert_healthy, run_app

PAGE = "pages/sequences.py"
VIEW = "sequences_view"
ONE_HOT, COUNT, SHAPES = "One-hot vectors", "Weight sharing", "The shapes of RNN"
SHAPE_TITLES = (
    "One to one",
    "One to many",
    "Many to one",
    "Many to many (equal lengths)",
    "Many to many (unequal lengths)",
)


def metrics(at) -> list[str]:
    return [metric.value for metric in at.metric]


def chart_titles(at) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def sentence_tabs(at) -> list[str]:
    return [tab.label for tab in at.tabs if tab.label.startswith("Sentence")]


def open_view(at, view: str):
    at.session_state[VIEW] = view
    return at.run()


def test_the_articles_sentences_are_there_in_the_first_view():
    at = run_app(PAGE)
    assert_healthy(at)
    assert {ONE_HOT, COUNT, SHAPES} <= {tab.label for tab in at.tabs}
    assert "Delightful place to have dinner" in at.text_area(key="sentences").value
    tokens = at.dataframe[0].value
    assert list(tokens["number of tokens"]) == [5, 6]
    assert sentence_tabs(at) == ["Sentence 1", "Sentence 2"]


def test_only_the_open_view_is_drawn():
    at = run_app(PAGE)
    assert len(at.get("plotly_chart")) == 1 and not at.metric  # the open sentence's one-hot chart, no count
    open_view(at, COUNT)
    assert_healthy(at)
    assert len(at.get("plotly_chart")) == 1 and not at.dataframe and not at.text_area
    open_view(at, SHAPES)
    assert_healthy(at)
    assert chart_titles(at) == list(SHAPE_TITLES)


def test_the_weight_sharing_view_has_the_four_million_example():
    at = run_app(PAGE, {VIEW: COUNT})
    assert_healthy(at)
    assert metrics(at) == ["4,000,000", "200,000", "200,110"]
    assert "T = 8 padded steps, V = 14" in " ".join(caption.value for caption in at.caption)


def test_each_sentence_tab_draws_its_own_one_hot_chart():
    at = run_app(PAGE)
    assert chart_titles(at)[0].startswith("One-hot input of sentence 1")
    at.session_state["sentence"] = "Sentence 2"
    at.run()
    assert_healthy(at)
    assert [title.split(":")[0] for title in chart_titles(at)] == ["One-hot input of sentence 2"]
    at.text_area(key="sentences").set_value("only one sentence").run()  # the open tab is gone: the first is shown
    assert_healthy(at)
    assert [title.split(":")[0] for title in chart_titles(at)] == ["One-hot input of sentence 1"]


def test_the_vocabulary_table_is_drawn_when_its_expander_is_opened():
    at = run_app(PAGE)
    assert len(at.dataframe) == 2
    at.session_state["vocabulary_table"] = True
    at.run()
    assert_healthy(at)
    vocabulary = at.dataframe[2].value
    assert list(vocabulary["token"])[:3] == ["<pad>", "<start>", "<end>"] and len(vocabulary) == 14


def test_the_padded_table_frames_and_pads_the_shorter_sentence():
    at = run_app(PAGE)
    padded = at.dataframe[1].value
    assert list(padded.iloc[0, 1:]) == ["<start>", "Delightful", "place", "to", "have", "dinner", "<end>", "<pad>"]


def test_the_count_follows_the_users_numbers():
    at = run_app(PAGE, {VIEW: COUNT})
    at.number_input(key="count_T").set_value(100).run()
    at.number_input(key="count_H").set_value(50).run()
    assert_healthy(at)
    assert metrics(at)[:2] == ["100,000,000", "1,000,000"]


def test_what_was_typed_in_one_view_is_kept_while_another_is_open():
    at = run_app(PAGE)
    at.text_area(key="sentences").set_value("the cat sat\nthe dog").run()
    at.checkbox(key="start_end").uncheck().run()
    open_view(at, COUNT)
    at.number_input(key="count_V").set_value(500).run()
    assert "T = 3 padded steps, V = 5" in " ".join(caption.value for caption in at.caption)  # the typed sentences
    open_view(at, SHAPES)
    open_view(at, ONE_HOT)
    assert_healthy(at)
    assert at.text_area(key="sentences").value == "the cat sat\nthe dog"
    assert at.checkbox(key="start_end").value is False
    assert list(at.dataframe[1].value.iloc[1, 1:]) == ["the", "dog", "<pad>"]
    open_view(at, COUNT)
    assert at.number_input(key="count_V").value == 500
    assert metrics(at)[0] == f"{20 * 500 * 10:,}"


def test_an_empty_text_says_what_to_do_and_the_other_views_stay():
    at = run_app(PAGE)
    at.text_area(key="sentences").set_value("   \n ").run()
    assert_healthy(at)
    assert "Type at least one sentence" in at.info[0].value
    open_view(at, COUNT)
    assert_healthy(at)
    assert metrics(at)[0] == "4,000,000"


def test_too_many_sentences_and_tokens_are_cut_with_a_message():
    at = run_app(PAGE)
    at.text_area(key="sentences").set_value("\n".join([" ".join("abcdefghijklmnopq")] * 9)).run()
    assert_healthy(at)
    warnings = " ".join(warning.value for warning in at.warning)
    assert "first 4 sentences" in warnings and "first 16 are used" in warnings
    assert len(sentence_tabs(at)) == 4


def test_without_start_and_end_tokens_only_padding_is_shown():
    at = run_app(PAGE)
    at.checkbox(key="start_end").uncheck().run()
    assert_healthy(at)
    padded = at.dataframe[1].value
    assert "<start>" not in padded.values


def test_every_shape_is_drawn_and_links_to_the_gradients_page_with_its_loss():
    at = run_app(PAGE, {"scale": "1.2", VIEW: SHAPES})
    assert_healthy(at)
    assert chart_titles(at) == list(SHAPE_TITLES)
    links = [link.proto for link in at.get("page_link")]
    queries = [dict(p.query_params) if hasattr(p, "query_params") else {} for p in links]
    assert any("loss=one_to_many" in str(p) for p in links), queries
    assert all("scale=1.2" in str(p) for p in links if "loss=" in str(p))


def test_a_link_to_an_unknown_view_opens_the_first():
    at = run_app(PAGE, {VIEW: "<script>"})
    assert_healthy(at)
    assert len(at.dataframe) == 2 and len(at.get("plotly_chart")) == 1  # tokens, padded; sentence 1


@pytest.mark.parametrize("view", [ONE_HOT, COUNT, SHAPES])
def test_the_report_holds_every_view_whichever_is_open(monkeypatch, view):
    calls = []
    button = ui.export.report_button

    def record(page_title, settings, sections, query=None, key=None):
        calls.append(list(sections()))
        button(page_title, settings, sections, query=query, key=key)

    monkeypatch.setattr(ui.export, "report_button", record)
    at = run_app(PAGE, {VIEW: view})
    assert_healthy(at)
    (sections,) = calls
    assert [heading for heading, _ in sections] == [
        "1. From a sentence to one-hot vectors",
        "Padding to the longest sentence",
        "The vocabulary (14 tokens) and the one-hot vectors",
        "2. Why an RNN shares its weights",
        "3. The shapes of RNN",
    ]
    one_hot = [item for item in sections[2][1] if isinstance(item, go.Figure)]
    (counted,) = [item for item in sections[3][1] if isinstance(item, Equation)]
    (count,) = [item for item in sections[3][1] if isinstance(item, go.Figure)]
    shapes = [item for item in sections[4][1] if isinstance(item, go.Figure)]
    assert len(one_hot) == 2
    assert "4,000,000" in counted.text
    assert count.layout.title.text.startswith("Weights needed for T = 20")
    assert [fig.layout.title.text for fig in shapes] == list(SHAPE_TITLES)
