"""Build small PyTorch and Keras models of every kind rnnviz opens, save each with the page's own snippet, and write
each framework's own forward pass beside it: the reference files of tests/test_frameworks.py.

Needs PyTorch and Keras 3 (run with the torch backend), which the app and its tests do not:

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install torch numpy pandas keras
    KERAS_BACKEND=torch /tmp/refvenv/bin/python scripts/make_framework_references.py

For each model NAME it writes tests/data/frameworks/NAME.npz (exactly what the snippet saves) and
NAME.outputs.npz: `xs` (T, D), `h` (T, H) the forward direction's states h_1..h_T, `h_reverse` (T, H) the backward
direction's in time order (bidirectional models), `y` (T, O) the read-out before any output activation, and for the
article's Keras model `probabilities`, its softmax output at the last step. PyTorch's models in float32 and
float64; Keras' in float32 only: with the torch backend, Keras 3.15's SimpleRNN and Dense given dtype="float64"
hold float64 weights but their outputs differ from float64 arithmetic by about 1e-7, so they are no float64
reference. Everything is seeded: running it again writes the same numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnnviz.frameworks import KERAS_SNIPPET, PYTORCH_SNIPPET  # noqa: E402

OUT = ROOT / "tests" / "data" / "frameworks"
T, D, H, O = 7, 3, 4, 2
ARTICLE_TEXT = "This is GeeksforGeeks a software training institute"


def saved_with(snippet: str, model, name: str, **extra) -> None:
    """Run the page's snippet with `model` in a scratch folder and keep its model.npz as NAME.npz."""
    with tempfile.TemporaryDirectory() as scratch:
        cwd = os.getcwd()
        os.chdir(scratch)
        try:
            exec(snippet, {"model": model})  # noqa: S102 - our own snippet, the text the page shows
            if extra:  # e.g. the vocabulary line the page suggests for a character model
                arrays = dict(np.load("model.npz", allow_pickle=False))
                np.savez("model.npz", **arrays, **extra)
        finally:
            os.chdir(cwd)
        shutil.move(str(Path(scratch) / "model.npz"), OUT / f"{name}.npz")


def inputs(dtype) -> np.ndarray:
    return np.random.default_rng(7).standard_normal((T, D)).astype(dtype)


# PyTorch ------------------------------------------------------------------------------------------------------
class TorchModel(torch.nn.Module):
    def __init__(self, layer: str, bidirectional: bool, nonlinearity: str = "tanh"):
        super().__init__()
        options = {"nonlinearity": nonlinearity} if layer == "RNN" else {}
        self.rnn = getattr(torch.nn, layer)(D, H, bidirectional=bidirectional, **options)
        self.head = torch.nn.Linear(2 * H if bidirectional else H, O)

    def forward(self, xs):
        states, _ = self.rnn(xs)
        return states, self.head(states)


def torch_reference(layer: str, bidirectional: bool, nonlinearity: str, dtype: str) -> None:
    torch.manual_seed(0)
    model = TorchModel(layer, bidirectional, nonlinearity)
    model = model.double() if dtype == "float64" else model
    with torch.no_grad():  # biases away from 0 so every array matters
        for name, value in model.named_parameters():
            if "bias" in name:
                value.add_(0.3 * torch.randn_like(value))
    name = (
        f"pytorch_{layer.lower()}{'_' + nonlinearity if layer == 'RNN' else ''}{'_bi' if bidirectional else ''}_{dtype}"
    )
    saved_with(PYTORCH_SNIPPET, model, name)
    xs = inputs(dtype)
    with torch.no_grad():
        states, y = model(torch.from_numpy(xs)[:, None, :])
    states, y = states[:, 0].numpy(), y[:, 0].numpy()
    outputs = {"xs": xs, "h": states[:, :H], "y": y}
    if bidirectional:
        outputs["h_reverse"] = states[:, H:]
    np.savez_compressed(OUT / f"{name}.outputs.npz", **outputs)


# Keras ------------------------------------------------------------------------------------------------------------
def keras_layer(layer: str, options: dict, dtype: str):
    return getattr(keras.layers, layer)(H, return_sequences=True, dtype=dtype, **options)


