"""Sales cohorts: GMV by the quarter a brand was onboarded and the months since its onboarding.

Same road as reports.py: one SQLAlchemy Core select with bound parameters, aggregated in the
warehouse. Decisions where METRICS.md is silent:
- Orders count when the date part of `ordered_at` is in [from, to] (like every report); the
  brand filters select the brands, orders follow their brand.
- `cohort_quarter` is the first day of the calendar quarter of `onboarded_on`.
- `months_since_onboarding` = (year(ordered_at) − year(onboarded_on)) × 12
  + month(ordered_at) − month(onboarded_on): calendar months, 0 for the onboarding month. An
  order placed before its brand's onboarding month would count with a negative number.
- `brands` counts distinct brands with at least one order in the cell.
- One row per (cohort, month) that has orders, ordered by cohort_quarter then month.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Integer, cast, extract, func, select

from ..views import periods
from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions
from ..warehouse.marts import read as marts
from ..warehouse.schema import brands
from ..warehouse.sqlfuncs import period_key
from .reports import resolve, with_brands

COHORT_COLUMNS = ["cohort_quarter", "months_since_onboarding", "gmv_cny", "brands"]


def months_since_onboarding(day):
    """Calendar months from the brand's onboarding month to the month of `day` (an order's day), in SQL."""
    years = extract("year", day) - extract("year", brands.c.onboarded_on)
    months = extract("month", day) - extract("month", brands.c.onboarded_on)
    return cast(years * 12 + months, Integer)


def cohort_gmv(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """GMV in [from, to] by onboarding quarter × months since onboarding, for the selected brands."""
    f = resolve(wh, f)
    d = marts.daily(wh, f.date_from, f.date_to)  # a (brand, day) row exists only where it has orders
    cohort = period_key(brands.c.onboarded_on, "quarter").label("cohort")
    months = months_since_onboarding(d.c.day).label("months_since_onboarding")
    stmt = (
        select(cohort, months, func.sum(d.c.gmv_cny).label("gmv_cny"),
               func.count(func.distinct(d.c.brand_id)).label("brands"))
        .select_from(with_brands(d))
        .where(*brand_conditions(f))
        .group_by(cohort, months)
    )
    df = wh.frame(stmt)
    if df.empty:
        return pd.DataFrame({"cohort_quarter": pd.Series(dtype=object),
                             "months_since_onboarding": pd.Series(dtype="int64"),
                             "gmv_cny": pd.Series(dtype=float), "brands": pd.Series(dtype="int64")})
    df["cohort_quarter"] = [periods.key_to_date(k) for k in df.pop("cohort")]
    df["months_since_onboarding"] = df["months_since_onboarding"].astype("int64")
    df["gmv_cny"] = df["gmv_cny"].astype(float)
    df["brands"] = df["brands"].astype("int64")
    df = df.sort_values(["cohort_quarter", "months_since_onboarding"], kind="stable").reset_index(drop=True)
    return df[COHORT_COLUMNS]
