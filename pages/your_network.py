"""Your network: a model trained in PyTorch or Keras (or on the Train page), opened from a file, run on an input,
and shown as the app's own cells are: ||dh_T/dh_k|| with its bound, the step terms, the cell path, connectivity."""

import streamlit as st

from rnnviz import figures
from ui import controls, explain, gradient_views, notices
from ui import your_network_views as yours

st.title("Your network")
st.markdown(
    "Open a model you trained, a single-layer RNN, LSTM or GRU with a linear read-out, and see where its gradient "
    "dies. Save it with the snippet for your framework, upload the file, and choose what it reads."
)
controls.current_settings()  # the sidebar: the app's own network, for the other pages
st.caption("The sidebar's settings belong to the app's own network; this page's model and input are chosen here.")

with st.expander("Save your model: the code", expanded=False):
    yours.snippets()
data, origin = yours.model_file()
imported = yours.opened(data, origin)

if imported is not None:
    with notices.page_guard("your network"):
        st.subheader("What it reads")
        request = yours.input_request(imported)
        exp = yours.experiment(data, request)
        if exp is not None:
            yours.overflow_banner(exp)
            gradient_views.summary(exp)

            st.subheader("How much of the gradient survives T - k steps back")
            left, right = st.columns([3, 2], gap="medium")
            with left:
                yours.chart(figures.jacobian_norms_figure, data, request, yours.norms_look(exp), key="yn-norms")
            with right:
                yours.numbers(exp)
                st.markdown(gradient_views.growth_words(exp))
                st.markdown(yours.condition_words(exp))

            st.subheader("Each step's term of the gradient")
            left, right = st.columns([3, 2], gap="medium")
            with left:
                yours.chart(figures.step_terms_figure, data, request, explain.LOOK_AT["step_terms"], key="yn-terms")
            with right:
                st.markdown(gradient_views.share_words(exp))
                st.markdown(gradient_views.placement_words(exp))

            if exp.cell_path is not None:
                st.subheader("The LSTM's cell path")
                yours.chart(figures.imported_cell_path_figure, data, request, yours.CELL_PATH_LOOK, key="yn-cell-path")
                st.markdown(yours.cell_path_words(exp))

            st.subheader("Connectivity: which inputs each output depends on")
            yours.chart(
                figures.imported_connectivity_figure, data, request, yours.connectivity_look(exp), key="yn-connectivity"
            )
            yours.report_button(data, request)
