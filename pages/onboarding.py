"""Onboarding growth: brands onboarded per period, 环比 and 同比, the cumulative base, by belt."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access.metrics.catalogue import DATASETS  # noqa: E402
from data_access.views import periods, plans  # noqa: E402
from data_access.warehouse import schema  # noqa: E402
from data_access.warehouse.filters import GROUP_BYS  # noqa: E402
from ui import charts, data, fmt, i18n, state, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

ctx = widgets.page_header(N_("Onboarding growth"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)

with data.page_errors():
    onboarding = data.report("onboarding", f)
    ext = data.report("onboarding", plans.extended(f, year=True))  # the period before and a year before too
    by_belt = data.report("onboarding", f.with_(by="belt"))
    ranking = data.report("belt_ranking", f)

if onboarding["cumulative_brands"].max() == 0:
    widgets.empty_state(lang=lang)
    st.stop()

# ---------------------------------------------------------------- tiles: the last full period, 环比 and 同比
now, before, year_ago = (plans.row_at(ext, p) for p in (pair.current, pair.previous, pair.year_ago))
period, previous, last_year = (fmt.period(p, grain, lang) for p in (pair.current, pair.previous, pair.year_ago))
yoy_name = t("Year over year", lang)
c1, c2, c3 = st.columns(3)
with c1:
    widgets.tile(
        t("Brands onboarded · {period}", lang, period=period), fmt.count(now["brands_onboarded"]),
        widgets.versus_multiple(previous, before["brands_onboarded"], now["brands_onboarded"], "count", lang,
                                minimum=widgets.MIN_COUNT_BASE),
        widgets.versus_multiple(last_year, year_ago["brands_onboarded"], now["brands_onboarded"], "count", lang,
                                minimum=widgets.MIN_COUNT_BASE, name=yoy_name),
        help=t("Brands with onboarded_on in the period; the multiple is this period over the one before (环比).", lang),
        lang=lang)
with c2:
    yoy = widgets.versus_multiple(last_year, year_ago["brands_onboarded"], now["brands_onboarded"], "count", lang,
                                  minimum=widgets.MIN_COUNT_BASE)
    widgets.tile(
        t("Year over year · {period}", lang, period=period), t("small base", lang) if yoy.small else yoy.change,
        lines=[widgets.trail(yoy, lang, first=False)],
        help=t("Brands onboarded in the period over the same period a year earlier (同比).", lang), lang=lang)
with c3:
    widgets.tile(
        t("Cumulative brands · {period}", lang, period=period), fmt.count(now["cumulative_brands"]),
        widgets.versus_change(previous, before["cumulative_brands"], now["cumulative_brands"], "count", lang),
        widgets.versus_change(last_year, year_ago["cumulative_brands"], now["cumulative_brands"], "count", lang,
                              name=yoy_name),
        help=t("Selected brands onboarded on or before the end of {period}, all history counted.", lang, period=period),
        lang=lang)
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
