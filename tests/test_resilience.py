"""The statement timeout and a restarted PostgreSQL, against the real servers (127.0.0.1:5432 / :3306).

Each server gets a database of its own for this run (`beltboard_resilience_<pid>`, dropped after, also on failure),
holding a generated demo warehouse large enough that the `providers` report over two years,
read from the raw tables, takes several times longer than the short timeout used here:
- a report that runs too long ends with a QueryTimeout naming the timeout, and the next query on
  the same engine works; in the dashboard the page says so in words and "Refresh data" recovers;
- PostgreSQL stopped mid-session gives one clear message on the page; once it is back the
  next run works by itself, without a refresh (no error is cached, the pool pings before reuse),
  and a restart in between two runs costs nothing. The server is started again even when a test
  fails;
- the README's read-only database user (PostgreSQL and MySQL snippets, run as written) can run
  every report and cannot write.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from data_access.access import audit
from data_access.demo import synthesis as demo
from data_access.metrics import reference
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.build import load
from data_access.warehouse.connection import QueryTimeout, Warehouse
from data_access.warehouse.filters import Filters
from tests import server_databases
from tests.app_support import DASHBOARD, texts

TWO_YEARS = Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31))
SHORT = 0.2  # seconds: the heavy report takes several times longer on these servers

# serial: it stops and restarts the shared PostgreSQL, which would break other workers' tests (make test)
pytestmark = [pytest.mark.slow, pytest.mark.serial]


def _skip_or_fail(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every backend must run)", pytrace=False)
    pytest.skip(reason)


def _database(kind: str, orders: int):
    """Create this run's `beltboard_resilience_<pid>` on the server, load a demo warehouse of `orders` orders;
    yield its URL; drop it after, also when a test failed (the server is started again first)."""
    name = server_databases.name_for("resilience")
    try:
        target = server_databases.create(kind, name)
    except DBAPIError as exc:
        _skip_or_fail(f"{kind} server unreachable: {str(exc.orig).splitlines()[0][:200]}")
    try:
        engine = create_engine(target)
        try:
            load.create_tables(engine)
            load.load_frames(engine, demo.generate(orders=orders, seed=3))
        finally:
            engine.dispose()
        yield target
    finally:
        if kind == "postgresql":
            ensure_postgres_running()
        server_databases.drop(kind, name)


@pytest.fixture(scope="module")
def pg_url():
    yield from _database("postgresql", orders=300_000)


@pytest.fixture(scope="module")
def mariadb_url():
    yield from _database("mariadb", orders=50_000)


# ---------------------------------------------------------------- the statement timeout

@pytest.mark.parametrize("server", ["pg_url", "mariadb_url"])
def test_a_report_running_too_long_ends_with_a_clear_message_and_the_next_query_works(request, server):
    url = request.getfixturevalue(server)
    wh = Warehouse(url, use_marts=False, statement_timeout=SHORT)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout) as caught:
        REPORTS["providers"](wh, TWO_YEARS)
    assert time.perf_counter() - started < 10 * SHORT + 2, "the server ended it near the timeout"
    message = str(caught.value)
    assert f"statement timeout ({SHORT:g} s)" in message and "\n" not in message
    assert "cannot reach" not in message
    # the same engine, the same pool: the next query runs
    assert len(reference.belts(wh)) > 0
    assert wh.as_of() == dt.date(2021, 12, 31)
    full = REPORTS["providers"](Warehouse(url, use_marts=False), TWO_YEARS)  # the default 30 s is plenty
    assert len(full) > 0


def test_a_tiny_timeout_stops_a_real_report_on_postgresql(pg_url):
    with pytest.raises(QueryTimeout):
        REPORTS["brand_multiples"](Warehouse(pg_url, use_marts=False, statement_timeout=0.001), TWO_YEARS)


def _app(url: str, monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.delenv("BELTBOARD_ROLES", raising=False)
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "audit.log"))
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params.update({"lang": "en"})
    return at


def _run(at: AppTest, page: str | None = None) -> AppTest:
    at.run() if page is None else at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_dashboard_says_a_query_took_too_long_and_refresh_recovers(pg_url, monkeypatch, tmp_path):
    url = pg_url + "?application_name=beltboard_timeout_test"  # an engine (and cache) of its own
    at = _app(url, monkeypatch, tmp_path)
    monkeypatch.setenv("BELTBOARD_STATEMENT_TIMEOUT", str(SHORT))
    _run(at)
    _run(at, "pages/providers.py")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "The warehouse took too long to answer." in errors[0], errors
    assert "statement timeout" in errors[0] and not at.dataframe
    monkeypatch.setenv("BELTBOARD_STATEMENT_TIMEOUT", "30")
    at.sidebar.button(key="refresh_data").click()
    _run(at)
    assert not at.error and at.dataframe, "after Refresh data, with a longer timeout, the page is back"


# ---------------------------------------------------------------- PostgreSQL going away

def _pg_cluster() -> tuple[str, str] | None:
    root = Path("/etc/postgresql")
    if not shutil.which("pg_ctlcluster") or not root.is_dir() or os.geteuid() != 0:
        return None
    versions = sorted(p.name for p in root.iterdir() if (p / "main").is_dir())
    return (versions[-1], "main") if versions else None


def _pg_ctl(action: str) -> None:
    """Stop, start or restart the cluster; a start or restart is done when the server accepts connections.
    Its exit status is not the test: on some machines pg_ctlcluster says "The PostgreSQL server failed to
    start" and exits 1 while its own log shows the server ready (seen on the CI machine, every time)."""
    version, cluster = _pg_cluster()
    done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action, *(
        ["-m", "fast"] if action in ("stop", "restart") else [])], capture_output=True, timeout=120)
    if action == "stop":
        if done.returncode != 0:
            raise AssertionError(f"pg_ctlcluster stop: {done.stderr.decode(errors='replace')[-500:]}")
    elif not _pg_accepts():
        raise AssertionError(f"PostgreSQL did not come back after pg_ctlcluster {action} (exit {done.returncode}): "
                             f"{done.stderr.decode(errors='replace')[-500:]}")


