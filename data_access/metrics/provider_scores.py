"""How each provider compares with its peers (METRICS.md, "Provider scorecard", "Provider cohorts").

`provider_scorecard(wh, f)`: the `providers` report plus each provider's main belt and, for the
figures that grade it, its percentile among the providers of the same main belt.
`provider_cohorts(wh, f)`: per provider and month of assignments, what happened to the brands
after the provider took them on, against all providers' assignments of that month.

Aggregation runs in the warehouse (daily order mart or raw orders, data_access.warehouse.marts.definitions); pandas
ranks the providers and divides. Decisions where METRICS.md is silent: docs/metrics-notes.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, or_, select

from ..views import periods
from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions, days_after
from ..warehouse.marts import read as marts
from ..warehouse.schema import NO_BELT, brands, provider_assignments, providers as providers_table, steps_milestones
from ..warehouse.sqlfuncs import days_between, period_key
from .columns import column
from .reports import MIN_PEERS, PROVIDER_COLUMNS, providers, ratio, resolve, sum_where, with_brands

# Figures a scorecard grades -> whether lower is better.
SCORED = {name: column(name).higher_is_better is False for name in (
    "gmv_multiple", "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t30", "median_days_per_step")}

# The columns, in order (each declared in data_access.metrics.columns); the `providers` report's come first.
_REQUIRED = [c for c in PROVIDER_COLUMNS if c not in ("provider_type", "province", "live_ops_experts")]
_PCT = [f"{c}_pct" for c in SCORED]
SCORECARD_ORDER = _REQUIRED + ["main_belt", "peers", *_PCT, "provider_type", "province", "live_ops_experts",
                               *[f"{c}_peer_median" for c in SCORED]]

COHORT_ORDER = ["provider_id", "month_start", "assignments", "gmv_before", "gmv_after", "after_multiple",
                "step_within_90d", "platform_after_multiple", "platform_step_within_90d", "provider_name"]
AFTER_DAYS, BEFORE_DAYS, STEP_DAYS = 30, 30, 90


# ---------------------------------------------------------------- scorecard

def provider_scorecard(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The providers report's rows (same order) with main_belt, peers, <figure>_pct and <figure>_peer_median.

    A provider scope gets its own row only, scored as a manager sees it under the same filters: its
    peers appear only in its percentiles and peer medians, and not at all with fewer than MIN_PEERS of
    them (a median of two would give a competitor's figure away)."""
    f = resolve(wh, f)
    if f.scope_provider is None:
        return _scorecard(wh, f)
    card = _scorecard(wh, f.without_client_limit())
    own = card[card["provider_id"] == f.scope_provider].reset_index(drop=True)
    against = [c for c in SCORECARD_ORDER if c.endswith(("_pct", "_peer_median"))]
    own.loc[own["peers"] - 1 < MIN_PEERS, against] = np.nan
    return own


def _scorecard(wh: Warehouse, f: Filters) -> pd.DataFrame:
    out = providers(wh, f)
    out["main_belt"] = out["provider_id"].map(_main_belts(wh, f)).astype(object)
    out["peers"] = out.groupby("main_belt")["provider_id"].transform("size").astype(int)
    for figure, lower in SCORED.items():
        out[f"{figure}_pct"], out[f"{figure}_peer_median"] = _against_peers(out, figure, lower)
    return out[SCORECARD_ORDER]


def _main_belts(wh: Warehouse, f: Filters) -> dict[int, str]:
    """provider_id -> the belt of its served brands with the most served GMV in R (ties: smaller text)."""
    a = provider_assignments
    belt = func.coalesce(brands.c.belt_id, NO_BELT).label("belt")
    overlaps = [a.c.start_on <= f.date_to, or_(a.c.end_on.is_(None), a.c.end_on >= f.date_from)]
    candidates = (select(a.c.provider_id, belt).select_from(with_brands(a))
                  .where(*overlaps, *brand_conditions(f)).distinct())
    d = marts.daily(wh, f.date_from, f.date_to)
    inside = and_(d.c.day >= a.c.start_on, or_(a.c.end_on.is_(None), d.c.day <= a.c.end_on))
    served = (select(a.c.provider_id, belt, func.sum(d.c.gmv_cny).label("gmv"))
              .select_from(with_brands(d).join(a, and_(a.c.brand_id == d.c.brand_id, inside)))
              .where(*brand_conditions(f)).group_by(a.c.provider_id, belt))
    gmv = wh.frame(candidates).merge(wh.frame(served), how="left", on=["provider_id", "belt"])
    if gmv.empty:
        return {}
    gmv["provider_id"] = gmv["provider_id"].astype("int64")
    gmv["gmv"] = gmv["gmv"].astype(float).fillna(0.0).round(2)  # cents: float noise never breaks a tie
    gmv["belt"] = gmv["belt"].astype(str)
    best = gmv.sort_values(["provider_id", "gmv", "belt"], ascending=[True, False, True]).drop_duplicates("provider_id")
    return dict(zip(best["provider_id"], best["belt"]))


