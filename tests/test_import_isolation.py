"""The math layer stands alone: a notebook user imports rnnviz without Streamlit or Plotly coming along."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_LIBRARIES = ("streamlit", "plotly")

PROBE = """
import json, pkgutil, importlib, sys
import rnnviz
after_package = sorted(m for m in sys.modules if m.split(".")[0] in {libraries})
for module in pkgutil.iter_modules(rnnviz.__path__, "rnnviz."):
    if module.name != "rnnviz.figures":
        importlib.import_module(module.name)
after_modules = sorted(m for m in sys.modules if m.split(".")[0] in {libraries})
print(json.dumps([after_package, after_modules]))
"""


def loaded_ui_modules() -> tuple[list[str], list[str]]:
    """What a fresh interpreter has loaded of the UI libraries after `import rnnviz`, then after every math module."""
    code = PROBE.replace("{libraries}", repr(set(UI_LIBRARIES)))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    after_package, after_modules = json.loads(result.stdout.strip().splitlines()[-1])
    return after_package, after_modules


def test_import_rnnviz_loads_neither_streamlit_nor_plotly():
    after_package, after_modules = loaded_ui_modules()
    assert after_package == []
    assert after_modules == [], "a math module (anything in rnnviz but rnnviz.figures) imports a UI library"
