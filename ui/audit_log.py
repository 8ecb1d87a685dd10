"""One audit line per page view (data_access.access.audit): who, their scope, the page, the filters, rows, time.

`page_view(ident, page, lang)` wraps a run of the frame. A run that ends in a rerun (a page switch, a
click that narrows the belts, Streamlit leaving its legacy pages mode) is not a view: the run it
asks for writes the line. A run that may see nothing is logged too (status `denied` or `login`).

Fail closed: before any data, the run asks whether its line can be written (data_access.access.audit.check).
With access control on (a signed-in user), it cannot: the page shows why and no data (status
`refused:audit`). Without access control (local mode) the sidebar warns and the page goes on.

What a run fetched is tallied in a thread-local (a script run is one thread), not in session
state: after `st.stop()` every session-state read raises again, and the line is written after it.
"""
from __future__ import annotations

import contextlib
import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import (
    RerunException,
    StopException,
)

from data_access.access import audit

from .i18n import t
from .identity import Identity
from .text import plain

_run = threading.local()


def _reset() -> None:
    _run.rows = 0
    _run.failed = None
    _run.filters = {}


def count(rows: int) -> None:
    """Rows a data call of this run returned."""
    _run.rows = getattr(_run, "rows", 0) + int(rows)


def failed(error_name: str) -> None:
    """This run showed a warehouse error."""
    _run.failed = error_name


def note_filters(filters) -> None:
    """The filters this run's page uses (the frame's, dates resolved)."""
    _run.filters = audit.filters_dict(filters)


def _page_params() -> dict:
    from .state import COMMON_KEYS
    try:
        return {f"page.{key}": st.query_params.get_all(key) for key in st.query_params if key not in COMMON_KEYS}
    except Exception:  # noqa: BLE001 - never let the audit break a page
        return {}


@contextlib.contextmanager
def page_view(ident: Identity, page: str, lang: str):
    _reset()
    page_params = _page_params()  # as the visitor asked, before the page rewrites any
    started = time.perf_counter()
    status = "ok" if ident.allowed else ("login" if ident.needs_login else "denied")
    path = audit.audit_path(ident.audit_log)
    try:
        problem = audit.check(path) if ident.allowed else None
        if problem and ident.source != "local":
            status = "refused:audit"
            _refuse(problem, lang)
        elif problem:
            st.sidebar.warning(t("The audit log cannot be written, so this view is not recorded: {problem}", lang,
                                 problem=_plain(problem)), icon=":material/warning:")
        yield
    except RerunException:
        status = None
        raise
    except StopException:
        if status == "ok":
            status = "stopped"  # the page ended early: nothing matched the filters
        raise
    except Exception:
        status = "error"
        raise
    finally:
        if status is not None:
            if _run.failed:
                status = f"error:{_run.failed}"  # the page showed a warehouse error
            audit.record(
                "page_view", user=ident.user or "-", scope=ident.scope.describe(), target=page,
                filters={**_run.filters, **page_params}, rows=_run.rows,
                duration_ms=(time.perf_counter() - started) * 1000, status=status, source=ident.source,
                path=path,
            )


def _refuse(problem: str, lang: str) -> None:
    """The whole page when the audit line cannot be written under access control: why, and no data."""
    st.title(t("beltboard · brand dashboard", lang))
    st.error(t("Nothing is shown: every view must be recorded in the audit log, and it cannot be written now "
               "({problem}). Tell the administrator.", lang, problem=_plain(problem)), icon=":material/lock:")
    st.stop()


def _plain(text: str) -> str:
    return plain(text)
