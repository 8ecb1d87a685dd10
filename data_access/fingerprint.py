"""Checksums of the rows the marts are built from, summed inside the warehouse.

A table's fingerprint is the sum of a hash of each row (sqlfuncs.row_hash: the engine's own hash of
every column the marts read), modulo 2^64. It changes when a row is rewritten, deleted or added, and
it is additive: the fingerprint of the orders up to order_id M plus that of the orders in (M, M'] is
the fingerprint of the orders up to M'. So the marts' record (data_access.freshness) keeps, beside the
count and the max id, the fingerprint of the orders and campaigns it was built from; a refresh checks
the old rows in one scan and extends the fingerprint by the new rows' without scanning again.

SQLite has no hash function: there the hash is an integer mix of the same values (`_portable`),
ordered_at taken by its day, which is all the marts read of it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, case, cast, func, literal_column

from .schema import allowed_values, campaigns, orders
from .sqlfuncs import day_of, days_between, row_hash

MODULUS = 2**64
PRIME = 2_147_483_647  # 2^31 - 1: a product of two residues stays within 62 bits
BASE = 1_000_003
EPOCH = dt.date(2000, 1, 1)

_P = literal_column(str(PRIME), BigInteger)
_B = literal_column(str(BASE), BigInteger)


def reduced(total) -> int:
    """A sum of hashes (exact, or wrapped modulo 2^64 by the engine) as the signed 64-bit residue the record
    holds; None (no rows) is 0."""
    value = int(total or 0) % MODULUS
    return value - MODULUS if value >= 2**63 else value


def extended(fingerprint: int, more) -> int:
    """The fingerprint of two disjoint sets of rows, from each one's."""
    return reduced(fingerprint + reduced(more))


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
    campaign = func.coalesce(o.campaign_id, -1)  # the native hashes take no NULL
    portable = _portable(o.order_id, [
        o.brand_id, o.buyer_id, days_between(day_of(o.ordered_at), EPOCH), _code(o.channel), _code(o.traffic_source),
        campaign, _flag(o.channel_exclusive), cast(func.round(o.gmv_cny * 100), BigInteger), _flag(o.refunded),
        _flag(o.returned), _flag(o.return_shipping_insured)])
    return row_hash(portable, o.order_id, o.brand_id, o.buyer_id, o.ordered_at, o.channel, o.traffic_source, campaign,
                    o.channel_exclusive, o.gmv_cny, o.refunded, o.returned, o.return_shipping_insured)


def campaign_hash():
    """Of what the campaign windows read: the campaign and its start."""
    c = campaigns.c
    return row_hash(_portable(c.campaign_id, [days_between(c.start_on, EPOCH)]), c.campaign_id, c.start_on)
