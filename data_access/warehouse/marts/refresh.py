"""`build-marts`: bring the marts up to date with the orders, incrementally where it can.

Orders are appended: a new order has a higher order_id than every order the marts were built from.
The marts' record (freshness.Source) names those orders (their count, max order_id and fingerprint,
data_access.warehouse.fingerprint) and the campaigns. A refresh first looks (`plan`: one scan of the orders,
one of the campaigns):

- the orders up to the recorded max order_id must be exactly those recorded (same count, same
  fingerprint), and so must the campaigns up to theirs; an old order rewritten, deleted or slipped in
  below it, a campaign changed, no marts or marts of an older version: a full build;
- otherwise the orders above it (and the campaigns above theirs) are new, and only the mart rows that
  they touch are rewritten (`apply`), all of them from D, the first new order's day, on:
  - the pair mart: each order of a pair with new orders is sequenced twice, among its pair's old
    orders and among all of them; +1 for its (day, previous day, the one before) among all and -1
    among the old ones is the change. An old order earlier than the pair's new ones cancels out (so
    only days from D on can change); a new order dated before some of its pair's old ones moves their
    previous days too, and is counted right. Pairs without new orders keep their rows. When every new
    order is on a later day than every old one (a day's load), no old order moves: only the new ones'
    rows are added.
  - the daily mart: the new orders' measures added to the old ones, and the distinct-pair counts per
    period (pairs_<grain>, repeat_<grain>) recomputed from the new pair rows of the same (brand, day),
    which are all they depend on;
  - the campaign windows of the campaigns starting from D - 30 days on (the only ones that a new
    order's day can reach) and of the new campaigns: the new orders' GMV in their windows added, and
    for a new campaign that of the old orders.

Readers: on SQLite, DuckDB, PostgreSQL and MariaDB the rows are replaced (materialised in work tables
first, then deleted and inserted) in one transaction together with the record, so a reader sees the
old marts or the new ones. The record's rows are deleted first, guarded by what `plan` read, so that
two refreshes at once never add the same orders twice. ClickHouse has no transactions: deleting the
record first sends readers to the raw tables until the refreshed marts are recorded, and a refresh
that fails half-way leaves no record, so that the next build-marts is a full one.
"""
from __future__ import annotations

import datetime as dt
import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    and_,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from .. import cluster, scratch
from ..connection import Warehouse, WarehouseError, describe_safely
from ..filters import days_after
from ..fingerprint import extended, of_campaigns, of_orders, reduced
from ..freshness import MART_NAMES, MARTS_META, MARTS_VERSION, Source, recorded_source, source_query
from ..schema import campaigns, orders
from ..sqlfuncs import day_of, prior_value
from . import build as marts_build, definitions as marts_definitions
from .definitions import (
    DAILY_COUNTS,
    DAILY_SUMS,
    ROI_WINDOWS,
    mart_campaign_windows,
    mart_daily,
    mart_pair_days,
    raw_campaign_windows,
    raw_daily,
    with_pair_counts,
)

PLUS, MINUS = literal_column("1", mart_pair_days.c.n.type), literal_column("-1", mart_pair_days.c.n.type)


class RefreshConflict(WarehouseError):
    """The record changed between the look and the write: another build-marts ran meanwhile."""


