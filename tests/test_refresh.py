"""The incremental refresh of the marts writes what a full build writes, on every backend (issue 13, section 2).

Each backend gets its own warehouse: the edge warehouse without its last eight days of orders and without
its three newest campaigns (whose orders are older: a new campaign's old orders), its marts built in full.
Then `build-marts`, step by step, each time comparing every mart table with what a full build writes
(marts_definitions.mart_rows, read without writing):

1. a day of orders appended: refreshed incrementally;
2. a week appended, with the held-back campaigns, a new campaign and its orders, an order dated before
   its pair's latest old orders (their previous days move) and one earlier on a day that has old orders:
   refreshed incrementally; every report read through the marts equals the oracle over the rows now; a
   second build-marts has nothing to do;
3. an old campaign moved, an old order rewritten, an old order deleted: each caught by itself, and
   build-marts rebuilds in full.

Each comparison also checks the record: after a refresh it names what a full build would record.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Date, func, select
from sqlalchemy.exc import DBAPIError

import oracle
from data_access import cli
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse import fingerprint, schema
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from data_access.warehouse.fingerprint import EPOCH
from data_access.warehouse.freshness import recorded_source, source_query
from data_access.warehouse.marts import (
    build as marts_build,
    definitions as marts_definitions,
    read as marts_read,
    refresh,
)
from data_access.warehouse.sqlfuncs import days_between
from test_reports import assert_frames_match
from tests import server_databases

DAY = dt.date(2021, 12, 24)   # the day appended first; the week after it follows
HELD_CAMPAIGNS = 3            # the newest campaigns, held back until the week
NEW_CAMPAIGN = {"campaign_id": 9001, "brand_id": 12, "provider_id": None, "start_on": dt.date(2021, 12, 26),
                "spend_cny": 500.0, "objective": "live"}
QUARTER = Filters(date_from=dt.date(2021, 10, 1), date_to=dt.date(2021, 12, 31), grain="quarter")  # the new days


@pytest.fixture(params=["duckdb", "sqlite", "chdb", "postgresql", "mariadb"])
def target(request, tmp_path):
    """An empty warehouse of the backend: a file or directory, or this test's own server database, dropped after."""
    backend = request.param
    if backend in ("duckdb", "sqlite", "chdb"):
        yield f"{backend}:///{tmp_path / ('refreshed.' + backend)}"
        return
    name = server_databases.name_for("refresh")
    try:
        url = server_databases.create(backend, name)
    except DBAPIError as exc:
        from conftest import _unavailable
        _unavailable(backend, exc)
    try:
        yield url
    finally:
        server_databases.drop(backend, name)


def _orders_like(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=frame.columns)
    return out.astype(frame.dtypes.to_dict())


def _crafted(orders: pd.DataFrame, first_id: int) -> pd.DataFrame:
    """New orders that move old ones: one dated before its pair's latest old orders, one earlier on a day of its
    pair's old orders, two of a new campaign by a buyer who ordered before."""
    base = orders[orders.ordered_at < pd.Timestamp(DAY)]
    counts = base.groupby(["brand_id", "buyer_id"]).ordered_at.agg(["count", "max"])
    late = counts[(counts["count"] >= 2) & (counts["max"] >= pd.Timestamp("2021-12-15"))].index[0]
    same_day = base[base.ordered_at.dt.date == dt.date(2021, 12, 23)].iloc[0]
    repeat = base[base.brand_id == NEW_CAMPAIGN["brand_id"]].iloc[-1]
    template = orders.iloc[0].to_dict() | {"campaign_id": None, "refunded": False, "returned": False}
    rows = [
        {"brand_id": late[0], "buyer_id": late[1], "ordered_at": pd.Timestamp("2021-12-10 09:00:00"), "gmv_cny": 12.34},
        {"brand_id": same_day.brand_id, "buyer_id": same_day.buyer_id,
         "ordered_at": pd.Timestamp("2021-12-23 00:00:01"), "gmv_cny": 0.01},
        *[{"brand_id": repeat.brand_id, "buyer_id": repeat.buyer_id, "ordered_at": pd.Timestamp(at), "gmv_cny": 88.8,
           "campaign_id": NEW_CAMPAIGN["campaign_id"]} for at in ("2021-12-27 10:00:00", "2021-12-31 23:00:00")],
    ]
    return _orders_like(orders, [template | row | {"order_id": first_id + i} for i, row in enumerate(rows)])


