"""The core's speed beside the bare NumPy work it cannot avoid, measured in the same run.

Run from the project root:  .venv/bin/python bench/bench_core.py [--repeats N] [--threads one|default|both]

(a) state_jacobians for T = 1000, H = 128 (one backward sweep, J[k] = J[k+1] diag(f'(a_{k+1})) W_hh) beside the
    floor: T products of H x H matrices in NumPy, M <- M @ W, nothing else. Target: within 1.5x of the floor.
(b) unroll + bptt for T = 1000, H = 256, batch B = 32 (D = 32 inputs, O = 32 outputs): time and GFLOP/s, beside
    the same matrix products done bare, and beside one large matrix product (what this machine's BLAS can do).

Every figure is the best of N runs (time.perf_counter), the floor and the measured code interleaved so that both
see the same load; the machine may be shared, and the best run is the one least disturbed by it. By default
OpenBLAS runs on one thread (`bench/blas_threads.py`): on a busy two-core machine its default
threads wait for each other more than they compute, and every figure, floor included, becomes several times
slower and much noisier. `--threads default` (or `both`) measures with OpenBLAS's own thread count as well.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blas_threads import one_blas_thread  # noqa: E402

import rnnviz  # noqa: E402


def best_of(functions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Best wall time in seconds of each function, running them in turn `repeats` times after one warm-up."""
    for function in functions.values():
        function()
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    return (
        f"{cpu}, {os.cpu_count()} cores, load average {load}; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, OPENBLAS_NUM_THREADS={threads}"
    )


# (a) state Jacobians ------------------------------------------------------------------------------------------
def bench_state_jacobians(repeats: int, T: int = 1000, H: int = 128) -> None:
    cell = rnnviz.random_rnn(H, 8, 4, activation="tanh", init="orthogonal", scale=1.0, seed=0)
    run = rnnviz.unroll(cell, np.random.default_rng(0).standard_normal((T, 8)))
    W = cell.W_hh

    def floor() -> np.ndarray:
        M = np.eye(H)
        for _ in range(T):
            M = M @ W
        return M

    times = best_of({"floor": floor, "state_jacobians": lambda: rnnviz.state_jacobians(run)}, repeats)
    ratio = times["state_jacobians"] / times["floor"]
    flops = 2 * T * H**3
    print(f"(a) state_jacobians, T = {T}, H = {H}: J of shape ({T + 1}, {H}, {H}), {flops / 1e9:.2f} GFLOP of products")
    print(
        f"    floor, {T} products M @ W of {H}x{H} matrices: {1e3 * times['floor']:8.1f} ms "
        f"({flops / times['floor'] / 1e9:5.1f} GFLOP/s)"
    )
    print(
        f"    rnnviz.state_jacobians(run):                {1e3 * times['state_jacobians']:8.1f} ms "
        f"({flops / times['state_jacobians'] / 1e9:5.1f} GFLOP/s)"
    )
    print(f"    ratio to the floor: {ratio:.2f}x (target <= 1.5x)")


# (b) BPTT ------------------------------------------------------------------------------------------------------
def bptt_flops(T: int, B: int, D: int, H: int, O: int) -> tuple[float, float]:
    """(matrix-product flops, element-wise flops) of one forward and one backward pass; a multiply-add is 2 flops.

    Forward:  W_xh x_t (2TBDH), W_hh h_{t-1} (2TBH^2), W_hy h_t (2TBHO); element-wise: adding the parts (TBH),
              the bias b_y (TBO). f(a_t) and f'(a_t) are not counted (one transcendental each).
    Backward: W_hy^T dy_t (2TBOH), W_hh^T da_t (2TBH^2), the totals dW_xh (2TBHD), dW_hh (2TBH^2), dW_hy (2TBOH);
              element-wise: dh_t = W_hy^T dy_t + carried (TBH), da_t = f'(a_t) * dh_t (TBH), db_h (TBH), db_y (TBO).
    """
    products = 2 * T * B * (D * H + H * H + H * O) + 2 * T * B * (O * H + H * H + H * D + H * H + O * H)
    elementwise = T * B * (H + O) + T * B * (3 * H + O)
    return float(products), float(elementwise)


