"""Training a vanilla RNN, an LSTM and a GRU on a long-range task, side by side, with minibatch BPTT.

At every step each cell sees the same fresh minibatch (T, B, D) of the task (`rnnviz.tasks`), runs forward with
`rnnviz.unroll`, sends back dL/dy with `rnnviz.bptt`, optionally clips the gradient (`rnnviz.optim.clip`) and
takes one optimiser step. What comes out is numbers only: the loss, the gradient norm before clipping and
whether clipping changed the step, per step and per cell, beside the task's trivial baseline.

    adding problem:  L = mean over the batch of (y_T - target)^2                    (baseline 1/6)
    copy memory:     L = mean over steps and batch of -log softmax(y_t)[target_t]   (baseline 10 log 8 / (T + 20))

A vanilla tanh RNN stays at the baseline once T is long enough: the gradient from the last step cannot reach
the marked inputs (Hochreiter & Schmidhuber 1997; Bengio, Simard & Frasconi 1994). The gated cells carry it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from rnnviz._checks import FLOAT_DTYPES, finite_number, one_of, positive_int
from rnnviz.cell import CELL_NAMES
from rnnviz.gru import random_gru
from rnnviz.init import random_rnn
from rnnviz.losses import output_gradient
from rnnviz.lstm import random_lstm
from rnnviz.optim import CLIPPING, OPTIMIZERS, clip, global_norm, make_optimizer
from rnnviz.run import bptt, unroll
from rnnviz.tasks import TASKS, TaskBatch, baseline_loss, make_task, task_sizes

CELL_KINDS = tuple(CELL_NAMES)  # "rnn", "lstm", "gru"
EVALUATION_BATCH = 256  # sequences in the held-out batch the final loss is measured on
RECENT_STEPS = 25  # the "recent loss" is the mean over this many last steps


@dataclass(frozen=True)
class TaskConfig:
    """What a training run on a task is: the task, the sizes, the optimiser and the clipping."""

    task: str = "adding"  # one of rnnviz.tasks.TASKS
    seq_length: int = 60  # T: the adding problem's length, or the copy task's delay
    hidden_size: int = 32  # H of every cell
    batch_size: int = 32  # B
    steps: int = 300  # optimiser steps (one fresh minibatch each)
    optimizer: str = "adam"  # "adam" | "sgd"
    learning_rate: float = 0.01
    clipping: str = "norm"  # "none" | "norm" | "elementwise"
    clip_threshold: float = 1.0
    forget_bias: float = 1.0  # added to the LSTM's forget-gate bias at initialisation
    seed: int = 0  # draws the weights and every minibatch
    dtype: str = "float64"  # "float64" (exact) | "float32" (about twice as fast, as PyTorch trains)

    def __post_init__(self):
        one_of("task", self.task, TASKS)
        positive_int("seq_length", self.seq_length, low=2)
        positive_int("hidden_size", self.hidden_size)
        positive_int("batch_size", self.batch_size)
        positive_int("steps", self.steps)
        one_of("optimizer", self.optimizer, OPTIMIZERS)
        if finite_number("learning_rate", self.learning_rate, low=0.0) <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        one_of("clipping", self.clipping, CLIPPING)
        if finite_number("clip_threshold", self.clip_threshold, low=0.0) <= 0:
            raise ValueError(f"clip_threshold must be positive, got {self.clip_threshold}")
        finite_number("forget_bias", self.forget_bias)
        positive_int("seed", self.seed, low=0)
        one_of("dtype", self.dtype, FLOAT_DTYPES)

    def replace(self, **changes) -> TaskConfig:
        return replace(self, **changes)

    def work(self) -> float:
        """About how many multiply-adds training the three cells takes: forward and backward (3x) of every step's
        products, steps * B * T * (1 + 4 + 3 gate blocks: RNN, LSTM, GRU) * H * (H + D)."""
        D, _ = task_sizes(self.task)
        H = self.hidden_size
        return 3.0 * self.steps * self.batch_size * self.seq_length * (1 + 4 + 3) * H * (H + D)

    @property
    def baseline(self) -> float:
        """The loss of the trivial answer (`rnnviz.tasks.baseline_loss`)."""
        return baseline_loss(self.task, self.seq_length)


def make_cell(kind: str, config: TaskConfig):
    """A fresh cell of `kind` for the task: tanh RNN (Gaussian W_hh at scale 1), or PyTorch-initialised gated cell.

    Every kind draws its weights from the same seed; the cell computes in `config.dtype`.
    """
    one_of("kind", kind, CELL_KINDS)
    D, O = task_sizes(config.task)
    H, seed = config.hidden_size, config.seed
    if kind == "rnn":
        cell = random_rnn(H, D, O, activation="tanh", init="gaussian", scale=1.0, seed=seed)
    elif kind == "lstm":
        cell = random_lstm(H, D, O, forget_bias=config.forget_bias, seed=seed)
    else:
        cell = random_gru(H, D, O, seed=seed)
    return cell.astype(config.dtype)


def task_loss(y: np.ndarray, batch: TaskBatch) -> tuple[float, np.ndarray]:
    """(L, dL/dy) of outputs y (steps, B, O) on the batch, averaged as the baseline is.

    Adding: the squared error of the last step's output, averaged over the batch. Copy: the cross-entropy at
    every step, averaged over the steps and the batch.
    """
    steps, B = y.shape[0], y.shape[1]
    if batch.loss == "mse":
        targets = np.zeros_like(y)
        targets[-1] = batch.targets  # only the last step carries a loss term
        loss, dy = output_gradient(y, targets, "many_to_one", loss="mse")
        return loss / B, dy / B
    loss, dy = output_gradient(y, batch.targets, "many_to_many", loss="cross_entropy")
    return loss / (steps * B), dy / (steps * B)


@dataclass(frozen=True)
class StepRecord:
    """One optimiser step of one cell."""

    kind: str
    step: int  # 1..steps
    loss: float  # on this step's minibatch, before the update
    grad_norm: float  # ||g|| before clipping
    clipped: bool  # clipping changed the gradient
    skipped: bool  # the gradient was not finite, so no update was made


@dataclass(eq=False)
class CellTrainer:
    """One cell, its optimiser and its history; `step(batch)` trains on one minibatch."""

    kind: str
    config: TaskConfig
    cell: object = field(init=False)
    optimizer: object = field(init=False)
    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    skipped: list[bool] = field(default_factory=list)

    def __post_init__(self):
        self.cell = make_cell(self.kind, self.config)
        self.optimizer = make_optimizer(self.config.optimizer, self.config.learning_rate)

    def step(self, batch: TaskBatch) -> StepRecord:
        run = unroll(self.cell, batch.xs)  # (T, B, D) -> h (T+1, B, H), y (T, B, O)
        with np.errstate(all="ignore"):
            loss, dy = task_loss(run.y, batch)
        gradients = bptt(run, dy) if np.all(np.isfinite(dy)) else None
        if gradients is None:
            norm, clipped, skipped = float("nan"), False, True
        else:
            result = clip(gradients.total, self.config.clipping, self.config.clip_threshold)
            norm, clipped = result.norm_before, result.clipped
            skipped = not np.isfinite(global_norm(result.grads))
            if not skipped:
                self.optimizer.step(self.cell.params, result.grads)
        self.losses.append(float(loss))
        self.grad_norms.append(float(norm))
        self.clipped.append(bool(clipped))
        self.skipped.append(bool(skipped))
        return StepRecord(self.kind, len(self.losses), float(loss), float(norm), bool(clipped), bool(skipped))

    def history(self) -> CellHistory:
        return CellHistory(
            self.kind,
            np.array(self.losses),
            np.array(self.grad_norms),
            np.array(self.clipped, dtype=bool),
            np.array(self.skipped, dtype=bool),
        )


@dataclass(frozen=True, eq=False)
class CellHistory:
    """The per-step numbers of one cell's training."""

    kind: str
    loss: np.ndarray  # (steps,) minibatch loss before each update
    grad_norm: np.ndarray  # (steps,) ||g|| before clipping
    clipped: np.ndarray  # (steps,) bool
    skipped: np.ndarray  # (steps,) bool: non-finite gradient, no update
    evaluation_loss: float = float("nan")  # on a held-out batch after training

    @property
    def steps(self) -> int:
        return int(self.loss.shape[0])

    @property
    def recent_loss(self) -> float:
        """The mean minibatch loss over the last RECENT_STEPS steps."""
        if self.steps == 0:
            return float("nan")
        return float(np.mean(self.loss[-RECENT_STEPS:]))


