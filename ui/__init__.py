"""Streamlit code shared by the pages: the sidebar controls, the cache, notices and explanations."""
