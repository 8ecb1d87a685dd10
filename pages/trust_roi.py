"""Trust & ROI: refund, return and insured-shipping rates over time and by belt or provider; ROI at
T+0 / T+10 / T+30 overall and by belt, with the share of spend whose T+30 is not final yet."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data_access.metrics.catalogue import DATASETS  # noqa: E402
from data_access.metrics.reports import ROI_WINDOWS  # noqa: E402
from data_access.views import plans  # noqa: E402
from ui import charts, data, fmt, state, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

PROVIDERS_PAGE = "pages/providers.py"
TRUST_COLUMNS, ROI_COLUMNS = DATASETS["trust"].columns, DATASETS["roi"].columns
WINDOWS = [("roi_t0", N_("ROI T+0")), ("roi_t10", N_("ROI T+10")), ("roi_t30", N_("ROI T+30"))]
TOP_BELTS = 20      # bars in the refund-rate chart
TOP_ROI_BELTS = 12  # belts (by spend) beside the overall bars in the ROI chart

ctx = widgets.page_header(N_("Trust & ROI"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)
PERIODS = (pair.current, pair.previous, pair.year_ago)
names = [fmt.period(p, grain, lang) for p in PERIODS]

with data.page_errors():
    trust = data.report("trust", f)
    trust_ext = data.report("trust", plans.extended(f, year=True))
    roi = data.report("roi", f)
    roi_by_period = [data.report("roi", plans.within(f, p)).iloc[0] for p in PERIODS]
    roi_by_belt = data.report("roi", f.with_(by="belt"))

if trust["orders"].sum() == 0 and int(roi.iloc[0]["campaigns"]) == 0:
    widgets.empty_state(lang=lang)
    st.stop()


def compared(values, kind: str) -> list:
    """The last full period against the one before (环比) and the same period a year earlier (同比)."""
    return [widgets.versus_change(names[1], values[1], values[0], kind, lang),
            widgets.versus_change(names[2], values[2], values[0], kind, lang, name=t("Year over year", lang))]


# ---------------------------------------------------------------- tiles: one period, every tile
rows = [plans.row_at(trust_ext, p) for p in PERIODS]
c1, c2, c3, c4 = st.columns(4)
for column, name, label, tip, up in (
        (c1, "refund_rate", N_("Refund rate · {period}"), N_("Refunded orders over orders placed in the period."),
         False),
        (c2, "return_rate", N_("Return rate · {period}"), N_("Returned orders over orders placed in the period."),
         False),
        (c3, "insured_share", N_("Insured share · {period}"),
         N_("Orders with return-shipping insurance (退货包运费) over orders placed in the period."), True)):
    with column:
        values = [r[name] for r in rows]
        widgets.tile(t(label, lang, period=names[0]), fmt.rate(values[0], lang), *compared(values, "rate"),
                     help=t(tip, lang), good_when_up=up, lang=lang)
with c4:
    values = [r["roi_t30"] for r in roi_by_period]
    widgets.tile(t("ROI T+30 · {period}", lang, period=names[0]), fmt.ratio(values[0], lang),
                 *compared(values, "ratio"), lang=lang,
                 help=t("GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for "
                        "campaigns starting in the period. The platform judges ROI at T+30.", lang))
if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- trust over time
st.subheader(t("Refunds, returns and insured shipping over time", lang), help=t(
    "Over the orders placed in each period: refunded, returned and return-shipping-insured orders over orders; "
    "private-domain share of GMV; repeat buyers among (brand, buyer) pairs.", lang))
left, right = st.columns(2)
with left:
    st.altair_chart(charts.period_lines(
        trust, series=[("refund_rate", t("refund_rate", lang)), ("return_rate", t("return_rate", lang)),
                       ("insured_share", t("insured_share", lang))],
        value_title=t("share", lang), period_title=t("period", lang), series_title="", grain=grain, lang=lang,
        kind="rate",
        height=260, events=ctx.events), theme=None)
with right:
    st.altair_chart(charts.period_lines(
        trust, series=[("private_share", t("private_share", lang)),
                       ("repeat_buyer_rate", t("repeat_buyer_rate", lang))],
        value_title=t("share", lang), period_title=t("period", lang), series_title="", grain=grain, lang=lang,
        kind="rate",
        height=260, events=ctx.events), theme=None)
widgets.table(trust, TRUST_COLUMNS, key="trust", lang=lang,
              labels={"period_start": widgets.period_column(trust, grain, lang)})
widgets.download_button(trust, "trust")

# ---------------------------------------------------------------- by belt or provider
st.subheader(t("Refunds and returns by industry belt or provider", lang))
by = widgets.page_choice(t("Break down by", lang), "trust_by", ("belt", "provider"), "belt",
                         lambda b: t("industry belt", lang) if b == "belt" else t("provider", lang), lang=lang)
if by == "belt":
    with data.page_errors():
        trust_by_belt = data.report("trust", f.with_(by="belt"))
        belts = data.report("belt_trust", f)
    belts["belt"] = [ctx.belt_label(b) for b in belts["belt_id"]]
    if belts.empty:
        widgets.empty_state(lang=lang)
    else:
        left, right = st.columns([3, 2])
        with left:
            st.caption(t("Refund rate over the shown periods: the {n} belts with the highest.", lang, n=TOP_BELTS) + " "
                       + t("Click a bar to narrow the filters to that belt.", lang))
            widgets.belt_chart(charts.ranking_bars(
                belts.head(TOP_BELTS), label="belt", value="refund_rate", label_title=t("belt", lang),
                value_title=t("refund_rate", lang), lang=lang, kind="rate", key="belt_id", selection="trust_belt",
                tooltips=[("return_rate", t("return_rate", lang), "rate"),
                          ("insured_share", t("insured_share", lang), "rate"),
                          ("orders", t("orders", lang), "count")]), selection="trust_belt", key="trust_by_belt")
        with right:
            widgets.table(belts, ("belt_id", "orders", "refund_rate", "return_rate", "insured_share"),
                          key="trust_belts", lang=lang, height=420, labels={"belt_id": list(belts["belt"])})
            widgets.download_button(belts.drop(columns="belt"), "trust-belts", dataset="belt_trust")
        with st.expander(t("By industry belt and period", lang) + f" · "
                         f"{t('{n} rows', lang, n=fmt.count(len(trust_by_belt)))}"):
            widgets.table(trust_by_belt.rename(columns={"group": "belt_id"}), (
                "period_start", "belt_id", *TRUST_COLUMNS[1:]), key="trust_by_belt_table", lang=lang,
                height=360, labels={"period_start": widgets.period_column(trust_by_belt, grain, lang),
                                    "belt_id": [ctx.belt_label(g) for g in trust_by_belt["group"]]})
            widgets.download_button(trust_by_belt, "trust-by-belt", dataset="trust", f=f.with_(by="belt"))
else:
    with data.page_errors():
        league = data.report("providers", f)
        shown = data.report("provider_trust", f)
    if league.empty:
        widgets.empty_state(lang=lang)
    else:
        with data.page_errors():
            bands = data.peer_bands(f, league).set_index("metric")
        st.caption(t("Over each provider's served orders in the range; the lines mark the median and where the best "
                     "10% begin (the 10th percentile: lower is better here) across the {n} providers.", lang,
                     n=fmt.count(int(bands["providers"].max()))))
        for column, name in zip(st.columns(2), ("refund_rate", "return_rate")):
            with column:
                st.markdown(f"**{t(name, lang)}**")
                st.altair_chart(charts.peer_strip(
                    shown, value=name, label="provider_name", label_title=t("provider_name", lang),
                    value_title=t(name, lang), lang=lang, kind="rate",
                    bands=[(t("Median {value}", lang, value=fmt.rate(bands.loc[name, "median"])),
                            bands.loc[name, "median"]),
                           (t("Best 10% {value}", lang, value=fmt.rate(bands.loc[name, "best_decile"])),
                            bands.loc[name, "best_decile"])]),
                    theme=None)
        picked = widgets.rich_table(
            shown, ("provider_name", "orders", "refund_rate", "return_rate", "repeat_buyer_rate"),
            key="trust_providers", lang=lang, height=360, pick=True)
        st.caption(t("Select a row to open that provider on the Providers page.", lang))
        widgets.download_button(shown, "trust-providers", dataset="provider_trust")
        if picked is not None:
            st.switch_page(PROVIDERS_PAGE, query_params=state.link_params(
                provider=str(int(shown.iloc[picked]["provider_id"]))))

# ---------------------------------------------------------------- ROI windows
st.subheader(t("ROI at T+0, T+10 and T+30", lang), help=t(
    "Campaigns starting in the range: GMV of their orders from the start day to T+0, T+10 and T+30, over spend. "
    "Most platforms judge ROI at T+0; this platform judges it at T+10 and T+30, counting public-domain traffic "
    "that settles into the brand's private domain.", lang))
share = roi.iloc[0]["t30_complete_share"]
young_from = ctx.as_of - dt.timedelta(days=max(ROI_WINDOWS) - 1)
if int(roi.iloc[0]["campaigns"]) == 0:
    st.caption(t("No campaign of the selected brands starts in the range.", lang))
else:
    if not fmt.is_empty(share) and float(share) < 1:
        st.warning(t("T+30 is not final yet for {share} of the spend: campaigns starting on or after {date} have "
                     "not reached T+30 by the as-of date. Their bars are drawn lighter.", lang,
                     share=fmt.rate(1 - float(share)), date=young_from.isoformat()), icon=":material/hourglass_top:")
    overall = roi.assign(label=t("All selected brands", lang), belt_id=None)
    belts = roi_by_belt.assign(label=[ctx.belt_label(g) for g in roi_by_belt["group"]],
                               belt_id=roi_by_belt["group"])
    belts = belts.sort_values(["spend_cny", "group"], ascending=[False, True], kind="stable").head(TOP_ROI_BELTS)
    both = pd.concat([overall, belts.drop(columns="group")], ignore_index=True)
    st.caption(t("All selected brands, then the {n} belts with the most spend (every belt is in the table below).",
                 lang,
                 n=TOP_ROI_BELTS) + " " + t("Click a belt's bars to narrow the filters to that belt.", lang))
    widgets.belt_chart(charts.window_bars(
        both, label="label", windows=[(c, t(w, lang)) for c, w in WINDOWS], label_title=t("belt", lang),
        window_title=t("Window", lang), value_title=t("ROI", lang), lang=lang, key="belt_id", selection="roi_belt",
        incomplete="t30_complete_share", incomplete_title=t("t30_complete_share", lang),
        pale_title=t("T+30 not final yet", lang),
        tooltips=[("spend_cny", t("spend_cny", lang), "money"), ("campaigns", t("campaigns", lang), "count")]),
        selection="roi_belt", key="roi_by_belt_chart")
    st.markdown(f"**{t('All selected brands', lang)}**")
    widgets.table(roi, ROI_COLUMNS, key="roi", lang=lang)
    widgets.download_button(roi, "roi")
    st.markdown(f"**{t('By industry belt', lang)}**")
    widgets.table(roi_by_belt.rename(columns={"group": "belt_id"}), ("belt_id", *ROI_COLUMNS),
                  key="roi_by_belt", lang=lang, height=360,
                  labels={"belt_id": [ctx.belt_label(g) for g in roi_by_belt["group"]]})
    widgets.download_button(roi_by_belt, "roi-by-belt", dataset="roi", f=f.with_(by="belt"))
