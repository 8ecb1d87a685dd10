"""A ClickHouse cluster behind a coordinator: which tables are sharded, and writing to every node.

The URL names the coordinator and the cluster (`remote_servers` in its configuration):

    clickhousedb://reader:PASSWORD@coordinator:8123/warehouse?cluster=beltboard

Layout, the same database name on every node:
- `orders` and the marts made from it per brand (`mart_orders_daily`, `mart_pair_days`): on each shard a
  MergeTree holding its brands' rows (sharded by `brand_id`), on the coordinator a `Distributed` table of
  the same name over them. A brand's orders, its buyers' order sequences and its daily figures all live on
  one shard, so the joins and groupings on `brand_id` that the reports and marts make stay on the shard.
- every other table (the dimensions and the per-brand records: a few rows per brand), and
  `mart_campaign_windows`, whole on every node, the coordinator included: a query that the coordinator
  sends to the shards finds them there under the same name, joined locally (no GLOBAL join needed).
- `beltboard_marts` on the coordinator records the whole cluster's orders (each shard's, its own).

So the coordinator is not one of the shards: its tables of those names are the Distributed ones. Without
ClickHouse Keeper there is no `ON CLUSTER` DDL, so a build writes to each shard itself: at the host that
the coordinator's `system.clusters` names and the HTTP port that the shard reports (`getServerPort`), with
the URL's user and password. One replica per shard (plain MergeTree, nothing replicates).

Reading needs nothing but the coordinator (data_access.warehouse sets the session for a cluster).
"""
from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from sqlalchemy import Numeric, Table, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from . import load, schema
from .freshness import MARTS_META, Source

PARAM = "cluster"  # the URL's query parameter naming the cluster
OPTION = "beltboard_cluster"  # the engine's execution option carrying it
SHARDED = ("orders", "mart_orders_daily", "mart_pair_days")  # on the shards, by brand_id
SHARDING_KEY = "brand_id"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")  # a remote_servers entry is an XML element name


class ClusterError(load.BuildError):
    """The cluster cannot be written as beltboard lays it out; str() is one line."""


def split_url(url):
    """(the URL without the cluster parameter, the cluster's name or None)."""
    url = make_url(url)
    name = url.query.get(PARAM)
    if name is None:
        return url, None
    if isinstance(name, tuple) or not NAME.match(name):
        raise ValueError(f"the URL's {PARAM}= must name one cluster of the coordinator's remote_servers")
    return url.difference_update_query([PARAM]), name


def name_of(engine_or_conn) -> str | None:
    """The cluster an engine (or connection) writes to, or None for a single server."""
    return engine_or_conn.get_execution_options().get(OPTION)


def is_sharded(table: Table | str) -> bool:
    return (table if isinstance(table, str) else table.name) in SHARDED


# ---------------------------------------------------------------------- the nodes

def shards(engine: Engine) -> list[Engine]:
    """An engine on each shard of the coordinator's cluster (the caller disposes of them)."""
    from .warehouse import create_warehouse_engine
    cluster = name_of(engine)
    with engine.connect() as conn:
        hosts = conn.execute(text(
            "SELECT shard_num, replica_num, host_name, is_local FROM system.clusters WHERE cluster = :c "
            "ORDER BY shard_num, replica_num"), {"c": cluster}).all()
        if not hosts:
            raise ClusterError(f"the coordinator has no cluster {cluster!r} in its remote_servers")
        if any(is_local for *_, is_local in hosts):
            raise ClusterError(f"the coordinator is itself a node of cluster {cluster!r}: its tables of the "
                               "contract's names are the Distributed ones, so point the URL at a node outside it")
        if any(replica > 1 for _, replica, *_ in hosts):
            raise ClusterError(f"cluster {cluster!r} has shards with several replicas; beltboard writes plain "
                               "MergeTree tables, one replica per shard")
        # getServerPort runs on each shard: the port it serves HTTP on, which system.clusters does not hold
        ports = dict(conn.execute(text(
            "SELECT shardNum(), getServerPort('http_port') FROM clusterAllReplicas(:c, system.one)"),
            {"c": cluster}).all())
    url = engine.url
    engines = []
    for shard, _replica, host, _local in hosts:
        shard_url = url.set(host=host, port=int(ports[shard]))
        node = create_warehouse_engine(shard_url.render_as_string(hide_password=False), read_only=False)
        try:
            with node.connect():
                pass
        except DBAPIError as exc:
            for opened in (*engines, node):
                opened.dispose()
            raise ClusterError(f"cannot reach shard {shard} of cluster {cluster!r} at {host}:{shard_url.port}: "
                               f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0][:200]}") from None
        engines.append(node.execution_options(
            **{k: v for k, v in engine.get_execution_options().items() if k == "schema_translate_map"}))
    return engines


def _each(engines: list[Engine], work) -> list:
    """work(engine) on every node at once (each is its own server), results in order; errors raised."""
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        return list(pool.map(work, engines))


