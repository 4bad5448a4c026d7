"""Shared explanations: the words beside the charts and the starting points, in plain language."""

from __future__ import annotations

INTRO = (
    "A recurrent network applies **the same cell at every step**: $h_t = f(W_{hh} h_{t-1} + W_{xh} x_t + b_h)$. "
    "Training it means sending the gradient back through every step (backpropagation through time), and each "
    "step back multiplies it by $\\mathrm{diag}(f'(a_t))\\,W_{hh}$. Over many steps those products shrink to "
    "nothing or blow up. Change the activation or the weight scale in the sidebar and watch both happen."
)

PRESET_WORDS = {
    "Gradients vanish": "A sigmoid cell: its slope is at most 1/4, so every step back multiplies the gradient "
    "by at most σ_max / 4.",
    "Gradients explode": "ReLU with W_hh = 1.2 · I (an identity-initialised IRNN, scaled up): every step back "
    "multiplies the gradient by 1.2 on the units that are active at that step.",
    "On the edge": "tanh with an orthogonal W_hh: every singular value is 1, so γσ_max = 1 and the bound is 1: "
    "the gradient cannot grow, and only the slopes tanh′(a_t) < 1 can shrink it.",
}

PAGES = {
    "unfold": "**Unfold**: the same cell drawn once per step; step through a run with the numbers substituted, "
    "and watch the hidden state fill in.",
    "gradients": "**Gradients (BPTT)**: $\\|\\partial h_T/\\partial h_k\\|$ against the steps back n = T − k "
    "beside its bound, the per-step terms of the gradient, and the gradient flowing back through the unrolled graph.",
}

LOOK_AT = {
    "graph": "The same three matrices W_xh, W_hh, W_hy label every step: the weights are shared, so adding steps "
    "adds no parameters. Click a node to jump to its step.",
    "equations": "Each line is one part of the step with this run's numbers: the recurrent part W_hh h_{t-1}, "
    "the input part W_xh x_t, then f and the softmax.",
    "animation": "Press Play: each column is one step's h_t. Colours fading to white mean the state forgets its "
    "input; columns pinned at the ends of the colour range mean saturated units.",
    "norms": "A flat ‖h_t‖ means the state settled; a rising share of saturated units means f'(a_t) ≈ 0 "
    "there, which cuts the gradient at those units.",
    "cell_views": "Both pictures compute the same a_t: W_hh h_{t-1} + W_xh x_t equals the one matrix "
    "[W_hh W_xh] times the stacked vector [h_{t-1}; x_t].",
    "jacobian_norms": "A straight line on this log scale means a constant factor per step. The measured curve "
    "must stay under the dashed bound (γ σ_max)^(T-k); when γσ_max < 1 the bound falls at every "
    "step, so over long enough sequences the gradient must vanish.",
    "step_terms": "Each point is one step's own term of the gradient; their sum is the gradient. When gradients "
    "vanish, only the last few steps carry anything: the early inputs cannot be learned from.",
    "backward": "Press Play: the gradient starts at the loss and moves back one step per frame; the colour of "
    "each step is ‖∂L/∂h_k‖.",
    "jacobian_heatmap": "The matrix ∂h_T/∂h_k for the chosen k: how each unit of h_k moves each unit of h_T.",
    "singular_values": "Its singular values: the largest one is ‖∂h_T/∂h_k‖. Many near zero mean most "
    "directions of h_k are forgotten by step T.",
    "table": "One row per step; download it to plot it yourself.",
}
