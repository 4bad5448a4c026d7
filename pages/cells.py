"""Cells: a vanilla RNN, an LSTM and a GRU on the same input, seed and sizes, and how far each carries a gradient."""

import streamlit as st

from rnnviz.comparison import CONNECTIVITY_STEPS, comparison_settings
from ui import controls, notices
from ui.cells_views import cells_controls, chart, comparison_figure, comparison_for, power_of_ten

st.title("Cells: RNN, LSTM and GRU on the same input")
st.markdown(
    "The vanilla cell multiplies the gradient by $\\mathrm{diag}(f'(a_t))\\,W_{hh}$ at every step back. Gated cells "
    "add a path on which the gradient is multiplied by a gate instead: while the gate stays near 1, it survives. "
    "The three cells below read **the same input** with the same seed and hidden size; the vanilla cell uses the "
    "sidebar's activation, initialisation and scale."
)

with st.expander("The equations (PyTorch's form and weight layout)", expanded=False):
    left, right = st.columns(2)
    with left:
        st.markdown("**LSTM** (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000)")
        st.latex(
            r"\begin{aligned}"
            r"i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})\\"
            r"f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf})\\"
            r"o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho})\\"
            r"g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg})\\"
            r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t\\"
            r"h_t &= o_t \odot \tanh(c_t)"
            r"\end{aligned}"
        )
        st.markdown(
            "Along the cell path $\\partial c_t/\\partial c_{t-1} = \\mathrm{diag}(f_t)$, so "
            "$\\partial c_T/\\partial c_k$ contains $\\prod_{t=k+1}^{T} f_t$."
        )
    with right:
        st.markdown("**GRU** (Cho et al. 2014, in PyTorch's form)")
        st.latex(
            r"\begin{aligned}"
            r"r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\\"
            r"z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\\"
            r"n_t &= \tanh\big(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big)\\"
            r"h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}"
            r"\end{aligned}"
        )
        st.markdown(
            "Here the reset gate $r_t$ multiplies the result of $W_{hn} h_{t-1} + b_{hn}$, after the "
            "product. Cho et al.'s original applies it to the state before the product: "
            "$n_t = \\tanh(W_{in} x_t + W_{hn}(r_t \\odot h_{t-1}) + b_n)$. When $z_t \\approx 1$ the state "
            "is copied, and so is the gradient."
        )
    st.caption("All three read out $y_t = W_{hy} h_t + b_y$. σ is the logistic sigmoid; ⊙ multiplies element-wise.")

forget_bias, gated_init = cells_controls()

with notices.page_guard("the cell comparison"):
    settings, clamp_notice = comparison_settings(controls.current_settings())
    if clamp_notice:
        st.info(clamp_notice, icon="ℹ️")
    comparison = comparison_for(settings, forget_bias, gated_init)
    options = (settings, forget_bias, gated_init)

    columns = st.columns(3)
    for column, result in zip(columns, comparison.cells.values(), strict=True):
        column.metric(
            f"{result.name}: ||dh_T/dh_0||",
            power_of_ten(result.norms.log10_spectral[0]),
            help="How much of the gradient at step T reaches the first state (spectral norm).",
        )

    st.subheader("The gradient through time, three cells on one plot")
    chart(
        comparison_figure("cells_norms_figure", *options),
        "cells-norms",
        "Each line is log10 of how much a change of h_k still moves h_T; the flatter the line, the further back "
        "the gradient reaches. A straight falling line is a constant factor per step. Gated cells can copy part "
        "of their state (the LSTM through c_t where f ≈ 1, the GRU where z ≈ 1): raise the forget-gate bias and "
        "watch the LSTM's line flatten.",
    )

    st.subheader("The gates over time")
    left, right = st.columns(2)
    with left:
        chart(
            comparison_figure("gate_activations_figure", *options, kind="lstm"),
            "cells-gates-lstm",
            "Bright forget-gate rows (f near 1) are units that keep their cell value; the input gate decides what "
            "is written, the output gate what is shown in h_t.",
        )
    with right:
        chart(
            comparison_figure("gate_activations_figure", *options, kind="gru"),
            "cells-gates-gru",
            "Where the update gate z is near 1 the unit copies h_{t-1} to h_t, and the gradient passes unchanged; "
            "the reset gate r decides how much of the old state enters the candidate n.",
        )

    st.subheader("The LSTM's cell path and the product of forget gates")
    chart(
        comparison_figure("cell_path_figure", *options),
        "cells-cell-path",
        "The shaded band spans every unit's product of forget gates, the factor of the direct path c_k → c_T. "
        "The green line is the measured ||dc_T/dc_k|| with h_k held fixed; it can lie above the band, since c_k "
        "also reaches c_T through the states h. Raise the forget-gate bias: band and line rise towards 0 together.",
    )

    steps = min(CONNECTIVITY_STEPS, settings.seq_length)
    st.subheader("Connectivity: which inputs each output depends on")
    chart(
        comparison_figure("cells_connectivity_figure", *options),
        "cells-connectivity",
        f"Row t shows log10 ||dy_t/dx_s|| for every input step s (first {steps} steps). Everything right of the "
        "diagonal is blank: a one-directional cell cannot see the future. How far the colour reaches left of "
        "the diagonal is the cell's memory.",
    )

    st.subheader("Bidirectional: a second cell reads the sequence backwards")
    chart(
        comparison_figure("bidirectional_unfold_figure", *options),
        "cells-bidirectional-unfold",
        "Blue arrows run left to right (x_1 … x_T), orange arrows right to left (x_T … x_1); every output y_t adds "
        "the read-outs of both states of its step. Hover a state for its norm ||h||.",
    )
    left, right = st.columns([3, 2])
    with left:
        chart(
            comparison_figure("bidirectional_connectivity_figure", *options),
            "cells-bidirectional-connectivity",
            "The connectivity map of a bidirectional vanilla RNN (the sidebar's cell, plus a second one reading "
            "backwards): it fills both sides of the diagonal, because y_t depends on the inputs before and after "
            "step t.",
        )
    with right:
        st.markdown(
            "**When to read both ways.** A bidirectional network needs the whole sequence before it answers, so "
            "it suits tagging a finished sentence (named entities, parts of speech), not predicting the next "
            "token. Its gradient still travels step by step in each direction: each half vanishes or explodes "
            "just like a one-directional cell."
        )
