"""Training the seed article's character model: each window of T characters predicts the next character.

    x_t = onehot(c_t)        h_t = f(W_hh h_{t-1} + W_xh x_t + b_h)        y_T = W_hy h_T + b_y
    p = softmax(y_T)         L = -(1/B) sum_b log p_b[target_b]

The loss sits on the last step only (many-to-one), y_T is the cell's own read-out at step T, and the loss is
Keras' categorical cross-entropy (the mean over the batch). Every minibatch is one vectorised pass through the
core: `unroll` on a (T, B, D) batch of one-hot windows, then `bptt`, with no loop over the windows.

Keras-like initialisation: Glorot-uniform W_xh and W_hy, orthogonal W_hh, zero biases. Adam with Keras'
defaults, shuffled minibatches, everything drawn from one seeded generator.

Truncated BPTT (Williams & Peng 1990, BPTT(k1, k2): every k1 steps, backpropagate k2 steps). Here the loss
comes once per window, at its last step, so k1 = T and k2 = k: only the terms of steps T-k+1..T are kept. The
backward pass runs through the core over those k steps with h_{T-k} held constant; the terms of steps 1..T-k
are dropped (k >= T is full BPTT).

Clipping (Pascanu, Mikolov & Bengio 2013) through `rnnviz.optim.clip`: "norm" rescales g when ||g|| > threshold
and keeps its direction, "elementwise" clips each entry and turns it.

The bundled text `rnnviz/data/alice.txt` is the opening of Chapter I of Lewis Carroll's "Alice's Adventures in
Wonderland" (1865), in the public domain (as in Project Gutenberg's eBook #11).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from rnnviz._checks import FLOAT_DTYPES, finite_number, one_of, positive_int
from rnnviz.activations import ACTIVATIONS, softmax
from rnnviz.init import glorot_uniform, orthogonal, sigma_max, spectral_radius
from rnnviz.losses import softmax_cross_entropy
from rnnviz.npz import read_npz
from rnnviz.optim import CLIPPING, OPTIMIZERS, clip, make_optimizer
from rnnviz.rnn import RNN
from rnnviz.run import Gradients, bptt, unroll
from rnnviz.settings import LIMITS, Limits

ARTICLE_TEXT = "This is GeeksforGeeks a software training institute"
ARTICLE_PREFIX = "This is G"
# What the article reports for its Keras run of the default recipe: epoch -> value.
ARTICLE_LOSS = {3: 2.79, 45: 1.77, 88: 0.61}
ARTICLE_ACCURACY = {3: 0.02, 45: 0.56, 77: 0.875, 88: 0.875}
OTHER_FRAMEWORK_ACCURACY = 0.95  # the same recipe in another framework, after 100 epochs

BUNDLED_TEXTS = {"alice": "alice.txt"}
BUNDLED_TITLES = {"alice": "Lewis Carroll, Alice's Adventures in Wonderland (1865), opening of Chapter I"}
TERM_NAMES = ("W_hh", "W_xh")  # the per-step terms recorded each epoch (the RNNbow view)
TERM_BATCHES = 8  # the per-step terms are measured on up to this many of an epoch's batches, evenly spread
MODEL_FORMAT = "rnnviz-char-rnn-1"
WEIGHT_NAMES = RNN.param_names  # W_xh, W_hh, b_h, W_hy, b_y
MODEL_KEYS = frozenset({*WEIGHT_NAMES, "vocabulary", "activation", "seq_length", "format"})
# The fixed cost of NumPy's calls, counted as the multiply-adds the same time does. bench/bench_train_cost.py
# measures them on one thread: about 3.3e9 multiply-adds a second in large batches; a batch of one window of one
# step takes 1.3 ms, each further step about 50 µs, the spectrum of W_hh about 30-40 H^3 multiply-adds' time.
# A batch of one window is almost all overhead.
BATCH_OVERHEAD = 4e6  # per minibatch: the one-hot batch, the read-out and loss, clipping, one Adam step
STEP_OVERHEAD = 2e5  # per time step of a minibatch: one step of unroll and one of bptt
EPOCH_OVERHEAD_PER_H3 = 40.0  # per epoch, times H^3: the spectral radius and sigma_max of W_hh
HISTORY_COLUMNS = (
    "epoch",
    "loss",
    "accuracy",
    "grad_norm",
    "grad_norm_max",
    "clipped_batches",
    "batches",
    "spectral_radius",
    "sigma_max",
)


def bundled_text(name: str = "alice") -> str:
    """The text shipped with rnnviz under `name` (see BUNDLED_TITLES)."""
    one_of("name", name, BUNDLED_TEXTS)
    return resources.files("rnnviz").joinpath("data", BUNDLED_TEXTS[name]).read_text(encoding="utf-8")


# text -> windows -----------------------------------------------------------------------------------
def char_vocabulary(text: str) -> tuple[str, ...]:
    """The distinct characters of `text`, sorted: character i is the 1 at index i of its one-hot vector."""
    return tuple(sorted(set(text)))


def check_text(text, seq_length: int, max_chars: int | None = None, max_vocabulary: int | None = None) -> str:
    """`text` if a model with windows of `seq_length` characters can learn from it; else a ValueError in words.

    max_chars, max_vocabulary : the most characters and distinct characters accepted (None: no bound; the app
    passes its server's, `rnnviz.settings.LIMITS.train_text_chars` and `train_vocabulary`).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    T = positive_int("seq_length", seq_length)
    if not text:
        raise ValueError("The text is empty: type or paste at least a sentence.")
    if max_chars is not None and len(text) > max_chars:
        raise ValueError(f"The text has {len(text):,} characters; at most {max_chars:,} can be trained on here.")
    if len(text) < T + 1:
        raise ValueError(
            f"The text has {len(text)} characters, but a window of {T} characters needs at least "
            f"{T + 1} (the window and the character after it)."
        )
    if "\x00" in text:
        raise ValueError("The text contains a NUL character (code 0); remove it.")
    distinct = len(set(text))
    if max_vocabulary is not None and distinct > max_vocabulary:
        raise ValueError(
            f"The text has {distinct} distinct characters; at most {max_vocabulary} can be one-hot encoded here."
        )
    return text


def encode(text: str, vocabulary: tuple[str, ...]) -> np.ndarray:
    """(len(text),) the index of each character in `vocabulary`; a ValueError names unseen characters."""
    index = {char: i for i, char in enumerate(vocabulary)}
    unseen = sorted({char for char in text if char not in index})
    if unseen:
        shown = ", ".join(repr(char) for char in unseen[:10])
        raise ValueError(
            f"These characters are not in the model's vocabulary: {shown}"
            f"{' …' if len(unseen) > 10 else ''}. It knows only the characters of its training text."
        )
    return np.fromiter((index[char] for char in text), dtype=np.int64, count=len(text))


def windows(codes: np.ndarray, seq_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, T), a read-only view, and targets (N,): window i is codes[i:i+T], its target codes[i+T]."""
    T = seq_length
    inputs = np.lib.stride_tricks.sliding_window_view(codes[:-1], T)  # (N, T), N = len(codes) - T
    return inputs, codes[T:]


def one_hot(indices: np.ndarray, vocab_size: int, dtype: str = "float64") -> np.ndarray:
    """(T, B, V) one-hot batch from window indices (B, T): the layout `unroll` takes."""
    B, T = indices.shape
    xs = np.zeros((T, B, vocab_size), dtype=dtype)
    xs[np.arange(T)[:, None], np.arange(B)[None, :], indices.T] = 1.0
    return xs


def keras_like_rnn(vocab_size: int, hidden_size: int, activation: str, rng: np.random.Generator) -> RNN:
    """Keras' SimpleRNN + Dense defaults: Glorot-uniform W_xh and W_hy, orthogonal W_hh, zero biases."""
    V, H = vocab_size, hidden_size
    W_xh = glorot_uniform(H, V, rng)  # (H, V)
    W_hh = orthogonal(H, H, rng)  # (H, H)
    W_hy = glorot_uniform(V, H, rng)  # (V, H)
    return RNN(W_xh, W_hh, np.zeros(H), W_hy, np.zeros(V), activation=activation)


# one minibatch ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BatchGradients:
    """The loss of one minibatch and its gradient, from one BPTT over the kept steps."""

    loss: float  # mean cross-entropy over the batch
    correct: int  # windows whose next character is the argmax prediction
    grads: dict[str, np.ndarray]  # dL/dparam; with truncation, only the kept steps' terms
    gradients: Gradients  # the core's result over the kept steps (per-step terms, dL/dh_t)
    first_kept_step: int  # steps first_kept_step..T keep their terms; 1..first_kept_step-1 are dropped


def window_gradients(cell: RNN, xs: np.ndarray, targets: np.ndarray, truncation: int | None = None) -> BatchGradients:
    """Loss and gradient of a batch of windows xs (T, B, D) whose next characters are `targets` (B,).

    With truncation = k < T, the backward pass covers steps T-k+1..T only: h_{T-k} enters them as a constant.
    """
    T, B = xs.shape[:2]
    k = T if truncation is None else min(positive_int("truncation", truncation), T)
    start = T - k  # h_start is held constant: the terms of steps 1..start are dropped
    if start > 0:
        head = unroll(cell, xs[:start])
        run = unroll(cell, xs[start:], h0=head.h[-1])
    else:
        run = unroll(cell, xs)
    logits = run.y[-1]  # y_T (B, V): the read-out at the last step
    with np.errstate(all="ignore"):
        loss_sum, dlogits = softmax_cross_entropy(logits[None], targets[None])
    dy = np.zeros_like(run.y)  # (k, B, V): no loss at the steps before T
    dy[-1] = dlogits[0] / B
    loss = loss_sum / B
    correct = int(np.sum(np.argmax(logits, axis=-1) == targets))
    if not np.isfinite(loss) or not np.all(np.isfinite(dy)):
        return BatchGradients(float(loss) if np.isfinite(loss) else float("nan"), correct, {}, None, start + 1)
    gradients = bptt(run, dy)
    return BatchGradients(float(loss), correct, gradients.total, gradients, start + 1)


# the recipe and the trainer ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """How the character model is trained. The defaults are the seed article's."""

    seq_length: int = 3  # T, characters per window
    hidden_size: int = 50  # H
    activation: str = "relu"
    epochs: int = 100
    batch_size: int = 32
    optimizer: str = "adam"  # "sgd" | "adam"
    learning_rate: float = 0.001
    seed: int = 0
    clipping: str = "none"  # "none" | "norm" | "elementwise"
    clip_threshold: float = 1.0
    truncation: int | None = None  # k: backpropagate the last k steps of each window; None = all of them
    dtype: str = "float64"  # "float64" (exact) | "float32" (about twice as fast, as PyTorch trains)

    def __post_init__(self):
        positive_int("seq_length", self.seq_length)
        positive_int("hidden_size", self.hidden_size)
        one_of("activation", self.activation, ACTIVATIONS)
        positive_int("epochs", self.epochs)
        positive_int("batch_size", self.batch_size)
        one_of("optimizer", self.optimizer, OPTIMIZERS)
        if finite_number("learning_rate", self.learning_rate, low=0.0) <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        positive_int("seed", self.seed, low=0)
        one_of("clipping", self.clipping, CLIPPING)
        if finite_number("clip_threshold", self.clip_threshold, low=0.0) <= 0:
            raise ValueError(f"clip_threshold must be positive, got {self.clip_threshold}")
        if self.truncation is not None:
            positive_int("truncation", self.truncation)
        one_of("dtype", self.dtype, FLOAT_DTYPES)

    @property
    def kept_steps(self) -> np.ndarray:
        """(T,) bool: step t's terms are kept by truncated BPTT."""
        T = self.seq_length
        k = T if self.truncation is None else min(self.truncation, T)
        return np.arange(1, T + 1) > T - k

    def batches(self, n_windows: int) -> int:
        """Minibatches in an epoch over `n_windows` windows (the last one may be smaller)."""
        return -(-n_windows // self.batch_size)

    def work(self, n_windows: int, vocab_size: int) -> float:
        """What the whole run costs, in multiply-adds, its fixed overheads included (see BATCH_OVERHEAD):

            epochs * (batches * (3 B T H (H + V) + BATCH_OVERHEAD + T STEP_OVERHEAD) + EPOCH_OVERHEAD_PER_H3 H^3)

        with batches = ceil(windows / B) and 3 B T H (H + V) the forward and backward products of one batch.
        """
        H, V, T, B = self.hidden_size, vocab_size, self.seq_length, min(self.batch_size, n_windows)
        per_batch = 3.0 * B * T * H * (H + V) + BATCH_OVERHEAD + T * STEP_OVERHEAD
        return self.epochs * (self.batches(n_windows) * per_batch + EPOCH_OVERHEAD_PER_H3 * H**3)


class CharModel:
    """A trained character model: the cell, its vocabulary and its window length; it predicts and generates."""

    def __init__(self, cell: RNN, vocabulary: tuple[str, ...], seq_length: int):
        self.cell, self.vocabulary, self.seq_length = cell, tuple(vocabulary), int(seq_length)

    def next_probabilities(self, context: str) -> np.ndarray:
        """(V,) softmax(y_T) after reading the last seq_length characters of `context`."""
        codes = encode(context, self.vocabulary)[-self.seq_length :]
        return softmax(self._logits(codes))

    def _logits(self, codes: np.ndarray) -> np.ndarray:
        xs = np.eye(len(self.vocabulary))[codes]  # (t, V)
        return unroll(self.cell, xs).y[-1]

    def generate(self, prefix: str, n_chars: int = 50, temperature: float = 0.0, seed: int = 0) -> str:
        """prefix + n_chars characters, each predicted from the last seq_length characters.

        temperature 0 takes the argmax (the article's generation); above 0, the next character is drawn from
        softmax(y_T / temperature) with a generator seeded by `seed`.
        """
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("The prefix is empty: type at least one character to start from.")
        low, high = LIMITS.generate_chars
        n_chars = positive_int("n_chars", n_chars, low=low, high=high)
        temperature = finite_number("temperature", temperature, *LIMITS.temperature)
        codes = list(encode(prefix, self.vocabulary))
        rng = np.random.default_rng(seed)
        for _ in range(n_chars):
            with np.errstate(all="ignore"):
                logits = self._logits(np.array(codes[-self.seq_length :]))
            if not np.all(np.isfinite(logits)):
                raise ValueError("The model's output is not finite for this text: its weights have exploded.")
            if temperature == 0:
                codes.append(int(np.argmax(logits)))
            else:
                codes.append(int(rng.choice(len(logits), p=softmax(logits / temperature))))
        return prefix + "".join(self.vocabulary[c] for c in codes[len(prefix) :])


@dataclass(eq=False)
class TrainResult:
    """What `train_char_rnn` returns: the model, its history and the per-epoch diagnostics."""

    model: RNN
    vocabulary: tuple[str, ...]
    recipe: Recipe
    history: pd.DataFrame  # a row per epoch; columns HISTORY_COLUMNS
    step_norms: dict[str, np.ndarray]  # name -> (epochs, T): mean ||step t's term|| over up to TERM_BATCHES batches
    initial_weights: dict[str, float]  # spectral_radius and sigma_max of W_hh before training
    status: str = "finished"  # "finished" | "stopped" | "diverged" | "training"
    message: str = ""
    n_windows: int = 0

    @property
    def char_model(self) -> CharModel:
        return CharModel(self.model, self.vocabulary, self.recipe.seq_length)

    @property
    def kept_steps(self) -> np.ndarray:
        """(T,) bool: which steps' gradient terms truncated BPTT keeps."""
        return self.recipe.kept_steps

    def generate(self, prefix: str, n_chars: int = 50, temperature: float = 0.0, seed: int = 0) -> str:
        """prefix + n_chars characters (see `CharModel.generate`); temperature 0 = argmax."""
        return self.char_model.generate(prefix, n_chars, temperature, seed)


def _weights(cell: RNN) -> dict[str, float]:
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(cell.W_hh)):
            return {"spectral_radius": float("nan"), "sigma_max": float("nan")}
        return {"spectral_radius": spectral_radius(cell.W_hh), "sigma_max": sigma_max(cell.W_hh)}


@dataclass(eq=False)
class _Epoch:
    """An epoch in progress: its shuffled windows, the next batch, and what its history row sums."""

    order: np.ndarray  # (N,) the windows in this epoch's order
    starts: range  # the first position in `order` of each batch
    measured: set[int]  # the batches whose per-step terms are recorded
    before: dict[str, np.ndarray]  # the weights when the epoch began (kept if the loss diverges)
    step_sums: dict[str, np.ndarray]  # name -> (T,) summed term norms of the measured batches
    next_batch: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    norms: list[float] = field(default_factory=list)
    clipped: int = 0


@dataclass(eq=False)
class CharTrainer:
    """Trains the character model batch by batch, so a page can show each epoch and stop within one.

    `train_char_rnn` is `CharTrainer(text, Recipe(...)).train()`.
    """

    text: str
    recipe: Recipe = field(default_factory=Recipe)
    max_text_chars: int | None = None  # the longest text accepted (None: no bound)
    diagnostics: bool = True  # record the per-step terms and the spectrum of W_hh each epoch
    max_vocabulary: int | None = None  # the most distinct characters accepted (None: no bound)

    def __post_init__(self):
        if not isinstance(self.recipe, Recipe):
            raise ValueError(f"recipe must be an rnnviz.train.Recipe, got {type(self.recipe).__name__}")
        check_text(self.text, self.recipe.seq_length, self.max_text_chars, self.max_vocabulary)
        self.vocabulary = char_vocabulary(self.text)
        self.inputs, self.targets = windows(encode(self.text, self.vocabulary), self.recipe.seq_length)
        self.rng = np.random.default_rng(self.recipe.seed)
        cell = keras_like_rnn(len(self.vocabulary), self.recipe.hidden_size, self.recipe.activation, self.rng)
        self.cell = cell.astype(self.recipe.dtype)  # the same draws in either precision
        self.optimizer = make_optimizer(self.recipe.optimizer, self.recipe.learning_rate)
        self.initial_weights = _weights(self.cell)
        self.rows: list[dict] = []
        self.step_norms: dict[str, list[np.ndarray]] = {name: [] for name in TERM_NAMES}
        self.status, self.message = "training", ""
        self._epoch: _Epoch | None = None  # the epoch in progress, between two calls of train_batch

    @property
    def n_windows(self) -> int:
        return self.targets.shape[0]

    @property
    def epochs_done(self) -> int:
        return len(self.rows)

    @property
    def running(self) -> bool:
        return self.status == "training" and self.epochs_done < self.recipe.epochs

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.n_windows // self.recipe.batch_size)

    @property
    def batches_into_epoch(self) -> int:
        """Batches trained of the epoch in progress (0 between two epochs)."""
        return 0 if self._epoch is None else self._epoch.next_batch

    def _start_epoch(self) -> _Epoch:
        starts = range(0, self.n_windows, self.recipe.batch_size)
        measured = np.linspace(0, len(starts) - 1, min(TERM_BATCHES, len(starts))).round().astype(int).tolist()
        return _Epoch(
            order=self.rng.permutation(self.n_windows),
            starts=starts,
            measured=set(measured),
            before={name: value.copy() for name, value in self.cell.params.items()},
            step_sums={name: np.zeros(self.recipe.seq_length) for name in TERM_NAMES},
        )

    def train_batch(self) -> dict | None:
        """One minibatch of the epoch in progress (a new epoch starts with shuffled windows).

        Returns the epoch's history row when this batch ends it, else None; None too if the loss stopped being
        finite (then the model is back where the epoch started and the status is "diverged")."""
        recipe, cell = self.recipe, self.cell
        if self._epoch is None:
            self._epoch = self._start_epoch()
        epoch = self._epoch
        start = epoch.starts[epoch.next_batch]
        batch = epoch.order[start : start + recipe.batch_size]
        xs = one_hot(self.inputs[batch], len(self.vocabulary), recipe.dtype)  # (T, B, V)
        result = window_gradients(cell, xs, self.targets[batch], recipe.truncation)
        clipping = clip(result.grads, recipe.clipping, recipe.clip_threshold) if result.grads else None
        if clipping is None or not np.isfinite(clipping.norm_before):
            return self._diverged(epoch.before, result.loss)
        self.optimizer.step(cell.params, clipping.grads)
        epoch.loss_sum += result.loss * batch.size
        epoch.correct += result.correct
        epoch.norms.append(clipping.norm_before)
        epoch.clipped += clipping.clipped
        if self.diagnostics and epoch.next_batch in epoch.measured:
            first = result.first_kept_step - 1
            for name in TERM_NAMES:
                epoch.step_sums[name][first:] += result.gradients.term_norms(name)
        epoch.next_batch += 1
        return self._end_epoch() if epoch.next_batch == len(epoch.starts) else None

    def _end_epoch(self) -> dict | None:
        epoch, recipe, N, T = self._epoch, self.recipe, self.n_windows, self.recipe.seq_length
        if not all(np.all(np.isfinite(value)) for value in self.cell.params.values()):
            return self._diverged(epoch.before, float("nan"))
        self._epoch = None
        row = {
            "epoch": self.epochs_done + 1,
            "loss": epoch.loss_sum / N,
            "accuracy": epoch.correct / N,
            "grad_norm": float(np.mean(epoch.norms)),
            "grad_norm_max": float(np.max(epoch.norms)),
            "clipped_batches": int(epoch.clipped),
            "batches": len(epoch.norms),
            **(_weights(self.cell) if self.diagnostics else {"spectral_radius": np.nan, "sigma_max": np.nan}),
        }
        self.rows.append(row)
        dropped = ~recipe.kept_steps
        for name in TERM_NAMES:
            mean = epoch.step_sums[name] / len(epoch.measured) if self.diagnostics else np.full(T, np.nan)
            mean[dropped] = np.nan  # those terms were never computed: truncation dropped them
            self.step_norms[name].append(mean)
        if self.epochs_done >= recipe.epochs:
            self.status = "finished"
        return row

    def train_epoch(self) -> dict | None:
        """The rest of the epoch in progress (a whole epoch between two); its history row, or None if the loss
        stopped being finite."""
        while self.running:
            row = self.train_batch()
            if row is not None:
                return row
        return None

    def _diverged(self, before: dict[str, np.ndarray], loss: float) -> None:
        for name, value in self.cell.params.items():
            value[...] = before[name]  # back to the end of the last complete epoch
        self._epoch = None
        epoch = self.epochs_done + 1
        what = "NaN" if np.isnan(loss) else "infinite" if np.isinf(loss) else "not finite (its gradient overflowed)"
        self.status = "diverged"
        self.message = (
            f"The loss became {what} in epoch {epoch} with learning rate "
            f"{self.recipe.learning_rate:g}: training stopped. The model is kept as it was after "
            f"epoch {epoch - 1}. Lower the learning rate, or clip the gradient."
        )
        return None

    def stop(self) -> None:
        """Stop now (between two batches) and keep the model trained so far, the batches of an unfinished epoch
        included; the history holds the complete epochs."""
        if self.running:
            self.status = "stopped"
            self.message = f"Stopped after epoch {self.epochs_done} of {self.recipe.epochs}."
            if self.batches_into_epoch:
                self.message += (
                    f" The model also keeps the updates of {self.batches_into_epoch:,} of epoch "
                    f"{self.epochs_done + 1}'s {self.batches_per_epoch:,} batches; the charts show the complete epochs."
                )

    def train(
        self,
        epochs: int | None = None,
        on_epoch: Callable[[dict], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> TrainResult:
        """Train up to `epochs` more epochs (all that remain when None), calling on_epoch(row) after each.

        should_stop() is asked before every minibatch: True stops there, within the epoch, and the model trained so
        far is kept (see `stop`). Training also ends when the loss diverges.
        """
        remaining = self.recipe.epochs - self.epochs_done if epochs is None else positive_int("epochs", epochs)
        target = self.epochs_done + remaining
        while self.running and self.epochs_done < target:
            if should_stop is not None and should_stop():
                self.stop()
                break
            row = self.train_batch()
            if row is not None and on_epoch is not None:
                on_epoch(row)
        return self.result()

    def result(self) -> TrainResult:
        T = self.recipe.seq_length
        history = pd.DataFrame(self.rows, columns=list(HISTORY_COLUMNS))
        step_norms = {name: np.array(rows).reshape(len(rows), T) for name, rows in self.step_norms.items()}
        return TrainResult(
            model=self.cell,
            vocabulary=self.vocabulary,
            recipe=self.recipe,
            history=history,
            step_norms=step_norms,
            initial_weights=self.initial_weights,
            status=self.status,
            message=self.message,
            n_windows=self.n_windows,
        )


def train_char_rnn(
    text: str,
    seq_length: int = 3,
    hidden_size: int = 50,
    activation: str = "relu",
    epochs: int = 100,
    batch_size: int = 32,
    optimizer: str = "adam",
    learning_rate: float = 0.001,
    seed: int = 0,
    *,
    clipping: str = "none",
    clip_threshold: float = 1.0,
    truncation: int | None = None,
    dtype: str = "float64",
    on_epoch: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    max_text_chars: int | None = None,
    max_vocabulary: int | None = None,
) -> TrainResult:
    """Train the seed article's character model on `text` (see the module docstring for the equations).

    Parameters
    ----------
    text : the training text; every window of `seq_length` characters predicts the character after it.
    seq_length, hidden_size, activation : T, H and f of the cell.
    epochs, batch_size, optimizer, learning_rate, seed : the training recipe ("sgd" or "adam").
    clipping, clip_threshold : "none" | "norm" (Pascanu's algorithm) | "elementwise", at the threshold.
    truncation : k, truncated BPTT over the last k steps of each window (None or k >= T: full BPTT).
    dtype : "float64" (the default, exact) or "float32": forward, backward and the optimiser's state in
        float32, about twice as fast, as PyTorch trains; the model is then a float32 cell.
    on_epoch : called with each epoch's history row (for live progress).
    should_stop : checked before each minibatch; True stops there, within the epoch, keeping the model trained
        so far (the history holds the complete epochs).
    max_text_chars, max_vocabulary : the most characters and distinct characters accepted (None, the default: no
        bound; the app passes its server's limits).

    Returns
    -------
    TrainResult
        .history (a row per epoch: epoch, loss, accuracy, grad_norm, ...), .model (the rnnviz.RNN),
        .generate(prefix, n_chars=50, temperature=0.0).
    """
    recipe = Recipe(
        seq_length=seq_length,
        hidden_size=hidden_size,
        activation=activation,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=learning_rate,
        seed=seed,
        clipping=clipping,
        clip_threshold=clip_threshold,
        truncation=truncation,
        dtype=dtype,
    )
    trainer = CharTrainer(text, recipe, max_text_chars, max_vocabulary=max_vocabulary)
    return trainer.train(on_epoch=on_epoch, should_stop=should_stop)


# saving and loading ----------------------------------------------------------------------------------------
def save_model(model: CharModel | TrainResult, file) -> None:
    """Write the model to `file` (a path or a binary file) as a compressed .npz with no pickled object.

    The weights are written in float64 whatever the cell computes in (float32 converts exactly), so a loaded
    model is a float64 cell."""
    if isinstance(model, TrainResult):
        model = model.char_model
    if not isinstance(model, CharModel):
        raise ValueError(f"model must be a CharModel or a TrainResult, got {type(model).__name__}")
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in model.cell.params.items()}
    np.savez_compressed(
        file,
        **arrays,
        vocabulary=np.array(model.vocabulary, dtype="<U1"),
        activation=np.array(model.cell.activation.name),
        seq_length=np.array(model.seq_length),
        format=np.array(MODEL_FORMAT),
    )


def model_bytes(model: CharModel | TrainResult) -> bytes:
    """The .npz file of `model` as bytes (for a download button)."""
    buffer = io.BytesIO()
    save_model(model, buffer)
    return buffer.getvalue()


def load_model(source, limits: Limits | None = None) -> CharModel:
    """A model from a .npz file written by `save_model`: a path, bytes or a binary file.

    The archive is read by `rnnviz.npz.read_npz`: every member's header is checked before its array is read, and
    nothing is unpickled. Then the keys, shapes, dtypes, finiteness, the vocabulary, the activation and every
    size are checked; any problem is a ValueError that says what is wrong with the file. `limits` bounds the file's
    size, its vocabulary, window and hidden size (the app passes its server's, `rnnviz.settings.LIMITS`); without
    them a notebook opens any model it saved.
    """
    data = _read_bounded(source, limits.model_file_bytes if limits else None)
    arrays = read_npz(data, max_bytes=limits.model_file_bytes if limits else sys.maxsize)
    names = set(arrays)
    if names != MODEL_KEYS:
        missing, extra = sorted(MODEL_KEYS - names), sorted(names - MODEL_KEYS)
        raise ValueError(
            "This .npz file is not an rnnviz model: "
            + "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra[:5])}" if extra else "",
                )
                if part
            )
        )
    return _model_from_arrays(arrays, limits)


