"""Words for the settings: the label of each control, a short name for each choice and what it means.

One place for them, so the sidebar, the pages and the offline report (which cannot import the Streamlit side)
name every setting the same way. The URL keeps the choices' own values (`tanh`, `leaky_relu`, `many_to_one`);
only the words shown change.
"""

from __future__ import annotations

CONTROL_LABELS = {
    "activation": "Cell activation f",
    "scale": "Weight scale of W_hh",
    "init": "Initialisation of W_hh",
    "hidden_size": "Hidden size H",
    "seq_length": "Sequence length T",
    "input_kind": "Input x_t",
    "loss_placement": "Where the loss sits",
    "seed": "Random seed",
}

CHOICE_NAMES = {  # the short name of each choice, as a select box shows it
    "activation": {
        "tanh": "tanh",
        "sigmoid": "sigmoid",
        "relu": "ReLU",
        "linear": "linear",
        "leaky_relu": "leaky ReLU",
    },
    "init": {
        "gaussian": "Gaussian",
        "orthogonal": "orthogonal",
        "identity": "identity (IRNN)",
        "spectral_radius": "Gaussian, exact spectral radius",
        "sigma_max": "Gaussian, exact σ_max",
    },
    "input_kind": {
        "gaussian": "Gaussian noise",
        "impulse": "one impulse",
        "constant": "constant",
        "zeros": "no input",
        "sentence": "a sentence",
    },
    "loss_placement": {
        "many_to_one": "many to one: loss at the last step",
        "many_to_many": "many to many: loss at every step",
        "one_to_many": "one to many: input at step 1, loss at every step",
    },
}

CHOICE_LABELS = {  # what each choice means, shown under the select box
    "activation": {
        "tanh": "tanh, γ = sup |f'| = 1",
        "sigmoid": "sigmoid, γ = sup |f'| = 1/4",
        "relu": "ReLU max(0, a), γ = 1",
        "linear": "linear f(a) = a, γ = 1",
        "leaky_relu": "leaky ReLU (slope 0.01 below 0), γ = 1",
    },
    "init": {
        "gaussian": "Gaussian N(0, scale²/H): spectral radius ≈ scale",
        "orthogonal": "orthogonal × scale: every singular value = scale",
        "identity": "identity × scale (IRNN)",
        "spectral_radius": "Gaussian rescaled to exact spectral radius = scale",
        "sigma_max": "Gaussian rescaled to exact σ_max = scale",
    },
    "input_kind": {
        "gaussian": "fresh Gaussian noise at every step",
        "impulse": "one impulse at step 1, then nothing",
        "constant": "the same input (all ones) at every step",
        "zeros": "no input at all",
        "sentence": "one-hot words of a sentence",
    },
    "loss_placement": {
        "many_to_one": "many to one: loss at the last step",
        "many_to_many": "many to many: loss at every step",
        "one_to_many": "one to many: input at step 1, loss at every step",
    },
}

PRECISION_LABELS = {  # the floating-point type training computes in (the Train and Long-range memory pages)
    "float64": "float64 (double precision)",
    "float32": "float32 (fast, as PyTorch trains)",
}


def choice_name(name: str, value: str) -> str:
    """The short name of choice `value` of setting `name` ("leaky ReLU"); the value itself if it has none."""
    return CHOICE_NAMES.get(name, {}).get(value, value)


def choice_label(name: str, value: str) -> str:
    """The plain-words meaning of choice `value` of setting `name`."""
    return CHOICE_LABELS.get(name, {}).get(value, value)


def setting_rows(settings) -> list[tuple[str, str]]:
    """(label, value) for every setting, as the sidebar names them: ("Cell activation f", "leaky ReLU")."""
    return [
        (CONTROL_LABELS.get(name, name), choice_name(name, value) if isinstance(value, str) else f"{value:g}")
        for name, value in vars(settings).items()
    ]
