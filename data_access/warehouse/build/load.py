"""Create the contract tables and load DataFrames into them: on one server its fast way (writing), on a
cluster on every node (nodes)."""
import io

import pandas as pd
from sqlalchemy import Table, insert
from sqlalchemy.engine import Engine

from .. import schema
from ..cluster import name_of
from . import nodes, writing


def create_tables(engine: Engine) -> None:
    """(Re)create the contract tables; refuses if they exist without our marker."""
    if name_of(engine):  # every node of it, each refusing first
        nodes.create_tables(engine)
        return
    writing.refuse_unless_ours(engine)
    if writing.is_clickhouse(engine):
        writing.create_clickhouse_tables(engine)
    else:
        schema.metadata.drop_all(engine)
        writing.MARKER.drop(engine, checkfirst=True)
        schema.metadata.create_all(engine)
        writing.MARKER.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(writing.MARKER).values(version=1))


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
        writing.load_chdb(engine, table, df)
    elif dialect == "clickhousedb":
        if name_of(engine):
            nodes.insert_frame(engine, table, df)
        else:
            writing.insert_arrow(engine, table, df)
    else:
        rows = df.astype(object).where(df.notna(), None).to_dict("records")
        with engine.begin() as conn:
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start:start + 20_000])
