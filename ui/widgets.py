"""Shared page pieces, defined once: header, KPI tiles, tables, CSV download, empty state."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from data_access.columns import column
from data_access.export import Where, file_name
from data_access.filters import Filters

from . import data, fmt, state
from .i18n import t
from .text import plain, single_line  # noqa: F401 - pages say widgets.plain

BRAND_PAGE = "pages/brand.py"


def page_header(title: str) -> state.PageContext:
    """The page title (a message, e.g. N_("Overview")) and "data as of"; returns the page context."""
    ctx = state.context()
    st.title(t(title, ctx.lang))
    st.caption(t("Data as of {date}", ctx.lang, date=ctx.as_of.isoformat()) + " · "
               + fmt.date_range(ctx.filters.date_from, ctx.filters.date_to, ctx.lang))
    if ctx.scope_note:  # an operator's or provider's totals are their scope's, not the platform's
        st.caption(ctx.scope_note)
    return ctx


def empty_state(lang: str) -> None:
    """Nothing matched: what to change, and where the data is (a range before it is a common cause)."""
    span = data.meta().span
    st.info(t("No brands match these filters — widen the date range or clear the belt filter.", lang) + " "
            + t("The warehouse holds data from {first} to {last}.", lang, first=span.first.isoformat(),
                last=span.last.isoformat()), icon=":material/filter_alt_off:")


# ---------------------------------------------------------------- KPI tiles

def multiple_tile(label: str, value: str | None, multiple, base_label: str, before: str, after: str,
                  help: str | None = None, *, lang: str) -> None:
    """A tile whose delta is a multiple of the period before, naming that period and both counts.

    With `value` None the multiple itself is the tile's value (e.g. year over year).
    """
    if fmt.is_empty(multiple):
        color, arrow = "off", "off"
    elif float(multiple) > 1:
        color, arrow = "normal", "up"
    elif float(multiple) < 1:
        color, arrow = "red", "down"
    else:
        color, arrow = "off", "off"
    description = t("vs {period} ({before} → {after})", lang, period=base_label, before=before, after=after)
    if value is None:
        st.metric(label, fmt.multiple(multiple, lang), delta=description, delta_color=color, delta_arrow=arrow,
                  help=help, border=True)
        return
    st.metric(label, value, delta=fmt.multiple(multiple, lang), delta_color=color, delta_arrow=arrow,
              delta_description=description, help=help, border=True)


def change_tile(label: str, value: str, change: float | None, change_text: str, description: str,
                help: str | None = None, good_when_up: bool = True) -> None:
    """A tile whose delta is a difference (counts, rates in points)."""
    if change is None or fmt.is_empty(change) or change == 0:
        color, arrow = "off", "off"
    else:
        color = "normal" if good_when_up else "inverse"
        arrow = "up" if change > 0 else "down"
        if change < 0 and not change_text.startswith("-"):
            change_text = "-" + change_text.lstrip("+")
    st.metric(label, value, delta=change_text, delta_color=color, delta_arrow=arrow,
              delta_description=description, help=help, border=True)


# ---------------------------------------------------------------- tables

# How a table shows each kind of column (data_access.columns.KINDS): ids, names and enums as text.
TABLE_KINDS = {"id": "text", "text": "text", "enum": "text", "date": "day", "count": "count", "money": "money",
               "rate": "rate", "multiple": "multiple", "ratio": "ratio", "days": "days", "flag": "bool"}


def table_kinds(columns: Sequence[str]) -> dict[str, str]:
    """{column: how a table shows it}, in the given order, from the catalogue's declarations."""
    return {name: TABLE_KINDS[column(name).kind] for name in columns}


def column_config(kinds: Mapping[str, str], lang: str) -> dict:
    """st.dataframe column formats by kind (money, count, multiple, rate, ratio, days, day, text, bool), with
    each column's header and help from the catalogue. The first column (the row's name or period) is pinned, so
    a wide table scrolled sideways on a phone still says whose row it is."""
    config = {}
    for position, (name, kind) in enumerate(kinds.items()):
        label = t(name, lang)
        meaning = column(name).help
        options = {"help": t(meaning, lang)} if meaning else {}
        if position == 0:
            options["pinned"] = True
        number_format = fmt.column_format(kind, lang)  # rates are shown ×100 by `table`
        if number_format:
            config[name] = st.column_config.NumberColumn(label, format=number_format, **options)
        elif kind == "day":
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD", **options)
        elif kind == "bool":
            config[name] = st.column_config.CheckboxColumn(label, **options)
        else:
            config[name] = st.column_config.TextColumn(label, **options)
    return config


def _table_view(df: pd.DataFrame, columns: Sequence[str], labels: Mapping[str, pd.Series] | None,
                lang: str) -> tuple[pd.DataFrame, dict]:
    """The frame a table shows (`columns` in that order, labels swapped in, rates ×100) and its st.dataframe
    options."""
    shown = df.reset_index(drop=True).copy()
    kinds = table_kinds(columns)
    for name, values in (labels or {}).items():
        shown[name] = list(values)
        kinds[name] = "text"
    for name, kind in kinds.items():
        if kind == "rate" and name in shown.columns:
            shown[name] = pd.to_numeric(shown[name], errors="coerce") * 100
    order = [c for c in kinds if c in shown.columns]
    # an empty figure reads "—" as on the tiles, not "None"
    return shown, dict(hide_index=True, column_order=order, column_config=column_config(kinds, lang),
                       placeholder=fmt.EMPTY)


