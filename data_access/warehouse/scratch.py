"""Work tables of one connection (temporary tables), each engine's way: made from a select, read like a
table, gone with the connection.

The incremental refresh (data_access.warehouse.marts.refresh) materialises what it reads more than once, and the new
rows
of a mart that it must compute from the old ones before it deletes them. A work table is named in the
schema where the engine keeps temporary tables (PostgreSQL's pg_temp, SQLite's and DuckDB's temp), so that
it never resolves to a real table of the same name; MariaDB and ClickHouse name them unqualified. It is a
lightweight table(), which the warehouse's schema_translate_map leaves alone.
"""
from __future__ import annotations

from sqlalchemy import column, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

TEMPORARY_SCHEMA = {"postgresql": "pg_temp", "sqlite": "temp", "duckdb": "temp"}  # elsewhere: unqualified
CLICKHOUSE = ("chdb", "clickhousedb")
MYSQL = ("mysql", "mariadb")


class _Create(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, name: str, rows):
        self.name, self.rows = name, rows


class _Drop(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, name: str):
        self.name = name


@compiles(_Create)
def _create(element, compiler, **kw):
    name = compiler.preparer.quote(element.name)
    engine = " ENGINE = Memory" if compiler.dialect.name in CLICKHOUSE else ""
    return f"CREATE TEMPORARY TABLE {name}{engine} AS {compiler.process(element.rows, **kw)}"


@compiles(_Drop)
def _drop(element, compiler, **kw):
    name = compiler.preparer.quote(element.name)
    dialect = compiler.dialect.name
    if dialect in CLICKHOUSE or dialect in MYSQL:  # TEMPORARY: never a real table of that name
        return f"DROP TEMPORARY TABLE IF EXISTS {name}"
    return f"DROP TABLE IF EXISTS {TEMPORARY_SCHEMA.get(dialect, 'temp')}.{name}"


def make(conn, name: str, rows):
    """A work table holding the rows of the select `rows` (one left by an earlier refresh on a pooled connection
    is replaced); returns it as a table to select from."""
    conn.execute(_Drop(name))
    conn.execute(_Create(name, rows))
    return table(name, *[column(c.key, c.type) for c in rows.selected_columns],
                 schema=TEMPORARY_SCHEMA.get(conn.dialect.name))


def drop(conn, name: str) -> None:
    conn.execute(_Drop(name))
