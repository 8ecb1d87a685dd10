"""The data behind the Brand page and the STEPS evidence: one brand, its providers and milestones,
and the per-brand figures that show each STEPS step in the data (DOMAIN.md, "evidence in data").

Same style as reports.py: SQLAlchemy Core selects with bound parameters, aggregation in the
warehouse, pandas only for laying small results on a grid and dividing. Decisions where
METRICS.md is silent are in docs/metrics-notes.md ("Brand page and STEPS evidence").
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select

from ..views import periods
from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions, own_assignments
from ..warehouse.marts import read as marts
from ..warehouse.schema import (
    CHANNELS,
    TRAFFIC_SOURCES,
    brands,
    industry_belts,
    orders,
    provider_assignments,
    providers,
    steps_milestones,
)
from ..warehouse.sqlfuncs import add_days, days_between, period_key
from .reports import ordered_between, ratio, resolve, sum_where, with_brands

BURST_WINDOW_DAYS = 30      # step 1's started_on … started_on + 29

PROFILE_COLUMNS = ["brand_id", "name", "belt_id", "category", "brand_type", "managed_by", "onboarded_on",
                   "offsite_gmv_cny", "name_zh", "name_en", "province"]
SERIES_COLUMNS = ["period_start", "channel", "traffic_source", "gmv_cny", "orders"]
HISTORY_COLUMNS = ["provider_id", "provider_name", "provider_type", "start_on", "end_on", "days_served"]
MILESTONE_COLUMNS = ["step", "started_on", "completed_on", "days"]
BURST_COLUMNS = ["brand_id", "burst_coefficient", "window_start", "peak_day_gmv", "mean_day_gmv",
                 "window_complete"]
EVIDENCE_COLUMNS = ["brand_id", "brand_name", "belt_id", "gmv_cny", "distribution_share", "public_gmv_growth",
                    "self_live_share", "private_share", "repeat_buyer_rate", "exclusive_share", "burst_coefficient"]
PROVIDER_SERIES_COLUMNS = ["period_start", "gmv_cny", "orders"]


def _as_of(wh: Warehouse, f: Filters | None) -> dt.date:
    return resolve(wh, f).as_of if f is not None else wh.as_of()


def _scoped(wh: Warehouse, f: Filters | None) -> list:
    """The brand conditions of `f` (access scope, belt filters, …), none without `f`."""
    return brand_conditions(resolve(wh, f)) if f is not None else []


def _period_starts(keys: pd.Series) -> pd.Series:
    """period_key values -> period_start dates (object dtype even when empty, so merges line up)."""
    return pd.Series([periods.key_to_date(k) for k in keys], index=keys.index, dtype=object)


# ---------------------------------------------------------------- 1. profile

def brand_profile(wh: Warehouse, brand_id: int, *, f: Filters | None = None) -> dict | None:
    """The brand's row and its belt's name_zh, name_en and province (None without a belt).

    None when the id is unknown, or, when `f` is given, when `f` does not select the brand
    (so a user scoped to some belts cannot open another belt's brand).
    """
    stmt = (
        select(brands.c.brand_id, brands.c.name, brands.c.belt_id, brands.c.category, brands.c.brand_type,
               brands.c.managed_by, brands.c.onboarded_on, brands.c.offsite_gmv_cny,
               industry_belts.c.name_zh, industry_belts.c.name_en, industry_belts.c.province)
        .select_from(brands.outerjoin(industry_belts, brands.c.belt_id == industry_belts.c.belt_id))
        .where(brands.c.brand_id == brand_id, *_scoped(wh, f))
    )
    df = wh.frame(stmt)
    if df.empty:
        return None
    row = df.iloc[0]
    out = {}
    for c in PROFILE_COLUMNS:
        v = row[c]
        out[c] = None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
    out["brand_id"] = int(out["brand_id"])
    if out["offsite_gmv_cny"] is not None:
        out["offsite_gmv_cny"] = float(out["offsite_gmv_cny"])
    return out


# ---------------------------------------------------------------- 2. sales series of one brand

def brand_series(wh: Warehouse, f: Filters, brand_id: int) -> pd.DataFrame:
    """GMV and orders per period × channel × traffic source of one brand.

    Every whole period overlapping [from, to] (f.grain), each counted in full, times every
    channel and traffic source of the contract: a full grid, 0 where nothing was sold (also
    when `f` does not select the brand).
    """
    f = resolve(wh, f)
    shown = periods.periods_overlapping(f.date_from, f.date_to, f.grain)
    last_day = periods.period_end(shown[-1], f.grain)
    key = period_key(orders.c.ordered_at, f.grain).label("period")
    stmt = (
        select(key, orders.c.channel, orders.c.traffic_source,
               func.sum(orders.c.gmv_cny).label("gmv_cny"), func.count().label("orders"))
        .select_from(with_brands(orders))
        .where(orders.c.brand_id == brand_id, ordered_between(shown[0], last_day), *brand_conditions(f))
        .group_by(key, orders.c.channel, orders.c.traffic_source)
    )
    agg = wh.frame(stmt)
    agg["period_start"] = _period_starts(agg.pop("period"))
    index = pd.MultiIndex.from_product([shown, list(CHANNELS), list(TRAFFIC_SOURCES)],
                                       names=["period_start", "channel", "traffic_source"])
    out = index.to_frame(index=False).merge(agg, how="left", on=["period_start", "channel", "traffic_source"])
    out["gmv_cny"] = out["gmv_cny"].astype(float).fillna(0.0)
    out["orders"] = out["orders"].fillna(0).astype(int)
    return out[SERIES_COLUMNS]


# ---------------------------------------------------------------- 3. provider history

def provider_history(wh: Warehouse, brand_id: int, *, f: Filters | None = None) -> pd.DataFrame:
    """Every assignment of the brand, ordered by start_on (then provider_id).

    days_served counts days inclusively: end_on − start_on + 1, or as-of − start_on + 1 while
    open (end_on NULL), never below 0 (an open assignment starting after the as-of date).
    The as-of date is `f.as_of` when given, else the warehouse's.
    """
    a = provider_assignments
    as_of = _as_of(wh, f)
    open_days = days_between(literal(as_of), a.c.start_on) + 1
    days_served = case(
        (a.c.end_on.is_not(None), days_between(a.c.end_on, a.c.start_on) + 1),
        (open_days > 0, open_days),
        else_=0,
    )
    stmt = (
        select(a.c.provider_id, providers.c.name.label("provider_name"), providers.c.provider_type,
               a.c.start_on, a.c.end_on, days_served.label("days_served"))
        .select_from(with_brands(a).join(providers, providers.c.provider_id == a.c.provider_id))
        .where(a.c.brand_id == brand_id, *_scoped(wh, f), *(own_assignments(f) if f is not None else []))
        .order_by(a.c.start_on, a.c.provider_id)
    )
    out = wh.frame(stmt)
    out["provider_id"] = out["provider_id"].astype("int64")
    out["days_served"] = out["days_served"].astype("int64")
    return out[HISTORY_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- 4. milestones

def brand_milestones(wh: Warehouse, brand_id: int, *, f: Filters | None = None) -> pd.DataFrame:
    """The brand's STEPS milestones by step.

    days = completed_on − started_on when completed by the as-of date A, else A − started_on
    while in progress (started on or before A); empty for a step not yet started at A.
    completed_on is shown as stored, even when after A.
    """
    m = steps_milestones
    as_of = _as_of(wh, f)
    days = case(
        (m.c.completed_on <= as_of, days_between(m.c.completed_on, m.c.started_on)),
        (m.c.started_on <= as_of, days_between(literal(as_of), m.c.started_on)),
        else_=None,
    )
    stmt = (
        select(m.c.step, m.c.started_on, m.c.completed_on, days.label("days"))
        .select_from(with_brands(m))
        .where(m.c.brand_id == brand_id, *_scoped(wh, f))
        .order_by(m.c.step)
    )
    out = wh.frame(stmt)
    out["step"] = out["step"].astype("int64")
    return out[MILESTONE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- 5. burst coefficient

def burst_coefficients(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Step 1's burst coefficient (爆发系数) per selected brand with a step-1 milestone.

    Window: the 30 days started_on … started_on + 29 of step 1, whatever [from, to] and
    as-of are. peak_day_gmv = the highest daily `distribution` GMV in it (0 without any),
    mean_day_gmv = the window's distribution GMV / 30 (days without orders count as 0),
    burst_coefficient = peak / mean, empty when the window has no distribution GMV.
    window_complete: the window's last day is on or before the as-of date.
    """
    f = resolve(wh, f)
    m = steps_milestones
    d = marts.daily(wh)
    in_window = and_(d.c.brand_id == m.c.brand_id, d.c.day >= m.c.started_on,  # a plain range on the mart's day
                     d.c.day <= add_days(m.c.started_on, BURST_WINDOW_DAYS - 1))
    window = (  # days with orders but none through distribution count 0, as days without orders do
        select(m.c.brand_id, func.max(d.c.distribution_gmv).label("peak_day_gmv"),
               func.sum(d.c.distribution_gmv).label("window_gmv"))
        .select_from(with_brands(m).join(d, in_window))
        .where(m.c.step == 1, *brand_conditions(f))
        .group_by(m.c.brand_id)
        .subquery("window")
    )
    stmt = (
        select(m.c.brand_id, m.c.started_on.label("window_start"), window.c.peak_day_gmv, window.c.window_gmv)
        .select_from(with_brands(m).outerjoin(window, window.c.brand_id == m.c.brand_id))
        .where(m.c.step == 1, *brand_conditions(f))
        .order_by(m.c.brand_id)
    )
    out = wh.frame(stmt)
    out["brand_id"] = out["brand_id"].astype("int64")
    out["peak_day_gmv"] = out["peak_day_gmv"].astype(float).fillna(0.0)
    out["burst_coefficient"] = burst_of(out["peak_day_gmv"], out["window_gmv"])
    out["mean_day_gmv"] = out.pop("window_gmv").astype(float).fillna(0.0) / BURST_WINDOW_DAYS
    last = pd.to_datetime(out["window_start"]) + pd.Timedelta(days=BURST_WINDOW_DAYS - 1)
    out["window_complete"] = (last <= pd.Timestamp(f.as_of)).astype(bool)
    return out[BURST_COLUMNS].reset_index(drop=True)


def burst_of(peak_day_gmv, window_gmv) -> np.ndarray:
    """peak / mean of a step-1 window from its peak day and its total distribution GMV (NULL: no orders, 0)."""
    peak = pd.Series(peak_day_gmv).astype(float).fillna(0.0)
    mean = pd.Series(window_gmv).astype(float).fillna(0.0) / BURST_WINDOW_DAYS
    return ratio(peak, mean).to_numpy()


# ---------------------------------------------------------------- 6. STEPS evidence

def step_evidence(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """One row per selected brand with at least one order in [from, to]: the data that shows
    each STEPS step, ordered by gmv_cny descending, then brand_id.

    Shares are of the brand's GMV in [from, to]; public_gmv_growth compares public-traffic
    GMV in [from, to] with the range of equal length just before; repeat_buyer_rate is over
    (brand, buyer) pairs with an order in [from, to]. Every ratio is empty when its
    denominator is 0. burst_coefficient as in `burst_coefficients` (not cut by the range).
    """
    f = resolve(wh, f)
    base_from, _ = f.base_range
    d = marts.daily(wh, base_from, f.date_to)
    now = d.c.day >= f.date_from
    stmt = (
        select(
            brands.c.brand_id, brands.c.name.label("brand_name"), brands.c.belt_id,
            sum_where(now, d.c.orders).label("orders"),
            sum_where(now, d.c.gmv_cny).label("gmv_cny"),
            sum_where(now, d.c.distribution_gmv).label("distribution_gmv"),
            sum_where(now, d.c.public_gmv).label("public_gmv"),
            sum_where(~now, d.c.public_gmv).label("base_public_gmv"),
            sum_where(now, d.c.self_live_gmv).label("self_live_gmv"),
            sum_where(now, d.c.private_gmv).label("private_gmv"),
            sum_where(now, d.c.exclusive_gmv).label("exclusive_gmv"),
        )
        .select_from(with_brands(d))
        .where(*brand_conditions(f))
        .group_by(brands.c.brand_id, brands.c.name, brands.c.belt_id)
        .having(sum_where(now, d.c.orders) > 0)
    )
    out = wh.frame(stmt)
    columns = ["gmv_cny", "distribution_gmv", "public_gmv", "base_public_gmv", "self_live_gmv", "private_gmv",
               "exclusive_gmv"]
    out["brand_id"] = out["brand_id"].astype("int64")
    for c in columns:
        out[c] = out[c].astype(float).fillna(0.0)

    repeat = marts.pairs_by_brand(wh, f, f.date_from, f.date_to, with_brands)
    repeat["brand_id"] = repeat["brand_id"].astype("int64")
    burst = burst_coefficients(wh, f)[["brand_id", "burst_coefficient"]]
    out = out.merge(repeat, how="left", on="brand_id").merge(burst, how="left", on="brand_id")

    out["distribution_share"] = ratio(out["distribution_gmv"], out["gmv_cny"])
    out["public_gmv_growth"] = ratio(out["public_gmv"], out["base_public_gmv"])
    out["self_live_share"] = ratio(out["self_live_gmv"], out["gmv_cny"])
    out["private_share"] = ratio(out["private_gmv"], out["gmv_cny"])
    out["repeat_buyer_rate"] = ratio(out["repeat_pairs"], out["pairs"])
    out["exclusive_share"] = ratio(out["exclusive_gmv"], out["gmv_cny"])
    out["burst_coefficient"] = out["burst_coefficient"].astype(float)
    out["belt_id"] = out["belt_id"].astype(object).where(out["belt_id"].notna(), None)
    out = out.sort_values(["gmv_cny", "brand_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[EVIDENCE_COLUMNS]


# ---------------------------------------------------------------- 7. one provider

def _assignment_overlaps(f: Filters):
    a = provider_assignments
    return and_(a.c.start_on <= f.date_to, or_(a.c.end_on.is_(None), a.c.end_on >= f.date_from))


def provider_brands(wh: Warehouse, f: Filters, provider_id: int) -> pd.DataFrame:
    """Selected brands the provider serves in [from, to] (an assignment overlapping it), by brand_id; none of
    another provider's for a provider scope."""
    f = resolve(wh, f)
    a = provider_assignments
    stmt = (
        select(a.c.brand_id).select_from(with_brands(a))
        .where(a.c.provider_id == provider_id, _assignment_overlaps(f), *brand_conditions(f), *own_assignments(f))
        .distinct().order_by(a.c.brand_id)
    )
    out = wh.frame(stmt)
    out["brand_id"] = out["brand_id"].astype("int64")
    return out[["brand_id"]]


def provider_series(wh: Warehouse, f: Filters, provider_id: int) -> pd.DataFrame:
    """GMV and orders of the provider's served orders per period.

    An order (of a selected brand) is served when placed on a day inside one of this
    provider's assignments of that brand; an order counts once even if assignments overlap.
    Every whole period overlapping [from, to] is counted in full, so assignments outside
    [from, to] count in the parts of those periods they cover. 0 where nothing was served.
    A provider scope gets its own series over every brand it served (as its row of the league), and
    0 for any other provider.
    """
    f = resolve(wh, f)
    a = provider_assignments
    shown = periods.periods_overlapping(f.date_from, f.date_to, f.grain)
    if f.scope_provider is not None:
        if f.scope_provider != provider_id:
            return pd.DataFrame({"period_start": shown, "gmv_cny": 0.0, "orders": 0})[PROVIDER_SERIES_COLUMNS]
        f = f.without_client_limit()
    last_day = periods.period_end(shown[-1], f.grain)
    d = marts.daily(wh, shown[0], last_day)
    within = and_(a.c.provider_id == provider_id, a.c.brand_id == d.c.brand_id, d.c.day >= a.c.start_on,
                  or_(a.c.end_on.is_(None), d.c.day <= a.c.end_on))
    # a brand's day once, however many of its assignments cover it (a join, not a correlated EXISTS, which a
    # ClickHouse cluster cannot run on its Distributed tables)
    served = (select(d.c.day, d.c.brand_id, d.c.gmv_cny, d.c.orders).select_from(with_brands(d).join(a, within))
              .where(*brand_conditions(f)).distinct().subquery("served"))
    key = period_key(served.c.day, f.grain).label("period")
    stmt = select(key, func.sum(served.c.gmv_cny).label("gmv_cny"), func.sum(served.c.orders).label("orders")) \
        .group_by(key)
    agg = wh.frame(stmt)
    agg["period_start"] = _period_starts(agg.pop("period"))
    out = pd.DataFrame({"period_start": shown}).merge(agg, how="left", on="period_start")
    out["gmv_cny"] = out["gmv_cny"].astype(float).fillna(0.0)
    out["orders"] = out["orders"].fillna(0).astype(int)
    return out[PROVIDER_SERIES_COLUMNS]
