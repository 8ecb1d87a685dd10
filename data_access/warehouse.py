"""The one road to the warehouse: an engine per URL and a single execution helper.

Reports build `select()`s and hand them to `Warehouse.frame`; connection errors are mapped
to `WarehouseError`s whose messages name the host and database but never a password.

A reader (read_only=True, what the dashboard and the export use) is hardened where the engine
allows it: DuckDB opens the file read-only with external access (files, URLs, extensions)
disabled and its configuration locked; PostgreSQL, MySQL-protocol and ClickHouse servers end
any statement that runs longer than the statement timeout (data_access.config), which comes
back as a `QueryTimeout`; the pool pings a connection before reusing it, so a restarted
server costs one error at most, never a stuck engine.
"""
import datetime as dt
import decimal
import logging
import time
import weakref

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from . import schema
from .config import statement_timeout_s, warehouse_schema, warehouse_url

log = logging.getLogger("beltboard.warehouse")

DEMO_COMMAND = "python -m data_access demo"


class WarehouseError(Exception):
    """A problem with the warehouse that a person can act on; str() is the message."""


class WarehouseUnreachable(WarehouseError):
    pass


class MissingTables(WarehouseError):
    def __init__(self, where: str, names: list[str]):
        self.names = names
        super().__init__(
            f"the warehouse {where} lacks the table(s) {', '.join(names)}; "
            f"build the demo warehouse with `{DEMO_COMMAND}` or point WAREHOUSE_URL at one that has them"
        )


class EmptyWarehouse(WarehouseError):
    pass


class QueryTimeout(WarehouseError):
    """The server ended a query that ran longer than the statement timeout."""


def describe(url) -> str:
    """Where a URL points, for messages: host, port and database, never the password."""
    url = make_url(url)
    if url.get_backend_name() in ("duckdb", "sqlite", "chdb"):
        return f"{url.get_backend_name()} file {url.database or ':memory:'}"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()} at {host}{port}/{url.database or ''}"


# ClickHouse session settings for every connection: outer joins give NULL (not 0 or '') where
# nothing matched, as in SQL; and a reader may not write.
CLICKHOUSE_SETTINGS = {"join_use_nulls": 1}
CLICKHOUSE_READ_ONLY = {"readonly": 2}  # 2: reads, and session settings may still be changed
# A DuckDB reader: no files, URLs or extensions beyond the warehouse file, and no SET to undo that.
DUCKDB_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def create_warehouse_engine(url: str, read_only: bool = True, statement_timeout: float | None = None) -> Engine:
    """An engine for `url`. A reader (read_only) gets a statement timeout of `statement_timeout` seconds
    (default: data_access.config.statement_timeout_s()) on the servers that have one; writers (the demo,
    build-marts) get none."""
    url = make_url(url)
    connect_args = {}
    backend = url.get_backend_name()
    timeout = (statement_timeout or statement_timeout_s()) if read_only else None
    if backend == "duckdb" and read_only:
        if url.database not in (None, "", ":memory:"):
            connect_args["read_only"] = True
        connect_args["config"] = dict(DUCKDB_READER_CONFIG)
        url = url.difference_update_query(DUCKDB_READER_CONFIG)  # duckdb-engine lets URL options win
    if backend in ("postgresql",):
        connect_args["connect_timeout"] = 5
        if timeout:
            connect_args["options"] = f"-c statement_timeout={max(1, round(timeout * 1000))}"
    if backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = 5
    clickhouse = dict(CLICKHOUSE_SETTINGS)
    if timeout and backend in ("clickhousedb", "chdb"):
        clickhouse["max_execution_time"] = max(1, round(timeout))  # whole seconds
    if backend == "clickhousedb":  # a ClickHouse server (clickhouse-connect): settings travel with each query
        connect_args.update(clickhouse)
    if backend == "chdb":
        _release_other_chdb_paths(url.database)
    # Embedded engines (a file in this process) never drop a connection: a ping per checkout is
    # a wasted statement there; servers get one.
    embedded = backend in ("duckdb", "sqlite", "chdb")
    engine = create_engine(url, pool_pre_ping=not embedded, connect_args=connect_args)
    if backend == "chdb":  # in-process: settings of the session each connection opens
        settings = {**clickhouse, **(CLICKHOUSE_READ_ONLY if read_only else {})}
        event.listen(engine, "connect", lambda dbapi_conn, _record: _apply_settings(dbapi_conn, settings))
        _CHDB_ENGINES.add(engine)
    if backend in ("mysql", "mariadb") and timeout:
        event.listen(engine, "connect", lambda dbapi_conn, _record: _mysql_timeout(dbapi_conn, timeout))
    return engine


