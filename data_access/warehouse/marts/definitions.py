"""Pre-aggregated marts inside the warehouse: what each holds, and the queries that fill it (build.py builds
them, read.py is the one place that decides whether to use them).

The reports read order facts through read.py (`daily`, `campaign_windows`, and the distinct-buyer
counters). Each answers from a mart when the
warehouse holds fresh ones, and from the raw `orders` table otherwise, with the same columns
and the same figures (the test matrix runs every report both ways against the oracle).

Marts (built by `python -m data_access build-marts`, and by the demo after loading):

- `mart_orders_daily`: one row per brand and day with orders: counts and GMV sums by every
  attribute a report filters on, plus the distinct-buyer counts per calendar period (below).
- `mart_pair_days`: the (brand, buyer) pairs' order sequences, folded: one row per
  (brand, day, previous order's day, the one before's day) with how many orders. It answers
  "how many pairs ordered in [a, b], and how many of them at least twice" for any range
  without grouping by buyer: a pair ordered in [a, b] exactly when one of its orders lies in
  [a, b] with the previous one before a, and at least twice when one of its orders has its
  previous one in [a, b] and the one before that before a.
- `mart_campaign_windows`: each campaign's start and its GMV in its T+0, T+10 and T+30 windows (the
  windows are fixed by the campaign's `start_on`, whatever range a report asks for).

`repeat_buyer_rate` is not additive across periods, so the daily mart carries, for each grain
(month, quarter, year), the pairs whose first order of the period falls on that day
(`pairs_<grain>`) and those whose second order of the period does (`repeat_<grain>`): summed
over the days of a period they give exactly the period's pairs and repeat pairs.

Freshness: `beltboard_marts` records what the marts were built from (freshness.Source): the
orders table's row count, max(order_id) and fingerprint, and the same of the campaigns. A build
reads only the rows it records (orders that arrive meanwhile wait for the next refresh). Marts
are used only while the orders' count and max(order_id) still match (and the mart version is
this code's). The record is declared in data_access.warehouse.freshness, and each Warehouse owns what it
last saw of it (`Warehouse.generation()`); `fresh` and `latest_order` below only ask. The
fingerprints let `data_access.warehouse.marts.refresh` tell appended orders (which it adds to the marts) from
rewritten ones (which need a full build).

The dashboard never builds marts: `build-marts` writes only into a warehouse that beltboard
created (it carries build.writing.MARKER), or one whose owner passes `--owned`. On a database server the
marts are built in a staging area and swapped in at once (build.writing.staged): a reader sees the old
marts or the new ones, never half of them.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    MetaData,
    Numeric,
    Table,
    and_,
    case,
    false,
    func,
    or_,
    select,
)

from ..filters import days_after
from ..fingerprint import of_campaigns, of_orders, reduced
from ..freshness import MART_NAMES, MARTS_META, Source
from ..schema import campaigns, orders
from ..sqlfuncs import day_of, days_between, period_key, prior_value

GRAINS = ("month", "quarter", "year")
ROI_WINDOWS = (0, 10, 30)  # T+0, T+10, T+30

mart_metadata = MetaData()

MONEY = Numeric(18, 2)
DAILY_SUMS = ("gmv_cny", "net_gmv_cny", "public_gmv", "private_gmv", "distribution_gmv", "self_live_gmv",
              "exclusive_gmv")
DAILY_COUNTS = ("orders", "refunded", "returned", "insured")
PAIR_COLUMNS = tuple(f"{kind}_{grain}" for grain in GRAINS for kind in ("pairs", "repeat"))

mart_daily = Table(
    "mart_orders_daily", mart_metadata,
    Column("brand_id", BigInteger, nullable=False, autoincrement=False),
    Column("day", Date, nullable=False),
    *[Column(name, BigInteger, nullable=False, autoincrement=False) for name in DAILY_COUNTS],
    *[Column(name, MONEY, nullable=False) for name in DAILY_SUMS],
    *[Column(name, BigInteger, nullable=False, autoincrement=False) for name in PAIR_COLUMNS],
)

mart_pair_days = Table(
    "mart_pair_days", mart_metadata,
    Column("brand_id", BigInteger, nullable=False, autoincrement=False),
    Column("day", Date, nullable=False),
    Column("prev_day", Date, nullable=True),
    Column("prev2_day", Date, nullable=True),
    Column("n", BigInteger, nullable=False, autoincrement=False),
)

mart_campaign_windows = Table(
    "mart_campaign_windows", mart_metadata,
    Column("campaign_id", BigInteger, nullable=False, autoincrement=False),
    Column("start_on", Date, nullable=False),  # a refresh finds the campaigns whose windows new orders reach by it
    *[Column(f"gmv_t{n}", MONEY, nullable=False) for n in ROI_WINDOWS],
)

MARTS = (mart_pair_days, mart_daily, mart_campaign_windows)  # build order: the daily mart reads the pair mart
assert tuple(m.name for m in MARTS) == MART_NAMES, "the freshness record names these marts"
BUILT = (MARTS_META.name, *MART_NAMES)  # the tables a build writes
SOURCES = (orders.name, campaigns.name)  # the tables a build reads
MART_LAYOUT = {  # ClickHouse MergeTree keys
    "beltboard_marts": "ORDER BY (mart)",
    "mart_orders_daily": "ORDER BY (day, brand_id)",
    "mart_pair_days": "ORDER BY (day, brand_id)",
    "mart_campaign_windows": "ORDER BY (start_on, campaign_id)",
}


# ---------------------------------------------------------------- the raw definitions

def day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[from 00:00, day after `to` 00:00): the date part of a timestamp lies in [from, to]."""
    if date_to == dt.date.max:  # no day after it: the end of the calendar's last day
        return dt.datetime.combine(date_from, dt.time()), dt.datetime.max
    return dt.datetime.combine(date_from, dt.time()), dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())


