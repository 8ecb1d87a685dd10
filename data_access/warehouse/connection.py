"""The one road to the warehouse: an engine per URL and a single execution helper.

Reports build `select()`s and hand them to `Warehouse.frame`; connection errors are mapped
to `WarehouseError`s whose messages name the host and database but never a password.

A reader (read_only=True, what the dashboard and the export use) is hardened where the engine
allows it: DuckDB opens the file read-only with external access (files, URLs, extensions)
disabled and its configuration locked; PostgreSQL, MySQL-protocol and ClickHouse servers end
any statement that runs longer than the statement timeout (data_access.config), which comes
back as a `QueryTimeout`; the pool pings a connection before reusing it, so a restarted
server costs one error at most, never a stuck engine.

A reader follows its warehouse when it is rebuilt or changed (`Warehouse.generation`): a file
(DuckDB, SQLite) replaced or written is noticed by a stat() of it and its write-ahead log per
check, and the reader starts over on a new engine; a server's orders and marts record are looked at again at most every
`generation_check_s()` seconds. The generation's token changes with the data, and the
dashboard keys its caches by it.
"""
import collections
import datetime as dt
import decimal
import logging
import os
import threading
import time
import warnings
import weakref

import numpy as np
import pandas as pd
from sqlalchemy import Date, Float, Integer, Numeric, create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from ..config import generation_check_s, statement_timeout_s, warehouse_schema, warehouse_url
from . import cluster, freshness, schema
from .freshness import Generation

log = logging.getLogger("beltboard.warehouse")

DEMO_COMMAND = "python -m data_access demo"
REUSE_KEPT = 32  # answers a reader keeps for a statement asked again (Warehouse.frame)
REUSE_MAX_ROWS = 20_000  # … of at most this many rows (the reports' answers are aggregates)


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
    name = url.query.get(cluster.PARAM)
    on = f" (cluster {name})" if isinstance(name, str) else ""
    return f"{url.get_backend_name()} at {host}{port}/{url.database or ''}{on}"


# ClickHouse session settings for every connection: outer joins give NULL (not 0 or '') where
# nothing matched, as in SQL; and a reader may not write.
CLICKHOUSE_SETTINGS = {"join_use_nulls": 1}
# … and on a cluster's coordinator (data_access.warehouse.cluster). The coordinator sends a query on a Distributed
# table to every shard; a Distributed table inside it (an IN or JOIN subquery on orders or a sharded mart)
# would by default be refused ('deny'), and 'local' would read each shard's part only, right just when the
# join is on brand_id. 'global' runs such a subquery once over the whole cluster and ships its result to
# the shards (GLOBAL IN / GLOBAL JOIN): right whatever the join key. The dimensions need none of it: they
# are whole on every node, so a shard joins them locally.
CLICKHOUSE_CLUSTER_SETTINGS = {"distributed_product_mode": "global"}
CLICKHOUSE_READ_ONLY = {"readonly": 2}  # 2: reads, and session settings may still be changed
# A DuckDB reader: no files, URLs or extensions beyond the warehouse file, and no SET to undo that.
DUCKDB_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def create_warehouse_engine(url: str, read_only: bool = True, statement_timeout: float | None = None,
                            file_identity: tuple | None = None) -> Engine:
    """An engine for `url`. A reader (read_only) gets a statement timeout of `statement_timeout` seconds
    (default: data_access.config.statement_timeout_s()) on the servers that have one; writers (the demo,
    build-marts) get none. `file_identity`: that of the DuckDB file this reader is meant to read (below)."""
    url, cluster_name = cluster.split_url(url)
    backend = url.get_backend_name()
    timeout = (statement_timeout or statement_timeout_s()) if read_only else None
    url, connect_args = _connect_args(url, read_only, timeout, file_identity)
    clickhouse = dict(CLICKHOUSE_SETTINGS)
    if timeout and backend in ("clickhousedb", "chdb"):
        clickhouse["max_execution_time"] = max(1, round(timeout))  # whole seconds
    if cluster_name:
        clickhouse.update(CLICKHOUSE_CLUSTER_SETTINGS)
    if backend == "clickhousedb":  # a ClickHouse server (clickhouse-connect): settings travel with each query
        connect_args.update(clickhouse)
    if backend == "chdb":
        _release_other_chdb_paths(url.database)
    # Embedded engines (a file in this process) never drop a connection, and a ClickHouse server's HTTP
    # client holds no session to lose (each query is a request): a ping per checkout is a wasted statement
    # there; the other servers get one.
    no_session = backend in ("duckdb", "sqlite", "chdb", "clickhousedb")
    engine = create_engine(url, pool_pre_ping=not no_session, connect_args=connect_args)
    if backend == "chdb":  # in-process: settings of the session each connection opens
        settings = {**clickhouse, **(CLICKHOUSE_READ_ONLY if read_only else {})}
        event.listen(engine, "connect", lambda dbapi_conn, _record: _apply_settings(dbapi_conn, settings))
        _CHDB_ENGINES.add(engine)
    if backend in ("mysql", "mariadb") and timeout:
        event.listen(engine, "connect", lambda dbapi_conn, _record: _mysql_timeout(dbapi_conn, timeout))
    if backend == "duckdb" and file_identity is not None:
        event.listen(engine, "do_connect", _duckdb_connect_once_released)
    if cluster_name:  # what a build writes to every node needs to know (data_access.warehouse.cluster)
        engine = engine.execution_options(**{cluster.OPTION: cluster_name})
    return engine


