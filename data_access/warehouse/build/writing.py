"""Create the contract tables and bulk-load DataFrames into them, each engine its fast way.

Used by the demo generator and by the tests' small warehouse. It only ever writes to a
warehouse that it creates: an existing one is replaced only when it carries our marker table.

ClickHouse (chDB in-process, or a server) gets MergeTree tables ordered the way the reports
read them (orders by brand and time, partitioned by month) and is loaded through chDB's
`Python()` table function straight from the DataFrame, or a server's in one Arrow request per
frame, never row by row. A cluster (data_access.warehouse.cluster) lays the tables out over its nodes.

A build into a database server that others read is staged (`staged`): written into a new
schema (PostgreSQL) or database (MariaDB/MySQL) beside the target, then swapped in with one
atomic step, so a reader sees the old tables or the new ones, never a mix.
"""
import contextlib
import os
import time
import uuid
from collections.abc import Iterator, Sequence

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    bindparam,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from .. import schema

MARKER = Table("beltboard_demo_marker", MetaData(), Column("version", Integer, autoincrement=False))

CLICKHOUSE_DIALECTS = ("chdb", "clickhousedb", "clickhouse")

# MergeTree sorting keys (and partitions): the order the reports scan each table in.
CLICKHOUSE_LAYOUT = {
    "industry_belts": "ORDER BY (belt_id)",
    "providers": "ORDER BY (provider_id)",
    "brands": "ORDER BY (brand_id)",
    "provider_assignments": "ORDER BY (brand_id, provider_id, start_on)",
    "steps_milestones": "ORDER BY (brand_id, step)",
    "campaigns": "ORDER BY (brand_id, start_on, campaign_id)",
    "orders": "PARTITION BY toYYYYMM(ordered_at) ORDER BY (brand_id, ordered_at)",
    MARKER.name: "ORDER BY tuple()",
}
# Enumerated text (a handful of values) is dictionary-encoded.
LOW_CARDINALITY = {"province", "provider_type", "category", "brand_type", "managed_by", "belt_id", "channel",
                   "traffic_source", "objective", "main_category", "city"}


def is_clickhouse(engine_or_dialect) -> bool:
    dialect = getattr(engine_or_dialect, "dialect", engine_or_dialect)
    return dialect.name in CLICKHOUSE_DIALECTS


class BuildError(RuntimeError):
    """A build that could not write its warehouse; str() is a one-line message."""


class RefusedToOverwrite(BuildError):
    pass


def _existing_contract_tables(engine: Engine) -> list[str]:
    names = set(inspect(engine).get_table_names())
    return [t for t in schema.TABLE_NAMES if t in names], MARKER.name in names


def refuse_unless_ours(engine: Engine) -> None:
    """Raise RefusedToOverwrite when the target holds contract tables without our marker."""
    present, ours = _existing_contract_tables(engine)
    if present and not ours:
        raise RefusedToOverwrite(
            f"the target already holds {', '.join(present)} that beltboard did not create; refusing to overwrite"
        )


def clickhouse_type(column: Column) -> str:
    """The ClickHouse type of a contract column: Nullable exactly where the contract allows NULL."""
    t = column.type
    if isinstance(t, BigInteger):
        name = "Int64"
    elif isinstance(t, SmallInteger):
        name = "Int16"
    elif isinstance(t, Integer):
        name = "Int32"
    elif isinstance(t, Numeric):
        name = f"Decimal({t.precision}, {t.scale})"
    elif isinstance(t, Boolean):
        name = "Bool"
    elif isinstance(t, DateTime):
        name = "DateTime"
    elif isinstance(t, Date):
        name = "Date"
    elif isinstance(t, String):
        name = "String"
    else:  # pragma: no cover - the contract has no other types
        raise TypeError(f"no ClickHouse type for {column.table.name}.{column.name}: {t!r}")
    if column.nullable and not column.primary_key:
        name = f"Nullable({name})"
    if column.name in LOW_CARDINALITY:
        name = f"LowCardinality({name})"
    return name


def clickhouse_ddl(table: Table) -> str:
    columns = ",\n  ".join(f"`{c.name}` {clickhouse_type(c)}" for c in table.c)
    return f"CREATE TABLE `{table.name}` (\n  {columns}\n) ENGINE = MergeTree {CLICKHOUSE_LAYOUT[table.name]}"


def create_clickhouse_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (*reversed(schema.TABLES), MARKER):
            conn.execute(text(f"DROP TABLE IF EXISTS `{table.name}`"))
        for table in (*schema.TABLES, MARKER):
            conn.execute(text(clickhouse_ddl(table)))


