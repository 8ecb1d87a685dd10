"""Test databases on the local PostgreSQL and MariaDB servers: made by the fixture that uses them,
dropped after it (also when the test fails), never left behind.

Every name is `beltboard_<purpose>_<pid>`: concurrent runs never share one, and a database whose
process is gone is a leftover of a crashed run, dropped at the start of the next (`drop_stale`).
All admin work goes through the server's admin database (`postgres`, or none on MariaDB), never
through a database a fixture may have dropped.

    python -m tests.server_databases --check   # exit 1 when a test database outlived its run (make test)
"""
from __future__ import annotations

import contextlib
import os
import re
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

PG_URL = os.environ.get("BELTBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/beltboard_test")
MARIADB_URL = os.environ.get("BELTBOARD_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/beltboard_test")
SERVERS = {"postgresql": PG_URL, "mariadb": MARIADB_URL}
PREFIX = "beltboard_"
KEPT = re.compile(r"^beltboard_bench_")  # `make bench` keeps its warehouses on purpose and reuses them
OWNED = re.compile(r"^beltboard_.+_(\d+)$")


def admin_url(kind: str) -> URL:
    """The server's admin database: always there, whatever the fixtures have dropped."""
    url = make_url(SERVERS[kind])
    return url.set(database="postgres" if kind == "postgresql" else "")


def _admin(kind: str):
    return create_engine(admin_url(kind), isolation_level="AUTOCOMMIT", pool_pre_ping=True,
                         connect_args={"connect_timeout": 5})


def _quoted(kind: str, name: str) -> str:
    return f'"{name}"' if kind == "postgresql" else f"`{name}`"


def name_for(purpose: str) -> str:
    return f"{PREFIX}{purpose}_{os.getpid()}"


def url_for(kind: str, name: str) -> str:
    url = make_url(SERVERS[kind]).set(database=name)
    return url.render_as_string(hide_password=False)


def create(kind: str, name: str) -> str:
    """(Re)create database `name` empty on the server; return its URL."""
    assert name.startswith(PREFIX), name
    engine = _admin(kind)
    try:
        with engine.connect() as conn:
            conn.execute(text(_drop_statement(kind, name)))
            conn.execute(text(f"CREATE DATABASE {_quoted(kind, name)}"
                              + (" ENCODING 'UTF8'" if kind == "postgresql" else " CHARACTER SET utf8mb4")))
    finally:
        engine.dispose()
    return url_for(kind, name)


def _drop_statement(kind: str, name: str) -> str:
    return f"DROP DATABASE IF EXISTS {_quoted(kind, name)}" + (" WITH (FORCE)" if kind == "postgresql" else "")


def drop(kind: str, name: str) -> None:
    engine = _admin(kind)
    try:
        with engine.connect() as conn:
            conn.execute(text(_drop_statement(kind, name)))
    finally:
        engine.dispose()


@contextlib.contextmanager
def database(kind: str, purpose: str):
    """A fresh database for one fixture; dropped when the block ends, however it ends."""
    name = name_for(purpose)
    url = create(kind, name)
    try:
        yield url
    finally:
        drop(kind, name)


def names(kind: str) -> list[str]:
    """The `beltboard_*` databases on the server."""
    engine = _admin(kind)
    query = ("SELECT datname FROM pg_database WHERE datname LIKE 'beltboard\\_%'" if kind == "postgresql" else
             "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'beltboard\\_%'")
    try:
        with engine.connect() as conn:
            return sorted(row[0] for row in conn.execute(text(query)))
    finally:
        engine.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned(kind: str) -> list[str]:
    """Test databases whose run is over: no live process owns them (bench warehouses excepted)."""
    out = []
    for name in names(kind):
        owner = OWNED.match(name)
        if KEPT.match(name) or (owner and _alive(int(owner.group(1)))):
            continue
        out.append(name)
    return out


def drop_stale(kind: str) -> list[str]:
    """Drop what crashed runs left behind; return the names."""
    stale = orphaned(kind)
    for name in stale:
        drop(kind, name)
    return stale


def main(argv: list[str]) -> int:
    if argv != ["--check"]:
        print("usage: python -m tests.server_databases --check", file=sys.stderr)
        return 2
    status = 0
    for kind in SERVERS:
        try:
            left = orphaned(kind)
        except Exception as exc:  # noqa: BLE001 - an unreachable server is reported, and fails under CI
            print(f"leftover databases: {kind} unreachable: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
            status = status or (1 if os.environ.get("CI") == "true" else 0)
            continue
        if left:
            print(f"leftover databases on {kind}: {', '.join(left)} (a test did not drop what it made)",
                  file=sys.stderr)
            status = 1
        else:
            print(f"leftover databases on {kind}: none")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
