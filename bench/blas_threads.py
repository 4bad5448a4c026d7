"""OpenBLAS's thread count, set from inside a running benchmark (the library reads it from the environment only).

The benchmarks time the same code with one BLAS thread and with OpenBLAS's default in one process, so they
switch it through OpenBLAS's own get/set functions, found in the library NumPy loaded.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager

_THREAD_FUNCTIONS = ("scipy_openblas_{}_num_threads64_", "openblas_{}_num_threads64_", "openblas_{}_num_threads")


def openblas_thread_functions():
    """OpenBLAS's get/set_num_threads from the library NumPy loaded, or None where it cannot be found."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
        for path in paths:
            library = ctypes.CDLL(path)
            for pattern in _THREAD_FUNCTIONS:
                if hasattr(library, pattern.format("set")) and hasattr(library, pattern.format("get")):
                    return getattr(library, pattern.format("get")), getattr(library, pattern.format("set"))
    except OSError:
        return None
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with OpenBLAS on one thread, then give back the count it found (nothing where NumPy's BLAS is
    not OpenBLAS)."""
    functions = openblas_thread_functions()
    if functions is None:
        yield
        return
    get_threads, set_threads = functions
    before = int(get_threads())
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)