def bench_bptt(repeats: int, T: int = 1000, H: int = 256, B: int = 32, D: int = 32, O: int = 32) -> None:
    rng = np.random.default_rng(0)
    cell = rnnviz.random_rnn(H, D, O, activation="tanh", init="orthogonal", scale=1.0, seed=0)
    xs = rng.standard_normal((T, B, D))
    dy = rng.standard_normal((T, B, O))
    W_hh, W_xh, W_hy = cell.W_hh, cell.W_xh, cell.W_hy
    h_batch = rng.standard_normal((B, H))
    all_states = rng.standard_normal((T * B, H))
    all_inputs = rng.standard_normal((T * B, D))

    def forward_and_backward():
        return rnnviz.bptt(rnnviz.unroll(cell, xs), dy)

    def bare_products():
        """The same matrix products with no activation, no bookkeeping: the floor for (b)."""
        input_parts = xs @ W_xh.T  # forward
        for _ in range(T):
            np.matmul(h_batch, W_hh.T)
        np.matmul(all_states, W_hy.T)
        np.matmul(dy, W_hy)  # backward
        for _ in range(T):
            np.matmul(h_batch, W_hh)
        np.matmul(all_states.T, all_states)  # dW_hh
        np.matmul(all_states.T, all_inputs)  # dW_xh
        np.matmul(dy.reshape(-1, O).T, all_states)  # dW_hy
        return input_parts

    N = 1024
    A, Bm = rng.standard_normal((N, N)), rng.standard_normal((N, N))
    run = rnnviz.unroll(cell, xs)
    times = best_of(
        {
            "unroll": lambda: rnnviz.unroll(cell, xs),
            "bptt": lambda: rnnviz.bptt(run, dy),
            "both": forward_and_backward,
            "bare": bare_products,
            "gemm": lambda: A @ Bm,
        },
        repeats,
    )
    products, elementwise = bptt_flops(T, B, D, H, O)
    flops = products + elementwise
    forward_products = 2 * T * B * (D * H + H * H + H * O)
    print(f"(b) unroll + bptt, T = {T}, H = {H}, B = {B}, D = {D}, O = {O}, tanh:")
    print(
        f"    flops counted: {products / 1e9:.2f} GFLOP in matrix products (forward {forward_products / 1e9:.2f}, "
        f"backward {(products - forward_products) / 1e9:.2f}) + {elementwise / 1e9:.3f} GFLOP element-wise"
    )
    print(f"    unroll (forward):          {1e3 * times['unroll']:8.1f} ms")
    print(f"    bptt (backward):           {1e3 * times['bptt']:8.1f} ms")
    print(f"    unroll + bptt:             {1e3 * times['both']:8.1f} ms = {flops / times['both'] / 1e9:5.1f} GFLOP/s")
    print(
        f"    the same products, bare:   {1e3 * times['bare']:8.1f} ms = {products / times['bare'] / 1e9:5.1f} GFLOP/s"
        f"  (ratio {times['both'] / times['bare']:.2f}x)"
    )
    print(
        f"    one {N}x{N} @ {N}x{N} product:   {1e3 * times['gemm']:8.1f} ms = "
        f"{2 * N**3 / times['gemm'] / 1e9:5.1f} GFLOP/s (what the BLAS reaches on large matrices)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="runs per figure; the best one is reported")
    parser.add_argument(
        "--threads",
        choices=["one", "default", "both"],
        default="one",
        help="OpenBLAS threads: one (default), OpenBLAS's default, or both in turn",
    )
    args = parser.parse_args()
    print(machine())
    for threads in ("one", "default") if args.threads == "both" else (args.threads,):
        print(f"\n-- OpenBLAS threads: {threads} --")
        with one_blas_thread() if threads == "one" else contextlib.nullcontext():
            bench_state_jacobians(args.repeats)
            bench_bptt(args.repeats)


if __name__ == "__main__":
    main()
