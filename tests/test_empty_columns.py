"""Ordinary filters that leave an optional column all-empty (issue 9, item 4): no crash, the same types.

Under pandas 3 an all-NULL column once became datetime64[s] on its way through `pd.to_datetime` and
then refused to compare with a date (`/steps?category=agri`). `Warehouse.frame` now types every column
by the select's declared SQL type. Here every data function a page can ask for (every dataset of
data_access.metrics.catalogue: the reports, cohorts, the brand and provider figures) runs on every backend, from the
marts and from the raw tables, under filters whose brands have no completed current step, no campaign,
no provider or no orders (tests/edge_warehouse.empty_column_filters; the oracle matrix of
tests/test_reports.py checks the reports' figures under the same filters). Each frame must come back
typed as when it holds values: dates as `datetime.date`, measures numeric, flags boolean.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import false, func, select

from data_access.metrics.catalogue import DATASETS
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.marts.definitions import mart_daily
from data_access.warehouse.schema import brands, campaigns, steps_milestones
from edge_warehouse import LAST_DAY, NO_ORDERS_BRAND, empty_column_filters

# Rankings and counts over a report's rows (data_access.metrics.summaries) are pandas over frames the reports type
# alike on
# every backend: they run on one backend, the reports they sum on all of them.
SUMMARIES = {name for name, d in DATASETS.items()
             if d.compute.__module__ == "data_access.metrics.summaries" and d.subject != "provider"}
DATA = {name: d.compute for name, d in DATASETS.items() if d.subject != "provider" and name not in SUMMARIES}
PROVIDER_DATA = {name: d.compute for name, d in DATASETS.items() if d.subject == "provider"}  # (wh, f, id)

CASES = empty_column_filters()
DATE_COLUMNS = {"period_start", "cohort_quarter", "current_step_started_on", "started_on", "completed_on",
                "start_on", "end_on", "onboarded_on", "window_start", "month_start"}
TEXT_COLUMNS = {"group", "brand_name", "belt_id", "name", "name_zh", "name_en", "province", "category",
                "brand_type", "managed_by", "provider_name", "provider_type", "channel", "traffic_source", "state",
                "status", "evidence_name", "main_belt", "metric", "multiple_range"}
FLAG_COLUMNS = {"new_in_current", "stalled", "window_complete", "evidence_met"}
PROVIDERS = (101, 108)  # one that serves brands, one that never has


def selected_brands(frames, f) -> list[int]:
    """The brands (onboarded by LAST_DAY) that the filters' category / type / managed-by select, in pandas."""
    b = frames["brands"]
    keep = b["onboarded_on"] <= LAST_DAY
    for column, values in (("category", f.categories), ("brand_type", f.brand_types), ("managed_by", f.managed_by)):
        if values:
            keep &= b[column].isin(values)
    return sorted(int(x) for x in b.loc[keep, "brand_id"])


def _current_step_done(milestones: pd.DataFrame) -> set[int]:
    reached = milestones[milestones["started_on"] <= LAST_DAY].sort_values("step")
    current = reached.groupby("brand_id").tail(1)
    return {int(b) for b, c in zip(current["brand_id"], current["completed_on"]) if c is not None and c <= LAST_DAY}


def test_each_case_really_empties_its_column(frames):
    empty_in = {
        "no-completed-step": _current_step_done(frames["steps_milestones"]),
        "no-campaign": set(frames["campaigns"]["brand_id"]),
        "no-provider": set(frames["provider_assignments"]["brand_id"]),
        "no-orders": set(frames["orders"]["brand_id"]),
    }
    for case, f in CASES.items():
        chosen = selected_brands(frames, f)
        assert chosen, f"{case}: the filters select no brand at all"
        assert not set(chosen) & empty_in[case], f"{case}: {sorted(set(chosen) & empty_in[case])} fill the column"
    assert selected_brands(frames, CASES["no-orders"]) == [NO_ORDERS_BRAND]


