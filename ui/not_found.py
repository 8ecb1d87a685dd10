"""A path the app has no page for: a "page not found" notice in the reader's language, with a link to every page.

What Streamlit 1.67 does by itself: `st.navigation`, asked for an unknown path (`/nope`), sends
`page_not_found` (the frontend's English dialog "Page not found … Running the app's main page")
and runs the default page. A path below a page (`/brand/12`, `/pages/brand.py`) never even reaches
the app: Streamlit answers it with index.html, whose `./static/…` assets then resolve below that
path and come back as HTML too, so the browser shows a blank page.

So dashboard.py registers the path asked for as one more (hidden) page, which runs `render`: the
frame shows this notice instead of Streamlit's dialog and a page nobody asked for. Paths below a page
are redirected by serve.py to `/page-not-found?path=…`, an unknown path like any other.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.util import calc_hash

from .i18n import t
from .text import plain

NOT_FOUND_PATH = "page-not-found"
REQUESTED = "_bb_requested_page"  # ui.legacy keeps the path asked for here across its rerun
MAX_SHOWN = 120


def unknown_path(url_paths: Collection[str]) -> str | None:
    """The url path this run asks for when the app has no page there; None for a known page.

    A first load names the page by its path; a click in the navigation or st.switch_page names it by
    hash, which Streamlit resolves itself. ui.legacy's rerun carries only a hash, so the path it was
    asked for comes back from the session."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    name = ctx.pages_manager.intended_page_name or ""
    wanted_hash = ctx.pages_manager.intended_page_script_hash
    stashed = st.session_state.pop(REQUESTED, None)
    if wanted_hash:
        if not stashed or calc_hash(stashed) != wanted_hash:
            return None
        name = stashed
    return name if name and name not in url_paths else None


def page_for(path: str, title: str) -> st.Page:
    """A hidden page at the unknown `path`, so that st.navigation finds it and runs the notice."""
    return st.Page(lambda: None, title=title, url_path=path, visibility="hidden")


def asked_for(path: str) -> str:
    """The path to name in the notice: `/nope`, or for a redirect from below a page, the original path."""
    if path == NOT_FOUND_PATH:
        original = st.query_params.get("path")
        if original:
            return original
    return "/" + path


def render(path: str, pages: Sequence[st.Page], lang: str) -> None:
    """The notice and a link to every page."""
    shown = asked_for(path)
    if len(shown) > MAX_SHOWN:
        shown = shown[:MAX_SHOWN] + "…"
    st.title(t("Page not found", lang))
    st.warning(t("There is no page at {path}. Choose one of the pages below.", lang, path=plain(shown)),
               icon=":material/search_off:")
    for page in pages:
        st.page_link(page, label=page.title, icon=page.icon)
