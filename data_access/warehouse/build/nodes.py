"""Writing to every node of a ClickHouse cluster (its layout: warehouse.cluster): the shards' engines,
the contract's tables on each, and rows to the right ones."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from .. import schema
from ..cluster import SHARDING_KEY, is_sharded, name_of
from ..connection import create_warehouse_engine
from . import writing


class ClusterError(writing.BuildError):
    """The cluster cannot be written as beltboard lays it out; str() is one line."""


# ---------------------------------------------------------------------- the nodes

def shards(engine: Engine) -> list[Engine]:
    """An engine on each shard of the coordinator's cluster (the caller disposes of them)."""
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


def each(engines: list[Engine], work) -> list:
    """work(engine) on every node at once (each is its own server), results in order; errors raised."""
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        return list(pool.map(work, engines))


class Nodes:
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
    columns = ",\n  ".join(f"`{c.name}` {writing.clickhouse_type(c)}" for c in table.c)
    conn.execute(text(f"CREATE TABLE {name} (\n  {columns}\n) ENGINE = Distributed(:cluster, :database, :table, "
                      f"{SHARDING_KEY})"),
                 {"cluster": name_of(conn), "database": _database(conn, table), "table": table.name})


def create_tables(engine: Engine) -> None:
    """The contract's tables on every node, empty: MergeTrees on the shards, on the coordinator the
    dimensions and a Distributed `orders`; the marker everywhere. Refuses (writing.RefusedToOverwrite) when any
    node holds contract tables that beltboard did not create, before anything is written."""
    with Nodes(engine) as nodes:
        for node in nodes.all:
            writing.refuse_unless_ours(node)
        each(nodes.shards, writing.create_clickhouse_tables)
        with engine.begin() as conn:
            for table in (*reversed(schema.TABLES), writing.MARKER):
                conn.execute(text(f"DROP TABLE IF EXISTS `{table.name}`"))
            for table in (*schema.TABLES, writing.MARKER):
                if is_sharded(table):
                    create_distributed(conn, table, f"`{table.name}`")
                else:
                    conn.execute(text(writing.clickhouse_ddl(table)))
        for node in nodes.all:
            with node.begin() as conn:
                conn.execute(insert(writing.MARKER).values(version=1))


def insert_frame(engine: Engine, table: Table, df: pd.DataFrame) -> None:
    """Sharded rows through the coordinator's Distributed table (ClickHouse places each by brand_id, and
    the insert returns once every shard has its rows); the others to every node."""
    if is_sharded(table):
        writing.insert_arrow(engine, table, df, settings={"distributed_foreground_insert": 1})
        return
    with Nodes(engine) as nodes:
        each(nodes.all, lambda node: writing.insert_arrow(node, table, df))
