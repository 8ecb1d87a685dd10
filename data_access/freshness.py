"""Which data a warehouse holds now: the marts' freshness record, and the generation judged from it.

`data_access.marts` builds the marts and writes the record (`beltboard_marts`): for each mart, the
mart version and the `orders` row count and max(order_id) it was built from. A Warehouse
(data_access.warehouse) owns its `Generation`: it reads the record and the orders' count and
max(order_id) (`judge`), and a token that changes whenever the data may have changed — a new
file, other orders, rebuilt marts. The dashboard folds the token into every cache key.

Declarations and pure judgement only: this module imports neither the warehouse nor the marts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, func, select

from .schema import orders

MARTS_VERSION = 3  # bump when a mart's layout or meaning changes: older marts are then not read
MART_NAMES = ("mart_pair_days", "mart_orders_daily", "mart_campaign_windows")

MARTS_META = Table(
    "beltboard_marts", MetaData(),
    Column("mart", String(64), nullable=False),
    Column("version", Integer, nullable=False, autoincrement=False),
    Column("source_rows", BigInteger, nullable=False, autoincrement=False),
    Column("source_max_order_id", BigInteger, nullable=True, autoincrement=False),
    Column("source_max_ordered_at", DateTime, nullable=True),  # the as-of date's source, while fresh
    Column("built_at", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Generation:
    """The data a warehouse holds now. `token` is hashable and changes with the data; `marts_fresh`:
    the marts describe exactly the current orders; `latest`: max(ordered_at) as recorded with them."""
    token: tuple
    marts_fresh: bool = False
    latest: dt.datetime | None = None


def record_query():
    m = MARTS_META.c
    return select(m.mart, m.version, m.source_rows, m.source_max_order_id, m.source_max_ordered_at, m.built_at)


def orders_query():
    return select(func.count().label("rows"), func.max(orders.c.order_id).label("max_id"))


def complete(record: list | None) -> bool:
    """Whether the record names every mart (the marts may then be fresh)."""
    return record is not None and {r[0] for r in record} == set(MART_NAMES)


def judge(token: tuple, record: list | None, source: tuple | None, use_marts: bool = True) -> Generation:
    """The generation of a warehouse whose record rows are `record` (None: no record table) and whose
    orders have (count, max order_id) `source` (None: not counted, when the record is incomplete)."""
    if not use_marts or not complete(record) or source is None:
        return Generation(token)
    rows, max_id = source
    if any((r[1], r[2], r[3]) != (MARTS_VERSION, rows, max_id) for r in record):
        return Generation(token)
    latest = record[0][4]
    return Generation(token, True, None if latest is None else pd.Timestamp(latest).to_pydatetime())


def orders_summary(row) -> tuple[int, int | None]:
    rows, max_id = row
    return int(rows), None if max_id is None or pd.isna(max_id) else int(max_id)


def server_token(record: list | None, source: tuple) -> tuple:
    """A server's token: the orders' count and max(order_id), and the record (its built_at changes with
    every build, so a rebuild with as many orders still counts as new data)."""
    return ("orders", *source, tuple(sorted(tuple(r) for r in record or ())))
