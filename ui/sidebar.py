"""The frame's sidebar: language, data as-of, the filters, refresh. Keeps widgets and URL in step.

Each run:
1. the URL's common parameters are read (and put back from the session when a page switch
   dropped them: ui.state.restore_after_page_switch);
2. on the session's first run, or when the URL changed under us (back/forward, a click on a
   chart that narrowed the belts), the widgets are seeded from the URL, validated; values that
   could not be used are listed in a warning;
3. the widgets render; their values are encoded and written back to the URL.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access.metrics.events import EventsError
from data_access.warehouse import schema
from data_access.warehouse.connection import WarehouseError
from data_access.warehouse.filters import GRAINS, DataSpan, bounded_range
from data_access.words import messages as words

from . import data, fmt, i18n, identity, state
from .i18n import N_, t
from .text import plain

KEYS = ("f_preset", "f_grain", "f_belt", "f_province", "f_category", "f_brand_type", "f_managed_by", "f_min_base",
        "f_events")
RANGE = "_bb_range"
CLAMPED = "_bb_clamped"  # ((from, to) asked for, (from, to) shown instead)
ALL = "all"
PRESET_LABELS = {"last_month": N_("Last full month"), "last_quarter": N_("Last full quarter"),
                 "last_year": N_("Last full year"), "last30": N_("Last 30 days of data"),
                 "last90": N_("Last 90 days of data"), "quarter": N_("This quarter"), "ytd": N_("Year to date"),
                 "custom": N_("Custom")}
GRAIN_LABELS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}


def belt_labels(meta: data.Meta, lang: str) -> dict[str, str]:
    """belt_id -> "省份 · 名称" (Chinese) or "Province · name" (English)."""
    return {row["belt_id"]: f"{i18n.province(row['province'], lang)} · {i18n.belt_name(row, lang)}"
            for _, row in meta.belts.iterrows()}


def belt_search_labels(meta: data.Meta, lang: str) -> dict[str, str]:
    """belt_id -> what the belt filter lists and searches: the province, the name in the reader's language and
    in the other one, so "义乌", "Yiwu" and its pinyin ("yiwu", even "yw": the filter matches letters in order)
    all find 义乌小商品."""
    out = {}
    for _, row in meta.belts.iterrows():
        shown = i18n.belt_name(row, lang)
        other = row["name_en"] if shown == row["name_zh"] else row["name_zh"]
        out[row["belt_id"]] = " · ".join(dict.fromkeys([i18n.province(row["province"], lang), shown, other]))
    return out


def belt_options(meta: data.Meta, lang: str) -> list[str]:
    """The belts of the user's scope grouped by province (sorted by the province's and the belt's name as
    shown), then no belt (when the scope holds it)."""
    labels = belt_labels(meta, lang)
    return sorted(meta.belt_ids, key=lambda b: labels[b]) + ([schema.NO_BELT] if meta.no_belt else [])


def _seed(view: state.View, as_of: dt.date) -> None:
    ss = st.session_state
    ss["f_preset"] = view.preset
    if view.preset == "custom":
        ss["f_from"], ss["f_to"] = state.date_range(view, as_of)
    ss["f_grain"] = view.grain
    ss["f_belt"] = list(view.belts)
    ss["f_province"] = list(view.provinces)
    ss["f_category"] = list(view.categories)
    ss["f_brand_type"] = list(view.brand_types)
    ss["f_managed_by"] = view.managed_by or ALL
    ss["f_min_base"] = view.min_base
    ss["f_events"] = view.events


def _on_preset() -> None:
    """Switching to custom starts from the range that was showing; a last full month / quarter / year is
    reviewed by its own grain (one click to the quarterly review)."""
    ss = st.session_state
    if ss.get("f_preset") == "custom" and RANGE in ss:
        ss["f_from"], ss["f_to"] = ss[RANGE]
    if ss.get("f_preset") in state.PRESET_GRAINS:
        ss["f_grain"] = state.PRESET_GRAINS[ss["f_preset"]]


def _keep_near_the_data(span: DataSpan) -> None:
    """Keep the custom range (from a link, or typed) near the warehouse's data and at most ten years long
    (filters.bounded_range), before its widgets draw; what was asked for is kept for the notice."""
    ss = st.session_state
    asked = ss.get("f_from"), ss.get("f_to")
    if None in asked:
        return
    kept = bounded_range(*sorted(asked), span)
    if kept != tuple(sorted(asked)):
        ss["f_from"], ss["f_to"] = kept
        ss[CLAMPED] = (asked, kept)


def _days(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from.isoformat()} – {date_to.isoformat()}"


def _on_reset() -> None:
    ss = st.session_state
    lang = ss.get("f_lang")
    for key in (*KEYS, "f_from", "f_to"):
        ss.pop(key, None)
    ss.pop(state.LAST_URL, None)
    ss.pop(state.NOTICE, None)
    ss.pop(CLAMPED, None)
    st.query_params.clear()
    if lang:
        st.query_params["lang"] = lang


def _view_from_widgets(lang: str) -> state.View:
    ss = st.session_state
    date_from = date_to = None
    if ss["f_preset"] == "custom":
        date_from, date_to = ss.get("f_from"), ss.get("f_to")
    managed_by = ss["f_managed_by"]
    return state.View(
        lang=lang, preset=ss["f_preset"], date_from=date_from, date_to=date_to, grain=ss["f_grain"],
        belts=tuple(sorted(ss["f_belt"])), provinces=tuple(sorted(ss["f_province"])),
        categories=tuple(sorted(ss["f_category"])), brand_types=tuple(sorted(ss["f_brand_type"])),
        managed_by=None if managed_by == ALL else managed_by, min_base=int(ss["f_min_base"]),
        events=bool(ss["f_events"]),
    )


def render(lang: str, ident: identity.Identity) -> state.PageContext:
    """Draw the sidebar; return the page context. On a warehouse error, say so and stop the run."""
    ss = st.session_state
    sb = st.sidebar
    sb.radio(t("Language", lang), i18n.LANGS, format_func=i18n.label, key="f_lang", horizontal=True)
    identity.render_sidebar(ident, lang)
    try:
        meta = data.meta()
    except WarehouseError as exc:
        data.show_error(exc, lang)
        sb.button(t("Refresh data", lang), on_click=data.refresh, icon=":material/refresh:", key="refresh_data")
        st.stop()

    sb.caption(t("Data as of {date}", lang, date=meta.as_of.isoformat()))

    url = state.url_params()
    last = ss.get(state.LAST_URL)
    if last is None or url != last or any(key not in ss for key in KEYS):
        decoded = state.decode(url, meta.belt_ids, meta.provinces, no_belt=meta.no_belt)
        _seed(decoded.view, meta.as_of)
        if decoded.dropped or decoded.swapped:
            seeded = decoded.view.with_(lang=lang)
            if seeded.preset == "custom":  # the widgets hold the range shown (a date left out is filled in)
                seeded = seeded.with_(**dict(zip(("date_from", "date_to"), state.date_range(seeded, meta.as_of))))
            ss[state.NOTICE] = (decoded.dropped, state.encode(seeded), decoded.swapped)
        else:
            ss.pop(state.NOTICE, None)

    sb.subheader(t("Filters", lang))
    sb.selectbox(t("Date range", lang), state.PRESETS, format_func=lambda p: t(PRESET_LABELS[p], lang), key="f_preset",
                 on_change=_on_preset, help=t("Relative to the last day with data ({date}).", lang,
                                              date=meta.as_of.isoformat()))
    if ss["f_preset"] == "custom":
        if "f_from" not in ss or "f_to" not in ss:
            ss["f_from"], ss["f_to"] = state.date_range(state.View(preset="custom"), meta.as_of)
        _keep_near_the_data(meta.span)
        # one above the other: side by side, a narrow sidebar cut the dates to "2021-04-0"
        sb.date_input(t("From", lang), key="f_from", min_value=meta.span.low, max_value=meta.span.high,
                      format="YYYY-MM-DD")
        sb.date_input(t("To", lang), key="f_to", min_value=meta.span.low, max_value=meta.span.high,
                      format="YYYY-MM-DD")

    view = _view_from_widgets(lang)
    if view.date_from and view.date_to and view.date_from > view.date_to:
        sb.warning(t("The start date was after the end date; the two were swapped.", lang))
        view = view.with_(date_from=view.date_to, date_to=view.date_from)
    filters = state.to_filters(view, meta.as_of)
    ss[RANGE] = (filters.date_from, filters.date_to)
    sb.caption(fmt.date_range(filters.date_from, filters.date_to, lang))

    sb.radio(t("Period", lang), GRAINS, format_func=lambda g: t(GRAIN_LABELS[g], lang), key="f_grain", horizontal=True)
    labels, searched = belt_labels(meta, lang), belt_search_labels(meta, lang)
    sb.multiselect(t("Industry belts", lang), belt_options(meta, lang), key="f_belt",
                   format_func=lambda b: t("No belt", lang) if b == schema.NO_BELT else searched.get(b, b),
                   placeholder=t("All belts", lang),
                   help=t("Type a belt's or province's name in Chinese or English, or its pinyin (yiwu, yw).", lang))
    sb.multiselect(t("Provinces", lang), meta.provinces, key="f_province", format_func=lambda p: i18n.province(p, lang),
                   placeholder=t("All provinces", lang), help=t("Of the brand's industry belt.", lang))
    sb.multiselect(t("Categories", lang), schema.CATEGORIES, key="f_category",
                   format_func=lambda c: i18n.enum("category", c, lang), placeholder=t("All categories", lang))
    sb.multiselect(t("Brand types", lang), schema.BRAND_TYPES, key="f_brand_type",
                   format_func=lambda c: i18n.enum("brand_type", c, lang), placeholder=t("All brand types", lang))
    sb.radio(t("Managed by", lang), (ALL, *schema.MANAGED_BY), key="f_managed_by",
             format_func=lambda m: t("All", lang) if m == ALL else i18n.enum("managed_by", m, lang))
    sb.number_input(t("Minimum base for multiples (¥)", lang), min_value=0, max_value=state.MIN_BASE_MAX, step=5_000,
                    key="f_min_base", help=t("A GMV multiple whose base (the earlier GMV) is below this is marked "
                                             "“small base” and left out of rankings: ¥8 → ¥74,074 is 9,201×, but "
                                             "no headline. Default {amount}.", lang,
                                             amount=fmt.money(state.MIN_BASE_DEFAULT, lang)))

    sb.toggle(t("Platform events on charts", lang), key="f_events",
              help=t("Draw the platform's campaign events (616, 818, 双11, …) as bands on every time chart.", lang))
    sb.button(t("Reset filters", lang), on_click=_on_reset, icon=":material/filter_alt_off:", key="reset_filters",
              width="stretch")
    if ident.scope.everything:  # the caches are every user's: clearing them is a manager's call (ui/data.py)
        sb.button(t("Refresh data", lang), on_click=data.refresh, icon=":material/refresh:", key="refresh_data",
                  width="stretch", help=t("Reload every figure from the warehouse (figures are cached for 10 "
                                          "minutes).", lang))

    encoded = state.encode(view)
    state.write_url(encoded)
    ss[state.LAST_URL] = encoded

    clamped = ss.get(CLAMPED)
    if clamped and view.preset == "custom" and clamped[1] == (filters.date_from, filters.date_to):
        st.warning(t("The dates asked for ({asked}) reach beyond the warehouse's data ({data}, give or take a year) "
                     "or span more than ten years; showing {shown}.", lang, asked=_days(*clamped[0]),
                     data=_days(meta.span.first, meta.span.last), shown=_days(*clamped[1])),
                   icon=":material/date_range:")

    notice = ss.get(state.NOTICE)
    if notice and notice[1] == encoded:
        _link_notices(notice[0], ident, lang, view, filters)
        if notice[2]:
            st.warning(t("The start date was after the end date; the two were swapped.", lang),
                       icon=":material/date_range:")

    return state.PageContext(filters=filters, view=view, lang=lang, as_of=meta.as_of, belt_names=labels,
                             url_params=encoded, scope_note=identity.scope_caption(ident, labels, lang),
                             ident=ident, export_names=words.belt_names(meta.belts, lang),
                             events=_events(lang) if view.events else ())


def _events(lang: str) -> tuple:
    """The platform events for the charts; a calendar that cannot be used is said, and the charts go without."""
    try:
        return data.platform_events()
    except EventsError as exc:
        st.sidebar.warning(t("The events calendar cannot be used, so the charts show no events: {problem}", lang,
                             problem=plain(str(exc))), icon=":material/event_busy:")
        return ()


def _link_notices(dropped: list[str], ident, lang: str, view: state.View, filters) -> None:
    """What the link asked for that the page left out: for a user who sees some belts, a belt is "not one of
    yours" (whether or not it exists elsewhere); a date that is none, or that a preset replaces, says which
    range is shown instead; anything else was not understood."""
    outside = [item for item in dropped if item.startswith("belt=")] if not ident.scope.everything else []
    dates = [item for item in dropped if item.startswith(("from=", "to="))]
    other = [item for item in dropped if item not in outside and item not in dates]

    def listed(items):
        return ", ".join(f"`{_literal(item)}`" for item in items)

    shown = _days(filters.date_from, filters.date_to)
    if dates and view.preset != "custom":
        st.warning(t("The link's dates ({items}) were left out: its date range is “{preset}”, showing {shown}. "
                     "Choose Custom to give dates.", lang, items=listed(dates),
                     preset=t(PRESET_LABELS[view.preset], lang), shown=shown), icon=":material/date_range:")
    elif dates:
        st.warning(t("Not a date (YYYY-MM-DD), so left out: {items}; showing {shown}.", lang, items=listed(dates),
                     shown=shown), icon=":material/date_range:")
    if outside:
        st.warning(t("Not one of your belts, so left out: {items}", lang, items=listed(outside)),
                   icon=":material/lock:")
    if other:
        st.warning(t("Some values in the link were not understood and were ignored: {items}", lang,
                     items=listed(other)), icon=":material/link_off:")


def _literal(text: str) -> str:
    """A URL value fit for a Markdown code span: no backticks, not endless."""
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "…"
