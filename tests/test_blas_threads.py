"""The benchmarks' OpenBLAS thread switch (bench/blas_threads.py): the library itself reads the thread count from
the environment only (scripts/run_app.sh and scripts/test.sh set OPENBLAS_NUM_THREADS=1)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from blas_threads import one_blas_thread, openblas_thread_functions  # noqa: E402


def test_one_blas_thread_gives_back_the_thread_count_it_found():
    functions = openblas_thread_functions()
    if functions is None:
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    get_threads, _ = functions
    before = get_threads()
    with one_blas_thread():
        assert get_threads() == 1
    assert get_threads() == before


def test_the_library_sets_no_thread_count():
    root = Path(__file__).resolve().parent.parent / "rnnviz"
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "ctypes" not in text and "/proc/self/maps" not in text, path
