"""The settings a user picks, as one frozen dataclass, with every bound in one place.

The sidebar and the URL both map to and from `Settings`; `parse_query` turns untrusted query parameters into
settings and says in words what it had to ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from rnnviz.activations import ACTIVATIONS
from rnnviz.init import RECURRENT_INITS
from rnnviz.inputs import INPUT_KINDS
from rnnviz.losses import LOSS_PLACEMENTS


@dataclass(frozen=True)
class Limits:
    """The bounds of every size a user can set (the hosted demo is shared by strangers)."""

    hidden_size: tuple[int, int] = (2, 256)
    seq_length: tuple[int, int] = (2, 500)
    scale: tuple[float, float] = (0.05, 5.0)  # at the top a linear cell (or ReLU on identity) overflows by T = 500
    scale_step: float = 0.05
    seed: tuple[int, int] = (0, 9999)
    query_value_length: int = 32  # longer query values are rejected unread
    forget_bias: tuple[float, float] = (-2.0, 5.0)  # added to the LSTM's forget-gate bias
    task_seq_length: tuple[int, int] = (10, 200)  # T of the adding problem, the copy task's delay
    task_hidden_size: tuple[int, int] = (4, 64)  # H of the cells trained on a long-range task
    task_batch_size: tuple[int, int] = (4, 64)
    task_steps: tuple[int, int] = (10, 1500)  # optimiser steps of one training run
    task_learning_rate: tuple[float, float] = (1e-4, 0.1)
    task_clip_threshold: tuple[float, float] = (0.01, 100.0)
    task_work: float = 2e11  # most multiply-adds of one run of the three cells, `TaskConfig.work` (about a minute)
    # the Train page: the character model and its recipe
    train_text_chars: int = 20_000  # longest training text (characters)
    train_vocabulary: int = 200  # most distinct characters in a text or a model file
    train_window: tuple[int, int] = (1, 64)  # characters per window (the model's T)
    train_hidden_size: tuple[int, int] = (2, 256)
    train_epochs: tuple[int, int] = (1, 500)
    train_batch_size: tuple[int, int] = (1, 512)
    learning_rate: tuple[float, float] = (1e-5, 10.0)
    clip_threshold: tuple[float, float] = (0.01, 100.0)
    train_typed: int = 1_000_000  # the most Train's H, T, epochs and batch fields take; Train refuses past their bounds
    train_work: float = 2e11  # most multiply-adds of one training run, `Recipe.work` with overheads (about a minute)
    generate_chars: tuple[int, int] = (0, 1000)
    generate_prefix_chars: int = 200  # the generation box's prefix
    temperature: tuple[float, float] = (0.0, 3.0)
    model_file_bytes: int = 2_000_000  # largest model file read (compressed and uncompressed)
    model_units: int = 512  # an opened model's largest input size D and output size O
    model_steps: tuple[int, int] = (1, 500)  # T of the sequence an opened model reads
    model_csv_chars: int = 200_000  # the characters of a sequence typed or uploaded as CSV
    model_work: float = 2e9  # a gated model's T * (state size)^3 at most: its one-step Jacobians cost that (~2 s)
    class_code_chars: int = 12  # a typed class code (6 letters and digits, with room for spaces)
    # the Sequences page: sentences to one-hot vectors, and the parameter count of a dense network vs an RNN
    sequence_text_chars: int = 400  # the sentences' text box
    sequence_sentences: int = 4  # sentences encoded (one per line)
    sequence_tokens: int = 16  # tokens per sentence: the one-hot picture stays readable
    count_tokens: tuple[int, int] = (1, 10_000)  # T of the parameter count
    count_vocabulary: tuple[int, int] = (1, 1_000_000)  # V of the parameter count
    count_hidden: tuple[int, int] = (1, 10_000)  # H of the parameter count


LIMITS = Limits()


@dataclass(frozen=True)
class Settings:
    """What the shared controls set. The query parameter of each field is its name in QUERY_KEYS."""

    activation: str = "tanh"  # one of ACTIVATIONS
    scale: float = 1.0  # the scale of W_hh for the chosen init
    init: str = "gaussian"  # one of RECURRENT_INITS
    hidden_size: int = 32  # H
    seq_length: int = 60  # T
    input_kind: str = "gaussian"  # one of INPUT_KINDS
    loss_placement: str = "many_to_one"  # one of LOSS_PLACEMENTS
    seed: int = 0

    def __post_init__(self):
        problems = validate(self)
        if problems:
            raise ValueError("; ".join(problems))
        for name in RANGES:  # 32.0 -> 32 for H, 1 -> 1.0 for the scale: equal settings compare and hash equal
            object.__setattr__(self, name, type(DEFAULTS[name])(getattr(self, name)))

    def replace(self, **changes) -> Settings:
        """A copy with `changes` applied, checked like any new Settings."""
        return replace(self, **changes)


CHOICES: dict[str, tuple[str, ...]] = {
    "activation": tuple(ACTIVATIONS),
    "init": RECURRENT_INITS,
    "input_kind": INPUT_KINDS,
    "loss_placement": LOSS_PLACEMENTS,
}
RANGES: dict[str, tuple[float, float]] = {
    "scale": LIMITS.scale,
    "hidden_size": LIMITS.hidden_size,
    "seq_length": LIMITS.seq_length,
    "seed": LIMITS.seed,
}
QUERY_KEYS: dict[str, str] = {
    "activation": "activation",
    "scale": "scale",
    "init": "init",
    "hidden_size": "H",
    "seq_length": "T",
    "input_kind": "input",
    "loss_placement": "loss",
    "seed": "seed",
}
DEFAULTS = {f.name: f.default for f in fields(Settings)}


def validate(settings: Settings) -> list[str]:
    """Every problem with the settings' values, in words; empty when all of them can be used."""
    problems = []
    for name, value in asdict(settings).items():
        if name in CHOICES and (not isinstance(value, str) or value not in CHOICES[name]):
            problems.append(f"{name} must be one of {list(CHOICES[name])}, got {value!r}")
        if name in RANGES:
            low, high = RANGES[name]
            kind = type(DEFAULTS[name])
            number = _as_number(value, kind)
            if number is None or not low <= number <= high:
                problems.append(f"{name} must be a {kind.__name__} between {low} and {high}, got {value!r}")
    return problems


