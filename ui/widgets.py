"""Shared page pieces, defined once: header, KPI tiles, tables, CSV download, empty state."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access.export.csv_file import Where, file_name
from data_access.metrics.columns import column
from data_access.warehouse.filters import Filters

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
# A tile: its figure, its change against the first comparison (a chip, named by its base period), and the
# audit trail of every comparison on lines of its own: both sides of the ratio, the counts, the base period.
# st.metric cuts its label, value, delta and delta description to one line with an ellipsis (Streamlit 1.67
# truncates them), so what must be read in full is on the caption lines below it, which wrap.

@dataclass(frozen=True)
class Versus:
    """One comparison a tile shows."""
    period: str              # what the figure is compared with: "Q1 2021", "the previous 91 days", "2021-03-31"
    before: str              # the figure then, formatted
    after: str               # the figure now, formatted
    change: str              # as shown: "4.5×", "+0.8 pp", "+17", "—"
    sign: float | None       # > 0: up, < 0: down, 0 or None: no change to colour
    name: str | None = None  # "Year over year" (同比): named when it is not the tile's first comparison
    small: bool = False      # a multiple whose base is below the minimum base: shown, but not as a headline
    minimum: str | None = None  # that minimum, formatted
    trailed: bool = True     # its trail is a line of the tile (a peer median has its own line instead)


def _shown(value, kind: str, lang: str) -> str:
    return {"money": fmt.money, "rate": fmt.rate, "ratio": fmt.ratio, "multiple": fmt.multiple, "count": fmt.count,
            "days": fmt.days}[kind](value, lang)


def _difference(change: float, kind: str, lang: str) -> str:
    if kind == "money":
        return ("+" if change >= 0 else "-") + fmt.money(abs(change), lang)
    if kind == "rate":
        return fmt.points(change, lang)
    if kind == "multiple":
        return f"{change:+,.1f}×"
    if kind in ("count", "days"):
        return f"{change:+,.1f}".removesuffix(".0")
    return f"{change:+,.2f}"


def versus_multiple(period: str, before, after, kind: str, lang: str, *, name: str | None = None,
                    minimum: float | None = None) -> Versus:
    """The figure over the same figure then (after / before), e.g. brands onboarded 4.5× Q1's. With `minimum`,
    a base below it is a small base: the multiple is shown in the trail, not as the tile's change."""
    multiple = None
    if not (fmt.is_empty(before) or fmt.is_empty(after)) and float(before) != 0:
        multiple = float(after) / float(before)
    small = minimum is not None and not fmt.is_empty(before) and multiple is not None and float(before) < minimum
    return Versus(period, _shown(before, kind, lang), _shown(after, kind, lang), fmt.multiple(multiple, lang),
                  None if multiple is None else multiple - 1, name=name, small=small,
                  minimum=None if minimum is None else _shown(minimum, kind, lang))


def versus_change(period: str, before, after, kind: str, lang: str, *, name: str | None = None) -> Versus:
    """The figure against the same figure then as a difference (counts, rates in points, ROI)."""
    change = None if fmt.is_empty(before) or fmt.is_empty(after) else float(after) - float(before)
    return Versus(period, _shown(before, kind, lang), _shown(after, kind, lang),
                  fmt.EMPTY if change is None else _difference(change, kind, lang), change, name=name)


def trail(v: Versus, lang: str, first: bool = True) -> str:
    """The audit trail of one comparison, in words: "223 → 1,002" under the tile's "4.5× vs Q1 2021" (`first`);
    another names itself ("Year over year: 6.7× vs Q2 2020 (150 → 1,002)"). A multiple on a small base says so."""
    if first:
        text = t("{before} → {after}", lang, before=v.before, after=v.after)
        if v.small:
            text = t("{trail}: {change}", lang, trail=text, change=v.change)
    else:
        text = t("{change} vs {period} ({before} → {after})", lang, change=v.change, period=v.period,
                 before=v.before, after=v.after)
        if v.name:
            text = t("{name}: {trail}", lang, name=v.name, trail=text)
    if v.small:
        text = t("{trail}, on a small base (below {minimum})", lang, trail=text, minimum=v.minimum)
    return text


def tile(label: str, value: str, *comparisons: Versus, lang: str, help: str | None = None,
         good_when_up: bool = True, lines: Sequence[str] = ()) -> None:
    """A bordered KPI tile: the figure, its change against the first comparison, every comparison's trail, then
    `lines` (more of the audit trail, in words)."""
    with st.container(border=True, gap="xxsmall", height="stretch"):
        if not comparisons:
            st.metric(label, value, help=help)
            if lines:
                st.caption("  \n".join(plain(line) for line in lines))
            return
        first = comparisons[0]
        if first.small:
            delta, color, arrow = t("small base", lang), "off", "off"
        elif first.sign is None or first.sign == 0 or fmt.is_empty(first.sign):
            delta, color, arrow = first.change, "off", "off"
        else:
            delta, arrow = first.change, "up" if first.sign > 0 else "down"
            color = "green" if (first.sign > 0) == good_when_up else "red"
        # a short base period is named beside the change; a long one ("the previous 365 days") on the trail's line
        short = len(first.period) <= SHORT_PERIOD
        st.metric(label, value, delta=delta, delta_color=color, delta_arrow=arrow,
                  delta_description=t("vs {period}", lang, period=first.period) if short else None, help=help)
        shown = [trail(v, lang, first=i == 0) for i, v in enumerate(comparisons) if v.trailed] + list(lines)
        if not short and first.trailed:
            shown[0] = t("vs {period}: {trail}", lang, period=first.period, trail=shown[0])
        elif not short:
            shown.insert(0, t("vs {period}", lang, period=first.period))
        if shown:
            st.caption("  \n".join(plain(line) for line in shown))