def _connect_args(url, read_only: bool, timeout: float | None, file_identity: tuple | None):
    """(the URL, the driver's connect arguments): DuckDB's reader configuration, the servers' connect and
    statement timeouts."""
    connect_args = {}
    backend = url.get_backend_name()
    if backend == "duckdb" and read_only:
        if url.database not in (None, "", ":memory:"):
            connect_args["read_only"] = True
        connect_args["config"] = {**DUCKDB_READER_CONFIG, **_duckdb_file_tag(file_identity)}
        url = url.difference_update_query(DUCKDB_READER_CONFIG)  # duckdb-engine lets URL options win
    if backend in ("postgresql",):
        connect_args["connect_timeout"] = 5
        if timeout:
            connect_args["options"] = f"-c statement_timeout={max(1, round(timeout * 1000))}"
    if backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = 5
    return url, connect_args


# DuckDB shares one open database per file path within a process: a reader that connects while
# connections to a replaced file are still open would silently read the old file. So each reader's
# configuration names the file it means (its identity), DuckDB refuses to mix configurations, and
# the reader waits until the old file's last query is done.
DUCKDB_RELEASE_WAIT_S = 30.0


def _duckdb_file_tag(file_identity: tuple | None) -> dict:
    if file_identity is None:
        return {}
    return {"custom_user_agent": f"beltboard file {hash(file_identity) & 0xFFFFFFFFFFFF:x}"}


def _duckdb_connect_once_released(dialect, _record, cargs, cparams):
    import duckdb
    deadline = time.monotonic() + DUCKDB_RELEASE_WAIT_S
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # a query still reads the replaced file: its connection closes when it ends


