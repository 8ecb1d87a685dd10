"""The backend matrix: one small edge-case warehouse, loaded into every engine we support.

`warehouse` is parametrised over duckdb, sqlite and chdb (ClickHouse in-process; temporary
files), PostgreSQL and MariaDB (local servers, a database `beltboard_test_<pid>` made for this
run and dropped after it, so concurrent runs never share tables) and a two-shard ClickHouse cluster
(scripts/clickhouse_cluster.py: started once for the session, in temporary directories, and stopped
at its end). A server that cannot be reached is skipped with the reason — except in CI (CI=true), where
a missing backend must fail the run rather than hide.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse, create_warehouse_engine
from data_access.warehouse.marts import build as marts_build, read as marts_read
from edge_warehouse import edge_frames
from tests import server_databases

BACKENDS = ("duckdb", "sqlite", "postgresql", "mariadb", "chdb", "cluster")


@dataclass
class LoadedWarehouse:
    backend: str
    url: str
    wh: Warehouse              # reads the marts (built after loading)
    raw_wh: Warehouse          # the same warehouse, read from the raw tables only
    frames: dict[str, pd.DataFrame]

    def source(self, name: str) -> Warehouse:
        """The Warehouse reading `marts` or `raw`."""
        return {"marts": self.wh, "raw": self.raw_wh}[name]

    def __repr__(self) -> str:
        return f"<LoadedWarehouse {self.backend}>"


def _unavailable(backend: str, exc: Exception):
    reason = f"{backend} server unreachable: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0][:200]}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every backend must run)", pytrace=False)
    pytest.skip(reason)


def _load(url: str, frames: dict[str, pd.DataFrame]) -> None:
    # chDB holds one data directory per process: our engine releases any other one first; a cluster's URL
    # names the cluster, which only our engine understands
    engine = (create_warehouse_engine(url, read_only=False) if url.startswith(("chdb:", "clickhousedb:"))
              else create_engine(url))
    try:
        load.create_tables(engine)
        load.load_frames(engine, frames)
        marts_build.build_into(engine)
    finally:
        engine.dispose()  # duckdb: the read-only reader cannot open a file a writer holds


@pytest.fixture(scope="session")
def frames() -> dict[str, pd.DataFrame]:
    return edge_frames()


@pytest.fixture(scope="session")
def clickhouse_cluster(tmp_path_factory):
    """A two-shard ClickHouse cluster for the whole run (each user makes its own database on it)."""
    from scripts.clickhouse_cluster import Cluster
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001 - chDB missing, a node that would not start …
        _unavailable("ClickHouse cluster", exc)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def warehouse(request, frames, tmp_path_factory):
    backend = request.param
    if backend == "cluster":
        yield from _loaded(backend, request.getfixturevalue("clickhouse_cluster").database("edge"), frames)
        return
    if backend == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('duckdb') / 'edge.duckdb'}"
    elif backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'edge.sqlite'}"
    elif backend == "chdb":  # ClickHouse in-process: a data directory
        url = f"chdb:///{tmp_path_factory.mktemp('chdb') / 'edge'}"
    else:  # this run's own database on the local server, dropped after (also when a test fails)
        name = server_databases.name_for("test")
        try:
            url = server_databases.create(backend, name)
        except DBAPIError as exc:
            _unavailable(backend, exc)
        try:
            yield from _loaded(backend, url, frames)
        finally:
            server_databases.drop(backend, name)
        return
    yield from _loaded(backend, url, frames)


def _loaded(backend: str, url: str, frames):
    _load(url, frames)
    wh = Warehouse(url)  # read-only for duckdb
    raw_wh = Warehouse(url, use_marts=False)
    assert marts_read.fresh(wh) and not marts_read.fresh(raw_wh), "the marts variant must really read marts"
    try:
        yield LoadedWarehouse(backend=backend, url=url, wh=wh, raw_wh=raw_wh, frames=frames)
    finally:
        wh.engine.dispose()
        raw_wh.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _no_stale_test_databases():
    """A crashed earlier run may have left its databases on the servers: drop them before this run starts."""
    for backend in ("postgresql", "mariadb"):
        try:
            server_databases.drop_stale(backend)
        except DBAPIError:
            pass  # unreachable: the tests that need the server say so


@pytest.fixture(scope="session", autouse=True)
def _access_configuration_of_the_run(tmp_path_factory):
    """Tests (and the CLIs and servers they start) log to a temporary audit file, not logs/audit.log, and
    run without access control unless a test sets BELTBOARD_ROLES, and with METRICS.md's thresholds unless it
    sets BELTBOARD_RULES: a developer's own .streamlit/roles.toml or rules.toml must not change what the suite
    sees. Queries may run for 10 minutes unless a test sets a statement timeout of its own: on a loaded machine
    a slow query (the mapping example's views on MariaDB) must not fail a test of its figures."""
    from data_access import config
    from data_access.access import audit, roles as access
    from data_access.metrics import rules
    names = (audit.AUDIT_ENV, access.ROLES_ENV, rules.RULES_ENV, config.STATEMENT_TIMEOUT_ENV)
    saved = {name: os.environ.get(name) for name in names}
    os.environ[config.STATEMENT_TIMEOUT_ENV] = "600"
    os.environ[audit.AUDIT_ENV] = str(tmp_path_factory.mktemp("audit") / "audit.log")
    os.environ.pop(access.ROLES_ENV, None)
    os.environ.pop(rules.RULES_ENV, None)  # the work queue's thresholds: METRICS.md's unless a test sets a file
    for path in (access.DEFAULT_ROLES_PATH, rules.DEFAULT_RULES_PATH):
        if path.is_file():
            pytest.exit(f"{path} exists: move it away while the tests run", 2)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def pytest_configure(config):
    """The compiled message catalogues (locale/*/LC_MESSAGES/beltboard.mo, built, not committed), as
    `make locale` builds them, so that pytest alone runs on a fresh checkout."""
    from scripts.i18n import compile_catalogues
    compile_catalogues()


@pytest.fixture(autouse=True)
def _a_fresh_process_s_access_state():
    """Each test starts as a fresh server would: no access control seen yet (data_access.access.roles never goes
    back to local mode once it has seen some, and the tests run many configurations in one process)."""
    from data_access.access import roles as access
    access.forget_access_control()
    yield
    access.forget_access_control()
