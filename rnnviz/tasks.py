"""Long-range tasks where a vanilla RNN fails and gated cells succeed, with the loss of the trivial answer.

Adding problem (Hochreiter & Schmidhuber 1997; as in Le, Jaitly & Hinton 2015): at each of T steps the input is
(value ~ U(0, 1), marker); exactly two markers are 1, one in each half; the target is the sum of the two marked
values, read after the last step. Always answering 1 gives MSE = Var(U + U') = 1/6 ~ 0.167.

Copy memory (Arjovsky, Shah & Bengio 2016): 10 symbols from 8, then T - 1 blanks, a delimiter and 10 blanks;
the output must be blank until the delimiter's echo and then the 10 symbols. Always answering blank, then a
uniform guess, gives the cross-entropy 10 log 8 / (T + 20) per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import one_of, positive_int

TASKS = ("adding", "copy")
COPY_LENGTH = 10  # symbols to remember
COPY_SYMBOLS = 8  # data symbols 1..8; 0 is blank, 9 the delimiter
BLANK, DELIMITER = 0, COPY_SYMBOLS + 1


@dataclass(frozen=True)
class TaskBatch:
    xs: np.ndarray  # (steps, B, D)
    targets: np.ndarray  # adding: (B, 1) values; copy: (steps, B) class indices
    loss: str  # "mse" on the last step, or "cross_entropy" at every step
    placement: str  # "many_to_one" | "many_to_many"


def adding_problem(seq_length: int, batch_size: int, rng: np.random.Generator) -> TaskBatch:
    """xs (T, B, 2): values and markers; targets (B, 1): the sum of the two marked values."""
    T = positive_int("seq_length", seq_length, low=2)
    B = positive_int("batch_size", batch_size)
    values = rng.uniform(0.0, 1.0, size=(T, B))
    markers = np.zeros((T, B))
    half = T // 2
    first = rng.integers(0, half, size=B)
    second = rng.integers(half, T, size=B)
    markers[first, np.arange(B)] = 1.0
    markers[second, np.arange(B)] = 1.0
    targets = (values[first, np.arange(B)] + values[second, np.arange(B)])[:, None]
    return TaskBatch(np.stack([values, markers], axis=-1), targets, "mse", "many_to_one")


def copy_memory(delay: int, batch_size: int, rng: np.random.Generator) -> TaskBatch:
    """xs (T + 20, B, 10) one-hot; targets (T + 20, B): blanks, then the 10 symbols after the delimiter."""
    T = positive_int("delay", delay)
    B = positive_int("batch_size", batch_size)
    steps = T + 2 * COPY_LENGTH
    symbols = rng.integers(1, COPY_SYMBOLS + 1, size=(COPY_LENGTH, B))
    inputs = np.full((steps, B), BLANK)
    inputs[:COPY_LENGTH] = symbols
    inputs[T + COPY_LENGTH - 1] = DELIMITER
    targets = np.full((steps, B), BLANK)
    targets[-COPY_LENGTH:] = symbols
    xs = np.eye(COPY_SYMBOLS + 2)[inputs]
    return TaskBatch(xs, targets, "cross_entropy", "many_to_many")


def make_task(task: str, seq_length: int, batch_size: int, rng: np.random.Generator) -> TaskBatch:
    one_of("task", task, TASKS)
    return (adding_problem if task == "adding" else copy_memory)(seq_length, batch_size, rng)


def task_sizes(task: str) -> tuple[int, int]:
    """(input size D, output size O) of a task."""
    one_of("task", task, TASKS)
    return (2, 1) if task == "adding" else (COPY_SYMBOLS + 2, COPY_SYMBOLS + 2)


def baseline_loss(task: str, seq_length: int) -> float:
    """The loss of the trivial answer: 1/6 for adding; 10 log 8 / (T + 20) for copy memory."""
    one_of("task", task, TASKS)
    if task == "adding":
        return 1.0 / 6.0
    return COPY_LENGTH * np.log(COPY_SYMBOLS) / (positive_int("seq_length", seq_length) + 2 * COPY_LENGTH)
