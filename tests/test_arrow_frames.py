"""DuckDB answers as Arrow columns (data_access.warehouse._typed_arrow), the other drivers as rows
(`_typed`): the two roads must give the same frame, dtype for dtype and value for value, for every
dataset of the catalogue, under the filters that empty a column too (tests/edge_warehouse), from the
marts and from the raw tables."""
from __future__ import annotations

import decimal

import pandas as pd
import pyarrow as pa
import pytest

from data_access.metrics.catalogue import DATASETS
from data_access.warehouse import connection as warehouse_module
from data_access.warehouse.filters import Filters
from edge_warehouse import BIG_BRAND_ID, BIG_PROVIDER_ID, NO_ORDERS_BRAND, empty_column_filters

CASES = {"defaults": Filters(), **empty_column_filters()}
PROVIDERS = (101, 108, BIG_PROVIDER_ID)  # one that serves brands, one that never has, one beyond float64


def _frames(wh, name: str, f: Filters) -> list[pd.DataFrame]:
    d = DATASETS[name]
    if d.subject == "provider":
        return [d.run(wh, f, p) for p in PROVIDERS]
    if d.subject == "brand":
        return [d.run(wh, f.with_(brand_ids=(b,))) for b in (1, 2, NO_ORDERS_BRAND, BIG_BRAND_ID)]
    return [d.run(wh, f)]


@pytest.mark.parametrize("warehouse", ["duckdb"], indirect=True)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_dataset_is_the_same_frame_from_arrow_and_from_rows(warehouse, case, monkeypatch):
    f = CASES[case]
    for source in ("marts", "raw"):
        wh = warehouse.source(source)
        from_arrow = {name: _frames(wh, name, f) for name in sorted(DATASETS)}
        with monkeypatch.context() as rows_only:
            rows_only.setattr(warehouse_module, "_arrow_of", lambda result, dialect: None)
            from_rows = {name: _frames(wh, name, f) for name in sorted(DATASETS)}
        for name in sorted(DATASETS):
            for a, r in zip(from_arrow[name], from_rows[name]):
                pd.testing.assert_frame_equal(a, r, check_exact=True, obj=f"{name} [{case}] from {source}")


def test_decimals_become_the_floats_python_makes_of_them():
    """A DECIMAL is float(Decimal) exactly (Arrow's own cast is off by one ulp for some values), NULL is NaN;
    a 38-digit integer (DuckDB's HUGEINT, a SUM of integers) stays an exact Int64; beyond 53 bits the values
    go through Python."""
    values = [decimal.Decimal("0.29"), decimal.Decimal("-1234567.89"), None, decimal.Decimal("90071992547.41"),
              decimal.Decimal("0.07")]
    col = pa.chunked_array([pa.array(values[:2], type=pa.decimal128(38, 2)),
                            pa.array(values[2:], type=pa.decimal128(38, 2))])
    got = warehouse_module._arrow_column(col, "float")
    expected = [float(v) if v is not None else float("nan") for v in values]
    assert [float(x).hex() for x in got] == [x.hex() for x in expected]
    sums = pa.chunked_array([pa.array([3, None, -(2 ** 40)], type=pa.decimal128(38, 0))])
    ints = pd.Series(warehouse_module._arrow_column(sums, None))
    assert ints.dtype == "Int64" and list(ints.fillna(-1)) == [3, -1, -(2 ** 40)]
    big = decimal.Decimal(2 ** 70) + decimal.Decimal("0.5")
    huge = pa.chunked_array([pa.array([big], type=pa.decimal128(38, 1))])
    assert list(warehouse_module._arrow_column(huge, "float")) == [float(big)]
