"""Overview: is onboarding growing, are sales multiplying, who serves, where brands are in STEPS."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data_access.views import periods, plans  # noqa: E402
from ui import charts, data, fmt, i18n, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

ctx = widgets.page_header(N_("Overview"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
# Every tile reports the range's last full period, against the period before (环比) and the same period a year
# earlier (同比): onboarding, GMV, refunds, providers, ROI and STEPS alike.
pair = plans.last_full_period(f.date_from, f.date_to, grain)
PERIODS = (pair.current, pair.previous, pair.year_ago)
names = [fmt.period(p, grain, lang) for p in PERIODS]
period = names[0]
ends = [min(periods.period_end(p, grain), ctx.as_of) for p in PERIODS]  # STEPS as of each period's end

with data.page_errors():
    onboarding = data.report("onboarding", f)
    sales = data.report("sales", f)
    onboarding_ext = data.report("onboarding", plans.extended(f, year=True))
    sales_ext = data.report("sales", plans.extended(f, year=True))
    trust_ext = data.report("trust", plans.extended(f, year=True))
    providers = [data.report("providers", plans.within(f, p)) for p in PERIODS]
    roi = [data.report("roi", plans.within(f, p)).iloc[0] for p in PERIODS]
    steps = [data.report("steps", f.with_(as_of=end)) for end in ends]
    split = data.report("managed_by_split", f)

if onboarding["cumulative_brands"].max() == 0 and sales["orders"].sum() == 0:
    widgets.empty_state(lang=lang)
    st.stop()

if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))


def compared(values, kind: str, *, multiple: bool, minimum: float | None = None) -> list:
    """The tile's comparisons: with the period before (环比), then with the same period a year earlier (同比)."""
    make = widgets.versus_multiple if multiple else widgets.versus_change
    extra = {"minimum": minimum} if multiple else {}
    return [make(names[1], values[1], values[0], kind, lang, **extra),
            make(names[2], values[2], values[0], kind, lang, name=t("Year over year", lang), **extra)]


def at(frame, column: str) -> list:
    rows = [plans.row_at(frame, p) for p in PERIODS]
    return [None if r is None else r[column] for r in rows]


# ---------------------------------------------------------------- growth tiles
onboarded, gmv, refunds = at(onboarding_ext, "brands_onboarded"), at(sales_ext, "gmv_cny"), at(trust_ext,
                                                                                                "refund_rate")
c1, c2, c3 = st.columns(3)
with c1:
    widgets.tile(t("Brands onboarded · {period}", lang, period=period), fmt.count(onboarded[0]),
                 *compared(onboarded, "count", multiple=True, minimum=widgets.MIN_COUNT_BASE), lang=lang,
                 help=t("Brands with onboarded_on in the period, over the period before (环比) and the same period "
                        "a year earlier (同比).", lang))
with c2:
    widgets.tile(t("GMV · {period}", lang, period=period), fmt.money(gmv[0], lang),
                 *compared(gmv, "money", multiple=True, minimum=widgets.minimum_base()), lang=lang,
                 help=t("Value of orders placed in the period, refunded ones included, over the period before and "
                        "the same period a year earlier.", lang))
with c3:
    widgets.tile(t("Refund rate · {period}", lang, period=period), fmt.rate(refunds[0], lang),
                 *compared(refunds, "rate", multiple=False), lang=lang, good_when_up=False,
                 help=t("Refunded orders over orders placed in the period.", lang))

# ---------------------------------------------------------------- providers and ROI tiles: the same periods
active = [int((league["brands_served"] > 0).sum()) for league in providers]
roi_help = t("GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for campaigns "
             "starting in the period. The platform judges ROI at T+30.", lang)
c1, c2, c3 = st.columns(3)
with c1:
    widgets.tile(t("Active providers · {period}", lang, period=period), fmt.count(active[0]),
                 *compared(active, "count", multiple=False), lang=lang,
                 help=t("Providers serving at least one selected brand in the period.", lang))
for column, window, label in ((c2, "roi_t0", N_("ROI T+0 · {period}")), (c3, "roi_t30", N_("ROI T+30 · {period}"))):
    with column:
        values = [r[window] for r in roi]
        widgets.tile(t(label, lang, period=period), fmt.ratio(values[0], lang),
                     *compared(values, "ratio", multiple=False), lang=lang, help=roi_help)
