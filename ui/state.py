"""Filters live in the URL (data_access.views.links: View, decode, encode, the dates a view means, shared with the
digests), kept in step with the sidebar widgets and the pages here (with ui/sidebar.render).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from data_access.views.links import (  # noqa: F401 - the pages' URL state comes from here
    COMMON_KEYS,
    DEFAULT_GRAIN,
    DEFAULT_PRESET,
    EVENTS_OFF,
    LIST_KEYS,
    MIN_BASE_DEFAULT,
    MIN_BASE_MAX,
    PRESET_GRAINS,
    PRESETS,
    Decoded,
    View,
    date_range,
    decode,
    default_grain,
    encode,
    last_full,
    to_filters,
)
from data_access.warehouse import schema
from data_access.warehouse.filters import Filters

from . import i18n

if TYPE_CHECKING:
    from .identity import Identity

# ---------------------------------------------------------------- Streamlit side

LAST_URL = "_bb_last_url"       # the common parameters this session last wrote
NOTICE = "_bb_notice"           # (dropped items, the URL they were dropped from → the URL after)
CONTEXT = "_bb_context"         # PageContext of the current run
LANG = "_bb_lang"


@dataclass(frozen=True)
class PageContext:
    """What every page reads: the filters (dates resolved), the language, the as-of date."""
    filters: Filters
    view: View
    lang: str
    as_of: dt.date
    belt_names: Mapping[str, str]   # belt_id -> "省份 · 名称" in the reader's language
    url_params: Mapping[str, list[str]]
    scope_note: str | None = None   # "Your belts: …" under each page's title, for a user who sees a part
    ident: Identity | None = None   # who is looking, once per run (a download's scope and audit line)
    export_names: Mapping[str, str] = field(default_factory=dict)  # belt_id -> its name, as an Excel file says it
    events: tuple = ()              # the platform events the time charts draw (none when switched off)

    def belt_label(self, belt_id) -> str:
        if belt_id is None or belt_id == schema.NO_BELT:
            return i18n.t("No belt", self.lang)
        return self.belt_names.get(belt_id, str(belt_id))


def url_params() -> dict[str, list[str]]:
    import streamlit as st
    return {key: st.query_params.get_all(key) for key in COMMON_KEYS if key in st.query_params}


def write_url(params: Mapping[str, list[str]]) -> None:
    """Make the URL's common parameters equal `params` (page-specific ones are left alone)."""
    import streamlit as st
    current = url_params()
    if current == dict(params):
        return
    for key in COMMON_KEYS:
        if key in current and key not in params:
            del st.query_params[key]
    for key, values in params.items():
        if current.get(key) != values:
            st.query_params[key] = values if len(values) != 1 else values[0]


def restore_after_page_switch() -> dict[str, list[str]]:
    """The URL's common parameters, put back from this session when a page switch dropped them."""
    import streamlit as st
    current = url_params()
    last = st.session_state.get(LAST_URL)
    if not current and last:
        write_url(last)
        return dict(last)
    return current


def language() -> str:
    """The language of this run: the sidebar switch, else ?lang=, else the browser, else zh."""
    import streamlit as st
    ss = st.session_state
    url = restore_after_page_switch()
    url_lang = (url.get("lang") or [None])[-1]
    external_change = ss.get(LAST_URL) is not None and url != ss.get(LAST_URL)
    if ss.get("f_lang") in i18n.LANGS and not external_change:
        lang = ss["f_lang"]
    elif url_lang in i18n.LANGS:
        lang = url_lang
    else:
        lang = ss.get("f_lang") if ss.get("f_lang") in i18n.LANGS else (i18n.browser_language() or i18n.DEFAULT_LANG)
    ss[LANG] = lang
    if ss.get("f_lang") != lang:
        ss["f_lang"] = lang
    return lang


def run_language() -> str:
    """The language the frame settled for this run (`language`), for what runs under a page without a
    language argument of its own: the data calls' spinners and error messages (ui.data)."""
    import streamlit as st
    lang = st.session_state.get(LANG)
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def context() -> PageContext:
    """The current run's page context (set by the frame before the page runs)."""
    import streamlit as st
    return st.session_state[CONTEXT]


def page_param(key: str, options: Sequence[str], default: str) -> str:
    """A page-specific URL parameter: its value when valid, else the default."""
    import streamlit as st
    value = st.query_params.get(key)
    return value if value in options else default


def set_page_param(key: str, value: str | None, default: str | None = None) -> None:
    import streamlit as st
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def narrow_to_belt(belt_id: str) -> None:
    """Set the belt filter to one belt (through the URL: the sidebar follows on the rerun)."""
    import streamlit as st
    st.query_params["belt"] = belt_id
    st.rerun()


def link_params(**extra: str) -> dict[str, list[str] | str]:
    """The current filters as query parameters for st.switch_page, plus `extra`."""
    import streamlit as st
    params: dict[str, list[str] | str] = dict(st.session_state.get(LAST_URL) or {})
    params.update(extra)
    return params
