"""Which data a warehouse holds now: the marts' freshness record, and the generation judged from it.

`data_access.warehouse.marts.build` builds the marts and writes the record (`beltboard_marts`): for each mart, the
mart version and what it was built from (`Source`): the `orders` row count, max(order_id) and
fingerprint (data_access.warehouse.fingerprint), the same of the campaigns, and the latest order's time;
`data_access.warehouse.marts.refresh` reads it to bring the marts up to date incrementally. A Warehouse
(data_access.warehouse.connection) owns its `Generation`: it reads the record and the orders' count and
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

MARTS_VERSION = 4  # bump when a mart's layout or meaning changes: older marts are then not read, and rebuilt
MART_NAMES = ("mart_pair_days", "mart_orders_daily", "mart_campaign_windows")

MARTS_META = Table(
    "beltboard_marts", MetaData(),
    Column("mart", String(64), nullable=False),
    Column("version", Integer, nullable=False, autoincrement=False),
    Column("source_rows", BigInteger, nullable=False, autoincrement=False),
    Column("source_max_order_id", BigInteger, nullable=True, autoincrement=False),
    Column("source_max_ordered_at", DateTime, nullable=True),  # the as-of date's source, while fresh
    Column("built_at", DateTime, nullable=False),  # the last write: a full build or a refresh
    Column("source_fingerprint", BigInteger, nullable=False, autoincrement=False),
    Column("campaign_rows", BigInteger, nullable=False, autoincrement=False),
    Column("campaign_max_id", BigInteger, nullable=True, autoincrement=False),
    Column("campaign_fingerprint", BigInteger, nullable=False, autoincrement=False),
)
SOURCE_COLUMNS = ("source_rows", "source_max_order_id", "source_max_ordered_at", "source_fingerprint",
                  "campaign_rows", "campaign_max_id", "campaign_fingerprint")


@dataclass(frozen=True)
class Source:
    """What marts are built from: the orders up to `max_order_id` and the campaigns up to `max_campaign_id`,
    with each one's count and fingerprint, and the latest order's time (the as-of date's source)."""
    orders: int
    max_order_id: int | None
    latest: dt.datetime | None
    orders_fingerprint: int
    campaigns: int
    max_campaign_id: int | None
    campaigns_fingerprint: int

    def record(self, built_at: dt.datetime) -> list[dict]:
        """The record's rows: one per mart, each naming this source."""
        values = dict(zip(SOURCE_COLUMNS, (self.orders, self.max_order_id, self.latest, self.orders_fingerprint,
                                            self.campaigns, self.max_campaign_id, self.campaigns_fingerprint)))
        return [{"mart": name, "version": MARTS_VERSION, "built_at": built_at, **values} for name in MART_NAMES]


def source_query():
    m = MARTS_META.c
    return select(m.mart, m.version, *[m[c] for c in SOURCE_COLUMNS])


def recorded_source(rows: list) -> Source | None:
    """The Source that a complete record of this code's version names (the same for every mart), else None."""
    if {r[0] for r in rows} != set(MART_NAMES) or len(rows) != len(MART_NAMES) or any(r[1] != MARTS_VERSION
                                                                                       for r in rows):
        return None
    sources = {tuple(r[2:]) for r in rows}
    if len(sources) != 1:
        return None
    rows_, max_id, latest, fingerprint, campaigns, max_campaign, campaign_fingerprint = sources.pop()
    return Source(int(rows_), _id(max_id), None if latest is None else pd.Timestamp(latest).to_pydatetime(),
                  int(fingerprint), int(campaigns), _id(max_campaign), int(campaign_fingerprint))


def _id(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


@dataclass(frozen=True)
class Generation:
    """The data a warehouse holds now. `token` is hashable and changes with the data; `marts_fresh`:
    the marts describe exactly the current orders; `latest`: max(ordered_at) as recorded with them."""
    token: tuple
    marts_fresh: bool = False
    latest: dt.datetime | None = None


def record_query():
    """What a reader reads of the record (columns every mart version had: an older record is judged, not an error)."""
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
