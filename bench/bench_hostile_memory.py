"""How much memory a visitor who sweeps maximum-size settings on purpose makes the server hold.

    .venv/bin/python bench/bench_hostile_memory.py [--links 140]

Every cache of the app is bounded (`max_entries` in ui/cache.py), so a sweep of distinct
links grows the server's memory only until the caches are full. This script opens, in one process as a
server would hold them, `--links` distinct links at the largest settings a link may ask for (H = 256,
T = 500, a new seed each) on every page that computes from the shared settings, and prints the process's
resident memory: after one visit of every page at the defaults (the warm baseline, what a class needs), then
every 20 links, and its peak. The caches are Streamlit's process-wide ones, shared by every session as on
a live server; AppTest runs the script as the server does, through app.py.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench_pages import PAGES, _app, _through_app_py  # noqa: E402

HEAVY_PAGES = ["pages/unfold.py", "pages/gradients.py", "pages/cells.py", "pages/regime_map.py"]


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=140, help="distinct maximum-size links (default 140)")
    args = parser.parse_args()
    _through_app_py()
    start = time.perf_counter()
    print(f"cold: {rss_mb():.0f} MB")
    for page in PAGES:
        _app(page, {})
    warm = rss_mb()
    print(f"warm baseline, every page once at the defaults: {warm:.0f} MB")
    peak = warm
    for link in range(1, args.links + 1):
        query = {"H": "256", "T": "500", "seed": str(link)}
        for page in HEAVY_PAGES:
            at = _app(page, query)
            assert not at.exception, (page, query, at.exception)
            peak = max(peak, rss_mb())
        if link % 20 == 0:
            gc.collect()
            print(f"{link:4d} links: {rss_mb():.0f} MB now, peak {peak:.0f} MB ({time.perf_counter() - start:.0f} s)")
    print(f"peak over {args.links} distinct maximum-size links: {peak:.0f} MB (warm baseline {warm:.0f} MB)")


if __name__ == "__main__":
    main()