def _steps(frames: dict) -> tuple[dict, pd.DataFrame, dict]:
    """(the base warehouse's frames, the day's orders, the week's orders and campaigns)."""
    orders, campaigns = frames["orders"], frames["campaigns"]
    held = campaigns.nlargest(HELD_CAMPAIGNS, "campaign_id")
    new_campaign = pd.DataFrame([NEW_CAMPAIGN]).astype(campaigns.dtypes.to_dict())
    base = {**frames, "orders": orders[orders.ordered_at < pd.Timestamp(DAY)],
            "campaigns": campaigns.drop(held.index)}
    day = orders[orders.ordered_at.dt.date == DAY]
    week = pd.concat([orders[orders.ordered_at >= pd.Timestamp(DAY + dt.timedelta(days=1))],
                      _crafted(orders, int(orders.order_id.max()) + 1)], ignore_index=True)
    return base, day, {"orders": week, "campaigns": pd.concat([held, new_campaign], ignore_index=True)}


class Writer:
    """The test's writer on the target (one engine, so that the steps do not each open the warehouse), closed
    while build-marts or a reader has it."""

    def __init__(self, url: str):
        self.url, self._wh = url, None

    @property
    def wh(self) -> Warehouse:
        if self._wh is None:
            self._wh = Warehouse(self.url, read_only=False)
        return self._wh

    def close(self) -> None:
        if self._wh is not None:
            self._wh.engine.dispose()
            self._wh = None

    def append(self, frames: dict) -> None:
        load.load_frames(self.wh.engine, frames)

    def replace(self, table, key, rows: pd.DataFrame) -> None:
        """Rewrite rows: delete those of these keys, insert `rows` (ClickHouse's way too: keys cannot be updated)."""
        with self.wh.engine.begin() as conn:
            conn.execute(refresh.DeleteWhere(table, table.c[key].in_([int(k) for k in rows[key]])))
        self.append({table.name: rows})

    def delete(self, table, key, value: int) -> None:
        with self.wh.engine.begin() as conn:
            conn.execute(refresh.DeleteWhere(table, table.c[key] == value))


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype(object).where(df.notna(), None)
    return df.sort_values(list(df.columns), key=lambda column: column.astype(str)).reset_index(drop=True)


def _comparable(rows):
    """The rows with each date as a day number: the same comparison, read faster (chDB's driver parses dates)."""
    r = rows.subquery("compared")
    return select(*[days_between(c, EPOCH).label(c.key) if isinstance(c.type, Date) else c for c in r.c])


def _assert_as_full_build(writer: Writer, label: str) -> None:
    """The marts hold what a full build of the warehouse's rows now writes (marts_definitions.mart_rows, only
    read), and their record names what a full build records (count, max id and fingerprint of the orders and the
    campaigns)."""
    wh = writer.wh
    with wh.engine.connect() as conn:
        source = marts_definitions.current_source(conn)
        assert recorded_source(conn.execute(source_query()).all()) == source, f"{label}: the record"
        hashed = conn.execute(select(func.count(), func.count(fingerprint.order_hash()))).one()
        assert hashed[0] == hashed[1], f"{label}: an order without a hash would escape the fingerprint"
    tables = {t.name: _sorted(wh.frame(_comparable(select(*t.c)))) for t in marts_definitions.MARTS}
    full = {t.name: _sorted(wh.frame(_comparable(rows))) for t, rows in marts_definitions.mart_rows(source).items()}
    for name, rows in tables.items():
        assert not full[name].empty, f"{label}: {name} is empty; nothing was compared"
        pd.testing.assert_frame_equal(rows, full[name], check_dtype=False, obj=f"{label}: {name}")