def ordered_between(date_from: dt.date, date_to: dt.date):
    low, high = day_bounds(date_from, date_to)
    return and_(orders.c.ordered_at >= low, orders.c.ordered_at < high)


def count_where(condition):
    return func.sum(case((condition, 1), else_=0))


def sum_where(condition, value):
    return func.sum(case((condition, value), else_=0))


def raw_daily(date_from: dt.date | None = None, date_to: dt.date | None = None, where=()):
    """The daily mart's order measures, computed from `orders` (optionally over [from, to] only, and only of the
    orders `where` holds for)."""
    o = orders.c
    day = day_of(o.ordered_at)
    stmt = select(
        o.brand_id, day.label("day"),
        func.count().label("orders"),
        count_where(o.refunded).label("refunded"),
        count_where(o.returned).label("returned"),
        count_where(o.return_shipping_insured).label("insured"),
        func.sum(o.gmv_cny).label("gmv_cny"),
        sum_where(~o.refunded, o.gmv_cny).label("net_gmv_cny"),
        sum_where(o.traffic_source == "public", o.gmv_cny).label("public_gmv"),
        sum_where(o.traffic_source == "private", o.gmv_cny).label("private_gmv"),
        sum_where(o.channel == "distribution", o.gmv_cny).label("distribution_gmv"),
        sum_where(o.channel == "self_live", o.gmv_cny).label("self_live_gmv"),
        sum_where(o.channel_exclusive, o.gmv_cny).label("exclusive_gmv"),
    )
    if date_from is not None:
        stmt = stmt.where(ordered_between(date_from, date_to))
    return stmt.where(*where).group_by(o.brand_id, day)


def raw_pair_days(where=()):
    """Each order (of those `where` holds for) with the days of its pair's previous two orders, folded into counts."""
    o = orders.c
    day = day_of(o.ordered_at)
    window = dict(partition_by=(o.brand_id, o.buyer_id), order_by=(o.ordered_at, o.order_id))
    sequence = select(
        o.brand_id, day.label("day"),
        prior_value(day, 1).over(**window).label("prev_day"),
        prior_value(day, 2).over(**window).label("prev2_day"),
    ).where(*where).subquery("sequence")
    s = sequence.c
    return select(s.brand_id, s.day, s.prev_day, s.prev2_day, func.count().label("n")) \
        .group_by(s.brand_id, s.day, s.prev_day, s.prev2_day)


def _daily_pair_counts(pair_days):
    """Per (brand, day): pairs whose first / second order of the day's period (each grain) is that day."""
    p = pair_days.c
    columns = []
    for grain in GRAINS:
        here = period_key(p.day, grain)
        first = or_(p.prev_day.is_(None), period_key(p.prev_day, grain) < here)
        second = and_(p.prev_day.is_not(None), period_key(p.prev_day, grain) == here,
                      or_(p.prev2_day.is_(None), period_key(p.prev2_day, grain) < here))
        columns += [sum_where(first, p.n).label(f"pairs_{grain}"), sum_where(second, p.n).label(f"repeat_{grain}")]
    return select(p.brand_id, p.day, *columns).group_by(p.brand_id, p.day)