def _as_number(value, kind: type) -> int | float | None:
    """`value` as a finite number of `kind` (an int only when it is a whole number), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    if not np.isfinite(value) or (kind is int and not float(value).is_integer()):
        return None
    return kind(value)


def parse_value(name: str, raw: str):
    """The value of field `name` from the text `raw`, or ValueError saying what was expected."""
    if name not in QUERY_KEYS:
        raise ValueError(f"name must be one of {list(QUERY_KEYS)}, got {name!r}")
    text = str(raw).strip()
    if len(text) > LIMITS.query_value_length:
        raise ValueError(f"{QUERY_KEYS[name]} is too long")
    if name in CHOICES:
        if text not in CHOICES[name]:
            raise ValueError(f"{QUERY_KEYS[name]}={text!r} is not one of {', '.join(CHOICES[name])}")
        return text
    low, high = RANGES[name]
    try:
        value = float(text) if isinstance(DEFAULTS[name], float) else int(text)
    except ValueError:
        raise ValueError(f"{QUERY_KEYS[name]}={text!r} {_not_whole(text)}") from None
    if not np.isfinite(value):  # NaN, inf, 1e400
        raise ValueError(f"{QUERY_KEYS[name]}={text!r} is not a finite number")
    if not low <= value <= high:
        raise ValueError(f"{QUERY_KEYS[name]}={text!r} is outside {low:g} to {high:g}")
    return value


def _not_whole(text: str) -> str:
    """Why `text` is not a whole number written in digits, in words."""
    try:
        number = float(text)
    except ValueError:
        return "is not a number"
    if not np.isfinite(number):
        return "is not a finite number"
    return "is not written as a whole number" if number.is_integer() else "is not a whole number"


def parse_query(params: Mapping[str, str], base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from URL query parameters; each bad parameter keeps the value of `base` and adds a notice."""
    values, notices = asdict(base or Settings()), []
    for name, key in QUERY_KEYS.items():
        if key not in params:
            continue
        raw = params[key]
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        try:
            values[name] = parse_value(name, raw)
        except ValueError as error:
            notices.append(f"{error}; using {values[name]!r} instead.")
    return Settings(**values), notices


def to_query(settings: Settings) -> dict[str, str]:
    """The query parameters of the settings that differ from the defaults; `parse_query` reads them back exactly."""
    return {QUERY_KEYS[name]: _query_text(value) for name, value in asdict(settings).items() if value != DEFAULTS[name]}


def _query_text(value) -> str:
    """1.2 -> "1.2", 2.0 -> "2", and the shortest exact text of any other float."""
    if not isinstance(value, float):
        return str(value)
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


PRESETS: dict[str, Settings] = {  # each checked by tests to show the regime it is named for
    "Gradients vanish": Settings(activation="sigmoid", scale=1.0, init="gaussian"),
    "Gradients explode": Settings(activation="relu", scale=1.2, init="identity"),
    "On the edge": Settings(activation="tanh", scale=1.0, init="orthogonal", input_kind="impulse"),
}
PRESET_REGIMES = {"Gradients vanish": "vanishing", "Gradients explode": "exploding", "On the edge": "near the edge"}