def _retire(engine: Engine) -> None:
    """Close an engine's idle connections now, and those still in use as soon as they come back."""
    event.listen(engine, "checkin", lambda _dbapi_conn, record: record.invalidate())
    engine.dispose()


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
        self.use_marts = use_marts  # read pre-aggregated marts when fresh (data_access.warehouse.marts.definitions)
        self.read_only = read_only
        self.where = describe_safely(self.url) + (f" schema {self.schema}" if self.schema else "")
        try:
            self.statement_timeout = (statement_timeout or statement_timeout_s()) if read_only else None
            self._check_every = generation_check_s()
        except ValueError as exc:
            raise WarehouseError(str(exc)) from None
        self._files = _files_of(self.url)
        self._identity = _identity(self._files)  # of the file the engine reads
        self.engine = self._new_engine()
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._checked_at = 0.0
        self._as_of: tuple[tuple, dt.date] | None = None  # (generation token, as-of date)
        self._kept: collections.OrderedDict = collections.OrderedDict()  # recent answers (frame)
        self._kept_lock = threading.Lock()

    def _new_engine(self) -> Engine:
        try:
            engine = create_warehouse_engine(
                self.url, read_only=self.read_only, statement_timeout=self.statement_timeout,
                file_identity=self._identity if self.read_only else None)
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise WarehouseUnreachable(
                f"the warehouse URL is not usable ({type(exc).__name__}): {self.where}") from None
        if self.schema:  # every table of ours (contract and marts) is looked up in that schema, in every query
            engine = engine.execution_options(schema_translate_map={None: self.schema})
        return engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def frame(self, stmt) -> pd.DataFrame:
        """The statement's answer as a typed frame. A reader of a file keeps its recent answers, and the same
        statement with the same parameters on the same data is answered from them (a copy): a page's reports
        share parts (the provider league, the STEPS rows, the brands' multiples …), each then asked once."""
        key = self._reuse_key(stmt)
        if key is not None:
            with self._kept_lock:
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
                    return kept.copy()
        df = self._run(stmt)
        if key is not None and len(df) <= REUSE_MAX_ROWS:
            with self._kept_lock:
                self._kept[key] = df.copy()
                while len(self._kept) > REUSE_KEPT:
                    self._kept.popitem(last=False)
        return df

    def _reuse_key(self, stmt) -> tuple | None:
        """(the file's identity now, SQLAlchemy's cache key of the statement, its parameters' values), or None:
        not kept. Only a reader of a file (DuckDB, SQLite) keeps answers: any write changes the file's or its
        log's stat(), looked at here on every call, so a kept answer is never one of other data; a server's
        data may change between two looks at it (Warehouse.generation), and a writer reads what it wrote."""
        if not self.read_only or not self._files or not hasattr(stmt, "_generate_cache_key"):
            return None
        cache_key = stmt._generate_cache_key()  # what SQLAlchemy's own compiled-statement cache is keyed by
        if cache_key is None:
            return None
        if _identity(self._files) != self._identity:
            # the file changed since this engine looked at it, which may still read the old one (a swapped file
            # stays open): an answer now is kept under no identity, and generation() starts over first
            return None
        return self._identity, cache_key.key, repr([p.effective_value for p in cache_key.bindparams])

    def _run(self, stmt) -> pd.DataFrame:
        started = time.perf_counter()
        try:
            with self.engine.connect() as conn:
                result = conn.execute(stmt)
                arrow = _arrow_of(result, self.dialect)
                df = (_typed(list(result.keys()), result.fetchall(), declared_types(stmt)) if arrow is None
                      else _typed_arrow(list(result.keys()), arrow, declared_types(stmt)))
        except (OperationalError, ProgrammingError, DBAPIError) as exc:
            raise self.explain(exc) from None
        log.debug("query %.1f ms, %d rows", (time.perf_counter() - started) * 1000, len(df))
        return df

    def scalar(self, stmt):
        df = self.frame(stmt)
        return None if df.empty else df.iat[0, 0]

    def detail(self, exc: Exception) -> str:
        """The driver's first line, with the password masked should a driver echo its DSN."""
        line = _first_line(exc)
        password = make_url(self.url).password
        return line.replace(password, "***") if password else line

    def explain(self, exc: Exception) -> WarehouseError:
        """The WarehouseError a driver's exception means (a timeout, missing tables, unreachable, refused)."""
        if _looks_timeout(exc):
            limit = f"{self.statement_timeout:g} s" if self.statement_timeout else "its limit"
            return QueryTimeout(f"the warehouse ({self.where}) stopped a query that ran longer than the statement "
                                f"timeout ({limit}): {self.detail(exc)}")
        missing = self._missing_tables() if not isinstance(exc, OperationalError) or _looks_missing(exc) else []
        if missing:
            return MissingTables(self.where, missing)
        if isinstance(exc, OperationalError) or _looks_unreachable(exc):
            return WarehouseUnreachable(f"cannot reach the warehouse ({self.where}): {self.detail(exc)}")
        return WarehouseError(f"the warehouse ({self.where}) refused a query: {self.detail(exc)}")

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
            raise WarehouseUnreachable(f"cannot reach the warehouse ({self.where}): {self.detail(exc)}") from None
        missing = self._missing_tables()
        if missing:
            raise MissingTables(self.where, missing)

    def as_of(self) -> dt.date:
        """The last day with data: the date of the latest order, before any filter (of the current generation)."""
        generation = self.generation(check=False)
        if self._as_of is None or self._as_of[0] != generation.token:
            latest = generation.latest  # recorded with fresh marts: no scan of the orders
            if latest is None:
                latest = self.scalar(select(func.max(schema.orders.c.ordered_at)))
            if latest is None or pd.isna(latest):
                raise EmptyWarehouse(f"the warehouse ({self.where}) holds no orders yet")
            self._as_of = (generation.token, pd.Timestamp(latest).date())
        return self._as_of[1]

    # ------------------------------------------------------------ which data: the generation

    def generation(self, check: bool = True) -> Generation:
        """The data this warehouse holds now (data_access.warehouse.freshness). With `check`, look again: a file by
        one stat() (replaced or written: start over on a new engine), a server when the last look is older
        than generation_check_s(). Without, the generation last seen (looked at once, on first use).
        Reports read within one generation; callers that live long (the dashboard) check between them."""
        with self._lock:
            if self._generation is None or (check and self._may_have_changed()):
                self._generation = self._look()
                self._checked_at = time.monotonic()
            return self._generation

    def _may_have_changed(self) -> bool:
        if self._files:
            return _identity(self._files) != self._identity
        return time.monotonic() - self._checked_at >= self._check_every

    def _look(self) -> Generation:
        if self._files:
            identity = _identity(self._files)
            if identity != self._identity:  # a new file, or this one written: its old pages are stale
                log.info("the warehouse %s changed; reading it afresh", self.where)
                old, self._identity = self.engine, identity
                self.engine = self._new_engine()
                _retire(old)
            if not self.use_marts:
                return Generation(("file", identity))
            record, source = self._probe(count_always=False)
            return freshness.judge(("file", identity), record, source)
        record, source = self._probe(count_always=True)
        return freshness.judge(freshness.server_token(record, source), record, source, self.use_marts)

    def _probe(self, count_always: bool) -> tuple[list | None, tuple | None]:
        """The marts' freshness record (None: no such table) and the orders' (count, max order_id) — the
        latter only when needed: for a server's token, or when the record is complete."""
        try:
            with self.engine.connect() as conn:
                try:
                    record = [tuple(r) for r in conn.execute(freshness.record_query())]
                except DBAPIError as exc:
                    if not _no_such_table(exc):
                        raise
                    conn.rollback()
                    record = None  # a warehouse without marts
                if not count_always and not freshness.complete(record):
                    return record, None
                return record, freshness.orders_summary(conn.execute(freshness.orders_query()).one())
        except DBAPIError as exc:
            raise self.explain(exc) from None  # unreachable, locked …: say so, rather than go raw for good


