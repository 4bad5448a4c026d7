"""Train: the seed article's character model learning live, with its gradients watched while it learns."""

import streamlit as st

from ui import controls, labels, notices, training

controls.require_entry_point()

st.title("Train a character model and watch its gradients")
st.markdown(
    "The GeeksforGeeks article's worked example: every window of **T = 3 characters** of *This is GeeksforGeeks a "
    "software training institute* predicts the next character. One-hot inputs, 50 ReLU units, a softmax on the last "
    "step, cross-entropy, Adam, batches of 32, 100 epochs. Every batch is one backpropagation through time over its "
    "windows, and the gradient is watched as the model learns."
)
for equation in (  # one a line: each fits a phone's width
    r"h_t = f(W_{hh} h_{t-1} + W_{xh} x_t + b_h)",
    r"p = \mathrm{softmax}(W_{hy} h_T + b_y)",
    r"L = -\frac{1}{B}\sum_b \log p_b[\text{next character}]",
):
    st.latex(equation)

with notices.page_guard("the Train page"):
    training.text_box()
    st.caption("The text stays while you use the app, but a link does not carry it: it holds the recipe.")
    own_recipe = st.empty()  # above the recipe, filled once its activation is known
    with st.expander("Recipe", expanded=True):
        recipe = training.recipe_controls()
    sidebar_activation = controls.current_settings().activation
    if recipe.activation != sidebar_activation:
        own, shared = (labels.choice_name("activation", name) for name in (recipe.activation, sidebar_activation))
        own_recipe.info(
            f"This page trains the seed article's character model with its own recipe below ({own} activation); "
            f"the sidebar's settings ({shared} activation) apply to the other pages.",
            icon=":material/info:",
        )
    training.start_and_stop_buttons()
    st.subheader("Learning, epoch by epoch")
    training.training_panel()
    model = training.current_model()
    st.subheader("Generate text")
    st.caption("Start from a prefix; each step feeds the last T characters and appends the prediction.")
    training.generation_box(model)
    st.subheader("Keep the model")
    training.model_files(model)
