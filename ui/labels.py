"""Words for the controls: the label of each setting, the name and meaning of each choice (from
`rnnviz.labels`, which the offline report shares), and the help of each control.

The select boxes are bound to the URL, which holds the choices' own values (`leaky_relu`, `many_to_one`); the
meaning of the chosen one is shown right under it.
"""

from __future__ import annotations

from rnnviz.labels import (  # noqa: F401 - the words of the settings live in rnnviz.labels, shared with the report
    CHOICE_LABELS,
    CHOICE_NAMES,
    CONTROL_LABELS,
    PRECISION_LABELS,
    choice_label,
    choice_name,
    setting_rows,
)

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