def assert_typed(df: pd.DataFrame, label: str, record: bool = False) -> None:
    """Columns typed by what they hold when not empty: dates, text, flags, else numbers (a `record`, one
    row of Python values such as the brand profile, only its dates)."""
    assert isinstance(df, pd.DataFrame), label
    for column in df.columns:
        values = df[column]
        if column in DATE_COLUMNS:
            odd = [v for v in values if v is not None and type(v) is not dt.date]
            assert values.dtype == object and not odd, f"{label}: {column} ({values.dtype}) holds {odd[:3]}"
        elif column in FLAG_COLUMNS:
            assert pd.api.types.is_bool_dtype(values), f"{label}: {column} is {values.dtype}, not boolean"
        elif column not in TEXT_COLUMNS and not record:
            assert pd.api.types.is_numeric_dtype(values), f"{label}: {column} is {values.dtype}, not a number"


def _brand_level(name: str) -> bool:
    return DATASETS[name].subject == "brand"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(DATA))
def test_every_data_function_survives_an_empty_column(warehouse, name, case):
    f = CASES[case]
    targets = [f.with_(brand_ids=(b,)) for b in selected_brands(warehouse.frames, f)[:2]] if _brand_level(name) else [f]
    for source in ("marts", "raw"):
        wh = warehouse.source(source)
        for target in targets:
            df = DATASETS[name].compute(wh, target)
            assert_typed(df, f"{name} [{case}] on {warehouse.backend} from {source}", record=name == "brand_profile")
            if name == "steps" and case == "no-completed-step":  # its completion compared with the as-of date
                assert (df["state"] != "completed").all()


@pytest.mark.parametrize("warehouse", ["duckdb"], indirect=True)
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_every_summary_survives_an_empty_column(warehouse, name, case):
    test_every_data_function_survives_an_empty_column(warehouse, name, case)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(PROVIDER_DATA))
def test_every_provider_function_survives_an_empty_column(warehouse, name, case):
    for source in ("marts", "raw"):
        for provider_id in PROVIDERS:
            df = PROVIDER_DATA[name](warehouse.source(source), CASES[case], provider_id)
            assert_typed(df, f"{name} [{case}] provider {provider_id} on {warehouse.backend} from {source}")


def test_frame_types_columns_by_their_declared_sql_types(warehouse):
    """All-NULL and zero-row columns keep the type their SQL declares, on every backend."""
    wh: Warehouse = warehouse.wh
    m = steps_milestones
    open_steps = wh.frame(select(m.c.completed_on, m.c.step, m.c.started_on).where(m.c.completed_on.is_(None)))
    assert len(open_steps) > 0
    assert open_steps["completed_on"].dtype == object and open_steps["completed_on"].isna().all()
    assert not (open_steps["completed_on"] <= LAST_DAY).any()  # compares with a date; no datetime64
    assert str(open_steps["step"].dtype) == "Int64"
    assert all(type(v) is dt.date for v in open_steps["started_on"])

    nothing = wh.frame(select(func.max(campaigns.c.provider_id).label("provider_id"),
                              func.sum(campaigns.c.spend_cny).label("spend_cny"),
                              func.max(campaigns.c.start_on).label("start_on"))
                       .where(campaigns.c.brand_id == NO_ORDERS_BRAND))
    assert str(nothing["provider_id"].dtype) == "Int64" and nothing["provider_id"].isna().all()
    assert nothing["spend_cny"].dtype == "float64"  # NULL, or 0 on ClickHouse (sum over no rows)
    assert nothing["start_on"].dtype == object and all(v is None or type(v) is dt.date for v in nothing["start_on"])

    no_rows = wh.frame(select(brands.c.brand_id, brands.c.offsite_gmv_cny, brands.c.onboarded_on).where(false()))
    assert [str(t) for t in no_rows.dtypes] == ["Int64", "float64", "object"]

    sums = wh.frame(select(func.sum(mart_daily.c.orders).label("orders")))  # a Decimal on PostgreSQL / MariaDB
    assert str(sums["orders"].dtype) == "Int64" and sums["orders"].iat[0] > 0

