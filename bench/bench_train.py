"""Training speed of the character model: the article's example, and the bundled text beside PyTorch.

    .venv/bin/python bench/bench_train.py

1. The seed article's recipe (17 characters, windows of 3, H = 50, ReLU, Adam, batch 32): 100 epochs.
   Target: under 1 s.
2. The bundled text (rnnviz/data/alice.txt) with H = 128, windows of 25, batch 32: seconds per epoch, with and
   without the per-epoch diagnostics, in float32 and in float64, beside torch.nn.RNN + nn.Linear with the same
   sizes, the same Adam and the same batches in the same precision when torch is importable. Target: no slower
   than PyTorch on the CPU at equal precision (rnnviz with its diagnostics against PyTorch's bare training).
Each figure is the best of a few interleaved epochs, measured in this run, one BLAS thread on both sides.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread on both sides: small matrices, a shared CPU
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from rnnviz.train import (  # noqa: E402
    ARTICLE_TEXT,
    CharTrainer,
    Recipe,
    bundled_text,
    char_vocabulary,
    train_char_rnn,
)

BIG = {"seq_length": 25, "hidden_size": 128, "batch_size": 32, "activation": "tanh"}
EPOCHS = 5
REPEATS = 3


def best_seconds(run, repeats: int = REPEATS) -> float:
    """The fastest of `repeats` runs: the least disturbed by other work on a shared machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_article() -> None:
    print(f"load average {os.getloadavg()[0]:.1f}")
    for dtype in ("float64", "float32"):
        seconds = best_seconds(lambda: train_char_rnn(ARTICLE_TEXT, dtype=dtype), repeats=5)  # noqa: B023
        result = train_char_rnn(ARTICLE_TEXT, dtype=dtype)
        final = result.history.iloc[-1]
        print(
            f"article example ({dtype}), 100 epochs: {seconds:.3f} s (target < 1 s); "
            f"final loss {final.loss:.3f}, accuracy {final.accuracy:.3f}"
        )


def rnnviz_epoch(text: str, diagnostics: bool, dtype: str):
    """One epoch of our trainer per call."""
    trainer = CharTrainer(text, Recipe(**BIG, epochs=10_000, dtype=dtype), diagnostics=diagnostics)
    return trainer.train_epoch


def torch_epoch(text: str, dtype_name: str):
    """One epoch of torch.nn.RNN + nn.Linear per call, with the same sizes, Adam and batches; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    dtype = getattr(torch, dtype_name)
    vocabulary = char_vocabulary(text)
    index = {c: i for i, c in enumerate(vocabulary)}
    codes = np.array([index[c] for c in text])
    T, H, B, V = BIG["seq_length"], BIG["hidden_size"], BIG["batch_size"], len(vocabulary)
    inputs = torch.from_numpy(np.lib.stride_tricks.sliding_window_view(codes[:-1], T).copy())
    targets = torch.from_numpy(codes[T:].copy())
    eye = torch.eye(V, dtype=dtype)
    torch.manual_seed(0)
    rnn = torch.nn.RNN(V, H, nonlinearity=BIG["activation"]).to(dtype)
    readout = torch.nn.Linear(H, V).to(dtype)
    params = [*rnn.parameters(), *readout.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.001, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(inputs.shape[0], generator=generator)
        for start in range(0, inputs.shape[0], B):
            batch = order[start : start + B]
            xs = eye[inputs[batch].T]  # (T, B, V)
            out, _ = rnn(xs)
            loss = loss_fn(readout(out[-1]), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


def bench_bundled() -> None:
    text = bundled_text("alice")
    n_windows = len(text) - BIG["seq_length"]
    print(
        f"\nbundled text ({len(text)} characters, {len(set(text))} distinct, {n_windows} windows), "
        f"H = {BIG['hidden_size']}, T = {BIG['seq_length']}, batch {BIG['batch_size']}, {BIG['activation']}, "
        "Adam: seconds per epoch (best of the interleaved epochs)"
    )
    contenders = {}
    for dtype in ("float32", "float64"):
        contenders[f"rnnviz (NumPy {dtype}), with per-epoch diagnostics"] = rnnviz_epoch(text, True, dtype)
        contenders[f"rnnviz (NumPy {dtype}), training only"] = rnnviz_epoch(text, False, dtype)
        contenders[f"PyTorch nn.RNN + Linear ({dtype}, 1 thread)"] = torch_epoch(text, dtype)
    if contenders["PyTorch nn.RNN + Linear (float32, 1 thread)"] is None:
        print("  PyTorch: not installed (pip install torch to compare)")
    contenders = {name: epoch for name, epoch in contenders.items() if epoch is not None}
    for epoch in contenders.values():
        epoch()  # warm-up
    times = {name: [] for name in contenders}
    for _ in range(EPOCHS):  # interleaved, so that every contender meets the same load on a shared machine
        for name, epoch in contenders.items():
            start = time.perf_counter()
            epoch()
            times[name].append(time.perf_counter() - start)
    best = {name: min(seconds) for name, seconds in times.items()}
    for name, seconds in best.items():
        line = f"  {name:<52} {seconds:6.3f} s"
        if name.startswith("PyTorch"):
            dtype = "float32" if "float32" in name else "float64"
            ours = best[f"rnnviz (NumPy {dtype}), with per-epoch diagnostics"]
            line += f"   rnnviz {dtype} with diagnostics takes {ours / seconds:.2f}x its time"
        print(line)
    print(f"  (load average {os.getloadavg()[0]:.1f} at the end)")
    print("target: no slower than PyTorch at equal precision (rnnviz with diagnostics against PyTorch)")
    for dtype in ("float32", "float64"):
        torch_name = f"PyTorch nn.RNN + Linear ({dtype}, 1 thread)"
        if torch_name in best:
            ours = best[f"rnnviz (NumPy {dtype}), with per-epoch diagnostics"]
            verdict = "met" if ours <= best[torch_name] else "missed"
            print(f"  {dtype}: rnnviz {ours:.3f} s, PyTorch {best[torch_name]:.3f} s per epoch: {verdict}")


if __name__ == "__main__":
    bench_article()
    bench_bundled()
