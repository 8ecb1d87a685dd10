"""Checksums of the rows the marts are built from, summed inside the warehouse.

A table's fingerprint combines a hash of each row (sqlfuncs.row_hash: the engine's own 64-bit hash of
every column the marts read) by XOR (sqlfuncs.hash_total). It changes when a row is rewritten, deleted
or added (but for a chance of 2^-64; MariaDB's CRC32 is 32 bits), and it composes: the fingerprint of
the orders up to order_id M combined with that of the orders in (M, M'] is the fingerprint of the orders
up to M'. So the marts' record (data_access.warehouse.freshness) keeps, beside the count and the max id, the
fingerprint of the orders and campaigns it was built from; a refresh checks the old rows in one scan
and extends the fingerprint by the new rows' without scanning them again.

Which columns: a change to a column that no mart reads cannot make the marts wrong, so the fingerprint
needs only the columns the marts read, and every column of `orders` is read by one: brand_id, buyer_id,
ordered_at and order_id by the pair mart (order_id also tells old orders from new, and makes every row's
hash distinct, so that two identical orders' hashes cannot cancel in the XOR), the flags, channel,
traffic source and GMV by the daily mart, campaign_id and GMV by the campaign windows. ordered_at is hashed
whole although only its day is read: hashing its day would add a cast per row and read no less. So the
check reads every column of every old order (at 10M on DuckDB ~0.3 s of CPU, most of a refresh after a
day: docs/benchmarks.md); tests/test_refresh.py rewrites an old order's GMV and expects a full build.

SQLite has neither a hash function nor XOR: there the hash is an integer mix of the same values
(`_portable`, ordered_at taken by its day, which is all the marts read of it), and the rows' hashes are
summed (modulo 2^64).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, case, cast, func, literal_column

from .schema import allowed_values, campaigns, orders
from .sqlfuncs import XOR_TOTALS, day_of, days_between, hash_total, row_hash

MODULUS = 2**64
PRIME = 2_147_483_647  # 2^31 - 1: a product of two residues stays within 62 bits
BASE = 1_000_003
EPOCH = dt.date(2000, 1, 1)

_P = literal_column(str(PRIME), BigInteger)
_B = literal_column(str(BASE), BigInteger)


def reduced(total) -> int:
    """A fingerprint as the engine gave it (unsigned or signed 64 bits, a sum beyond them) as the signed 64-bit
    value the record holds; None (no rows) is 0."""
    value = int(total or 0) % MODULUS
    return value - MODULUS if value >= 2**63 else value


def extended(dialect: str, fingerprint: int, more) -> int:
    """The fingerprint of two disjoint sets of rows, from each one's (as this dialect's hash_total combines)."""
    more = reduced(more)
    return fingerprint ^ more if dialect in XOR_TOTALS else reduced(fingerprint + more)


def of_orders():
    """The fingerprint of the orders a query selects (an aggregate)."""
    return hash_total(order_hash())


def of_campaigns():
    return hash_total(campaign_hash())


def _code(column):
    """An enumerated text column as 1, 2, … in the contract's order (0: a value outside it)."""
    return case(*[(column == v, i + 1) for i, v in enumerate(allowed_values(column))], else_=0)


def _flag(column):
    return case((column, 1), else_=0)


def _portable(key, values):
    """((key mod P) + 1) * Horner(values) mod P: weighting by the key makes two rows swapping a value count."""
    acc = literal_column("1", BigInteger)
    for v in values:
        acc = (acc * _B + v % _P) % _P
    return ((key % _P + 1) * acc) % _P


def order_hash():
    o = orders.c
    portable = _portable(o.order_id, [
        o.brand_id, o.buyer_id, days_between(day_of(o.ordered_at), EPOCH), _code(o.channel), _code(o.traffic_source),
        func.coalesce(o.campaign_id, -1), _flag(o.channel_exclusive), cast(func.round(o.gmv_cny * 100), BigInteger),
        _flag(o.refunded), _flag(o.returned), _flag(o.return_shipping_insured)])
    return row_hash(portable, o.order_id, o.brand_id, o.buyer_id, o.ordered_at, o.channel, o.traffic_source,
                    o.campaign_id, o.channel_exclusive, o.gmv_cny, o.refunded, o.returned, o.return_shipping_insured)


def campaign_hash():
    """Of what the campaign windows read: the campaign and its start."""
    c = campaigns.c
    return row_hash(_portable(c.campaign_id, [days_between(c.start_on, EPOCH)]), c.campaign_id, c.start_on)
