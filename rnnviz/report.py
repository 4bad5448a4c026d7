"""A self-contained HTML report of a view: title, settings, text, equations, figures and tables, readable offline.

Plotly's JavaScript is embedded once in the page, so the figures stay interactive with no network. Equations are
written as readable text (a Unicode rendering beside the LaTeX source): a typesetting library would need the
network or several megabytes more.

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
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

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
.equation { font-size: 1.25em; margin: 0.6em 0 0.1em 0; } pre.latex { color: #555; font-size: 0.85em;
       white-space: pre-wrap; margin: 0 0 0.8em 0; } .figure { margin: 0.8em 0; }
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
    from plotly.offline import get_plotlyjs

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
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in asdict(settings).items()
    )
    return f"<table class='settings'>{rows}</table>"


def _render(item) -> str:
    import pandas as pd
    import plotly.graph_objects as go

    if isinstance(item, Equation):
        shown = item.text or item.latex
        return (
            f"<div class='equation'>{html.escape(shown)}</div><pre class='latex'>LaTeX: {html.escape(item.latex)}</pre>"
        )
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
    """Escaped text with **bold** kept and the LaTeX markers of inline math dropped."""
    escaped = html.escape(text.replace("$", ""))
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped).replace("\n", "<br>")
