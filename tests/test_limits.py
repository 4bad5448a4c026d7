"""Every size a user can set is bounded, the bounds are in one place (`rnnviz.settings.Limits`), and
docs/limits.md documents each of them.

docs/limits.md is generated from `Limits` (its values, the comments beside its fields, and where each is used):
after changing `Limits`, write it again with

    .venv/bin/python tests/test_limits.py
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import fields
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rnnviz.settings import LIMITS, Limits  # noqa: E402

DOC = ROOT / "docs" / "limits.md"
SETTINGS = ROOT / "rnnviz" / "settings.py"
WIDGET_SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
USE_SOURCES = sorted(p for folder in ("rnnviz", "ui", "pages") for p in (ROOT / folder).rglob("*.py"))
# widget -> (the argument that bounds it, its position when given positionally)
BOUNDED_ARGUMENT = {
    "number_input": ("max_value", 2),
    "slider": ("max_value", 2),
    "text_area": ("max_chars", 3),
    "text_input": ("max_chars", 2),
    "chat_input": ("max_chars", 2),
}
# What the fields without a comment of their own bound (a comment beside the field in Limits takes precedence).
FALLBACK = {
    "hidden_size": "H, the hidden units of the network in the sidebar (URL `H`)",
    "seq_length": "T, the steps the network is unrolled over (URL `T`)",
    "scale": "the scale of W_hh for the chosen initialisation (URL `scale`)",
    "scale_step": "the step of the weight-scale slider",
    "seed": "the random seed of the weights and inputs (URL `seed`)",
    "task_batch_size": "sequences per optimiser step on a long-range task",
    "task_learning_rate": "the learning rate on a long-range task",
    "task_clip_threshold": "the gradient-clipping threshold on a long-range task",
    "train_hidden_size": "H of the character model",
    "train_epochs": "epochs of one training run",
    "train_batch_size": "windows per optimiser step",
    "learning_rate": "the optimiser's learning rate",
    "clip_threshold": "the gradient-clipping threshold",
    "generate_chars": "characters generated after the prefix",
    "temperature": "the sampling temperature of text generation (0 = argmax)",
}
MUST_GIVE = {"number_input", "text_area", "text_input", "chat_input"}  # unbounded when the argument is left out


# --- the documentation ------------------------------------------------------------------------------------------


def field_comments() -> tuple[dict[str, str], dict[str, str]]:
    """The comment on the line of each field of `Limits` in rnnviz/settings.py, and the section (a comment on a
    line of its own) each field stands in."""
    source = SETTINGS.read_text()
    tree = ast.parse(source)
    limits = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Limits")
    lines = {node.lineno: node.target.id for node in limits.body if isinstance(node, ast.AnnAssign)}
    comments, section_starts = {}, []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        row = token.start[0]
        if token.type != tokenize.COMMENT or not limits.lineno <= row <= limits.end_lineno:
            continue
        text = token.string.lstrip("#").strip()
        if row in lines:
            comments[lines[row]] = text
        elif token.line.strip().startswith("#"):
            section_starts.append((row, text))
    sections = {}
    for line_number, name in lines.items():
        above = [text for row, text in section_starts if row < line_number]
        sections[name] = above[-1] if above else ""
    return comments, sections


def uses(name: str) -> list[str]:
    """The source files that read `LIMITS.<name>`."""
    pattern = re.compile(rf"\bLIMITS\.{name}\b")
    return [str(p.relative_to(ROOT)) for p in USE_SOURCES if pattern.search(p.read_text())]


def show(value) -> str:
    if isinstance(value, tuple):
        return " to ".join(show(v) for v in value)
    if isinstance(value, float) and (abs(value) >= 1e5 or 0 < abs(value) < 1e-3):
        return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{value:.0e}")
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


INTRO = """# Limits: every size a user can set, and its bound

rnnviz is hosted for strangers: one small server, a whole class at once, anyone on the internet typing into it.
So every size a user can ask for is bounded, and every bound is a field of one frozen dataclass,
`rnnviz.settings.Limits` (its one instance is `rnnviz.settings.LIMITS`). The sidebar, the pages' widgets, the URL
parser and the core's argument checks read their bounds from there, so changing a bound for a bigger or smaller
server is a change in one place. A value outside a bound is never a traceback: the URL parser names it in a notice
and keeps the default, a widget cannot go past it, and the core refuses it with a `ValueError` that a page turns
into words.

These tables are generated from `Limits` (the values, the comments beside the fields, and the files that read each
one); `tests/test_limits.py` checks them against the code and fails when they differ. Write them again with
`.venv/bin/python tests/test_limits.py`.

"""
SERVER_BOUNDS = """## Bounds set by the server, not by `Limits`