def load_chdb(engine: Engine, table: Table, df: pd.DataFrame) -> None:
    """INSERT … SELECT FROM Python(frame): chDB reads the DataFrame's columns in place.

    Money travels as integer cents and becomes DECIMAL inside the engine, so no float is ever
    rounded on the way (a float 0.29 cast to Decimal(12, 2) could truncate to 0.28)."""
    frame = df.copy()
    select_list = []
    for col in table.c:
        if isinstance(col.type, Numeric):
            frame[col.name] = (pd.to_numeric(frame[col.name]) * 100).round().astype("Int64")
            select_list.append(f"CAST(`{col.name}` AS {clickhouse_type(col)}) / 100")
        else:
            select_list.append(f"`{col.name}`")
    names = ", ".join(f"`{c.name}`" for c in table.c)
    raw = engine.raw_connection()
    try:
        session = raw.driver_connection._conn._conn  # chdb_sqlalchemy wrapper -> chdb.dbapi -> chdb session
        # Python(frame) names the local variable `frame` above; the column list is ours, from the schema.
        session.query(f"INSERT INTO `{table.name}` ({names}) SELECT {', '.join(select_list)} FROM Python(frame)")
    finally:
        raw.close()


def insert_arrow(engine: Engine, table: Table, df: pd.DataFrame, settings: dict | None = None) -> None:
    """A frame into a ClickHouse server's table as one Arrow request (clickhouse-connect), the server casting
    each column to the table's type. Money travels as exact decimals made from whole cents, and timestamps as
    their text, which the server reads in its own time zone as the contract's naive local times (an Arrow
    timestamp would be read as UTC)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    columns = {}
    for col in table.c:
        values = df[col.name]
        if isinstance(col.type, Numeric):
            columns[col.name] = _decimal_array(values, col.type)
        elif isinstance(col.type, DateTime):
            seconds = pa.array(pd.to_datetime(values).astype("datetime64[s]"), from_pandas=True)
            columns[col.name] = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
        else:
            columns[col.name] = pa.array(values, from_pandas=True)
    database = (engine.get_execution_options().get("schema_translate_map") or {}).get(None)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.client.insert_arrow(table.name, pa.table(columns), database=database, settings=settings)
    finally:
        raw.close()


def _decimal_array(values: pd.Series, sql_type: Numeric):
    """An Arrow decimal column holding exactly the values rounded to cents (a float 0.29 is 29 cents, never
    28.999…): 128-bit two's-complement integers of the unscaled value."""
    import numpy as np
    import pyarrow as pa
    numbers = pd.to_numeric(values)
    unscaled = (numbers.astype("float64") * 10 ** sql_type.scale).round()
    valid = unscaled.notna().to_numpy()
    low = unscaled.fillna(0).to_numpy(dtype=np.int64)
    words = np.empty(2 * len(low), dtype=np.int64)
    words[0::2], words[1::2] = low, np.where(low < 0, -1, 0)
    mask = None if valid.all() else pa.array(valid).buffers()[1]
    return pa.Array.from_buffers(pa.decimal128(sql_type.precision, sql_type.scale), len(low),
                                 [mask, pa.py_buffer(words.tobytes())], null_count=int((~valid).sum()))


# ---------------------------------------------------------------- staged builds on database servers

STAGED_DIALECTS = ("postgresql", "mysql", "mariadb")
AREA_PREFIX = "beltboard_build_"  # …_<random>_<pid of the build>: a killed build's leftover may be dropped by hand
SWAP_WAIT_S = 120.0  # how long a swap may wait for readers' running queries to end
SWAP_LOCK_TIMEOUT_MS = 500  # one attempt's wait: below PostgreSQL's deadlock_timeout, so a reader never loses


@contextlib.contextmanager
def staged(engine: Engine, tables: Sequence[str], sources: Sequence[str] = ()) -> Iterator[Engine]:
    """An engine on a new, empty area beside the target of `engine` on a PostgreSQL (a schema) or
    MariaDB/MySQL (a database) server, where a build writes with unqualified names; `sources`, tables of
    the target that the build reads, appear in the area as views. When the block ends without error,
    `tables` replace the target's in one atomic step (a PostgreSQL transaction; one MariaDB RENAME
    TABLE); the area is dropped either way. Other engines build in place: the engine itself."""
    if engine.dialect.name not in STAGED_DIALECTS:
        yield engine
        return
    area = f"{AREA_PREFIX}{uuid.uuid4().hex[:8]}_{os.getpid()}"
    q = engine.dialect.identifier_preparer.quote
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        # the schema (database) the engine maps our tables to (Warehouse(schema=…)), else the connection's own
        target = (engine.get_execution_options().get("schema_translate_map") or {}).get(None) or conn.execute(
            text("SELECT current_schema()" if postgres else "SELECT DATABASE()")).scalar_one()
        if not target:
            raise BuildError(f"the target names no {'schema' if postgres else 'database'} to build into")
        conn.exec_driver_sql(f"CREATE SCHEMA {q(area)}" if postgres else f"CREATE DATABASE {q(area)}")
    try:
        with engine.begin() as conn:
            for name in sources:
                conn.exec_driver_sql(f"CREATE VIEW {q(area)}.{q(name)} AS SELECT * FROM {q(target)}.{q(name)}")
        area_engine = create_engine(engine.url.set(database=area) if not postgres else engine.url,
                                    connect_args=_area_connect_args(postgres, area))
        try:
            yield area_engine
        finally:
            area_engine.dispose()
        (_swap_postgresql if postgres else _swap_mysql)(engine, area, target, tables)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {q(area)} CASCADE" if postgres
                                 else f"DROP DATABASE IF EXISTS {q(area)}")