def raw_campaign_windows(date_from: dt.date | None = None, date_to: dt.date | None = None, where=()):
    """Per campaign (starting in [from, to], when given): its start, and the GMV of its orders on days T+0 … T+N
    (of the orders and campaigns `where` holds for)."""
    days = days_between(day_of(orders.c.ordered_at), campaigns.c.start_on)
    horizon = max(ROI_WINDOWS)
    stmt = (
        select(campaigns.c.campaign_id, campaigns.c.start_on,
               *[sum_where(days <= n, orders.c.gmv_cny).label(f"gmv_t{n}") for n in ROI_WINDOWS])
        .select_from(campaigns.join(orders, orders.c.campaign_id == campaigns.c.campaign_id))
        .where(days >= 0, days <= horizon, *where)
        .group_by(campaigns.c.campaign_id, campaigns.c.start_on)
    )
    if date_from is not None:  # the orders of those campaigns' windows lie in [from, to + horizon]
        stmt = stmt.where(campaigns.c.start_on >= date_from, campaigns.c.start_on <= date_to,
                          ordered_between(date_from, days_after(date_to, horizon)))
    return stmt


# ---------------------------------------------------------------- building

def daily_rows(pair_days, where=()):
    """The daily mart's rows: the order measures of the orders `where` holds for, with the distinct-pair counts
    per period from `pair_days` (the pair mart, or rows of its shape)."""
    return with_pair_counts(raw_daily(where=where).subquery("daily"), pair_days)


def with_pair_counts(daily, pair_days):
    """Order measures per (brand, day) (`daily`, a subquery of the daily mart's measure columns) with the
    distinct-pair counts per period of the same (brand, day) from `pair_days`: they depend on nothing else."""
    pairs = _daily_pair_counts(pair_days).subquery("pairs")
    return select(
        daily.c.brand_id, daily.c.day, *[daily.c[c] for c in DAILY_COUNTS + DAILY_SUMS],
        *[func.coalesce(pairs.c[c], 0).label(c) for c in PAIR_COLUMNS],
    ).select_from(daily.outerjoin(pairs, and_(pairs.c.brand_id == daily.c.brand_id, pairs.c.day == daily.c.day)))


def source_bounds(source: Source) -> tuple[list, list]:
    """Conditions on the orders and on the campaigns that keep a build to the rows `source` names."""
    def upto(column, last):
        return [column <= last] if last is not None else [false()]
    return upto(orders.c.order_id, source.max_order_id), upto(campaigns.c.campaign_id, source.max_campaign_id)


def mart_rows(source: Source, pairs_from=None) -> dict:
    """What a full build writes into each mart, from the orders and campaigns of `source`: {mart: select}. The
    daily mart's pair counts come from `pairs_from` (default: the pair mart's own definition)."""
    of_orders, of_campaigns = source_bounds(source)
    pairs = raw_pair_days(of_orders)
    daily = daily_rows(pairs.subquery("pair_days") if pairs_from is None else pairs_from, of_orders)
    return {  # ordered by day, so that DuckDB skips row groups by day
        mart_pair_days: pairs.order_by(pairs.selected_columns.day),
        mart_daily: daily.order_by(daily.selected_columns.day, daily.selected_columns.brand_id),
        mart_campaign_windows: raw_campaign_windows(where=of_orders + of_campaigns),
    }


def current_source(conn) -> Source:
    """What the warehouse holds now: a count, max id and fingerprint of the orders and of the campaigns (one scan
    each)."""
    o, c = orders.c, campaigns.c
    rows, max_id, latest, fingerprint = conn.execute(
        select(func.count(), func.max(o.order_id), func.max(o.ordered_at), of_orders())).one()
    campaign_rows, max_campaign, campaign_fingerprint = conn.execute(
        select(func.count(), func.max(c.campaign_id), of_campaigns())).one()
    return Source(int(rows), None if max_id is None else int(max_id),
                  None if latest is None else pd.Timestamp(latest).to_pydatetime(), reduced(fingerprint),
                  int(campaign_rows), None if max_campaign is None else int(max_campaign),
                  reduced(campaign_fingerprint))
