"""LSTM and GRU forward + backward at H = 128, T = 100, batch 32: rnnviz beside PyTorch's nn.LSTM and nn.GRU.

Run from the project root:  python bench/bench_lstm.py [--skip-classic] [--repeats N]

One timed call is one forward pass plus one full backward pass (every parameter gradient). The variants are timed
in turns (round-robin, one call each per round) and each figure is the median over the rounds, so a machine whose
load changes during the run slows every variant alike. Both sides are timed in float32 and in float64 and compared
at equal precision: rnnviz's cells made by `cell.astype("float32")` beside PyTorch's float32 (its usual setting),
rnnviz's default float64 beside PyTorch's float64. The target, "no slower than PyTorch", is checked at one thread
on both sides (`bench/blas_threads.py`; the app runs with OPENBLAS_NUM_THREADS=1); PyTorch's default threads
and rnnviz's default BLAS threads are shown too. Then the one-click classic comparison of the "Long-range memory"
page (three cells trained on the adding problem) is timed in both precisions and its result printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blas_threads import one_blas_thread  # noqa: E402

import rnnviz  # noqa: E402

H, T, B, D, O = 128, 100, 32, 32, 8


def rnnviz_step(cell, xs, dy, one_thread: bool):
    def run():
        if one_thread:
            with one_blas_thread():
                rnnviz.bptt(rnnviz.unroll(cell, xs), dy)
        else:
            rnnviz.bptt(rnnviz.unroll(cell, xs), dy)

    return run


def torch_step(dtype_name: str, threads: int, module: str = "LSTM"):
    import torch

    dtype = getattr(torch, dtype_name)
    torch.manual_seed(0)
    lstm = getattr(torch.nn, module)(D, H).to(dtype)
    readout = torch.nn.Linear(H, O).to(dtype)
    xs = torch.randn(T, B, D, dtype=dtype)
    dy = torch.randn(T, B, O, dtype=dtype)

    def run():
        torch.set_num_threads(threads)
        lstm.zero_grad(set_to_none=True)
        readout.zero_grad(set_to_none=True)
        out, _ = lstm(xs)
        readout(out).backward(dy)

    return run


def round_robin_ms(variants: dict, rounds: int) -> dict[str, float]:
    """The median time in ms of each variant, timed one call each per round."""
    times = {name: [] for name in variants}
    for function in variants.values():
        function()  # warm-up
    for _ in range(rounds):
        for name, function in variants.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def bench_cells(rounds: int) -> None:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T, B, D))
    dy = rng.standard_normal((T, B, O))
    cells = {
        "LSTM": rnnviz.random_lstm(H, D, O, seed=0),
        "GRU": rnnviz.random_gru(H, D, O, seed=0),
        "vanilla RNN, tanh": rnnviz.random_rnn(H, D, O, seed=0),
    }
    variants = {}
    for dtype in ("float32", "float64"):
        for name, cell in cells.items():
            step = rnnviz_step(cell.astype(dtype), xs, dy, one_thread=True)
            variants[f"rnnviz {name} ({dtype}), 1 BLAS thread"] = step
    variants["rnnviz LSTM (float64), default BLAS threads"] = rnnviz_step(cells["LSTM"], xs, dy, one_thread=False)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: no nn.LSTM figure to compare with.")
        threads = 0
    else:
        threads = torch.get_num_threads()
        print(f"PyTorch {torch.__version__} ({threads} threads by default)")
        for dtype in ("float32", "float64"):
            for module in ("LSTM", "GRU"):
                variants[f"PyTorch nn.{module} ({dtype}), 1 thread"] = torch_step(dtype, 1, module)
            variants[f"PyTorch nn.LSTM ({dtype}), {threads} threads"] = torch_step(dtype, threads)
    print(f"NumPy {np.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    results = round_robin_ms(variants, rounds)
    if threads:
        import torch

        torch.set_num_threads(threads)
    reference = results["rnnviz LSTM (float64), 1 BLAS thread"]
    print(
        f"\nForward + backward, H = {H}, T = {T}, batch {B}, D = {D}, O = {O} (median of {rounds} rounds; "
        f"load average {os.getloadavg()[0]:.1f} at the end):"
    )
    for name, ms in results.items():
        print(f"  {name:<50} {ms:8.1f} ms   ({ms / reference:5.2f} x rnnviz LSTM float64)")
    if threads:
        print("target: no slower than PyTorch (1 thread each, equal precision)")
        for module in ("LSTM", "GRU"):
            for dtype in ("float32", "float64"):
                ours = results[f"rnnviz {module} ({dtype}), 1 BLAS thread"]
                theirs = results[f"PyTorch nn.{module} ({dtype}), 1 thread"]
                verdict = "met" if ours <= theirs else f"missed ({ours / theirs:.2f} x PyTorch's time)"
                print(f"  {module} {dtype}: rnnviz {ours:6.1f} ms, PyTorch {theirs:6.1f} ms: {verdict}")


def bench_classic() -> None:
    from rnnviz.task_training import CLASSIC, RECENT_STEPS, train_on_task

    print(f"\nClassic comparison: {CLASSIC}")
    for dtype in ("float64", "float32"):
        config = CLASSIC.replace(dtype=dtype)
        start = time.perf_counter()
        result = train_on_task(config)
        seconds = time.perf_counter() - start
        print(
            f"  {dtype}: three cells trained in {seconds:.1f} s (load average {os.getloadavg()[0]:.1f}); "
            f"trivial baseline {config.baseline:.4f}"
        )
        for kind, history in result.histories.items():
            verdict = "below the baseline" if result.beats_baseline(kind) else "not below the baseline"
            print(
                f"    {kind:<5} held-out loss {history.evaluation_loss:.4f}, last {RECENT_STEPS} steps "
                f"{history.recent_loss:.4f}: {verdict}; clipped on {history.clipped.mean():.0%} of steps"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-classic", action="store_true", help="time only the cells")
    parser.add_argument("--repeats", type=int, default=15, help="rounds of timing (default 15)")
    args = parser.parse_args()
    bench_cells(max(args.repeats, 1))
    if not args.skip_classic:
        bench_classic()


if __name__ == "__main__":
    main()
