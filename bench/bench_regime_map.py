"""The regime map's speed at its default grid, beside the same numbers computed one run at a time.

Run from the project root:  .venv/bin/python bench/bench_regime_map.py [--repeats N]

(a) regime_map(axis="T") at the page's default grid: 30 scales x 19 lengths (T = 2..200) x 3 seeds, H = 32,
    for each activation the sidebar offers, and regime_map(axis="activation") (30 scales x 5 activations at T = 60).
    Target: under 2 s each (the page caches the map, so this is the wait after a change of init, input or seed).
(b) The baseline: rnnviz.experiment.simulate once per (scale, seed) at T = 200, the way a page without the batched
    sweep would fill the same map (one run per cell column; every shorter T would need its own run as well, so
    this baseline is a lower bound on the loop's cost).

Every figure is the best of N runs (time.perf_counter), run in turn so that both see the same load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnnviz.activations import ACTIVATIONS  # noqa: E402
from rnnviz.experiment import simulate  # noqa: E402
from rnnviz.regime_map import MAP_HIDDEN, MAP_SEEDS, default_lengths, default_scales, regime_map  # noqa: E402
from rnnviz.settings import Settings  # noqa: E402

TARGET_SECONDS = 2.0


def best_of(function, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def one_run_at_a_time(settings: Settings) -> None:
    for seed in range(MAP_SEEDS):
        for scale in default_scales():
            simulate(settings.replace(scale=float(scale), seed=seed, hidden_size=MAP_HIDDEN, seq_length=200))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, best of {args.repeats}")
    scales, lengths = default_scales(), default_lengths()
    print(
        f"grid: {len(scales)} scales x {len(lengths)} lengths (T = {lengths[0]}..{lengths[-1]}) x {MAP_SEEDS} "
        f"seeds, H = {MAP_HIDDEN}\n"
    )
    print(f"{'map':34s} {'seconds':>8s}  {'target':>7s}")
    worst = 0.0
    for activation in ACTIVATIONS:
        seconds = best_of(lambda a=activation: regime_map(Settings(activation=a), axis="T"), args.repeats)
        worst = max(worst, seconds)
        print(f"{'over T, ' + activation:34s} {seconds:8.3f}  {'ok' if seconds < TARGET_SECONDS else 'SLOW':>7s}")
    seconds = best_of(lambda: regime_map(Settings(), axis="activation"), args.repeats)
    worst = max(worst, seconds)
    print(f"{'over the activations, T = 60':34s} {seconds:8.3f}  {'ok' if seconds < TARGET_SECONDS else 'SLOW':>7s}")
    seconds = best_of(lambda: regime_map(Settings(seq_length=500), axis="T", max_length=500), args.repeats)
    print(
        f"{'over T up to 500 (long settings)':34s} {seconds:8.3f}  {'ok' if seconds < TARGET_SECONDS else 'SLOW':>7s}"
    )
    baseline = best_of(lambda: one_run_at_a_time(Settings()), 1)
    batched = best_of(lambda: regime_map(Settings(), axis="T"), args.repeats)
    print(
        f"\nbaseline, simulate() per (scale, seed) at T = 200: {baseline:.3f} s for {len(scales) * MAP_SEEDS} runs "
        f"(the T = 200 row only)"
    )
    print(f"batched sweep, every T at once:                    {batched:.3f} s  ({baseline / batched:.1f}x faster)")
    print(f"\nslowest default map: {worst:.3f} s (target < {TARGET_SECONDS:g} s)")


if __name__ == "__main__":
    main()
