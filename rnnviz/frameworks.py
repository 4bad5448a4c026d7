"""Models trained in PyTorch or Keras, opened as rnnviz cells exactly: one recurrent layer and a linear read-out.

Each framework's model is saved as an .npz of plain arrays by the snippet below (the page shows the same text):

PyTorch, a module whose recurrent layer is `model.rnn` (nn.RNN, nn.LSTM or nn.GRU, one layer, uni- or
bidirectional) and whose read-out is `model.head` (nn.Linear). The archive holds the state_dict's arrays under
their own names, `rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`, `rnn.bias_hh_l0` (and the same with
`_reverse` for the backward direction), `head.weight`, `head.bias`, plus `layer` (the class name) and
`nonlinearity` ("tanh" or "relu", nn.RNN's). PyTorch's layouts are rnnviz's (gates i, f, g, o and r, z, n):

    nn.RNN:  W_xh = weight_ih_l0, W_hh = weight_hh_l0, b_h = bias_ih_l0 + bias_hh_l0
    nn.LSTM, nn.GRU: W_ih, W_hh, b_ih, b_hh = weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0

Keras (`model.layers` with weights: one SimpleRNN, LSTM or GRU, optionally in Bidirectional, then one Dense). The
archive holds `keras`, a JSON list of [class name, get_config()] per layer, and `w{i}_{j}`, the j-th array of
layer i's get_weights(). Keras multiplies rows (x @ kernel), so every matrix is transposed:

    SimpleRNN: kernel (D, H), recurrent_kernel (H, H), bias (H,) -> W_xh = kernel.T, W_hh = recurrent_kernel.T
    LSTM: kernel (D, 4H), gates i, f, c, o: PyTorch's order -> W_ih = kernel.T, b_ih = bias, b_hh = 0
    GRU (reset_after=True): kernel (D, 3H), gates z, r, h; bias (2, 3H) = input and recurrent biases, and the
        reset gate multiplies (h U_h + b_rec), as PyTorch's: the blocks are reordered to r, z, n.
    GRU (reset_after=False) applies r to h before U_h (Cho et al.'s form): no PyTorch-form cell computes it, so it
        is refused with a message.
    Dense: kernel (H, O), bias (O,) -> W_hy = kernel.T; its activation (e.g. softmax) is not applied: y_t is the
        logits. Bidirectional with merge_mode "concat" splits the Dense kernel's rows between the directions,
        "sum" and "ave" share it; "mul" is not linear and is refused.

Either archive may add `vocabulary`, the D characters of a character model's one-hot input, in order. Nothing is
unpickled: `rnnviz.npz.read_npz` checks each member's header before reading it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import numpy as np

from rnnviz.bidirectional import Bidirectional
from rnnviz.gru import GRU
from rnnviz.lstm import LSTM
from rnnviz.npz import read_npz
from rnnviz.rnn import RNN
from rnnviz.settings import Limits
from rnnviz.train import MODEL_KEYS, _model_from_arrays, _read_bounded

PYTORCH_SNIPPET = """\
import numpy as np
arrays = {name: value.detach().cpu().numpy() for name, value in model.state_dict().items()}
np.savez("model.npz", layer=type(model.rnn).__name__, nonlinearity=getattr(model.rnn, "nonlinearity", "tanh"), **arrays)
"""
KERAS_SNIPPET = """\
import json, numpy as np
layers = [layer for layer in model.layers if layer.get_weights()]
np.savez("model.npz", keras=json.dumps([[type(l).__name__, l.get_config()] for l in layers], default=str),
         **{f"w{i}_{j}": w for i, l in enumerate(layers) for j, w in enumerate(l.get_weights())})
