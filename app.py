"""rnnviz: the entry point. The page config, the shared controls in the sidebar, and the navigation."""

import streamlit as st

from ui import controls, presenter

st.set_page_config(page_title="rnnviz: RNN gradients", page_icon="🔁", layout="wide")

navigation = st.navigation({
    "Start": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
    "See it run": [
        st.Page("pages/unfold.py", title="Unfold", icon="🔗"),
        st.Page("pages/gradients.py", title="Gradients (BPTT)", icon="📉"),
        st.Page("pages/cells.py", title="Cells: RNN, LSTM, GRU", icon="🧬"),
    ],
    "Learn": [
        st.Page("pages/train.py", title="Train", icon="🏋️"),
        st.Page("pages/memory.py", title="Long-range memory", icon="🧠"),
    ],
    "Classroom": [
        st.Page("pages/regime_map.py", title="Regime map", icon="🗺️"),
        st.Page("pages/scenarios.py", title="Scenarios", icon="🎓"),
        st.Page("pages/sequences.py", title="Sequences", icon="🔤"),
    ],
})
presenter.apply()
controls.sidebar()
navigation.run()
