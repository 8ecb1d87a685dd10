"""Providers: the league table of every provider serving the selected brands, peer bands (median and
top decile across the providers shown), and one provider's view: its brands, its GMV trend, its KPIs
against its peers. The provider is picked in the table or the box, and kept in the URL (?provider=<id>)."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

from dataclasses import replace  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data_access.metrics.catalogue import DATASETS  # noqa: E402
from data_access.metrics.columns import COLUMNS  # noqa: E402
from ui import charts, data, fmt, i18n, state, widgets, work_queue  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

# The figures peers are compared on (their kinds and which way is better: data_access.metrics.columns).
PEERS = ("gmv_cny", "gmv_multiple", "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t0", "roi_t10", "roi_t30",
         "steps_completed", "median_days_per_step")
STRIPS = ("gmv_cny", "roi_t30", "refund_rate")
VIEW_TILES = ("roi_t30", "refund_rate", "repeat_buyer_rate", "gmv_multiple", "return_rate", "steps_completed",
              "median_days_per_step")
BRAND_COLUMNS = ("brand_name", "belt_id", "current_step", "state", "days_in_step", "stalled")

ctx = widgets.page_header(N_("Providers"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
base_from, base_to = f.base_range

with data.page_errors():
    league = data.report("providers", f)
    before = data.report("providers", f.with_(date_from=base_from, date_to=base_to))

if league.empty:
    widgets.empty_state(lang=lang)
    st.stop()


def formatted(value, kind: str) -> str:
    if kind == "days":
        return widgets.days(value, lang)
    return charts.formatted(pd.Series([value], dtype=object), kind, lang).iloc[0]


# ---------------------------------------------------------------- tiles: this range vs the one before, every tile
before_range = t("the previous {days} days", lang, days=f.range_days)
c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.tile(t("Active providers", lang), fmt.count(len(league)),
                 widgets.versus_change(before_range, len(before), len(league), "count", lang), lang=lang,
                 help=t("Providers serving at least one selected brand in the date range, compared with the range of "
                        "equal length before it.", lang))
with c2:
    gmv_now, gmv_before = float(league["gmv_cny"].sum()), float(before["gmv_cny"].sum())
    widgets.tile(t("Served GMV", lang), fmt.money(gmv_now, lang),
                 widgets.versus_multiple(before_range, gmv_before, gmv_now, "money", lang,
                                         minimum=widgets.minimum_base()), lang=lang,
                 help=t("GMV of the orders the providers served (a brand's orders on days inside its provider's "
                        "assignment), over all providers shown.", lang))
for column, name, tip in (
        (c3, "new_brands", N_("Brands whose assignment to a provider starts in the range, summed over providers.")),
        (c4, "steps_completed", N_("STEPS milestones completed in the range while a provider served the brand, "
                                   "summed over providers."))):
    with column:
        n_now, n_before = int(league[name].sum()), int(before[name].sum()) if not before.empty else 0
        widgets.tile(t(name, lang), fmt.count(n_now), widgets.versus_change(before_range, n_before, n_now, "count",
                                                                            lang), help=t(tip, lang), lang=lang)

# ---------------------------------------------------------------- league table
ids = [int(i) for i in league["provider_id"]]
names = dict(zip(ids, league["provider_name"]))
provider_id, raw = widgets.url_id("provider", lang=lang)
ss = st.session_state
if ss.get("_p_provider_seen") != raw or "p_provider" not in ss:
    ss["p_provider"] = provider_id if provider_id in names else None
    ss["_p_provider_seen"] = raw

st.subheader(t("League table", lang), help=t("Every provider serving a selected brand in the range, by served GMV. "
                                       "Click a column header to sort.", lang))
type_words = [i18n.enum("provider_type", v, lang) for v in league["provider_type"]]
picked = widgets.rich_table(
    league, DATASETS["providers"].columns, key="league", lang=lang, height=420, pick=True,
    labels={"provider_id": [str(i) for i in ids], "provider_type": type_words,
            "province": [i18n.province(p, lang) for p in league["province"]]})
st.caption(t("Select a row to see that provider below.", lang))
widgets.download_button(league, "providers")
if picked is not None:
    ss["p_provider"] = ids[picked]

# ---------------------------------------------------------------- peer bands
with data.page_errors():
    bands = data.peer_bands(f, league)  # a provider user's league is its own row: its peers come from here
peers = int(bands["providers"].max())
kinds = {c: COLUMNS[c].kind for c in PEERS}
ups = {c: COLUMNS[c].higher_is_better for c in PEERS}
st.subheader(t("Peer bands", lang), help=t("Median of each figure across the {n} providers shown, and where their "
                                     "best 10% begin: the 90th percentile where higher is better, the 10th where "
                                     "lower is (refunds, returns, days per step); providers without the figure are "
                                     "left out.", lang, n=fmt.count(peers)))
chosen = ss.get("p_provider")
columns = st.columns(len(STRIPS))
for column, name in zip(columns, STRIPS):
    band = bands.set_index("metric").loc[name]
    with column:
        st.markdown(f"**{t(name, lang)}**")
        st.altair_chart(charts.peer_strip(
            league, value=name, label="provider_name", label_title=t("provider_name", lang), value_title=t(name, lang),
            lang=lang, kind=kinds[name], key="provider_id", highlight=chosen,
            bands=[(t("Median {value}", lang, value=formatted(band["median"], kinds[name])), band["median"]),
                   (t("Best 10% {value}", lang, value=formatted(band["best_decile"], kinds[name])),
                    band["best_decile"])]), theme=None)
shown_bands = bands.assign(
    metric_label=[t(m, lang) for m in bands["metric"]],
    median_text=[formatted(v, kinds[m]) for m, v in zip(bands["metric"], bands["median"])],
    best_text=[formatted(v, kinds[m]) for m, v in zip(bands["metric"], bands["best_decile"])])
with st.expander(t("Peer bands", lang) + f" · {t('{n} rows', lang, n=fmt.count(len(bands)))}"):
    widgets.table(shown_bands, ("metric", "providers", "median", "best_decile"),
                  key="peer_bands", lang=lang, labels={"metric": shown_bands["metric_label"],
                                                       "median": shown_bands["median_text"],
                                                       "best_decile": shown_bands["best_text"]})
    widgets.download_button(bands, "provider-peer-bands", dataset="provider_peers")

# ---------------------------------------------------------------- one provider
st.subheader(t("Provider view", lang))
if ss.get("p_provider") not in names:
    ss["p_provider"] = None
choice = st.selectbox(t("Provider", lang), [None, *ids], key="p_provider", placeholder=t("Choose a provider", lang),
                      format_func=lambda i: (t("Choose a provider", lang) if i is None
                                             else f"{widgets.single_line(names[i])} · #{i}"))
if choice is not None:
    state.set_page_param("provider", str(choice))
    ss["_p_provider_seen"] = str(choice)
elif provider_id in names:  # the box was cleared
    state.set_page_param("provider", None)
    ss["_p_provider_seen"] = None

if choice is None:
    if provider_id is not None and provider_id not in names:
        st.info(t("Provider {id} serves none of the selected brands in this range; choose one of the providers "
                  "shown.", lang, id=provider_id), icon=":material/person_search:")
    else:
        st.caption(t("Pick a provider in the table or the box to see its brands, its GMV trend and its figures "
                     "against its peers.", lang))
    st.stop()

row = league.loc[league["provider_id"] == choice].iloc[0]
st.markdown(f"#### {widgets.plain(row['provider_name'])}")
st.caption(" · ".join([widgets.plain(i18n.enum("provider_type", row["provider_type"], lang)),
                       widgets.plain(i18n.province(row["province"], lang)),
                       t("{n} live-stream operations experts", lang, n=fmt.count(row["live_ops_experts"]))]))

band_of = bands.set_index("metric")
st.caption(t("Against its peers: each delta is the difference from the median of the {n} providers shown.", lang,
             n=fmt.count(peers)))
first, second = st.columns(4), st.columns(4)
with first[0]:
    mine_before = before.loc[before["provider_id"] == choice, "gmv_cny"]
    widgets.tile(
        t("gmv_cny", lang), fmt.money(row["gmv_cny"], lang),
        widgets.versus_multiple(before_range, float(mine_before.iloc[0]) if not mine_before.empty else 0.0,
                                row["gmv_cny"], "money", lang, minimum=widgets.minimum_base()),
        help=t("GMV of the provider's served orders in the range, over the same in the range of equal length "
               "before it.", lang), lang=lang)
for column, name in zip(first[1:] + second, VIEW_TILES):
    kind, up = kinds[name], ups[name]
    median, best = band_of.loc[name, "median"], band_of.loc[name, "best_decile"]
    with column:
        versus = widgets.versus_change(t("the peers' median", lang), median, row[name], kind, lang)
        widgets.tile(t(name, lang), versus.after, replace(versus, trailed=False), lang=lang, good_when_up=up,
                     lines=[t("median {median} · best 10% from {best}", lang, median=versus.before,
                              best=formatted(best, kind))])

work_queue.render_scorecard(choice, ctx)  # its percentiles among its belt's peers, its cohorts

st.markdown(f"**{t('Served GMV per period', lang)}**")
with data.page_errors():
    series = data.provider_data("provider_series", f, choice)
    brands = data.provider_data("provider_brands", f, choice)
st.altair_chart(charts.period_bars(
    series, value="gmv_cny", value_title=t("gmv_cny", lang), period_title=t("period", lang), grain=grain, lang=lang,
    kind="money", tooltips=[("orders", t("orders", lang), "count")], height=240, events=ctx.events), theme=None)
widgets.download_button(series, f"provider-{choice}-gmv", dataset="provider_series", provider_id=choice)

st.markdown(f"**{t('Its brands and their STEPS state', lang)}**",
            help=t("Selected brands this provider serves in the range, with their STEPS state as of {date}.", lang,
                   date=ctx.as_of.isoformat()))
if brands.empty:
    st.caption(fmt.EMPTY)
else:
    widgets.table(brands, BRAND_COLUMNS, key="provider_brands", lang=lang, select_brand=True, height=320,
                  labels={"belt_id": [ctx.belt_label(b) for b in brands["belt_id"]],
                          "current_step": [i18n.enum("step", int(s), lang) for s in brands["current_step"]],
                          "state": [i18n.enum("state", s, lang) for s in brands["state"]]})
    widgets.download_button(brands, f"provider-{choice}-brands", dataset="provider_brands", provider_id=choice)
