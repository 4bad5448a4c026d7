"""Safe to host for strangers: no code or pickle execution on anything a user sends, HTML only from constants,
and a Streamlit configuration that keeps XSRF protection on, limits uploads and hides error details."""

from __future__ import annotations

import ast
import re

import pytest
import tomllib
from conftest import ROOT, assert_healthy, run_app

SOURCES = sorted(p for folder in ("rnnviz", "ui", "pages") for p in (ROOT / folder).rglob("*.py")) + [ROOT / "app.py"]
PAGES = re.findall(r"st\.Page\(\s*[\"'](pages/[\w/]+\.py)[\"']", (ROOT / "app.py").read_text())
FORBIDDEN_CALLS = {"eval", "exec", "__import__", "compile"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}
FORBIDDEN_ATTRIBUTES = {"read_pickle", "to_pickle", "loads", "load_pickle", "unsafe_load", "full_load"}
HTML_CALLS = {"html"}  # st.html and components.html render their argument as HTML
MARKER = "<b id='rnnviz-typed'>typed</b><script>window.rnnvizTyped=1</script>"


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _name(path) -> str:
    return str(path.relative_to(ROOT))


def _calls(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _function_name(call: ast.Call) -> str:
    function = call.func
    return (
        function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
    )


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_eval_exec_or_dynamic_import(path):
    found = [
        f"{_name(path)}:{call.lineno} {_function_name(call)}("
        for call in _calls(_tree(path))
        if isinstance(call.func, ast.Name) and call.func.id in FORBIDDEN_CALLS
    ]
    assert not found, found


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_pickle_module_is_imported(path):
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [
                f"{_name(path)}:{node.lineno} import {a.name}"
                for a in node.names
                if a.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"{_name(path)}:{node.lineno} from {node.module} import")
    assert not found, found


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_nothing_is_loaded_with_pickle_allowed(path):
    found = []
    for call in _calls(_tree(path)):
        for word in call.keywords:
            if word.arg == "allow_pickle" and not (isinstance(word.value, ast.Constant) and word.value.value is False):
                found.append(f"{_name(path)}:{call.lineno} allow_pickle={ast.unparse(word.value)}")
        if isinstance(call.func, ast.Attribute) and call.func.attr in FORBIDDEN_ATTRIBUTES:
            owner = ast.unparse(call.func.value)
            if call.func.attr in ("loads",) and owner not in ("pickle", "marshal", "dill"):
                continue  # json.loads is fine
            found.append(f"{_name(path)}:{call.lineno} {owner}.{call.func.attr}(")
        if (
            _function_name(call) == "load"
            and isinstance(call.func, ast.Attribute)
            and ast.unparse(call.func.value) in ("yaml", "torch")
        ):
            found.append(f"{_name(path)}:{call.lineno} {ast.unparse(call.func)}(")
    assert not found, found


def _module_constants(tree) -> dict[str, ast.AST]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            constants[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            constants[node.target.id] = node.value
    return constants


def _from_constants(node: ast.AST, constants: dict[str, ast.AST], functions: set[str], seen=()) -> bool:
    """Whether `node` is built only from literals, the module's constants and calls of its own functions on them:
    nothing a user typed can be in it."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        if node.id in seen or node.id not in constants:
            return False
        return _from_constants(constants[node.id], constants, functions, (*seen, node.id))
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()  # another module's constant, e.g. style.CSS
    if isinstance(node, ast.JoinedStr):
        return all(_from_constants(v, constants, functions, seen) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _from_constants(node.value, constants, functions, seen)
    if isinstance(node, ast.BinOp):
        return _from_constants(node.left, constants, functions, seen) and _from_constants(
            node.right, constants, functions, seen
        )
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_from_constants(e, constants, functions, seen) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_from_constants(e, constants, functions, seen) for e in [*node.keys, *node.values] if e)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
        return all(_from_constants(a, constants, functions, seen) for a in node.args) and all(
            _from_constants(w.value, constants, functions, seen) for w in node.keywords
        )
    return False


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_html_is_only_ever_built_from_constants(path):
    """`unsafe_allow_html=True` and st.html only on text fixed in the source, never on anything a user sent."""
    tree = _tree(path)
    constants = _module_constants(tree)
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = []
    for call in _calls(tree):
        words = {w.arg: w.value for w in call.keywords}
        allows_html = "unsafe_allow_html" in words and not (
            isinstance(words["unsafe_allow_html"], ast.Constant) and words["unsafe_allow_html"].value is False
        )
        renders_html = _function_name(call) in HTML_CALLS and isinstance(call.func, ast.Attribute)
        if not (allows_html or renders_html):
            continue
        body = call.args[0] if call.args else words.get("body")
        if body is None or not _from_constants(body, constants, functions):
            found.append(f"{_name(path)}:{call.lineno} {ast.unparse(call)[:120]}")
    assert not found, f"HTML from something that is not a constant: {found}"


def test_the_streamlit_config_is_safe_to_host():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, client = config.get("server", {}), config.get("client", {})
    assert server.get("enableXsrfProtection") is True
    assert server.get("enableCORS", True) is True
    assert isinstance(server.get("maxUploadSize"), int) and 1 <= server["maxUploadSize"] <= 10
    assert isinstance(server.get("maxMessageSize"), int) and server["maxMessageSize"] <= 200
    assert client.get("showErrorDetails") == "none"
    assert server.get("enableStaticServing", False) is False
    assert server.get("runOnSave", False) is False


def _text_widget_pages() -> list[str]:
    return [page for page in PAGES if re.search(r"text_(area|input)\(", (ROOT / page).read_text())] or ["none"]


@pytest.mark.parametrize("page", _text_widget_pages())
def test_typed_text_is_never_rendered_as_html(page):
    if page == "none":
        pytest.skip("no page takes typed text")
    at = run_app(page)
    boxes = [*at.text_area, *at.text_input]
    assert boxes, f"{page} has a text box in its source but none on its first run"
    for box in boxes:
        box.set_value(MARKER)
    at.run()
    assert_healthy(at)
    for element in at.get("html"):
        assert "rnnviz-typed" not in element.proto.body, "typed text was passed to st.html"
    for element in at.get("markdown"):
        if element.proto.allow_html:
            assert "rnnviz-typed" not in element.proto.body, "typed text was rendered with unsafe_allow_html"
