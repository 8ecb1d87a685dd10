"""Sales multiples: GMV, net GMV and orders per period; per-brand multiples; cohorts by onboarding quarter."""
from ui.legacy import leave_legacy_pages_mode

leave_legacy_pages_mode()

import streamlit as st  # noqa: E402

from data_access.metrics import summaries  # noqa: E402
from data_access.views import plans  # noqa: E402
from ui import charts, data, fmt, widgets  # noqa: E402
from ui.i18n import N_, t  # noqa: E402

BRAND_COLUMNS = ("brand_name", "belt_id", "base_gmv_cny", "current_gmv_cny", "multiple")

ctx = widgets.page_header(N_("Sales multiples"))
f, lang, grain = ctx.filters, ctx.lang, ctx.filters.grain
pair = plans.last_full_period(f.date_from, f.date_to, grain)
min_base = widgets.minimum_base()

with data.page_errors():
    sales = data.report("sales", f)
    ext = data.report("sales", plans.extended(f, year=True))  # the period before and a year before too
    multiples = data.report("brand_multiples", f)
    ranked = f.with_(min_base=min_base)  # the rankings by multiple leave a small base out
    histogram = data.report("multiple_histogram", ranked)
    movers = data.report("top_movers", ranked)
    new = data.report("new_brands", f)
    cohorts = data.report("cohort_gmv", f)

if sales["orders"].sum() == 0 and multiples.empty:
    widgets.empty_state(lang=lang)
    st.stop()

# ---------------------------------------------------------------- tiles: the last full period, 环比 and 同比
rows = [plans.row_at(ext, p) for p in (pair.current, pair.previous, pair.year_ago)]
names = [fmt.period(p, grain, lang) for p in (pair.current, pair.previous, pair.year_ago)]


def compared(column: str, kind: str, minimum: float) -> list:
    values = [r[column] for r in rows]
    return [widgets.versus_multiple(names[1], values[1], values[0], kind, lang, minimum=minimum),
            widgets.versus_multiple(names[2], values[2], values[0], kind, lang, minimum=minimum,
                                    name=t("Year over year", lang))]


c1, c2, c3 = st.columns(3)
for column, name, label, kind, minimum, tip in (
        (c1, "gmv_cny", N_("GMV · {period}"), "money", min_base,
         N_("Value of orders placed in the period, refunded ones included; the multiple is this period over the one "
            "before.")),
        (c2, "net_gmv_cny", N_("Net GMV · {period}"), "money", min_base,
         N_("GMV of orders not refunded, this period over the one before.")),
        (c3, "orders", N_("Orders · {period}"), "count", widgets.MIN_COUNT_BASE,
         N_("Orders placed in the period, this period over the one before."))):
    with column:
        shown = fmt.money(rows[0][name], lang) if kind == "money" else fmt.count(rows[0][name], lang)
        widgets.tile(t(label, lang, period=names[0]), shown, *compared(name, kind, minimum), help=t(tip, lang),
                     lang=lang)
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
if multiples.empty:
    widgets.empty_state(lang=lang)
else:
    st.caption(t("A multiple on a base GMV below {amount} is marked small base and left out of the rankings by "
                 "multiple (the minimum base is in the sidebar).", lang, amount=fmt.money(min_base, lang)))
    named = {summaries.NEW: t("new", lang), summaries.SMALL_BASE: t("small base", lang)}
    ranges = [named.get(r, r) for r in histogram["multiple_range"]]
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('Brands by sales multiple', lang)}**")
        st.altair_chart(charts.category_bars(
            histogram.assign(multiple_range=ranges), label="multiple_range", value="brands",
            label_title=t("multiple range", lang), value_title=t("brands", lang), lang=lang, order=ranges), theme=None)
    with right:
        widgets.table(histogram, ("multiple_range", "brands"), key="histogram", lang=lang,
                      labels={"multiple_range": ranges})
        widgets.download_button(histogram, "multiple-histogram", f=ranked)

    rank_by = widgets.page_choice(
        t("Rank by", lang), "rank", ("multiple", "growth"), "multiple",
        lambda r: t("Multiple", lang) if r == "multiple" else t("Growth in ¥", lang), lang=lang,
        help=t("By multiple: the brands whose GMV multiplied most, on a base of at least the minimum. By growth: "
               "the brands whose GMV grew by the most yuan, whatever their base.", lang))
    if rank_by == "multiple":
        st.markdown(f"**{t('Top movers', lang)}**", help=t(
            "The {n} brands with the highest multiple, on a base GMV of at least {amount}.", lang,
            n=summaries.TOP_MOVERS, amount=fmt.money(min_base, lang)))
        columns, name = BRAND_COLUMNS, "top-movers"
    else:
        with data.page_errors():
            movers = data.report("top_growth", ranked)
        st.markdown(f"**{t('Largest growth in GMV', lang)}**", help=t(
            "The {n} brands whose GMV grew by the most yuan over the range before (new brands included).", lang,
            n=summaries.TOP_MOVERS))
        columns, name = (*BRAND_COLUMNS, "gmv_growth_cny", "small_base"), "top-growth"
    widgets.table(movers, columns, key=f"movers_{rank_by}", lang=lang, select_brand=True,
                  labels={"belt_id": [ctx.belt_label(b) for b in movers["belt_id"]]})
    widgets.download_button(movers, name, f=ranked)

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
        marked = widgets.with_small_base(multiples, "base_gmv_cny", min_base)  # the download is the dataset
        widgets.table(marked, (*BRAND_COLUMNS, "small_base", "new_in_current"), key="all_brands", lang=lang,
                      select_brand=True, height=360,
                      labels={"belt_id": [ctx.belt_label(b) for b in multiples["belt_id"]]})
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
