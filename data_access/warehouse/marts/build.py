"""Building the marts (definitions.py says what they hold): in one transaction on one server, staged on a
database server, shard by shard on a cluster. The dashboard never builds them."""
from __future__ import annotations

import datetime as dt
import time

import pandas as pd
from sqlalchemy import Numeric, Table, insert, inspect, select, text
from sqlalchemy.engine import Engine

from ..build import writing
from ..build.nodes import Nodes, create_distributed, each
from ..cluster import is_sharded, name_of
from ..connection import Warehouse, WarehouseError, describe_safely
from ..freshness import MARTS_META, Source
from .definitions import (
    BUILT,
    MART_LAYOUT,
    MARTS,
    SOURCES,
    current_source,
    mart_campaign_windows,
    mart_pair_days,
    mart_rows,
)


class NotOurs(WarehouseError):
    """build-marts was pointed at a warehouse that beltboard did not create, without --owned."""

def check_ours(wh: Warehouse, owned: bool) -> set[str]:
    """Raise NotOurs unless beltboard created this warehouse (its marker) or its owner says it is theirs; returns
    the names of its tables."""
    names = set(inspect(wh.engine).get_table_names(schema=wh.schema))
    if writing.MARKER.name not in names and not owned:
        raise NotOurs(
            f"the warehouse ({wh.where}) was not created by beltboard; build-marts writes into it only when "
            f"its owner asks with --owned")
    return names


def build(url: str | None = None, *, owned: bool = False, quiet: bool = False, schema: str | None = None) -> float:
    """Rebuild every mart inside the warehouse at `url` (in `schema`, beside the contract's tables or views
    there; None: the configured schema); returns seconds taken. `python -m data_access build-marts` refreshes
    them incrementally where it can (data_access.warehouse.marts.refresh).

    Refuses (NotOurs) a warehouse without beltboard's marker unless `owned`: the dashboard
    never writes to a warehouse it did not create."""
    started = time.perf_counter()
    wh = Warehouse(url, read_only=False, schema=schema)
    try:
        check_ours(wh, owned)
        rebuild(wh)
    finally:
        wh.engine.dispose()
    seconds = time.perf_counter() - started
    if not quiet:
        print(f"marts built in {describe_safely(url or wh.url)} in {seconds:.1f} s")
    return seconds


def rebuild(wh: Warehouse) -> Source:
    """The full build, staged on a database server: built aside and swapped in (writing.staged)."""
    with writing.staged(wh.engine, BUILT, sources=SOURCES) as engine:
        return build_into(engine)


def build_into(engine) -> Source:
    """Drop and rebuild the marts with this engine, in one transaction where the engine has
    transactional DDL (SQLite, DuckDB, PostgreSQL); the metadata rows go in last, so a reader
    sees either complete fresh marts or none. Returns what they were built from. A cluster's shards build their
    own (data_access.warehouse.cluster)."""
    if name_of(engine):
        return build_on_cluster(engine)
    clickhouse = writing.is_clickhouse(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # pysqlite would leave the DDL outside the transaction
        for table in (MARTS_META, *MARTS):
            conn.execute(text(f"DROP TABLE IF EXISTS {qualified(conn, table)}"))
        for table in (MARTS_META, *MARTS):
            if clickhouse:
                conn.execute(text(clickhouse_ddl(table, qualified(conn, table))))
            else:
                table.create(conn)
        source = current_source(conn)
        for table, rows in mart_rows(source, pairs_from=mart_pair_days).items():  # the daily mart reads the pairs'
            conn.execute(insert(table).from_select([c.name for c in table.c], rows))
        conn.execute(insert(MARTS_META), source.record(dt.datetime.now().replace(microsecond=0)))
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    elif engine.dialect.name == "postgresql":  # planner statistics for the new tables (and fresh loads)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return source


def qualified(conn, table: Table) -> str:
    """The table's quoted name, in the schema the connection maps it to (Warehouse(schema=…))."""
    quote = conn.dialect.identifier_preparer
    schema = conn.schema_for_object(table)
    return f"{quote.quote_schema(schema)}.{quote.quote(table.name)}" if schema else quote.quote(table.name)


def clickhouse_ddl(table: Table, name: str) -> str:
    columns = ",\n  ".join(f"`{c.name}` {writing.clickhouse_type(c)}" for c in table.c)
    return f"CREATE TABLE {name} (\n  {columns}\n) ENGINE = MergeTree {MART_LAYOUT[table.name]}"



def build_on_cluster(engine: Engine) -> Source:
    """Each shard builds its marts from its own orders, side by side (data_access.build_into; a shard
    is an ordinary warehouse of its brands); the coordinator then gets Distributed marts over them, the
    campaign windows summed over the shards (a campaign's orders may lie on several) and written to every
    node, and the freshness record of the whole cluster's orders, last."""
    with Nodes(engine) as nodes:
        with engine.begin() as conn:  # readers go to the raw tables meanwhile, not to half-built marts
            conn.execute(text(f"DROP TABLE IF EXISTS {qualified(conn, MARTS_META)}"))
        each(nodes.shards, build_into)
        windows = _summed_campaign_windows(nodes.shards)
        with engine.begin() as conn:
            for table in (MARTS_META, *MARTS):
                conn.execute(text(f"DROP TABLE IF EXISTS {qualified(conn, table)}"))
            for table in MARTS:
                name = qualified(conn, table)
                if is_sharded(table):
                    create_distributed(conn, table, name)
                else:
                    conn.execute(text(clickhouse_ddl(table, name)))
            conn.execute(text(clickhouse_ddl(MARTS_META, qualified(conn, MARTS_META))))
        for node in nodes.shards:
            with node.begin() as conn:
                conn.execute(text(f"TRUNCATE TABLE {qualified(conn, mart_campaign_windows)}"))
        each(nodes.all, lambda node: writing.insert_arrow(node, mart_campaign_windows, windows))
        with engine.begin() as conn:
            source = current_source(conn)
            conn.execute(insert(MARTS_META), source.record(dt.datetime.now().replace(microsecond=0)))
        return source


def _summed_campaign_windows(shards: list[Engine]) -> pd.DataFrame:
    table = mart_campaign_windows
    parts = each(shards, lambda node: pd.read_sql(select(*table.c), node))  # one row per campaign and shard
    every = pd.concat(parts, ignore_index=True)
    money = [c.name for c in table.c if isinstance(c.type, Numeric)]
    keys = [c.name for c in table.c if c.name not in money]  # the campaign, and what is the campaign's own
    for name in money:  # in whole cents, so that the sums are exact
        every[name] = (pd.to_numeric(every[name]).astype(float) * 100).round().astype("int64")
    summed = every.groupby(keys, as_index=False)[money].sum()
    summed[money] = summed[money] / 100
    return summed[[c.name for c in table.c]]
