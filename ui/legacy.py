"""Keep Streamlit's legacy `pages/` mode from running a page without our frame.

A folder `pages/` beside the entry script makes `PagesManager` (streamlit/runtime/pages_manager.py)
set the class attribute `uses_pages_directory = True` the first time a PagesManager is built
while the attribute is still None: on the first session after a server start, and in AppTest
on every run (AppTest resets it to None before each run). While it is truthy, the script runner
(runtime/scriptrunner/script_runner.py, `_mpa_v1`) ignores our `st.navigation` and builds a
navigation of its own from the files in `pages/`, so `/sales` would exec `pages/sales.py`
directly: no sidebar, no filters, no "data as of".

`leave_legacy_pages_mode()` runs first in `dashboard.py` and in every page module. When the
flag is truthy it sets it to False (what `st.navigation` itself does, one run too late) and
asks for a rerun of the page the visitor asked for. The rerun execs `dashboard.py`, whose
`st.navigation` routes the same URL through the frame. Because the flag is a class attribute
and is never None again, a server pays this one extra run once; AppTest pays it on each run.

Every url_path in dashboard.py equals its file's stem in pages/, so the legacy navigation of
that first run knows every path and never sends a "Page not found" notice before our code runs
(tests/test_app_frame.py holds the two together).
"""
from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.util import calc_hash


def legacy_mode_active() -> bool:
    return bool(PagesManager.uses_pages_directory)


def requested_page_hash(pages_manager) -> str:
    """The hash `st.navigation` gives the page the visitor asked for ("" for the default page).

    A page's hash is `calc_hash(url_path)`. The request names the page by hash (a click in the
    navigation, `st.switch_page`, AppTest.switch_page) or, on a first load, by the URL path;
    the legacy navigation may have resolved either to a different page (its main page is
    dashboard.py itself), so we re-ask for the original request rather than for the page
    legacy mode picked.
    """
    if pages_manager.intended_page_script_hash:
        return pages_manager.intended_page_script_hash
    if pages_manager.intended_page_name:
        return calc_hash(pages_manager.intended_page_name)
    return ""


# Sessions whose current run is inside dashboard.py's frame (`framed()` around its `page.run()`). The class
# flag alone cannot tell a page it runs bare: when several sessions start together after a server start, the
# script runner may choose the legacy navigation for this session's run while the flag is set, and another
# session's run switch it off before this page's module starts (the server load test, bench/load.py, met it).
_FRAMED: set[str] = set()


@contextlib.contextmanager
def framed():
    """Mark the current session's run as inside the frame while its page runs."""
    ctx = get_script_run_ctx()
    session = ctx.session_id if ctx is not None else ""
    _FRAMED.add(session)
    try:
        yield
    finally:
        _FRAMED.discard(session)


def runs_bare() -> bool:
    """A page module running in a session whose run is not inside the frame: a legacy navigation ran it."""
    ctx = get_script_run_ctx()
    return ctx is not None and ctx.session_id not in _FRAMED


def leave_legacy_pages_mode(page: bool = True) -> None:
    """If Streamlit is in legacy pages/ mode, or this page runs without the frame (page=True, every page
    module; dashboard.py, the frame, passes False), switch legacy mode off and rerun through dashboard.py."""
    if not legacy_mode_active() and not (page and runs_bare()):
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is not None:
        # st.rerun() re-requests ctx.page_script_hash, i.e. the page the legacy navigation
        # chose; point it at the page the visitor asked for instead. The rerun carries only that
        # hash: keep the path asked for, so that an unknown one still gets the frame's notice.
        ctx.pages_manager.set_current_page_script_hash(requested_page_hash(ctx.pages_manager))
        if ctx.pages_manager.intended_page_name and not ctx.pages_manager.intended_page_script_hash:
            from .not_found import REQUESTED
            st.session_state[REQUESTED] = ctx.pages_manager.intended_page_name
    st.rerun()
