"""Words for the controls: the label of each setting and what each choice means, in plain language.

The select boxes show the choices by their URL names (a bound select box writes its displayed text into the
URL, so the names stay short and stable); the meaning of the chosen one is shown right under it.
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

CHOICE_LABELS = {
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
        "many_to_one": "many-to-one (loss on the last step)",
        "many_to_many": "many-to-many (loss on every step)",
        "one_to_many": "one-to-many (input at step 1, loss on every step)",
    },
}

CONTROL_HELP = {
    "activation": "h_t = f(a_t). γ, the largest slope of f, enters the bound (γ·σ_max)^(T-k).",
    "scale": "Multiplies W_hh. What decides is γ·σ_max(W_hh), in the sidebar: below 1 the gradients must vanish "
    "over long enough sequences, at 1 they cannot grow, above 1 they may explode. σ_max equals the scale only for "
    "the orthogonal, identity and σ_max inits; for the others it differs.",
    "init": "How W_hh is drawn before it is multiplied by the scale.",
    "hidden_size": "Number of hidden units in h_t.",
    "seq_length": "Number of steps the cell is unrolled for.",
    "input_kind": "What is fed in at each step.",
    "loss_placement": "Which steps carry a loss term; it decides which gradient terms exist.",
    "seed": "Draws the weights, the inputs and the targets.",
}


def choice_label(name: str, value: str) -> str:
    """The plain-words meaning of choice `value` of setting `name`."""
    return CHOICE_LABELS[name].get(value, value)


def describe_settings(settings) -> str:
    """One line naming the settings, e.g. "tanh, Gaussian N(0, scale²/H) × 1, H = 32, T = 60"."""
    return (
        f"{settings.activation}, {settings.init} W_hh at scale {settings.scale:g}, "
        f"H = {settings.hidden_size}, T = {settings.seq_length}, {settings.input_kind} input, "
        f"{choice_label('loss_placement', settings.loss_placement)}, seed {settings.seed}"
    )


PRECISION_LABELS = {  # the floating-point type training computes in (the Train and Long-range memory pages)
    "float64": "float64 (exact)",
    "float32": "float32 (fast, as PyTorch trains)",
}
