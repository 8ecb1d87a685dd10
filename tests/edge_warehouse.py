"""A small, deterministic warehouse full of edge cases, for the backend matrix and the oracle.

`edge_frames()` returns the seven contract tables as DataFrames (exact schema columns). The
bulk is random (seeded); the interesting rows are placed by hand and commented where they are
made. The latest order is 2021-12-31 23:59:59, so the default as-of date is 2021-12-31.

Column conventions: ids are int64 (nullable id columns are pandas Int64), DATE columns hold
`datetime.date` objects (None for NULL), `ordered_at` is datetime64 in whole seconds, money is
float rounded to 2 decimals, booleans are bool.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

D = dt.date
FIRST_DAY = D(2020, 1, 1)
LAST_DAY = D(2021, 12, 31)          # the as-of date of this warehouse
DAY = dt.timedelta(days=1)

BIG_PROVIDER_ID = 2**53 + 1         # not representable as float64: ids must stay ints
BIG_BRAND_ID = 1_234_567_890_123_456_789  # a snowflake-sized id
NO_ORDERS_BRAND = 78                # onboarded, never sold
FUTURE_BRAND = 79                   # onboarded after the as-of date
ZERO_GMV_BRAND = 77                 # every order is worth 0.00
ONLY_2020_BRAND = 76                # sold in 2020 only
LATE_SELLER_BRAND = 75              # first order 2021-02-15 00:00:00
ASOF_BRAND = 74                     # onboarded on the as-of day, one order at 23:59:59
TIE_PROVIDER = 112                  # serves two brands of different belts with equal (zero) served GMV
DONE_ON_AS_OF_BRAND = 26            # completes its current step (1) on the as-of day

# belt_id, name_zh, name_en, province, city, main_category
BELTS = [
    ("linyi-apparel", "临沂服装", "Linyi apparel", "Shandong", "Linyi", "apparel"),
    ("shouguang-vegetables", "寿光蔬菜", "Shouguang vegetables", "Shandong", "Shouguang", "agri"),
    ("yiwu-small-goods", "义乌小商品", "Yiwu small goods", "Zhejiang", "Yiwu", "home"),
    ("zhuji-pearls", "诸暨珍珠", "Zhuji pearls, \"freshwater\"", "Zhejiang", "Zhuji", "jewelry"),
    ("changshu-apparel", "常熟服装", "Changshu apparel", "Jiangsu", "Changshu", "apparel"),
    ("shenzhen-electronics", "深圳电子", "Shenzhen electronics", "Guangdong", "Shenzhen", "electronics"),
    ("baigou-bags", "白沟箱包", "Baigou bags", "Hebei", "Baoding", "home"),  # a belt with no brands at all
]
SELLING_BELTS = [b[0] for b in BELTS[:6]]

# provider_id, name, province, provider_type, joined_on, live_ops_experts
PROVIDERS = [
    (101, "杭州星火代运营有限公司, Hangzhou", "Zhejiang", "agency", D(2019, 3, 1), 35),   # Chinese and a comma
    (102, 'Star "Live" MCN', "Zhejiang", "mcn", D(2019, 8, 15), 12),
    (103, "Qilu Supply Chain 齐鲁供应链", "Shandong", "supply_chain", D(2020, 1, 1), 8),
    (104, "=Formula Agency", "Guangdong", "agency", D(2020, 5, 20), 20),
    (105, "🚀 Rocket MCN", "Shanghai", "mcn", D(2020, 2, 2), 5),
    (106, "Jiangnan TP 江南", "Jiangsu", "agency", D(2019, 12, 31), 40),
    (107, "-minus ops", "Beijing", "agency", D(2021, 1, 1), 3),
    (108, "Lonely Provider (no brands)", "Hebei", "supply_chain", D(2021, 6, 1), 0),   # no assignment ever
    (109, "Old Hands, 2020 only", "Shandong", "agency", D(2019, 1, 1), 15),           # assignments end in 2020
    (110, "Late Starter", "Zhejiang", "mcn", D(2021, 11, 1), 2),                       # starts on the as-of day / after
    (111, "Campaign-only Ads Co.", "Guangdong", "mcn", D(2020, 3, 3), 7),              # campaigns; serves 2020 only
    (BIG_PROVIDER_ID, "大号 Big-ID 服务商", "Zhejiang", "agency", D(2020, 7, 7), 22),
    (TIE_PROVIDER, "Tie Break Co.", "Guangdong", "agency", D(2021, 1, 1), 4),          # a tie for main belt
]
REGULAR_PROVIDERS = [101, 102, 103, 104, 105, 106, 107, BIG_PROVIDER_ID]

SPECIAL_NAMES = [
    '=HYPERLINK("x")', "+1", "-x", "@SUM(A1)", "  =1", "|cmd", "%x", "\tTabbed", '"=quoted"',
    "临沂服装·鲁派", "Smith, Jones & Co", 'He said "hi"', "🍵 茶 Tea", "O'Brien's", "-12.5",
    "宝宝 Mother&Baby 母婴", " ' +quote-space", "Ünïcödé Åpparel",
]

# Days on range edges: orders are placed at 00:00:00 and 23:59:59 around them.
EDGE_MOMENTS = [
    (D(2020, 1, 1), 0), (D(2020, 3, 31), 86399), (D(2020, 4, 1), 0), (D(2020, 6, 30), 86399),
    (D(2020, 11, 21), 86399), (D(2020, 11, 22), 0), (D(2020, 12, 31), 86399), (D(2021, 1, 1), 0),
    (D(2021, 2, 14), 86399), (D(2021, 2, 15), 0), (D(2021, 3, 31), 0), (D(2021, 3, 31), 86399),
    (D(2021, 4, 1), 0), (D(2021, 4, 1), 86399), (D(2021, 5, 10), 86399), (D(2021, 5, 11), 0),
    (D(2021, 6, 30), 0), (D(2021, 6, 30), 86399), (D(2021, 7, 1), 0), (D(2021, 9, 30), 86399),
    (D(2021, 10, 1), 0), (D(2021, 12, 31), 0),
]


def _sells_from(brand_id, onboarded_on: dt.date) -> dt.date:
    """The first day a brand may have orders (also the earliest campaign day)."""
    if brand_id == LATE_SELLER_BRAND:
        return D(2021, 2, 15)
    if brand_id == 3:
        return D(2021, 1, 1)                            # sells only in 2021: new_in_current for 2021
    return max(onboarded_on, FIRST_DAY)


def _money(x: float) -> float:
    return float(round(float(x), 2))


def _rand_day(rng, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def edge_frames(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    belts = pd.DataFrame(BELTS, columns=["belt_id", "name_zh", "name_en", "province", "city", "main_category"])
    providers = pd.DataFrame(
        PROVIDERS, columns=["provider_id", "name", "province", "provider_type", "joined_on", "live_ops_experts"]
    )
    providers["provider_id"] = providers["provider_id"].astype("int64")

    brands = _brands(rng)
    assignments = _assignments(rng, brands)
    milestones = _milestones(rng, brands)
    campaigns = _campaigns(rng, brands, assignments)
    orders = _orders(rng, brands, campaigns, milestones)

    return {
        "industry_belts": belts,
        "providers": providers,
        "brands": brands,
        "provider_assignments": assignments,
        "steps_milestones": milestones,
        "campaigns": campaigns,
        "orders": orders,
    }


# ---------------------------------------------------------------- brands
def _brands(rng) -> pd.DataFrame:
    categories = ["apparel", "food", "beauty", "home", "electronics", "mother_baby", "jewelry", "agri"]
    main_category = {b[0]: b[5] for b in BELTS}
    rows = []
    ids = list(range(1, 80)) + [BIG_BRAND_ID]
    # Onboarding grows: 2019 few, 2020 more, 2021 many (with a Q2 2021 jump).
    span_days = (LAST_DAY - D(2019, 6, 1)).days
    for i, brand_id in enumerate(ids):
        belt = None if rng.random() < 0.25 else SELLING_BELTS[int(rng.integers(0, len(SELLING_BELTS)))]
        if belt and rng.random() < 0.7:
            category = main_category[belt]
        else:
            category = categories[int(rng.integers(0, len(categories)))]
        if belt and rng.random() < 0.55:
            brand_type = "belt_upgrade"
        else:
            brand_type = ["new", "established", "luxury", "new"][int(rng.integers(0, 4))]
        managed_by = "platform" if rng.random() < 0.2 else "provider"
        onboarded = D(2019, 6, 1) + dt.timedelta(days=int(span_days * rng.random() ** 0.6))
        offsite = None if rng.random() < 0.3 else _money(rng.lognormal(14, 1.2))
        name = SPECIAL_NAMES[i] if i < len(SPECIAL_NAMES) else f"Brand {brand_id:03d} 品牌"
        rows.append([brand_id, name, belt, category, brand_type, managed_by, onboarded, offsite])
    df = pd.DataFrame(rows, columns=[
        "brand_id", "name", "belt_id", "category", "brand_type", "managed_by", "onboarded_on", "offsite_gmv_cny"])
    df["brand_id"] = df["brand_id"].astype("int64")
    df = df.set_index("brand_id", drop=False)

    def put(brand_id, **values):
        for k, v in values.items():
            df.at[brand_id, k] = v

    # Hand-placed brands.
    put(1, onboarded_on=D(2019, 5, 1), belt_id="linyi-apparel", category="apparel", managed_by="provider")
    put(2, belt_id=None, category="food", brand_type="new", managed_by="provider")          # no belt
    put(3, belt_id=None, category="beauty", brand_type="luxury", managed_by="platform")     # no belt, platform
    put(4, onboarded_on=D(2021, 3, 31), belt_id="yiwu-small-goods", category="home")
    put(5, onboarded_on=D(2021, 4, 1), belt_id="yiwu-small-goods", category="home")
    put(6, onboarded_on=D(2021, 6, 30), belt_id="zhuji-pearls", category="jewelry")
    put(7, onboarded_on=D(2021, 7, 1), belt_id="changshu-apparel", category="apparel")
    put(8, onboarded_on=D(2020, 12, 31), belt_id="shenzhen-electronics", category="electronics")
    put(9, onboarded_on=D(2021, 1, 1), belt_id="shouguang-vegetables", category="agri")
    for b in range(10, 24):
        put(b, managed_by="provider", onboarded_on=min(df.at[b, "onboarded_on"], D(2020, 2, 1)))
    for b in (30, 31, 32, 33, 34, 35, 36, 37, 39):
        put(b, onboarded_on=min(df.at[b, "onboarded_on"], D(2020, 1, 20)))
    put(38, onboarded_on=D(2021, 6, 1))
    put(ONLY_2020_BRAND, onboarded_on=D(2019, 11, 11), belt_id=None)
    put(LATE_SELLER_BRAND, onboarded_on=D(2021, 2, 1))
    put(ASOF_BRAND, onboarded_on=LAST_DAY, belt_id="linyi-apparel")
    put(ZERO_GMV_BRAND, onboarded_on=D(2020, 6, 1))
    put(NO_ORDERS_BRAND, onboarded_on=D(2020, 8, 8))
    put(FUTURE_BRAND, onboarded_on=D(2022, 1, 3))
    # Q2 2021 onboarding burst (the source's 4.5x): move some 2021 brands into Q2.
    for b in (40, 41, 42, 43, 44, 45, 46, 47, 48):
        put(b, onboarded_on=D(2021, 4, 1) + dt.timedelta(days=int(rng.integers(0, 91))))
    df = df.reset_index(drop=True)
    df["belt_id"] = df["belt_id"].astype(object).where(df["belt_id"].notna(), None)
    df["offsite_gmv_cny"] = df["offsite_gmv_cny"].astype("float64")
    return df


# ---------------------------------------------------------------- provider assignments
def _assignments(rng, brands: pd.DataFrame) -> pd.DataFrame:
    rows = []

    def add(brand_id, provider_id, start, end=None):
        rows.append((brand_id, provider_id, start, end))

    onboard = dict(zip(brands.brand_id, brands.onboarded_on))
    hand = set(range(10, 24))
    # Switches mid-range.
    for b, (p1, p2) in zip((10, 11, 12, 13), ((101, 102), (102, 101), (103, 104), (BIG_PROVIDER_ID, 106))):
        add(b, p1, onboard[b], D(2021, 3, 31))
        add(b, p2, D(2021, 4, 1))
    add(14, 104, onboard[14], D(2021, 6, 30))
    add(14, 105, D(2021, 7, 1))
    add(15, 106, onboard[15], D(2020, 10, 15))          # a gap: nobody serves 2020-10-16..2020-10-31
    add(15, 107, D(2020, 11, 1))
    add(16, 101, onboard[16], D(2020, 6, 30))           # A, B, then A again
    add(16, 105, D(2020, 7, 1), D(2020, 12, 31))
    add(16, 101, D(2021, 1, 1))
    add(17, 102, onboard[17], D(2021, 12, 31))          # ends on the as-of day: still covers it
    add(18, 103, onboard[18], D(2021, 12, 30))          # ends the day before the as-of day
    add(19, 104, onboard[19], D(2021, 12, 30))
    add(19, 110, D(2021, 12, 31))                       # starts on the as-of day
    add(20, 105, onboard[20], D(2021, 12, 31))
    add(20, 110, D(2022, 1, 1))                         # starts after the as-of day
    add(21, 109, onboard[21], D(2020, 12, 31))          # then nobody
    add(22, 106, D(2021, 5, 10), D(2021, 5, 10))        # a one-day assignment on a range edge
    add(23, 111, D(2020, 3, 10), D(2020, 8, 31))
    add(23, 109, D(2020, 9, 1), D(2020, 11, 21))        # ends on a base-range edge
    add(23, 107, D(2021, 2, 15))                        # starts on a range edge
    # Everyone else: provider-managed brands mostly served, some not at all; a few platform ones too.
    for b, managed, on in zip(brands.brand_id, brands.managed_by, brands.onboarded_on):
        if b in hand or b in (NO_ORDERS_BRAND, 2):      # brand 2: provider-managed, no provider
            continue
        if managed == "provider" and rng.random() < 0.85 or managed == "platform" and rng.random() < 0.2:
            p = REGULAR_PROVIDERS[int(rng.integers(0, len(REGULAR_PROVIDERS)))]
            if on < D(2020, 6, 1) and rng.random() < 0.25:
                p = 109 if rng.random() < 0.5 else p
            start = on + dt.timedelta(days=int(rng.integers(0, 21)))
            if p == 109:
                add(b, p, start, D(2020, 12, 31))
            elif rng.random() < 0.2 and start < D(2021, 6, 1):
                mid = _rand_day(rng, start + 30 * DAY, D(2021, 11, 30))
                other = REGULAR_PROVIDERS[(REGULAR_PROVIDERS.index(p) + 1) % len(REGULAR_PROVIDERS)]
                add(b, p, start, mid)
                add(b, other, mid + DAY)
            else:
                add(b, p, start)
    # A tie for main belt: the zero-GMV brand (a belt) and the never-selling brand (no belt) give the
    # tie provider 0.00 of served GMV each; the first assignment ends inside its 30-day after-window.
    add(ZERO_GMV_BRAND, TIE_PROVIDER, D(2021, 3, 1), D(2021, 3, 20))
    add(NO_ORDERS_BRAND, TIE_PROVIDER, D(2021, 3, 5))
    df = pd.DataFrame(rows, columns=["brand_id", "provider_id", "start_on", "end_on"])
    df["brand_id"] = df["brand_id"].astype("int64")
    df["provider_id"] = df["provider_id"].astype("int64")
    df["end_on"] = df["end_on"].astype(object).where(df["end_on"].notna(), None)
    return df


# ---------------------------------------------------------------- STEPS milestones
def _milestones(rng, brands: pd.DataFrame) -> pd.DataFrame:
    rows = []

    def add(brand_id, step, started, completed=None):
        rows.append((brand_id, step, started, completed))

    hand = {30, 31, 32, 33, 34, 35, 36, 37, 38, 39}
    for b, on in zip(brands.brand_id, brands.onboarded_on):
        if b in hand or b in (FUTURE_BRAND, NO_ORDERS_BRAND) or on > LAST_DAY:
            continue
        if rng.random() < 0.12:
            continue                                    # never started STEPS
        n_steps = int(rng.integers(1, 6))
        start = max(on, D(2019, 6, 1)) + dt.timedelta(days=int(rng.integers(0, 30)))
        for step in range(1, n_steps + 1):
            if start > LAST_DAY:
                break
            done = start + dt.timedelta(days=int(rng.integers(0, 150)))
            last = step == n_steps
            if done > LAST_DAY or (last and rng.random() < 0.6):
                add(b, step, start, None)
                break
            add(b, step, start, done)
            start = done + dt.timedelta(days=int(rng.integers(0, 12)))

    # Hand-placed STEPS stories.
    add(30, 1, D(2020, 3, 1), D(2020, 3, 20))           # out of order: 3 before 2, 2 never completed
    add(30, 3, D(2020, 5, 1), D(2020, 6, 10))
    add(30, 2, D(2020, 6, 15), None)
    add(31, 1, D(2020, 2, 1), D(2020, 4, 1))            # stalled at step 2 since 2021-09-02 (120 days)
    add(31, 2, D(2021, 9, 2), None)
    add(32, 1, D(2020, 2, 1), D(2020, 9, 1))            # in step 2 for exactly 90 days: not stalled
    add(32, 2, D(2021, 10, 2), None)
    add(33, 1, D(2020, 2, 1), D(2020, 9, 1))            # 91 days: stalled
    add(33, 2, D(2021, 10, 1), D(2022, 1, 5))           # completes only after the as-of day
    add(34, 1, D(2021, 5, 31), D(2021, 8, 1))           # as of 2021-06-30: 30 days in step 1
    add(35, 1, D(2021, 5, 30), None)                    # as of 2021-06-30: 31 days in step 1
    for step, (s, c) in enumerate([(D(2020, 1, 25), D(2020, 2, 24)), (D(2020, 2, 24), D(2020, 5, 1)),
                                   (D(2020, 5, 3), D(2020, 9, 9)), (D(2020, 9, 9), D(2021, 1, 31)),
                                   (D(2021, 2, 1), D(2021, 6, 30))], start=1):
        add(36, step, s, c)                             # all five done, the last on 2021-06-30
    add(37, 1, D(2021, 4, 1), D(2021, 4, 1))            # completed the day it started (0 days)
    add(37, 2, D(2021, 4, 1), D(2021, 4, 1))
    add(38, 1, D(2021, 7, 15), D(2021, 9, 1))           # not yet reached as of 2021-06-30
    add(39, 2, D(2021, 3, 1), D(2021, 5, 1))            # no step 1 at all; step 2 done
    add(39, 4, D(2021, 6, 1), None)                     # skips 3
    # Work-queue stories, set on the random rows in place (the random draws stay as they were).
    _complete(rows, DONE_ON_AS_OF_BRAND, 1, LAST_DAY)      # a step completed on the as-of date
    _complete(rows, ONLY_2020_BRAND, 1, D(2020, 3, 1))     # then in step 3 with no GMV in its window
    add(ONLY_2020_BRAND, 3, D(2021, 6, 1), None)
    df = pd.DataFrame(rows, columns=["brand_id", "step", "started_on", "completed_on"])
    df["brand_id"] = df["brand_id"].astype("int64")
    df["step"] = df["step"].astype("int64")
    df["completed_on"] = df["completed_on"].astype(object).where(df["completed_on"].notna(), None)
    return df


def _complete(rows: list, brand_id, step, completed_on) -> None:
    """Mark the brand's existing (random) milestone of `step` completed on `completed_on`."""
    for i, (b, k, started, _) in enumerate(rows):
        if b == brand_id and k == step:
            assert started <= completed_on, (brand_id, step)
            rows[i] = (b, k, started, completed_on)
            return
    raise AssertionError(f"brand {brand_id} has no step {step} to complete")


