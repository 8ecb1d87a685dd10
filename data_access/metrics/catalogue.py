"""The catalogue: every dataset a page shows or downloads, or a user may export, declared once.

A dataset has a name (the export's and the cache's), a one-line description (an English message,
translated where shown), the function that computes it, its subject and its columns (the ones it carries
at least, in order; each declared in data_access.metrics.columns). The subject says what a dataset is about:

- `selection`: the brands the filters select (Filters: range, grain, belts, … and the user's scope);
- `brand`: one brand, `Filters(brand_ids=(id,))` (the CLI's `--brand ID`);
- `provider`: one provider, its id passed beside the Filters (the CLI's `--provider ID`).

Pages ask `ui.data` for a dataset by name, the CLI exports any of them (`export --list`), the benchmark
and the docs test read the same declarations: a new dataset or column is one entry here (and in
columns.py) plus its SQL.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters
from ..words.messages import N_
from . import brand, cohorts, diagnosis, directory, provider_scores, reports, summaries
from .columns import column

SUBJECTS = ("selection", "brand", "provider")


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str                    # English message
    compute: Callable[..., pd.DataFrame]  # (wh, f) or, for a provider, (wh, f, provider_id)
    columns: tuple[str, ...]
    subject: str = "selection"
    grouped: bool = False               # takes a breakdown (`--by`): a `group` column after period_start
    ruled: bool = False                 # its figures depend on the rules file (data_access.metrics.rules)
    what: str = N_("figures")           # the spinner's word: "Loading {what}…"

    def __post_init__(self):
        if self.subject not in SUBJECTS:
            raise ValueError(f"dataset {self.name}: unknown subject {self.subject!r}")
        for name in self.columns:
            column(name)  # every column is declared (a typo would be plain text)

    def run(self, wh: Warehouse, f: Filters, provider_id: int | None = None) -> pd.DataFrame:
        if self.subject == "provider":
            if provider_id is None:
                raise ValueError(f"{self.name} is about one provider: give its id")
            return self.compute(wh, f, int(provider_id))
        if self.subject == "brand" and len(f.brand_ids) != 1:
            raise ValueError(f"{self.name} is about one brand: the filters need exactly one brand_id")
        return self.compute(wh, f)


def _the_brand(f: Filters) -> int:
    return f.brand_ids[0]


def _brand_profile(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """brand.brand_profile as a frame of one row (none when the brand is unknown or not selected)."""
    profile = brand.brand_profile(wh, _the_brand(f), f=f)
    return pd.DataFrame([profile] if profile else [], columns=brand.PROFILE_COLUMNS)


def _columns(*names: str) -> tuple[str, ...]:
    return names


PROVIDER_FIGURES = tuple(reports.PROVIDER_COLUMNS)
BRAND_MULTIPLES = ("brand_id", "brand_name", "belt_id", "base_gmv_cny", "current_gmv_cny", "multiple",
                   "new_in_current")
STEPS_COLUMNS = ("brand_id", "brand_name", "belt_id", "provider_id", "current_step", "steps_completed", "state",
                 "current_step_started_on", "days_in_step", "stalled")

DATASETS: dict[str, Dataset] = {d.name: d for d in (
    # ---------------------------------------------------------------- METRICS.md's reports
    Dataset("onboarding", N_("Brands onboarded per period, with 环比 / 同比 multiples and the cumulative count."),
            reports.onboarding, _columns("period_start", "brands_onboarded", "growth_multiple", "yoy_multiple",
                                         "cumulative_brands"), grouped=True, what=N_("brands_onboarded")),
    Dataset("sales", N_("GMV, net GMV and orders per period, with their multiples of the period before."),
            reports.sales, _columns("period_start", "gmv_cny", "net_gmv_cny", "orders", "gmv_multiple",
                                    "orders_multiple", "net_gmv_multiple"), grouped=True, what=N_("gmv_cny")),
    Dataset("brand_multiples", N_("Each selected brand's GMV in the range against the range of equal length "
                                  "before."),
            reports.brand_multiples, BRAND_MULTIPLES, what=N_("multiple")),
    Dataset("providers", N_("The provider league: every provider serving a selected brand, its served figures."),
            reports.providers, PROVIDER_FIGURES, what=N_("Providers")),
    Dataset("roi", N_("Campaign spend and GMV at T+0 / T+10 / T+30, and their ROI."),
            reports.roi, _columns("campaigns", "spend_cny", "gmv_t0", "gmv_t10", "gmv_t30", "roi_t0", "roi_t10",
                                  "roi_t30", "t30_complete_share"), grouped=True, what=N_("ROI T+30")),
    Dataset("trust", N_("Refund, return, insured, private-traffic and repeat-buyer rates per period."),
            reports.trust, _columns("period_start", "orders", "refund_rate", "return_rate", "insured_share",
                                    "private_share", "repeat_buyer_rate"), grouped=True, what=N_("orders")),
    Dataset("steps", N_("Each selected brand's place in the five STEPS as of the as-of date."),
            reports.steps, STEPS_COLUMNS, what=N_("STEPS")),
    Dataset("steps_funnel", N_("The STEPS funnel: brands that reached and completed each step."),
            reports.steps_funnel, _columns("step", "brands_reached", "brands_completed", "conversion_from_previous",
                                           "median_days_to_complete"), what=N_("STEPS")),
    # ---------------------------------------------------------------- the work queue and provider scores
    Dataset("diagnosis", N_("The work queue: brands in progress in STEPS, stalled / at risk / on track, with their "
                            "evidence."),
            diagnosis.diagnosis, tuple(diagnosis.COLUMNS), ruled=True, what=N_("STEPS")),
    Dataset("provider_scorecard", N_("The provider league with each figure's percentile among its belt's peers."),
            provider_scores.provider_scorecard, tuple(provider_scores.SCORECARD_ORDER), what=N_("Providers")),
    Dataset("provider_cohorts", N_("Per provider and month of new assignments: GMV before and after, and STEPS "
                                   "progress, against the platform."),
            provider_scores.provider_cohorts, tuple(provider_scores.COHORT_ORDER), what=N_("Providers")),
    # ---------------------------------------------------------------- what pages draw beside the reports
    Dataset("managed_by_split", N_("Brands and GMV of the selected brands run by platform staff and served by "
                                   "providers, with each side's share."),
            reports.managed_by_split, _columns("managed_by", "brands", "brands_share", "gmv_cny", "gmv_share"),
            what=N_("managed_by")),
    Dataset("cohort_gmv", N_("GMV in the range by onboarding quarter and months since onboarding."),
            cohorts.cohort_gmv, tuple(cohorts.COHORT_COLUMNS), what=N_("Cohort GMV")),
    Dataset("provider_peers", N_("Median and top decile of each provider figure over a provider's peers "
                                 "(anonymous)."),
            reports.provider_peers, _columns("metric", "providers", "median", "p90", "best_decile"),
            what=N_("Providers")),
    Dataset("step_evidence", N_("Each selected brand's STEPS evidence over the range: the shares and multiples "
                                "that show each step."),
            brand.step_evidence, tuple(brand.EVIDENCE_COLUMNS), what=N_("STEPS")),
    Dataset("brand_directory", N_("Every selected brand onboarded by the as-of date: its belt, category, type and "
                                  "who runs it, its STEPS step and state, its GMV in the range against the range "
                                  "before, and its refund rate."),
            directory.brand_directory, tuple(directory.DIRECTORY_COLUMNS), what=N_("Brand")),
    Dataset("burst_coefficients", N_("Each selected brand's burst coefficient over the 30 days from its step 1."),
            brand.burst_coefficients, tuple(brand.BURST_COLUMNS), what=N_("STEPS")),
    # ---------------------------------------------------------------- rankings and counts beside the reports
    Dataset("belt_ranking", N_("Brands onboarded per industry belt over the shown periods, most first (brands "
                               "without a belt left out)."),
            summaries.belt_ranking, _columns("belt_id", "brands_onboarded"), what=N_("brands_onboarded")),
    Dataset("multiple_histogram", N_("Selected brands counted by their sales multiple's range, then the brands new "
                                     "in the range."),
            summaries.multiple_histogram, _columns("multiple_range", "brands"), what=N_("multiple")),
    Dataset("top_movers", N_("The 20 brands with the highest sales multiple (a base GMV above zero)."),
            summaries.top_movers, BRAND_MULTIPLES, what=N_("multiple")),
    Dataset("top_growth", N_("The 20 brands whose GMV grew by the most yuan over the range before, whatever their "
                             "base; small_base marks a base below the minimum."),
            summaries.top_growth, (*BRAND_MULTIPLES, "gmv_growth_cny", "small_base"), what=N_("multiple")),
    Dataset("new_brands", N_("Brands with GMV in the range and none in the range of equal length before."),
            summaries.new_brands, BRAND_MULTIPLES, what=N_("multiple")),
    Dataset("stalled_brands", N_("The STEPS rows of the stalled brands, longest in their step first."),
            summaries.stalled_brands, STEPS_COLUMNS, what=N_("STEPS")),
    Dataset("stalled_by_belt", N_("Stalled brands per industry belt, most first."), summaries.stalled_by_belt,
            _columns("belt_id", "brands"), what=N_("STEPS")),
    Dataset("stalled_by_provider", N_("Stalled brands per provider serving them on the as-of date, most first."),
            summaries.stalled_by_provider, _columns("provider_id", "provider_name", "brands"), what=N_("STEPS")),
    Dataset("belt_trust", N_("Orders and refund, return and insured rates per industry belt over the shown "
                             "periods, highest refund rate first."),
            summaries.belt_trust, _columns("belt_id", "orders", "refund_rate", "return_rate", "insured_share"),
            what=N_("orders")),
    Dataset("provider_trust", N_("Each provider's served orders and their refund, return and repeat-buyer rates, "
                                 "most orders first."), summaries.provider_trust, summaries.PROVIDER_TRUST,
            what=N_("Providers")),
    # ---------------------------------------------------------------- one brand
    Dataset("brand_profile", N_("One brand: its record and its belt."), _brand_profile,
            tuple(brand.PROFILE_COLUMNS), subject="brand", what=N_("Brand")),
    Dataset("brand_series", N_("One brand's GMV and orders per period, by channel and traffic source."),
            lambda wh, f: brand.brand_series(wh, f, _the_brand(f)), tuple(brand.SERIES_COLUMNS), subject="brand",
            what=N_("gmv_cny")),
    Dataset("provider_history", N_("One brand's providers: every assignment with its days served."),
            lambda wh, f: brand.provider_history(wh, _the_brand(f), f=f), tuple(brand.HISTORY_COLUMNS),
            subject="brand", what=N_("Providers")),
    Dataset("brand_milestones", N_("One brand's STEPS milestones with their days."),
            lambda wh, f: brand.brand_milestones(wh, _the_brand(f), f=f), tuple(brand.MILESTONE_COLUMNS),
            subject="brand", what=N_("STEPS")),
    # ---------------------------------------------------------------- one provider
    Dataset("provider_brands", N_("The selected brands one provider serves in the range, with their STEPS state."),
            summaries.provider_brand_steps, STEPS_COLUMNS, subject="provider", what=N_("Providers")),
    Dataset("provider_series", N_("One provider's served GMV and orders per period."), brand.provider_series,
            tuple(brand.PROVIDER_SERIES_COLUMNS), subject="provider", what=N_("Providers")),
)}

# The figures METRICS.md defines for the selected brands (checked against tests/oracle.py on every backend).
REPORTS: dict[str, Callable[[Warehouse, Filters], pd.DataFrame]] = {
    name: DATASETS[name].compute for name in (
        "onboarding", "sales", "brand_multiples", "providers", "roi", "trust", "steps", "steps_funnel",
        "diagnosis", "provider_scorecard", "provider_cohorts")}
