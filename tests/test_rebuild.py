"""Rebuilding or changing a warehouse while it is read (issue 9, items 6 and 7).

A reader that runs report queries in a loop while `demo` rebuilds the same warehouse sees the
old generation or the new one, never a mix and never an error, and the new one soon after the
swap without being restarted; the app shows the new one without a Refresh; orders that change
under fresh marts stop them being read. Generations A and B are demo warehouses of different
seeds and sizes; what each must show comes from tests/oracle.py over its frames.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from data_access.config import GENERATION_CHECK_ENV
from data_access.demo import build as demo_build, synthesis as demo_synthesis
from data_access.metrics import reports
from data_access.warehouse import schema
from data_access.warehouse.connection import EmptyWarehouse, Warehouse, WarehouseError
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import build as marts_build, definitions as marts_definitions, read as marts_read
from tests import oracle, server_databases
from tests.app_support import DASHBOARD, metric
from ui import fmt

GEN_A = {"orders": 4_000, "seed": 3}
GEN_B = {"orders": 6_000, "seed": 5}
YEARS = Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31), grain="year")

_o, _b = schema.orders, schema.brands
# One statement: what a reader of a half-built warehouse would get wrong (orders of brands that are not there,
# counts of two generations).
PROBE = select(
    select(func.count()).select_from(_o).scalar_subquery().label("orders"),
    select(func.count()).select_from(_b).scalar_subquery().label("brands"),
    select(func.count()).select_from(_o).where(_o.c.brand_id.not_in(select(_b.c.brand_id)))
    .scalar_subquery().label("orphans"),
)


def _frames(gen: dict) -> dict:
    return demo_synthesis.generate(**gen)


def _probe_of(frames) -> tuple:
    return len(frames["orders"]), len(frames["brands"]), 0


def _sales(df) -> tuple:
    return tuple((str(r.period_start), round(float(r.gmv_cny), 2), int(r.orders)) for r in df.itertuples())


@pytest.fixture(scope="module")
def generations() -> dict:
    """What a reader must see of each generation: the probe's counts and the sales report, by the oracle."""
    out = {}
    for name, gen in (("A", GEN_A), ("B", GEN_B)):
        frames = _frames(gen)
        out[name] = {"probe": _probe_of(frames), "sales": _sales(oracle.oracle_sales(frames, YEARS))}
    assert out["A"] != out["B"], "the generations must differ in what the reader checks"
    return out


@pytest.fixture
def target(request, tmp_path, monkeypatch):
    """An empty target of the backend named by the test's parameter: a file, or this test's own server
    database `beltboard_rebuild_<pid>`, dropped after (also when the test fails). Readers look at a
    server's generation on every use."""
    monkeypatch.setenv(GENERATION_CHECK_ENV, "0")
    backend = request.param
    if backend in ("duckdb", "sqlite"):
        yield f"{backend}:///{tmp_path / ('rebuilt.' + backend)}"
        return
    name = server_databases.name_for("rebuild")
    try:
        url = server_databases.create(backend, name)
    except DBAPIError as exc:
        from conftest import _unavailable
        _unavailable(backend, exc)
    try:
        yield url
    finally:
        server_databases.drop(backend, name)