@dataclass(frozen=True)
class Plan:
    how: str                        # "full", "incremental" or "none"
    reason: str = ""                # why a full build
    recorded: Source | None = None  # what the marts were built from
    now: Source | None = None       # what they will be built from, after an incremental refresh
    first_day: dt.date | None = None  # the first new order's day
    new_orders: int = 0
    new_campaigns: int = 0

    @property
    def after_the_old(self) -> bool:
        """Whether every new order is on a later day than every old one (a day's load): the old orders then keep
        their places in their pairs' sequences."""
        return self.first_day is not None and self.first_day > self.recorded.latest.date()


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    seconds: float

    def line(self, where: str) -> str:
        p, s = self.plan, self.seconds
        if p.how == "full":
            return f"marts rebuilt in full in {where} in {s:.1f} s: {p.reason}"
        if p.how == "none":
            return (f"marts already up to date in {where}: {p.recorded.orders:,} orders up to order_id "
                    f"{p.recorded.max_order_id}, no new campaign; nothing written ({s:.1f} s)")
        what = []
        if p.new_orders:
            what.append(f"{p.new_orders:,} new orders (order_id {p.recorded.max_order_id + 1}…{p.now.max_order_id}, "
                        f"days {p.first_day} … {p.now.latest.date()})")
        if p.new_campaigns:
            what.append(f"{p.new_campaigns:,} new campaigns")
        return (f"marts refreshed incrementally in {where} in {s:.1f} s: {' and '.join(what)} added to the marts "
                f"of {p.recorded.orders:,} orders")


def refresh(url: str | None = None, *, full: bool = False, owned: bool = False, schema: str | None = None,
            quiet: bool = False) -> Outcome:
    """Bring the marts of the warehouse at `url` (in `schema`) up to date: incrementally when only new orders
    and campaigns arrived since they were built, else (or with `full`) by a full build. Says which and why
    unless `quiet`. Refuses a warehouse beltboard did not create unless `owned` (marts_build.NotOurs)."""
    with _uncollected():
        return _refresh(url, full=full, owned=owned, schema=schema, quiet=quiet)


