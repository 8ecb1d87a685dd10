"""Create the contract tables and bulk-load DataFrames into them, each engine its fast way.

Used by the demo generator and by the tests' small warehouse. It only ever writes to a
warehouse that it creates: an existing one is replaced only when it carries our marker table.

ClickHouse (chDB in-process, or a server) gets MergeTree tables ordered the way the reports
read them (orders by brand and time, partitioned by month) and is loaded through chDB's
`Python()` table function straight from the DataFrame, never row by row.
"""
import io

import pandas as pd
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Integer, MetaData, Numeric, SmallInteger, String, Table, insert,
    inspect, text,
)
from sqlalchemy.engine import Engine

from . import schema

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


class RefusedToOverwrite(RuntimeError):
    pass


def _existing_contract_tables(engine: Engine) -> list[str]:
    names = set(inspect(engine).get_table_names())
    return [t for t in schema.TABLE_NAMES if t in names], MARKER.name in names


def create_tables(engine: Engine) -> None:
    """(Re)create the contract tables; refuses if they exist without our marker."""
    present, ours = _existing_contract_tables(engine)
    if present and not ours:
        raise RefusedToOverwrite(
            f"the target already holds {', '.join(present)} that beltboard did not create; refusing to overwrite"
        )
    if is_clickhouse(engine):
        _create_clickhouse_tables(engine)
    else:
        schema.metadata.drop_all(engine)
        MARKER.drop(engine, checkfirst=True)
        schema.metadata.create_all(engine)
        MARKER.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(MARKER).values(version=1))


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


def _create_clickhouse_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (*reversed(schema.TABLES), MARKER):
            conn.execute(text(f"DROP TABLE IF EXISTS `{table.name}`"))
        for table in (*schema.TABLES, MARKER):
            conn.execute(text(clickhouse_ddl(table)))


def _prepared(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    df = df[[c.name for c in table.c]].copy()
    for col in table.c:
        if isinstance(col.type, (schema.BigInteger, schema.Integer, schema.SmallInteger)) and col.nullable:
            df[col.name] = df[col.name].astype("Int64")
    return df


def load_frames(engine: Engine, frames: dict[str, pd.DataFrame]) -> None:
    """Append each frame to its table, in dependency order."""
    for table in schema.TABLES:
        if table.name in frames:
            _load(engine, table, _prepared(table, frames[table.name]))


def _load(engine: Engine, table: Table, df: pd.DataFrame) -> None:
    if df.empty:
        return
    dialect = engine.dialect.name
    if dialect == "duckdb":
        raw = engine.raw_connection()
        try:
            con = raw.driver_connection
            con.register("incoming_frame", df)
            con.execute(f'INSERT INTO "{table.name}" SELECT * FROM incoming_frame')  # names from our schema
            con.unregister("incoming_frame")
            raw.commit()
        finally:
            raw.close()
    elif dialect == "postgresql":
        buffer = io.StringIO()
        df.to_csv(buffer, index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d %H:%M:%S.%f")
        columns = ", ".join(f'"{c.name}"' for c in table.c)
        raw = engine.raw_connection()
        try:
            with raw.driver_connection.cursor() as cur:
                with cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv, NULL \'\\N\')') as copy:
                    copy.write(buffer.getvalue())
            raw.commit()
        finally:
            raw.close()
    elif dialect == "chdb":
        _load_chdb(engine, table, df)
    else:
        rows = df.astype(object).where(df.notna(), None).to_dict("records")
        with engine.begin() as conn:
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start:start + 20_000])


def _load_chdb(engine: Engine, table: Table, df: pd.DataFrame) -> None:
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
