"""The settings a user picks, as one frozen dataclass, with every bound in one place.

The sidebar and the URL both map to and from `Settings`; `parse_query` turns untrusted query parameters into
settings and says in words what it had to ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from rnnviz.activations import ACTIVATIONS
from rnnviz.init import RECURRENT_INITS
from rnnviz.inputs import INPUT_KINDS
from rnnviz.losses import LOSS_PLACEMENTS


@dataclass(frozen=True)
class Limits:
    """The bounds of every size a user can set (the hosted demo is shared by strangers)."""

    hidden_size: tuple[int, int] = (2, 256)
    seq_length: tuple[int, int] = (2, 500)
    scale: tuple[float, float] = (0.05, 3.0)
    scale_step: float = 0.05
    seed: tuple[int, int] = (0, 9999)
    query_value_length: int = 32  # longer query values are rejected unread


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

    def replace(self, **changes) -> Settings:
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
    problems = []
    for name, value in asdict(settings).items():
        if name in CHOICES and value not in CHOICES[name]:
            problems.append(f"{name} must be one of {list(CHOICES[name])}, got {value!r}")
        if name in RANGES:
            low, high = RANGES[name]
            kind = int if isinstance(DEFAULTS[name], int) else float
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind is int and int(value) != value) or not low <= value <= high:
                problems.append(f"{name} must be a {kind.__name__} between {low} and {high}, got {value!r}")
    return problems


def parse_value(name: str, raw: str):
    """The value of field `name` from the text `raw`, or ValueError saying what was expected."""
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
        raise ValueError(f"{QUERY_KEYS[name]}={text!r} is not a number") from None
    if not low <= value <= high:  # also rejects NaN
        raise ValueError(f"{QUERY_KEYS[name]}={text!r} is outside {low:g} to {high:g}")
    return value


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
    """The query parameters of the settings that differ from the defaults."""
    return {QUERY_KEYS[name]: f"{value:g}" if isinstance(value, float) else str(value)
            for name, value in asdict(settings).items() if value != DEFAULTS[name]}


PRESETS: dict[str, Settings] = {  # each checked by tests to show the regime it is named for
    "Gradients vanish": Settings(activation="sigmoid", scale=1.0, init="gaussian"),
    "Gradients explode": Settings(activation="relu", scale=1.2, init="identity"),
    "On the edge": Settings(activation="tanh", scale=1.0, init="orthogonal", input_kind="impulse"),
}
PRESET_REGIMES = {"Gradients vanish": "vanishing", "Gradients explode": "exploding", "On the edge": "near the edge"}