def _area_connect_args(postgres: bool, area: str) -> dict:
    # the area's name is ours (a fixed prefix, hex digits, a pid): safe inside the option string
    return {"connect_timeout": 5, **({"options": f"-c search_path={area}"} if postgres else {})}


def _swap_postgresql(engine: Engine, area: str, target: str, tables: Sequence[str]) -> None:
    """In one transaction: drop the target's tables, move the area's in, and give them the grants the old
    ones had (and the target schema's default privileges, which a table made elsewhere did not get).
    A reader's query holds its tables until it ends, so each attempt waits briefly and gives way."""
    q = engine.dialect.identifier_preparer.quote
    deadline = time.monotonic() + SWAP_WAIT_S
    while True:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {SWAP_LOCK_TIMEOUT_MS}")
                present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                                           {"s": target}).scalars())
                grants = _postgresql_grants(conn, target, [t for t in tables if t in present])
                for name in tables:
                    if name in present:
                        conn.exec_driver_sql(f"DROP TABLE {q(target)}.{q(name)}")
                    conn.exec_driver_sql(f"ALTER TABLE {q(area)}.{q(name)} SET SCHEMA {q(target)}")
                for name in tables:
                    for grantee, privilege in grants.get(name, set()) | grants.get(None, set()):
                        conn.exec_driver_sql(f"GRANT {privilege} ON {q(target)}.{q(name)} TO {grantee}")
            return
        except DBAPIError as exc:
            state = getattr(getattr(exc, "orig", None), "sqlstate", None)
            if state not in ("55P03", "40P01"):  # lock not available, deadlock: readers were busy; again
                raise BuildError(f"could not swap the new tables into {target}: {_first_line(exc)}") from None
            if time.monotonic() > deadline:
                raise BuildError(f"could not swap the new tables into {target}: readers held them for "
                                 f"{SWAP_WAIT_S:g} s") from None
            time.sleep(0.2)


PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"}


def _postgresql_grants(conn, target: str, present: list[str]) -> dict:
    """{table name: {(grantee, privilege)}} of the target's tables, and under None the privileges the
    target schema grants by default on the current user's new tables; grantees quoted (or PUBLIC)."""
    rows = conn.execute(text(
        "SELECT c.relname, a.grantee, a.privilege_type FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "WHERE n.nspname = :s AND c.relname IN :names AND a.grantee <> c.relowner "
        "UNION ALL SELECT NULL, a.grantee, a.privilege_type FROM pg_default_acl d "
        "JOIN pg_namespace n ON n.oid = d.defaclnamespace CROSS JOIN LATERAL aclexplode(d.defaclacl) a "
        "WHERE n.nspname = :s AND d.defaclobjtype = 'r' AND d.defaclrole = "
        "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
    ).bindparams(bindparam("names", expanding=True)), {"s": target, "names": present or [""]}).all()
    roles = dict(conn.execute(text("SELECT oid, rolname FROM pg_roles")).all())
    q = conn.dialect.identifier_preparer.quote
    grants: dict = {}
    for table, grantee, privilege in rows:
        if privilege in PRIVILEGES:
            who = "PUBLIC" if grantee == 0 else q(roles[grantee])
            grants.setdefault(table, set()).add((who, privilege))
    return grants


def _swap_mysql(engine: Engine, area: str, target: str, tables: Sequence[str]) -> None:
    """One RENAME TABLE statement (atomic: it waits for readers' running statements, and readers that come
    meanwhile wait for it): the target's tables into the area (dropped after), the area's into the target."""
    q = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names(schema=target))
        moves = []
        for name in tables:
            if name in present:
                moves.append(f"{q(target)}.{q(name)} TO {q(area)}.{q(name + '__old')}")
            moves.append(f"{q(area)}.{q(name)} TO {q(target)}.{q(name)}")
        conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {int(SWAP_WAIT_S)}")
        try:
            conn.exec_driver_sql("RENAME TABLE " + ", ".join(moves))
        except DBAPIError as exc:
            raise BuildError(f"could not swap the new tables into {target}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
