"""The marts: who may build them, when they count as fresh, and that stale ones are never read.

That the marts give the same figures as the raw tables is proven by the backend matrix
(tests/test_reports.py and tests/test_brand.py run every report both ways against the oracle).
"""
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert, inspect

from data_access import cli
from data_access.demo import build as demo_build
from data_access.metrics import reports
from data_access.warehouse import freshness as marts_freshness, schema
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse, WarehouseError, create_warehouse_engine
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import build as marts_build, definitions as marts_definitions, read as marts_read


def _theirs(path, frames) -> str:
    """A warehouse with the contract tables that beltboard did not create (no marker)."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    try:
        schema.metadata.create_all(engine)
        load.load_frames(engine, frames)
    finally:
        engine.dispose()
    return url


def test_build_marts_refuses_a_warehouse_it_did_not_create(tmp_path, frames, capsys):
    url = _theirs(tmp_path / "theirs.sqlite", frames)
    assert cli.main(["build-marts", "--url", url]) == 1
    err = capsys.readouterr().err.strip()
    assert "not created by beltboard" in err and "--owned" in err and "\n" not in err
    engine = create_engine(url)
    try:
        built = {m.name for m in (marts_freshness.MARTS_META, *marts_definitions.MARTS)}
        assert not built & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_build_marts_writes_into_an_owned_warehouse_when_asked(tmp_path, frames):
    url = _theirs(tmp_path / "mine.sqlite", frames)
    assert cli.main(["build-marts", "--url", url, "--owned"]) == 0
    wh = Warehouse(url)
    try:
        assert marts_read.fresh(wh)
    finally:
        wh.engine.dispose()


def test_marts_go_stale_when_orders_change_and_are_then_not_read(tmp_path, frames):
    url = f"sqlite:///{tmp_path / 'ours.sqlite'}"
    engine = create_engine(url)
    try:
        load.create_tables(engine)
        load.load_frames(engine, frames)
        marts_build.build_into(engine)
    finally:
        engine.dispose()
    f = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31), grain="quarter")
    wh = Warehouse(url)
    before = reports.sales(wh, f)
    assert marts_read.fresh(wh)
    wh.engine.dispose()

    engine = create_engine(url)   # a late order arrives: the marts no longer describe the orders
    try:
        with engine.begin() as conn:
            conn.execute(insert(schema.orders).values(
                order_id=int(frames["orders"].order_id.max()) + 1, brand_id=int(frames["brands"].brand_id.iloc[0]),
                buyer_id=1, ordered_at=dt.datetime(2021, 12, 31, 12), channel="store", traffic_source="public",
                campaign_id=None, channel_exclusive=False, gmv_cny=1000.0, refunded=False, returned=False,
                return_shipping_insured=False))
    finally:
        engine.dispose()
    wh = Warehouse(url)
    try:
        assert not marts_read.fresh(wh)
        after = reports.sales(wh, f)
    finally:
        wh.engine.dispose()
    assert after["orders"].sum() == before["orders"].sum() + 1
    assert float(after["gmv_cny"].sum()) == float(before["gmv_cny"].sum()) + 1000.0


def test_the_demo_builds_fresh_marts(tmp_path):
    url = f"duckdb:///{tmp_path / 'demo_synthesis.duckdb'}"
    demo_build.build(url, orders=3_000, seed=2)
    wh = Warehouse(url)
    try:
        assert marts_read.fresh(wh)
        meta = wh.frame(marts_freshness.MARTS_META.select())
        assert set(meta["mart"]) == {m.name for m in marts_definitions.MARTS}
        assert set(meta["source_rows"]) == {3_000}
        daily = wh.frame(marts_definitions.mart_daily.select())
        assert int(daily["orders"].sum()) == 3_000
        assert pd.Series(daily["pairs_year"]).sum() > 0
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("kind", ["duckdb", "sqlite", "chdb"])
def test_a_warehouse_without_marts_is_read_raw(tmp_path, frames, kind):
    url = f"{kind}:///{tmp_path / 'plain'}"
    engine = create_warehouse_engine(url, read_only=False)
    try:
        load.create_tables(engine)
        load.load_frames(engine, frames)
    finally:
        engine.dispose()
    wh = Warehouse(url)
    try:
        assert not marts_read.fresh(wh)
        assert wh.as_of() == dt.date(2021, 12, 31)
        assert int(reports.sales(wh, Filters(grain="year"))["orders"].sum()) > 0
    finally:
        wh.engine.dispose()


def test_an_unreachable_warehouse_is_an_error_not_a_silent_raw_read(tmp_path):
    wh = Warehouse(f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite'}")
    with pytest.raises(WarehouseError):
        marts_read.fresh(wh)


def test_build_marts_says_what_it_did_and_why(tmp_path, frames, capsys):
    """No marts yet: a full build; again: nothing to do; --full: a full build because it was asked for. While a
    reader holds a DuckDB file, one line (exit 1), not a traceback."""
    url = f"duckdb:///{tmp_path / 'told.duckdb'}"
    engine = create_warehouse_engine(url, read_only=False)
    try:
        load.create_tables(engine)
        load.load_frames(engine, frames)
    finally:
        engine.dispose()
    for args, words in ((["build-marts"], ("rebuilt in full", "no marts yet")),
                        (["build-marts"], ("already up to date", f"{len(frames['orders']):,} orders")),
                        (["build-marts", "--full"], ("rebuilt in full", "--full was given"))):
        assert cli.main([*args, "--url", url]) == 0
        out = capsys.readouterr().out
        assert all(word in out for word in words) and out.count("\n") == 1, out
    reader = Warehouse(url)
    try:
        assert marts_read.fresh(reader)  # the file is open read-only in this process
        assert cli.main(["build-marts", "--url", url]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: build-marts could not write the marts") and "\n" not in err, err
    finally:
        reader.engine.dispose()
