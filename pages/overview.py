"""Overview: is onboarding growing, are sales multiplying, who serves, where brands are in STEPS."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data_access import plans  # noqa: E402
from ui import charts, data, fmt, i18n, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

ctx = widgets.page_header(N_("Overview"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)
period, previous = fmt.period(pair.current, grain, lang), fmt.period(pair.previous, grain, lang)
base_from, base_to = f.base_range

with data.page_errors():
    onboarding = data.report("onboarding", f)
    sales = data.report("sales", f)
    onboarding_ext = data.report("onboarding", plans.extended(f))
    sales_ext = data.report("sales", plans.extended(f))
    trust_ext = data.report("trust", plans.extended(f))
    providers_now = data.report("providers", f)
    providers_before = data.report("providers", f.with_(date_from=base_from, date_to=base_to))
    roi = data.report("roi", f)
    roi_before = data.report("roi", f.with_(date_from=base_from, date_to=base_to))
    steps_as_of = min(f.date_to, ctx.as_of)
    steps_since = f.date_from - dt.timedelta(days=1)
    steps_now = data.report("steps", f.with_(as_of=steps_as_of))
    steps_before = data.report("steps", f.with_(as_of=steps_since))
    split = data.report("managed_by_split", f)

if onboarding["cumulative_brands"].max() == 0 and sales["orders"].sum() == 0:
    widgets.empty_state(lang=lang)
    st.stop()

if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- growth tiles
now, before = plans.row_at(onboarding_ext, pair.current), plans.row_at(onboarding_ext, pair.previous)
s_now, s_before = plans.row_at(sales_ext, pair.current), plans.row_at(sales_ext, pair.previous)
r_now, r_before = plans.row_at(trust_ext, pair.current), plans.row_at(trust_ext, pair.previous)
active_now = int((providers_now["brands_served"] > 0).sum())
active_before = int((providers_before["brands_served"] > 0).sum())

c1, c2, c3 = st.columns(3)
with c1:
    widgets.multiple_tile(
        t("Brands onboarded · {period}", lang, period=period), fmt.count(now["brands_onboarded"]),
        now["growth_multiple"], previous, fmt.count(before["brands_onboarded"]), fmt.count(now["brands_onboarded"]),
        help=t("Brands with onboarded_on in the period; the multiple is this period over the one before (环比).", lang),
        lang=lang)
with c2:
    widgets.multiple_tile(
        t("GMV · {period}", lang, period=period), fmt.money(s_now["gmv_cny"], lang), s_now["gmv_multiple"], previous,
        fmt.money(s_before["gmv_cny"], lang), fmt.money(s_now["gmv_cny"], lang),
        help=t("Value of orders placed in the period, refunded ones included; the multiple is this period over "
               "the one before.", lang), lang=lang)
with c3:
    change = None
    if not (fmt.is_empty(r_now["refund_rate"]) or fmt.is_empty(r_before["refund_rate"])):
        change = float(r_now["refund_rate"]) - float(r_before["refund_rate"])
    widgets.change_tile(
        t("Refund rate · {period}", lang, period=period), fmt.rate(r_now["refund_rate"]), change,
        fmt.points(change),
        t("vs {period} ({before})", lang, period=previous, before=fmt.rate(r_before["refund_rate"])),
        help=t("Refunded orders over orders placed in the period.", lang), good_when_up=False)

# ---------------------------------------------------------------- providers and ROI tiles
roi_now, roi_prev = roi.iloc[0], roi_before.iloc[0]
roi_help = t("GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for campaigns "
             "starting in the range. The platform judges ROI at T+30.", lang)
c1, c2, c3 = st.columns(3)
with c1:
    widgets.change_tile(
        t("Active providers", lang), fmt.count(active_now), active_now - active_before,
        fmt.signed_count(active_now - active_before),
        t("vs previous {days} days ({before} → {after})", lang, days=f.range_days, before=fmt.count(active_before),
          after=fmt.count(active_now)),
        help=t("Providers serving at least one selected brand in the date range, compared with the range of "
               "equal length before it.", lang))
for column, window in ((c2, "roi_t0"), (c3, "roi_t30")):
    with column:
        change = None
        if not (fmt.is_empty(roi_now[window]) or fmt.is_empty(roi_prev[window])):
            change = float(roi_now[window]) - float(roi_prev[window])
        widgets.change_tile(
            t("ROI T+0", lang) if window == "roi_t0" else t("ROI T+30", lang), fmt.ratio(roi_now[window]), change,
            fmt.EMPTY if change is None else f"{change:+.2f}",
            t("vs previous {days} days ({before} → {after})", lang, days=f.range_days,
              before=fmt.ratio(roi_prev[window]),
              after=fmt.ratio(roi_now[window])), help=roi_help)
share_incomplete = roi_now["t30_complete_share"]
if not fmt.is_empty(share_incomplete) and float(share_incomplete) < 1:
    st.caption(t("T+30 is not final yet for {share} of the spend (campaigns younger than 30 days).", lang,
                 share=fmt.rate(1 - float(share_incomplete))))

# ---------------------------------------------------------------- STEPS
st.subheader(t("Brands by STEPS step", lang),
             help=t("Each brand counted at its current (highest reached) step, as of {date}; the change is since "
                    "{since}.", lang, date=steps_as_of.isoformat(), since=steps_since.isoformat()))
counts_now = steps_now["current_step"].value_counts()
counts_before = steps_before["current_step"].value_counts()
by_step = pd.DataFrame({"step": range(6)})
by_step["step_label"] = [i18n.enum("step", s, lang) for s in by_step["step"]]
by_step["brands"] = [int(counts_now.get(s, 0)) for s in by_step["step"]]
by_step["change"] = by_step["brands"] - [int(counts_before.get(s, 0)) for s in by_step["step"]]
started_now = int((steps_now["current_step"] > 0).sum())
started_before = int((steps_before["current_step"] > 0).sum())
left, right = st.columns([1, 2])
with left:
    widgets.change_tile(
        t("Brands in STEPS", lang), fmt.count(started_now), started_now - started_before,
        fmt.signed_count(started_now - started_before),
        t("since {date} ({before} → {after})", lang, date=steps_since.isoformat(), before=fmt.count(started_before),
          after=fmt.count(started_now)),
        help=t("Selected brands that have started at least step 1.", lang))
with right:
    st.altair_chart(charts.ranking_bars(
        by_step, label="step_label", value="brands", label_title=t("current_step", lang), value_title=t("brands", lang),
        lang=lang, keep_order=True,
        tooltips=[("change", t("since {date}", lang, date=steps_since.isoformat()), "count")]), theme=None)

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