"""
VOCABULARY_LINE = "np.savez(..., vocabulary=np.array(list(chars)))"  # chars: the D characters, in input order
FRAMEWORKS = ("PyTorch", "Keras", "rnnviz")
KINDS = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
MAX_CONFIG_CHARS = 200_000  # the Keras configuration's JSON text


@dataclass(frozen=True, eq=False)
class ImportedModel:
    """A model opened from a file: the rnnviz cell (or Bidirectional pair) and what it was."""

    framework: str  # "PyTorch" | "Keras" | "rnnviz"
    kind: str  # "rnn" | "lstm" | "gru"
    model: object  # an RNN, LSTM or GRU, or a Bidirectional of two
    vocabulary: tuple[str, ...] | None  # the characters of a one-hot input, in order, or None
    description: str  # what was found, in words, e.g. "a PyTorch nn.LSTM (H = 8, D = 3, O = 2), bidirectional"

    @property
    def bidirectional(self) -> bool:
        return isinstance(self.model, Bidirectional)

    @property
    def forward_cell(self):
        """The cell that reads x_1..x_T (the only one of a unidirectional model)."""
        return self.model.forward if self.bidirectional else self.model

    @property
    def input_size(self) -> int:
        return self.forward_cell.input_size

    @property
    def hidden_size(self) -> int:
        return self.forward_cell.hidden_size

    @property
    def output_size(self) -> int:
        return self.forward_cell.output_size


def open_model(source, limits: Limits | None = None) -> ImportedModel:
    """A model from an .npz file of PyTorch's or Keras' arrays (see the module docstring) or rnnviz's own.

    `source` is a path, bytes or a binary file. The format is told by the keys: `layer` and `*weight_ih_l0` for
    PyTorch, `keras` for Keras, rnnviz's `format` for its own. `limits` bounds the file and the sizes (H by
    `train_hidden_size`, D and O by `model_units`); without it anything is opened. Anything else is a ValueError
    that names what was expected and what was found.
    """
    budget = limits.model_file_bytes if limits else None
    arrays = read_npz(_read_bounded(source, budget), max_bytes=budget or sys.maxsize)
    if set(arrays) == MODEL_KEYS:
        char_model = _model_from_arrays(arrays, limits)
        cell = char_model.cell
        return ImportedModel(
            "rnnviz",
            "rnn",
            cell,
            char_model.vocabulary,
            f"an rnnviz character model{_sizes(cell)}, {cell.activation.name}",
        )
    if "keras" in arrays:
        imported = from_keras(arrays)
    elif "layer" in arrays or any(name.endswith("weight_ih_l0") for name in arrays):
        imported = from_pytorch(arrays)
    else:
        raise ValueError(
            "This .npz file is not a model saved by the snippets above: expected PyTorch's arrays (layer, "
            "rnn.weight_ih_l0, ...), Keras' (keras, w0_0, ...) or an rnnviz model (format, W_hh, ...); found "
            + _listed(arrays)
            + "."
        )
    _check_sizes(imported, limits)
    return imported


def _listed(arrays: dict) -> str:
    names = sorted(arrays)
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "") if names else "nothing"


def _sizes(cell) -> str:
    return f" (H = {cell.hidden_size}, D = {cell.input_size}, O = {cell.output_size})"


def _check_sizes(imported: ImportedModel, limits: Limits | None) -> None:
    if limits is None:
        return
    low, high = limits.train_hidden_size
    if not low <= imported.hidden_size <= high:
        raise ValueError(f"This model has H = {imported.hidden_size} hidden units; {low} to {high} are accepted here.")
    for what, size in (("input size D", imported.input_size), ("output size O", imported.output_size)):
        if size > limits.model_units:
            raise ValueError(f"This model's {what} is {size}; at most {limits.model_units} are accepted here.")


# the arrays' checks ---------------------------------------------------------------------------------------------
def _text(arrays: dict, name: str) -> str:
    value = arrays[name]
    if value.dtype.kind not in "US" or value.shape != ():
        raise ValueError(f"In this file, {name} must be one text, got an array of {value.dtype} shaped {value.shape}.")
    return value.item().decode("utf-8", "replace") if value.dtype.kind == "S" else str(value)


def _weights(arrays: dict, name: str, shape: tuple | None = None) -> np.ndarray:
    """A float array of the file, checked: floating point, finite, of `shape` when given."""
    if name not in arrays:
        raise ValueError(f"This file has no array {name!r}; found {_listed(arrays)}.")
    value = arrays[name]
    if value.dtype.kind != "f":
        raise ValueError(f"In this file, {name} must hold floating-point numbers, got {value.dtype}.")
    if shape is not None and value.shape != shape:
        raise ValueError(f"In this file, {name} must have shape {shape}, got {value.shape}.")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"In this file, {name} has entries that are NaN or infinite.")
    return value.astype(np.float64)


def _vocabulary(arrays: dict, input_size: int) -> tuple[str, ...] | None:
    if "vocabulary" not in arrays:
        return None
    value = arrays["vocabulary"]
    chars = value.tolist() if value.dtype.kind == "U" and value.ndim == 1 else None
    if chars is None or not all(len(char) == 1 for char in chars) or len(set(chars)) != len(chars):
        raise ValueError("In this file, vocabulary must be a list of distinct single characters.")
    if len(chars) != input_size:
        raise ValueError(
            f"In this file, the vocabulary has {len(chars)} characters but the model's input size is {input_size}."
        )
    return tuple(chars)


def _cell(kind: str, W_in, W_hh, b_in, b_hh, W_hy, b_y, activation: str = "tanh"):
    """An rnnviz cell in PyTorch's layout."""
    if kind == "rnn":
        return RNN(W_in, W_hh, b_in + b_hh, W_hy, b_y, activation=activation)
    return (LSTM if kind == "lstm" else GRU)(W_in, W_hh, b_in, b_hh, W_hy, b_y)