class Reader(threading.Thread):
    """Runs report queries in a loop through one long-lived Warehouse, looking at its generation before
    each, as the dashboard does before each cached call."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.seen: list[tuple[float, tuple, tuple]] = []  # (when, probe, sales)
        self.errors: list[str] = []
        self.done = threading.Event()

    def run(self):
        wh = Warehouse(self.url)
        try:
            while not self.done.is_set():
                try:
                    wh.generation()
                    probe = tuple(int(x) for x in wh.frame(PROBE).iloc[0])
                    self.seen.append((time.monotonic(), probe, _sales(reports.sales(wh, YEARS))))
                except WarehouseError as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                except Exception as exc:  # noqa: BLE001 - a crash is what the test looks for
                    self.errors.append(f"crash {exc!r}")
                    return
        finally:
            wh.engine.dispose()


def _label(observed: tuple, generations: dict, part: str) -> str:
    for name in ("A", "B"):
        if observed == generations[name][part]:
            return name
    return f"a mix: {observed}"


@pytest.mark.parametrize("target", ["duckdb", "sqlite", "postgresql", "mariadb"], indirect=True)
def test_a_reader_sees_one_generation_or_the_next_never_half_a_rebuild(target, generations):
    demo_build.build(target, **GEN_A)
    reader = Reader(target)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while len(reader.seen) < 3 and not reader.errors and time.monotonic() < deadline:
            time.sleep(0.05)
        build_started = time.monotonic()
        demo_build.build(target, **GEN_B)
        build_ended = time.monotonic()
        deadline = build_ended + 30
        while (not [s for s in reader.seen if s[0] > build_ended + 0.2][2:] and not reader.errors
               and time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        reader.done.set()
        reader.join(60)
    assert not reader.errors, reader.errors[:3]
    during = [s for s in reader.seen if build_started <= s[0] <= build_ended]
    assert len(during) >= 3, f"the reader must really read while the build runs ({len(during)} reads)"
    probes = [_label(probe, generations, "probe") for _, probe, _ in reader.seen]
    sales = [_label(figures, generations, "sales") for _, _, figures in reader.seen]
    for labels in (probes, sales):
        assert set(labels) <= {"A", "B"}, sorted(set(labels) - {"A", "B"})[:3]
        assert labels == sorted(labels), "once the new generation is seen, the old one never comes back"
    after = [_label(probe, generations, "probe") for when, probe, _ in reader.seen if when > build_ended + 0.2]
    assert after and set(after) == {"B"}, "the reader follows the rebuilt warehouse by itself"


@pytest.mark.parametrize("target", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_a_reader_never_reads_half_built_marts(target, generations):
    """build-marts over the same orders: every read gives generation A's figures (from the old marts, the new
    ones, or the raw orders), never those of marts dropped and not yet filled."""
    demo_build.build(target, **GEN_A)
    reader = Reader(target)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while len(reader.seen) < 3 and not reader.errors and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        for _ in range(3):
            marts_build.build(target, quiet=True)
        ended = time.monotonic()
        time.sleep(0.3)
    finally:
        reader.done.set()
        reader.join(60)
    assert not reader.errors, reader.errors[:3]
    assert len([s for s in reader.seen if started <= s[0] <= ended]) >= 3, "the reader must read during the builds"
    assert {(probe, figures) for _, probe, figures in reader.seen} == {
        (generations["A"]["probe"], generations["A"]["sales"])}
    wh = Warehouse(target)
    try:
        assert marts_read.fresh(wh)
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("target", ["postgresql", "mariadb"], indirect=True)
def test_a_staged_build_leaves_no_staging_area_and_refuses_tables_it_did_not_create(target):
    demo_build.build(target, **GEN_A)
    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            areas = conn.execute(text("SELECT schema_name FROM information_schema.schemata "
                                      "WHERE schema_name LIKE 'beltboard\\_build\\_%'")).scalars().all()
            assert areas == [], "the staging schema / database is dropped after the swap"
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE beltboard_demo_marker"))  # now the tables look like someone else's
    finally:
        engine.dispose()
    from data_access import cli
    assert cli.main(["demo", "--url", target, "--orders", "1000"]) == 1
    wh = Warehouse(target)
    try:
        assert int(wh.scalar(select(func.count()).select_from(schema.orders))) == GEN_A["orders"]
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("target", ["postgresql"], indirect=True)
def test_a_rebuild_keeps_the_grants_of_a_read_only_user(target):
    """README's read-only role: a swap must not leave it without SELECT on the new tables (the old tables'
    grants, and the schema's default privileges, which a table created in the staging schema did not get)."""
    role = f"beltboard_reader_{os.getpid()}"
    demo_build.build(target, orders=1_000, seed=1)
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:  # README's read-only role, less the tables' grant on one mart
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
            conn.execute(text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{role}"'))
            conn.execute(text(f'REVOKE SELECT ON mart_campaign_windows FROM "{role}"'))
        demo_build.build(target, orders=2_000, seed=2)
        with engine.connect() as conn:
            allowed = {t: conn.execute(text("SELECT has_table_privilege(:r, :t, 'SELECT')"),
                                       {"r": role, "t": f"public.{t}"}).scalar()
                       for t in (*schema.TABLE_NAMES, *marts_definitions.BUILT)}
            writes = conn.execute(text("SELECT has_table_privilege(:r, 'public.orders', 'INSERT')"),
                                  {"r": role}).scalar()
        assert allowed == {t: True for t in allowed}
        assert writes is False, "the grants are copied, not widened"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


@pytest.mark.parametrize("target", ["postgresql"], indirect=True)
def test_truncated_orders_stop_the_marts_being_read_as_fresh(target, generations):
    demo_build.build(target, **GEN_A)
    wh = Warehouse(target)
    try:
        assert marts_read.fresh(wh)
        assert _sales(reports.sales(wh, YEARS)) == generations["A"]["sales"]
        engine = create_engine(target)
        try:
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE orders"))
        finally:
            engine.dispose()
        wh.generation()  # what the dashboard does before each cached call
        assert not marts_read.fresh(wh)
        with pytest.raises(EmptyWarehouse):  # the page says so, rather than the marts' old figures
            reports.sales(wh, YEARS)
    finally:
        wh.engine.dispose()


@pytest.mark.parametrize("target", ["postgresql"], indirect=True)
def test_a_server_is_looked_at_again_only_after_the_check_interval(target, monkeypatch):
    """The generation check costs a count of the orders: at most once per generation_check_s(), which
    by default is well inside the dashboard's cache TTL (so a change shows within the TTL it promises)."""
    from data_access.config import DEFAULT_GENERATION_CHECK_S
    from ui.data import TTL_SECONDS
    assert 0 < DEFAULT_GENERATION_CHECK_S < TTL_SECONDS
    monkeypatch.setenv(GENERATION_CHECK_ENV, "3600")
    demo_build.build(target, orders=1_000, seed=1)
    wh = Warehouse(target)
    try:
        before = wh.generation()
        assert before.marts_fresh
        engine = create_engine(target)
        try:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM orders WHERE order_id = (SELECT min(order_id) FROM orders)"))
        finally:
            engine.dispose()
        assert wh.generation() == before, "not looked at again within the interval"
        other = Warehouse(target)
        try:
            assert other.generation().token != before.token, "a new look sees the change"
            assert not marts_read.fresh(other)
            frames = _frames({"orders": 1_000, "seed": 1})
            rest = {**frames, "orders": frames["orders"][frames["orders"].order_id != frames["orders"].order_id.min()]}
            assert _sales(reports.sales(other, YEARS)) == _sales(oracle.oracle_sales(rest, YEARS))
        finally:
            other.engine.dispose()
    finally:
        wh.engine.dispose()


def _open_deleted(path: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    links = []
    for fd in fds.iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return [link for link in links if link.startswith(str(path)) and link.endswith("(deleted)")]


def test_the_app_shows_a_rebuilt_duckdb_file_without_a_refresh(tmp_path, monkeypatch):
    path = tmp_path / "swapped.duckdb"
    url = f"duckdb:///{path}"
    demo_build.build(url, **GEN_A)
    monkeypatch.setenv("WAREHOUSE_URL", url)
    f = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31), grain="quarter")
    expected = {}
    for name, gen in (("A", GEN_A), ("B", GEN_B)):
        q4 = oracle.oracle_sales(_frames(gen), f).iloc[-1]
        expected[name] = fmt.count(q4["orders"])
    assert expected["A"] != expected["B"]

    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params.update({"lang": "en", "preset": "custom", "from": "2021-01-01", "to": "2021-12-31",
                            "grain": "quarter"})
    at.run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Orders · Q4 2021").value == expected["A"]

    demo_build.build(url, **GEN_B)  # a new file renamed over the one the app has open
    at.run()  # the next run: no Refresh pressed
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Orders · Q4 2021").value == expected["B"]
    if Path("/proc/self/fd").is_dir():
        assert _open_deleted(path) == [], "the replaced file is closed, not read on"


def test_a_query_still_on_the_replaced_duckdb_file_does_not_keep_the_reader_on_it(tmp_path, generations):
    """DuckDB shares one open database per path in a process: while a connection to the replaced file is in
    use, a new connection would silently get the old file. The reader waits for it instead, then reads the
    new file, and the old one is closed."""
    path = tmp_path / "held.duckdb"
    url = f"duckdb:///{path}"
    demo_build.build(url, **GEN_A)
    wh = Warehouse(url)
    try:
        assert tuple(int(x) for x in wh.frame(PROBE).iloc[0]) == generations["A"]["probe"]
        busy = wh.engine.connect()  # a query of another session, still running on the old file
        busy.execute(PROBE).fetchall()
        demo_build.build(url, **GEN_B)
        threading.Timer(0.5, busy.close).start()
        started = time.monotonic()
        wh.generation()  # a new engine, which waits for the old file's last query before it connects
        assert tuple(int(x) for x in wh.frame(PROBE).iloc[0]) == generations["B"]["probe"]
        assert time.monotonic() - started >= 0.4, "it waited for the old file's last query"
        if Path("/proc/self/fd").is_dir():
            assert _open_deleted(path) == []
    finally:
        wh.engine.dispose()
