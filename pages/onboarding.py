"""Onboarding growth: brands onboarded per period, 环比 and 同比, the cumulative base, by belt."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access import periods, plans, schema  # noqa: E402
from data_access.catalogue import DATASETS  # noqa: E402
from data_access.filters import GROUP_BYS  # noqa: E402
from ui import charts, data, fmt, i18n, state, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

ctx = widgets.page_header(N_("Onboarding growth"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)
year_ago = periods.shift(pair.current, "year", -1)

with data.page_errors():
    onboarding = data.report("onboarding", f)
    ext = data.report("onboarding", plans.extended(f))
    year_ago_row = data.report("onboarding", f.with_(date_from=year_ago, date_to=periods.period_end(year_ago, grain)))
    by_belt = data.report("onboarding", f.with_(by="belt"))
    ranking = data.report("belt_ranking", f)

if onboarding["cumulative_brands"].max() == 0:
    widgets.empty_state(lang=lang)
    st.stop()

# ---------------------------------------------------------------- tiles
now, before = plans.row_at(ext, pair.current), plans.row_at(ext, pair.previous)
yoy_before = plans.row_at(year_ago_row, year_ago)
period, previous = fmt.period(pair.current, grain, lang), fmt.period(pair.previous, grain, lang)
c1, c2, c3 = st.columns(3)
with c1:
    widgets.multiple_tile(
        t("Brands onboarded · {period}", lang, period=period), fmt.count(now["brands_onboarded"]),
        now["growth_multiple"],
        previous, fmt.count(before["brands_onboarded"]), fmt.count(now["brands_onboarded"]),
        help=t("Brands with onboarded_on in the period; the multiple is this period over the one before (环比).", lang),
        lang=lang)
with c2:
    widgets.multiple_tile(
        t("Year over year · {period}", lang, period=period), None, now["yoy_multiple"],
        fmt.period(year_ago, grain, lang), fmt.count(yoy_before["brands_onboarded"]),
        fmt.count(now["brands_onboarded"]),
        help=t("Brands onboarded in the period over the same period a year earlier (同比).", lang), lang=lang)
with c3:
    added = int(now["cumulative_brands"]) - int(before["cumulative_brands"])
    widgets.change_tile(
        t("Cumulative brands", lang), fmt.count(now["cumulative_brands"]), added, fmt.signed_count(added),
        t("vs {period} ({before})", lang, period=previous, before=fmt.count(before["cumulative_brands"])),
        help=t("Selected brands onboarded on or before the end of {period}, all history counted.", lang, period=period))
if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- per period
st.subheader(t("Brands onboarded, period by period", lang))
left, right = st.columns([3, 2])
with left:
    st.altair_chart(charts.period_bars(
        onboarding, value="brands_onboarded", value_title=t("brands_onboarded", lang), period_title=t("period", lang),
        grain=grain, lang=lang,
        tooltips=[("growth_multiple", t("growth_multiple", lang), "multiple"),
                  ("yoy_multiple", t("yoy_multiple", lang), "multiple"),
                  ("cumulative_brands", t("cumulative_brands", lang), "count")], events=ctx.events), theme=None)
with right:
    st.altair_chart(charts.period_lines(
        onboarding, series=[("cumulative_brands", t("cumulative_brands", lang))],
        value_title=t("cumulative_brands", lang),
        period_title=t("period", lang), series_title="", grain=grain, lang=lang, kind="count",
        events=ctx.events), theme=None)
COLUMNS = DATASETS["onboarding"].columns
widgets.table(onboarding, COLUMNS, key="onboarding", lang=lang,
              labels={"period_start": widgets.period_column(onboarding, grain, lang)})
widgets.download_button(onboarding, "onboarding")

# ---------------------------------------------------------------- breakdown
st.subheader(t("Breakdown", lang))
def by_words(b: str) -> str:
    words = t("No breakdown", lang) if b == "none" else i18n.enum("by", b, lang)
    return words[:1].upper() + words[1:]


by = widgets.page_choice(t("Breakdown", lang), "by", ("none", *GROUP_BYS), "none", by_words,
                         label_visibility="collapsed", lang=lang)
if by != "none":
    with data.page_errors():
        breakdown = by_belt if by == "belt" else data.report("onboarding", f.with_(by=by))
    breakdown["group_label"] = widgets.group_labels(breakdown["group"], by, ctx)
    st.altair_chart(charts.period_bars(
        breakdown, value="brands_onboarded", value_title=t("brands_onboarded", lang), period_title=t("period", lang),
        grain=grain, lang=lang, group="group_label", group_title=by_words(by),
        tooltips=[("growth_multiple", t("growth_multiple", lang), "multiple"),
                  ("cumulative_brands", t("cumulative_brands", lang), "count")], events=ctx.events), theme=None)
    widgets.table(breakdown, ("period_start", "group", *COLUMNS[1:]),
                  key="onboarding_by", lang=lang,
                  labels={"period_start": widgets.period_column(breakdown, grain, lang),
                          "group": breakdown["group_label"]}, height=320)
    widgets.download_button(breakdown.drop(columns="group_label"), f"onboarding-by-{by}", dataset="onboarding",
                            f=f.with_(by=by))

# ---------------------------------------------------------------- belt ranking
shown_periods = periods.periods_overlapping(f.date_from, f.date_to, grain)
span = fmt.period(shown_periods[0], grain, lang)
if len(shown_periods) > 1:
    span = f"{span} – {fmt.period(shown_periods[-1], grain, lang)}"
st.subheader(t("Belt ranking", lang), help=t("Brands onboarded in {periods}, by industry belt.", lang, periods=span))
unbelted = int(by_belt.loc[by_belt["group"] == schema.NO_BELT, "brands_onboarded"].sum())  # apart: no belt to rank
ranking["belt"] = [ctx.belt_label(b) for b in ranking["belt_id"]]
if unbelted:
    st.caption(t("Brands without a belt are not ranked: {n} onboarded in {periods}.", lang, n=fmt.count(unbelted),
                 periods=span))
if ranking.empty:
    widgets.empty_state(lang=lang)
else:
    st.caption(t("Click a bar to narrow the filters to that belt.", lang))
    round_ = st.session_state.get("_bb_belt_round", 0)
    event = st.altair_chart(
        charts.ranking_bars(ranking, label="belt", value="brands_onboarded", label_title=t("belt", lang),
                            value_title=t("brands_onboarded", lang), lang=lang, key="belt_id", selection="belt_pick"),
        theme=None, on_select="rerun", selection_mode="belt_pick", key=f"belt_rank_{round_}")
    picked = (event.selection.get("belt_pick") or []) if event is not None else []
    if picked and picked[0].get("belt_id"):
        st.session_state["_bb_belt_round"] = round_ + 1
        state.narrow_to_belt(picked[0]["belt_id"])
    widgets.download_button(ranking.drop(columns="belt"), "belt-ranking")
