"""A page's views as tabs: only the open tab is computed, sent and drawn, and the link says which one is open.

    view, tab = views.open_view(("Step by step", "The whole run"), key="unfold_view")
    with tab:
        if view == "Step by step":
            ...

A page with many charts opens faster this way (the browser draws one view, not all of them), and a setting
changed in the sidebar recomputes only the view on screen. The tab is in the URL (`?unfold_view=The+whole+run`),
so a teacher's link opens the view they chose; any other value opens the first tab, with a notice.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import controls


def open_view(labels: Sequence[str], key: str, in_link: bool = True) -> tuple[str, DeltaGenerator]:
    """Tabs named `labels`, bound to the query parameter `key` (unless `in_link` is False, e.g. for tabs over what
    the user typed); returns the open tab's label and its container."""
    problem = in_link and controls.link_problem(key, lambda raw: None if raw in labels else "it is not a view here")
    notice = st.empty() if problem else None  # above the tabs, filled once the open tab is known
    tabs = st.tabs(list(labels), key=key, on_change="rerun", bind="query-params" if in_link else None)
    view, tab = next(((label, tab) for label, tab in zip(labels, tabs, strict=True) if tab.open), (labels[0], tabs[0]))
    if notice is not None:
        with notice:
            controls.show_link_problem(key, problem, f"the view “{view}”")
    return view, tab


def folded(label: str, key: str) -> DeltaGenerator | None:
    """A closed expander whose content is drawn only while it is open (opening it reruns the script): returns its
    container when open, else None. Closed, it costs the page nothing to draw."""
    box = st.expander(label, expanded=False, key=key, on_change="rerun")
    return box if box.open else None
