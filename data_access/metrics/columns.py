"""Every column a dataset carries or a page shows, declared once: what kind of figure it is, what it means,
and which way is better. Pages take their formats, headers and help from here; the CSV writer its money
columns; `data_access.metrics.catalogue` names the columns of each dataset from here.

A column's name is its message id: its header in a language is the name's translation in the gettext
catalogues (locale/*/LC_MESSAGES/beltboard.po, e.g. `gmv_cny` -> "GMV"), its help the translation of
`help` (English source text). `N_` only marks them for extraction (`make i18n`); nothing here is translated.

Kinds: id, text, enum (values named by ui.i18n.ENUMS[enum]), date, count, money (CNY), rate (a share,
0.031 = 3.1%), multiple (4.5×), ratio (ROI: GMV over spend), days, flag (true/false).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..words.messages import N_

KINDS = ("id", "text", "enum", "date", "count", "money", "rate", "multiple", "ratio", "days", "flag")
NUMBERS = ("count", "money", "rate", "multiple", "ratio", "days")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    help: str | None = None               # what it means (English message)
    higher_is_better: bool | None = None  # None: neither (a count of things, a name)
    enum: str | None = None               # the ui.i18n.ENUMS kind naming its values

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


COLUMNS: dict[str, Column] = {c.name: c for c in (
    # --------------------------------------------------------- keys and names
    Column(N_("period"), "text"),
    Column(N_("period_start"), "date", N_("The first day of the period (month, quarter or year).")),
    Column(N_("month_start"), "date", N_("The first day of the month the assignments started in.")),
    Column(N_("group"), "text", N_("The breakdown's value: a belt id, province, category, brand type or who runs "
                                   "the brand (none: brands without a belt).")),
    Column(N_("brand_id"), "id"), Column(N_("brand_name"), "text"), Column(N_("name"), "text"),
    Column(N_("name_zh"), "text"), Column(N_("name_en"), "text"),
    Column(N_("belt"), "text"), Column(N_("belt_id"), "id"), Column(N_("main_belt"), "id", N_(
        "The belt of its served brands with the most served GMV in the range: its peer group.")),
    Column(N_("province"), "text"),
    Column(N_("category"), "enum", enum="category"), Column(N_("brand_type"), "enum", enum="brand_type"),
    Column(N_("managed_by"), "enum", enum="managed_by"),
    Column(N_("provider_id"), "id"), Column(N_("provider_name"), "text"),
    Column(N_("provider_type"), "enum", enum="provider_type"),
    Column(N_("owner"), "text", N_("Who runs the brand: its provider on the as-of date, or platform staff.")),
    Column(N_("onboarded_on"), "date"), Column(N_("started_on"), "date"), Column(N_("completed_on"), "date"),
    Column(N_("start_on"), "date"), Column(N_("end_on"), "date"), Column(N_("window_start"), "date"),
    Column(N_("current_step_started_on"), "date"),
    Column(N_("cohort_quarter"), "date", N_("The quarter the brands were onboarded in.")),
    Column(N_("channel"), "text"), Column(N_("traffic_source"), "text"), Column(N_("metric"), "text"),
    Column(N_("evidence_name"), "text"), Column(N_("evidence_text"), "text"),
    Column(N_("days_vs_typical"), "text"),
    # --------------------------------------------------------- onboarding
    Column(N_("brands_onboarded"), "count", N_("Brands with onboarded_on in the period."), True),
    Column(N_("growth_multiple"), "multiple", N_("Brands onboarded in the period over the period before (环比). "
                                                 "Empty when the denominator is 0."), True),
    Column(N_("yoy_multiple"), "multiple", N_("Brands onboarded in the period over the same period a year "
                                              "earlier (同比). Empty when the denominator is 0."), True),
    Column(N_("cumulative_brands"), "count", N_("Brands onboarded on or before the period's last day."), True),
    # --------------------------------------------------------- sales
    Column(N_("gmv_cny"), "money", N_("Value of the orders placed, refunded ones included."), True),
    Column(N_("net_gmv_cny"), "money", N_("Value of the orders placed and not refunded."), True),
    Column(N_("orders"), "count", N_("Orders placed."), True),
    Column(N_("gmv_multiple"), "multiple", N_("GMV over the GMV of the period (or range) before. "
                                              "Empty when the denominator is 0."),
           True),
    Column(N_("orders_multiple"), "multiple", N_("Orders over the orders of the period before. "
                                                 "Empty when the denominator is 0."),
           True),
    Column(N_("net_gmv_multiple"), "multiple", N_("Net GMV over the net GMV of the period before. "
                                                  "Empty when the denominator is 0."), True),
    Column(N_("base_gmv_cny"), "money", N_("The brand's GMV in the range of equal length just before.")),
    Column(N_("current_gmv_cny"), "money", N_("The brand's GMV in the range."), True),
    Column(N_("multiple"), "multiple", N_("The brand's GMV in the range over its GMV in the range before. "
                                          "Empty when the denominator is 0."), True),
    Column(N_("new_in_current"), "flag", N_("GMV in the range and none in the range before.")),
    Column(N_("small_base"), "flag", N_("The multiple stands on a base GMV below the minimum base (set in the "
                                        "sidebar): read it, but do not headline it.")),
    Column(N_("gmv_growth_cny"), "money", N_("GMV in the range less GMV in the range before: growth in yuan."), True),
    Column(N_("offsite_gmv_cny"), "money", N_("The brand's sales outside the platform before it joined.")),
    Column(N_("brands"), "count", N_("Brands with at least one order in the cell.")),
    Column(N_("months_since_onboarding"), "count", N_("Calendar months from the brand's onboarding month (0: that "
                                                      "month).")),
    Column(N_("multiple_range"), "text", N_("A band of brand multiples (a histogram's bar).")),
    Column(N_("share"), "rate"), Column(N_("gmv_share"), "rate"), Column(N_("brands_share"), "rate"),
    # --------------------------------------------------------- ROI and trust
    Column(N_("campaigns"), "count", N_("Campaigns starting in the range.")),
    Column(N_("spend_cny"), "money", N_("What those campaigns spent.")),
    Column(N_("gmv_t0"), "money", N_("GMV of campaign orders on the campaign's start day."), True),
    Column(N_("gmv_t10"), "money", N_("GMV of campaign orders from the start day to 10 days after."), True),
    Column(N_("gmv_t30"), "money", N_("GMV of campaign orders from the start day to 30 days after."), True),
    Column(N_("roi_t0"), "ratio", N_("GMV at T+0 over spend."), True),
    Column(N_("roi_t10"), "ratio", N_("GMV at T+10 over spend."), True),
    Column(N_("roi_t30"), "ratio", N_("GMV at T+30 over spend: the window the platform judges by."), True),
    Column(N_("t30_complete_share"), "rate", N_("Share of the spend whose T+30 window has ended by the as-of date; "
                                                "below 100% the T+30 figures are not final.")),
    Column(N_("refund_rate"), "rate", N_("Refunded orders over orders."), False),
    Column(N_("return_rate"), "rate", N_("Returned orders over orders."), False),
    Column(N_("insured_share"), "rate", N_("Orders with return-shipping insurance over orders.")),
    Column(N_("private_share"), "rate", N_("GMV from private-domain traffic over GMV."), True),
    Column(N_("repeat_buyer_rate"), "rate", N_("Among brand–buyer pairs with an order, the share with two or "
                                               "more."), True),
    # --------------------------------------------------------- providers
    Column(N_("brands_served"), "count", N_("Selected brands with an assignment of the provider overlapping the "
                                           "range."), True),
    Column(N_("new_brands"), "count", N_("Assignments starting in the range."), True),
    Column(N_("steps_completed"), "count", N_("STEPS milestones completed (in the range, inside the assignment, "
                                             "for a provider; by the as-of date, for a brand)."), True),
    Column(N_("median_days_per_step"), "days", N_("Median days from a milestone's start to its completion."), False),
    Column(N_("live_ops_experts"), "count"),
    Column(N_("peers"), "count", N_("Providers with the same main belt, this one included.")),
    *(Column(f"{figure}_pct", "rate", N_("Share of the other peers with a worse value (equal is not worse).")
             , True) for figure in ("gmv_multiple", "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t30",
                                    "median_days_per_step")),
    *(Column(f"{figure}_peer_median", kind, N_("The peers' median.")) for figure, kind in (
        ("gmv_multiple", "multiple"), ("refund_rate", "rate"), ("return_rate", "rate"),
        ("repeat_buyer_rate", "rate"), ("roi_t30", "ratio"), ("median_days_per_step", "days"))),
    Column(N_("providers"), "count"), Column(N_("median"), "ratio"), Column(N_("p90"), "ratio"),
    Column(N_("best_decile"), "ratio", N_("Where the best 10% of peers begin: the 90th percentile where higher is "
                                          "better, the 10th where lower is better (refunds, returns, days).")),
    Column(N_("assignments"), "count", N_("Assignments starting in the month.")),
    Column(N_("gmv_before"), "money", N_("The brands' GMV over the 30 days before each assignment started.")),
    Column(N_("gmv_after"), "money", N_("The brands' GMV over the assignment's first 30 days."), True),
    Column(N_("after_multiple"), "multiple", N_("GMV after over GMV before. Empty when the denominator is 0."), True),
    Column(N_("step_within_90d"), "rate", N_("Share of the assignments whose brand completed a STEPS milestone "
                                            "within 90 days."), True),
    Column(N_("platform_after_multiple"), "multiple", N_("The same multiple over every provider's assignments "
                                                        "starting in the month.")),
    Column(N_("platform_step_within_90d"), "rate", N_("The same share over every provider's assignments starting "
                                                     "in the month.")),
    Column(N_("days_served"), "count", N_("Days of the assignment, both ends counted (to the as-of date while it "
                                         "runs).")),
    # --------------------------------------------------------- STEPS
    Column(N_("step"), "enum", enum="step"),
    Column(N_("current_step"), "enum", N_("The highest step reached by the as-of date (0: none)."), enum="step"),
    Column(N_("state"), "enum", N_("completed, in_progress or not_started, as of the as-of date."), enum="state"),
    Column(N_("days_in_step"), "count", N_("Days since the current step started, while it is in progress.")),
    Column(N_("stalled"), "flag", N_("In progress for more than the stalled threshold.")),
    Column(N_("brands_reached"), "count", N_("Brands that started the step by the as-of date.")),
    Column(N_("brands_completed"), "count", N_("Brands that completed the step by the as-of date.")),
    Column(N_("conversion_from_previous"), "rate", N_("Brands that reached the step over those that reached the "
                                                     "step before."), True),
    Column(N_("median_days_to_complete"), "days", N_("Median days from the step's start to its completion."), False),
    Column(N_("days"), "count", N_("Days from the step's start to its completion.")),
    Column(N_("distribution_share"), "rate", N_("Influencer-distribution GMV over GMV (step 1).")),
    Column(N_("burst_coefficient"), "multiple", N_("Step 1: the best day's distribution GMV over the mean day's, "
                                                   "in the 30 days from step 1's start."), True),
    Column(N_("peak_day_gmv"), "money"), Column(N_("mean_day_gmv"), "money"),
    Column(N_("window_complete"), "flag", N_("The 30-day window has ended by the as-of date.")),
    Column(N_("public_gmv_growth"), "multiple", N_("Public-traffic GMV over the same in the 30 days before "
                                                   "(step 2)."), True),
    Column(N_("self_live_share"), "rate", N_("Self-broadcast GMV over GMV (step 3)."), True),
    Column(N_("exclusive_share"), "rate", N_("Channel-exclusive GMV over GMV (step 5)."), True),
    # --------------------------------------------------------- the work queue
    Column(N_("status"), "enum", N_("stalled: longer in the step than the stalled threshold; at_risk: longer than "
                                    "is typical; else on_track."), enum="status"),
    Column(N_("typical_days"), "days", N_("Median days to complete this step over the selected brands' "
                                                "milestones completed by the as-of date.")),
    Column(N_("evidence"), "ratio", N_("The step's evidence over the 30 days to the as-of date (step 1: the burst "
                                         "coefficient).")),
    Column(N_("threshold"), "ratio", N_("The bar the evidence must reach (METRICS.md, or the rules file).")),
    Column(N_("evidence_met"), "flag", N_("Evidence ≥ threshold (empty evidence is not met).")),
    Column(N_("peer_evidence"), "ratio", N_("Median evidence, at completion, of the selected brands that "
                                                    "completed this step.")),
    Column(N_("gmv_30d"), "money", N_("The brand's GMV over the last 30 days to the as-of date."), True),
)}


def column(name: str) -> Column:
    """The column's declaration; a name nobody declared is plain text."""
    return COLUMNS.get(name) or Column(name, "text")


def is_money(name: str) -> bool:
    return column(name).kind == "money"