def _pg_accepts(timeout: float = 60) -> bool:
    """Readiness: the server's admin database answers (never a test database, which may not exist)."""
    engine = create_engine(server_databases.admin_url("postgresql"), connect_args={"connect_timeout": 2})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                time.sleep(0.3)
        return False
    finally:
        engine.dispose()


def ensure_postgres_running() -> None:
    """Start the cluster when it is down (after a failed test too); wait until it accepts connections."""
    if _pg_cluster() is None:
        return
    version, cluster = _pg_cluster()
    status = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "status"],
                            capture_output=True, timeout=60)
    if status.returncode != 0:
        _pg_ctl("start")
    assert _pg_accepts(), "PostgreSQL did not come back"


@pytest.fixture
def pg_control(pg_url):
    if _pg_cluster() is None:
        _skip_or_fail("cannot stop and start PostgreSQL here (needs root and pg_ctlcluster)")
    try:
        yield
    finally:
        ensure_postgres_running()


def test_postgresql_going_away_gives_one_message_and_the_app_recovers_by_itself(pg_url, pg_control, monkeypatch,
                                                                               tmp_path):
    at = _app(pg_url, monkeypatch, tmp_path)
    _run(at)
    _run(at, "pages/sales.py")
    assert not at.error and at.dataframe

    _pg_ctl("stop")
    try:
        at.sidebar.radio(key="f_grain").set_value("quarter")  # new filters: the page must ask the warehouse
        _run(at)
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and "The warehouse cannot be reached." in errors[0], errors
        assert "Traceback" not in texts(at) and not at.dataframe
    finally:
        _pg_ctl("start")
    assert _pg_accepts()

    at.sidebar.radio(key="f_grain").set_value("year")
    _run(at)
    assert not at.error and at.dataframe, "back without a refresh: nothing failed was cached"
    at.sidebar.radio(key="f_grain").set_value("quarter")  # the filters that failed while it was down
    _run(at)
    assert not at.error and at.dataframe

    _pg_ctl("restart")  # between two runs: the pooled connections are dead, the pool pings and reconnects
    assert _pg_accepts()
    at.sidebar.selectbox(key="f_preset").set_value("last90")
    _run(at)
    assert not at.error and at.dataframe


# ---------------------------------------------------------------- the README's read-only database user

def readme_sql(flavour: str) -> list[str]:
    """The statements of the README's read-only-role snippet for this flavour."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"<!-- read-only-role:{flavour} -->", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [s.strip() for s in block.split(";") if s.strip()]


@pytest.mark.parametrize("server,flavour", [("pg_url", "postgresql"), ("mariadb_url", "mysql")])
def test_the_documented_read_only_user_reads_every_report_and_cannot_write(request, server, flavour):
    url = make_url(request.getfixturevalue(server))
    name = url.database
    user, password = f"beltboard_reader_{os.getpid()}", "read-only-test"
    statements = [s.replace("beltboard_reader", user).replace("CHANGE-ME", password)
                  .replace("DATABASE warehouse", f'DATABASE "{name}"' if flavour == "postgresql" else "")
                  .replace("warehouse.*", f"`{name}`.*") for s in readme_sql(flavour)]
    owner = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    drop = f"DROP ROLE IF EXISTS {user}" if flavour == "postgresql" else f"DROP USER IF EXISTS '{user}'@'%'"
    try:
        with owner.connect() as conn:
            conn.execute(text(drop))
            for statement in statements:
                conn.execute(text(statement))
        reader = Warehouse(url.set(username=user, password=password).render_as_string(hide_password=False))
        for report in REPORTS.values():
            report(reader, TWO_YEARS)
        for statement in ("CREATE TABLE sneaky (a INTEGER)", "DELETE FROM brands", "DROP TABLE orders",
                          "UPDATE brands SET name = 'x'"):
            with pytest.raises(DBAPIError):
                with reader.engine.begin() as conn:
                    conn.execute(text(statement))
        reader.engine.dispose()
    finally:
        with owner.connect() as conn:
            exists = flavour == "postgresql" and conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}).scalar()
            if exists:  # its grants (here and in the default privileges) go first
                conn.execute(text(f"DROP OWNED BY {user}"))
            conn.execute(text(drop))
        owner.dispose()