def _refreshed(url: str, how: str) -> refresh.Outcome:
    outcome = refresh.refresh(url, quiet=True)
    assert outcome.plan.how == how, outcome.line(url)
    return outcome


def _looked(writer: Writer, *words: str) -> None:
    """build-marts would rebuild in full now, for the reason `words` name."""
    plan = refresh.look(writer.wh, marts_build.check_ours(writer.wh, owned=False))
    assert plan.how == "full" and all(word in plan.reason for word in words), (plan.how, plan.reason)


_expected: dict = {}  # the oracle's answers: the same rows on every backend


def _assert_reports_match_oracle(url: str, frames: dict, label: str) -> None:
    wh = Warehouse(url)
    try:
        assert marts_read.fresh(wh), f"{label}: the refreshed marts must be read"
        for report, compute in REPORTS.items():
            if report not in _expected:
                _expected[report] = oracle.ORACLES[report](frames, QUARTER)
            assert_frames_match(compute(wh, QUARTER), _expected[report], oracle.required_columns(report, QUARTER),
                                list(oracle.EXTRAS.get(report, [])), label=f"{report} {label}")
    finally:
        wh.engine.dispose()


def test_an_incremental_refresh_writes_what_a_full_build_writes(target, frames, capsys):
    base, day, week = _steps(frames)
    writer = Writer(target)
    try:
        load.create_tables(writer.wh.engine)
        writer.append(base)
        marts_build.build_into(writer.wh.engine)

        writer.append({"orders": day})
        outcome = _refreshed(target, "incremental")
        assert (outcome.plan.new_orders, outcome.plan.first_day, outcome.plan.new_campaigns) == (len(day), DAY, 0)
        assert outcome.plan.after_the_old, "a day after the old orders' last: their places in their pairs stay"
        _assert_as_full_build(writer, "after a day")

        writer.append(week)
        outcome = _refreshed(target, "incremental")
        assert outcome.plan.new_orders == len(week["orders"]) and outcome.plan.new_campaigns == HELD_CAMPAIGNS + 1
        assert outcome.plan.first_day == dt.date(2021, 12, 10), "the order dated before its pair's old ones"
        _assert_as_full_build(writer, "after a week")
        writer.close()  # a DuckDB reader may not share the file with a writer of this process
        now = {**frames, "orders": pd.concat([base["orders"], day, week["orders"]], ignore_index=True),
               "campaigns": pd.concat([base["campaigns"], week["campaigns"]], ignore_index=True)}
        _assert_reports_match_oracle(target, now, f"on {target.split(':')[0]} after a day and a week")
        assert cli.main(["build-marts", "--url", target]) == 0
        assert "already up to date" in capsys.readouterr().out

        # changes below the recorded max ids, each caught by itself; then build-marts rebuilds in full
        writer.replace(schema.campaigns, "campaign_id", base["campaigns"].nsmallest(1, "campaign_id").assign(
            start_on=dt.date(2021, 1, 1)))
        _looked(writer, "campaigns", "rewritten")
        first = base["orders"].nsmallest(2, "order_id")
        writer.replace(schema.orders, "order_id", first.iloc[:1].assign(gmv_cny=first.gmv_cny.iloc[0] + 1))
        _looked(writer, "orders", "rewritten")
        writer.delete(schema.orders, "order_id", int(first.order_id.iloc[1]))
        _looked(writer, "orders", "deleted")
        assert cli.main(["build-marts", "--url", target]) == 0
        assert "rebuilt in full" in capsys.readouterr().out and marts_read.fresh(writer.wh)
    finally:
        writer.close()
