"""The offline report typesets every equation the app writes, and the inline math of its texts, with no LaTeX
source left: a small LaTeX subset becomes Unicode, then HTML sub- and superscripts."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from rnnviz.experiment import simulate
from rnnviz.report import Equation, build_report, latex_to_text, math_html
from rnnviz.scenarios import SCENARIOS, lesson_run
from rnnviz.settings import Settings
from rnnviz.stepper import step_parts
from ui.unfold_views import recurrence_equations

ROOT = Path(__file__).resolve().parent.parent
LATEX_LEFT = re.compile(r"\\[a-zA-Z]+|\\[,;!|{}]|[{}]|&(?!#?\w+;)")  # a command, a spacing, a brace, an alignment


def literal(node: ast.expr) -> str | None:
    """A string literal, or an f-string with each {…} field written as 1."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "1" for v in node.values)
    return None


def equations_in_the_code() -> list[str]:
    """The LaTeX of every Equation(...) written in the app's source."""
    found = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("rnnviz/**/*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Equation" and node.args:
                latex = literal(node.args[0])
                if latex is not None:
                    found.append(latex)
    return found


def test_the_app_writes_equations_for_the_report():
    assert len(equations_in_the_code()) >= 10


@pytest.mark.parametrize("latex", equations_in_the_code())
def test_every_equation_in_the_code_is_typeset_without_latex(latex):
    shown = math_html(latex_to_text(latex))
    assert not LATEX_LEFT.search(shown), shown
    assert shown.count("<sub>") == shown.count("</sub>") and shown.count("<sup>") == shown.count("</sup>")


def test_the_unfold_steps_numbers_and_matrices_are_typeset():
    exp = simulate(Settings(hidden_size=8, seq_length=4))
    for equation in recurrence_equations(step_parts(exp.run, 2), "tanh"):
        assert not LATEX_LEFT.search(math_html(latex_to_text(equation.latex)))
        assert not LATEX_LEFT.search(math_html(equation.text))


@pytest.mark.parametrize(
    ("latex", "html"),
    [
        (r"\frac{\partial h_T}{\partial h_k}", "∂h<sub>T</sub>/∂h<sub>k</sub>"),
        (r"(\gamma\,\sigma_{\max})^{T-k}", "(γ σ<sub>max</sub>)<sup>T−k</sup>"),
        (r"\frac{10 \log 8}{T + 20}", "(10 log 8)/(T + 20)"),
        (r"c_t = f_t \odot c_{t-1}", "c<sub>t</sub> = f<sub>t</sub> ⊙ c<sub>t−1</sub>"),
        (r"\begin{bmatrix}0.1 \\ \vdots\end{bmatrix}", "(0.1, ⋮)"),
        (r"\mathrm{diag}(f'(a_t))\,W_{hh}", "diag(f′(a<sub>t</sub>)) W<sub>hh</sub>"),
        (r"\|W_{hh}\| \le 10^{-2}", "‖W<sub>hh</sub>‖ ≤ 10<sup>−2</sup>"),
    ],
)
def test_the_latex_subset_becomes_what_it_reads(latex, html):
    assert math_html(latex_to_text(latex)) == html


def test_plain_unicode_equations_get_sub_and_superscripts():
    assert (
        math_html("‖∂h_T/∂h_k‖ ≤ (γ σ_max)^(T−k)")
        == "‖∂h<sub>T</sub>/∂h<sub>k</sub>‖ ≤ (γ σ<sub>max</sub>)<sup>T−k</sup>"
    )
    assert math_html("10^-2 < x_{t−1}") == "10<sup>-2</sup> &lt; x<sub>t−1</sub>"


def body(report: str) -> str:
    return re.sub(r"<script.*?</script>", "", report, flags=re.S)


@pytest.mark.parametrize("lesson_id", list(SCENARIOS))
def test_a_lessons_report_shows_its_inline_math_typeset(lesson_id):
    scenario = SCENARIOS[lesson_id]
    report = build_report(
        "Lesson",
        scenario.settings,
        [("Question", scenario.question), ("Why", scenario.explain(lesson_run(scenario)))],
    )
    shown = body(report)
    assert "$" not in shown
    assert not re.search(r"\\[a-zA-Z]+", shown), re.findall(r".{30}\\[a-zA-Z]+.{30}", shown)


def test_an_equation_without_a_unicode_form_is_typeset_from_its_latex():
    shown = body(build_report("x", None, [("e", Equation(r"\sum_t \frac{\partial L}{\partial a_t}"))]))
    assert "Σ<sub>t</sub> ∂L/∂a<sub>t</sub>" in shown and "\\" not in shown


def test_text_around_the_math_is_still_escaped():
    shown = body(build_report("x", None, [("t", "<b>bold?</b> and $x_t$")]))
    assert "&lt;b&gt;bold?&lt;/b&gt; and x<sub>t</sub>" in shown and np.isfinite(1.0)
