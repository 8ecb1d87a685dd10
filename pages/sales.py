"""Sales multiples: GMV, net GMV and orders per period; per-brand multiples; cohorts by onboarding quarter."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access import plans, summaries  # noqa: E402
from ui import charts, data, fmt, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

BRAND_COLUMNS = ("brand_name", "belt_id", "base_gmv_cny", "current_gmv_cny", "multiple")

ctx = widgets.page_header(N_("Sales multiples"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)

with data.page_errors():
    sales = data.report("sales", f)
    ext = data.report("sales", plans.extended(f))
    multiples = data.report("brand_multiples", f)
    histogram = data.report("multiple_histogram", f)
    movers = data.report("top_movers", f)
    new = data.report("new_brands", f)
    cohorts = data.report("cohort_gmv", f)

if sales["orders"].sum() == 0 and multiples.empty:
    widgets.empty_state(lang=lang)
    st.stop()

# ---------------------------------------------------------------- tiles
now, before = plans.row_at(ext, pair.current), plans.row_at(ext, pair.previous)
period, previous = fmt.period(pair.current, grain, lang), fmt.period(pair.previous, grain, lang)
c1, c2, c3 = st.columns(3)
with c1:
    widgets.multiple_tile(
        t("GMV · {period}", lang, period=period), fmt.money(now["gmv_cny"], lang), now["gmv_multiple"], previous,
        fmt.money(before["gmv_cny"], lang), fmt.money(now["gmv_cny"], lang),
        help=t("Value of orders placed in the period, refunded ones included; the multiple is this period over "
               "the one before.", lang), lang=lang)
with c2:
    widgets.multiple_tile(
        t("Net GMV · {period}", lang, period=period), fmt.money(now["net_gmv_cny"], lang), now["net_gmv_multiple"],
        previous,
        fmt.money(before["net_gmv_cny"], lang), fmt.money(now["net_gmv_cny"], lang),
        help=t("GMV of orders not refunded, this period over the one before.", lang), lang=lang)
with c3:
    widgets.multiple_tile(
        t("Orders · {period}", lang, period=period), fmt.count(now["orders"]), now["orders_multiple"], previous,
        fmt.count(before["orders"]), fmt.count(now["orders"]),
        help=t("Orders placed in the period, this period over the one before.", lang), lang=lang)
if pair.partial:
    st.caption(t("Partial period: the data ends on {date}.", lang, date=ctx.as_of.isoformat()))

# ---------------------------------------------------------------- per period
st.subheader(t("GMV, net GMV and orders per period", lang))
left, right = st.columns(2)
with left:
    st.altair_chart(charts.period_lines(
        sales, series=[("gmv_cny", t("gmv_cny", lang)), ("net_gmv_cny", t("net_gmv_cny", lang))],
        value_title=t("gmv_cny", lang),
        period_title=t("period", lang), series_title="", grain=grain, lang=lang, kind="money",
        events=ctx.events), theme=None)
with right:
    st.altair_chart(charts.period_bars(
        sales, value="orders", value_title=t("orders", lang), period_title=t("period", lang), grain=grain, lang=lang,
        tooltips=[("orders_multiple", t("orders_multiple", lang), "multiple"),
                  ("gmv_multiple", t("gmv_multiple", lang), "multiple")], events=ctx.events), theme=None)
widgets.table(sales, ("period_start", "gmv_cny", "net_gmv_cny", "gmv_multiple", "net_gmv_multiple", "orders",
                     "orders_multiple"),
              key="sales", lang=lang,
              labels={"period_start": widgets.period_column(sales, grain, lang)})
widgets.download_button(sales, "sales")

# ---------------------------------------------------------------- per-brand multiples
base_from, base_to = f.base_range
st.subheader(t("Per-brand multiples", lang), help=t(
    "GMV of each brand in {current} over {base} (the range of equal length before).", lang,
    current=fmt.date_range(f.date_from, f.date_to, lang), base=fmt.date_range(base_from, base_to, lang)))
belt_labels = {"belt_id": [ctx.belt_label(b) for b in multiples["belt_id"]]}
if multiples.empty:
    widgets.empty_state(lang=lang)
else:
    ranges = [t("new", lang) if r == summaries.NEW else r for r in histogram["multiple_range"]]
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('Brands by sales multiple', lang)}**")
        st.altair_chart(charts.category_bars(
            histogram.assign(multiple_range=ranges), label="multiple_range", value="brands",
            label_title=t("multiple range", lang), value_title=t("brands", lang), lang=lang, order=ranges), theme=None)
    with right:
        widgets.table(histogram, ("multiple_range", "brands"), key="histogram", lang=lang,
                      labels={"multiple_range": ranges})
        widgets.download_button(histogram, "multiple-histogram")

    st.markdown(f"**{t('Top movers', lang)}**",
                help=t("The {n} brands with the highest multiple (base GMV above zero).", lang, n=summaries.TOP_MOVERS))
    widgets.table(movers, BRAND_COLUMNS, key="movers", lang=lang, select_brand=True,
                  labels={"belt_id": [ctx.belt_label(b) for b in movers["belt_id"]]})
    widgets.download_button(movers, "top-movers")

    st.markdown(f"**{t('Brands new in the range', lang)}**",
                help=t("Brands with GMV in the range and none in the range before it.", lang))
    if new.empty:
        st.caption(fmt.EMPTY)
    else:
        widgets.table(new, ("brand_name", "belt_id", "current_gmv_cny"), key="new_brands",
                      lang=lang, select_brand=True, height=320,
                      labels={"belt_id": [ctx.belt_label(b) for b in new["belt_id"]]})
        widgets.download_button(new, "new-brands")

    with st.expander(t("All brands with sales", lang) + f" · {t('{n} rows', lang, n=fmt.count(len(multiples)))}"):
        widgets.table(multiples, (*BRAND_COLUMNS, "new_in_current"), key="all_brands", lang=lang,
                      select_brand=True, height=360, labels=belt_labels)
        widgets.download_button(multiples, "brand-multiples")

# ---------------------------------------------------------------- cohorts
st.subheader(t("Cohorts by onboarding quarter", lang),
             help=t("GMV in the range by the quarter the brand was onboarded and the months since its "
                    "onboarding month.", lang))
if cohorts.empty:
    widgets.empty_state(lang=lang)
else:
    cohort_labels = [fmt.period(q, "quarter", lang) for q in cohorts["cohort_quarter"]]
    shown = cohorts.assign(cohort=cohort_labels)
    st.altair_chart(charts.heatmap(
        shown, x="months_since_onboarding", y="cohort", value="gmv_cny", x_title=t("months_since_onboarding", lang),
        y_title=t("cohort_quarter", lang), value_title=t("Cohort GMV", lang), lang=lang,
        tooltips=[("brands", t("brands", lang), "count")]), theme=None)
    with st.expander(t("Cohort GMV", lang) + f" · {t('{n} rows', lang, n=fmt.count(len(cohorts)))}"):
        widgets.table(cohorts, ("cohort_quarter", "months_since_onboarding", "gmv_cny", "brands"), key="cohorts",
                      lang=lang, height=360,
                      labels={"cohort_quarter": cohort_labels})
        widgets.download_button(cohorts, "cohort-gmv")
