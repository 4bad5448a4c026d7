"""The one private Streamlit attribute the app sets (`ui.controls.require_entry_point`), checked against the Streamlit
installed: the day Streamlit renames it or stops reading it, these fail and say what to change.

Why the app needs it: a `pages/` folder beside app.py makes Streamlit start in its old file-based multipage mode, in
which a deep link on a fresh server (e.g. /gradients) runs the page file alone, without app.py: no navigation, no
page config, no sidebar. `st.navigation` in app.py clears that mode on its first run; a page that finds the mode still
on clears it the same way and reruns.
"""

import inspect

import streamlit.commands.navigation as navigation
from conftest import ROOT, _pages_manager_init
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner


def test_streamlit_still_has_the_file_based_mode_flag_the_app_clears():
    assert hasattr(PagesManager, "uses_pages_directory"), "Streamlit renamed PagesManager.uses_pages_directory"


def test_a_pages_folder_still_turns_the_file_based_mode_on():
    assert (ROOT / "pages").is_dir()
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        _pages_manager_init(PagesManager.__new__(PagesManager), str(ROOT / "app.py"))  # Streamlit's own __init__
        assert PagesManager.uses_pages_directory is True
    finally:
        PagesManager.uses_pages_directory = saved


def test_st_navigation_still_clears_the_mode_and_the_script_runner_still_reads_it():
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)


def test_the_app_sets_the_attribute_in_one_function_only():
    users = [
        path.relative_to(ROOT).as_posix()
        for folder in ("ui", "pages", "rnnviz")
        for path in (ROOT / folder).rglob("*.py")
        if "uses_pages_directory" in path.read_text()
    ]
    assert users == ["ui/controls.py"], users
    assert "uses_pages_directory" in inspect.getsource(__import__("ui.controls").controls.require_entry_point)