class _Nodes:
    """The shards' engines for one write, disposed of at the end."""

    def __init__(self, engine: Engine):
        self.coordinator = engine
        self.shards = shards(engine)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for shard in self.shards:
            shard.dispose()

    @property
    def all(self) -> list[Engine]:
        return [*self.shards, self.coordinator]


# ---------------------------------------------------------------------- tables

def _database(conn, table: Table) -> str:
    return conn.schema_for_object(table) or conn.execute(select(func.currentDatabase())).scalar_one()


def create_distributed(conn, table: Table, name: str) -> None:
    """A Distributed table `name` on the coordinator over the shards' table of the same name, placing rows by
    brand_id (cluster, database and table travel as bound parameters)."""
    columns = ",\n  ".join(f"`{c.name}` {load.clickhouse_type(c)}" for c in table.c)
    conn.execute(text(f"CREATE TABLE {name} (\n  {columns}\n) ENGINE = Distributed(:cluster, :database, :table, "
                      f"{SHARDING_KEY})"),
                 {"cluster": name_of(conn), "database": _database(conn, table), "table": table.name})


def create_tables(engine: Engine) -> None:
    """The contract's tables on every node, empty: MergeTrees on the shards, on the coordinator the
    dimensions and a Distributed `orders`; the marker everywhere. Refuses (load.RefusedToOverwrite) when any
    node holds contract tables that beltboard did not create, before anything is written."""
    with _Nodes(engine) as nodes:
        for node in nodes.all:
            load.refuse_unless_ours(node)
        _each(nodes.shards, load.create_clickhouse_tables)
        with engine.begin() as conn:
            for table in (*reversed(schema.TABLES), load.MARKER):
                conn.execute(text(f"DROP TABLE IF EXISTS `{table.name}`"))
            for table in (*schema.TABLES, load.MARKER):
                if is_sharded(table):
                    create_distributed(conn, table, f"`{table.name}`")
                else:
                    conn.execute(text(load.clickhouse_ddl(table)))
        for node in nodes.all:
            with node.begin() as conn:
                conn.execute(insert(load.MARKER).values(version=1))


def insert_frame(engine: Engine, table: Table, df: pd.DataFrame) -> None:
    """Sharded rows through the coordinator's Distributed table (ClickHouse places each by brand_id, and
    the insert returns once every shard has its rows); the others to every node."""
    if is_sharded(table):
        load.insert_arrow(engine, table, df, settings={"distributed_foreground_insert": 1})
        return
    with _Nodes(engine) as nodes:
        _each(nodes.all, lambda node: load.insert_arrow(node, table, df))


# ---------------------------------------------------------------------- marts

def build_marts(engine: Engine) -> Source:
    """Each shard builds its marts from its own orders, side by side (data_access.marts.build_into; a shard
    is an ordinary warehouse of its brands); the coordinator then gets Distributed marts over them, the
    campaign windows summed over the shards (a campaign's orders may lie on several) and written to every
    node, and the freshness record of the whole cluster's orders, last."""
    from . import marts
    with _Nodes(engine) as nodes:
        with engine.begin() as conn:  # readers go to the raw tables meanwhile, not to half-built marts
            conn.execute(text(f"DROP TABLE IF EXISTS {marts._qualified(conn, MARTS_META)}"))
        _each(nodes.shards, marts.build_into)
        windows = _summed_campaign_windows(nodes.shards, marts)
        with engine.begin() as conn:
            for table in (MARTS_META, *marts.MARTS):
                conn.execute(text(f"DROP TABLE IF EXISTS {marts._qualified(conn, table)}"))
            for table in marts.MARTS:
                name = marts._qualified(conn, table)
                if is_sharded(table):
                    create_distributed(conn, table, name)
                else:
                    conn.execute(text(marts._clickhouse_ddl(table, name)))
            conn.execute(text(marts._clickhouse_ddl(MARTS_META, marts._qualified(conn, MARTS_META))))
        for node in nodes.shards:
            with node.begin() as conn:
                conn.execute(text(f"TRUNCATE TABLE {marts._qualified(conn, marts.mart_campaign_windows)}"))
        _each(nodes.all, lambda node: load.insert_arrow(node, marts.mart_campaign_windows, windows))
        with engine.begin() as conn:
            source = marts.current_source(conn)
            conn.execute(insert(MARTS_META), source.record(dt.datetime.now().replace(microsecond=0)))
        return source


def _summed_campaign_windows(shards: list[Engine], marts) -> pd.DataFrame:
    table = marts.mart_campaign_windows
    parts = _each(shards, lambda node: pd.read_sql(select(*table.c), node))  # one row per campaign and shard
    every = pd.concat(parts, ignore_index=True)
    money = [c.name for c in table.c if isinstance(c.type, Numeric)]
    keys = [c.name for c in table.c if c.name not in money]  # the campaign, and what is the campaign's own
    for name in money:  # in whole cents, so that the sums are exact
        every[name] = (pd.to_numeric(every[name]).astype(float) * 100).round().astype("int64")
    summed = every.groupby(keys, as_index=False)[money].sum()
    summed[money] = summed[money] / 100
    return summed[[c.name for c in table.c]]