def _mysql_timeout(dbapi_conn, seconds: float) -> None:
    """The session's statement timeout on a MySQL-protocol server: MariaDB's max_statement_time (seconds,
    any statement), MySQL's max_execution_time (ms, SELECTs), StarRocks/Doris's query_timeout (seconds)."""
    info = str(getattr(dbapi_conn, "get_server_info", lambda: "")() or "")
    attempts = [f"SET SESSION max_statement_time = {seconds:.3f}"] if "mariadb" in info.lower() else []
    attempts += [f"SET SESSION max_execution_time = {max(1, round(seconds * 1000))}",
                 f"SET query_timeout = {max(1, round(seconds))}"]
    cursor = dbapi_conn.cursor()
    try:
        for statement in attempts:  # numbers are ours, not user input
            try:
                cursor.execute(statement)
                return
            except Exception:  # noqa: BLE001 - this server does not know the variable: try the next
                continue
        log.warning("this MySQL-protocol server (%s) accepts no statement timeout variable", info or "unknown")
    finally:
        cursor.close()


def _apply_settings(dbapi_conn, settings: dict) -> None:
    cursor = dbapi_conn.cursor()
    try:
        for name, value in settings.items():  # names and values are ours, not user input
            cursor.execute(f"SET {name} = {int(value)}")
    finally:
        cursor.close()


# chDB runs one embedded ClickHouse per process, bound to one data directory at a time. A
# Warehouse on another directory releases the idle connections of the previous ones (their
# engines reconnect on next use, once the directory is free again).
_CHDB_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _release_other_chdb_paths(database: str | None) -> None:
    for other in list(_CHDB_ENGINES):
        if other.url.database != database:
            other.dispose()


