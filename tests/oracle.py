"""An independent oracle: every export report computed in plain pandas/Python from the raw frames.

Written from ../shared/METRICS.md and docs/metrics-notes.md only, never from data_access/metrics/reports.py,
so that a report and its oracle agreeing means something. Clarity over speed: the test warehouse
is small, so loops over periods, groups, brands and providers are fine.

Conventions of the returned frames (what the reports promise too):
- one column per metric, every column of dtype object holding plain Python values;
- dates are `datetime.date`, counts `int`, money and ratios `float`, flags `bool`, NULL is `None`;
- money is summed exactly in integer cents, then divided by 100.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.warehouse.filters import Filters

NO_GROUP = "none"  # group (and belt filter value) of brands without an industry belt

# Required columns of each report, in order (METRICS.md, "The export command"). `group` goes
# right after `period_start` for period reports and first for `roi`, only when `by` is set.
REQUIRED = {
    "onboarding": ["period_start", "group", "brands_onboarded", "growth_multiple", "yoy_multiple",
                   "cumulative_brands"],
    "sales": ["period_start", "group", "gmv_cny", "net_gmv_cny", "orders", "gmv_multiple", "orders_multiple"],
    "brand_multiples": ["brand_id", "brand_name", "belt_id", "base_gmv_cny", "current_gmv_cny", "multiple",
                        "new_in_current"],
    "providers": ["provider_id", "provider_name", "brands_served", "new_brands", "gmv_cny", "gmv_multiple",
                  "orders", "refund_rate", "return_rate", "repeat_buyer_rate", "roi_t0", "roi_t10", "roi_t30",
                  "steps_completed", "median_days_per_step"],
    "roi": ["group", "campaigns", "spend_cny", "gmv_t0", "gmv_t10", "gmv_t30", "roi_t0", "roi_t10", "roi_t30",
            "t30_complete_share"],
    "trust": ["period_start", "group", "orders", "refund_rate", "return_rate", "insured_share", "private_share",
              "repeat_buyer_rate"],
    "steps": ["brand_id", "brand_name", "belt_id", "provider_id", "current_step", "steps_completed", "state",
              "current_step_started_on", "days_in_step", "stalled"],
    "steps_funnel": ["step", "brands_reached", "brands_completed", "conversion_from_previous",
                     "median_days_to_complete"],
}
GROUPED = {"onboarding", "sales", "roi", "trust"}  # reports where --by applies

# Extra columns that metrics-notes.md names (they follow the required ones).
EXTRAS = {
    "sales": ["net_gmv_multiple"],
    "providers": ["provider_type", "province", "live_ops_experts"],
    "steps": ["category", "brand_type", "managed_by"],
}

MONEY_COLUMNS = {"gmv_cny", "net_gmv_cny", "base_gmv_cny", "current_gmv_cny", "spend_cny",
                 "gmv_t0", "gmv_t10", "gmv_t30"}


def required_columns(report: str, f: Filters) -> list[str]:
    cols = list(REQUIRED[report])
    if report not in GROUPED or f.by is None:
        cols = [c for c in cols if c != "group"]
    return cols


# ---------------------------------------------------------------- calendar
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_start(day: dt.date, grain: str) -> dt.date:
    step = _MONTHS[grain]
    return dt.date(day.year, (day.month - 1) // step * step + 1, 1)


def add_periods(start: dt.date, grain: str, n: int) -> dt.date:
    index = start.year * 12 + (start.month - 1) + _MONTHS[grain] * n
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(start: dt.date, grain: str) -> dt.date:
    return add_periods(start, grain, 1) - dt.timedelta(days=1)


def periods_overlapping(date_from: dt.date, date_to: dt.date, grain: str) -> list[dt.date]:
    out = []
    start = period_start(date_from, grain)
    while start <= date_to:
        out.append(start)
        start = add_periods(start, grain, 1)
    return out


def periods_per_year(grain: str) -> int:
    return 12 // _MONTHS[grain]


def base_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The range of equal length just before [from, to]."""
    length = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=length), date_from - dt.timedelta(days=1)


# ---------------------------------------------------------------- helpers
def ratio(num, den):
    """A plain ratio; NULL when the denominator is 0 or missing."""
    if den is None or den == 0:
        return None
    return num / den


def cents_to_cny(cents: int) -> float:
    return cents / 100


def median_or_none(values):
    values = list(values)
    return statistics.median(values) if values else None


def _date(x):
    if x is None or (not isinstance(x, dt.date) and pd.isna(x)):
        return None
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    return x


