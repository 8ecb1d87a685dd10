"""data_access/metrics/brand.py against an independent pandas computation, on every reachable backend.

The dataset is small and deterministic: hand-placed edge cases (commented where made) plus a
seeded random bulk. The oracle below is written from the definitions (METRICS.md and
docs/metrics-notes.md, "Brand page and STEPS evidence") over the raw frames, with loops and
plain pandas, never from the SQL. The latest order is 2021-12-31 23:59:59: as-of 2021-12-31.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import os

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access.metrics import brand
from data_access.views import periods
from data_access.warehouse.build.load import create_tables, load_frames
from data_access.warehouse.connection import Warehouse, create_warehouse_engine
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import build as marts_build, read as marts_read
from tests import server_databases

D = dt.date
DAY = dt.timedelta(days=1)
AS_OF = D(2021, 12, 31)
CI = os.environ.get("CI") == "true"

BIG_BRAND = 1_234_567_890_123_456_789
BIG_PROVIDER = 2**53 + 1           # not representable as float64
SPIKE, NO_DIST, ZERO_DIST, NO_STEP1, NO_ORDERS, BASE_ONLY, NEW_PUBLIC, FUTURE = 1, 2, 3, 4, 5, 6, 7, 9
CHANNELS = ["distribution", "self_live", "short_video", "store"]
TRAFFIC = ["public", "private"]


# ================================================================ the dataset

def make_frames(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    belts = pd.DataFrame([
        ("linyi-apparel", "临沂服装", "Linyi apparel", "Shandong", "Linyi", "apparel"),
        ("yiwu-small-goods", "义乌小商品", "Yiwu small goods", "Zhejiang", "Yiwu", "home"),
        ("baigou-bags", "白沟箱包", "Baigou bags", "Hebei", "Baoding", "home"),      # no brands
    ], columns=["belt_id", "name_zh", "name_en", "province", "city", "main_category"])
    providers = pd.DataFrame([
        (201, "杭州星火代运营, Hangzhou", "Zhejiang", "agency", D(2019, 3, 1), 30),
        (202, 'Star "Live" MCN', "Zhejiang", "mcn", D(2019, 8, 1), 12),
        (203, "=Qilu Supply 齐鲁", "Shandong", "supply_chain", D(2020, 1, 1), 8),
        (BIG_PROVIDER, "大号 Big-ID 服务商", "Zhejiang", "agency", D(2020, 7, 7), 22),
    ], columns=["provider_id", "name", "province", "provider_type", "joined_on", "live_ops_experts"])
    brands = pd.DataFrame([
        (SPIKE, "Spike 爆款", "linyi-apparel", "apparel", "belt_upgrade", "provider", D(2020, 5, 1), 1.5e7),
        (NO_DIST, "No distribution", "linyi-apparel", "apparel", "new", "provider", D(2020, 6, 1), None),
        (ZERO_DIST, "Zero-GMV distribution", None, "food", "new", "platform", D(2020, 6, 1), 42.5),
        (NO_STEP1, "Exclusive, no step 1", "yiwu-small-goods", "home", "established", "provider",
         D(2020, 1, 15), None),
        (NO_ORDERS, "Never sold", "yiwu-small-goods", "home", "new", "provider", D(2020, 1, 1), None),
        (BASE_ONLY, "Sold in 2020 only", None, "beauty", "luxury", "platform", D(2019, 12, 1), None),
        (NEW_PUBLIC, "-New public", "linyi-apparel", "apparel", "new", "provider", D(2021, 1, 20), None),
        (BIG_BRAND, "大号 Big brand", None, "electronics", "established", "provider", D(2020, 3, 1), 9.99),
        (FUTURE, "Future steps", "yiwu-small-goods", "home", "new", "provider", D(2021, 12, 1), None),
    ], columns=["brand_id", "name", "belt_id", "category", "brand_type", "managed_by", "onboarded_on",
                "offsite_gmv_cny"])
    brands["brand_id"] = brands["brand_id"].astype("int64")
    brands["belt_id"] = brands["belt_id"].astype(object).where(brands["belt_id"].notna(), None)
    assignments = pd.DataFrame([
        (SPIKE, 201, D(2020, 6, 1), D(2021, 3, 15)),     # provider switch mid-range: 201 until 03-15 …
        (SPIKE, 202, D(2021, 3, 16), None),              # … then 202, open
        (NO_DIST, 201, D(2021, 5, 1), None),
        (NO_STEP1, 203, D(2020, 2, 1), D(2021, 5, 9)),
        (NO_STEP1, 203, D(2021, 5, 10), D(2021, 5, 10)),  # same provider again: a one-day assignment
        (NO_STEP1, BIG_PROVIDER, D(2021, 5, 11), None),
        (NO_ORDERS, 203, D(2020, 1, 1), D(2020, 12, 31)),
        (BASE_ONLY, 201, D(2020, 1, 1), D(2020, 12, 31)),
        (NEW_PUBLIC, 202, D(2021, 2, 1), D(2021, 12, 31)),  # ends on the as-of day
        (BIG_BRAND, BIG_PROVIDER, D(2020, 3, 1), D(2021, 3, 31)),
        (BIG_BRAND, 201, D(2021, 4, 1), None),
        (FUTURE, 202, D(2022, 1, 5), None),              # open, starts after the as-of day: 0 days served
    ], columns=["brand_id", "provider_id", "start_on", "end_on"])
    for c in ("brand_id", "provider_id"):
        assignments[c] = assignments[c].astype("int64")
    assignments["end_on"] = assignments["end_on"].astype(object).where(assignments["end_on"].notna(), None)
    milestones = pd.DataFrame([
        (SPIKE, 1, D(2021, 3, 1), D(2021, 4, 10)),
        (SPIKE, 2, D(2021, 4, 11), None),
        (NO_DIST, 1, D(2021, 4, 1), None),               # step 1 but no distribution orders ever
        (ZERO_DIST, 1, D(2021, 6, 1), D(2021, 6, 1)),    # distribution orders in the window are all 0.00
        (ZERO_DIST, 3, D(2021, 6, 2), D(2021, 12, 31)),  # completed on the as-of day
        (NO_STEP1, 2, D(2021, 2, 1), D(2021, 5, 1)),     # no step 1 at all
        (NO_STEP1, 4, D(2021, 11, 1), None),
        (NO_ORDERS, 1, D(2021, 12, 20), None),           # window runs past the as-of day, no orders
        (NEW_PUBLIC, 1, D(2021, 12, 15), None),          # window runs past the as-of day
        (BIG_BRAND, 1, D(2020, 12, 20), D(2021, 1, 30)),  # window across the year end
        (BASE_ONLY, 1, D(2020, 1, 5), D(2020, 2, 1)),
        (FUTURE, 1, D(2022, 1, 10), None),               # starts after the as-of day
    ], columns=["brand_id", "step", "started_on", "completed_on"])
    milestones["brand_id"] = milestones["brand_id"].astype("int64")
    milestones["step"] = milestones["step"].astype("int64")
    milestones["completed_on"] = milestones["completed_on"].astype(object).where(
        milestones["completed_on"].notna(), None)
    orders = _orders(rng)
    return {"industry_belts": belts, "providers": providers, "brands": brands,
            "provider_assignments": assignments, "steps_milestones": milestones, "orders": orders}


def _orders(rng) -> pd.DataFrame:
    rows = []

    def add(brand_id, day, second, channel, traffic="public", gmv=None, buyer=None, exclusive=None):
        # buyers from one shared pool: the same buyer at two brands is two (brand, buyer) pairs, no repeat
        buyer = buyer if buyer is not None else 10_000 + int(rng.integers(0, 400))
        gmv = round(float(rng.uniform(1, 900)), 2) if gmv is None else gmv
        exclusive = bool(rng.random() < 0.2) if exclusive is None else exclusive
        rows.append((brand_id, buyer, dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=second),
                     channel, traffic, exclusive, gmv, bool(rng.random() < 0.1), bool(rng.random() < 0.1),
                     bool(rng.random() < 0.5)))

    def bulk(brand_id, first, last, n, channels=CHANNELS, traffic=TRAFFIC, gmv=None):
        span = (last - first).days
        for _ in range(n):
            day = first + dt.timedelta(days=int(rng.integers(0, span + 1)))
            ch = channels[int(rng.integers(0, len(channels)))]
            tr = traffic[int(rng.integers(0, len(traffic)))]
            add(brand_id, day, int(rng.integers(0, 86400)), ch, tr, gmv=gmv(ch) if gmv else None)

    # The random bulk. Each brand's constraints make its edge case hold.
    bulk(SPIKE, D(2020, 6, 1), D(2021, 12, 30), 260)
    bulk(NO_DIST, D(2020, 6, 1), D(2021, 12, 30), 120, channels=["self_live", "short_video", "store"],
         gmv=lambda ch: 0.0 if rng.random() < 0.25 else None)                     # zero-GMV orders
    bulk(ZERO_DIST, D(2020, 6, 1), D(2021, 12, 30), 120,
         gmv=lambda ch: 0.0 if ch == "distribution" else None)                      # distribution all 0.00
    bulk(NO_STEP1, D(2020, 1, 15), D(2020, 12, 31), 60)                           # public and private in 2020 …
    bulk(NO_STEP1, D(2021, 1, 1), D(2021, 12, 30), 80, traffic=["private"])        # … private only in 2021
    bulk(BASE_ONLY, D(2020, 1, 1), D(2020, 12, 31), 50)
    bulk(NEW_PUBLIC, D(2021, 1, 20), D(2021, 12, 30), 90)
    bulk(BIG_BRAND, D(2020, 3, 1), D(2021, 12, 30), 150)

    # A spike: brand 1's step 1 window is 2021-03-01 … 2021-03-30.
    for k in range(0, 30, 3):
        add(SPIKE, D(2021, 3, 1) + k * DAY, 3600, "distribution", gmv=100.0)
    add(SPIKE, D(2021, 3, 10), 43200, "distribution", gmv=5000.0)                # the spike day
    add(SPIKE, D(2021, 3, 10), 86399, "distribution", gmv=1234.56)               # same day, 23:59:59
    add(SPIKE, D(2021, 2, 28), 86399, "distribution", gmv=99999.0)               # day −1: outside
    add(SPIKE, D(2021, 3, 30), 86399, "distribution", gmv=7.77)                  # day 29 at 23:59:59: inside
    add(SPIKE, D(2021, 3, 31), 0, "distribution", gmv=88888.0)                   # day 30: outside
    add(SPIKE, D(2021, 3, 15), 86399, "store", gmv=321.0, buyer=777)             # last second of 201
    add(SPIKE, D(2021, 3, 16), 0, "store", gmv=654.0, buyer=777)                 # first second of 202
    add(ZERO_DIST, D(2021, 6, 5), 100, "distribution", gmv=0.0)                  # zero GMV in the window
    add(ZERO_DIST, D(2021, 6, 30), 86399, "distribution", gmv=0.0)
    add(BIG_BRAND, D(2020, 12, 31), 86399, "distribution", gmv=300.0)             # window across the year end
    add(BIG_BRAND, D(2021, 1, 1), 0, "distribution", gmv=300.0)
    add(BIG_BRAND, D(2021, 1, 18), 86399, "distribution", gmv=50.0)               # its last window day
    add(NEW_PUBLIC, D(2021, 12, 15), 0, "distribution", gmv=10.0)
    add(NEW_PUBLIC, D(2021, 12, 31), 86399, "distribution", gmv=30.0)             # the latest order: as-of
    # Boundary seconds on range and period edges, for every selling brand.
    for b in (SPIKE, NO_DIST, ZERO_DIST, BIG_BRAND, NEW_PUBLIC):
        for day, second in ((D(2020, 12, 31), 86399), (D(2021, 1, 1), 0), (D(2021, 3, 15), 86399),
                            (D(2021, 3, 16), 0), (D(2021, 3, 31), 86399), (D(2021, 4, 1), 0),
                            (D(2021, 5, 10), 86399), (D(2021, 5, 11), 0), (D(2021, 6, 30), 86399),
                            (D(2021, 7, 1), 0)):
            if b == NEW_PUBLIC and day < D(2021, 1, 20):
                continue
            ch = "self_live" if b == NO_DIST else CHANNELS[int(rng.integers(0, 4))]
            add(b, day, second, ch, TRAFFIC[int(rng.integers(0, 2))],
                gmv=0.0 if ch == "distribution" and b == ZERO_DIST else None)

    df = pd.DataFrame(rows, columns=["brand_id", "buyer_id", "ordered_at", "channel", "traffic_source",
                                     "channel_exclusive", "gmv_cny", "refunded", "returned",
                                     "return_shipping_insured"])
    df = df.sort_values(["ordered_at", "brand_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "order_id", np.arange(1, len(df) + 1, dtype="int64"))
    df["brand_id"] = df["brand_id"].astype("int64")
    df["buyer_id"] = df["buyer_id"].astype("int64")
    df["ordered_at"] = pd.to_datetime(df["ordered_at"]).astype("datetime64[us]")
    df["campaign_id"] = pd.array([None] * len(df), dtype="Int64")
    assert df["ordered_at"].max() == pd.Timestamp("2021-12-31 23:59:59")
    return df


FRAMES = make_frames()


# ================================================================ backends

@pytest.fixture(scope="module", params=[f"{kind}-{source}"
                                        for kind in ("duckdb", "sqlite", "postgresql", "mariadb", "chdb", "cluster")
                                        for source in ("marts", "raw")])
def wh(request, tmp_path_factory):
    """The brand dataset on each backend, read from the pre-aggregated marts and from the raw tables."""
    kind, source = request.param.split("-")
    if kind == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('brand') / 'wh.duckdb'}"
    elif kind == "chdb":
        url = f"chdb:///{tmp_path_factory.mktemp('brand') / 'wh'}"
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('brand') / 'wh.sqlite'}"
    elif kind == "cluster":  # a database of its own on the run's two-shard cluster (tests/conftest.py)
        url = request.getfixturevalue("clickhouse_cluster").database("brandtest")
    else:  # a database of this run's own, dropped after (also when a test fails)
        name = server_databases.name_for("brandtest")
        try:
            url = server_databases.create(kind, name)
        except Exception as exc:  # noqa: BLE001 - any failure to reach the server
            message = f"{kind} unreachable at 127.0.0.1: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            if CI:
                pytest.fail(message)
            pytest.skip(message)
        request.addfinalizer(lambda: server_databases.drop(kind, name))
    # not the app's pooled engine: its pre-ping trips duckdb's raw loader; chDB's must be ours, so that
    # it releases the one data directory a process may hold (the backend matrix's, if still open), and so
    # must a cluster's, which knows the cluster= of the URL
    writer = create_warehouse_engine(url, read_only=False) if kind in ("chdb", "cluster") else create_engine(url)
    create_tables(writer)
    load_frames(writer, FRAMES)
    marts_build.build_into(writer)
    writer.dispose()
    warehouse = Warehouse(url, use_marts=source == "marts")
    assert marts_read.fresh(warehouse) == (source == "marts")
    yield warehouse
    warehouse.engine.dispose()


# ================================================================ the oracle

def day_of(ts) -> dt.date:
    return pd.Timestamp(ts).date()


def orders_with_day() -> pd.DataFrame:
    o = FRAMES["orders"].copy()
    o["day"] = [day_of(t) for t in o["ordered_at"]]
    return o


ORDERS = orders_with_day()


def resolved(f: Filters) -> Filters:
    return f.resolved(AS_OF)


@functools.cache
def selected(f: Filters) -> set[int]:
    """brand_ids the filters select, from the raw frames."""
    b = FRAMES["brands"]
    province = dict(zip(FRAMES["industry_belts"].belt_id, FRAMES["industry_belts"].province))
    out = set()
    for row in b.itertuples():
        belt = row.belt_id if row.belt_id is not None else "none"
        if f.scope_belts is not None and belt not in f.scope_belts:
            continue
        if f.belts and belt not in f.belts:
            continue
        if f.provinces and (row.belt_id is None or province[row.belt_id] not in f.provinces):
            continue
        if f.categories and row.category not in f.categories:
            continue
        if f.brand_types and row.brand_type not in f.brand_types:
            continue
        if f.managed_by and row.managed_by not in f.managed_by:
            continue
        if f.brand_ids and row.brand_id not in f.brand_ids:
            continue
        out.add(int(row.brand_id))
    return out


def shown_periods(f: Filters) -> list[dt.date]:
    out, day = [], f.date_from
    while day <= f.date_to:
        start = periods.period_start(day, f.grain)
        if start not in out:
            out.append(start)
        day += DAY
    return out


def oracle_profile(brand_id, f=None):
    b = FRAMES["brands"]
    rows = b[b.brand_id == brand_id]
    if rows.empty or (f is not None and brand_id not in selected(f)):
        return None
    row = rows.iloc[0]
    belts = FRAMES["industry_belts"].set_index("belt_id")
    belt = belts.loc[row.belt_id] if row.belt_id is not None else None
    offsite = row.offsite_gmv_cny
    return {
        "brand_id": int(row.brand_id), "name": row["name"], "belt_id": row.belt_id, "category": row.category,
        "brand_type": row.brand_type, "managed_by": row.managed_by, "onboarded_on": row.onboarded_on,
        "offsite_gmv_cny": None if offsite is None or pd.isna(offsite) else float(offsite),
        "name_zh": None if belt is None else belt.name_zh, "name_en": None if belt is None else belt.name_en,
        "province": None if belt is None else belt.province,
    }


@functools.cache
def oracle_series(f, brand_id):
    f = resolved(f)
    rows = []
    for start in shown_periods(f):
        end = periods.period_end(start, f.grain)
        for ch in CHANNELS:
            for tr in TRAFFIC:
                o = ORDERS[(ORDERS.brand_id == brand_id) & (ORDERS.channel == ch) & (ORDERS.traffic_source == tr)
                           & (ORDERS.day >= start) & (ORDERS.day <= end)]
                if brand_id not in selected(f):
                    o = o.iloc[0:0]
                rows.append((start, ch, tr, float(o.gmv_cny.sum()), len(o)))
    return pd.DataFrame(rows, columns=["period_start", "channel", "traffic_source", "gmv_cny", "orders"])


def oracle_history(brand_id, as_of=AS_OF):
    a = FRAMES["provider_assignments"]
    p = FRAMES["providers"].set_index("provider_id")
    rows = []
    for r in a[a.brand_id == brand_id].itertuples():
        if r.end_on is not None:
            served = (r.end_on - r.start_on).days + 1
        else:
            served = max(0, (as_of - r.start_on).days + 1)
        rows.append((int(r.provider_id), p.loc[r.provider_id, "name"], p.loc[r.provider_id, "provider_type"],
                     r.start_on, r.end_on, served))
    df = pd.DataFrame(rows, columns=brand.HISTORY_COLUMNS)
    return df.sort_values(["start_on", "provider_id"]).reset_index(drop=True)


def oracle_milestones(brand_id, as_of=AS_OF):
    m = FRAMES["steps_milestones"]
    rows = []
    for r in m[m.brand_id == brand_id].sort_values("step").itertuples():
        if r.completed_on is not None and r.completed_on <= as_of:
            days = (r.completed_on - r.started_on).days
        elif r.started_on <= as_of:
            days = (as_of - r.started_on).days
        else:
            days = None
        rows.append((int(r.step), r.started_on, r.completed_on, days))
    df = pd.DataFrame(rows, columns=brand.MILESTONE_COLUMNS)
    df["days"] = pd.array(df["days"].tolist(), dtype="Int64")
    return df


@functools.cache
def oracle_burst(f):
    f = resolved(f)
    m = FRAMES["steps_milestones"]
    rows = []
    for r in m[(m.step == 1)].sort_values("brand_id").itertuples():
        if r.brand_id not in selected(f):
            continue
        window = [r.started_on + k * DAY for k in range(30)]
        dist = ORDERS[(ORDERS.brand_id == r.brand_id) & (ORDERS.channel == "distribution")]
        daily = [float(dist.loc[dist.day == d, "gmv_cny"].sum()) for d in window]   # 0 for days without orders
        peak, mean = max(daily), sum(daily) / len(daily)
        rows.append((int(r.brand_id), peak / mean if mean > 0 else math.nan, r.started_on, peak, mean,
                     window[-1] <= f.as_of))
    return pd.DataFrame(rows, columns=brand.BURST_COLUMNS)


@functools.cache
def oracle_evidence(f):
    f = resolved(f)
    base_from, base_to = f.base_range
    share = lambda num, den: num / den if den != 0 else math.nan  # noqa: E731
    bursts = oracle_burst(f).set_index("brand_id")["burst_coefficient"]
    b = FRAMES["brands"].set_index("brand_id")
    rows = []
    for brand_id in sorted(selected(f)):
        mine = ORDERS[ORDERS.brand_id == brand_id]
        cur = mine[(mine.day >= f.date_from) & (mine.day <= f.date_to)]
        if cur.empty:
            continue
        base = mine[(mine.day >= base_from) & (mine.day <= base_to)]
        gmv = cur.gmv_cny.sum()
        per_buyer = cur.groupby("buyer_id").size()
        rows.append({
            "brand_id": brand_id, "brand_name": b.loc[brand_id, "name"], "belt_id": b.loc[brand_id, "belt_id"],
            "gmv_cny": float(gmv),
            "distribution_share": share(cur.loc[cur.channel == "distribution", "gmv_cny"].sum(), gmv),
            "public_gmv_growth": share(cur.loc[cur.traffic_source == "public", "gmv_cny"].sum(),
                                       base.loc[base.traffic_source == "public", "gmv_cny"].sum()),
            "self_live_share": share(cur.loc[cur.channel == "self_live", "gmv_cny"].sum(), gmv),
            "private_share": share(cur.loc[cur.traffic_source == "private", "gmv_cny"].sum(), gmv),
            "repeat_buyer_rate": share((per_buyer >= 2).sum(), len(per_buyer)),
            "exclusive_share": share(cur.loc[cur.channel_exclusive, "gmv_cny"].sum(), gmv),
            "burst_coefficient": bursts.get(brand_id, math.nan),
        })
    df = pd.DataFrame(rows, columns=brand.EVIDENCE_COLUMNS)
    return df.sort_values(["gmv_cny", "brand_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


@functools.cache
def oracle_provider_brands(f, provider_id):
    f = resolved(f)
    a = FRAMES["provider_assignments"]
    ids = sorted({int(r.brand_id) for r in a[a.provider_id == provider_id].itertuples()
                  if r.start_on <= f.date_to and (r.end_on is None or r.end_on >= f.date_from)
                  and r.brand_id in selected(f)})
    return pd.DataFrame({"brand_id": pd.Series(ids, dtype="int64")})


@functools.cache
def oracle_provider_series(f, provider_id):
    f = resolved(f)
    a = FRAMES["provider_assignments"]
    mine = a[a.provider_id == provider_id]

    def served(order) -> bool:
        if order.brand_id not in selected(f):
            return False
        return any(r.brand_id == order.brand_id and r.start_on <= order.day
                   and (r.end_on is None or order.day <= r.end_on) for r in mine.itertuples())

    rows = []
    for start in shown_periods(f):
        end = periods.period_end(start, f.grain)
        o = ORDERS[(ORDERS.day >= start) & (ORDERS.day <= end)]
        o = o[[served(x) for x in o.itertuples()]]
        rows.append((start, float(o.gmv_cny.sum()), len(o)))
    return pd.DataFrame(rows, columns=brand.PROVIDER_SERIES_COLUMNS)


# ================================================================ comparisons

FILTERS = {
    "year_to_date": Filters(),
    "switch_range": Filters(date_from=D(2021, 3, 16), date_to=D(2021, 5, 10)),
    "quarters_linyi_or_none": Filters(date_from=D(2021, 2, 15), date_to=D(2021, 8, 31), grain="quarter",
                                      belts=("linyi-apparel", "none")),
    "years_two_brands": Filters(date_from=D(2020, 7, 1), date_to=D(2021, 6, 30), grain="year",
                                brand_ids=(SPIKE, BIG_BRAND)),
    "scoped_yiwu_asof": Filters(date_from=D(2021, 4, 1), date_to=D(2021, 6, 30), as_of=D(2021, 6, 30),
                                scope_belts=("yiwu-small-goods",)),
    "one_day_edge": Filters(date_from=D(2021, 3, 31), date_to=D(2021, 3, 31), provinces=("Shandong",)),
    "empty_belt": Filters(belts=("baigou-bags",)),
}
ALL_BRANDS = [int(x) for x in FRAMES["brands"].brand_id] + [424242]     # plus an unknown id
ALL_PROVIDERS = [int(x) for x in FRAMES["providers"].provider_id] + [999]


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame):
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected), (actual, expected)
    actual, expected = actual.reset_index(drop=True), expected.reset_index(drop=True)
    for c in expected.columns:
        a, e = actual[c].tolist(), expected[c].tolist()
        for i, (x, y) in enumerate(zip(a, e)):
            x_missing = x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA
            y_missing = y is None or (isinstance(y, float) and math.isnan(y)) or y is pd.NA
            assert x_missing == y_missing, f"{c}[{i}]: {x!r} != {y!r}"
            if x_missing:
                continue
            if isinstance(y, float):
                assert isinstance(x, (int, float, np.number)) and not isinstance(x, bool), f"{c}[{i}]: {x!r}"
                assert math.isclose(float(x), y, rel_tol=1e-9, abs_tol=1e-6), f"{c}[{i}]: {x!r} != {y!r}"
            elif isinstance(y, dt.date):
                assert type(x) is dt.date and x == y, f"{c}[{i}]: {x!r} != {y!r}"
            else:
                assert x == y and type(x) is not float, f"{c}[{i}]: {x!r} != {y!r}"


@pytest.mark.parametrize("brand_id", ALL_BRANDS)
def test_brand_profile(wh, brand_id):
    assert brand.brand_profile(wh, brand_id) == oracle_profile(brand_id)


def test_brand_profile_respects_scope(wh):
    scoped = Filters(scope_belts=("yiwu-small-goods",))
    assert brand.brand_profile(wh, SPIKE, f=scoped) is None
    assert brand.brand_profile(wh, NO_STEP1, f=scoped) == oracle_profile(NO_STEP1)
    profile = brand.brand_profile(wh, BIG_BRAND)
    assert profile["brand_id"] == BIG_BRAND and profile["name_zh"] is None and profile["offsite_gmv_cny"] == 9.99


@pytest.mark.parametrize("name", list(FILTERS))
def test_brand_series(wh, name):
    for brand_id in (SPIKE, NO_DIST, ZERO_DIST, NO_ORDERS, BIG_BRAND, 424242):
        assert_same(brand.brand_series(wh, FILTERS[name], brand_id), oracle_series(FILTERS[name], brand_id))


@pytest.mark.parametrize("brand_id", ALL_BRANDS)
def test_provider_history(wh, brand_id):
    assert_same(brand.provider_history(wh, brand_id), oracle_history(brand_id))
    early = Filters(as_of=D(2021, 3, 20))
    assert_same(brand.provider_history(wh, brand_id, f=early), oracle_history(brand_id, D(2021, 3, 20)))


def test_provider_history_edges(wh):
    spike = brand.provider_history(wh, SPIKE)
    assert spike["provider_id"].tolist() == [201, 202]
    assert spike["days_served"].tolist() == [(D(2021, 3, 15) - D(2020, 6, 1)).days + 1,
                                             (AS_OF - D(2021, 3, 16)).days + 1]
    assert brand.provider_history(wh, FUTURE)["days_served"].tolist() == [0]
    assert brand.provider_history(wh, NO_STEP1)["provider_id"].tolist() == [203, 203, BIG_PROVIDER]


@pytest.mark.parametrize("brand_id", ALL_BRANDS)
def test_brand_milestones(wh, brand_id):
    assert_same(brand.brand_milestones(wh, brand_id), oracle_milestones(brand_id))
    early = Filters(as_of=D(2021, 4, 5))
    assert_same(brand.brand_milestones(wh, brand_id, f=early), oracle_milestones(brand_id, D(2021, 4, 5)))


@pytest.mark.parametrize("name", list(FILTERS))
def test_burst_coefficients(wh, name):
    assert_same(brand.burst_coefficients(wh, FILTERS[name]), oracle_burst(FILTERS[name]))


def test_burst_edges(wh):
    out = brand.burst_coefficients(wh, Filters()).set_index("brand_id")
    # Brand 1: window 03-01 … 03-30; the spike day holds 100 + 5000 + 1234.56 (and random orders).
    dist = ORDERS[(ORDERS.brand_id == SPIKE) & (ORDERS.channel == "distribution")
                  & (ORDERS.day >= D(2021, 3, 1)) & (ORDERS.day <= D(2021, 3, 30))]
    total = float(dist.gmv_cny.sum())
    assert out.loc[SPIKE, "peak_day_gmv"] >= 6334.56 - 1e-6
    assert math.isclose(out.loc[SPIKE, "mean_day_gmv"], total / 30)
    assert math.isnan(out.loc[NO_DIST, "burst_coefficient"]) and out.loc[NO_DIST, "mean_day_gmv"] == 0
    assert math.isnan(out.loc[ZERO_DIST, "burst_coefficient"])
    assert math.isnan(out.loc[NO_ORDERS, "burst_coefficient"]) and not out.loc[NO_ORDERS, "window_complete"]
    assert NO_STEP1 not in out.index
    assert not out.loc[NEW_PUBLIC, "window_complete"] and out.loc[SPIKE, "window_complete"]


@pytest.mark.parametrize("name", list(FILTERS))
def test_step_evidence(wh, name):
    assert_same(brand.step_evidence(wh, FILTERS[name]), oracle_evidence(FILTERS[name]))


def test_step_evidence_edges(wh):
    out = brand.step_evidence(wh, Filters()).set_index("brand_id")
    assert BASE_ONLY not in out.index and NO_ORDERS not in out.index        # no orders in 2021
    assert math.isnan(out.loc[NEW_PUBLIC, "public_gmv_growth"])               # nothing public in 2020
    assert out.loc[NO_STEP1, "public_gmv_growth"] == 0                        # public in 2020, none in 2021
    assert out.loc[NO_DIST, "distribution_share"] == 0
    assert math.isnan(out.loc[NO_STEP1, "burst_coefficient"])
    assert brand.step_evidence(wh, FILTERS["empty_belt"]).empty


@pytest.mark.parametrize("name", list(FILTERS))
def test_provider_brands(wh, name):
    for provider_id in ALL_PROVIDERS:
        assert_same(brand.provider_brands(wh, FILTERS[name], provider_id),
                    oracle_provider_brands(FILTERS[name], provider_id))


@pytest.mark.parametrize("name", list(FILTERS))
def test_provider_series(wh, name):
    for provider_id in ALL_PROVIDERS:
        assert_same(brand.provider_series(wh, FILTERS[name], provider_id),
                    oracle_provider_series(FILTERS[name], provider_id))


def test_provider_switch_mid_range(wh):
    f = FILTERS["switch_range"]                                               # 2021-03-16 … 2021-05-10
    assert brand.provider_brands(wh, f, 201)["brand_id"].tolist() == [NO_DIST, BIG_BRAND]
    assert brand.provider_brands(wh, f, 202)["brand_id"].tolist() == [SPIKE, NEW_PUBLIC]
    s201 = brand.provider_series(wh, f, 201).set_index("period_start")
    s202 = brand.provider_series(wh, f, 202).set_index("period_start")

    def gmv(brand_id, first, last):
        o = ORDERS[(ORDERS.brand_id == brand_id) & (ORDERS.day >= first) & (ORDERS.day <= last)]
        return float(o.gmv_cny.sum())

    # March is counted in full although the range starts on 03-16: brand 1's March orders are
    # split between 201 (to 03-15 23:59:59) and 202 (from 03-16 00:00:00).
    assert math.isclose(s201.loc[D(2021, 3, 1), "gmv_cny"], gmv(SPIKE, D(2021, 3, 1), D(2021, 3, 15)))
    assert math.isclose(s202.loc[D(2021, 3, 1), "gmv_cny"],
                        gmv(SPIKE, D(2021, 3, 16), D(2021, 3, 31)) + gmv(NEW_PUBLIC, D(2021, 3, 1), D(2021, 3, 31)))


def test_empty_grid_shapes(wh):
    f = FILTERS["empty_belt"]
    assert brand.burst_coefficients(wh, f).empty
    assert brand.provider_brands(wh, f, 201).empty
    series = brand.provider_series(wh, f, 201)
    assert len(series) == 12 and series["orders"].sum() == 0
