"""Taking a view away: an offline HTML report, a CSV per table, and PNGs from Plotly's toolbar.

    from ui import export
    st.plotly_chart(fig, config=export.chart_config("regime_map"))      # the camera icon saves a PNG
    export.csv_button(table, "regime_map.csv")                           # under every table
    export.report_button("Regime map", settings, [("The map", fig), ("The numbers", table)])

`report_button`'s sections are (heading, content) pairs; content is text (markdown's **bold** kept), an
`rnnviz.report.Equation`, a plotly Figure, a pandas DataFrame, or a list of these. The report is built only
when the button is clicked; pass a function returning the sections to build its figures only then too (a page
whose tabs draw one view at a time still reports every view).

That function runs when the visitor clicks, in a server thread outside the script run: it has no
`st.session_state` (reading it raises KeyError) and must draw nothing. Read what the user entered during the
run and pass it in, e.g. `functools.partial(report_sections, st.session_state["sentences"])`. A report that
fails anyway is still a file: one that says it could not be built, and why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from rnnviz.report import build_report
from rnnviz.settings import Settings, to_query

_LOGGER = logging.getLogger("rnnviz.app")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "rnnviz"


def chart_config(name: str) -> dict:
    """`st.plotly_chart(..., config=chart_config(name))`: the toolbar's camera saves `<name>.png` at twice the size."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": _slug(name), "scale": 2}}


def link_to_view(settings: Settings | None, extra: dict[str, str] | None = None) -> str:
    """The address of the current page with `settings` (and `extra` parameters) in its query."""
    query = {**(to_query(settings) if settings is not None else {}), **(extra or {})}
    try:
        current = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - outside a browser session (tests) there is no address
        current = urlsplit("")
    return urlunsplit((current.scheme, current.netloc, current.path or "/", urlencode(query), ""))


def report_button(
    page_title: str,
    settings: Settings | None,
    sections: Sequence | Callable[[], Sequence],
    query: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """A button that downloads an offline HTML report of the view.

    Parameters
    ----------
    page_title : str
        The report's title and its file name.
    settings : Settings or None
        Listed in the report, and put in the link back to the app.
    sections : sequence of (heading, content), or a function returning one
        See `rnnviz.report.build_report`. A function is called only when the button is clicked, outside the
        script run: everything it needs from the session is passed in, never read from st.session_state.
    query : dict or None
        Extra query parameters of the link back (e.g. {"lesson": "irnn"}).
    key : str or None
        The button's key (default: derived from the title).
    """
    link = link_to_view(settings, query)
    if not callable(sections):
        sections = list(sections)

    def report() -> bytes:
        try:
            content = sections() if callable(sections) else sections
            return build_report(page_title, settings, list(content), link=link).encode("utf-8")
        except Exception as error:  # noqa: BLE001 - the visitor gets a file that says what went wrong
            _LOGGER.exception("the report of %s could not be built", page_title)
            failed = [
                (
                    "The report could not be built",
                    f"Building this report failed ({type(error).__name__}: {error}). Open the link above to see "
                    "the view in the app.",
                )
            ]
            return build_report(f"{page_title} (no report)", settings, failed, link=link).encode("utf-8")

    st.download_button(
        "Download an offline report (HTML)",
        data=report,
        file_name=f"{_slug(page_title)}.html",
        mime="text/html",
        key=key or f"report_{_slug(page_title)}",
        on_click="ignore",
        icon=":material/download:",
        help="One HTML file with the figures (interactive, no internet needed), the settings, the "
        "equations and a link back here.",
    )


def csv_button(
    table: pd.DataFrame, file_name: str, label: str = "Download the table (CSV)", key: str | None = None
) -> None:
    """A button that downloads `table` as CSV."""
    st.download_button(
        label,
        data=table.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=key or f"csv_{_slug(file_name)}",
        on_click="ignore",
        icon=":material/table:",
    )