share_incomplete = roi[0]["t30_complete_share"]
if not fmt.is_empty(share_incomplete) and float(share_incomplete) < 1:
    st.caption(t("T+30 is not final yet for {share} of the spend (campaigns younger than 30 days).", lang,
                 share=fmt.rate(1 - float(share_incomplete))))

# ---------------------------------------------------------------- STEPS
st.subheader(t("Brands by STEPS step", lang),
             help=t("Each brand counted at its current (highest reached) step, as of {date} (the end of {period}); "
                    "the change is since {since}.", lang, date=ends[0].isoformat(), period=period,
                    since=ends[1].isoformat()))
counts_now, counts_before = steps[0]["current_step"].value_counts(), steps[1]["current_step"].value_counts()
by_step = pd.DataFrame({"step": range(6)})
by_step["step_label"] = [i18n.enum("step", s, lang) for s in by_step["step"]]
by_step["brands"] = [int(counts_now.get(s, 0)) for s in by_step["step"]]
by_step["change"] = by_step["brands"] - [int(counts_before.get(s, 0)) for s in by_step["step"]]
started = [int((frame["current_step"] > 0).sum()) for frame in steps]
left, right = st.columns([1, 2])
with left:
    widgets.tile(t("Brands in STEPS · {period}", lang, period=period), fmt.count(started[0]),
                 *compared(started, "count", multiple=False), lang=lang,
                 help=t("Selected brands that have started at least step 1, as of the end of each period.", lang))
with right:
    st.altair_chart(charts.ranking_bars(
        by_step, label="step_label", value="brands", label_title=t("current_step", lang), value_title=t("brands", lang),
        lang=lang, keep_order=True,
        tooltips=[("change", t("since {date}", lang, date=ends[1].isoformat()), "count")]), theme=None)

# ---------------------------------------------------------------- platform-run vs provider-served
st.subheader(t("Platform-run and provider-served brands", lang),
             help=t("Head brands are run by platform staff; the rest are served through providers. Brands: all "
                    "selected brands onboarded by the end of the range. GMV: orders placed in the shown periods.",
                    lang))
left, right = st.columns(2)
with left:
    long = pd.concat([
        pd.DataFrame({"measure": t("brands", lang),
                      "group": [i18n.enum("managed_by", m, lang) for m in split["managed_by"]],
                      "value": split["brands"]}),
        pd.DataFrame({"measure": t("gmv_cny", lang),
                      "group": [i18n.enum("managed_by", m, lang) for m in split["managed_by"]],
                      "value": split["gmv_cny"]}),
    ], ignore_index=True)
    st.altair_chart(charts.share_bars(long, measure="measure", group="group", value="value", measure_title="",
                                      group_title=t("managed_by", lang), value_title=t("Value", lang),
                                      share_title=t("share", lang), lang=lang,
                                      kinds={t("gmv_cny", lang): "money", t("brands", lang): "count"}), theme=None)
with right:
    widgets.table(split, ("managed_by", "brands", "brands_share", "gmv_cny", "gmv_share"), key="split", lang=lang,
                  labels={"managed_by": [i18n.enum("managed_by", m, lang) for m in split["managed_by"]]})
    widgets.download_button(split, "managed-by-split")

# ---------------------------------------------------------------- small charts
left, right = st.columns(2)
with left:
    st.subheader(t("Onboarding per period", lang))
    st.altair_chart(charts.period_bars(
        onboarding, value="brands_onboarded", value_title=t("brands_onboarded", lang), period_title=t("period", lang),
        grain=grain, lang=lang, height=220,
        tooltips=[("growth_multiple", t("growth_multiple", lang), "multiple"),
                  ("cumulative_brands", t("cumulative_brands", lang), "count")], events=ctx.events), theme=None)
    widgets.download_button(onboarding, "onboarding")
with right:
    st.subheader(t("GMV per period", lang))
    st.altair_chart(charts.period_bars(
        sales, value="gmv_cny", value_title=t("gmv_cny", lang), period_title=t("period", lang), grain=grain, lang=lang,
        kind="money", height=220,
        tooltips=[("gmv_multiple", t("gmv_multiple", lang), "multiple"), ("orders", t("orders", lang), "count")],
        events=ctx.events),
        theme=None)
    widgets.download_button(sales, "sales")