@contextmanager
def _uncollected():
    """Python's cycle collector paused: build-marts makes little cyclic garbage (reference counting frees the
    rest), but right after the driver's import the collector's full passes over every module's objects cost
    ~0.06 s of CPU, 6 % of a refresh after a day (measured at 10M orders, docs/benchmarks.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refresh(url: str | None, *, full: bool, owned: bool, schema: str | None, quiet: bool) -> Outcome:
    wh = Warehouse(url, read_only=False, schema=schema)
    started = time.perf_counter()  # the engine made (the driver's modules imported): the work on the warehouse
    try:
        try:
            tables = marts_build.check_ours(wh, owned)
            if full or cluster.name_of(wh.engine):
                decided = Plan("full", "--full was given" if full else "a cluster's shards rebuild their marts")
            else:
                decided = look(wh, tables)
            if decided.how == "full":
                marts_build.rebuild(wh)
            elif decided.how == "incremental":
                apply(wh, decided)
        except DBAPIError as exc:  # e.g. a DuckDB file that a reader holds: one line, not a traceback
            raise WarehouseError(f"build-marts could not write the marts of {wh.where}: {_first_line(exc)}") from None
    finally:
        wh.engine.dispose()
    outcome = Outcome(decided, time.perf_counter() - started)
    if not quiet:
        print(outcome.line(describe_safely(url or wh.url)))
    return outcome


# ---------------------------------------------------------------- looking

def look(wh: Warehouse, tables: set[str]) -> Plan:
    """What a refresh would do now, and why (`tables`: those in the warehouse's schema)."""
    if MARTS_META.name not in tables:
        return Plan("full", "there are no marts yet")
    if missing := [name for name in marts_definitions.BUILT if name not in tables]:
        return Plan("full", f"the marts are incomplete (no {', '.join(missing)})")
    with wh.engine.connect() as conn:
        try:
            rows = conn.execute(source_query()).all()
        except DBAPIError:
            return Plan("full", "the marts are of an older version, without fingerprints")
        recorded = recorded_source(rows)
        if recorded is None:
            versions = sorted({r[1] for r in rows})
            return Plan("full", f"the marts' record is of version {versions} (this code writes "
                                f"{MARTS_VERSION}) or incomplete")
        if recorded.max_order_id is None:
            return Plan("full", "the marts were built from no orders")
        o, c = orders.c, campaigns.c
        old_orders, new_orders = _old_and_new(conn, o.order_id, of_orders(), recorded.max_order_id,
                                              func.min(o.ordered_at), func.max(o.ordered_at))
        old_campaigns, new_campaigns = _old_and_new(conn, c.campaign_id, of_campaigns(), recorded.max_campaign_id)
    why = (_changed("orders", recorded.orders, recorded.max_order_id, recorded.orders_fingerprint, *old_orders)
           or _changed("campaigns", recorded.campaigns, recorded.max_campaign_id, recorded.campaigns_fingerprint,
                       *old_campaigns))
    if why:
        return Plan("full", why, recorded)
    return _incremental(wh.dialect, recorded, new_orders, new_campaigns)


def _split(column, last):
    """(column ≤ last, column > last); with no last, no row is old."""
    return (column <= last, column > last) if last is not None else (false(), true())


def _old_and_new(conn, key, fingerprint, last, *extra) -> tuple[tuple, tuple]:
    """(count, fingerprint) of the rows with key ≤ last, and (count, fingerprint, max key, *extra) of those above
    it. Two statements: only the first scans the old rows (DuckDB skips them in the second by the key's zone
    maps)."""
    old, new = _split(key, last)
    return (tuple(conn.execute(select(func.count(), fingerprint).where(old)).one()),
            tuple(conn.execute(select(func.count(), fingerprint, func.max(key), *extra).where(new)).one()))


def _changed(kind: str, recorded_rows: int, last, recorded_fingerprint, old_rows, old_fingerprint) -> str | None:
    """Why the old rows are not those the marts were built from, or None when they are."""
    old_rows = int(old_rows or 0)
    if old_rows < recorded_rows:
        return (f"{recorded_rows - old_rows:,} of the {recorded_rows:,} {kind} the marts were built from (up to "
                f"id {last}) were deleted")
    if old_rows > recorded_rows:
        return f"{old_rows - recorded_rows:,} {kind} appeared among those the marts were built from (id ≤ {last})"
    if reduced(old_fingerprint) != recorded_fingerprint:
        return f"{kind} the marts were built from (id ≤ {last}) were rewritten: their fingerprint differs"
    return None


def _incremental(dialect: str, recorded: Source, new_orders: tuple, new_campaigns: tuple) -> Plan:
    """The plan that adds the new orders and campaigns (their counts, fingerprints, max ids, …) to the marts."""
    rows, fingerprint, max_id, first, latest = new_orders
    campaign_rows, campaign_fingerprint, max_campaign = new_campaigns
    rows, campaign_rows = int(rows or 0), int(campaign_rows or 0)
    if not rows and not campaign_rows:
        return Plan("none", recorded=recorded)
    now = Source(recorded.orders + rows, int(max_id) if rows else recorded.max_order_id,
                 max(recorded.latest, pd.Timestamp(latest).to_pydatetime()) if rows else recorded.latest,
                 extended(dialect, recorded.orders_fingerprint, fingerprint), recorded.campaigns + campaign_rows,
                 int(max_campaign) if campaign_rows else recorded.max_campaign_id,
                 extended(dialect, recorded.campaigns_fingerprint, campaign_fingerprint))
    return Plan("incremental", recorded=recorded, now=now, first_day=pd.Timestamp(first).date() if rows else None,
                new_orders=rows, new_campaigns=campaign_rows)


# ---------------------------------------------------------------- writing

def apply(wh: Warehouse, plan: Plan) -> None:
    """Rewrite the mart rows that the new orders and campaigns of `plan` touch, and the record (see above)."""
    engine = wh.engine
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # pysqlite would leave the work tables' DDL outside the transaction
        _claim(conn, plan.recorded)
        if plan.new_orders:
            _refresh_pairs(conn, plan)
            _refresh_daily(conn, plan)
        _refresh_campaign_windows(conn, plan)
        conn.execute(insert(MARTS_META), plan.now.record(dt.datetime.now().replace(microsecond=0)))
        for name in WORK_TABLES:
            scratch.drop(conn, name)
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")  # readers open the file: nothing left in the WAL


WORK_TABLES = ("beltboard_refresh_history", "beltboard_refresh_pairs", "beltboard_refresh_daily",
               "beltboard_refresh_campaigns")


def _claim(conn, recorded: Source) -> None:
    """Delete the record's rows, as long as they still name `recorded` (a concurrent refresh waits for this
    transaction, then finds nothing to delete and stops)."""
    m = MARTS_META.c
    deleted = conn.execute(DeleteWhere(MARTS_META, and_(
        m.version == MARTS_VERSION, m.source_rows == recorded.orders, m.source_max_order_id == recorded.max_order_id,
        m.source_fingerprint == recorded.orders_fingerprint, m.campaign_fingerprint == recorded.campaigns_fingerprint)))
    if conn.dialect.supports_sane_rowcount and 0 <= deleted.rowcount != len(MART_NAMES):
        raise RefreshConflict("the marts changed while build-marts looked at them (another build-marts?); nothing "
                              "was written: run it again")


def _replace(conn, mart, region, rows, work_table: str) -> None:
    """Replace the rows of `mart` where `region` holds by `rows` (a select that may read them: materialised first)."""
    new = scratch.make(conn, work_table, rows)
    conn.execute(DeleteWhere(mart, region))
    conn.execute(insert(mart).from_select([c.name for c in mart.c], select(*[new.c[c.name] for c in mart.c])))


def _new_orders(plan: Plan):
    return and_(orders.c.order_id > plan.recorded.max_order_id, orders.c.order_id <= plan.now.max_order_id)


def _sequences(conn, plan: Plan):
    """Every order of the pairs with new orders, from the first new order's day on, with its pair's previous
    two order days among all its orders, and (unless every new order is on a later day than every old one, when
    those rows are all new) among the old ones only (is_new = 0)."""
    o = orders.c
    touched = select(o.brand_id, o.buyer_id).where(_new_orders(plan)).distinct().subquery("touched")
    history = scratch.make(conn, WORK_TABLES[0], (  # the one scan of the orders, first: windows run faster on it
        select(o.brand_id, o.buyer_id, o.ordered_at, o.order_id)
        .select_from(orders.join(touched, and_(touched.c.brand_id == o.brand_id, touched.c.buyer_id == o.buyer_id)))
        .where(o.order_id <= plan.now.max_order_id))).c
    day = day_of(history.ordered_at)
    is_new = case((history.order_id > plan.recorded.max_order_id, 1), else_=0)
    in_order = (history.ordered_at, history.order_id)
    among_all = dict(partition_by=(history.brand_id, history.buyer_id), order_by=in_order)
    among_old = dict(partition_by=(history.brand_id, history.buyer_id, is_new), order_by=in_order)
    columns = [history.brand_id, day.label("day"), is_new.label("is_new"),
               prior_value(day, 1).over(**among_all).label("prev_day"),
               prior_value(day, 2).over(**among_all).label("prev2_day")]
    if not plan.after_the_old:
        columns += [prior_value(day, 1).over(**among_old).label("old_prev_day"),
                    prior_value(day, 2).over(**among_old).label("old_prev2_day")]
    sequence = select(*columns).subquery("sequence")
    return select(sequence).where(sequence.c.day >= plan.first_day).cte("sequences")  # read twice: materialised


def _refresh_pairs(conn, plan: Plan) -> None:
    s = _sequences(conn, plan).c
    p = mart_pair_days.c
    region = p.day >= plan.first_day
    parts = [select(p.brand_id, p.day, p.prev_day, p.prev2_day, p.n).where(region),
             select(s.brand_id, s.day, s.prev_day, s.prev2_day, PLUS)]
    if not plan.after_the_old:
        parts.append(select(s.brand_id, s.day, s.old_prev_day, s.old_prev2_day, MINUS).where(s.is_new == 0))
    parts = union_all(*parts).subquery("parts").c
    keys = (parts.brand_id, parts.day, parts.prev_day, parts.prev2_day)
    rows = select(*keys, func.sum(parts.n).label("n")).group_by(*keys).having(func.sum(parts.n) != 0)
    _replace(conn, mart_pair_days, region, rows, WORK_TABLES[1])


def _refresh_daily(conn, plan: Plan) -> None:
    m = mart_daily.c
    measures = DAILY_COUNTS + DAILY_SUMS
    region = m.day >= plan.first_day
    parts = union_all(
        select(m.brand_id, m.day, *[m[c] for c in measures]).where(region),
        _typed(raw_daily(where=[_new_orders(plan)]), mart_daily, measures),
    ).subquery("parts").c
    sums = (select(parts.brand_id, parts.day, *[func.sum(parts[c]).label(c) for c in measures])
            .group_by(parts.brand_id, parts.day).subquery("daily"))
    new_pairs = select(mart_pair_days).where(mart_pair_days.c.day >= plan.first_day).subquery("pair_days")
    _replace(conn, mart_daily, region, with_pair_counts(sums, new_pairs), WORK_TABLES[2])


def _refresh_campaign_windows(conn, plan: Plan) -> None:
    w, o, c = mart_campaign_windows.c, orders.c, campaigns.c
    before, now = plan.recorded, plan.now
    reached = []
    if plan.first_day is not None:
        reached.append(w.start_on >= days_after(plan.first_day, -max(ROI_WINDOWS)))
    if plan.new_campaigns:
        reached.append(_split(w.campaign_id, before.max_campaign_id)[1])
    if not reached:
        return
    gmv = [f"gmv_t{n}" for n in ROI_WINDOWS]
    region = or_(*reached)
    known = c.campaign_id <= now.max_campaign_id if now.max_campaign_id is not None else false()
    parts = [select(w.campaign_id, w.start_on, *[w[g] for g in gmv]).where(region)]
    if plan.new_orders:  # the new orders, in the windows of any campaign
        parts.append(raw_campaign_windows(where=[known, _new_orders(plan)]))
    if plan.new_campaigns:  # the old orders of a new campaign (two selects: each reads few rows)
        parts.append(raw_campaign_windows(where=[known, _split(c.campaign_id, before.max_campaign_id)[1],
                                                 _split(o.order_id, before.max_order_id)[0]]))
    parts = union_all(parts[0], *[_typed(p, mart_campaign_windows, gmv) for p in parts[1:]]).subquery("parts").c
    rows = (select(parts.campaign_id, parts.start_on, *[func.sum(parts[g]).label(g) for g in gmv])
            .group_by(parts.campaign_id, parts.start_on))
    _replace(conn, mart_campaign_windows, region, rows, WORK_TABLES[3])


def _typed(rows, mart, measures):
    """`rows` with its `measures` cast to the mart's types, so that engines agree on a union's types (ClickHouse
    finds no common type of a count's UInt64 and Int64); the keys as they are (SQLite has no DATE to cast to)."""
    r = rows.subquery()
    return select(*[cast(c, mart.c[c.key].type).label(c.key) if c.key in measures else c for c in r.c])


class DeleteWhere(Executable, ClauseElement):
    """DELETE FROM table WHERE condition, at once on every engine."""
    inherit_cache = False

    def __init__(self, table, condition):
        self.table, self.condition = table, condition


@compiles(DeleteWhere)
def _delete_where_default(element, compiler, **kw):
    return compiler.process(delete(element.table).where(element.condition), **kw)


@compiles(DeleteWhere, "chdb")
@compiles(DeleteWhere, "clickhousedb")
def _delete_where_clickhouse(element, compiler, **kw):
    # a lightweight DELETE masks the rows before it returns (lightweight_deletes_sync); the dialect's delete() is
    # an ALTER TABLE … DELETE mutation, which would run in the background, after the new rows are in
    return (f"DELETE FROM {compiler.process(element.table, asfrom=True, **kw)} "
            f"WHERE {compiler.process(element.condition, **kw)}")


def _first_line(exc: Exception) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