def _read_bounded(source, limit: int | None) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"There is no model file at {str(path)!r}.")
        if limit is not None and path.stat().st_size > limit:
            raise ValueError(f"This model file is larger than {limit:,} bytes, the most accepted here.")
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read() if limit is None else source.read(limit + 1)
        if not isinstance(data, bytes):
            raise ValueError("The model file must be opened in binary mode.")
    else:
        raise ValueError(f"source must be a path, bytes or a binary file, got {type(source).__name__}")
    if limit is not None and len(data) > limit:
        raise ValueError(f"This model file is larger than {limit:,} bytes, the most accepted here.")
    return data


def _model_from_arrays(arrays: dict[str, np.ndarray], limits: Limits | None) -> CharModel:
    text_kind = {"format", "activation", "vocabulary"}
    for name in text_kind:
        if arrays[name].dtype.kind != "U":
            raise ValueError(f"In this model file, {name} must be text, got an array of {arrays[name].dtype}.")
    if arrays["format"].shape != () or str(arrays["format"]) != MODEL_FORMAT:
        raise ValueError(f"This file is not an rnnviz character model (format {MODEL_FORMAT!r} expected).")
    activation = str(arrays["activation"]) if arrays["activation"].shape == () else ""
    if activation not in ACTIVATIONS:
        raise ValueError(f"In this model file, the activation must be one of {', '.join(ACTIVATIONS)}.")
    vocabulary = arrays["vocabulary"]
    if vocabulary.ndim != 1 or not all(len(char) == 1 for char in vocabulary.tolist()):
        raise ValueError("In this model file, the vocabulary must be a list of single characters.")
    vocabulary = tuple(vocabulary.tolist())
    V = len(vocabulary)
    low_v, high_v = 2, limits.train_vocabulary if limits else V
    if len(set(vocabulary)) != V:
        raise ValueError("In this model file, the vocabulary repeats a character.")
    if not low_v <= V <= high_v:
        raise ValueError(f"In this model file, the vocabulary has {V} characters; {low_v} to {high_v} are accepted.")
    seq_length = arrays["seq_length"]
    low_t, high_t = limits.train_window if limits else (1, np.iinfo(np.int64).max)
    if seq_length.shape != () or seq_length.dtype.kind not in "iu" or not low_t <= int(seq_length) <= high_t:
        raise ValueError(f"In this model file, seq_length must be one integer from {low_t} to {high_t}.")
    weights = {}
    for name in WEIGHT_NAMES:
        value = arrays[name]
        if value.dtype.kind != "f":
            raise ValueError(f"In this model file, {name} must hold floating-point numbers, got {value.dtype}.")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"In this model file, {name} has entries that are NaN or infinite.")
        weights[name] = value.astype(np.float64)
    H = weights["W_hh"].shape[0] if weights["W_hh"].ndim == 2 else 0
    low_h, high_h = limits.train_hidden_size if limits else (1, max(H, 1))
    if not low_h <= H <= high_h:
        raise ValueError(
            f"In this model file, the hidden size must be from {low_h} to {high_h}, "
            f"got W_hh of shape {weights['W_hh'].shape}."
        )
    expected = {"W_xh": (H, V), "W_hh": (H, H), "b_h": (H,), "W_hy": (V, H), "b_y": (V,)}
    for name, shape in expected.items():
        if weights[name].shape != shape:
            raise ValueError(
                f"In this model file, {name} must have shape {shape} for H = {H} and a vocabulary "
                f"of {V} characters, got {weights[name].shape}."
            )
    cell = RNN(**weights, activation=activation)
    return CharModel(cell, vocabulary, int(seq_length))