`.streamlit/config.toml`: `server.maxUploadSize` (MB per uploaded file, refused by the server before any page sees
it) and `server.maxMessageSize` (MB per message from the server to a browser). Streamlit keeps a closed tab's
session for `server.disconnectedSessionTTL` seconds (120 by default). The caches in `ui/` have a fixed number of
entries (`max_entries`), so a visitor who sweeps every setting cannot grow the server's memory without limit;
`loadtest/README.md` has the memory a class of 30 needs.
"""


def describe(name: str, comments: dict[str, str]) -> str:
    return comments.get(name) or FALLBACK.get(name, "")


def render() -> str:
    comments, sections = field_comments()
    tables: dict[str, list[str]] = {}
    for f in fields(Limits):
        section = sections[f.name] or "The shared settings (sidebar and URL) and the pages"
        tables.setdefault(section, []).append(
            f"| `{f.name}` | {show(getattr(LIMITS, f.name))} | {describe(f.name, comments)} | "
            f"{', '.join(f'`{u}`' for u in uses(f.name)) or '-'} |"
        )
    rows = []
    for section, lines in tables.items():
        rows += [
            f"## {section[0].upper()}{section[1:]}",
            "",
            "| field | bound | what it bounds | read in |",
            "| --- | --- | --- | --- |",
            *lines,
            "",
        ]
    return INTRO + "\n".join(rows) + "\n" + SERVER_BOUNDS


def test_every_limit_is_documented_with_its_current_value():
    assert DOC.exists(), "docs/limits.md is missing: run .venv/bin/python tests/test_limits.py"
    documented = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", DOC.read_text(), flags=re.M))
    expected = {f.name: show(getattr(LIMITS, f.name)) for f in fields(Limits)}
    assert {name: value.strip() for name, value in documented.items()} == expected, (
        "docs/limits.md is out of date with rnnviz.settings.Limits: run .venv/bin/python tests/test_limits.py"
    )


def test_every_limit_says_what_it_bounds():
    comments, _ = field_comments()
    missing = [f.name for f in fields(Limits) if not describe(f.name, comments)]
    assert not missing, f"give these fields of Limits a comment on their line saying what they bound: {missing}"


# --- the widgets ------------------------------------------------------------------------------------------------


def _literal_number(node: ast.AST, constants: dict[str, ast.AST]) -> bool:
    """A number written in the source: directly, negated, as float(...)/int(...) of one, or a module constant."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _literal_number(node.operand, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "float"):
        return bool(node.args) and _literal_number(node.args[0], constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _literal_number(constants[node.id], constants)
    if isinstance(node, ast.Subscript):  # e.g. COUNT_LIMITS[key] with COUNT_LIMITS a literal dict or tuple
        container = node.value
        if isinstance(container, ast.Name) and container.id in constants:
            return _holds_literal_numbers(constants[container.id])
    return False


def _holds_literal_numbers(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)
        for n in ast.walk(node)
    ) and "LIMITS" not in ast.unparse(node)


def _module_constants(tree: ast.Module) -> dict[str, ast.AST]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            constants[node.target.id] = node.value
    return constants


def _local_sources(tree: ast.Module) -> dict[str, ast.AST]:
    """Names unpacked from a module constant anywhere, e.g. `low, high = COUNT_LIMITS[key]`."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple):
            for element in node.targets[0].elts:
                if isinstance(element, ast.Name):
                    found[element.id] = node.value
    return found


def unbounded_widgets(path: Path) -> list[str]:
    """The widgets in `path` whose bound is a number written outside `Limits`, or that have no bound at all."""
    tree = ast.parse(path.read_text())
    constants = _module_constants(tree)
    unpacked = _local_sources(tree)
    problems = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
        widget = call.func.attr
        if widget not in BOUNDED_ARGUMENT:
            continue
        argument, position = BOUNDED_ARGUMENT[widget]
        words = {w.arg: w.value for w in call.keywords}
        bound = words.get(argument, call.args[position] if len(call.args) > position else None)
        starred = [a for a in call.args[: position + 1] if isinstance(a, ast.Starred)]
        if argument not in words and starred:  # e.g. number_input("H", *LIMITS.train_hidden_size)
            bound = starred[0].value
        where = f"{path.relative_to(ROOT)}:{call.lineno} {widget}"
        if bound is None or (isinstance(bound, ast.Constant) and bound.value is None):
            if widget in MUST_GIVE:
                problems.append(f"{where} has no {argument}")
            continue
        source = unpacked.get(bound.id) if isinstance(bound, ast.Name) and bound.id not in constants else None
        if _literal_number(bound, constants) or (source is not None and _literal_number(source, constants)):
            problems.append(f"{where}: {argument}={ast.unparse(bound)} is a number written outside Limits")
    return problems


@pytest.mark.parametrize("path", WIDGET_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_widget_bound_comes_from_limits(path):
    problems = unbounded_widgets(path)
    assert not problems, problems


def test_the_widget_check_finds_a_literal_bound_and_a_missing_one(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\nMAX = 400\nst.number_input('n', 0, 10)\nst.slider('s', 0, MAX)\n"
        "st.text_area('t')\nst.slider('ok', 0, LIMITS.x[1])\nst.number_input('ok', *LIMITS.y)\n"
    )
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        problems = unbounded_widgets(page)
    finally:
        globals()["ROOT"] = original
    assert len(problems) == 3, problems


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render())
    print(f"wrote {DOC.relative_to(ROOT)} ({len(fields(Limits))} limits)")
