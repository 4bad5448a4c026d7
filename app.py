"""rnnviz: the entry point. The page config, the shared controls in the sidebar, and the navigation."""

import streamlit as st

from ui import controls, presenter

st.set_page_config(page_title="rnnviz: RNN gradients", page_icon="🔁", layout="wide")

navigation = st.navigation(
    {
        "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
        "See it run": [
            st.Page("pages/unfold.py", title="Unfold", icon=":material/account_tree:"),
            st.Page("pages/gradients.py", title="Gradients (BPTT)", icon=":material/trending_down:"),
            st.Page("pages/cells.py", title="Cells: RNN, LSTM, GRU", icon=":material/hub:"),
            st.Page("pages/your_network.py", title="Your network", icon=":material/upload_file:"),
        ],
        "Learn": [
            st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
            st.Page("pages/memory.py", title="Long-range memory", icon=":material/psychology:"),
        ],
        "Classroom": [
            st.Page("pages/regime_map.py", title="Regime map", icon=":material/map:"),
            st.Page("pages/scenarios.py", title="Scenarios", icon=":material/school:"),
            st.Page("pages/sequences.py", title="Sequences", icon=":material/text_fields:"),
            st.Page("pages/join.py", title="Join a class", icon=":material/groups:", visibility="hidden"),
        ],
    }
)
presenter.apply()
controls.sidebar(navigation.url_path)
navigation.run()