def rate_tile(label: str, now, before, previous: str, *, help: str | None = None, good_when_up: bool,
              lang: str) -> None:
    """A rate with its change in percentage points against the previous period's."""
    change = None if fmt.is_empty(now) or fmt.is_empty(before) else float(now) - float(before)
    change_tile(label, fmt.rate(now, lang), change, fmt.points(change, lang),
                t("vs {period} ({before})", lang, period=previous, before=fmt.rate(before, lang)), help=help,
                good_when_up=good_when_up)


def roi_t30_tile(now, before, range_days: int, *, lang: str) -> None:
    """ROI T+30 of the range against the range of equal length before it."""
    change = None if fmt.is_empty(now) or fmt.is_empty(before) else float(now) - float(before)
    change_tile(
        t("ROI T+30", lang), fmt.ratio(now, lang), change, fmt.EMPTY if change is None else f"{change:+.2f}",
        t("vs previous {days} days ({before} → {after})", lang, days=range_days, before=fmt.ratio(before, lang),
          after=fmt.ratio(now, lang)),
        help=t("GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for campaigns "
               "starting in the range. The platform judges ROI at T+30.", lang))


def table(df: pd.DataFrame, columns: Sequence[str], *, key: str, lang: str,
          labels: Mapping[str, pd.Series] | None = None, select_brand: bool = False,
          height: int | str = "auto"):
    """Show `df` (these columns, in that order) with the catalogue's headers, formats and help; text stays
    plain text.

    `labels` replaces a column's shown values (e.g. a period as "2021年Q2", a belt by its name)
    without touching `df`, which is what the download writes. With `select_brand`, picking a
    row opens the brand page for that row's `brand_id`.
    """
    shown, options = _table_view(df, columns, labels, lang)
    options.update(height=height, key=f"{key}_{st.session_state.get('_bb_pick_round', 0)}")
    if not select_brand:
        st.dataframe(shown, **options)
        return None
    event = st.dataframe(shown, on_select="rerun", selection_mode="single-row", **options)
    st.caption(t("Select a row to open the brand page.", lang))
    rows = event.selection.rows if event is not None else []
    if rows:
        brand_id = df.reset_index(drop=True).iloc[rows[0]]["brand_id"]
        open_brand(int(brand_id))
    return event


def open_brand(brand_id: int) -> None:
    """Go to the brand page with ?brand=<id>, keeping the filters."""
    st.session_state["_bb_pick_round"] = st.session_state.get("_bb_pick_round", 0) + 1
    st.switch_page(BRAND_PAGE, query_params=state.link_params(brand=str(brand_id)))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_button(df: pd.DataFrame, name: str, *, key: str | None = None, dataset: str | None = None,
                    f: Filters | None = None, provider_id: int | None = None, where: Where = ()) -> None:
    """The rows given, as the one CSV format (data_access.export.csv_bytes: the CLI's bytes) and as an Excel
    workbook for people (data_access.xlsx: the CLI's `--format xlsx` cells). The rows are a dataset of the
    catalogue, `dataset` (default: `name` with underscores) for the filters `f` (default: the page's) and, for a
    dataset about one provider, `provider_id`, narrowed to the rows `where` says (data_access.export.narrowed):
    the About sheet names the export command that writes them again.
    Both files are written only when asked for (Streamlit's deferred download), each with its audit line."""
    ctx = state.context()
    about, scoped = data.excel_about(dataset or name.replace("-", "_"), ctx, f, provider_id, where)
    rows = df.copy()
    csv_key = key or f"dl_{name}"
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("Download CSV", ctx.lang), data=data.download_writer(rows, about, ctx.lang, "csv", ctx.ident),
            file_name=file_name(name, scoped, "csv"),
            mime="text/csv", key=csv_key, on_click="ignore", icon=":material/download:",
            help=t("The rows shown, as UTF-8 CSV with a byte-order mark (opens cleanly in Excel); the same format "
                   "as `python -m data_access export`.", ctx.lang),
        )
        st.download_button(
            t("Download Excel", ctx.lang), data=data.download_writer(rows, about, ctx.lang, "xlsx", ctx.ident),
            file_name=file_name(name, scoped, "xlsx"), mime=XLSX_MIME, key="xl_" + csv_key.removeprefix("dl_"),
            on_click="ignore", icon=":material/table_view:",
            help=t("The rows shown as an Excel workbook: headers and names in your language, numbers as numbers, "
                   "and an About sheet with the filters, scope and what each column means.", ctx.lang),
        )


def period_column(df: pd.DataFrame, grain: str, lang: str) -> pd.Series:
    return pd.Series([fmt.period(p, grain, lang) for p in df["period_start"]], index=df.index)