WAL_SUFFIX = {"duckdb": ".wal", "sqlite": "-wal"}


def _files_of(url: str) -> tuple[str, ...]:
    """The database file of a DuckDB or SQLite URL and its write-ahead log (none for servers, chDB
    directories and memory)."""
    try:
        url = make_url(url)
    except ArgumentError:
        return ()
    backend = url.get_backend_name()
    if backend not in WAL_SUFFIX or url.database in (None, "", ":memory:"):
        return ()
    path = os.path.abspath(os.path.expanduser(url.database))
    return path, path + WAL_SUFFIX[backend]


def _identity(paths: tuple[str, ...]) -> tuple | None:
    """Which files are at `paths`, and whether they were written since: (device, inode, size, mtime) each."""
    if not paths:
        return None
    return tuple(_stat(path) for path in paths)


def _stat(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _no_such_table(exc: Exception) -> bool:
    text_ = str(getattr(exc, "orig", exc)).lower()
    return any(words in text_ for words in ("no such table", "does not exist", "doesn't exist", "unknown table",
                                            "catalog error", "undefined table"))


def declared_types(stmt) -> list | None:
    """The SQL type each column of a select declares (None for a statement without columns)."""
    columns = getattr(stmt, "selected_columns", None)
    return None if columns is None else [c.type for c in columns]


def _kind(sql_type) -> str | None:
    """The frame column kind a declared SQL type asks for; None: go by the values."""
    if isinstance(sql_type, Integer):
        return "int"
    if isinstance(sql_type, (Numeric, Float)):
        return "float"
    if isinstance(sql_type, Date):
        return "date"
    return None


def _typed(names: list[str], rows: list, types: list | None = None) -> pd.DataFrame:
    """Rows as a DataFrame whose integer columns stay exact (Int64, NULL-able; BIGINT ids exceed
    float precision), whose DECIMAL columns are floats and whose DATE columns hold `datetime.date`s.

    The select's declared types decide, so a column is typed the same whether it holds values, only
    NULLs or no rows (an all-NULL date column is still compared with dates downstream, never turned
    into datetime64 by pandas). Columns without a usable declared type go by their values."""
    columns = {}
    transposed = list(zip(*rows)) if rows else [() for _ in names]
    kinds = [_kind(t) for t in types] if types is not None and len(types) == len(names) else [None] * len(names)
    for name, values, kind in zip(names, transposed, kinds):
        columns[name] = _column(values, kind)
    return pd.DataFrame(columns, columns=names)


def _column(values, kind: str | None):
    if kind == "date":
        return pd.Series([_as_date(v) for v in values], dtype=object)
    try:
        if kind == "int":
            return pd.array(values, dtype="Int64")  # also the whole Decimals of SUM(int) on PostgreSQL/MariaDB
        if kind == "float":
            return np.array(values, dtype="float64")  # None becomes NaN
    except (TypeError, ValueError):
        pass  # not what the type declared after all: go by the values
    present = set(map(type, values))
    present.discard(type(None))
    if present and all(issubclass(k, int) and not issubclass(k, bool) for k in present):
        return pd.array(values, dtype="Int64")
    if present and all(issubclass(k, (decimal.Decimal, float, int)) and not issubclass(k, bool) for k in present):
        return np.array(values, dtype="float64")  # None becomes NaN
    return pd.Series(values, dtype=object)


def _as_date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])  # a driver that hands dates over as text
    except ValueError:
        return value


