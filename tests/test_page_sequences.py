"""The sequences page in AppTest: the articles' sentences, bounds on the text, the parameter count, the shapes."""

import json

from tests.conftest import assert_healthy, run_app

PAGE = "pages/sequences.py"


def metrics(at) -> list[str]:
    return [metric.value for metric in at.metric]


def test_the_articles_sentences_are_there_with_the_four_million_example():
    at = run_app(PAGE)
    assert_healthy(at)
    assert "Delightful place to have dinner" in at.text_area(key="sentences").value
    assert metrics(at) == ["4,000,000", "200,000", "200,110"]
    tokens = at.dataframe[0].value
    assert list(tokens["number of tokens"]) == [5, 6]


def test_the_padded_table_frames_and_pads_the_shorter_sentence():
    at = run_app(PAGE)
    padded = at.dataframe[1].value
    assert list(padded.iloc[0, 1:]) == ["<start>", "Delightful", "place", "to", "have", "dinner", "<end>", "<pad>"]


def test_the_count_follows_the_users_numbers():
    at = run_app(PAGE)
    at.number_input(key="count_T").set_value(100).run()
    at.number_input(key="count_H").set_value(50).run()
    assert_healthy(at)
    assert metrics(at)[:2] == ["100,000,000", "1,000,000"]


def test_an_empty_text_says_what_to_do_and_the_rest_of_the_page_stays():
    at = run_app(PAGE)
    at.text_area(key="sentences").set_value("   \n ").run()
    assert_healthy(at)
    assert "Type at least one sentence" in at.info[0].value
    assert metrics(at)[0] == "4,000,000"


def test_too_many_sentences_and_tokens_are_cut_with_a_message():
    at = run_app(PAGE)
    at.text_area(key="sentences").set_value("\n".join([" ".join("abcdefghijklmnopq")] * 9)).run()
    assert_healthy(at)
    warnings = " ".join(warning.value for warning in at.warning)
    assert "first 4 sentences" in warnings and "first 16 are used" in warnings
    assert len(at.tabs) == 4


def test_without_start_and_end_tokens_only_padding_is_shown():
    at = run_app(PAGE)
    at.checkbox(key="start_end").uncheck().run()
    assert_healthy(at)
    padded = at.dataframe[1].value
    assert "<start>" not in padded.values


def test_every_shape_is_drawn_and_links_to_the_gradients_page_with_its_loss():
    at = run_app(PAGE, {"scale": "1.2"})
    assert_healthy(at)
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    for title in (
        "One to one",
        "One to many",
        "Many to one",
        "Many to many (equal lengths)",
        "Many to many (unequal lengths)",
    ):
        assert title in titles
    links = [link.proto for link in at.get("page_link")]
    queries = [dict(p.query_params) if hasattr(p, "query_params") else {} for p in links]
    assert any("loss=one_to_many" in str(p) for p in links), queries
    assert all("scale=1.2" in str(p) for p in links if "loss=" in str(p))