def keras_reference(name: str, layer: str, options: dict, merge_mode: str | None, dtype: str) -> None:
    keras.config.set_floatx(dtype)
    keras.utils.set_random_seed(0)
    recurrent = keras_layer(layer, {"bias_initializer": "random_normal", **options}, dtype)
    if merge_mode:
        recurrent = keras.layers.Bidirectional(recurrent, merge_mode=merge_mode, dtype=dtype)
    inputs_ = keras.Input((T, D), dtype=dtype)
    states = recurrent(inputs_)
    y = keras.layers.Dense(O, bias_initializer="random_normal", dtype=dtype)(states)
    model = keras.Model(inputs_, y)
    name = f"{name}_{dtype}"
    saved_with(KERAS_SNIPPET, model, name)
    xs = inputs(dtype)
    both = keras.Model(inputs_, [states, y]).predict(xs[None], verbose=0)
    states_out, y_out = (np.asarray(part)[0] for part in both)
    outputs = {"xs": xs, "y": y_out}
    if merge_mode == "concat":
        outputs.update(h=states_out[:, :H], h_reverse=states_out[:, H:])
    elif merge_mode is None:
        outputs["h"] = states_out
    np.savez_compressed(OUT / f"{name}.outputs.npz", **outputs)


def article_model() -> None:
    """The seed article's Keras example: SimpleRNN(50, relu) on 3-character windows, Dense softmax, Adam 0.001,
    batch 32, 100 epochs; saved with the snippet and its vocabulary."""
    keras.config.set_floatx("float32")
    keras.utils.set_random_seed(0)
    chars = sorted(set(ARTICLE_TEXT))
    index = {char: i for i, char in enumerate(chars)}
    windows = [ARTICLE_TEXT[i : i + 3] for i in range(len(ARTICLE_TEXT) - 3)]
    eye = np.eye(len(chars), dtype="float32")
    xs = np.stack([eye[[index[c] for c in window]] for window in windows])
    targets = eye[[index[ARTICLE_TEXT[i + 3]] for i in range(len(windows))]]
    model = keras.Sequential(
        [
            keras.Input((3, len(chars))),
            keras.layers.SimpleRNN(50, activation="relu"),
            keras.layers.Dense(len(chars), activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(xs, targets, batch_size=32, epochs=100, verbose=0)
    saved_with(KERAS_SNIPPET, model, "keras_article_char_model", vocabulary=np.array(chars))
    first = xs[:1]
    probabilities = model.predict(first, verbose=0)[0]
    sequence_layer = keras.layers.SimpleRNN(50, activation="relu", return_sequences=True)
    sequence_layer.build((None, 3, len(chars)))
    sequence_layer.set_weights(model.layers[0].get_weights())
    all_states = keras.ops.convert_to_numpy(sequence_layer(first))[0]
    last_state = keras.ops.convert_to_numpy(model.layers[0](first))[0]
    assert np.allclose(all_states[-1], last_state, atol=1e-6)
    np.savez_compressed(
        OUT / "keras_article_char_model.outputs.npz",
        xs=first[0],
        h=all_states,
        probabilities=probabilities,
        accuracy=np.array(history.history["accuracy"][-1]),
        loss=np.array(history.history["loss"][-1]),
    )
    print("article model: loss", history.history["loss"][-1], "accuracy", history.history["accuracy"][-1])


KERAS_MODELS = [  # name, layer, options, Bidirectional merge mode
    ("keras_simplernn_tanh", "SimpleRNN", {"activation": "tanh"}, None),
    ("keras_simplernn_relu", "SimpleRNN", {"activation": "relu"}, None),
    ("keras_lstm", "LSTM", {}, None),
    ("keras_gru", "GRU", {"reset_after": True}, None),
    ("keras_gru_reset_before", "GRU", {"reset_after": False}, None),
    ("keras_lstm_bi", "LSTM", {}, "concat"),
    ("keras_gru_bi_sum", "GRU", {}, "sum"),
    ("keras_simplernn_bi_ave", "SimpleRNN", {}, "ave"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for dtype in ("float32", "float64"):
        for layer, nonlinearity in (("RNN", "tanh"), ("RNN", "relu"), ("LSTM", "tanh"), ("GRU", "tanh")):
            for bidirectional in (False, True):
                torch_reference(layer, bidirectional, nonlinearity, dtype)
    for name, layer, options, merge_mode in KERAS_MODELS:  # float32 only: see the module docstring
        keras_reference(name, layer, options, merge_mode, "float32")
    article_model()
    manifest = {"torch": torch.__version__, "keras": keras.__version__, "numpy": np.__version__}
    (OUT / "versions.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(path.stat().st_size for path in OUT.iterdir())
    print(f"{len(list(OUT.iterdir()))} files, {total:,} bytes in {OUT}")


if __name__ == "__main__":
    main()
