"""A page described once, as its sections, and drawn by one renderer to the screen and to the offline report.

A section is a heading and its items, in order. An item is
- text (markdown; the report keeps **bold**), an `rnnviz.report.Equation` or a plotly Figure / pandas DataFrame,
  drawn the same way on both;
- `LookAt(words)`: what to look at in the chart above it;
- `Chart(figure, key, config)`: a figure with its element key and toolbar (`export.chart_config`);
- `Columns(left, right)`: two columns of items side by side on a screen (stacked on a phone), one after the other
  in the report;
- `Shown(draw, report)`: drawn on the screen by `draw()`, and in the report as `report` (None: left out), for what
  only a screen has (metrics, download buttons, a badge) or says differently.

`Row(sections, widths)` puts whole sections side by side on a screen; the report lists them one after the other.

    sections = [Section("The map", [Chart(fig, "regime_map"), LookAt(LOOK_AT)])]
    draw(sections)                                               # the screen
    export.report_button("Regime map", settings, lambda: report(sections))

Build a page's sections with functions (one per section), so that a page with tabs builds only the open tab's
for the screen and every tab's, when the button is clicked, for the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnviz.report import Equation
from ui import notices, presenter


@dataclass(frozen=True)
class LookAt:
    """What to look at in the chart above."""

    words: str


@dataclass(frozen=True)
class Chart:
    """A figure drawn with its element key and toolbar config (None: Streamlit's defaults), in the app's theme
    unless `theme` is None (Plotly's own)."""

    figure: go.Figure
    key: str | None = None
    config: dict | None = None
    theme: str | None = "streamlit"


@dataclass(frozen=True)
class Columns:
    """Items side by side: `left` and `right` share the width as `widths`, `gap` apart."""

    left: Sequence
    right: Sequence
    widths: tuple[float, float] = (3, 2)
    gap: str = "medium"


@dataclass(frozen=True)
class Shown:
    """Drawn on the screen by `draw()`; in the report as `report` (None: not in it)."""

    draw: Callable[[], None]
    report: object = None


@dataclass(frozen=True)
class Section:
    """A heading and its items, in order; `level` 2 draws the heading as a header (a part of a page), 3 as a
    subheading, 4 or 5 as a smaller heading (within columns or tabs)."""

    heading: str
    items: Sequence = field(default_factory=list)
    level: int = 3
    on_screen: bool = True  # False: in the report only (e.g. what the screen says in its own widgets)


@dataclass(frozen=True)
class Row:
    """Sections side by side, in columns of equal width (or as `widths`), `gap` apart."""

    sections: Sequence[Section]
    widths: tuple[float, ...] | None = None
    gap: str = "small"


def draw(sections: Sequence[Section | Row], headings: bool = True) -> None:
    """Put `sections` on the screen: each heading (unless `headings` is False, e.g. inside a tab that names it, or
    where the charts' titles say it) as a header or subheading (its `level`), then its items."""
    for section in sections:
        if isinstance(section, Row):
            spec = list(section.widths) if section.widths else len(section.sections)
            for column, inner in zip(st.columns(spec, gap=section.gap), section.sections, strict=True):
                with column:
                    draw([inner], headings)
            continue
        if not section.on_screen:
            continue
        if headings and section.heading:
            _draw_heading(section.heading, section.level)
        draw_items(section.items)


def _draw_heading(heading: str, level: int) -> None:
    if level == 2:
        st.header(heading)
    elif level == 3:
        st.subheader(heading)
    else:
        st.markdown(f"{'#' * level} {heading}")


def draw_items(items: Sequence) -> None:
    """Each item on the screen, in order (figures fitted to presenter mode)."""
    for item in items:
        _draw_item(item)


def _draw_item(item) -> None:
    if isinstance(item, str):
        st.markdown(item)
    elif isinstance(item, Equation):
        st.latex(item.latex)
    elif isinstance(item, LookAt):
        notices.look_at(item.words)
    elif isinstance(item, Chart):
        st.plotly_chart(presenter.fit(item.figure), width="stretch", key=item.key, config=item.config, theme=item.theme)
    elif isinstance(item, go.Figure):
        st.plotly_chart(presenter.fit(item), width="stretch")
    elif isinstance(item, pd.DataFrame):
        st.dataframe(item, hide_index=True, width="stretch")
    elif isinstance(item, Columns):
        left, right = st.columns(list(item.widths), gap=item.gap)
        with left:
            draw_items(item.left)
        with right:
            draw_items(item.right)
    elif isinstance(item, Shown):
        item.draw()
    else:
        raise TypeError(f"a section item cannot be {type(item).__name__}")


def report(sections: Sequence[Section | Row]) -> list[tuple[str, list]]:
    """The same sections for `export.report_button`: (heading, [content, ...]) pairs, screen-only items left out."""
    flat = [inner for section in sections for inner in (section.sections if isinstance(section, Row) else [section])]
    reported = [(section.heading, report_items(section.items)) for section in flat]
    return [(heading, content) for heading, content in reported if heading or content]  # a screen-only part: out


def report_items(items: Sequence) -> list:
    """The report's content of `items`, in order."""
    content = []
    for item in items:
        if isinstance(item, LookAt):
            content.append(item.words)
        elif isinstance(item, Chart):
            content.append(item.figure)
        elif isinstance(item, Columns):
            content += report_items([*item.left, *item.right])
        elif isinstance(item, Shown) and item.report is not None:
            content += report_items(item.report if isinstance(item.report, list) else [item.report])
        elif isinstance(item, Shown):
            continue
        else:
            content.append(item)
    return content
