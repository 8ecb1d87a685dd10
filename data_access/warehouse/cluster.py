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

Reading needs nothing but the coordinator (data_access.warehouse.connection sets the session for a cluster).
"""
from __future__ import annotations

import re

from sqlalchemy import Table
from sqlalchemy.engine import make_url

PARAM = "cluster"  # the URL's query parameter naming the cluster
OPTION = "beltboard_cluster"  # the engine's execution option carrying it
SHARDED = ("orders", "mart_orders_daily", "mart_pair_days")  # on the shards, by brand_id
SHARDING_KEY = "brand_id"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")  # a remote_servers entry is an XML element name



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