# PyTorch ------------------------------------------------------------------------------------------------------
def from_pytorch(arrays: dict[str, np.ndarray]) -> ImportedModel:
    """The model in the arrays written by PYTORCH_SNIPPET (see the module docstring)."""
    layer = _text(arrays, "layer") if "layer" in arrays else "(no layer name)"
    if layer not in ("RNN", "LSTM", "GRU"):
        raise ValueError(f"The recurrent layer must be nn.RNN, nn.LSTM or nn.GRU; this file names {layer!r}.")
    kind = KINDS[layer]
    nonlinearity = _text(arrays, "nonlinearity") if "nonlinearity" in arrays else "tanh"
    if kind == "rnn" and nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nn.RNN's nonlinearity must be tanh or relu; this file says {nonlinearity!r}.")
    prefixes = sorted(name.removesuffix("weight_ih_l0") for name in arrays if name.endswith("weight_ih_l0"))
    if len(prefixes) != 1:
        raise ValueError(f"Expected one recurrent layer's weight_ih_l0 (e.g. rnn.weight_ih_l0); found {len(prefixes)}.")
    prefix = prefixes[0]
    extra = [n for n in arrays if n.startswith(prefix) and ("_l1" in n or "weight_hr" in n)]
    if extra:
        raise ValueError(f"Only one layer without projection is opened; this file also has {extra[0]!r}.")
    recurrent = {n for n in arrays if n.startswith(prefix)} | {"layer", "nonlinearity", "vocabulary"}
    head = _pytorch_head(arrays, recurrent)
    directions = [_pytorch_direction(arrays, prefix, suffix, kind) for suffix in ("", "_reverse")]
    if directions[1] is None:
        model = _cell(kind, *directions[0], *head, activation=nonlinearity)
    else:
        W_hy, b_y = head
        H = directions[0][1].shape[1]
        if W_hy.shape[1] != 2 * H:
            raise ValueError(f"A bidirectional layer's head.weight must have 2H = {2 * H} columns, got {W_hy.shape}.")
        model = Bidirectional(
            _cell(kind, *directions[0], W_hy[:, :H], b_y, activation=nonlinearity),
            _cell(kind, *directions[1], W_hy[:, H:], np.zeros_like(b_y), activation=nonlinearity),
        )
    imported = ImportedModel("PyTorch", kind, model, None, "")
    vocabulary = _vocabulary(arrays, imported.input_size)
    activation = f", {nonlinearity}" if kind == "rnn" else ""
    both = ", bidirectional" if imported.bidirectional else ""
    words = f"a PyTorch nn.{layer}{_sizes(imported.forward_cell)}{activation}{both}"
    return ImportedModel("PyTorch", kind, model, vocabulary, words)


