"""Your network: a model trained in PyTorch or Keras (or on the Train page), opened from a file, run on an input,
and shown as the app's own cells are: ||dh_T/dh_k|| with its bound, the step terms, the cell path, connectivity."""

import streamlit as st

from ui import controls, notices, sections
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
            sections.draw(yours.page_sections(data, request))
            yours.report_button(data, request)
