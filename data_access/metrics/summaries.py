"""Rankings and counts that pages show beside a report, computed over the report's rows here rather than in the
pages, so that each is a dataset of the catalogue: the CLI exports it and a page's download is that export.

Each takes (Warehouse, Filters) like the reports and keeps their scope: its rows are the report's rows for the
same filters, summed or picked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters
from ..warehouse.schema import NO_BELT, providers as providers_table
from . import brand, reports

TRUST_RATES = ("refund_rate", "return_rate", "insured_share")
MULTIPLE_BINS = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, np.inf]
MULTIPLE_RANGES = ["<0.5×", "0.5–1×", "1–2×", "2–4×", "4–8×", "≥8×"]
NEW = "new"  # the histogram's last bar: brands with GMV in the range and none before (no multiple)
SMALL_BASE = "small base"  # the bar before it: multiples on a base GMV below Filters.min_base (not a headline)
TOP_MOVERS = 20


def belt_ranking(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Brands onboarded per belt over the whole periods shown, most first (then by belt_id); belts without one
    are left out, and so are brands without a belt: they are no belt to rank."""
    by_belt = reports.onboarding(wh, f.with_(by="belt"))
    ranking = by_belt.groupby("group", as_index=False)["brands_onboarded"].sum()
    ranking = ranking[(ranking["brands_onboarded"] > 0) & (ranking["group"] != NO_BELT)]
    ranking = ranking.sort_values(["brands_onboarded", "group"], ascending=[False, True], kind="stable")
    return ranking.rename(columns={"group": "belt_id"}).reset_index(drop=True)[["belt_id", "brands_onboarded"]]


def multiple_histogram(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Brands by their multiple (brand_multiples), in ranges of MULTIPLE_RANGES, then the brands `new` in the
    range."""
    multiples = reports.brand_multiples(wh, f)
    with_base = multiples[multiples["multiple"].notna()]
    small = with_base["base_gmv_cny"].astype(float) < f.min_base
    bins = pd.cut(with_base.loc[~small, "multiple"], MULTIPLE_BINS, right=False, labels=MULTIPLE_RANGES)
    ranges, counts = [*MULTIPLE_RANGES], [int((bins == b).sum()) for b in MULTIPLE_RANGES]
    if f.min_base:  # a small base is counted apart, not in a range of multiples
        ranges, counts = [*ranges, SMALL_BASE], [*counts, int(small.sum())]
    return pd.DataFrame({"multiple_range": [*ranges, NEW], "brands": [*counts, int(multiples["new_in_current"].sum())]})


def top_movers(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The TOP_MOVERS brands with the highest multiple (a base GMV above zero and at least `f.min_base`), then by
    current GMV and id."""
    multiples = reports.brand_multiples(wh, f)
    with_base = multiples[multiples["multiple"].notna() & (multiples["base_gmv_cny"].astype(float) >= f.min_base)]
    return with_base.sort_values(["multiple", "current_gmv_cny", "brand_id"], ascending=[False, False, True],
                                 kind="stable").head(TOP_MOVERS).reset_index(drop=True)


def top_growth(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The TOP_MOVERS brands whose GMV grew by the most yuan (current − base GMV, whatever the base), then by id;
    `small_base` marks a multiple on a base GMV above zero but below `f.min_base`."""
    multiples = reports.brand_multiples(wh, f)
    base = multiples["base_gmv_cny"].astype(float)
    out = multiples.assign(gmv_growth_cny=multiples["current_gmv_cny"].astype(float) - base,
                           small_base=((base > 0) & (base < f.min_base)).to_numpy())
    return out.sort_values(["gmv_growth_cny", "brand_id"], ascending=[False, True],
                           kind="stable").head(TOP_MOVERS).reset_index(drop=True)


def new_brands(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The brand_multiples rows of the brands new in the range: GMV in it and none in the range before."""
    multiples = reports.brand_multiples(wh, f)
    return multiples[multiples["new_in_current"]].reset_index(drop=True)


def stalled_brands(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The `steps` rows of stalled brands, longest in their step first (then by brand_id)."""
    steps = reports.steps(wh, f)
    stalled = steps[steps["stalled"]]
    return stalled.sort_values(["days_in_step", "brand_id"], ascending=[False, True]).reset_index(drop=True)


def stalled_by_belt(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Stalled brands per belt (`none`: brands without a belt), most first (then by belt_id)."""
    stalled = stalled_brands(wh, f)
    counts = stalled.assign(belt_id=stalled["belt_id"].fillna(NO_BELT)).groupby("belt_id", as_index=False).size()
    counts = counts.rename(columns={"size": "brands"})
    return counts.sort_values(["brands", "belt_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def stalled_by_provider(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Stalled brands per provider serving them on the as-of date, most first (then by provider_id; brands
    served by none, an empty provider, last among equals). A provider scope sees only its own id and name:
    `steps` leaves another provider's id empty."""
    stalled = stalled_brands(wh, f)
    counts = (stalled.groupby("provider_id", as_index=False, dropna=False).size()
              .rename(columns={"size": "brands"}))
    counts["provider_id"] = counts["provider_id"].astype("Int64")
    ids = [int(i) for i in counts["provider_id"].dropna()]
    names = wh.frame(select(providers_table.c.provider_id, providers_table.c.name.label("provider_name"))
                     .where(providers_table.c.provider_id.in_(ids))) if ids else None
    counts["provider_name"] = counts["provider_id"].map(
        {} if names is None else dict(zip(names["provider_id"].astype(int), names["provider_name"])))
    counts = counts.sort_values(["brands", "provider_id"], ascending=[False, True], kind="stable",
                                na_position="last")
    return counts.reset_index(drop=True)[["provider_id", "provider_name", "brands"]]


def belt_trust(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Per belt (`none` included), the orders and the refund, return and insured rates over the whole periods
    shown (each period weighted by its orders), highest refund rate first (then by belt_id)."""
    per_period = reports.trust(wh, f.with_(by="belt"))
    weighted = per_period.assign(**{f"_{c}": per_period[c].fillna(0) * per_period["orders"] for c in TRUST_RATES})
    belts = weighted.groupby("group", as_index=False)[["orders", *(f"_{c}" for c in TRUST_RATES)]].sum()
    belts = belts[belts["orders"] > 0].rename(columns={"group": "belt_id"})
    for c in TRUST_RATES:
        belts[c] = belts.pop(f"_{c}") / belts["orders"]
    belts = belts.sort_values(["refund_rate", "belt_id"], ascending=[False, True], kind="stable")
    return belts.reset_index(drop=True)[["belt_id", "orders", *TRUST_RATES]]


PROVIDER_TRUST = ("provider_id", "provider_name", "orders", "refund_rate", "return_rate", "repeat_buyer_rate")


def provider_trust(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """The provider league's trust figures, most served orders first (then by provider_id)."""
    league = reports.providers(wh, f)[list(PROVIDER_TRUST)]
    return league.sort_values(["orders", "provider_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def provider_brand_steps(wh: Warehouse, f: Filters, provider_id: int) -> pd.DataFrame:
    """The selected brands one provider serves in the range (brand.provider_brands), each with its `steps` row."""
    return brand.provider_brands(wh, f, provider_id).merge(reports.steps(wh, f), how="inner", on="brand_id")
