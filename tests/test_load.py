"""The loader round trip on every backend, and its refusal to overwrite a warehouse it did not create."""
import datetime as dt

import pytest
from sqlalchemy import create_engine, func, select, text

from data_access.warehouse import schema
from data_access.warehouse.build import load as load_load, writing as load_writing
from data_access.warehouse.connection import Warehouse


@pytest.mark.parametrize("table", schema.TABLE_NAMES)
def test_row_counts_match_the_frames(warehouse, table):
    t = schema.metadata.tables[table]
    assert warehouse.wh.scalar(select(func.count()).select_from(t)) == len(warehouse.frames[table])


def test_values_survive_the_round_trip(warehouse):
    wh, frames = warehouse.wh, warehouse.frames
    assert wh.as_of() == dt.date(2021, 12, 31)
    names = wh.frame(select(schema.brands.c.brand_id, schema.brands.c.name))
    assert dict(zip(names.brand_id.map(int), names.name)) == dict(zip(frames["brands"].brand_id, frames["brands"].name))
    providers = wh.frame(select(schema.providers.c.provider_id, schema.providers.c.name))
    assert dict(zip(providers.provider_id.map(int), providers.name)) == dict(
        zip(frames["providers"].provider_id, frames["providers"].name))
    cents = wh.scalar(select(func.sum(schema.orders.c.gmv_cny)))
    assert round(float(cents), 2) == round(float(frames["orders"].gmv_cny.sum()), 2)
    latest = wh.frame(select(schema.orders.c.order_id, schema.orders.c.ordered_at)
                      .order_by(schema.orders.c.ordered_at.desc(), schema.orders.c.order_id.desc()).limit(1))
    assert str(latest.ordered_at.iloc[0])[:19] == "2021-12-31 23:59:59"
    open_ended = wh.scalar(select(func.count()).select_from(schema.provider_assignments)
                           .where(schema.provider_assignments.c.end_on.is_(None)))
    assert open_ended == frames["provider_assignments"].end_on.isna().sum()


def test_unreachable_server_skips_locally_and_fails_in_ci(monkeypatch):
    from conftest import _unavailable
    exc = ConnectionError("connection refused\nmore detail")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="postgresql server unreachable: connection refused"):
        _unavailable("postgresql", exc)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        _unavailable("postgresql", exc)


def test_create_tables_refuses_a_warehouse_it_did_not_create(tmp_path):
    url = f"sqlite:///{tmp_path / 'theirs.sqlite'}"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE brands (brand_id BIGINT PRIMARY KEY, name VARCHAR(128))"))
            conn.execute(text("INSERT INTO brands VALUES (1, 'theirs')"))
        with pytest.raises(load_writing.RefusedToOverwrite, match="brands"):
            load_load.create_tables(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM brands")).scalar() == "theirs"
            tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
        assert tables == {"brands"}
    finally:
        engine.dispose()


def test_create_tables_replaces_its_own_warehouse(tmp_path, frames):
    url = f"sqlite:///{tmp_path / 'ours.sqlite'}"
    engine = create_engine(url)
    try:
        load_load.create_tables(engine)
        load_load.load_frames(engine, frames)
        load_load.create_tables(engine)  # ours (marker present): replaced, now empty
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema.orders)).scalar() == 0
    finally:
        engine.dispose()
    wh = Warehouse(url)
    try:
        assert wh.scalar(select(func.count()).select_from(schema.brands)) == 0
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("warehouse", ["chdb"], indirect=True)  # a ClickHouse layout: generated for chDB only
def test_clickhouse_tables_are_mergetrees_ordered_for_the_reports(warehouse):
    tables = warehouse.wh.frame(select(text("name, engine, sorting_key, partition_key"))
                                .select_from(text("system.tables")).where(text("database = currentDatabase()")))
    layout = {row.name: row for row in tables.itertuples()}
    assert {t: layout[t].engine for t in schema.TABLE_NAMES} == {t: "MergeTree" for t in schema.TABLE_NAMES}
    assert layout["orders"].sorting_key == "brand_id, ordered_at"
    assert layout["orders"].partition_key == "toYYYYMM(ordered_at)"
    assert layout["campaigns"].sorting_key.startswith("brand_id, start_on")
    columns = warehouse.wh.frame(select(text("table, name, type")).select_from(text("system.columns"))
                                 .where(text("database = currentDatabase()")))
    nullable = {(r.table, r.name) for r in columns.itertuples()
                if "Nullable(" in r.type and r.table in schema.TABLE_NAMES}
    expected = {(t.name, c.name) for t in schema.TABLES for c in t.c if c.nullable and not c.primary_key}
    assert nullable == expected
    types = {(r.table, r.name): r.type for r in columns.itertuples()}
    assert types[("orders", "gmv_cny")] == "Decimal(12, 2)" and types[("orders", "refunded")] == "Bool"
    assert types[("orders", "ordered_at")] == "DateTime" and types[("campaigns", "start_on")] == "Date"
