"""`python -m data_access load`: a warehouse copied from a DuckDB file or a folder of Parquet files into other
backends (the cluster among them) holds exactly the source's rows, with fresh marts; a source that lacks a
table or a column, or holds a column of the wrong type, is one line naming it, exit 1, and the target is
left as it was."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import shutil

import duckdb
import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from conftest import _unavailable
from data_access import cli
from data_access.warehouse import schema
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse, create_warehouse_engine
from data_access.warehouse.marts import read as marts
from tests import server_databases

# (target backend, source kind): each kind of source is read by two targets
TARGETS = (("sqlite", "duckdb"), ("duckdb", "parquet"), ("postgresql", "parquet"), ("cluster", "duckdb"))


@pytest.fixture(scope="module")
def sources(tmp_path_factory, frames):
    """The edge warehouse as a DuckDB file and as Parquet files, and three broken copies."""
    root = tmp_path_factory.mktemp("sources")
    good = root / "edge.duckdb"
    engine = create_warehouse_engine(f"duckdb:///{good}", read_only=False)
    try:
        load.create_tables(engine)
        load.load_frames(engine, frames)
    finally:
        engine.dispose()
    parquet = root / "parquet"
    parquet.mkdir()
    with duckdb.connect(str(good), read_only=True) as con:
        for name in schema.TABLE_NAMES:
            con.execute(f"COPY \"{name}\" TO '{parquet / name}.parquet' (FORMAT parquet)")
    no_orders = root / "no-orders"
    shutil.copytree(parquet, no_orders)
    (no_orders / "orders.parquet").unlink()
    broken = {"missing_table": (no_orders, "it lacks the table orders")}
    for case, statement, says in (
            ("missing_column", "ALTER TABLE brands DROP COLUMN managed_by", "brands.managed_by is missing"),
            ("wrong_type", "ALTER TABLE orders ALTER gmv_cny TYPE DOUBLE",
             "orders.gmv_cny: DOUBLE PRECISION cannot hold the contract's DECIMAL(12,2)")):
        path = root / f"{case}.duckdb"
        shutil.copy(good, path)
        with duckdb.connect(str(path)) as con:
            con.execute(statement)
        broken[case] = (path, says)
    return {"duckdb": good, "parquet": parquet, **broken}


@pytest.fixture(scope="module", params=TARGETS, ids=[f"{t}-from-{s}" for t, s in TARGETS])
def target(request, sources, frames, tmp_path_factory):
    """A target loaded from a good source by the command (exit 0), for the tests to read and to spoil."""
    backend, kind = request.param
    if backend == "cluster":
        url = request.getfixturevalue("clickhouse_cluster").database("loadtest")
    elif backend == "postgresql":
        name = server_databases.name_for("loadtest")
        try:
            url = server_databases.create(backend, name)
        except DBAPIError as exc:
            _unavailable(backend, exc)
        request.addfinalizer(lambda: server_databases.drop(backend, name))
    else:
        url = f"{backend}:///{tmp_path_factory.mktemp('target') / f'copy.{backend}'}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["load", "--from", str(sources[kind]), "--url", url])
    assert code == 0, err.getvalue()
    assert out.getvalue().startswith(f"loaded {sources[kind]} into ")
    assert f" {len(frames['orders']):,} orders in " in out.getvalue()
    return url


def _value(v):
    """A cell as plain Python, alike on every backend (money to the cent, timestamps to the second)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return bool(v)
    if isinstance(v, float):
        return round(v, 2)
    if hasattr(v, "item"):  # numpy scalars
        return _value(v.item())
    return v


def _rows(df: pd.DataFrame) -> list[tuple]:
    return sorted((tuple(_value(v) for v in row) for row in df.itertuples(index=False)), key=repr)


def test_the_copy_holds_exactly_the_source_s_rows_and_fresh_marts(target, frames):
    wh = Warehouse(target)
    try:
        for table in schema.TABLES:
            got = wh.frame(select(*table.c))
            want = frames[table.name][[c.name for c in table.c]]
            assert _rows(got) == _rows(want), table.name
        assert marts.fresh(wh)
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("case", ["missing_table", "missing_column", "wrong_type"])
def test_a_bad_source_is_one_line_naming_it_and_the_target_is_left_as_it_was(target, sources, frames, case,
                                                                          capsys):
    path, says = sources[case]
    code = cli.main(["load", "--from", str(path), "--url", target])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and says in err and "nothing was written" in err, err
    wh = Warehouse(target)
    try:
        assert wh.scalar(select(func.count()).select_from(schema.orders)) == len(frames["orders"])
        assert wh.scalar(select(func.count()).select_from(schema.brands)) == len(frames["brands"])
        assert marts.fresh(wh)
    finally:
        wh.engine.dispose()


def test_a_source_that_is_not_there_is_a_bad_argument(tmp_path, capsys):
    code = cli.main(["load", "--from", str(tmp_path / "nowhere.duckdb"), "--url", f"sqlite:///{tmp_path / 'x'}"])
    assert code == 2
    missing = tmp_path / "nowhere.duckdb"
    assert capsys.readouterr().err.strip() == f"error: argument --from: no such file or folder: {missing}"
    assert not (tmp_path / "x").exists()
