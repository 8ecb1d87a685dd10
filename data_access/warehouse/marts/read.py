"""What the reports read of the order facts: from fresh marts when the warehouse holds them, else from the raw
`orders` table, with the same columns and figures (the routing; definitions.py says what a mart holds)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    and_,
    case,
    func,
    or_,
    select,
)

from ..connection import Warehouse
from ..filters import Filters, brand_conditions
from ..schema import orders, provider_assignments
from ..sqlfuncs import date_value, day_of, period_key
from .definitions import (
    DAILY_COUNTS,
    DAILY_SUMS,
    ROI_WINDOWS,
    count_where,
    mart_campaign_windows,
    mart_daily,
    mart_pair_days,
    ordered_between,
    raw_campaign_windows,
    raw_daily,
    sum_where,
)

# ---------------------------------------------------------------- freshness

def fresh(wh: Warehouse) -> bool:
    """Whether this warehouse holds marts built from its current orders (as its generation last said)."""
    return wh.generation(check=False).marts_fresh


def latest_order(wh: Warehouse) -> dt.datetime | None:
    """max(ordered_at) as recorded with fresh marts (saving a scan of the orders), else None."""
    return wh.generation(check=False).latest

# ---------------------------------------------------------------- what the reports read

def daily(wh: Warehouse, date_from: dt.date | None = None, date_to: dt.date | None = None):
    """Order measures per (brand_id, day) over days in [from, to] (every day without them), as a
    subquery named `daily`: brand_id, day, orders, refunded, returned, insured, gmv_cny,
    net_gmv_cny, public_gmv, private_gmv, distribution_gmv, self_live_gmv, exclusive_gmv."""
    if fresh(wh):
        m = mart_daily.c
        stmt = select(m.brand_id, m.day, *[m[c] for c in DAILY_COUNTS + DAILY_SUMS])
        if date_from is not None:
            stmt = stmt.where(m.day >= date_from, m.day <= date_to)
        return stmt.subquery("daily")
    return raw_daily(date_from, date_to).subquery("daily")


def campaign_windows(wh: Warehouse, date_from: dt.date, date_to: dt.date):
    """gmv_t0, gmv_t10, gmv_t30 per campaign_id of the campaigns starting in [from, to] that have
    orders in their windows, as a subquery named `window_gmv`."""
    if fresh(wh):
        m = mart_campaign_windows.c
        return (select(m.campaign_id, *[m[f"gmv_t{n}"] for n in ROI_WINDOWS])
                .where(m.start_on >= date_from, m.start_on <= date_to).subquery("window_gmv"))
    return raw_campaign_windows(date_from, date_to).subquery("window_gmv")


def pairs_by_period(wh: Warehouse, f: Filters, first_day: dt.date, last_day: dt.date, group=None,
                    joined=None) -> pd.DataFrame:
    """Pairs and repeat pairs per period of f.grain (and `group`) over whole periods in [first, last].

    Columns: period (a period_key), [group], pairs, repeat_pairs. `joined(fact)` joins a fact
    table to what `group` and the brand conditions need."""
    keys_extra = [group] if group is not None else []
    if fresh(wh):
        m = mart_daily.c
        key = period_key(m.day, f.grain).label("period")
        stmt = (select(key, *keys_extra, func.sum(m[f"pairs_{f.grain}"]).label("pairs"),
                       func.sum(m[f"repeat_{f.grain}"]).label("repeat_pairs"))
                .select_from(joined(mart_daily)).where(m.day >= first_day, m.day <= last_day, *brand_conditions(f))
                .group_by(key, *keys_extra))
        return wh.frame(stmt)
    key = period_key(orders.c.ordered_at, f.grain).label("period")
    pairs = _raw_pairs(joined(orders), [ordered_between(first_day, last_day), *brand_conditions(f)],
                       key, *keys_extra)
    pair_keys = [pairs.c.period] + ([pairs.c.group] if group is not None else [])
    return wh.frame(select(*pair_keys, func.count().label("pairs"), count_where(pairs.c.n >= 2).label("repeat_pairs"))
                    .group_by(*pair_keys))


def pairs_by_brand(wh: Warehouse, f: Filters, date_from: dt.date, date_to: dt.date, joined) -> pd.DataFrame:
    """Pairs and repeat pairs per brand_id over [from, to] (selected brands)."""
    if fresh(wh):
        return wh.frame(_mart_brand_pairs(f, date_from, date_to, joined))
    pairs = _raw_pairs(joined(orders), [ordered_between(date_from, date_to), *brand_conditions(f)])
    return wh.frame(select(pairs.c.brand_id, func.count().label("pairs"),
                           count_where(pairs.c.n >= 2).label("repeat_pairs")).group_by(pairs.c.brand_id))


def pairs_by_provider(wh: Warehouse, f: Filters, joined) -> pd.DataFrame:
    """Pairs and repeat pairs over each provider's served orders in [from, to].

    From the marts, a (provider, brand) with one assignment overlapping the range is served on
    one window of days; those with several (rare: the same provider again) are counted from the
    raw orders of just those brands, so that a pair is counted once per provider either way."""
    a = provider_assignments
    overlaps = [a.c.start_on <= f.date_to, or_(a.c.end_on.is_(None), a.c.end_on >= f.date_from)]
    if not fresh(wh):
        return _raw_provider_pairs(wh, f, joined, overlaps, None)
    spans = (select(a.c.provider_id, a.c.brand_id, func.min(a.c.start_on).label("start_on"),
                    func.max(a.c.end_on).label("end_on"), func.count().label("assignments"),
                    func.count(a.c.end_on).label("ended"))
             .where(*overlaps).group_by(a.c.provider_id, a.c.brand_id).subquery("spans"))
    single = spans.c.assignments == 1
    starts_late, ends_early = spans.c.start_on > f.date_from, and_(spans.c.ended == 1, spans.c.end_on < f.date_to)
    # Most spans cover the whole range: theirs are their brands' pairs of the range, summed per brand first (a
    # scan without a join); only the spans starting or ending inside it join the mart row by row.
    by_brand = _mart_brand_pairs(f, f.date_from, f.date_to, joined).subquery("by_brand")
    covering = (select(spans.c.provider_id, func.sum(by_brand.c.pairs).label("pairs"),
                       func.sum(by_brand.c.repeat_pairs).label("repeat_pairs"))
                .select_from(by_brand.join(spans, spans.c.brand_id == by_brand.c.brand_id))
                .where(single, ~starts_late, ~ends_early).group_by(spans.c.provider_id))
    low = case((starts_late, spans.c.start_on), else_=date_value(f.date_from))
    high = case((ends_early, spans.c.end_on), else_=date_value(f.date_to))
    p = mart_pair_days.c
    first = and_(p.day >= low, p.day <= high, or_(p.prev_day.is_(None), p.prev_day < low))
    repeat = and_(p.prev_day >= low, p.day <= high, or_(p.prev2_day.is_(None), p.prev2_day < low))
    partial = (
        select(spans.c.provider_id, sum_where(first, p.n).label("pairs"),
               sum_where(repeat, p.n).label("repeat_pairs"))
        .select_from(joined(mart_pair_days).join(spans, spans.c.brand_id == p.brand_id))
        .where(single, or_(starts_late, ends_early), p.day >= f.date_from, p.day <= f.date_to, *brand_conditions(f))
        .group_by(spans.c.provider_id)
    )
    several = select(spans.c.provider_id, spans.c.brand_id).where(spans.c.assignments > 1)
    both = pd.concat([wh.frame(covering), wh.frame(partial), _raw_provider_pairs(wh, f, joined, overlaps, several)],
                     ignore_index=True)
    if both.empty:
        return pd.DataFrame({"provider_id": pd.Series(dtype="Int64"), "pairs": pd.Series(dtype=float),
                             "repeat_pairs": pd.Series(dtype=float)})
    both["provider_id"] = both["provider_id"].astype("int64")
    for c in ("pairs", "repeat_pairs"):
        both[c] = both[c].astype(float)
    return both.groupby("provider_id", as_index=False)[["pairs", "repeat_pairs"]].sum()


def _raw_provider_pairs(wh: Warehouse, f: Filters, joined, overlaps, only) -> pd.DataFrame:
    a = provider_assignments
    day = day_of(orders.c.ordered_at)
    within = and_(day >= a.c.start_on, or_(a.c.end_on.is_(None), day <= a.c.end_on))
    served = joined(orders).join(a, and_(a.c.brand_id == orders.c.brand_id, within))
    conditions = [ordered_between(f.date_from, f.date_to), *brand_conditions(f)]
    if only is not None:
        only = only.subquery("several")
        served = served.join(only, and_(only.c.provider_id == a.c.provider_id, only.c.brand_id == a.c.brand_id))
        conditions += overlaps
    pairs = _raw_pairs(served, conditions, a.c.provider_id)
    return wh.frame(select(pairs.c.provider_id, func.count().label("pairs"),
                           count_where(pairs.c.n >= 2).label("repeat_pairs")).group_by(pairs.c.provider_id))


def _mart_brand_pairs(f: Filters, date_from: dt.date, date_to: dt.date, joined):
    """The pair mart's pairs and repeat pairs per brand_id over [from, to] (selected brands), as a select."""
    p = mart_pair_days.c
    first, repeat = _in_window(p, date_from, date_to)
    return (select(p.brand_id, sum_where(first, p.n).label("pairs"), sum_where(repeat, p.n).label("repeat_pairs"))
            .select_from(joined(mart_pair_days))
            .where(p.day >= date_from, p.day <= date_to, *brand_conditions(f)).group_by(p.brand_id))


def _in_window(p, date_from, date_to):
    first = or_(p.prev_day.is_(None), p.prev_day < date_from)
    repeat = and_(p.prev_day >= date_from, or_(p.prev2_day.is_(None), p.prev2_day < date_from))
    return first, repeat


def _raw_pairs(source, conditions, *keys):
    """(keys…, brand, buyer) pairs with their order counts, as a subquery."""
    return (
        select(*keys, orders.c.brand_id, orders.c.buyer_id, func.count().label("n"))
        .select_from(source).where(*conditions)
        .group_by(*keys, orders.c.brand_id, orders.c.buyer_id)
        .subquery("pairs")
    )
