"""Filters live in the URL.

    ?lang=en&preset=custom&from=2021-04-01&to=2021-06-30&grain=quarter
     &belt=linyi-apparel&belt=none&province=Zhejiang&category=apparel&brand_type=new&managed_by=provider

The top half of this module is pure (decode / encode / date ranges, tested without Streamlit):
`decode` validates a URL's values against the warehouse's belts and provinces and the schema
enums, and returns what it had to drop, so the page can say so instead of failing.
The bottom half keeps the URL, the sidebar widgets and the pages in step (with ui/sidebar.render).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from data_access import periods, schema
from data_access.filters import GRAINS, Filters

from . import i18n

# The last full month / quarter / year (a review of a closed period), the running ones, and a custom range.
PRESETS = ("last_month", "last_quarter", "last_year", "ytd", "quarter", "last30", "last90", "custom")
DEFAULT_PRESET = "ytd"
DEFAULT_GRAIN = "month"
PRESET_GRAINS = {"last_month": "month", "last_quarter": "quarter", "last_year": "year"}  # a review's own grain
MIN_BASE_DEFAULT = 10_000   # yuan: a GMV multiple on a smaller base is marked "small base", not ranked
MIN_BASE_MAX = 10**12
LIST_KEYS = {"belt": "belts", "province": "provinces", "category": "categories", "brand_type": "brand_types"}
COMMON_KEYS = ("lang", "preset", "from", "to", "grain", "belt", "province", "category", "brand_type", "managed_by",
               "min_base")


@dataclass(frozen=True)
class View:
    """What the URL asks to see, validated. Dates only for the custom preset."""
    lang: str | None = None
    preset: str = DEFAULT_PRESET
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grain: str = DEFAULT_GRAIN
    belts: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    brand_types: tuple[str, ...] = ()
    managed_by: str | None = None
    min_base: int = MIN_BASE_DEFAULT  # yuan (ui.widgets: multiples on a smaller base are "small base")

    def with_(self, **changes) -> View:
        return replace(self, **changes)


@dataclass
class Decoded:
    view: View
    dropped: list[str] = field(default_factory=list)  # "key=value" items that were ignored
    swapped: bool = False  # the link's from was after its to: the two were swapped


def default_grain(preset: str) -> str:
    """The grain a preset opens on: a last full quarter is reviewed by quarter; the others by month."""
    return PRESET_GRAINS.get(preset, DEFAULT_GRAIN)


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None


@dataclass
class _Params:
    """URL parameters read one key at a time; every value refused is listed in `dropped` as "key=value"."""
    params: Mapping[str, Sequence[str] | str]
    dropped: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        raw = self.params.get(key, [])
        return [raw] if isinstance(raw, str) else [v for v in raw]

    def single(self, key: str, allowed: Collection[str]) -> str | None:
        """The last allowed value of `key` (None without one); every other value is dropped."""
        chosen = None
        for v in self.values(key):
            if v in allowed:
                chosen = v
            else:
                self.dropped.append(f"{key}={v}")
        return chosen

    def several(self, key: str, allowed: Collection[str]) -> tuple[str, ...]:
        """The allowed values of `key`, sorted and unique; others are dropped, except empty ones."""
        kept = []
        for v in self.values(key):
            if v in allowed:
                kept.append(v)
            elif v != "":
                self.dropped.append(f"{key}={v}")
        return tuple(sorted(set(kept)))

    def amount(self, key: str, default: int, maximum: int) -> int:
        """The last whole number 0…maximum of `key` (the default without one); every other value is dropped."""
        chosen = default
        for v in self.values(key):
            text = v.strip()
            if text.isascii() and text.isdigit() and int(text) <= maximum:
                chosen = int(text)
            else:
                self.dropped.append(f"{key}={v}")
        return chosen

    def date(self, key: str) -> dt.date | None:
        """The last ISO date of `key` (None without one); every value that is not one is dropped."""
        chosen = None
        for v in self.values(key):
            d = _iso(v)
            if d is None:
                self.dropped.append(f"{key}={v}")
            else:
                chosen = d
        return chosen


def decode(params: Mapping[str, Sequence[str] | str], known_belts: Collection[str],
           known_provinces: Collection[str], no_belt: bool = True) -> Decoded:
    """A View from URL parameters; unknown or malformed values are dropped and listed.

    `known_belts` and `known_provinces` are the user's (their access scope's): a belt outside it
    is dropped like an unknown one; `no_belt` says whether "none" (brands without a belt) is in it.
    """
    url = _Params(params)
    lang = url.single("lang", i18n.LANGS)
    preset = url.single("preset", PRESETS)
    date_from, date_to = url.date("from"), url.date("to")
    swapped = bool(date_from and date_to and date_from > date_to)
    if swapped:  # as the sidebar does with typed dates
        date_from, date_to = date_to, date_from
    if preset is None:
        preset = "custom" if (date_from or date_to) else DEFAULT_PRESET
    if preset != "custom":  # a preset's range is its own: dates beside it are left out, and said so
        url.dropped += [item for key in ("from", "to") for item in (f"{key}={v}" for v in url.values(key))
                        if item not in url.dropped]
        date_from, date_to, swapped = None, None, False
    view = View(
        lang=lang, preset=preset, date_from=date_from, date_to=date_to,
        grain=url.single("grain", GRAINS) or default_grain(preset),
        belts=url.several("belt", set(known_belts) | ({schema.NO_BELT} if no_belt else set())),
        provinces=url.several("province", set(known_provinces)),
        categories=url.several("category", schema.CATEGORIES),
        brand_types=url.several("brand_type", schema.BRAND_TYPES),
        managed_by=url.single("managed_by", schema.MANAGED_BY),
        min_base=url.amount("min_base", MIN_BASE_DEFAULT, MIN_BASE_MAX),
    )
    return Decoded(view, url.dropped, swapped)


def encode(view: View) -> dict[str, list[str]]:
    """The URL parameters of a View: defaults left out, lists sorted, so equal views give equal URLs."""
    out: dict[str, list[str]] = {}
    if view.lang:
        out["lang"] = [view.lang]
    if view.preset != DEFAULT_PRESET:
        out["preset"] = [view.preset]
    if view.preset == "custom":
        if view.date_from:
            out["from"] = [view.date_from.isoformat()]
        if view.date_to:
            out["to"] = [view.date_to.isoformat()]
    if view.grain != default_grain(view.preset):
        out["grain"] = [view.grain]
    for key, attr in LIST_KEYS.items():
        if getattr(view, attr):
            out[key] = sorted(getattr(view, attr))
    if view.managed_by:
        out["managed_by"] = [view.managed_by]
    if view.min_base != MIN_BASE_DEFAULT:
        out["min_base"] = [str(view.min_base)]
    return out


def last_full(as_of: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """[first, last day] of the last period of `grain` that has ended by the as-of date (the as-of date's own
    period when the data reaches its last day)."""
    start = periods.period_start(as_of, grain)
    if periods.period_end(start, grain) > as_of:
        start = periods.shift(start, grain, -1)
    return start, periods.period_end(start, grain)


def date_range(view: View, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """[from, to] of a view, presets counted back from the as-of date (the last day with data)."""
    if view.preset == "last30":
        return as_of - dt.timedelta(days=29), as_of
    if view.preset == "last90":
        return as_of - dt.timedelta(days=89), as_of
    if view.preset == "quarter":
        return periods.period_start(as_of, "quarter"), as_of
    if view.preset in PRESET_GRAINS:
        return last_full(as_of, PRESET_GRAINS[view.preset])
    if view.preset == "custom":
        date_to = view.date_to or as_of
        date_from = view.date_from or min(dt.date(date_to.year, 1, 1), date_to)
        return date_from, date_to
    return dt.date(as_of.year, 1, 1), as_of


def to_filters(view: View, as_of: dt.date) -> Filters:
    """The Filters of a view: the same object `python -m data_access export` builds from its flags."""
    date_from, date_to = date_range(view, as_of)
    return Filters(
        belts=view.belts, provinces=view.provinces, categories=view.categories, brand_types=view.brand_types,
        managed_by=(view.managed_by,) if view.managed_by else (), date_from=date_from, date_to=date_to,
        grain=view.grain,
    )


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
