"""beltboard · 产业带品牌看板 — the entry script: the frame every page runs in.

    WAREHOUSE_URL=duckdb:///data/warehouse.duckdb streamlit run serve.py   # serve.py serves this frame

The frame: page config, the language, who is looking (ui.identity: a local manager, a trusted
proxy header, or Streamlit's OIDC login; someone who may see nothing gets a message and no
sidebar), the navigation over pages/, the sidebar with the filters (kept in the URL), "data as
of"; then the page the URL names runs inside it, and an audit line records the view. A path
with no page gets a "page not found" notice with links to the pages (ui.not_found).

`make run` serves it through serve.py (`streamlit run serve.py`), which adds what a bare
`streamlit run dashboard.py` lacks: access control settled at start, and paths below a page.
"""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode(page=False)  # first: a `pages/` folder must never run a page without this frame

import streamlit as st  # noqa: E402

from ui import audit_log, health, identity, legacy, not_found, sidebar, state  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.navigation import MANAGERS_ONLY, PAGES  # noqa: E402

st.set_page_config(page_title="beltboard · 产业带品牌看板", page_icon=":material/insights:", layout="wide",
                   initial_sidebar_state="auto")  # collapsed on a phone

lang = state.language()
ident = identity.current(lang)
pages = [st.Page(path, title=t(title, lang), url_path=url_path, icon=icon) for path, url_path, title, icon in PAGES[1:]
         if url_path not in MANAGERS_ONLY or ident.scope.everything]
path, url_path, title, icon = PAGES[0]
home = st.Page(path, title=t(title, lang), url_path="", icon=icon, default=True)  # served at /
alias = st.Page(path, title=t(title, lang), url_path=url_path, icon=icon, visibility="hidden")  # and at /overview
unknown = not_found.unknown_path({url_path for _, url_path, _, _ in PAGES})
missing = [not_found.page_for(unknown, t("Page not found", lang))] if unknown else []
page = st.navigation([home, *pages, alias, *missing], position="sidebar" if ident.allowed else "hidden")
st.set_page_config(page_title=f"{page.title} · beltboard")  # each page its own browser-tab title
with audit_log.page_view(ident, page.url_path or "overview", lang):
    if not ident.allowed:  # nothing to see: no filters, no belt names, no data
        identity.render_blocked(ident, lang)
        st.stop()
    if missing and page is missing[0]:
        not_found.render(unknown, [home, *pages], lang)
        st.stop()
    st.session_state[state.CONTEXT] = context = sidebar.render(lang, ident)
    audit_log.note_filters(context.filters)
    health.notice(lang)  # with errors in the warehouse, every page says which figures they affect
    with legacy.framed():  # the page knows it runs inside the frame (ui/legacy.py)
        page.run()
