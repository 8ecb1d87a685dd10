"""The Brand page without a brand: a directory of the selected brands to search, sort, page through and open (the
catalogue's `brand_directory`); and what the page says when the brand a link names cannot be shown."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.warehouse.filters import Filters
from data_access.words.messages import N_

from . import data, fmt, i18n, identity, state, widgets
from .i18n import t

PAGE_ROWS = 50
SORTS = {"gmv": ("current_gmv_cny", False, N_("GMV in the range")), "multiple": ("multiple", False, N_("Multiple")),
         "refund": ("refund_rate", False, N_("Refund rate")), "step": ("current_step", False, N_("STEPS step")),
         "name": ("brand_name", True, N_("Name"))}
COLUMNS = ("brand_name", "belt_id", "category", "brand_type", "managed_by", "owner", "current_step", "state",
           "current_gmv_cny", "multiple", "small_base", "refund_rate", "brand_id")


def owner(row, lang: str) -> str:
    """Who runs the brand on the as-of date, as the warehouse has it: its provider, platform staff, or — for a
    brand the warehouse says providers serve — that none is assigned."""
    if not fmt.is_empty(row["provider_name"]):
        return str(row["provider_name"])
    if row["managed_by"] == "provider":
        return t("No provider assigned", lang)
    return t("Platform staff", lang)


def matches(directory: pd.DataFrame, query: str, ctx: state.PageContext, belts: pd.DataFrame) -> pd.Series:
    """Rows whose name, id, belt (Chinese or English name, its id) or province contains the query (any case)."""
    needle = query.strip().casefold()
    if not needle:
        return pd.Series(True, index=directory.index)
    words = {row["belt_id"]: " ".join([row["belt_id"], row["name_zh"], row["name_en"], row["province"],
                                       i18n.province(row["province"], ctx.lang)]).casefold()
             for _, row in belts.iterrows()}
    found = [needle in str(name).casefold() or needle == str(brand_id) or needle.lstrip("#") == str(brand_id)
             or needle in words.get(belt, "") for name, brand_id, belt in
             zip(directory["brand_name"], directory["brand_id"], directory["belt_id"])]
    return pd.Series(found, index=directory.index)


def _first_page() -> None:
    st.session_state["p_brand_page"] = 1


def render(ctx: state.PageContext) -> None:
    """The directory: a search box, a sort, a page of brands (a picked row opens the brand), and its download."""
    lang, f = ctx.lang, ctx.filters
    with data.page_errors():
        directory = data.report("brand_directory", f)
    if directory.empty:
        widgets.empty_state(lang=lang)
        return
    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    query = left.text_input(t("Search brands", lang), key="p_brand_q", on_change=_first_page,
                            placeholder=t("Name, id, or belt in Chinese or English", lang))
    sort = middle.selectbox(t("Sort by", lang), list(SORTS), format_func=lambda s: t(SORTS[s][2], lang),
                            key="p_brand_sort", on_change=_first_page)
    ascending = right.toggle(t("Ascending", lang), key="p_brand_ascending", value=SORTS[sort][1],
                             on_change=_first_page)
    found = directory[matches(directory, query, ctx, data.meta().belts).to_numpy()]
    by, _, _ = SORTS[sort]
    found = found.sort_values([by, "brand_id"], ascending=[ascending, True], kind="stable", na_position="last")
    found = widgets.with_small_base(found, "base_gmv_cny", widgets.minimum_base()).reset_index(drop=True)
    if found.empty:
        st.info(t("No brand among the {n} selected matches “{query}”.", lang, n=fmt.count(len(directory)),
                  query=widgets.plain(query)), icon=":material/search_off:")
        return
    pages = max(1, -(-len(found) // PAGE_ROWS))
    page = st.session_state.get("p_brand_page", 1)
    if not 1 <= page <= pages:
        st.session_state["p_brand_page"] = page = 1
    shown = found.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS].reset_index(drop=True)
    shown = shown.assign(owner=[owner(r, lang) for _, r in shown.iterrows()])
    st.caption(t("{n} brands · page {page} of {pages} · pick a row to open the brand", lang,
                 n=fmt.count(len(found)), page=page, pages=pages))
    widgets.table(shown, COLUMNS, key=f"directory_{page}", lang=lang, select_brand=True, height=PAGE_ROWS * 35 + 38,
                  labels={"belt_id": [ctx.belt_label(b) for b in shown["belt_id"]],
                          "category": [i18n.enum("category", c, lang) for c in shown["category"]],
                          "brand_type": [i18n.enum("brand_type", c, lang) for c in shown["brand_type"]],
                          "managed_by": [i18n.enum("managed_by", c, lang) for c in shown["managed_by"]],
                          "current_step": [i18n.enum("step", int(s), lang) for s in shown["current_step"]],
                          "state": [i18n.enum("state", s, lang) for s in shown["state"]],
                          "brand_id": [str(int(b)) for b in shown["brand_id"]]})
    if pages > 1:
        st.pagination(pages, key="p_brand_page")
    widgets.download_button(found[list(directory.columns)], "brand-directory", dataset="brand_directory")


def not_shown(brand_id: int, ctx: state.PageContext) -> None:
    """Why the brand a link names is not shown: outside the filters (widen them), or — for a user who sees a part
    — outside their belts or clients (said whether or not it exists: nothing is given away), or unknown."""
    lang = ctx.lang
    with data.page_errors():
        anywhere = data.report("brand_profile", Filters(brand_ids=(brand_id,)))  # within the scope, no filters
    scope = identity.scope(lang)
    if not anywhere.empty:
        st.info(t("Brand {id} is not among the brands these filters select: widen the filters (the sidebar) to see "
                  "it, or choose a brand below.", lang, id=brand_id), icon=":material/filter_alt:")
    elif scope.kind == "operator":
        st.warning(t("Brand {id} is not a brand of your belts, so it is not shown.", lang, id=brand_id),
                   icon=":material/lock:")
    elif scope.kind == "provider":
        st.warning(t("Brand {id} is not one of your clients, so it is not shown.", lang, id=brand_id),
                   icon=":material/lock:")
    else:
        st.info(t("The warehouse has no brand with id {id}. Choose a brand below.", lang, id=brand_id),
                icon=":material/search_off:")
