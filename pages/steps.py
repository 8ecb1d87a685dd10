"""STEPS progress: the funnel through the five steps, stalled brands (the threshold kept in the URL as
?stalled=N) counted by belt and by provider, one brand's timeline with each step's evidence, and the
evidence table of every selected brand. STEPS are "as of" the data's last day; the date range applies
only to the evidence (GMV shares in the range)."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data_access.metrics.catalogue import DATASETS  # noqa: E402
from data_access.views import periods  # noqa: E402
from data_access.warehouse.filters import DEFAULT_STALLED_DAYS  # noqa: E402
from ui import charts, data, fmt, i18n, state, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

STEPS_COLUMNS = ("brand_name", "belt_id", "provider_name", "current_step", "steps_completed", "state",
                 "current_step_started_on", "days_in_step", "stalled")
EVIDENCE_COLUMNS = ("brand_name", "belt_id", "gmv_cny", "distribution_share", "burst_coefficient", "public_gmv_growth",
                    "self_live_share", "private_share", "repeat_buyer_rate", "exclusive_share")
# What shows each step in the data (DOMAIN.md): step -> (column, kind) …
EVIDENCE = {1: [("distribution_share", "rate"), ("burst_coefficient", "multiple")],
            2: [("public_gmv_growth", "multiple")],
            3: [("self_live_share", "rate")],
            4: [("private_share", "rate"), ("repeat_buyer_rate", "rate")],
            5: [("exclusive_share", "rate")]}
EVIDENCE_HELP = {
    "distribution_share": N_("Share of the brand's GMV in the range sold through influencer distribution."),
    "burst_coefficient": N_("The best day's distribution GMV over the mean day's, in the 30 days from step 1's start."),
    "public_gmv_growth": N_("Public-traffic GMV in the range over the range of equal length before it."),
    "self_live_share": N_("Share of the brand's GMV in the range from its own live room (self-broadcast)."),
    "private_share": N_("Share of the brand's GMV in the range from private-domain traffic."),
    "repeat_buyer_rate": N_("Among the brand's buyers in the range, the share with two or more orders."),
    "exclusive_share": N_("Share of the brand's GMV in the range from channel-exclusive products."),
}
TOP = 15  # bars per stalled-brands chart
MAX_STALLED_DAYS = 36_500

ctx = widgets.page_header(N_("STEPS"))
lang, as_of = ctx.lang, ctx.as_of
ss = st.session_state

# ---------------------------------------------------------------- the stalled threshold, in the URL
raw = st.query_params.get("stalled")
from_url = widgets.whole_number(raw)
if from_url is not None and from_url > MAX_STALLED_DAYS:
    from_url = None
if raw is not None and from_url is None:
    widgets.link_notice("stalled", raw, lang=lang)
    state.set_page_param("stalled", None)
    raw = None
if ss.get("_p_stalled_seen", "unset") != raw or "p_stalled" not in ss:
    ss["p_stalled"] = from_url if from_url is not None else DEFAULT_STALLED_DAYS
    ss["_p_stalled_seen"] = raw
stalled_days = int(st.columns([1, 3])[0].number_input(
    t("Stalled after … days in one step", lang), min_value=0, max_value=MAX_STALLED_DAYS, step=10, key="p_stalled",
    help=t("A brand is stalled when its current step has been in progress for more than this many days "
           "(default {n}).", lang, n=DEFAULT_STALLED_DAYS)))
state.set_page_param("stalled", str(stalled_days), str(DEFAULT_STALLED_DAYS))
ss["_p_stalled_seen"] = st.query_params.get("stalled")

f = ctx.filters.with_(stalled_days=stalled_days)
previous_as_of = periods.period_start(as_of, f.grain) - dt.timedelta(days=1)
with data.page_errors():
    steps = data.report("steps", f)
    before = data.report("steps", f.with_(as_of=previous_as_of))
    funnel = data.report("steps_funnel", f)
    evidence = data.report("step_evidence", f)
    serving = data.report("providers", f.with_(date_from=as_of, date_to=as_of))
    stalled = data.report("stalled_brands", f)
    counts_by_belt = data.report("stalled_by_belt", f)
    by_provider = data.report("stalled_by_provider", f)

if steps.empty:
    widgets.empty_state(lang=lang)
    st.stop()

step_labels = {s: i18n.enum("step", s, lang) for s in range(6)}
provider_names = {int(i): n for i, n in zip(serving["provider_id"], serving["provider_name"])}


def provider_label(provider_id) -> str:
    if fmt.is_empty(provider_id):
        return t("No provider", lang)
    return provider_names.get(int(provider_id), f"#{int(provider_id)}")


def shown_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """`steps` rows as a table shows them: with the serving provider's name (the download keeps the report's
    columns)."""
    return frame.assign(provider_name=[provider_label(p) for p in frame["provider_id"]])


def brand_labels(frame: pd.DataFrame) -> dict:
    """The words a table of `steps` rows shows instead of ids and codes."""
    return {"belt_id": [ctx.belt_label(b) for b in frame["belt_id"]],
            "current_step": [step_labels[int(s)] for s in frame["current_step"]],
            "state": [i18n.enum("state", s, lang) for s in frame["state"]]}


# ---------------------------------------------------------------- tiles: as of A vs the end of the period before
def counts(frame: pd.DataFrame) -> dict:
    return {"started": int((frame["current_step"] >= 1).sum()),
            "in_progress": int((frame["state"] == "in_progress").sum()),
            "all_five": int((frame["steps_completed"] == 5).sum()),
            "stalled": int(frame["stalled"].sum())}


now, then = counts(steps), counts(before)
tiles = [("started", t("Brands in STEPS", lang), t("Selected brands that have started at least step 1.", lang), True),
         ("in_progress", t("In progress", lang), t("Brands whose current step is not completed yet.", lang), True),
         ("all_five", t("All five steps completed", lang), t("Brands with all five steps completed.", lang), True),
         ("stalled", t("Stalled (> {n} days)", lang, n=stalled_days),
          t("Brands in progress whose current step started more than {n} days before the as-of date.", lang,
            n=stalled_days), False)]
for column, (name, label, tip, up) in zip(st.columns(4), tiles):
    with column:
        widgets.tile(label, fmt.count(now[name]),
                     widgets.versus_change(previous_as_of.isoformat(), then[name], now[name], "count", lang),
                     help=tip + " " + t("As of {date}, compared with {before}.", lang, date=as_of.isoformat(),
                                        before=previous_as_of.isoformat()), good_when_up=up, lang=lang)

# ---------------------------------------------------------------- funnel
st.subheader(t("The STEPS funnel", lang), help=t(
    "Per step: brands that reached it (started by the as-of date) and completed it; conversion is the "
    "brands reaching the step over those reaching the step before; median days from start to completion.", lang))
funnel["median_days_text"] = [widgets.days(v, lang) for v in funnel["median_days_to_complete"]]
left, right = st.columns([2, 3])
with left:
    st.altair_chart(charts.funnel_bars(
        funnel, step_labels=step_labels, step_title=t("step", lang), value_title=t("brands", lang), measure_title="",
        measures=[("brands_reached", t("brands_reached", lang)), ("brands_completed", t("brands_completed", lang))],
        lang=lang,
        tooltips=[("conversion_from_previous", t("conversion_from_previous", lang), "rate"),
                  ("median_days_text", t("median_days_to_complete", lang), "text")]), theme=None)
with right:
    widgets.rich_table(funnel, DATASETS["steps_funnel"].columns, key="funnel", lang=lang,
                       labels={"step": [step_labels[int(s)] for s in funnel["step"]]})
    widgets.download_button(funnel.drop(columns="median_days_text"), "steps-funnel")

# ---------------------------------------------------------------- stalled brands
st.subheader(t("Stalled brands", lang),
             help=t("In progress for more than {n} days in their current step, as of {date}.", lang,
                    n=stalled_days, date=as_of.isoformat()))
if stalled.empty:
    st.success(t("No brand has been in one step for more than {n} days.", lang, n=stalled_days),
               icon=":material/check_circle:")
else:
    by_belt = counts_by_belt.assign(belt=[ctx.belt_label(b) for b in counts_by_belt["belt_id"]])
    by_provider_shown = by_provider.assign(provider=[provider_label(p) for p in by_provider["provider_id"]])
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('Stalled brands by industry belt', lang)}**",
                    help=t("The {n} belts with the most stalled brands.", lang, n=TOP))
        st.caption(t("Click a bar to narrow the filters to that belt.", lang))
        widgets.belt_chart(charts.ranking_bars(
            by_belt.head(TOP), label="belt", value="brands", label_title=t("belt", lang), value_title=t("brands", lang),
            lang=lang,
            key="belt_id", selection="stalled_belt"), selection="stalled_belt", key="stalled_by_belt")
    with right:
        st.markdown(f"**{t('Stalled brands by provider', lang)}**",
                    help=t("The {n} providers with the most stalled brands (the provider serving on the as-of "
                           "date).", lang, n=TOP))
        st.altair_chart(charts.ranking_bars(
            by_provider_shown.head(TOP), label="provider", value="brands", label_title=t("provider_name", lang),
            value_title=t("brands", lang), lang=lang), theme=None)
    with st.expander(t("Stalled brands counted by industry belt and by provider", lang)):
        left, right = st.columns(2)
        with left:
            widgets.table(counts_by_belt, ("belt_id", "brands"), key="stalled_belts", lang=lang,
                          height=300, labels={"belt_id": [ctx.belt_label(b) for b in counts_by_belt["belt_id"]]})
            widgets.download_button(counts_by_belt, "stalled-by-belt")
        with right:
            widgets.table(by_provider_shown, ("provider", "brands"), key="stalled_providers", lang=lang,
                          height=300)
            widgets.download_button(by_provider, "stalled-by-provider")
    st.markdown(f"**{t('{n} stalled brands', lang, n=fmt.count(len(stalled)))}**")
    widgets.table(shown_rows(stalled), STEPS_COLUMNS, key="stalled", lang=lang, select_brand=True, height=300,
                  labels=brand_labels(stalled))
    widgets.download_button(stalled, "stalled-brands")

with st.expander(t("Every selected brand's STEPS state", lang) + f" · {t('{n} rows', lang, n=fmt.count(len(steps)))}"):
    widgets.table(shown_rows(steps), STEPS_COLUMNS, key="steps_all", lang=lang, select_brand=True, height=360,
                  labels=brand_labels(steps))
    widgets.download_button(steps, "steps")

# ---------------------------------------------------------------- one brand's timeline and evidence
st.subheader(t("One brand's timeline", lang), help=t(
    "Each step from its start to its completion, or to the as-of date while in progress; below, the data "
    "that shows each step, over the date range.", lang))
started = steps[steps["current_step"] >= 1]
if started.empty:
    st.caption(t("No selected brand has started STEPS yet.", lang))
else:
    names = dict(zip((int(b) for b in started["brand_id"]), started["brand_name"]))
    options = list(names)
    default = int(stalled["brand_id"].iloc[0]) if not stalled.empty else next(
        (int(b) for b in evidence["brand_id"] if int(b) in names), options[0])
    if ss.get("p_steps_brand") not in names:
        ss["p_steps_brand"] = default
    brand_id = st.selectbox(t("Brand", lang), options, key="p_steps_brand",
                            format_func=lambda b: f"{names[b]} · #{b}", help=t("Type to search.", lang))
    with data.page_errors():
        milestones = data.report("brand_milestones", f.with_(brand_ids=(brand_id,)))
    st.altair_chart(charts.steps_gantt(
        milestones, as_of=as_of, step_labels=step_labels, lang=lang, step_title=t("step", lang),
        start_title=t("started_on", lang), end_title=t("completed_on", lang), days_title=t("days", lang),
        status_title=t("state", lang),
        status_labels={"completed": t("Step completed", lang), "in_progress": t("In progress", lang)},
        events=ctx.events), theme=None)
    mine = evidence[evidence["brand_id"] == brand_id]
    if mine.empty:
        st.caption(t("This brand has no orders in the date range, so there is no evidence to show.", lang))
    else:
        row = mine.iloc[0]
        for column, step in zip(st.columns(5), EVIDENCE):
            with column:
                for name, kind in EVIDENCE[step]:  # five narrow columns: the step on the label, the figure below
                    widgets.tile(t("Step {n}", lang, n=step),
                                 charts.formatted(pd.Series([row[name]], dtype=object), kind, lang).iloc[0],
                                 help=f"{step_labels[step]}: {t(EVIDENCE_HELP[name], lang)}", lang=lang,
                                 lines=[t(name, lang)])
    # A callback, not the button's value: the click survives a rerun that happens before this line.
    st.button(t("Open the brand page", lang), icon=":material/storefront:", key="open_timeline_brand",
              on_click=lambda: ss.update({"_p_open_brand": brand_id}))
    if ss.pop("_p_open_brand", None) == brand_id:
        widgets.open_brand(brand_id)

# ---------------------------------------------------------------- evidence of every selected brand
st.subheader(t("STEPS evidence of every selected brand", lang), help=t(
    "Selected brands with orders in the range, by GMV. Shares are of the brand's GMV in the range; public-traffic "
    "growth compares the range with the one of equal length before; the burst coefficient is over the 30 days "
    "from step 1's start.", lang))
if evidence.empty:
    widgets.empty_state(lang=lang)
else:
    widgets.table(evidence, EVIDENCE_COLUMNS, key="evidence", lang=lang, select_brand=True, height=360,
                  labels={"belt_id": [ctx.belt_label(b) for b in evidence["belt_id"]]})
    widgets.download_button(evidence, "steps-evidence", dataset="step_evidence")