def rows_where(df: pd.DataFrame, mask: list) -> pd.DataFrame:
    """Rows where mask is true (df[[...]] would pick columns when the list is empty)."""
    return df.loc[np.asarray(mask, dtype=bool).reshape(-1)]


def _objects(values: list, index) -> pd.Series:
    """A column of plain Python values (pandas would turn str/None into NaN, int/None into float)."""
    return pd.Series(values, index=index, dtype=object)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}, columns=columns)


@dataclass
class Data:
    brands: pd.DataFrame       # + province (None without belt), indexed by brand_id
    providers: pd.DataFrame    # indexed by provider_id
    assignments: pd.DataFrame  # start_on/end_on as dates (end_on None: open)
    milestones: pd.DataFrame
    campaigns: pd.DataFrame    # + spend_cents
    orders: pd.DataFrame       # + day (date), cents (int)
    as_of: dt.date

    def selected(self, f: Filters) -> pd.DataFrame:
        """The brands the brand filters select (METRICS.md 'Common rules')."""
        keep = []
        for _, b in self.brands.iterrows():
            ok = True
            if f.scope_belts is not None:
                ok &= _belt_matches(b.belt_id, f.scope_belts)
            if f.belts:
                ok &= _belt_matches(b.belt_id, f.belts)
            if f.provinces:
                ok &= b.province is not None and b.province in f.provinces
            if f.categories:
                ok &= b.category in f.categories
            if f.brand_types:
                ok &= b.brand_type in f.brand_types
            if f.managed_by:
                ok &= b.managed_by in f.managed_by
            keep.append(bool(ok))
        return rows_where(self.brands, keep)


def _belt_matches(belt_id, values) -> bool:
    if belt_id is None:
        return NO_GROUP in values
    return belt_id in values


def group_of(brand: pd.Series, by: str | None):
    if by is None:
        return None
    if by == "belt":
        return brand.belt_id if brand.belt_id is not None else NO_GROUP
    if by == "province":
        return brand.province if brand.province is not None else NO_GROUP
    return brand[by]


def _groups(selected: pd.DataFrame, by: str | None) -> list[tuple[object, set]]:
    """[(group value, brand ids)] sorted by value (code-point order); [(None, all)] without `by`."""
    if by is None:
        return [(None, set(selected.brand_id))]
    members: dict[str, set] = {}
    for _, b in selected.iterrows():
        members.setdefault(group_of(b, by), set()).add(b.brand_id)
    return sorted(members.items())


_PREPARED: dict[int, tuple[dict, Data]] = {}


def prepare(frames: dict[str, pd.DataFrame]) -> Data:
    hit = _PREPARED.get(id(frames))
    if hit is not None and hit[0] is frames:
        return hit[1]
    belts = frames["industry_belts"]
    province_of = dict(zip(belts.belt_id, belts.province))

    brands = frames["brands"].copy()
    brands["belt_id"] = _objects([None if pd.isna(x) else x for x in brands.belt_id], brands.index)
    brands["province"] = _objects([province_of.get(x) if x is not None else None for x in brands.belt_id],
                                  brands.index)
    brands["onboarded_on"] = _objects([_date(x) for x in brands.onboarded_on], brands.index)
    brands["brand_id"] = [int(x) for x in brands.brand_id]
    brands.index = pd.Index(list(brands.brand_id))

    providers = frames["providers"].copy()
    providers["provider_id"] = [int(x) for x in providers.provider_id]
    providers.index = pd.Index(list(providers.provider_id), dtype=object)

    assignments = frames["provider_assignments"].copy()
    assignments["brand_id"] = [int(x) for x in assignments.brand_id]
    assignments["provider_id"] = [int(x) for x in assignments.provider_id]
    assignments["start_on"] = _objects([_date(x) for x in assignments.start_on], assignments.index)
    assignments["end_on"] = _objects([_date(x) for x in assignments.end_on], assignments.index)

    milestones = frames["steps_milestones"].copy()
    milestones["brand_id"] = [int(x) for x in milestones.brand_id]
    milestones["step"] = [int(x) for x in milestones.step]
    milestones["started_on"] = _objects([_date(x) for x in milestones.started_on], milestones.index)
    milestones["completed_on"] = _objects([_date(x) for x in milestones.completed_on], milestones.index)

    campaigns = frames["campaigns"].copy()
    campaigns["campaign_id"] = [int(x) for x in campaigns.campaign_id]
    campaigns["brand_id"] = [int(x) for x in campaigns.brand_id]
    campaigns["provider_id"] = _objects([None if pd.isna(x) else int(x) for x in campaigns.provider_id],
                                        campaigns.index)
    campaigns["start_on"] = _objects([_date(x) for x in campaigns.start_on], campaigns.index)
    campaigns["spend_cents"] = [int(round(float(x) * 100)) for x in campaigns.spend_cny]

    orders = frames["orders"].copy()
    orders["brand_id"] = orders.brand_id.astype("int64")
    orders["buyer_id"] = orders.buyer_id.astype("int64")
    orders["day"] = _objects([pd.Timestamp(x).date() for x in orders.ordered_at], orders.index)
    orders["cents"] = [int(round(float(x) * 100)) for x in orders.gmv_cny]
    orders["campaign_id"] = _objects([None if pd.isna(x) else int(x) for x in orders.campaign_id], orders.index)
    for c in ("refunded", "returned", "return_shipping_insured", "channel_exclusive"):
        orders[c] = orders[c].astype(bool)

    as_of = max(orders.day) if len(orders) else None   # the last day with data, before any filter
    data = Data(brands, providers, assignments, milestones, campaigns, orders, as_of)
    _PREPARED[id(frames)] = (frames, data)
    return data