def group_labels(values: Sequence, by: str, ctx: state.PageContext) -> list[str]:
    """Breakdown values (belt ids, provinces, enums) in words."""
    from . import i18n
    out = []
    for v in values:
        if by == "belt":
            out.append(ctx.belt_label(v))
        elif by == "province":
            out.append(i18n.province(None if v == "none" else v, ctx.lang))
        else:
            out.append(i18n.enum(by, v, ctx.lang))
    return out


def page_choice(label: str, param: str, options: Sequence[str], default: str, format_func, *,
                help: str | None = None, label_visibility: str = "visible", lang: str) -> str:
    """A page-specific choice kept in the URL as ?<param>=… (left out when it is the default)."""
    ss = st.session_state
    key = f"p_{param}"
    raw = st.query_params.get(param)
    if raw is not None and raw not in options:
        link_notice(param, raw, lang)
    if key not in ss:
        ss[key] = raw if raw in options else default
    value = st.segmented_control(label, options, key=key, format_func=format_func, help=help,
                                 label_visibility=label_visibility) or default
    state.set_page_param(param, value, default)
    return value


# ---------------------------------------------------------------- providers / STEPS / brand / trust pages

def link_notice(param: str, raw: str, lang: str) -> None:
    """The frame's "not understood" warning for one page-specific URL value."""
    st.warning(t("Some values in the link were not understood and were ignored: {items}", lang,
                 items=f"`{param}={raw.replace('`', '')[:60]}`"), icon=":material/link_off:")


def whole_number(raw: str | None) -> int | None:
    """A URL value as a whole number ≥ 0 that fits a BIGINT id, else None."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        return None
    return int(text)


def url_id(param: str, lang: str) -> tuple[int | None, str | None]:
    """(the id in ?<param>=…, the raw text) for an id kept in the URL. A value that is not a whole
    number ≥ 0 is warned about and removed from the URL; (None, None) when there is none."""
    raw = st.query_params.get(param)
    if raw is None or raw == "":
        return None, None
    value = whole_number(raw)
    if value is None:
        link_notice(param, raw, lang)
        state.set_page_param(param, None)
    return value, raw


def rich_table(df: pd.DataFrame, columns: Sequence[str], *, key: str, lang: str,
               labels: Mapping[str, pd.Series] | None = None, height: int | str = "auto",
               pick: bool = False) -> int | None:
    """Like `table`, but with `pick`, picking a row returns
    its position in `df` (once: the pick is then cleared); `df` itself is what a download writes."""
    shown, options = _table_view(df, columns, labels, lang)
    round_key = f"_bb_pick_{key}"
    round_ = st.session_state.get(round_key, 0)
    options.update(height=height, key=f"{key}_{round_}")
    if not pick:
        st.dataframe(shown, **options)
        return None
    event = st.dataframe(shown, on_select="rerun", selection_mode="single-row", **options)
    rows = event.selection.rows if event is not None else []
    if not rows:
        return None
    st.session_state[round_key] = round_ + 1
    return int(rows[0])


def belt_chart(chart, *, selection: str, key: str) -> None:
    """An Altair chart whose selection `selection` carries `belt_id`: a click narrows the filters to
    that belt (the onboarding page's mechanism: ui.state.narrow_to_belt)."""
    round_ = st.session_state.get("_bb_belt_round", 0)
    event = st.altair_chart(chart, theme=None, on_select="rerun", selection_mode=selection, key=f"{key}_{round_}")
    picked = (event.selection.get(selection) or []) if event is not None else []
    if picked and picked[0].get("belt_id"):
        st.session_state["_bb_belt_round"] = round_ + 1
        state.narrow_to_belt(picked[0]["belt_id"])


days = fmt.days  # pages/providers.py and pages/steps.py say `widgets.days`


def vs_peers_tile(label: str, value, median, best, kind: str, lang: str, *, good_when_up: bool = True,
                  help: str | None = None) -> None:
    """A tile of one provider's figure, its delta the difference from the peers' median; `best`: where the
    peers' best 10% begin."""
    shown = {"money": fmt.money, "rate": fmt.rate, "ratio": fmt.ratio, "multiple": fmt.multiple,
             "count": fmt.count, "days": fmt.days}[kind]
    change = None
    if not (fmt.is_empty(value) or fmt.is_empty(median)):
        change = float(value) - float(median)
    if change is None:
        text = fmt.EMPTY
    elif kind == "money":
        text = ("+" if change >= 0 else "-") + fmt.money(abs(change), lang)
    elif kind == "rate":
        text = fmt.points(change, lang)
    elif kind == "multiple":
        text = f"{change:+,.1f}×"
    elif kind in ("count", "days"):
        text = f"{change:+,.1f}".removesuffix(".0")
    else:
        text = f"{change:+,.2f}"
    change_tile(label, shown(value, lang), change, text,
                t("median {median} · best 10% from {best}", lang, median=shown(median, lang), best=shown(best, lang)),
                help=help, good_when_up=good_when_up)
