"""The Unfold page maps the articles' names of the cell's parts to the app's, in a folded table."""

from rnnviz.settings import Settings
from tests.conftest import assert_healthy, run_app
from ui.unfold_views import notation_table, report_sections

PAGE = "pages/unfold.py"


def test_the_notation_table_is_drawn_only_when_opened_and_maps_every_matrix():
    at = run_app(PAGE)
    assert not at.table
    at.session_state["unfold_notation"] = True
    at.run()
    assert_healthy(at)
    table = at.table[0].value
    mapping = dict(zip(table["this app"], table["GeeksforGeeks' introduction"], strict=True))
    assert (mapping["W_xh"], mapping["W_hh"], mapping["W_hy"], mapping["b_h"], mapping["b_y"]) == tuple("UWVBC")
    guide = dict(zip(table["this app"], table["the beginner's guide"], strict=True))
    assert (guide["W_xh"], guide["W_hh"], guide["W_hy"]) == ("W_hx", "W_hh", "W_yh")
    shown = " ".join(block.value for block in at.markdown)
    assert r"$h = \sigma(UX + Wh + B), \quad Y = O(Vh + C)$" in shown


def test_every_name_the_app_uses_is_in_its_recurrence():
    from ui.unfold_views import RECURRENCE

    text = "  ".join(equation.text for equation in RECURRENCE)
    for name in notation_table()["this app"]:
        assert name in text or name in ("f", "g") and f"{name}(" in text


def test_the_report_holds_the_notation():
    headings = [heading for heading, _ in report_sections(Settings(seq_length=5, hidden_size=4), 1)]
    assert "The same cell in the articles' notation" in headings
