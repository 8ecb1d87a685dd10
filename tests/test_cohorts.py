"""data_access.metrics.cohorts.cohort_gmv against a plain-pandas oracle over demo.generate() frames."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access.demo import synthesis as demo
from data_access.metrics.cohorts import COHORT_COLUMNS, cohort_gmv
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import build as marts_build, read as marts_read


@pytest.fixture(scope="module")
def frames():
    return demo.generate(orders=15_000, seed=5)


@pytest.fixture(scope="module", params=["duckdb-marts", "duckdb-raw", "sqlite-marts", "sqlite-raw"])
def wh(request, frames, tmp_path_factory):
    """The demo frames on DuckDB and SQLite, read from the pre-aggregated marts and from the raw tables."""
    kind, source = request.param.split("-")
    url = f"{kind}:///{tmp_path_factory.mktemp('cohorts') / f'demo.{kind}'}"
    engine = create_engine(url)
    try:
        load.create_tables(engine)
        engine.dispose()
        load.load_frames(engine, frames)
        marts_build.build_into(engine)
    finally:
        engine.dispose()
    warehouse = Warehouse(url, use_marts=source == "marts")
    assert marts_read.fresh(warehouse) == (source == "marts")
    yield warehouse
    warehouse.engine.dispose()


def oracle(frames, f: Filters) -> pd.DataFrame:
    """The same figures from the raw rows, in pandas."""
    brands = frames["brands"].merge(frames["industry_belts"][["belt_id", "province"]], how="left", on="belt_id")
    if f.belts:
        keep = brands["belt_id"].isin([b for b in f.belts if b != "none"])
        if "none" in f.belts:
            keep |= brands["belt_id"].isna()
        brands = brands[keep]
    if f.categories:
        brands = brands[brands["category"].isin(f.categories)]
    if f.managed_by:
        brands = brands[brands["managed_by"].isin(f.managed_by)]
    orders = frames["orders"].copy()
    day = pd.to_datetime(orders["ordered_at"]).dt.date
    orders = orders[(day >= f.date_from) & (day <= f.date_to)]
    rows = orders.merge(brands[["brand_id", "onboarded_on"]], on="brand_id")
    ordered = pd.to_datetime(rows["ordered_at"])
    onboarded = pd.to_datetime(rows["onboarded_on"])
    rows["months_since_onboarding"] = ((ordered.dt.year - onboarded.dt.year) * 12
                                       + ordered.dt.month - onboarded.dt.month).astype("int64")
    rows["cohort_quarter"] = [dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1) for d in onboarded]
    out = rows.groupby(["cohort_quarter", "months_since_onboarding"], as_index=False).agg(
        gmv_cny=("gmv_cny", "sum"), brands=("brand_id", "nunique"))
    out["brands"] = out["brands"].astype("int64")
    return out.sort_values(["cohort_quarter", "months_since_onboarding"]).reset_index(drop=True)[COHORT_COLUMNS]


FILTERS = {
    "year 2021": Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31)),
    "mid-month range": Filters(date_from=dt.date(2020, 11, 17), date_to=dt.date(2021, 5, 3)),
    "belts and no belt": Filters(belts=("linyi-apparel", "yiwu-small-goods", "none"),
                                 date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31)),
    "provider-served food": Filters(categories=("food",), managed_by=("provider",),
                                    date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 9, 30)),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_cohort_gmv_equals_the_pandas_oracle(wh, frames, name):
    got = cohort_gmv(wh, FILTERS[name])
    expected = oracle(frames, FILTERS[name])
    assert list(got.columns) == COHORT_COLUMNS
    assert not got.empty
    pd.testing.assert_frame_equal(got[["cohort_quarter", "months_since_onboarding", "brands"]],
                                  expected[["cohort_quarter", "months_since_onboarding", "brands"]])
    assert got["gmv_cny"].to_numpy() == pytest.approx(expected["gmv_cny"].to_numpy(), abs=0.005)


def test_cohort_months_start_at_the_onboarding_month(wh, frames):
    got = cohort_gmv(wh, FILTERS["year 2021"])
    assert got["months_since_onboarding"].min() >= 0
    assert set(got["cohort_quarter"]) <= {dt.date(y, m, 1) for y in (2020, 2021) for m in (1, 4, 7, 10)}


def test_a_range_without_orders_is_an_empty_frame_with_the_columns(wh):
    got = cohort_gmv(wh, Filters(date_from=dt.date(2000, 1, 1), date_to=dt.date(2000, 12, 31)))
    assert got.empty and list(got.columns) == COHORT_COLUMNS