def resolve(d: Data, f: Filters) -> Filters:
    """Defaults as metrics-notes says: as-of = last day with data; range = year to date."""
    return f.resolved(d.as_of)


def _orders_between(orders: pd.DataFrame, lo: dt.date, hi: dt.date) -> pd.DataFrame:
    return rows_where(orders, [lo <= x <= hi for x in orders.day])


def _repeat_buyer_rate(orders: pd.DataFrame):
    """Among distinct (brand, buyer) pairs with an order, the share with >= 2 orders."""
    if orders.empty:
        return None
    sizes = orders.groupby(["brand_id", "buyer_id"]).size()
    return int((sizes >= 2).sum()) / len(sizes)


# ---------------------------------------------------------------- onboarding
def _onboarded_in(days, start, grain: str) -> int:
    """How many of the onboarding days fall in the period of this grain starting on start."""
    end = period_end(start, grain)
    return sum(1 for x in days if start <= x <= end)


def oracle_onboarding(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected = d.selected(f)
    rows = []
    for p in periods_overlapping(f.date_from, f.date_to, f.grain):
        for g, ids in _groups(selected, f.by):
            days = [x for bid, x in zip(selected.brand_id, selected.onboarded_on) if bid in ids]
            current = _onboarded_in(days, p, f.grain)
            previous = _onboarded_in(days, add_periods(p, f.grain, -1), f.grain)
            year_ago = _onboarded_in(days, add_periods(p, f.grain, -periods_per_year(f.grain)), f.grain)
            rows.append({
                "period_start": p, "group": g,
                "brands_onboarded": current,
                "growth_multiple": ratio(current, previous),
                "yoy_multiple": ratio(current, year_ago),
                "cumulative_brands": sum(1 for x in days if x <= period_end(p, f.grain)),
            })
    return _frame(rows, required_columns("onboarding", f))


# ---------------------------------------------------------------- sales
def _sales_totals(orders: pd.DataFrame, start, grain: str) -> tuple[int, int, int]:
    """GMV cents, net (unrefunded) cents and order count in the period of this grain starting on start."""
    o = _orders_between(orders, start, period_end(start, grain))
    return int(o.cents.sum()), int((o.cents[~o.refunded]).sum()), len(o)


def oracle_sales(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected = d.selected(f)
    rows = []
    for p in periods_overlapping(f.date_from, f.date_to, f.grain):
        for g, ids in _groups(selected, f.by):
            mine = d.orders[d.orders.brand_id.isin(ids)]
            gmv, net, n = _sales_totals(mine, p, f.grain)
            prev_gmv, prev_net, prev_n = _sales_totals(mine, add_periods(p, f.grain, -1), f.grain)
            rows.append({
                "period_start": p, "group": g,
                "gmv_cny": cents_to_cny(gmv), "net_gmv_cny": cents_to_cny(net), "orders": n,
                "gmv_multiple": ratio(gmv, prev_gmv), "orders_multiple": ratio(n, prev_n),
                "net_gmv_multiple": ratio(net, prev_net),
            })
    return _frame(rows, required_columns("sales", f) + EXTRAS["sales"])


# ---------------------------------------------------------------- brand multiples
def oracle_brand_multiples(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected = d.selected(f)
    b_from, b_to = base_range(f.date_from, f.date_to)
    rows = []
    for _, b in selected.iterrows():
        mine = d.orders[d.orders.brand_id == b.brand_id]
        base = _orders_between(mine, b_from, b_to)
        current = _orders_between(mine, f.date_from, f.date_to)
        if base.empty and current.empty:
            continue
        base_c, cur_c = int(base.cents.sum()), int(current.cents.sum())
        rows.append({
            "brand_id": int(b.brand_id), "brand_name": b["name"], "belt_id": b.belt_id,
            "base_gmv_cny": cents_to_cny(base_c), "current_gmv_cny": cents_to_cny(cur_c),
            "multiple": ratio(cur_c, base_c), "new_in_current": base_c == 0 and cur_c > 0,
            "_key": (-cur_c, int(b.brand_id)),
        })
    rows.sort(key=lambda r: r["_key"])
    return _frame(rows, REQUIRED["brand_multiples"])


# ---------------------------------------------------------------- ROI windows
def campaign_window_cents(d: Data, campaign_id: int, start: dt.date, n: int) -> int:
    """Σ gmv of orders with this campaign_id placed on days start … start + n (cents)."""
    end = start + dt.timedelta(days=n)
    o = rows_where(d.orders, [c == campaign_id for c in d.orders.campaign_id])
    return int(sum(cents for day, cents in zip(o.day, o.cents) if start <= day <= end))


def _roi_figures(d: Data, camps: pd.DataFrame, as_of: dt.date) -> dict:
    spend = int(camps.spend_cents.sum())
    gmv = {n: sum(campaign_window_cents(d, c, s, n) for c, s in zip(camps.campaign_id, camps.start_on))
           for n in (0, 10, 30)}
    complete = int(sum(sp for s, sp in zip(camps.start_on, camps.spend_cents)
                       if s + dt.timedelta(days=30) <= as_of))
    return {
        "campaigns": len(camps), "spend_cny": cents_to_cny(spend),
        "gmv_t0": cents_to_cny(gmv[0]), "gmv_t10": cents_to_cny(gmv[10]), "gmv_t30": cents_to_cny(gmv[30]),
        "roi_t0": ratio(gmv[0], spend), "roi_t10": ratio(gmv[10], spend), "roi_t30": ratio(gmv[30], spend),
        "t30_complete_share": ratio(complete, spend),
    }


def oracle_roi(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected = d.selected(f)
    ids = set(selected.brand_id)
    camps = rows_where(d.campaigns, [b in ids and f.date_from <= s <= f.date_to
                                     for b, s in zip(d.campaigns.brand_id, d.campaigns.start_on)])
    rows = []
    if f.by is None:
        rows.append({"group": None, **_roi_figures(d, camps, f.as_of)})
    else:
        for g, ids in _groups(selected, f.by):
            mine = camps[camps.brand_id.isin(ids)]
            if len(mine):
                rows.append({"group": g, **_roi_figures(d, mine, f.as_of)})
    return _frame(rows, required_columns("roi", f))


# ---------------------------------------------------------------- trust
def oracle_trust(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected = d.selected(f)
    rows = []
    for p in periods_overlapping(f.date_from, f.date_to, f.grain):
        for g, ids in _groups(selected, f.by):
            o = _orders_between(d.orders[d.orders.brand_id.isin(ids)], p, period_end(p, f.grain))
            n = len(o)
            gmv = int(o.cents.sum())
            private = int(o.cents[o.traffic_source == "private"].sum())
            rows.append({
                "period_start": p, "group": g, "orders": n,
                "refund_rate": ratio(int(o.refunded.sum()), n),
                "return_rate": ratio(int(o.returned.sum()), n),
                "insured_share": ratio(int(o.return_shipping_insured.sum()), n),
                "private_share": ratio(private, gmv),
                "repeat_buyer_rate": _repeat_buyer_rate(o),
            })
    return _frame(rows, required_columns("trust", f))


# ---------------------------------------------------------------- providers
def _covers(start: dt.date, end: dt.date | None, lo: dt.date, hi: dt.date) -> bool:
    """The assignment [start, end] (end None: open) overlaps [lo, hi]."""
    return start <= hi and (end is None or end >= lo)


def _served_orders(d: Data, assignments: pd.DataFrame, lo: dt.date, hi: dt.date) -> pd.DataFrame:
    """Orders of the assignments' brands placed in [lo, hi] on a day inside that assignment."""
    keep = set()
    for b, s, e in zip(assignments.brand_id, assignments.start_on, assignments.end_on):
        first, last = max(s, lo), hi if e is None else min(e, hi)
        if first > last:
            continue
        o = d.orders[d.orders.brand_id == b]
        keep.update(oid for oid, day in zip(o.order_id, o.day) if first <= day <= last)
    return d.orders[d.orders.order_id.isin(keep)]


def oracle_providers(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    lo, hi = f.date_from, f.date_to
    b_lo, b_hi = base_range(lo, hi)
    selected_ids = set(d.selected(f).brand_id)
    asg = d.assignments[d.assignments.brand_id.isin(selected_ids)]
    rows = []
    for pid in sorted(set(asg.provider_id)):
        mine = asg[asg.provider_id == pid]
        over = rows_where(mine, [_covers(s, e, lo, hi) for s, e in zip(mine.start_on, mine.end_on)])
        if over.empty:
            continue
        served = _served_orders(d, mine, lo, hi)
        base_served = _served_orders(d, mine, b_lo, b_hi)
        n = len(served)
        gmv, base_gmv = int(served.cents.sum()), int(base_served.cents.sum())

        camps = rows_where(d.campaigns, [p == pid and b in selected_ids and lo <= s <= hi
                                         for p, b, s in zip(d.campaigns.provider_id, d.campaigns.brand_id,
                                                            d.campaigns.start_on)])
        roi = _roi_figures(d, camps, f.as_of) if len(camps) else {}

        done_days = {}
        for _, m in d.milestones[d.milestones.brand_id.isin(set(over.brand_id))].iterrows():
            c = m.completed_on
            if c is None or not lo <= c <= hi:
                continue
            inside = any(s <= c and (e is None or c <= e)
                         for b, s, e in zip(mine.brand_id, mine.start_on, mine.end_on) if b == m.brand_id)
            if inside:
                done_days[(m.brand_id, m.step)] = (c - m.started_on).days

        p = d.providers.loc[pid]
        rows.append({
            "provider_id": int(pid), "provider_name": p["name"],
            "brands_served": over.brand_id.nunique(),
            "new_brands": rows_where(mine, [lo <= s <= hi for s in mine.start_on]).brand_id.nunique(),
            "gmv_cny": cents_to_cny(gmv), "gmv_multiple": ratio(gmv, base_gmv), "orders": n,
            "refund_rate": ratio(int(served.refunded.sum()), n),
            "return_rate": ratio(int(served.returned.sum()), n),
            "repeat_buyer_rate": _repeat_buyer_rate(served),
            "roi_t0": roi.get("roi_t0"), "roi_t10": roi.get("roi_t10"), "roi_t30": roi.get("roi_t30"),
            "steps_completed": len(done_days),
            "median_days_per_step": median_or_none(done_days.values()),
            "provider_type": p.provider_type, "province": p.province,
            "live_ops_experts": int(p.live_ops_experts),
            "_key": (-gmv, int(pid)),
        })
    rows.sort(key=lambda r: r["_key"])
    return _frame(rows, REQUIRED["providers"] + EXTRAS["providers"])


# ---------------------------------------------------------------- STEPS
def _steps_brands(d: Data, f: Filters) -> pd.DataFrame:
    selected = d.selected(f)
    return rows_where(selected, [x <= f.as_of for x in selected.onboarded_on]).sort_values("brand_id")


def provider_on(d: Data, brand_id: int, day: dt.date):
    a = d.assignments[d.assignments.brand_id == brand_id]
    serving = [int(p) for p, s, e in zip(a.provider_id, a.start_on, a.end_on) if s <= day and (e is None or day <= e)]
    return serving[0] if serving else None


def burst_coefficient(frames, brand_id: int):
    """Step 1's 30 days: the highest day's distribution GMV / the mean daily one (0 for empty days)."""
    d = prepare(frames)
    m = d.milestones[(d.milestones.brand_id == brand_id) & (d.milestones.step == 1)]
    if m.empty:
        return None
    start = m.started_on.iloc[0]
    end = start + dt.timedelta(days=29)
    o = d.orders[(d.orders.brand_id == brand_id) & (d.orders.channel == "distribution")]
    per_day: dict[dt.date, int] = {}
    for day, cents in zip(o.day, o.cents):
        if start <= day <= end:
            per_day[day] = per_day.get(day, 0) + cents
    total = sum(per_day.values())
    if total == 0:
        return None
    return max(per_day.values()) / (total / 30)


def oracle_steps(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    a = f.as_of
    rows = []
    for _, b in _steps_brands(d, f).iterrows():
        ms = d.milestones[d.milestones.brand_id == b.brand_id]
        reached = {int(s): st for s, st in zip(ms.step, ms.started_on) if st <= a}
        completed = {int(s) for s, c in zip(ms.step, ms.completed_on) if c is not None and c <= a}
        current = max(reached) if reached else 0
        if current == 0:
            state = "not_started"
        elif current in completed:
            state = "completed"
        else:
            state = "in_progress"
        started = reached.get(current)
        days = (a - started).days if state == "in_progress" else None
        rows.append({
            "brand_id": int(b.brand_id), "brand_name": b["name"], "belt_id": b.belt_id,
            "provider_id": provider_on(d, b.brand_id, a),
            "current_step": current, "steps_completed": len(completed), "state": state,
            "current_step_started_on": started, "days_in_step": days,
            "stalled": state == "in_progress" and days > f.stalled_days,
            "category": b.category, "brand_type": b.brand_type, "managed_by": b.managed_by,
        })
    return _frame(rows, REQUIRED["steps"] + EXTRAS["steps"])


def oracle_steps_funnel(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    a = f.as_of
    ids = set(_steps_brands(d, f).brand_id)
    ms = d.milestones[d.milestones.brand_id.isin(ids)]
    rows, previous = [], None
    for k in range(1, 6):
        mk = ms[ms.step == k]
        reached = len({b for b, s in zip(mk.brand_id, mk.started_on) if s <= a})
        done = [(c - s).days for s, c in zip(mk.started_on, mk.completed_on) if c is not None and c <= a]
        rows.append({
            "step": k, "brands_reached": reached,
            "brands_completed": len({b for b, c in zip(mk.brand_id, mk.completed_on) if c is not None and c <= a}),
            "conversion_from_previous": None if k == 1 else ratio(reached, previous),
            "median_days_to_complete": median_or_none(done),
        })
        previous = reached
    return _frame(rows, REQUIRED["steps_funnel"])


ORACLES = {
    "onboarding": oracle_onboarding,
    "sales": oracle_sales,
    "brand_multiples": oracle_brand_multiples,
    "providers": oracle_providers,
    "roi": oracle_roi,
    "trust": oracle_trust,
    "steps": oracle_steps,
    "steps_funnel": oracle_steps_funnel,
}


# ---------------------------------------------------------------- work queue (issue 12)
# Written from METRICS.md "Work queue", "Provider scorecard", "Provider cohorts" and the
# metrics-notes decisions, never from data_access/metrics/diagnosis.py or provider_scores.py.
DEFAULT_THRESHOLDS = {1: 3.0, 2: 1.5, 3: 0.30, 4: 0.20, 5: 0.10}   # METRICS.md's table
STATUS_ORDER = ("stalled", "at_risk", "on_track")
EVIDENCE_DAYS = 30

REQUIRED.update({
    "diagnosis": ["brand_id", "brand_name", "belt_id", "provider_id", "managed_by", "current_step", "days_in_step",
                  "typical_days", "evidence", "threshold", "evidence_met", "peer_evidence", "gmv_30d", "status"],
    "provider_scorecard": REQUIRED["providers"] + [
        "main_belt", "peers", "gmv_multiple_pct", "refund_rate_pct", "return_rate_pct", "repeat_buyer_rate_pct",
        "roi_t30_pct", "median_days_per_step_pct"],
    "provider_cohorts": ["provider_id", "month_start", "assignments", "gmv_before", "gmv_after", "after_multiple",
                         "step_within_90d", "platform_after_multiple", "platform_step_within_90d"],
})
# Figures a scorecard grades, and whether lower is better for each.
SCORED = {"gmv_multiple": False, "refund_rate": True, "return_rate": True, "repeat_buyer_rate": False,
          "roi_t30": False, "median_days_per_step": True}
EXTRAS.update({
    "provider_scorecard": EXTRAS["providers"] + [f"{c}_peer_median" for c in SCORED],
})
MONEY_COLUMNS |= {"gmv_30d", "gmv_before", "gmv_after"}


def _burst(d: Data, brand_id: int):
    """burst_coefficient() on prepared data."""
    m = d.milestones[(d.milestones.brand_id == brand_id) & (d.milestones.step == 1)]
    if m.empty:
        return None
    start = m.started_on.iloc[0]
    o = d.orders[(d.orders.brand_id == brand_id) & (d.orders.channel == "distribution")]
    per_day: dict[dt.date, int] = {}
    for day, cents in zip(o.day, o.cents):
        if start <= day <= start + dt.timedelta(days=EVIDENCE_DAYS - 1):
            per_day[day] = per_day.get(day, 0) + cents
    total = sum(per_day.values())
    return None if total == 0 else max(per_day.values()) / (total / EVIDENCE_DAYS)


def _cents_in(o: pd.DataFrame, lo: dt.date, hi: dt.date, keep=lambda row: True) -> int:
    return int(sum(c for day, c, row in zip(o.day, o.cents, o.itertuples()) if lo <= day <= hi and keep(row)))


def step_evidence_on(d: Data, brand_id: int, step: int, day: dt.date):
    """The brand's evidence for `step` over the 30 days ending on `day` (step 1: its burst window)."""
    if step == 1:
        return _burst(d, brand_id)
    o = d.orders[d.orders.brand_id == brand_id]
    lo = day - dt.timedelta(days=EVIDENCE_DAYS - 1)
    part = {2: lambda r: r.traffic_source == "public", 3: lambda r: r.channel == "self_live",
            4: lambda r: r.traffic_source == "private", 5: lambda r: bool(r.channel_exclusive)}[step]
    if step == 2:   # public GMV in the window / in the 30 days before it
        before = _cents_in(o, lo - dt.timedelta(days=EVIDENCE_DAYS), lo - dt.timedelta(days=1), part)
        return ratio(_cents_in(o, lo, day, part), before)
    return ratio(_cents_in(o, lo, day, part), _cents_in(o, lo, day))


def oracle_diagnosis(frames, f: Filters, thresholds: dict | None = None) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    a = f.as_of
    bars = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    steps = oracle_steps(frames, f)
    ids = set(steps.brand_id)
    done = [(int(b), int(k), s, c) for b, k, s, c in zip(d.milestones.brand_id, d.milestones.step,
                                                          d.milestones.started_on, d.milestones.completed_on)
            if b in ids and c is not None and c <= a]
    typical = {k: median_or_none((c - s).days for _, step, s, c in done if step == k) for k in range(1, 6)}
    peer = {k: median_or_none(e for e in (step_evidence_on(d, b, step, c) for b, step, _, c in done if step == k)
                              if e is not None)
            for k in range(1, 6)}
    rows = []
    for _, r in steps[steps.state == "in_progress"].iterrows():
        k, days = r.current_step, r.days_in_step
        evidence = step_evidence_on(d, r.brand_id, k, a)
        if days > f.stalled_days:
            status = "stalled"
        elif typical[k] is not None and days > typical[k]:
            status = "at_risk"
        else:
            status = "on_track"
        gmv = _cents_in(d.orders[d.orders.brand_id == r.brand_id], a - dt.timedelta(days=EVIDENCE_DAYS - 1), a)
        rows.append({
            "brand_id": r.brand_id, "brand_name": r.brand_name, "belt_id": r.belt_id, "provider_id": r.provider_id,
            "managed_by": r.managed_by, "current_step": k, "days_in_step": days, "typical_days": typical[k],
            "evidence": evidence, "threshold": float(bars[k]),
            "evidence_met": evidence is not None and evidence >= bars[k],
            "peer_evidence": peer[k], "gmv_30d": cents_to_cny(gmv), "status": status,
            "_key": (STATUS_ORDER.index(status), -gmv, r.brand_id),
        })
    rows.sort(key=lambda row: row["_key"])
    return _frame(rows, REQUIRED["diagnosis"])


def _main_belt(d: Data, mine: pd.DataFrame, lo: dt.date, hi: dt.date) -> str:
    """The belt of the served brands (assignment overlapping R) with the most served GMV in R;
    ties -> the smaller belt id as text; 'none' for brands without a belt."""
    gmv: dict[str, int] = {}
    served_brands = {b for b, s, e in zip(mine.brand_id, mine.start_on, mine.end_on) if _covers(s, e, lo, hi)}
    for b in served_brands:
        belt = d.brands.loc[b].belt_id or NO_GROUP
        served = _served_orders(d, mine[mine.brand_id == b], lo, hi)  # all its assignments: each order once
        gmv[belt] = gmv.get(belt, 0) + int(served.cents.sum())
    return min(gmv, key=lambda belt: (-gmv[belt], belt))


def _worse(mine, other, lower_is_better: bool) -> bool:
    return other > mine if lower_is_better else other < mine


def oracle_provider_scorecard(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    base = oracle_providers(frames, f)
    selected_ids = set(d.selected(f).brand_id)
    asg = d.assignments[d.assignments.brand_id.isin(selected_ids)]
    belts = [_main_belt(d, asg[asg.provider_id == p], f.date_from, f.date_to) for p in base.provider_id]
    out = base.copy()
    out["main_belt"] = pd.Series(belts, index=out.index, dtype=object)
    out["peers"] = pd.Series([belts.count(b) for b in belts], index=out.index, dtype=object)
    for figure, lower in SCORED.items():
        pct, peer_median = [], []
        for i in range(len(out)):
            mine = out[figure].iloc[i]
            others = [out[figure].iloc[j] for j in range(len(out))
                      if j != i and belts[j] == belts[i] and out[figure].iloc[j] is not None]
            peer_median.append(median_or_none(others))
            if mine is None or not others:
                pct.append(None)
            else:
                pct.append(sum(_worse(mine, o, lower) for o in others) / len(others))
        out[f"{figure}_pct"] = pd.Series(pct, index=out.index, dtype=object)
        out[f"{figure}_peer_median"] = pd.Series(peer_median, index=out.index, dtype=object)
    columns = REQUIRED["provider_scorecard"] + EXTRAS["provider_scorecard"]
    return out[columns].reset_index(drop=True)


def _cohort_figures(d: Data, group: pd.DataFrame) -> dict:
    """Sum of before/after GMV (cents) and how many assignments saw a step completed within 90 days."""
    before = after = stepped = 0
    for b, s, e in zip(group.brand_id, group.start_on, group.end_on):
        o = d.orders[d.orders.brand_id == b]
        before += _cents_in(o, s - dt.timedelta(days=30), s - dt.timedelta(days=1))
        last = s + dt.timedelta(days=29)
        after += _cents_in(o, s, last if e is None else min(last, e))
        horizon = s + dt.timedelta(days=89) if e is None else min(s + dt.timedelta(days=89), e)
        ms = d.milestones[d.milestones.brand_id == b]
        stepped += any(c is not None and s <= c <= horizon for c in ms.completed_on)
    return {"before": before, "after": after, "stepped": stepped, "n": len(group)}


def oracle_provider_cohorts(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    selected_ids = set(d.selected(f).brand_id)
    asg = d.assignments[d.assignments.brand_id.isin(selected_ids)]
    rows = []
    for month in periods_overlapping(f.date_from, f.date_to, "month"):
        in_month = rows_where(asg, [month <= s <= period_end(month, "month") for s in asg.start_on])
        if in_month.empty:
            continue
        platform = _cohort_figures(d, in_month)
        for pid in sorted(set(in_month.provider_id)):
            own = _cohort_figures(d, in_month[in_month.provider_id == pid])
            rows.append({
                "provider_id": int(pid), "month_start": month, "assignments": own["n"],
                "gmv_before": cents_to_cny(own["before"]), "gmv_after": cents_to_cny(own["after"]),
                "after_multiple": ratio(own["after"], own["before"]),
                "step_within_90d": own["stepped"] / own["n"],
                "platform_after_multiple": ratio(platform["after"], platform["before"]),
                "platform_step_within_90d": platform["stepped"] / platform["n"],
                "_key": (int(pid), month),
            })
    rows.sort(key=lambda r: r["_key"])
    return _frame(rows, REQUIRED["provider_cohorts"])


ORACLES.update({
    "diagnosis": oracle_diagnosis,
    "provider_scorecard": oracle_provider_scorecard,
    "provider_cohorts": oracle_provider_cohorts,
})


# ---------------------------------------------------------------- the brand directory (issue 10)
# The Brand page without a brand: each brand of the STEPS roster with its GMV in the range and the range before
# (orders placed, refunded ones included) and its refund rate in the range; written from METRICS.md's STEPS,
# brand multiple and refund rate, not from data_access/metrics/directory.py.
def oracle_brand_directory(frames, f: Filters) -> pd.DataFrame:
    d = prepare(frames)
    f = resolve(d, f)
    b_from, b_to = base_range(f.date_from, f.date_to)
    rows = []
    for r in oracle_steps(frames, f).to_dict("records"):
        mine = d.orders[d.orders.brand_id == r["brand_id"]]
        base, current = _orders_between(mine, b_from, b_to), _orders_between(mine, f.date_from, f.date_to)
        base_c, cur_c = int(base.cents.sum()), int(current.cents.sum())
        provider = r["provider_id"]
        rows.append({
            **{k: r[k] for k in ("brand_id", "brand_name", "belt_id", "category", "brand_type", "managed_by",
                                 "provider_id", "current_step", "state")},
            "provider_name": None if provider is None else d.providers.loc[provider, "name"],
            "base_gmv_cny": cents_to_cny(base_c), "current_gmv_cny": cents_to_cny(cur_c),
            "multiple": ratio(cur_c, base_c), "orders": len(current),
            "refund_rate": ratio(int(current.refunded.sum()), len(current)),
            "_key": (-cur_c, r["brand_id"]),
        })
    rows.sort(key=lambda row: row["_key"])
    return _frame(rows, ["brand_id", "brand_name", "belt_id", "category", "brand_type", "managed_by", "provider_id",
                         "provider_name", "current_step", "state", "base_gmv_cny", "current_gmv_cny", "multiple",
                         "orders", "refund_rate"])