@dataclass(frozen=True, eq=False)
class TaskResult:
    """The training of several cells on the same minibatches."""

    config: TaskConfig
    histories: dict[str, CellHistory]  # kind -> history
    stopped: bool  # the callback stopped the run before config.steps

    @property
    def baseline(self) -> float:
        return self.config.baseline

    @property
    def steps_done(self) -> int:
        return min((h.steps for h in self.histories.values()), default=0)

    def beats_baseline(self, kind: str) -> bool:
        """The cell's loss is clearly below the trivial baseline (see `outcome`)."""
        return outcome(self.histories[kind], self.baseline) == "below the baseline"


LEARNED_SHARE = 0.5  # a loss under half the baseline: the cell has learned the task
BASELINE_SHARE = 0.85  # a loss above 85 % of the baseline: the cell has learned only the average answer


def outcome(history: CellHistory, baseline: float) -> str:
    """ "below the baseline", "partly below the baseline" or "at the baseline", from the held-out loss (or, for a
    run stopped early, the mean loss of the last steps)."""
    loss = history.evaluation_loss if np.isfinite(history.evaluation_loss) else history.recent_loss
    if loss < LEARNED_SHARE * baseline:
        return "below the baseline"
    if loss < BASELINE_SHARE * baseline:
        return "partly below the baseline"
    return "at the baseline"