def _pytorch_direction(arrays: dict, prefix: str, suffix: str, kind: str) -> tuple | None:
    """(W_ih, W_hh, b_ih, b_hh) of one direction, or None when the file has no `suffix` direction."""
    names = [f"{prefix}{part}_l0{suffix}" for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if suffix and names[0] not in arrays:
        return None
    W_hh = _weights(arrays, names[1])
    G = GATES[kind]
    if W_hh.ndim != 2 or W_hh.shape[0] != G * W_hh.shape[1] or W_hh.shape[1] == 0:
        raise ValueError(f"In this file, {names[1]} must have shape ({G}H, H) for nn.{kind.upper()}, got {W_hh.shape}.")
    H = W_hh.shape[1]
    W_ih = _weights(arrays, names[0])
    if W_ih.ndim != 2 or W_ih.shape[0] != G * H or W_ih.shape[1] == 0:
        raise ValueError(f"In this file, {names[0]} must have shape ({G * H}, D), got {W_ih.shape}.")
    biases = [_weights(arrays, name, (G * H,)) if name in arrays else np.zeros(G * H) for name in names[2:]]
    return W_ih, W_hh, *biases


def _pytorch_head(arrays: dict, recurrent: set) -> tuple[np.ndarray, np.ndarray]:
    """(W_hy, b_y) of the nn.Linear read-out: the one `*weight` outside the recurrent layer, and its bias."""
    weights = [n for n in arrays if n not in recurrent and (n == "weight" or n.endswith(".weight"))]
    if len(weights) != 1:
        raise ValueError(
            f"Expected one nn.Linear read-out (e.g. head.weight, head.bias) beside the recurrent layer; found "
            f"{len(weights)} weight arrays{': ' + ', '.join(sorted(weights)[:4]) if weights else ''}."
        )
    W_hy = _weights(arrays, weights[0])
    if W_hy.ndim != 2 or 0 in W_hy.shape:
        raise ValueError(f"In this file, {weights[0]} must be a matrix (O, H), got shape {W_hy.shape}.")
    bias = weights[0].removesuffix("weight") + "bias"
    b_y = _weights(arrays, bias, (W_hy.shape[0],)) if bias in arrays else np.zeros(W_hy.shape[0])
    return W_hy, b_y


# Keras ------------------------------------------------------------------------------------------------------------
def from_keras(arrays: dict[str, np.ndarray]) -> ImportedModel:
    """The model in the arrays written by KERAS_SNIPPET (see the module docstring)."""
    layers = _keras_layers(arrays)
    if len(layers) != 2 or layers[1][0] != "Dense":
        found = ", ".join(name for name, _ in layers) or "no layer"
        raise ValueError(f"Expected two layers with weights, a recurrent one then Dense; this file has {found}.")
    (name, config), (_, dense) = layers
    bidirectional = name == "Bidirectional"
    inner = config.get("layer", {}) if bidirectional else {"class_name": name, "config": config}
    if not isinstance(inner, dict) or not isinstance(inner.get("config"), dict):
        raise ValueError("The Bidirectional layer's configuration has no inner layer.")
    layer, inner_config = str(inner.get("class_name")), inner["config"]
    if layer not in ("SimpleRNN", "LSTM", "GRU"):
        raise ValueError(f"The recurrent layer must be SimpleRNN, LSTM or GRU; this file has {layer[:40]!r}.")
    if inner_config.get("go_backwards", False) is not False:
        raise ValueError(
            f"This {layer} has go_backwards=True (it reads x_T first): rnnviz opens layers that read forward, or both "
            "ways inside Bidirectional. Save a model trained with go_backwards=False."
        )
    kind = KINDS[layer]
    weights = _layer_arrays(arrays, 0)
    W_hy, b_y = _keras_dense(_layer_arrays(arrays, 1), dense)
    if bidirectional:
        half = len(weights) // 2
        directions = [
            _keras_recurrent(kind, inner_config, weights[:half]),
            _keras_recurrent(kind, inner_config, weights[half:]),
        ]
        model = _keras_bidirectional(kind, directions, W_hy, b_y, str(config.get("merge_mode")), inner_config)
    else:
        directions = [_keras_recurrent(kind, inner_config, weights)]
        H = directions[0][1].shape[1]
        if W_hy.shape[1] != H:
            raise ValueError(f"The Dense kernel must have H = {H} rows, got {W_hy.shape[1]}.")
        model = _cell(kind, *directions[0], W_hy, b_y, activation=_keras_activation(kind, inner_config))
    imported = ImportedModel("Keras", kind, model, None, "")
    activation = f", {inner_config.get('activation')}" if kind == "rnn" else ""
    both = f", Bidirectional ({config.get('merge_mode')})" if bidirectional else ""
    words = f"a Keras {layer}{_sizes(imported.forward_cell)}{activation}{both}"
    return ImportedModel("Keras", kind, model, _vocabulary(arrays, imported.input_size), words)


def _keras_layers(arrays: dict) -> list[tuple[str, dict]]:
    text = _text(arrays, "keras")
    if len(text) > MAX_CONFIG_CHARS:
        raise ValueError(f"The Keras configuration is longer than {MAX_CONFIG_CHARS:,} characters.")
    try:
        layers = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("The Keras configuration (the array keras) is not valid JSON.") from None
    valid = isinstance(layers, list) and all(
        isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
        for item in layers
    )
    if not valid:
        raise ValueError("The Keras configuration must be a list of [class name, configuration] pairs.")
    return [(name, config) for name, config in layers]


def _layer_arrays(arrays: dict, layer: int) -> list[np.ndarray]:
    count = 0
    while f"w{layer}_{count}" in arrays:
        count += 1
    return [_weights(arrays, f"w{layer}_{j}") for j in range(count)]


def _keras_activation(kind: str, config: dict) -> str:
    activation = str(config.get("activation", "tanh"))
    recurrent = str(config.get("recurrent_activation", "sigmoid"))
    if kind == "rnn":
        if activation not in ("tanh", "relu", "sigmoid", "linear"):
            raise ValueError(
                f"SimpleRNN's activation must be tanh, relu, sigmoid or linear; this file has {activation[:40]!r}."
            )
        return activation
    if activation != "tanh" or recurrent != "sigmoid":
        raise ValueError(
            f"The {kind.upper()}'s activations must be Keras' defaults (tanh, recurrent sigmoid); this file has "
            f"{activation[:40]!r} and {recurrent[:40]!r}."
        )
    return "tanh"


def _keras_recurrent(kind: str, config: dict, weights: list[np.ndarray]) -> tuple:
    """(W_ih, W_hh, b_ih, b_hh) in PyTorch's layout from one Keras layer's get_weights()."""
    _keras_activation(kind, config)
    if kind == "gru" and config.get("reset_after", True) is not True:
        raise ValueError(
            "This GRU has reset_after=False (the reset gate multiplies h before U_h): rnnviz's GRU is PyTorch's "
            "form, which applies it after. Train with reset_after=True (Keras' default) to open it here."
        )
    if len(weights) not in (2, 3) or any(w.ndim != 2 for w in weights[:2]):
        raise ValueError(f"A Keras {kind.upper()} has kernel, recurrent_kernel and bias; found {len(weights)} arrays.")
    kernel, recurrent = weights[0], weights[1]
    G, H = GATES[kind], recurrent.shape[0]
    if recurrent.shape != (H, G * H) or kernel.shape[1] != G * H or H == 0 or kernel.shape[0] == 0:
        raise ValueError(
            f"A Keras {kind.upper()} needs kernel (D, {G}H) and recurrent_kernel (H, {G}H); found {kernel.shape} "
            f"and {recurrent.shape}."
        )
    bias = weights[2] if len(weights) == 3 else np.zeros((2, G * H) if kind == "gru" else G * H)
    if kind == "gru":
        if bias.shape != (2, G * H):
            raise ValueError(f"A Keras GRU with reset_after=True has bias (2, {G * H}); found {bias.shape}.")
        order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H, 3 * H)])  # z, r, h -> r, z, n
        return kernel.T[order], recurrent.T[order], bias[0][order], bias[1][order]
    if bias.shape != (G * H,):
        raise ValueError(f"A Keras {kind.upper()}'s bias must have shape ({G * H},); found {bias.shape}.")
    return kernel.T, recurrent.T, bias, np.zeros(G * H)