# ---------------------------------------------------------------- frames from the driver's columns

def _arrow_of(result, dialect: str):
    """The result as the driver's Arrow table where it has one (DuckDB), else None (the rows are read).
    Columns straight from the engine skip a Python object per value; `_typed_arrow` types them as `_typed`."""
    if dialect != "duckdb" or not result.returns_rows:
        return None
    cursor = result.cursor
    fetch = getattr(cursor, "to_arrow_table", None) or getattr(cursor, "fetch_arrow_table", None)
    if fetch is None:  # an older DuckDB
        return None
    with warnings.catch_warnings():  # DuckDB 2 notes the copy from its DB-API result: small answers, no matter
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        return fetch()


def _typed_arrow(names: list[str], table, types: list | None = None) -> pd.DataFrame:
    """The frame `_typed` makes of the same result's rows, dtype for dtype and value for value, from Arrow."""
    kinds = [_kind(t) for t in types] if types is not None and len(types) == len(names) else [None] * len(names)
    columns = {name: _arrow_column(table.column(i), kind) for i, (name, kind) in enumerate(zip(names, kinds))}
    return pd.DataFrame(columns, columns=names)


def _arrow_column(col, kind: str | None):
    import pyarrow as pa
    n, t = len(col), col.type
    if n == 0 or col.null_count == n:  # nothing to go by but the declared type, as for rows
        return _column([None] * n, kind)
    if pa.types.is_integer(t) and kind in ("int", None):
        return _int64(col)
    if pa.types.is_floating(t) and kind in ("float", None):
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)  # nulls become NaN
    if pa.types.is_decimal(t):
        if t.scale == 0 and kind in ("int", None):  # DuckDB's HUGEINT (a SUM of integers): ints as rows
            exact = _decimal_as_int64(col)
            if exact is not None:
                return pd.arrays.IntegerArray(*exact)
        elif kind in ("float", None):
            values = _decimal_as_float(col)
            if values is not None:
                return values
    if pa.types.is_date32(t) and kind in ("date", None):  # datetime64[D] to objects: datetime.date, NaT -> None
        return pd.Series(col.to_numpy(zero_copy_only=False).astype(object), dtype=object)
    if (pa.types.is_string(t) or pa.types.is_large_string(t)) and kind is None:
        return pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    return _column(col.to_pylist(), kind)  # anything else: the Python values, as the rows hold them


def _int64(col) -> pd.arrays.IntegerArray:
    import pyarrow as pa
    mask = col.is_null().to_numpy(zero_copy_only=False)
    values = col.fill_null(0).cast(pa.int64()).to_numpy(zero_copy_only=False)
    return pd.arrays.IntegerArray(values, mask)


def _decimal_words(col):
    """(the unscaled values as int64, the null mask) of a 128-bit decimal column whose values fit in 53 bits
    (exact in a float64); None otherwise."""
    import pyarrow as pa
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if arr.type.bit_width != 128:
        return None
    words = np.frombuffer(arr.buffers()[1], dtype="<i8")[2 * arr.offset:2 * (arr.offset + len(arr))].reshape(-1, 2)
    low, high = words[:, 0], words[:, 1]
    mask = arr.is_null().to_numpy(zero_copy_only=False)
    valid = ~mask
    fits = (high == (low >> 63)) & (low >= -(2 ** 53)) & (low <= 2 ** 53)
    if not fits[valid].all():
        return None
    return np.where(valid, low, 0), mask


def _decimal_as_int64(col):
    words = _decimal_words(col)
    return None if words is None else (words[0].astype("int64"), words[1])


def _decimal_as_float(col):
    """DECIMAL values as float64, each exactly float(Decimal): the unscaled integer and 10**scale are both exact
    floats, and IEEE division rounds their quotient correctly (a cast through Arrow may be 1 ulp off)."""
    words = _decimal_words(col)
    if words is None or col.type.scale > 22:  # 10**22 is the last power of ten a float64 holds exactly
        return None
    unscaled, mask = words
    out = unscaled.astype("float64") / (10.0 ** col.type.scale)
    out[mask] = np.nan
    return out


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
