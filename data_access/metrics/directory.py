"""The brand directory: every selected brand on one row, to find one and open it (the Brand page without a brand).

A row is a brand onboarded by the as-of date (the STEPS roster, reports.steps: its current step and state, the
provider serving it on the as-of date) with its GMV in the range against the range of equal length before (as
reports.brand_multiples counts it: orders placed, refunded ones included) and its refund rate in the range
(as reports.trust: refunded orders over orders placed). Aggregation runs in the warehouse; pandas joins the
three small answers on brand_id.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions
from ..warehouse.marts import read as marts
from ..warehouse.schema import providers
from .reports import ratio, resolve, steps, sum_where, with_brands

DIRECTORY_COLUMNS = ["brand_id", "brand_name", "belt_id", "category", "brand_type", "managed_by", "provider_id",
                     "provider_name", "current_step", "state", "base_gmv_cny", "current_gmv_cny", "multiple",
                     "orders", "refund_rate"]


def brand_directory(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """One row per selected brand onboarded by the as-of date, by GMV in the range (largest first), then id."""
    f = resolve(wh, f)
    roster = steps(wh, f)
    base_from, _ = f.base_range
    d = marts.daily(wh, base_from, f.date_to)
    in_current = d.c.day >= f.date_from
    sales = wh.frame(
        select(d.c.brand_id,
               sum_where(~in_current, d.c.gmv_cny).label("base_gmv_cny"),
               sum_where(in_current, d.c.gmv_cny).label("current_gmv_cny"),
               sum_where(in_current, d.c.orders).label("orders"),
               sum_where(in_current, d.c.refunded).label("refunded"))
        .select_from(with_brands(d)).where(*brand_conditions(f)).group_by(d.c.brand_id))
    sales["brand_id"] = sales["brand_id"].astype("int64")
    out = roster.merge(sales, how="left", on="brand_id")
    for c in ("base_gmv_cny", "current_gmv_cny"):
        out[c] = out[c].astype(float).fillna(0.0)
    out["orders"] = out["orders"].fillna(0).astype(int)
    out["multiple"] = ratio(out["current_gmv_cny"], out["base_gmv_cny"])
    out["refund_rate"] = ratio(out.pop("refunded").fillna(0), out["orders"])
    serving = sorted({int(p) for p in out["provider_id"].dropna()})  # the roster's own: a provider sees only itself
    names = wh.frame(select(providers.c.provider_id, providers.c.name.label("provider_name"))
                     .where(providers.c.provider_id.in_(serving))) if serving else pd.DataFrame(
        {"provider_id": pd.Series(dtype="int64"), "provider_name": pd.Series(dtype=object)})
    names["provider_id"] = names["provider_id"].astype("int64")
    out["provider_id"] = out["provider_id"].astype("Int64")
    out = out.merge(names.astype({"provider_id": "Int64"}), how="left", on="provider_id")
    out["provider_name"] = out["provider_name"].astype(object).where(out["provider_name"].notna(), None)
    out = out.sort_values(["current_gmv_cny", "brand_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[DIRECTORY_COLUMNS]
