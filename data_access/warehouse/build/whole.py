"""Writing a whole warehouse at a URL, so that a reader never sees half of one: a DuckDB or SQLite file is written
beside the target and renamed over it, a PostgreSQL or MariaDB database is built in a staging schema / database
and swapped in at once (writing.staged), a ClickHouse server or cluster is written in place. The demo and
`transfer` write their warehouses through it."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..connection import create_warehouse_engine, describe_safely
from ..marts.definitions import BUILT as MART_TABLES
from ..schema import TABLE_NAMES
from . import load, writing

# A DuckDB build's own memory (its buffers, the orders' primary key index, the marts' sorts; it spills
# to disk beyond): the generator's arrays (~30 bytes an order) and this keep a 100M build under 8 GB.
DUCKDB_BUILD_MEMORY = "3GB"



def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _build_file(url, fill) -> None:
    """Load a new DuckDB or SQLite file beside the target, then swap it in (one rename): a reader sees
    the old warehouse or the new one, never half of one. A SQLite file that beltboard did not create
    is refused, as any other warehouse; a DuckDB target is beltboard's demo file by definition."""
    target = Path(url.database).expanduser().resolve()
    is_duckdb = url.get_backend_name() == "duckdb"
    if not is_duckdb and target.exists():
        existing = create_engine(url.set(database=str(target)))
        try:
            writing.refuse_unless_ours(existing)
        finally:
            existing.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    sidecars = [Path(f"{tmp}.wal")] if is_duckdb else [Path(f"{tmp}-journal")]
    try:
        # No pre-ping: it leaves a pending result that blocks register().
        engine = create_engine(url.set(database=str(tmp)), **(
            {"connect_args": {"config": {"memory_limit": DUCKDB_BUILD_MEMORY}}} if is_duckdb else {}))
        try:
            load.create_tables(engine)
            fill(engine)
            if is_duckdb:
                with engine.connect() as conn:
                    conn.exec_driver_sql("CHECKPOINT")  # everything in the file, nothing left in the WAL
        finally:
            engine.dispose()
        for sidecar in sidecars:
            _remove(sidecar)
        if is_duckdb:
            _remove(Path(f"{target}.wal"))  # a stale WAL would be replayed onto the new file
        os.replace(tmp, target)
    finally:
        _remove(tmp)
        for sidecar in sidecars:
            _remove(sidecar)


def _is_file(url) -> bool:
    return url.get_backend_name() in ("duckdb", "sqlite") and url.database not in (None, "", ":memory:")


# Every table a demo build writes: replaced together on a database server (writing.staged).
BUILT = (*TABLE_NAMES, writing.MARKER.name, *MART_TABLES)


def write(url, fill) -> None:
    """Write a whole warehouse at `url`: its contract tables created empty, then `fill(engine)` loads them (and
    builds the marts). A DuckDB or SQLite file is written beside the target and renamed over it; a PostgreSQL
    or MariaDB database is built in a staging schema / database and swapped in at once (writing.staged); a
    ClickHouse server or cluster in place. A target that holds contract tables that beltboard did not create
    is refused (writing.RefusedToOverwrite), untouched."""
    url = make_url(url)
    try:
        if _is_file(url):
            _build_file(url, fill)
            return
        engine = create_warehouse_engine(url.render_as_string(hide_password=False), read_only=False)
        try:
            writing.refuse_unless_ours(engine)
            with writing.staged(engine, BUILT) as target:
                load.create_tables(target)
                fill(target)
        finally:
            engine.dispose()
    except DBAPIError as exc:  # unreachable, refused, a row the database rejects: one line, no password
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise writing.BuildError(f"could not write the warehouse ({describe_safely(url)}): "
                              f"{detail[0][:300] if detail else type(exc).__name__}") from None
