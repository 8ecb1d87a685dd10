"""The Streamlit side of beltboard: state in the URL, cached data, charts, widgets, words.

Only this package and the page scripts import Streamlit; `data_access` never does.
"""
