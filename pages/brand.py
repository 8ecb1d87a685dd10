"""Brand: one brand (?brand=<id>, or picked in the box): its profile, its figures period over period, its
STEPS timeline, GMV by channel and traffic source, its providers, the ROI windows of its campaigns and its
trust figures. An id that is malformed, unknown or outside the filters gets a notice and the picker."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access import plans  # noqa: E402
from data_access.catalogue import DATASETS  # noqa: E402
from ui import charts, data, fmt, i18n, state, widgets, work_queue  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

PROVIDERS_PAGE = "pages/providers.py"
CHANNELS = {"distribution": N_("Influencer distribution"), "self_live": N_("Brand self-broadcast"),
            "short_video": N_("Short video"), "store": N_("Store")}
TRAFFIC = {"public": N_("Public domain"), "private": N_("Private domain")}
ROI_COLUMNS, TRUST_COLUMNS = DATASETS["roi"].columns, DATASETS["trust"].columns
WINDOWS = [("roi_t0", N_("ROI T+0")), ("roi_t10", N_("ROI T+10")), ("roi_t30", N_("ROI T+30"))]

ctx = widgets.page_header(N_("Brand"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
ss = st.session_state

# ---------------------------------------------------------------- which brand
brand_id, raw = widgets.url_id("brand", lang=lang)
with data.page_errors():
    roster = data.report("steps", f)  # the selected brands onboarded by the as-of date
    profile = data.report("brand_profile", f.with_(brand_ids=(brand_id,))) if brand_id is not None else None
names = {int(b): n for b, n in zip(roster["brand_id"], roster["brand_name"])}
if profile is not None and not profile.empty and brand_id not in names:  # onboarded after the as-of date
    names[brand_id] = profile.iloc[0]["name"]
known = profile is not None and not profile.empty

if ss.get("_p_brand_seen", "unset") != raw or "p_brand" not in ss:
    ss["p_brand"] = brand_id if known else None
    ss["_p_brand_seen"] = raw
if ss.get("p_brand") not in names:
    ss["p_brand"] = None
if brand_id is not None and not known:
    st.info(t("No brand with id {id} is among the brands these filters select. Choose a brand below, or widen "
              "the filters.", lang, id=brand_id), icon=":material/search_off:")
choice = st.selectbox(t("Brand", lang), [None, *names], key="p_brand", placeholder=t("Choose a brand", lang),
                      format_func=lambda b: (t("Choose a brand", lang) if b is None
                                             else f"{widgets.single_line(names[b])} · #{b}"),
                      help=t("Type to search by name or id.", lang))
if choice is not None:
    state.set_page_param("brand", str(choice))
    ss["_p_brand_seen"] = str(choice)
elif known:  # the box was cleared
    state.set_page_param("brand", None)
    ss["_p_brand_seen"] = None

if choice is None:
    if not names:
        widgets.empty_state(lang=lang)
    else:
        st.caption(t("Choose a brand to see its profile, STEPS, sales, providers, ROI and trust figures; every "
                     "table of brands on the other pages opens this page too.", lang))
    st.stop()

fb = f.with_(brand_ids=(choice,))
with data.page_errors():
    profile = data.report("brand_profile", fb)
    if profile.empty:  # the brand left the selection between the box and now
        widgets.empty_state(lang=lang)
        st.stop()
    p = profile.iloc[0]
    shown = data.report("brand_series", fb)
    series_ext = data.report("brand_series", plans.extended(fb))
    trust = data.report("trust", fb)
    trust_ext = data.report("trust", plans.extended(fb))
    roi = data.report("roi", fb)
    base_from, base_to = f.base_range
    roi_before = data.report("roi", fb.with_(date_from=base_from, date_to=base_to))
    milestones = data.report("brand_milestones", fb)
    history = data.report("provider_history", fb)

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

work_queue.render_brand_diagnosis(choice, ctx)  # in progress in STEPS: what is missing for its step

# ---------------------------------------------------------------- tiles: the last full period vs the one before
pair = plans.last_full_period(f.date_from, f.date_to, grain)
period, previous = fmt.period(pair.current, grain, lang), fmt.period(pair.previous, grain, lang)
per_period = series_ext.groupby("period_start", as_index=False)[["gmv_cny", "orders"]].sum()
now, before = plans.row_at(per_period, pair.current), plans.row_at(per_period, pair.previous)
t_now, t_before = plans.row_at(trust_ext, pair.current), plans.row_at(trust_ext, pair.previous)
c1, c2, c3, c4, c5 = st.columns(5)
with c1:
    widgets.multiple_tile(
        t("GMV · {period}", lang, period=period), fmt.money(now["gmv_cny"], lang),
        now["gmv_cny"] / before["gmv_cny"] if before["gmv_cny"] else None, previous,
        fmt.money(before["gmv_cny"], lang), fmt.money(now["gmv_cny"], lang),
        help=t("Value of orders placed in the period, refunded ones included; the multiple is this period over "
               "the one before.", lang), lang=lang)
with c2:
    widgets.multiple_tile(
        t("Orders · {period}", lang, period=period), fmt.count(now["orders"]),
        now["orders"] / before["orders"] if before["orders"] else None, previous, fmt.count(before["orders"]),
        fmt.count(now["orders"]), help=t("Orders placed in the period, this period over the one before.", lang),
        lang=lang)
for column, name, label, up in ((c3, "refund_rate", t("Refund rate · {period}", lang, period=period), False),
                                (c4, "private_share", t("Private-domain share · {period}", lang, period=period), True)):
    with column:
        widgets.rate_tile(label, t_now[name], t_before[name], previous, good_when_up=up, lang=lang)
with c5:
    widgets.roi_t30_tile(roi.iloc[0]["roi_t30"], roi_before.iloc[0]["roi_t30"], f.range_days, lang=lang)
if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- STEPS
step_labels = {s: i18n.enum("step", s, lang) for s in range(6)}
st.subheader(t("STEPS timeline", lang))
mine = roster[roster["brand_id"] == choice]
if not mine.empty:
    r = mine.iloc[0]
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
if history.empty:
    st.caption(t("No provider has served this brand: it is run by the brand or platform staff.", lang))
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
            incomplete_title=t("t30_complete_share", lang), height=240,
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
