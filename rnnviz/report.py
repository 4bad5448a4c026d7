"""A self-contained HTML report of a view: title, settings, text, equations, figures and tables, readable offline.

Plotly's JavaScript is embedded once in the page, so the figures stay interactive with no network. Equations are
typeset from their Unicode rendering with HTML subscripts and superscripts (W_hh -> W<sub>hh</sub>,
(γ σ_max)^(T−k) -> (γ σ<sub>max</sub>)<sup>T−k</sup>); inline math in the text ($…$) is first turned from its
small LaTeX subset into that Unicode form. No raw LaTeX is shown and nothing is fetched: a typesetting library
would need the network or several megabytes more. The settings are named as the sidebar names them.

    html = build_report("Regime map", settings, [
        ("What it shows", "Blue cells: the gradient vanishes."),
        ("The bound", Equation(r"\\|\\partial h_T/\\partial h_k\\| \\le (\\gamma \\sigma_{max})^{T-k}",
                               "‖∂h_T/∂h_k‖ ≤ (γ σ_max)^(T−k)")),
        ("The map", fig),
        ("The numbers", dataframe),
    ], link="https://.../regime_map?activation=relu")
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from rnnviz.labels import setting_rows
from rnnviz.settings import Settings


@dataclass(frozen=True)
class Equation:
    """An equation for the report: its LaTeX source and, optionally, a Unicode rendering read without LaTeX."""

    latex: str
    text: str = ""


MAX_TABLE_ROWS = 2000  # longer tables are cut in the report (the CSV download holds every row)

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 17px; color: #1a1a1a; max-width: 1200px;
       margin: 2em auto; padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { font-size: 1.35em; margin-top: 1.6em; }
.meta { color: #555; } table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; } th { background: #f0f3f7; }
table.settings td, table.settings th { text-align: left; }
.equation { font-family: "DejaVu Serif", "Cambria Math", serif; font-size: 1.25em; margin: 0.6em 0 0.8em 0; }
.equation sub, .equation sup, p sub, p sup { font-size: 0.7em; } .figure { margin: 0.8em 0; }
"""


def build_report(
    title: str, settings: Settings | None, sections: Sequence, link: str | None = None, created: datetime | None = None
) -> str:
    """The report as one HTML document with no outside resource.

    Parameters
    ----------
    title : str
        The page's title.
    settings : Settings or None
        Listed in a table under the title.
    sections : sequence of (heading, content)
        content is a str (paragraphs; **bold** kept), an `Equation`, a plotly Figure, a pandas DataFrame, or a
        list of these, shown in order under the heading.
    link : str or None
        The address that reopens this view in the app.
    created : datetime or None
        The time printed in the report (now, in UTC, when None).
    """
    from plotly.offline import get_plotlyjs  # here, not at the top: the math of rnnviz imports no plotly

    created = created or datetime.now(timezone.utc)
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>Exported from rnnviz on {created:%Y-%m-%d %H:%M} UTC.</p>",
    ]
    if link:
        parts.append(
            f"<p>Open this view in the app: <a href='{html.escape(link, quote=True)}'>{html.escape(link)}</a></p>"
        )
    if settings is not None:
        parts.append("<h2>Settings</h2>" + _settings_table(settings))
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(str(heading))}</h2>")
        items = content if isinstance(content, (list, tuple)) else [content]
        parts.extend(_render(item) for item in items)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _settings_table(settings: Settings) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in setting_rows(settings)
    )
    return f"<table class='settings'>{rows}</table>"


def _render(item) -> str:
    import pandas as pd  # here, not at the top: the math of rnnviz imports neither pandas nor plotly
    import plotly.graph_objects as go

    if isinstance(item, Equation):
        return f"<div class='equation'>{math_html(item.text or latex_to_text(item.latex))}</div>"
    if isinstance(item, go.Figure):
        return (
            "<div class='figure'>"
            + item.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
            + "</div>"
        )
    if isinstance(item, pd.DataFrame):
        shown = item.head(MAX_TABLE_ROWS)
        note = (
            f"<p class='meta'>The first {MAX_TABLE_ROWS} of {len(item)} rows.</p>" if len(item) > MAX_TABLE_ROWS else ""
        )
        return shown.to_html(index=False, float_format=lambda x: f"{x:.6g}", border=0) + note
    if isinstance(item, str):
        return "".join(f"<p>{_inline(paragraph)}</p>" for paragraph in re.split(r"\n\s*\n", item.strip()) if paragraph)
    raise ValueError(f"a report section holds str, Equation, plotly Figure or DataFrame, got {type(item).__name__}")