def evaluation_batch(config: TaskConfig) -> TaskBatch:
    """A held-out batch, drawn from its own seed: never one of the training minibatches."""
    rng = np.random.default_rng([config.seed, 1])
    return make_task(config.task, config.seq_length, EVALUATION_BATCH, rng)


def evaluate(cell, config: TaskConfig) -> float:
    """The cell's loss on the held-out batch."""
    batch = evaluation_batch(config)
    with np.errstate(all="ignore"):
        return task_loss(unroll(cell, batch.xs).y, batch)[0]


class TaskTrainer:
    """Trains each cell of `kinds` on `config.task` step by step, all on the same fresh minibatch at every step,
    so that a page can watch the run and stop it between two steps. `train_on_task` is its loop."""

    def __init__(self, config: TaskConfig, kinds: tuple[str, ...] = CELL_KINDS):
        if isinstance(kinds, str) or not kinds:
            raise ValueError(f"kinds must be a non-empty tuple of {list(CELL_KINDS)}, got {kinds!r}")
        for kind in kinds:
            one_of("kind", kind, CELL_KINDS)
        self.config = config
        self.trainers = {kind: CellTrainer(kind, config) for kind in dict.fromkeys(kinds)}
        self.rng = np.random.default_rng(config.seed)
        self.steps_done = 0
        self.stopped = False

    @property
    def running(self) -> bool:
        return not self.stopped and self.steps_done < self.config.steps

    def step(self) -> dict[str, StepRecord]:
        """One step: a fresh minibatch, one update of every cell; returns {kind: StepRecord}."""
        config = self.config
        batch = make_task(config.task, config.seq_length, config.batch_size, self.rng)
        self.steps_done += 1
        return {kind: trainer.step(batch) for kind, trainer in self.trainers.items()}

    def stop(self) -> None:
        """Stop before the last step; the steps done so far are kept."""
        if self.running:
            self.stopped = True

    def histories(self) -> dict[str, CellHistory]:
        """Each cell's history so far (no held-out loss yet)."""
        return {kind: trainer.history() for kind, trainer in self.trainers.items()}

    def result(self) -> TaskResult:
        """The histories, each with the cell's loss on the held-out batch now."""
        histories = {
            kind: replace(trainer.history(), evaluation_loss=evaluate(trainer.cell, self.config))
            for kind, trainer in self.trainers.items()
        }
        return TaskResult(self.config, histories, self.stopped)


def train_on_task(
    config: TaskConfig,
    kinds: tuple[str, ...] = CELL_KINDS,
    callback: Callable[[int, dict[str, StepRecord]], bool | None] | None = None,
) -> TaskResult:
    """Train each cell of `kinds` on `config.task`, all on the same fresh minibatch at every step.

    Parameters
    ----------
    config : the task, sizes, optimiser and clipping.
    kinds : cells to train, from "rnn", "lstm", "gru".
    callback : called after every step with (step, {kind: StepRecord}); returning False stops the run.

    Returns
    -------
    TaskResult with each cell's loss, gradient-norm and clipping history and its held-out loss at the end.
    """
    trainer = TaskTrainer(config, kinds)
    while trainer.running:
        records = trainer.step()
        if callback is not None and callback(trainer.steps_done, records) is False:
            trainer.stop()
    return trainer.result()


def spikes(grad_norm: np.ndarray, factor: float = 10.0, window: int = 20) -> np.ndarray:
    """Indices of steps whose gradient norm exceeds `factor` times the median of the `window` steps before it."""
    grad_norm = np.asarray(grad_norm, dtype=float)
    found = []
    for t in range(1, grad_norm.shape[0]):
        recent = grad_norm[max(0, t - window) : t]
        recent = recent[np.isfinite(recent)]
        if recent.size and np.isfinite(grad_norm[t]) and grad_norm[t] > factor * np.median(recent):
            found.append(t)
    return np.array(found, dtype=int)


# The comparison a teacher launches with one click: on the adding problem at T = 50 the vanilla cell stays at the
# baseline while the LSTM and the GRU learn the task (held-out loss under 0.01, against 0.167), in about 10 s on
# two cores; bench/bench_lstm.py times it and prints its result.
CLASSIC = TaskConfig(
    task="adding",
    seq_length=50,
    hidden_size=32,
    batch_size=32,
    steps=600,
    optimizer="adam",
    learning_rate=0.02,
    clipping="norm",
    clip_threshold=1.0,
    forget_bias=1.0,
    seed=0,
)