class Warehouse:
    """A warehouse to read: one pooled engine, one place where every query runs."""

    def __init__(self, url: str | None = None, read_only: bool = True, use_marts: bool = True,
                 statement_timeout: float | None = None, schema: str | None = None):
        self.url = url or warehouse_url()
        # The schema (database) holding the contract tables, e.g. a team's views: None reads the configured
        # one (data_access.config), "" the connection's default.
        self.schema = (warehouse_schema() if schema is None else schema) or None
        self.use_marts = use_marts  # read pre-aggregated marts when fresh (data_access.marts)
        self.where = describe_safely(self.url) + (f" schema {self.schema}" if self.schema else "")
        try:
            self.statement_timeout = (statement_timeout or statement_timeout_s()) if read_only else None
        except ValueError as exc:
            raise WarehouseError(str(exc)) from None
        try:
            self.engine = create_warehouse_engine(self.url, read_only=read_only,
                                                  statement_timeout=self.statement_timeout)
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise WarehouseUnreachable(f"the warehouse URL is not usable ({type(exc).__name__}): {self.where}") from None
        if self.schema:  # every table of ours (contract and marts) is looked up in that schema, in every query
            self.engine = self.engine.execution_options(schema_translate_map={None: self.schema})
        self._as_of = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def frame(self, stmt) -> pd.DataFrame:
        started = time.perf_counter()
        try:
            with self.engine.connect() as conn:
                result = conn.execute(stmt)
                df = _typed(list(result.keys()), result.fetchall())
        except (OperationalError, ProgrammingError, DBAPIError) as exc:
            raise self._explain(exc) from None
        log.debug("query %.1f ms, %d rows", (time.perf_counter() - started) * 1000, len(df))
        return df

    def scalar(self, stmt):
        df = self.frame(stmt)
        return None if df.empty else df.iat[0, 0]

    def _detail(self, exc: Exception) -> str:
        """The driver's first line, with the password masked should a driver echo its DSN."""
        line = _first_line(exc)
        password = make_url(self.url).password
        return line.replace(password, "***") if password else line

    def _explain(self, exc: Exception) -> WarehouseError:
        if _looks_timeout(exc):
            limit = f"{self.statement_timeout:g} s" if self.statement_timeout else "its limit"
            return QueryTimeout(f"the warehouse ({self.where}) stopped a query that ran longer than the statement "
                                f"timeout ({limit}): {self._detail(exc)}")
        missing = self._missing_tables() if not isinstance(exc, OperationalError) or _looks_missing(exc) else []
        if missing:
            return MissingTables(self.where, missing)
        if isinstance(exc, OperationalError) or _looks_unreachable(exc):
            return WarehouseUnreachable(f"cannot reach the warehouse ({self.where}): {self._detail(exc)}")
        return WarehouseError(f"the warehouse ({self.where}) refused a query: {self._detail(exc)}")

    def _missing_tables(self) -> list[str]:
        missing = []
        try:
            with self.engine.connect() as conn:
                for table in schema.TABLES:
                    try:
                        conn.execute(select(*table.c).limit(0)).fetchall()
                    except DBAPIError:
                        conn.rollback()
                        missing.append(table.name)
        except DBAPIError:
            return []
        return missing

    def check(self) -> None:
        """Raise a WarehouseError unless every contract table is readable."""
        try:
            with self.engine.connect():
                pass
        except DBAPIError as exc:
            raise WarehouseUnreachable(f"cannot reach the warehouse ({self.where}): {self._detail(exc)}") from None
        missing = self._missing_tables()
        if missing:
            raise MissingTables(self.where, missing)

    def as_of(self) -> dt.date:
        """The last day with data: the date of the latest order, before any filter."""
        if self._as_of is None:
            from .marts import latest_order  # recorded with fresh marts: no scan of the orders
            latest = latest_order(self)
            if latest is None:
                latest = self.scalar(select(func.max(schema.orders.c.ordered_at)))
            if latest is None or pd.isna(latest):
                raise EmptyWarehouse(f"the warehouse ({self.where}) holds no orders yet")
            self._as_of = pd.Timestamp(latest).date()
        return self._as_of


def _typed(names: list[str], rows: list) -> pd.DataFrame:
    """Rows as a DataFrame whose integer columns stay exact (Int64, NULL-able; BIGINT ids exceed
    float precision) and whose DECIMAL columns are floats."""
    columns = {}
    transposed = zip(*rows) if rows else ((() for _ in names))
    for name, values in zip(names, transposed):
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if kinds and all(issubclass(k, int) and not issubclass(k, bool) for k in kinds):
            columns[name] = pd.array(values, dtype="Int64")
        elif kinds and all(issubclass(k, (decimal.Decimal, float, int)) and not issubclass(k, bool) for k in kinds):
            columns[name] = np.array(values, dtype="float64")  # None becomes NaN
        else:
            columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns, columns=names)


def describe_safely(url: str) -> str:
    try:
        return describe(url)
    except ArgumentError:
        return "an unparseable URL"


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _looks_missing(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or "does not exist" in text or "doesn't exist" in text or "catalog error" in text


def _looks_timeout(exc: Exception) -> bool:
    """PostgreSQL 57014 (statement_timeout), MariaDB 1969 / MySQL 3024, ClickHouse TIMEOUT_EXCEEDED (159)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "57014" or getattr(orig, "pgcode", None) == "57014":
        return True
    args = getattr(orig, "args", ()) or ()
    if args and args[0] in (1969, 3024):
        return True
    text = str(orig or exc).lower()
    return ("statement timeout" in text or "max_statement_time" in text or "timeout_exceeded" in text
            or "maximum statement execution time" in text or "timeout exceeded: elapsed" in text)


def _looks_unreachable(exc: Exception) -> bool:
    text = str(exc).lower()
    return "connection" in text or "could not connect" in text or "can't connect" in text
