"""beltboard · 产业带品牌看板 — the entry script: the frame every page runs in.

    WAREHOUSE_URL=duckdb:///data/warehouse.duckdb streamlit run dashboard.py

The frame: page config, the language, the navigation over pages/, the sidebar with the filters
(kept in the URL), "data as of"; then the page the URL names runs inside it.
"""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()  # first: a `pages/` folder must never run a page without this frame

import streamlit as st  # noqa: E402

from ui import sidebar, state  # noqa: E402
from ui.i18n import t  # noqa: E402

# file, url path, title (English key), icon
PAGES = (
    ("pages/overview.py", "overview", "Overview", ":material/dashboard:"),
    ("pages/onboarding.py", "onboarding", "Onboarding growth", ":material/trending_up:"),
    ("pages/sales.py", "sales", "Sales multiples", ":material/payments:"),
    ("pages/providers.py", "providers", "Providers", ":material/handshake:"),
    ("pages/steps.py", "steps", "STEPS", ":material/stairs:"),
    ("pages/brand.py", "brand", "Brand", ":material/storefront:"),
    ("pages/trust_roi.py", "trust_roi", "Trust & ROI", ":material/verified_user:"),
)

st.set_page_config(page_title="beltboard · 产业带品牌看板", page_icon=":material/insights:", layout="wide",
                   initial_sidebar_state="expanded")

lang = state.language()
pages = [st.Page(path, title=t(title, lang), url_path=url_path, icon=icon) for path, url_path, title, icon in PAGES[1:]]
path, url_path, title, icon = PAGES[0]
home = st.Page(path, title=t(title, lang), url_path="", icon=icon, default=True)  # served at /
alias = st.Page(path, title=t(title, lang), url_path=url_path, icon=icon, visibility="hidden")  # and at /overview
page = st.navigation([home, *pages, alias])
st.session_state[state.CONTEXT] = sidebar.render(lang)
page.run()