def _keras_dense(weights: list[np.ndarray], config: dict) -> tuple[np.ndarray, np.ndarray]:
    if len(weights) not in (1, 2) or weights[0].ndim != 2:
        raise ValueError(f"A Dense layer has a kernel (H, O) and a bias (O,); found {len(weights)} arrays.")
    kernel = weights[0]
    bias = weights[1] if len(weights) == 2 else np.zeros(kernel.shape[1])
    if bias.shape != (kernel.shape[1],):
        raise ValueError(f"The Dense bias must have shape ({kernel.shape[1]},), got {bias.shape}.")
    return kernel.T, bias


def _keras_bidirectional(kind: str, directions: list, W_hy, b_y, merge_mode: str, config: dict) -> Bidirectional:
    H = directions[0][1].shape[1]
    if merge_mode == "concat":
        if W_hy.shape[1] != 2 * H:
            raise ValueError(f"After Bidirectional(concat) the Dense kernel must have 2H = {2 * H} rows.")
        heads = (W_hy[:, :H], W_hy[:, H:])
    elif merge_mode in ("sum", "ave"):
        scale = 0.5 if merge_mode == "ave" else 1.0
        if W_hy.shape[1] != H:
            raise ValueError(f"After Bidirectional({merge_mode}) the Dense kernel must have H = {H} rows.")
        heads = (scale * W_hy, scale * W_hy)
    else:
        raise ValueError(
            "Bidirectional's merge_mode must be concat, sum or ave (a linear read-out); this file has "
            f"{merge_mode[:20]!r}."
        )
    activation = _keras_activation(kind, config)
    return Bidirectional(
        _cell(kind, *directions[0], heads[0], b_y, activation=activation),
        _cell(kind, *directions[1], heads[1], np.zeros_like(b_y), activation=activation),
    )
