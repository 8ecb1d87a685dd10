"""One function per report of METRICS.md: (Warehouse, Filters) -> DataFrame.

Aggregation runs in the warehouse through SQLAlchemy Core; pandas only lays the small
aggregated results onto the period grid and divides. Decisions where METRICS.md is silent
are in docs/metrics-notes.md.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select

from ..views import periods
from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions, days_after, group_column, own_assignments
from ..warehouse.marts import definitions as marts_definitions, read as marts_read
from ..warehouse.marts.definitions import (  # noqa: F401 - part of this module's interface
    count_where,
    day_bounds,
    ordered_between,
    sum_where,
)
from ..warehouse.schema import (
    MANAGED_BY,
    brands,
    campaigns,
    industry_belts,
    provider_assignments,
    providers as providers_table,
    steps_milestones,
)
from ..warehouse.sqlfuncs import days_between, period_key
from .columns import column

ROI_WINDOWS = marts_definitions.ROI_WINDOWS


# ---------------------------------------------------------------- shared pieces

def resolve(wh: Warehouse, f: Filters) -> Filters:
    return f.resolved(wh.as_of())


def with_brands(fact, by: str | None = None):
    """`fact` joined to its brand (and the brand's belt when grouping by province)."""
    joined = fact.join(brands, fact.c.brand_id == brands.c.brand_id)
    if by == "province":
        joined = joined.outerjoin(industry_belts, brands.c.belt_id == industry_belts.c.belt_id)
    return joined


def ratio(numerator, denominator) -> pd.Series:
    """A plain ratio; empty (NaN) where the denominator is 0 or missing."""
    numerator = pd.to_numeric(pd.Series(numerator), errors="coerce").astype(float)
    denominator = pd.to_numeric(pd.Series(denominator), errors="coerce").astype(float)
    return numerator / denominator.where(denominator != 0)


def groups_of(wh: Warehouse, f: Filters) -> list[str]:
    """Every group value held by at least one selected brand."""
    stmt = select(group_column(f.by)).select_from(_brands_for(f.by)).where(*brand_conditions(f)).distinct()
    return sorted(str(v) for v in wh.frame(stmt)["group"])


def _brands_for(by: str | None):
    if by == "province":
        return brands.outerjoin(industry_belts, brands.c.belt_id == industry_belts.c.belt_id)
    return brands


def period_grid(period_starts: list[dt.date], groups: list[str] | None) -> pd.DataFrame:
    if groups is None:
        return pd.DataFrame({"period_start": period_starts})
    index = pd.MultiIndex.from_product([period_starts, groups], names=["period_start", "group"])
    return index.to_frame(index=False)


def shifted(grid: pd.DataFrame, grain: str, n: int) -> pd.Series:
    """The start of the period n periods from each row's period (object dtype even when empty)."""
    return pd.Series([periods.shift(p, grain, n) for p in grid["period_start"]], index=grid.index, dtype=object)


def keys_of(by: str | None) -> list[str]:
    return ["period_start"] + (["group"] if by else [])


def lay_on_grid(grid: pd.DataFrame, agg: pd.DataFrame, by: str | None, columns: list[str],
                at: str = "period_start", suffix: str = "") -> pd.DataFrame:
    """Left-join aggregated values onto the grid at the period named by column `at`; absent means 0."""
    keys = keys_of(by)
    right = agg[keys + columns].rename(columns={"period_start": at, **{c: c + suffix for c in columns}})
    on = [at] + (["group"] if by else [])
    out = grid.merge(right, how="left", on=on)
    for c in columns:
        out[c + suffix] = out[c + suffix].fillna(0)
    return out


def by_period(wh: Warehouse, stmt, f: Filters) -> pd.DataFrame:
    """Run an aggregate keyed by `period` (a period_key) and optional `group`; key -> period_start."""
    return keyed_by_period(wh.frame(stmt), f)


def keyed_by_period(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """A frame keyed by `period` (a period_key) and optional `group`, with `period` -> `period_start`."""
    df["period_start"] = pd.Series([periods.key_to_date(k) for k in df.pop("period")], index=df.index, dtype=object)
    if f.by:
        df["group"] = df["group"].astype(str)
    return df


def grouped(measures: list, f: Filters, *keys):
    """(select columns, group-by keys): the keys, then the breakdown's `group` when asked for."""
    g = group_column(f.by)
    keys = list(keys) + ([g] if g is not None else [])
    return keys + measures, keys


# ---------------------------------------------------------------- onboarding

def onboarding(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    key = period_key(brands.c.onboarded_on, f.grain).label("period")
    columns, keys = grouped([func.count().label("brands_onboarded")], f, key)
    stmt = select(*columns).select_from(_brands_for(f.by)).where(*brand_conditions(f)).group_by(*keys)
    agg = by_period(wh, stmt, f)

    shown = periods.periods_overlapping(f.date_from, f.date_to, f.grain)
    grid = period_grid(shown, groups_of(wh, f) if f.by else None)
    grid["previous"] = shifted(grid, f.grain, -1)
    grid["year_ago"] = shifted(grid, "year", -1)
    out = lay_on_grid(grid, agg, f.by, ["brands_onboarded"])
    out = lay_on_grid(out, agg, f.by, ["brands_onboarded"], at="previous", suffix="_prev")
    out = lay_on_grid(out, agg, f.by, ["brands_onboarded"], at="year_ago", suffix="_yoy")
    out["growth_multiple"] = ratio(out["brands_onboarded"], out["brands_onboarded_prev"])
    out["yoy_multiple"] = ratio(out["brands_onboarded"], out["brands_onboarded_yoy"])
    out["cumulative_brands"] = _cumulative(out, agg, f.by)
    out["brands_onboarded"] = out["brands_onboarded"].astype(int)
    return out[keys_of(f.by) + ["brands_onboarded", "growth_multiple", "yoy_multiple", "cumulative_brands"]]


def _cumulative(grid: pd.DataFrame, agg: pd.DataFrame, by: str | None) -> np.ndarray:
    """For each grid row: brands onboarded (in its group) in every period up to and including its own."""
    out = np.zeros(len(grid), dtype="int64")
    if agg.empty or grid.empty:
        return out
    agg = agg.assign(_start=pd.to_datetime(pd.Series(agg["period_start"], dtype=object)))
    starts = pd.to_datetime(pd.Series(grid["period_start"], dtype=object)).to_numpy()
    groups = grid["group"].to_numpy() if by else np.zeros(len(grid))
    for group, rows in (agg.groupby("group") if by else [(0.0, agg)]):
        rows = rows.sort_values("_start")
        totals = np.concatenate([[0], rows["brands_onboarded"].to_numpy(dtype="int64").cumsum()])
        mask = groups == group
        out[mask] = totals[np.searchsorted(rows["_start"].to_numpy(), starts[mask], side="right")]
    return out


# ---------------------------------------------------------------- sales

def sales(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    shown = periods.periods_overlapping(f.date_from, f.date_to, f.grain)
    first_needed = periods.shift(shown[0], f.grain, -1)
    last_day = periods.period_end(shown[-1], f.grain)

    d = marts_read.daily(wh, first_needed, last_day)
    key = period_key(d.c.day, f.grain).label("period")
    measures = [
        func.sum(d.c.gmv_cny).label("gmv_cny"),
        func.sum(d.c.net_gmv_cny).label("net_gmv_cny"),
        func.sum(d.c.orders).label("orders"),
    ]
    columns, keys = grouped(measures, f, key)
    stmt = select(*columns).select_from(with_brands(d, f.by)).where(*brand_conditions(f)).group_by(*keys)
    agg = by_period(wh, stmt, f)

    grid = period_grid(shown, groups_of(wh, f) if f.by else None)
    grid["previous"] = shifted(grid, f.grain, -1)
    out = lay_on_grid(grid, agg, f.by, ["gmv_cny", "net_gmv_cny", "orders"])
    out = lay_on_grid(out, agg, f.by, ["gmv_cny", "net_gmv_cny", "orders"], at="previous", suffix="_prev")
    out["gmv_multiple"] = ratio(out["gmv_cny"], out["gmv_cny_prev"])
    out["orders_multiple"] = ratio(out["orders"], out["orders_prev"])
    out["net_gmv_multiple"] = ratio(out["net_gmv_cny"], out["net_gmv_cny_prev"])
    out["orders"] = out["orders"].astype(int)
    return out[keys_of(f.by) + ["gmv_cny", "net_gmv_cny", "orders", "gmv_multiple", "orders_multiple",
                                "net_gmv_multiple"]]


# ---------------------------------------------------------------- brand multiples

def brand_multiples(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    base_from, base_to = f.base_range
    d = marts_read.daily(wh, base_from, f.date_to)
    in_current = d.c.day >= f.date_from
    stmt = (
        select(
            brands.c.brand_id, brands.c.name.label("brand_name"), brands.c.belt_id,
            sum_where(~in_current, d.c.gmv_cny).label("base_gmv_cny"),
            sum_where(in_current, d.c.gmv_cny).label("current_gmv_cny"),
        )
        .select_from(with_brands(d))
        .where(*brand_conditions(f))
        .group_by(brands.c.brand_id, brands.c.name, brands.c.belt_id)
    )
    out = wh.frame(stmt)
    out["multiple"] = ratio(out["current_gmv_cny"], out["base_gmv_cny"])
    out["new_in_current"] = (out["base_gmv_cny"] == 0) & (out["current_gmv_cny"] > 0)
    out = out.sort_values(["current_gmv_cny", "brand_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[
        ["brand_id", "brand_name", "belt_id", "base_gmv_cny", "current_gmv_cny", "multiple", "new_in_current"]
    ]


# ---------------------------------------------------------------- ROI windows

def roi_by(wh: Warehouse, f: Filters, group) -> pd.DataFrame:
    """ROI figures of campaigns starting in [from, to] of selected brands, grouped by `group` (or all)."""
    window = marts_read.campaign_windows(wh, f.date_from, f.date_to)
    complete_by = days_after(f.as_of, -max(ROI_WINDOWS))
    measures = [
        func.count().label("campaigns"),
        func.sum(campaigns.c.spend_cny).label("spend_cny"),
        *[func.sum(func.coalesce(window.c[f"gmv_t{n}"], 0)).label(f"gmv_t{n}") for n in ROI_WINDOWS],
        sum_where(campaigns.c.start_on <= complete_by, campaigns.c.spend_cny).label("complete_spend"),
    ]
    source = with_brands(campaigns, f.by).outerjoin(window, window.c.campaign_id == campaigns.c.campaign_id)
    stmt = select(*([group] if group is not None else []), *measures).select_from(source).where(
        campaigns.c.start_on >= f.date_from, campaigns.c.start_on <= f.date_to, *brand_conditions(f))
    if group is not None:
        stmt = stmt.group_by(group)
    out = wh.frame(stmt)
    if group is None and out.empty:
        out = pd.DataFrame([{"campaigns": 0}])
    out["campaigns"] = out["campaigns"].fillna(0).astype(int)
    for c in ["spend_cny", "complete_spend"] + [f"gmv_t{n}" for n in ROI_WINDOWS]:
        out[c] = out[c].astype(float).fillna(0.0)
    for n in ROI_WINDOWS:
        out[f"roi_t{n}"] = ratio(out[f"gmv_t{n}"], out["spend_cny"])
    out["t30_complete_share"] = ratio(out.pop("complete_spend"), out["spend_cny"])
    return out


def roi(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    out = roi_by(wh, f, group_column(f.by))
    columns = ["campaigns", "spend_cny", "gmv_t0", "gmv_t10", "gmv_t30", "roi_t0", "roi_t10", "roi_t30",
               "t30_complete_share"]
    if f.by:
        out["group"] = out["group"].astype(str)
        out = out.sort_values("group").reset_index(drop=True)
        columns = ["group"] + columns
    return out[columns]


# ---------------------------------------------------------------- trust

def trust(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    shown = periods.periods_overlapping(f.date_from, f.date_to, f.grain)
    first_day, last_day = shown[0], periods.period_end(shown[-1], f.grain)
    d = marts_read.daily(wh, first_day, last_day)
    key = period_key(d.c.day, f.grain).label("period")
    g = group_column(f.by)
    keys = [key] + ([g] if g is not None else [])

    measures = [
        func.sum(d.c.orders).label("orders"),
        func.sum(d.c.refunded).label("refunded"),
        func.sum(d.c.returned).label("returned"),
        func.sum(d.c.insured).label("insured"),
        func.sum(d.c.gmv_cny).label("gmv"),
        func.sum(d.c.private_gmv).label("private_gmv"),
    ]
    stmt = select(*keys, *measures).select_from(with_brands(d, f.by)).where(*brand_conditions(f)).group_by(*keys)
    agg = by_period(wh, stmt, f)
    repeat = keyed_by_period(
        marts_read.pairs_by_period(wh, f, first_day, last_day, g, lambda fact: with_brands(fact, f.by)), f)

    grid = period_grid(shown, groups_of(wh, f) if f.by else None)
    out = lay_on_grid(grid, agg, f.by, ["orders", "refunded", "returned", "insured", "gmv", "private_gmv"])
    out = lay_on_grid(out, repeat, f.by, ["pairs", "repeat_pairs"])
    out["orders"] = out["orders"].astype(int)
    out["refund_rate"] = ratio(out["refunded"], out["orders"])
    out["return_rate"] = ratio(out["returned"], out["orders"])
    out["insured_share"] = ratio(out["insured"], out["orders"])
    out["private_share"] = ratio(out["private_gmv"], out["gmv"])
    out["repeat_buyer_rate"] = ratio(out["repeat_pairs"], out["pairs"])
    return out[keys_of(f.by) + ["orders", "refund_rate", "return_rate", "insured_share", "private_share",
                                "repeat_buyer_rate"]]


# ---------------------------------------------------------------- providers

def median_by(rows, key, value):
    """Median of `value` per `key` over a subquery, with window functions every engine has."""
    ranked = select(
        rows.c[key], rows.c[value],
        func.row_number().over(partition_by=rows.c[key], order_by=rows.c[value]).label("rn"),
        func.count().over(partition_by=rows.c[key]).label("cnt"),
    ).subquery("ranked")
    middle = and_(ranked.c.rn * 2 >= ranked.c.cnt, ranked.c.rn * 2 <= ranked.c.cnt + 2)
    return select(ranked.c[key], func.avg(ranked.c[value]).label("median")).where(middle).group_by(ranked.c[key])


def _within_assignment(day):
    a = provider_assignments
    return and_(day >= a.c.start_on, or_(a.c.end_on.is_(None), day <= a.c.end_on))


def providers(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The league. A provider scope gets its own row only, over every brand it served (its served orders
    are its own), and never another provider's (`provider_peers` gives it their median and P90)."""
    f = resolve(wh, f)
    if f.scope_provider is not None:
        league = _league(wh, f.without_client_limit())
        return league[league["provider_id"] == f.scope_provider].reset_index(drop=True)
    return _league(wh, f)


PEER_FIGURES = ("gmv_cny", "gmv_multiple", "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t0", "roi_t10",
                "roi_t30", "steps_completed", "median_days_per_step")
MIN_PEERS = 5  # fewer peers with a figure, and a provider gets no band for it: it would give one away


def peer_bands(league: pd.DataFrame, minimum: int = 1) -> pd.DataFrame:
    """Median, 90th percentile and the best decile's edge (linear interpolation) of each PEER_FIGURES column over the
    league's rows, empty values left out; `providers` counts the rows with a value. Empty with fewer than
    `minimum`. The best decile starts at the 90th percentile where higher is better and at the 10th where
    lower is (refunds, returns, days per step: data_access.metrics.columns)."""
    rows = []
    for name in PEER_FIGURES:
        values = pd.to_numeric(league[name], errors="coerce").astype(float).dropna()
        enough = len(values) >= max(minimum, 1)
        best = 0.1 if column(name).higher_is_better is False else 0.9
        rows.append({"metric": name, "providers": len(values),
                     "median": float(values.median()) if enough else float("nan"),
                     "p90": float(values.quantile(0.9)) if enough else float("nan"),
                     "best_decile": float(values.quantile(best)) if enough else float("nan")})
    return pd.DataFrame(rows, columns=["metric", "providers", "median", "p90", "best_decile"])


def provider_peers(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """`peer_bands` of the league. For a provider scope: over the other providers serving the selected brands
    (whoever's clients), each band withheld below MIN_PEERS; the only view a provider gets of its peers."""
    f = resolve(wh, f)
    if f.scope_provider is None:
        return peer_bands(_league(wh, f))
    league = _league(wh, f.without_client_limit())
    return peer_bands(league[league["provider_id"] != f.scope_provider], minimum=MIN_PEERS)


def _league(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    a = provider_assignments
    base_from, _ = f.base_range

    served = (
        select(
            a.c.provider_id,
            func.count(func.distinct(a.c.brand_id)).label("brands_served"),
            func.count(func.distinct(case((a.c.start_on >= f.date_from, a.c.brand_id)))).label("new_brands"),
        )
        .select_from(with_brands(a))
        .where(a.c.start_on <= f.date_to, or_(a.c.end_on.is_(None), a.c.end_on >= f.date_from),
               *brand_conditions(f))
        .group_by(a.c.provider_id)
    )
    out = wh.frame(served)

    d = marts_read.daily(wh, base_from, f.date_to)
    served_days = with_brands(d).join(a, and_(a.c.brand_id == d.c.brand_id, _within_assignment(d.c.day)))
    in_current = d.c.day >= f.date_from
    order_stats = (
        select(
            a.c.provider_id,
            sum_where(in_current, d.c.gmv_cny).label("gmv_cny"),
            sum_where(~in_current, d.c.gmv_cny).label("base_gmv"),
            sum_where(in_current, d.c.orders).label("orders"),
            sum_where(in_current, d.c.refunded).label("refunded"),
            sum_where(in_current, d.c.returned).label("returned"),
        )
        .select_from(served_days)
        .where(*brand_conditions(f))
        .group_by(a.c.provider_id)
    )
    repeat = marts_read.pairs_by_provider(wh, f, with_brands)

    m = steps_milestones
    completions = (
        select(a.c.provider_id, days_between(m.c.completed_on, m.c.started_on).label("days"))
        .select_from(with_brands(m).join(a, and_(a.c.brand_id == m.c.brand_id, _within_assignment(m.c.completed_on))))
        .where(m.c.completed_on >= f.date_from, m.c.completed_on <= f.date_to, *brand_conditions(f))
        .subquery("completions")
    )
    step_counts = select(completions.c.provider_id, func.count().label("steps_completed")) \
        .group_by(completions.c.provider_id)
    step_median = median_by(completions, "provider_id", "days")

    provider_roi = roi_by(wh, f.with_(by=None), campaigns.c.provider_id)
    info = select(providers_table.c.provider_id, providers_table.c.name.label("provider_name"),
                  providers_table.c.provider_type, providers_table.c.province, providers_table.c.live_ops_experts)

    for part in (wh.frame(order_stats), repeat, wh.frame(step_counts),
                 wh.frame(step_median).rename(columns={"median": "median_days_per_step"}),
                 provider_roi[provider_roi["provider_id"].notna()]):
        part["provider_id"] = part["provider_id"].astype("int64")
        out = out.merge(part, how="left", on="provider_id")
    out = out.merge(wh.frame(info), how="left", on="provider_id")

    for c in ("gmv_cny", "base_gmv", "orders", "refunded", "returned", "pairs", "repeat_pairs", "steps_completed"):
        out[c] = out[c].fillna(0)
    out["gmv_multiple"] = ratio(out["gmv_cny"], out["base_gmv"])
    out["refund_rate"] = ratio(out["refunded"], out["orders"])
    out["return_rate"] = ratio(out["returned"], out["orders"])
    out["repeat_buyer_rate"] = ratio(out["repeat_pairs"], out["pairs"])
    for c in ("brands_served", "new_brands", "orders", "steps_completed"):
        out[c] = out[c].astype(int)
    out["median_days_per_step"] = out["median_days_per_step"].astype(float)
    out = out.sort_values(["gmv_cny", "provider_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[PROVIDER_COLUMNS]


PROVIDER_COLUMNS = [
    "provider_id", "provider_name", "brands_served", "new_brands", "gmv_cny", "gmv_multiple", "orders",
    "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t0", "roi_t10", "roi_t30", "steps_completed",
    "median_days_per_step", "provider_type", "province", "live_ops_experts",
]


# ---------------------------------------------------------------- STEPS

def _brands_as_of(f: Filters) -> list:
    return [brands.c.onboarded_on <= f.as_of, *brand_conditions(f)]


def steps(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    m, a = steps_milestones, provider_assignments
    reached = m.c.started_on <= f.as_of
    progress = (
        select(m.c.brand_id, func.max(case((reached, m.c.step))).label("current_step"),
               count_where(m.c.completed_on <= f.as_of).label("steps_completed"))
        .group_by(m.c.brand_id).subquery("progress")
    )
    current = m.alias("current")
    serving = (  # a provider scope sees only itself here: another provider's id is left empty
        select(a.c.brand_id, func.max(a.c.provider_id).label("provider_id"))
        .where(a.c.start_on <= f.as_of, or_(a.c.end_on.is_(None), a.c.end_on >= f.as_of), *own_assignments(f))
        .group_by(a.c.brand_id).subquery("serving")
    )
    stmt = (
        select(
            brands.c.brand_id, brands.c.name.label("brand_name"), brands.c.belt_id, serving.c.provider_id,
            progress.c.current_step, progress.c.steps_completed,
            current.c.started_on.label("current_step_started_on"),
            current.c.completed_on.label("current_step_completed_on"),
            days_between(literal(f.as_of), current.c.started_on).label("days_since_start"),
            brands.c.category, brands.c.brand_type, brands.c.managed_by,
        )
        .select_from(
            brands.outerjoin(progress, progress.c.brand_id == brands.c.brand_id)
            .outerjoin(current, and_(current.c.brand_id == brands.c.brand_id,
                                     current.c.step == progress.c.current_step))
            .outerjoin(serving, serving.c.brand_id == brands.c.brand_id)
        )
        .where(*_brands_as_of(f))
        .order_by(brands.c.brand_id)
    )
    out = wh.frame(stmt)
    out["current_step"] = out["current_step"].fillna(0).astype(int)
    out["steps_completed"] = out["steps_completed"].fillna(0).astype(int)
    completed_on = out.pop("current_step_completed_on")  # dates, or None (Warehouse.frame types it)
    done = completed_on.notna() & (completed_on <= f.as_of) & (out["current_step"] > 0)
    out["state"] = np.where(out["current_step"] == 0, "not_started", np.where(done, "completed", "in_progress"))
    days = out.pop("days_since_start")
    in_progress = out["state"] == "in_progress"
    out["days_in_step"] = pd.Series(days, dtype="Float64").where(in_progress).astype("Int64")
    out["stalled"] = in_progress & (out["days_in_step"].fillna(0) > f.stalled_days)
    out["current_step_started_on"] = out["current_step_started_on"].where(out["current_step"] > 0, None)
    return out[["brand_id", "brand_name", "belt_id", "provider_id", "current_step", "steps_completed", "state",
                "current_step_started_on", "days_in_step", "stalled", "category", "brand_type", "managed_by"]]


def steps_funnel(wh: Warehouse, f: Filters) -> pd.DataFrame:
    f = resolve(wh, f)
    m = steps_milestones
    selected = with_brands(m)
    counts = (
        select(m.c.step, count_where(m.c.started_on <= f.as_of).label("brands_reached"),
               count_where(m.c.completed_on <= f.as_of).label("brands_completed"))
        .select_from(selected).where(*_brands_as_of(f)).group_by(m.c.step).subquery("counts")
    )
    completions = (
        select(m.c.step, days_between(m.c.completed_on, m.c.started_on).label("days"))
        .select_from(selected).where(m.c.completed_on <= f.as_of, *_brands_as_of(f)).subquery("completions")
    )
    medians = median_by(completions, "step", "days").subquery("medians")
    both = (  # one statement: a step with completions has milestones, so it has its counts row
        select(counts.c.step, counts.c.brands_reached, counts.c.brands_completed, medians.c.median)
        .select_from(counts.outerjoin(medians, medians.c.step == counts.c.step))
    )
    part = wh.frame(both)
    part["step"] = part["step"].astype(int)
    out = pd.DataFrame({"step": [1, 2, 3, 4, 5]}).merge(part, how="left", on="step")
    out["brands_reached"] = out["brands_reached"].fillna(0).astype(int)
    out["brands_completed"] = out["brands_completed"].fillna(0).astype(int)
    out["conversion_from_previous"] = ratio(out["brands_reached"], out["brands_reached"].shift(1))
    out["median_days_to_complete"] = out["median"].astype(float)
    return out[["step", "brands_reached", "brands_completed", "conversion_from_previous", "median_days_to_complete"]]


# ---------------------------------------------------------------- platform-run vs provider-served

def managed_by_split(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Brands and GMV of the selected brands by who runs them (platform staff or providers), with each side's
    share: brands onboarded by the end of the range's last period, GMV of the orders placed in its periods.
    One row per value of `managed_by` that has brands or GMV, in schema order."""
    f = resolve(wh, f)
    onboarded = onboarding(wh, f.with_(by="managed_by"))
    last = onboarded[onboarded["period_start"] == onboarded["period_start"].max()]
    brands_by = last.set_index("group")["cumulative_brands"]
    gmv_by = sales(wh, f.with_(by="managed_by")).groupby("group")["gmv_cny"].sum()
    out = pd.DataFrame({"managed_by": [m for m in MANAGED_BY if m in brands_by.index or m in gmv_by.index]})
    out["brands"] = [int(brands_by.get(m, 0)) for m in out["managed_by"]]
    out["gmv_cny"] = [float(gmv_by.get(m, 0.0)) for m in out["managed_by"]]
    out["brands_share"] = ratio(out["brands"], pd.Series(out["brands"].sum(), index=out.index))
    out["gmv_share"] = ratio(out["gmv_cny"], pd.Series(out["gmv_cny"].sum(), index=out.index))
    return out[["managed_by", "brands", "brands_share", "gmv_cny", "gmv_share"]]
