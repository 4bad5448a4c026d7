"""Join a class: a student's phone shows the class's question, takes the answer, then shows the reveal."""

import streamlit as st

from ui import class_mode, notices

st.title("Class")
with notices.page_guard("the class"):
    class_mode.student_view()
