"""What a training run on the Train page costs, and the constants of its estimate (`rnnviz.train.Recipe.work`).

    .venv/bin/python bench/bench_train_cost.py

A minibatch costs its multiply-adds, 3 B T H (H + V) (forward and backward), and a fixed overhead of NumPy calls
that does not shrink with the batch: per batch (the one-hot batch, the read-out, the loss, clipping, one Adam
step over five weights) and per time step (one step of `unroll` and one of `bptt`). A batch of one window is
almost all overhead: the estimate counts it as the multiply-adds the same time would do, so a run's work is
proportional to its time whatever its batch size. Measured here, one BLAS thread, best of several tries:

1. the multiply-add rate, from large batches (H = 256, T = 32, B = 128), where the overhead is negligible;
2. the overhead of a batch, from batches of one window of one step at H = 2;
3. the overhead of a step, from the same at T = 64 against T = 1;
4. the per-epoch diagnostics (the spectrum of W_hh) at H = 256.
Then the estimate's seconds (work / rate) beside the measured seconds of a few recipes.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnnviz import train  # noqa: E402
from rnnviz.train import CharTrainer, Recipe, bundled_text  # noqa: E402

TEXT = bundled_text("alice")
TRIES = 3


def seconds_per_batch(batches: int = 200, diagnostics: bool = False, **recipe) -> tuple[float, CharTrainer]:
    """The fastest of TRIES runs of `batches` minibatches, per batch."""
    best = float("inf")
    for _ in range(TRIES):
        trainer = CharTrainer(TEXT, Recipe(activation="tanh", epochs=500, **recipe), diagnostics=diagnostics)
        start = time.perf_counter()
        for _ in range(batches):
            trainer.train_batch()
        best = min(best, (time.perf_counter() - start) / batches)
    return best, trainer


def main() -> None:
    big = {"hidden_size": 256, "seq_length": 32, "batch_size": 128}
    big_seconds, trainer = seconds_per_batch(batches=4, **big)
    V = len(trainer.vocabulary)
    rate = 3 * 128 * 32 * 256 * (256 + V) / big_seconds
    tiny_seconds, _ = seconds_per_batch(hidden_size=2, seq_length=1, batch_size=1)
    long_seconds, _ = seconds_per_batch(hidden_size=2, seq_length=64, batch_size=1)
    step_seconds = (long_seconds - tiny_seconds) / 63
    spectrum_start = time.perf_counter()
    for _ in range(5):
        train._weights(trainer.cell)
    spectrum_seconds = (time.perf_counter() - spectrum_start) / 5
    print(f"multiply-add rate: {rate:.2e} per second (H = 256, T = 32, B = 128, V = {V})")
    print(f"overhead of a batch: {tiny_seconds * 1e3:.2f} ms = {tiny_seconds * rate:.1e} multiply-adds")
    print(f"overhead of a step:  {step_seconds * 1e6:.1f} µs = {step_seconds * rate:.1e} multiply-adds")
    print(f"spectrum of W_hh at H = 256: {spectrum_seconds * 1e3:.1f} ms = {spectrum_seconds * rate / 256**3:.1f} H^3")
    print(
        f"in rnnviz.train: BATCH_OVERHEAD = {train.BATCH_OVERHEAD:.1e}, STEP_OVERHEAD = {train.STEP_OVERHEAD:.1e}, "
        f"EPOCH_OVERHEAD_PER_H3 = {train.EPOCH_OVERHEAD_PER_H3}"
    )
    print("\nrecipe (alice, 4,062 characters, one epoch)      estimate   measured")
    for recipe in (
        {"hidden_size": 2, "seq_length": 64, "batch_size": 1},
        {"hidden_size": 50, "seq_length": 3, "batch_size": 32},
        {"hidden_size": 128, "seq_length": 25, "batch_size": 32},
        {"hidden_size": 256, "seq_length": 64, "batch_size": 8},
    ):
        trainer = CharTrainer(TEXT, Recipe(activation="tanh", epochs=1, **recipe))
        estimate = trainer.recipe.work(trainer.n_windows, len(trainer.vocabulary)) / rate
        start = time.perf_counter()
        trainer.train()
        measured = time.perf_counter() - start
        print(
            f"H = {recipe['hidden_size']:3}, T = {recipe['seq_length']:2}, batch {recipe['batch_size']:2}"
            f"                      {estimate:7.1f} s  {measured:7.1f} s"
        )


if __name__ == "__main__":
    main()