# ---------------------------------------------------------------- campaigns
def _provider_on(assignments: pd.DataFrame, brand_id, day):
    a = assignments[assignments.brand_id == brand_id]
    for p, s, e in zip(a.provider_id, a.start_on, a.end_on):
        if s <= day and (e is None or day <= e):
            return int(p)
    return None


def _campaigns(rng, brands: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    rows = []
    next_id = [5001]
    objectives = ["live", "short_video", "store"]

    def add(brand_id, start, provider="serving", spend=None):
        if provider == "serving":
            provider = _provider_on(assignments, brand_id, start)
        spend = spend if spend is not None else _money(rng.lognormal(5.3, 0.8) + 1)
        rows.append((next_id[0], brand_id, provider, start, spend, objectives[int(rng.integers(0, 3))]))
        next_id[0] += 1

    skip = {FUTURE_BRAND, NO_ORDERS_BRAND, ZERO_GMV_BRAND, ONLY_2020_BRAND, ASOF_BRAND}
    for b, on in zip(brands.brand_id, brands.onboarded_on):
        if b in skip or on > LAST_DAY:
            continue
        for _ in range(int(rng.integers(0, 4))):
            start = _rand_day(rng, _sells_from(b, on), LAST_DAY)
            roll = rng.random()
            add(b, start, provider=None if roll < 0.2 else "serving")
    # Hand-placed campaigns on the edges of ranges and of the T+30 window.
    add(1, D(2021, 12, 1))                              # T+30 = as-of: complete
    add(1, D(2021, 12, 2))                              # T+30 = as-of + 1: not complete
    add(2, D(2021, 12, 31), provider=None)              # starts on the as-of day
    add(4, D(2021, 12, 15), provider=102)               # provider not serving this brand
    add(10, D(2021, 2, 15))                             # on the custom range's first day
    add(11, D(2021, 5, 10))                             # on its last day
    add(12, D(2021, 2, 14))                             # just before it
    add(13, D(2021, 5, 11))                             # just after it
    add(23, D(2021, 3, 3), provider=111)                # provider 111 serves nobody in 2021
    add(23, D(2020, 5, 5), provider=111)
    add(14, D(2021, 6, 30), provider=104, spend=0.01)   # last day of 104's assignment, tiny spend
    add(16, D(2021, 5, 31))                             # T+30 = 2021-06-30 (as-of override): complete
    add(16, D(2021, 6, 1))                              # T+30 = 2021-07-01: not complete then
    add(BIG_BRAND_ID, D(2021, 4, 1), provider=BIG_PROVIDER_ID)
    # dtype=object: a column of ints and None would otherwise go through float64 and lose BIG_PROVIDER_ID
    df = pd.DataFrame(rows, columns=["campaign_id", "brand_id", "provider_id", "start_on", "spend_cny", "objective"],
                      dtype=object)
    df["campaign_id"] = df["campaign_id"].astype("int64")
    df["brand_id"] = df["brand_id"].astype("int64")
    df["provider_id"] = df["provider_id"].astype("Int64")
    df["spend_cny"] = df["spend_cny"].astype("float64")
    return df


# ---------------------------------------------------------------- orders
# Every part below draws from the one rng in a fixed order: keep the calls in order, or the data changes.
def _orders(rng, brands: pd.DataFrame, campaigns: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    orders = _OrderRows(rng)
    active = _bulk_orders(rng, brands, orders)
    _campaign_buyer_orders(rng, campaigns, orders)
    _window_edge_orders(campaigns, brands, orders)
    _range_edge_orders(rng, active, orders)
    _burst_orders(rng, milestones, active, orders)
    _hand_placed_orders(orders)
    return _orders_frame(rng, orders.rows)


class _OrderRows:
    """The orders as they are made: brand_id, buyer_id, day, second, channel, traffic, campaign_id,
    gmv (None: random). `add` draws what it is not given from rng: the second, channel, traffic."""
    CHANNELS = ["distribution", "self_live", "short_video", "store"]

    def __init__(self, rng):
        self.rng = rng
        self.rows: list[list] = []

    def add(self, brand_id, buyer, day, second=None, channel=None, traffic=None, campaign=None, gmv=None) -> None:
        rng = self.rng
        second = int(rng.integers(0, 86400)) if second is None else second
        channel = channel or self.CHANNELS[int(rng.choice(4, p=[0.4, 0.25, 0.2, 0.15]))]
        traffic = traffic or ("private" if rng.random() < 0.3 else "public")
        self.rows.append([brand_id, buyer, day, second, channel, traffic, campaign, gmv])


def _bulk_orders(rng, brands: pd.DataFrame, orders: _OrderRows) -> dict:
    """The bulk: each brand sells from its first day to its last, at a rate that grows.
    Returns {brand_id: (first, last)} of the brands that sell."""
    active = {}
    for b, on in zip(brands.brand_id, brands.onboarded_on):
        if b in (FUTURE_BRAND, NO_ORDERS_BRAND, ASOF_BRAND):
            continue
        first = _sells_from(b, on)
        last = D(2020, 12, 31) if b == ONLY_2020_BRAND else LAST_DAY
        if first > last:
            continue
        active[b] = (first, last)
        days = (last - first).days + 1
        base_rate = rng.uniform(0.03, 0.25)
        # buyers: a pool that overlaps other brands' pools (the same buyer at two brands is no repeat)
        pool = 10_000_000_000 + rng.choice(4000, size=max(4, int(days * base_rate / 1.8)), replace=False)
        for k in range(days):
            day = first + dt.timedelta(days=k)
            growth = 1.0 + 2.5 * max(0, (day - D(2021, 1, 1)).days) / 365
            for _ in range(int(rng.poisson(base_rate * growth))):
                orders.add(b, int(pool[int(rng.integers(0, len(pool)))]), day)
    return active


def _campaign_buyer_orders(rng, campaigns: pd.DataFrame, orders: _OrderRows) -> None:
    """Campaign buyers: first touch on or after T, some later orders, a few past T+30."""
    for c, b, start in zip(campaigns.campaign_id, campaigns.brand_id, campaigns.start_on):
        n_buyers = int(rng.integers(1, 7))
        for k in range(n_buyers):
            buyer = 50_000_000_000 + int(c) * 100 + k
            offset = int(rng.integers(0, 12))
            for _ in range(int(rng.integers(1, 4))):
                day = start + dt.timedelta(days=offset)
                if day > LAST_DAY:
                    break
                orders.add(b, buyer, day, campaign=int(c))
                offset += int(rng.integers(0, 25))


def _window_edge_orders(campaigns: pd.DataFrame, brands: pd.DataFrame, orders: _OrderRows) -> None:
    """Window edges for every third campaign: T+0 00:00:00, T+10 23:59:59, T+11 00:00:00, T+30 23:59:59,
    T+31 00:00:00."""
    onboard = dict(zip(brands.brand_id, brands.onboarded_on))
    for i, (c, b, start) in enumerate(zip(campaigns.campaign_id, campaigns.brand_id, campaigns.start_on)):
        if i % 3:
            continue
        buyer = 50_000_000_000 + int(c) * 100 + 99
        for offset, second in ((0, 0), (10, 86399), (11, 0), (30, 86399), (31, 0)):
            day = start + dt.timedelta(days=offset)
            if day <= LAST_DAY:
                orders.add(b, buyer, day, second=second, campaign=int(c))
        if i % 9 == 0 and start - DAY >= _sells_from(b, onboard[b]):
            orders.add(b, buyer, start - DAY, second=86399, campaign=int(c))  # tagged but before T: in no window


def _range_edge_orders(rng, active: dict, orders: _OrderRows) -> None:
    """Orders at 00:00:00 and 23:59:59 on range edges, for brands selling then."""
    for day, second in EDGE_MOMENTS:
        sellers = [b for b, (first, last) in active.items() if first <= day <= last]
        for b in rng.choice(sellers, size=min(4, len(sellers)), replace=False):
            orders.add(int(b), 20_000_000_000 + int(rng.integers(0, 50)), day, second=second)


def _burst_orders(rng, milestones: pd.DataFrame, active: dict, orders: _OrderRows) -> None:
    """Bursts of distribution GMV in some brands' step 1."""
    step1 = milestones[milestones.step == 1]
    for b, s in zip(step1.brand_id[::4], step1.started_on[::4]):
        if b not in active:
            continue
        peak = s + dt.timedelta(days=int(rng.integers(0, 30)))
        if active[b][0] <= peak <= active[b][1]:
            for _ in range(int(rng.integers(5, 15))):
                orders.add(int(b), 30_000_000_000 + int(rng.integers(0, 500)), peak, channel="distribution")


def _hand_placed_orders(orders: _OrderRows) -> None:
    # Brand 2 buys twice from the same buyer at the same second (duplicate-looking rows are real orders).
    orders.add(2, 20_000_000_777, D(2021, 3, 31), second=86399, gmv=88.88)
    orders.add(2, 20_000_000_777, D(2021, 3, 31), second=86399, gmv=88.88)
    # The late seller's first order opens the custom range 2021-02-15..2021-05-10.
    orders.add(LATE_SELLER_BRAND, 20_000_000_779, D(2021, 2, 15), second=0)
    # A zero-GMV order among the 2020-only brand's sales.
    orders.add(ONLY_2020_BRAND, 20_000_000_778, D(2020, 7, 7), gmv=0.0)
    # The as-of brand's single order is the latest in the warehouse.
    orders.add(ASOF_BRAND, 20_000_000_999, LAST_DAY, second=86399, channel="distribution", gmv=1234.56)


def _orders_frame(rng, rows: list) -> pd.DataFrame:
    """The orders table from the rows: timestamps, GMV (random where not given), flags, first-touch campaigns."""
    df = pd.DataFrame(rows, columns=["brand_id", "buyer_id", "day", "second", "channel", "traffic_source",
                                     "campaign_id", "gmv"])
    n = len(df)
    df["ordered_at"] = pd.to_datetime(df["day"].map(lambda d: d.isoformat())) + pd.to_timedelta(df["second"], unit="s")
    df["ordered_at"] = df["ordered_at"].astype("datetime64[us]")
    gmv = np.round(rng.lognormal(4.3, 0.9, size=n), 2)
    gmv[rng.random(n) < 0.02] = 0.0                     # zero-GMV orders (free samples, coupons)
    df["gmv_cny"] = [float(g) if g is not None and not pd.isna(g) else float(r) for g, r in zip(df["gmv"], gmv)]
    df.loc[df.brand_id == ZERO_GMV_BRAND, "gmv_cny"] = 0.0
    df["gmv_cny"] = df["gmv_cny"].round(2)
    df["channel_exclusive"] = rng.random(n) < 0.1
    df["refunded"] = rng.random(n) < 0.08
    returned = rng.random(n) < 0.06
    df["returned"] = returned
    df.loc[returned & (rng.random(n) < 0.8), "refunded"] = True   # most returns are refunded, not all
    df["return_shipping_insured"] = rng.random(n) < 0.3
    df["campaign_id"] = df["campaign_id"].astype("Int64")
    # A buyer's first-touch campaign sticks to their later orders at that brand.
    first_touch = (df.dropna(subset=["campaign_id"]).sort_values(["day", "second"])
                   .groupby(["brand_id", "buyer_id"])["campaign_id"].first())
    keys = list(zip(df.brand_id, df.buyer_id))
    df["campaign_id"] = pd.array([first_touch.get(k, pd.NA) for k in keys], dtype="Int64")

    df = df.sort_values(["ordered_at", "brand_id", "buyer_id"], kind="stable").reset_index(drop=True)
    df["order_id"] = (1_000_000_000_000 + np.arange(len(df))).astype("int64")
    df["brand_id"] = df["brand_id"].astype("int64")
    df["buyer_id"] = df["buyer_id"].astype("int64")
    return df[["order_id", "brand_id", "buyer_id", "ordered_at", "channel", "traffic_source", "campaign_id",
               "channel_exclusive", "gmv_cny", "refunded", "returned", "return_shipping_insured"]]


# ---------------------------------------------------------------- filters that empty a column
def empty_column_filters():
    """Ordinary filters over this warehouse (as a URL would set them) whose selected brands, as of
    LAST_DAY, leave one optional column all-empty (checked in tests/test_empty_columns.py)."""
    from data_access.warehouse.filters import Filters
    return {
        "no-completed-step": Filters(categories=("home",), managed_by=("provider",)),   # every current step open
        "no-campaign": Filters(categories=("agri",), brand_types=("new",), managed_by=("platform",)),
        # not electronics: the zero-GMV brand (77) is a belt upgrade the tie provider served
        "no-provider": Filters(categories=("food", "home"), brand_types=("belt_upgrade",), managed_by=("platform",)),
        "no-orders": Filters(categories=("food",), brand_types=("luxury",)),  # NO_ORDERS_BRAND alone: nothing at all
    }