def _against_peers(out: pd.DataFrame, figure: str, lower_is_better: bool) -> tuple[pd.Series, pd.Series]:
    """Per provider: the share of the other peers (same main belt, with a value) whose value is worse,
    and those peers' median; empty when the provider has no value (the percentile) or no such peer."""
    values = out[figure].astype(float).to_numpy()
    belts = out["main_belt"].to_numpy()
    pct = np.full(len(out), np.nan)
    median = np.full(len(out), np.nan)
    for i in range(len(out)):
        others = values[(belts == belts[i]) & (np.arange(len(out)) != i) & ~np.isnan(values)]
        if not len(others):
            continue
        median[i] = np.median(others)
        if not np.isnan(values[i]):
            worse = others > values[i] if lower_is_better else others < values[i]
            pct[i] = worse.sum() / len(others)
    return pd.Series(pct, index=out.index), pd.Series(median, index=out.index)


# ---------------------------------------------------------------- cohorts

def provider_cohorts(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """One row per provider and month overlapping [from, to] with assignments to selected brands starting
    in it; windows are the assignments' own (not cut by the range). Ordered by provider_id, month_start."""
    f = resolve(wh, f)
    if f.scope_provider is not None:  # its own months (former clients' too: its own work), the whole platform's line
        out = _cohorts(wh, f.without_client_limit())
        return out[out["provider_id"] == f.scope_provider].reset_index(drop=True)
    return _cohorts(wh, f)


def _cohorts(wh: Warehouse, f: Filters) -> pd.DataFrame:
    a = provider_assignments
    first = periods.period_start(f.date_from, "month")
    last = periods.period_end(periods.period_start(f.date_to, "month"), "month")
    month = period_key(a.c.start_on, "month").label("period")
    starting = [a.c.start_on >= first, a.c.start_on <= last, *brand_conditions(f)]

    m = steps_milestones
    within = days_between(m.c.completed_on, a.c.start_on)
    stepped = (select(a.c.brand_id, a.c.provider_id, a.c.start_on).distinct()
               .select_from(with_brands(a).join(m, m.c.brand_id == a.c.brand_id))
               .where(*starting, within >= 0, within <= STEP_DAYS - 1,
                      or_(a.c.end_on.is_(None), m.c.completed_on <= a.c.end_on))
               .subquery("stepped"))
    counts = (
        select(a.c.provider_id, month, func.count().label("assignments"),
               func.count(stepped.c.brand_id).label("stepped"))
        .select_from(with_brands(a).outerjoin(stepped, and_(stepped.c.brand_id == a.c.brand_id,
                                                            stepped.c.provider_id == a.c.provider_id,
                                                            stepped.c.start_on == a.c.start_on)))
        .where(*starting).group_by(a.c.provider_id, month)
    )
    d = marts.daily(wh, days_after(first, -BEFORE_DAYS), days_after(last, AFTER_DAYS - 1))
    offset = days_between(d.c.day, a.c.start_on)
    after = and_(offset >= 0, offset <= AFTER_DAYS - 1, or_(a.c.end_on.is_(None), d.c.day <= a.c.end_on))
    gmv = (
        select(a.c.provider_id, month, sum_where(offset < 0, d.c.gmv_cny).label("gmv_before"),
               sum_where(after, d.c.gmv_cny).label("gmv_after"))
        .select_from(with_brands(a).join(d, d.c.brand_id == a.c.brand_id))
        .where(*starting, offset >= -BEFORE_DAYS, offset <= AFTER_DAYS - 1)
        .group_by(a.c.provider_id, month)
    )
    out = wh.frame(counts)
    if out.empty:  # typed as when it has rows: ids and counts integers, months dates, the rest numbers
        kinds = {"provider_id": "int64", "assignments": "int64", "month_start": object, "provider_name": object}
        return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "float64")) for c in COHORT_ORDER})
    sums = wh.frame(gmv)
    for part in (out, sums):
        part["provider_id"] = part["provider_id"].astype("int64")
        part["period"] = part["period"].astype(int)
    # in a fixed order: the platform's float sums below must not depend on the order the rows came in
    out = out.merge(sums, how="left", on=["provider_id", "period"]).sort_values(["provider_id", "period"],
                                                                                ignore_index=True)
    for c in ("gmv_before", "gmv_after"):
        out[c] = out[c].astype(float).fillna(0.0)
    out["assignments"] = out["assignments"].astype(int)
    out["stepped"] = out["stepped"].astype(int)
    platform = out.groupby("period")[["gmv_before", "gmv_after", "assignments", "stepped"]].transform("sum")
    out["after_multiple"] = ratio(out["gmv_after"], out["gmv_before"])
    out["step_within_90d"] = ratio(out["stepped"], out["assignments"])
    out["platform_after_multiple"] = ratio(platform["gmv_after"], platform["gmv_before"])
    out["platform_step_within_90d"] = ratio(platform["stepped"], platform["assignments"])
    for c in ("gmv_before", "gmv_after"):
        out[c] = out[c].round(2)
    out["month_start"] = pd.Series([periods.key_to_date(k) for k in out["period"]], index=out.index, dtype=object)
    names = wh.frame(select(providers_table.c.provider_id, providers_table.c.name.label("provider_name")))
    names["provider_id"] = names["provider_id"].astype("int64")
    out = out.merge(names, how="left", on="provider_id")
    out = out.sort_values(["provider_id", "month_start"], kind="stable")
    return out.reset_index(drop=True)[COHORT_ORDER]