SHORT_PERIOD = 12  # characters: "2021年11月", "Q1 2021", "2021-11-30" fit beside a tile's change; longer do not
MIN_COUNT_BASE = 10  # brands or orders: a multiple of fewer is a small base too


def with_small_base(df: pd.DataFrame, base: str, minimum: float) -> pd.DataFrame:
    """`df` with `small_base`: the row's multiple stands on a base (column `base`) above 0 but below `minimum`."""
    values = pd.to_numeric(df[base], errors="coerce").astype(float)
    return df.assign(small_base=((values > 0) & (values < minimum)).to_numpy())


def minimum_base() -> int:
    """The minimum base of a GMV multiple (yuan; the sidebar's, kept in the URL as ?min_base=)."""
    return state.context().view.min_base


# ---------------------------------------------------------------- tables

# How a table shows each kind of column (data_access.metrics.columns.KINDS): ids, names and enums as text.
TABLE_KINDS = {"id": "text", "text": "text", "enum": "text", "date": "day", "count": "count", "money": "money",
               "rate": "rate", "multiple": "multiple", "ratio": "ratio", "days": "days", "flag": "bool"}


def table_kinds(columns: Sequence[str]) -> dict[str, str]:
    """{column: how a table shows it}, in the given order, from the catalogue's declarations."""
    return {name: TABLE_KINDS[column(name).kind] for name in columns}


PINNED_KINDS = ("text", "day")  # a first column that names its row (a name, an id, a period): kept in view
ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row height, and its header with the borders


def column_config(kinds: Mapping[str, str], lang: str) -> dict:
    """st.dataframe column formats by kind (money, count, multiple, rate, ratio, days, day, text, bool), with
    each column's header and help from the catalogue. A first column that names the row (a name, an id, a
    period) is pinned, so a wide table scrolled sideways on a phone still says whose row it is. Money has no
    format here: `_table_view` writes it as the tiles do (ui.fmt.money), the numbers kept for sorting."""
    config = {}
    for position, (name, kind) in enumerate(kinds.items()):
        label = t(name, lang)
        meaning = column(name).help
        options = {"help": t(meaning, lang)} if meaning else {}
        if kind == "money":
            options["help"] = " ".join(filter(None, [options.get("help"), t(
                "Amounts read as on the tiles (¥3,456万 / ¥34.6M); the downloads have every yuan.", lang)]))
        if position == 0 and kind in PINNED_KINDS:
            options["pinned"] = True
        number_format = fmt.column_format(kind, lang)  # rates are shown ×100 by `table`
        if kind == "money":
            config[name] = st.column_config.NumberColumn(label, **options)
        elif number_format:
            config[name] = st.column_config.NumberColumn(label, format=number_format, **options)
        elif kind == "day":
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD", **options)
        elif kind == "bool":
            config[name] = st.column_config.CheckboxColumn(label, **options)
        else:
            config[name] = st.column_config.TextColumn(label, **options)
    return config


def fitted(height: int | str, rows: int) -> int | str:
    """A table's height: a fixed height scrolls a long table under its pinned header, but never pads a short
    one with empty rows."""
    if isinstance(height, int):
        return min(height, HEADER_PX + ROW_PX * max(rows, 1))
    return height


def _table_view(df: pd.DataFrame, columns: Sequence[str], labels: Mapping[str, pd.Series] | None,
                lang: str) -> tuple[pd.DataFrame, dict]:
    """The frame a table shows (`columns` in that order, labels swapped in, rates ×100, money as the tiles write
    it) and its st.dataframe options."""
    shown = df.reset_index(drop=True).copy()
    kinds = table_kinds(columns)
    for name, values in (labels or {}).items():
        shown[name] = list(values)
        kinds[name] = "text"
    for name, kind in kinds.items():
        if kind == "rate" and name in shown.columns:
            shown[name] = pd.to_numeric(shown[name], errors="coerce") * 100
    order = [c for c in kinds if c in shown.columns]
    shown = shown[order]  # what is not shown is neither sent nor styled
    money = [c for c in order if kinds[c] == "money"]
    data = shown
    if money:  # one convention per page: ¥6,518万 in a cell as on a tile; the number underneath sorts
        shown = shown.assign(**{c: pd.to_numeric(shown[c], errors="coerce").astype(float) for c in money})
        data = shown.style.format({c: (lambda v: fmt.money(v, lang)) for c in money}, na_rep=fmt.EMPTY)
    # an empty figure reads "—" as on the tiles, not "None"
    return data, dict(hide_index=True, column_order=order, column_config=column_config(kinds, lang),
                      placeholder=fmt.EMPTY)


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
    options.update(height=fitted(height, len(df)), key=f"{key}_{st.session_state.get('_bb_pick_round', 0)}")
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
    """The rows given, as the one CSV format (data_access.export.csv_file.csv_bytes: the CLI's bytes) and as an Excel
    workbook for people (data_access.export.xlsx: the CLI's `--format xlsx` cells). The rows are a dataset of the
    catalogue, `dataset` (default: `name` with underscores) for the filters `f` (default: the page's) and, for a
    dataset about one provider, `provider_id`, narrowed to the rows `where` says (data_access.export.csv_file.narrowed):
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
    options.update(height=fitted(height, len(df)), key=f"{key}_{round_}")
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
