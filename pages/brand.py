"""Brand: one brand (?brand=<id>, or picked in the directory): its profile, its figures period over period, its
STEPS timeline, GMV by channel and traffic source, its providers, the ROI windows of its campaigns and its
trust figures. Without a brand, the directory of the selected brands (ui.brand_directory); an id that is
malformed, unknown, outside the filters or outside the user's scope gets a notice saying which, and the
directory."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access.metrics.catalogue import DATASETS  # noqa: E402
from data_access.views import plans  # noqa: E402
from ui import brand_directory, charts, data, fmt, i18n, state, widgets, work_queue  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

PROVIDERS_PAGE = "pages/providers.py"
CHANNELS = {"distribution": N_("Influencer distribution"), "self_live": N_("Brand self-broadcast"),
            "short_video": N_("Short video"), "store": N_("Store")}
TRAFFIC = {"public": N_("Public domain"), "private": N_("Private domain")}
ROI_COLUMNS, TRUST_COLUMNS = DATASETS["roi"].columns, DATASETS["trust"].columns
WINDOWS = [("roi_t0", N_("ROI T+0")), ("roi_t10", N_("ROI T+10")), ("roi_t30", N_("ROI T+30"))]

ctx = widgets.page_header(N_("Brand"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain

# ---------------------------------------------------------------- which brand
brand_id, raw = widgets.url_id("brand", lang=lang)
with data.page_errors():
    profile = data.report("brand_profile", f.with_(brand_ids=(brand_id,))) if brand_id is not None else None
if brand_id is not None and profile.empty:  # unknown, outside the filters, or outside the user's scope
    brand_directory.not_shown(brand_id, ctx)
    state.set_page_param("brand", None)
    brand_id = None
if brand_id is None:  # no brand: the directory of the selected brands, a row opens one
    brand_directory.render(ctx)
    st.stop()
choice = brand_id
if st.button(t("All brands", lang), icon=":material/arrow_back:", key="back_to_directory"):
    state.set_page_param("brand", None)
    st.rerun()

fb = f.with_(brand_ids=(choice,))
pair = plans.last_full_period(f.date_from, f.date_to, grain)
PERIODS = (pair.current, pair.previous, pair.year_ago)
with data.page_errors():
    p = profile.iloc[0]
    shown = data.report("brand_series", fb)
    series_ext = data.report("brand_series", plans.extended(fb, year=True))
    trust = data.report("trust", fb)
    trust_ext = data.report("trust", plans.extended(fb, year=True))
    roi = data.report("roi", fb)
    roi_by_period = [data.report("roi", plans.within(fb, period)).iloc[0] for period in PERIODS]
    milestones = data.report("brand_milestones", fb)
    history = data.report("provider_history", fb)
    place = data.report("steps", fb)  # its STEPS place as of the as-of date

# ---------------------------------------------------------------- profile header
st.header(widgets.plain(p["name"]), anchor=False)
if fmt.is_empty(p["belt_id"]):
    belt = t("No belt", lang)
else:
    belt_name = i18n.belt_name(p, lang)
    belt = f"{i18n.province(p['province'], lang)} · {belt_name}"
fields = [(t("belt", lang), belt), (t("category", lang), i18n.enum("category", p["category"], lang)),
          (t("brand_type", lang), i18n.enum("brand_type", p["brand_type"], lang)),
          (t("managed_by", lang), i18n.enum("managed_by", p["managed_by"], lang)),
          (t("onboarded_on", lang), fmt.day(p["onboarded_on"])), (t("brand_id", lang), str(int(p["brand_id"])))]
for column, (label, value) in zip(st.columns(len(fields)), fields):
    column.caption(label)
    column.markdown(widgets.plain(value))
if p["managed_by"] == "provider" and history.empty:  # the warehouse contradicts itself: say what it holds
    st.warning(t("The warehouse records this brand as served by providers (managed_by = provider), but holds no "
                 "provider assignment for it: no provider has been assigned to it in provider_assignments.", lang),
               icon=":material/report:")

work_queue.render_brand_diagnosis(choice, ctx)  # in progress in STEPS: what is missing for its step

# ---------------------------------------------------------------- tiles: the last full period, 环比 and 同比
names = [fmt.period(period, grain, lang) for period in PERIODS]
per_period = series_ext.groupby("period_start", as_index=False)[["gmv_cny", "orders"]].sum()
sales_rows = [plans.row_at(per_period, period) for period in PERIODS]
trust_rows = [plans.row_at(trust_ext, period) for period in PERIODS]


def compared(values, kind: str, *, multiple: bool, minimum: float | None = None) -> list:
    make = widgets.versus_multiple if multiple else widgets.versus_change
    extra = {"minimum": minimum} if multiple else {}
    return [make(names[1], values[1], values[0], kind, lang, **extra),
            make(names[2], values[2], values[0], kind, lang, name=t("Year over year", lang), **extra)]


first, second = st.columns(3), st.columns(3)
gmv, orders = [r["gmv_cny"] for r in sales_rows], [r["orders"] for r in sales_rows]
with first[0]:
    widgets.tile(t("GMV · {period}", lang, period=names[0]), fmt.money(gmv[0], lang),
                 *compared(gmv, "money", multiple=True, minimum=widgets.minimum_base()), lang=lang,
                 help=t("Value of orders placed in the period, refunded ones included; the multiple is this period "
                        "over the one before.", lang))
with first[1]:
    widgets.tile(t("Orders · {period}", lang, period=names[0]), fmt.count(orders[0]),
                 *compared(orders, "count", multiple=True, minimum=widgets.MIN_COUNT_BASE), lang=lang,
                 help=t("Orders placed in the period, this period over the one before.", lang))
with first[2]:
    values = [r["roi_t30"] for r in roi_by_period]
    widgets.tile(t("ROI T+30 · {period}", lang, period=names[0]), fmt.ratio(values[0], lang),
                 *compared(values, "ratio", multiple=False), lang=lang,
                 help=t("GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for "
                        "campaigns starting in the period. The platform judges ROI at T+30.", lang))
for column, name, label, up in ((second[0], "refund_rate", N_("Refund rate · {period}"), False),
                                (second[1], "private_share", N_("Private-domain share · {period}"), True)):
    with column:
        values = [r[name] for r in trust_rows]
        widgets.tile(t(label, lang, period=names[0]), fmt.rate(values[0], lang),
                     *compared(values, "rate", multiple=False), lang=lang, good_when_up=up)
if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- STEPS
step_labels = {s: i18n.enum("step", s, lang) for s in range(6)}
st.subheader(t("STEPS timeline", lang))
if not place.empty:
    r = place.iloc[0]
    status = i18n.enum("state", r["state"], lang)
    if r["state"] == "in_progress":
        status += " · " + t("{n} days in the step", lang, n=fmt.count(r["days_in_step"]))
    st.caption(t("As of {date}: {step} — {status}.", lang, date=ctx.as_of.isoformat(),
                 step=step_labels[int(r["current_step"])], status=status))
if milestones.empty:
    st.caption(t("This brand has not started STEPS.", lang))
else:
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(charts.steps_gantt(
            milestones, as_of=ctx.as_of, step_labels=step_labels, lang=lang, step_title=t("step", lang),
            start_title=t("started_on", lang), end_title=t("completed_on", lang), days_title=t("days", lang),
            status_title=t("state", lang),
            status_labels={"completed": t("Step completed", lang), "in_progress": t("In progress", lang)},
            events=ctx.events), theme=None)
    with right:
        widgets.rich_table(milestones, ("step", "started_on", "completed_on", "days"),
                           key="milestones", lang=lang,
                           labels={"step": [step_labels[int(s)] for s in milestones["step"]]})
        widgets.download_button(milestones, f"brand-{choice}-steps", dataset="brand_milestones", f=fb)

# ---------------------------------------------------------------- GMV by channel and traffic source
st.subheader(t("GMV by channel and traffic source", lang))
if shown["gmv_cny"].sum() == 0:
    st.caption(t("No orders of this brand in the shown periods.", lang))
left, right = st.columns(2)
with left:
    by_channel = shown.groupby(["period_start", "channel"], as_index=False)[["gmv_cny", "orders"]].sum()
    by_channel["channel_label"] = [t(CHANNELS.get(c, c), lang) for c in by_channel["channel"]]
    st.altair_chart(charts.period_bars(
        by_channel, value="gmv_cny", value_title=t("gmv_cny", lang), period_title=t("period", lang), grain=grain,
        lang=lang,
        kind="money", group="channel_label", group_title=t("channel", lang),
        tooltips=[("orders", t("orders", lang), "count")], events=ctx.events), theme=None)
with right:
    by_source = shown.groupby(["period_start", "traffic_source"], as_index=False)[["gmv_cny", "orders"]].sum()
    by_source["source_label"] = [t(TRAFFIC.get(s, s), lang) for s in by_source["traffic_source"]]
    st.altair_chart(charts.period_bars(
        by_source, value="gmv_cny", value_title=t("gmv_cny", lang), period_title=t("period", lang), grain=grain,
        lang=lang,
        kind="money", group="source_label", group_title=t("traffic_source", lang),
        tooltips=[("orders", t("orders", lang), "count")], events=ctx.events), theme=None)
with st.expander(t("GMV by channel and traffic source", lang) + f" · {t('{n} rows', lang, n=fmt.count(len(shown)))}"):
    widgets.table(shown, ("period_start", "channel", "traffic_source", "gmv_cny", "orders"), key="brand_series",
                  lang=lang, height=320,
                  labels={"period_start": widgets.period_column(shown, grain, lang),
                          "channel": [t(CHANNELS.get(c, c), lang) for c in shown["channel"]],
                          "traffic_source": [t(TRAFFIC.get(s, s), lang) for s in shown["traffic_source"]]})
    widgets.download_button(shown, f"brand-{choice}-gmv", dataset="brand_series", f=fb)

# ---------------------------------------------------------------- providers
st.subheader(t("Provider history", lang), help=t("Every assignment of a provider to this brand; days served count both "
                                           "ends, an open assignment up to the as-of date.", lang))
if history.empty and p["managed_by"] == "provider":
    st.caption(t("No provider assignment is recorded for this brand (see the note under its name).", lang))
elif history.empty:
    st.caption(t("No provider has served this brand: it is run by platform staff.", lang))
else:
    picked = widgets.rich_table(
        history, ("provider_name", "provider_type", "start_on", "end_on", "days_served"), key="history", lang=lang,
        pick=True,
        labels={"provider_type": [i18n.enum("provider_type", v, lang) for v in history["provider_type"]]})
    st.caption(t("Select a row to open that provider on the Providers page.", lang))
    widgets.download_button(history, f"brand-{choice}-providers", dataset="provider_history", f=fb)
    if picked is not None:
        st.switch_page(PROVIDERS_PAGE, query_params=state.link_params(
            provider=str(int(history.iloc[picked]["provider_id"]))))

# ---------------------------------------------------------------- ROI windows
st.subheader(t("ROI windows of its campaigns", lang), help=t(
    "Campaigns of this brand starting in the range: GMV of their orders from the start day to T+0, T+10 and "
    "T+30, over spend.", lang))
if int(roi.iloc[0]["campaigns"]) == 0:
    st.caption(t("No campaign of this brand starts in the range.", lang))
else:
    left, right = st.columns([2, 3])
    with left:
        overall = roi.assign(label=t("All its campaigns", lang))
        st.altair_chart(charts.window_bars(
            overall, label="label", windows=[(c, t(w, lang)) for c, w in WINDOWS], label_title="",
            window_title=t("Window", lang),
            value_title=t("ROI", lang), lang=lang, incomplete="t30_complete_share",
            incomplete_title=t("t30_complete_share", lang),
            pale_title=t("T+30 not final yet", lang),
            tooltips=[("spend_cny", t("spend_cny", lang), "money"), ("campaigns", t("campaigns", lang), "count")]),
            theme=None)
    with right:
        widgets.table(roi, ROI_COLUMNS, key="brand_roi", lang=lang)
        widgets.download_button(roi, f"brand-{choice}-roi", dataset="roi", f=fb)
        share = roi.iloc[0]["t30_complete_share"]
        if not fmt.is_empty(share) and float(share) < 1:
            st.warning(t("T+30 is not final yet for {share} of the spend (campaigns younger than 30 days).", lang,
                         share=fmt.rate(1 - float(share))), icon=":material/hourglass_top:")

# ---------------------------------------------------------------- trust
st.subheader(t("Trust", lang),
             help=t("Refunds, returns and return-shipping insurance over the brand's orders placed in "
                                "each period; private-domain share of GMV; repeat buyers.", lang))
if trust["orders"].sum() == 0:
    st.caption(t("No orders of this brand in the shown periods.", lang))
else:
    st.altair_chart(charts.period_lines(
        trust, series=[("refund_rate", t("refund_rate", lang)), ("return_rate", t("return_rate", lang)),
                       ("insured_share", t("insured_share", lang)), ("private_share", t("private_share", lang)),
                       ("repeat_buyer_rate", t("repeat_buyer_rate", lang))],
        value_title=t("share", lang), period_title=t("period", lang), series_title="", grain=grain, lang=lang,
        kind="rate",
        height=260, events=ctx.events), theme=None)
widgets.table(trust, TRUST_COLUMNS, key="brand_trust", lang=lang,
              labels={"period_start": widgets.period_column(trust, grain, lang)})
widgets.download_button(trust, f"brand-{choice}-trust", dataset="trust", f=fb)
