"""LSTM forward + backward at H = 128, T = 100, batch 32: rnnviz beside the vanilla cell and PyTorch's nn.LSTM.

Run from the project root:  python bench/bench_lstm.py [--skip-classic]

Each figure is the median of several repeats of one forward pass plus one full backward pass (every parameter
gradient). rnnviz computes in float64; PyTorch is timed in float32 (its usual setting) and in float64. Then the
one-click classic comparison of the "Long-range memory" page (three cells trained on the adding problem) is
timed and its result printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rnnviz  # noqa: E402
from rnnviz.task_training import one_blas_thread  # noqa: E402

H, T, B, D, O = 128, 100, 32, 32, 8
REPEATS = 15


def median_ms(function, repeats: int = REPEATS) -> float:
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def rnnviz_step(cell, xs, dy):
    def run():
        rnnviz.bptt(rnnviz.unroll(cell, xs), dy)

    return run


def torch_step(dtype_name: str, threads: int):
    import torch

    dtype = getattr(torch, dtype_name)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(D, H).to(dtype)
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


def on_one_blas_thread(function):
    def run():
        with one_blas_thread():
            function()

    return run


def bench_cells() -> None:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T, B, D))
    dy = rng.standard_normal((T, B, O))
    lstm = rnnviz_step(rnnviz.random_lstm(H, D, O, seed=0), xs, dy)
    rows = [
        ("rnnviz LSTM (float64)", median_ms(lstm)),
        ("rnnviz LSTM (float64), 1 BLAS thread", median_ms(on_one_blas_thread(lstm))),
        ("rnnviz GRU (float64)", median_ms(rnnviz_step(rnnviz.random_gru(H, D, O, seed=0), xs, dy))),
        ("rnnviz vanilla RNN, tanh (float64)", median_ms(rnnviz_step(rnnviz.random_rnn(H, D, O, seed=0), xs, dy))),
    ]
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: no nn.LSTM figure to compare with.")
    else:
        threads = torch.get_num_threads()
        print(f"PyTorch {torch.__version__}, {threads} threads by default")
        rows.append(("PyTorch nn.LSTM (float32)", median_ms(torch_step("float32", threads))))
        rows.append(("PyTorch nn.LSTM (float32), 1 thread", median_ms(torch_step("float32", 1))))
        rows.append(("PyTorch nn.LSTM (float64)", median_ms(torch_step("float64", threads))))
        torch.set_num_threads(threads)
    print(f"\nForward + backward, H = {H}, T = {T}, batch {B}, D = {D}, O = {O} (median of {REPEATS}):")
    lstm_ms = rows[0][1]
    for name, ms in rows:
        print(f"  {name:<40} {ms:8.1f} ms   ({ms / lstm_ms:4.2f} x rnnviz LSTM)")


def bench_classic() -> None:
    from rnnviz.task_training import CLASSIC, train_on_task

    config = CLASSIC
    start = time.perf_counter()
    result = train_on_task(config)
    seconds = time.perf_counter() - start
    print(f"\nClassic comparison: {config}")
    print(f"  three cells trained in {seconds:.1f} s; baseline loss {config.baseline:.4f}")
    for kind, history in result.histories.items():
        verdict = "below the baseline" if result.beats_baseline(kind) else "at the baseline"
        print(
            f"  {kind:<5} held-out loss {history.evaluation_loss:.4f}, last {25} steps {history.recent_loss:.4f}: "
            f"{verdict}; clipped on {history.clipped.mean():.0%} of steps"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-classic", action="store_true", help="time only the cells")
    args = parser.parse_args()
    bench_cells()
    if not args.skip_classic:
        bench_classic()


if __name__ == "__main__":
    main()