def _inline(text: str) -> str:
    """Escaped text with **bold** kept and inline math ($…$) typeset as `math_html` does."""
    parts = re.split(r"\$([^$]+)\$", text)  # odd indices: the math
    shown = "".join(math_html(latex_to_text(part)) if i % 2 else html.escape(part) for i, part in enumerate(parts))
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", shown).replace("\n", "<br>")


# equations: a small LaTeX subset to Unicode, then Unicode to HTML with sub- and superscripts ---------------------

_SYMBOLS = {
    "partial": "∂", "sigma": "σ", "gamma": "γ", "rho": "ρ", "alpha": "α", "beta": "β", "eta": "η", "lambda": "λ",
    "odot": "⊙", "prod": "Π", "sum": "Σ", "top": "ᵀ", "le": "≤", "ge": "≥", "leq": "≤", "geq": "≥", "times": "×",
    "cdot": "·", "approx": "≈", "infty": "∞", "|": "‖", "vdots": "⋮", "ldots": "…", "dots": "…", "to": "→",
    "tanh": "tanh", "max": "max", "log": "log", "exp": "exp", "min": "min", "in": "∈", "neq": "≠", "pm": "±",
}  # fmt: skip
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", "quad": "   ", "qquad": "     ", " ": " "}
_DROPPED = ("left", "right", "big", "Big", "bigg", "Bigg", "textstyle", "displaystyle")
_GROUP = r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"  # a {…} group, braces nested up to three deep


def latex_to_text(latex: str) -> str:
    r"""The Unicode form of the LaTeX subset the app writes: fractions, sums and products, Greek letters, text,
    matrices, aligned lines; sub- and superscripts stay as _{…} and ^{…} for `math_html`.

    >>> latex_to_text(r"\frac{\partial h_T}{\partial h_k} \le (\gamma\,\sigma_{\max})^{T-k}")
    '∂h_T/∂h_k ≤ (γ σ_max)^{T−k}'
    """
    text = re.sub(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", lambda m: "(" + ", ".join(
        entry.strip() for entry in m.group(1).split(r"\\")) + ")", latex, flags=re.S)  # fmt: skip
    text = re.sub(r"\\(?:begin|end)\{[a-z*]+\}", "", text)
    text = re.sub(r"\\underbrace" + _GROUP + r"_" + _GROUP, r"\1 [\2]", text)
    text = re.sub(r"\\partial\s*", "∂", text)
    for _ in range(3):  # fractions inside fractions
        text = re.sub(r"\\t?frac" + _GROUP + _GROUP, lambda m: f"{_operand(m.group(1))}/{_operand(m.group(2))}", text)
    text = re.sub(r"\\(?:mathrm|text|operatorname|mathbb|mathbf|boldsymbol)" + _GROUP, r"\1", text)
    text = text.replace(r"\\", ";  ").replace("&", "")
    text = re.sub(r"\\(" + "|".join(_DROPPED) + r")(?![a-zA-Z])", "", text)
    text = re.sub(r"\\([,;:! ]|q?quad(?![a-zA-Z]))", lambda m: _SPACES[m.group(1)], text)
    text = re.sub(r"\\(\||[a-zA-Z]+)", lambda m: _SYMBOLS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"_\{(max|min)\}", r"_\1", text)
    text = re.sub(r" {2,}", lambda m: "   " if len(m.group(0)) > 2 else " ", text)  # a quad stays wide
    return re.sub(r"(?<=\w)'(?![a-z])", "′", text.strip().replace("-", "−"))  # f'(a) is f′(a); "t's" stays


def _operand(part: str) -> str:
    """A fraction's numerator or denominator, in parentheses when it is more than one term."""
    outer = re.sub(r"[_^]\{[^{}]*\}", "", part.strip())  # a sign inside a sub- or superscript does not count
    return f"({part.strip()})" if re.search(r"[\s+\-]", outer) else part.strip()


def math_html(text: str) -> str:
    """Escaped Unicode math with x_t, x_{t−1}, a^(n), a^{n} and 10^-2 as HTML sub- and superscripts."""
    escaped = html.escape(text)
    escaped = re.sub(r"\^\{([^{}]*)\}|\^\(([^()]*)\)", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>", escaped)
    escaped = re.sub(r"\^([+\-−]?[\w.′]+)", r"<sup>\1</sup>", escaped)
    escaped = re.sub(r"_\{([^{}]*)\}", r"<sub>\1</sub>", escaped)
    return re.sub(r"_([A-Za-z0-9]+)", r"<sub>\1</sub>", escaped)
