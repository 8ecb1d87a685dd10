"""`python -m data_access load --from SOURCE --url TARGET`: copy a warehouse of the seven tables into any backend.

SOURCE is a DuckDB file, or a folder with one Parquet file per table (`orders.parquet`, …); DuckDB reads
both. Before anything is written, every table must be there with every contract column, of a type that
holds the contract's values (the rules of `check`: data_access.warehouse.contract_check.type_problem);
otherwise one line names each table or column at fault and the target is not touched. Other columns are left behind.

Then the tables are read in chunks and bulk-loaded the way the demo is (data_access.warehouse.build.writing: COPY
on PostgreSQL, Arrow on a ClickHouse server, DuckDB's and chDB's scans of a frame, batched inserts
elsewhere), into a target written as the demo writes one (data_access.warehouse.build.whole.write: a new file
renamed over the old, a staging schema swapped in, a ClickHouse server or cluster in place), and the marts are built.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Date

from .. import schema
from ..connection import describe_safely
from ..contract_check import duckdb_type, type_problem
from ..marts import build as marts
from . import load, whole, writing

CHUNK_ROWS = 2_000_000  # orders read and loaded per step: memory stays flat whatever the source holds
VECTOR = 2048  # DuckDB hands results over in vectors of this many rows


class SourceError(writing.BuildError):
    """The source cannot be copied (a table or column missing, a wrong type); str() is one line."""


class Source:
    """The seven tables of a DuckDB file or a folder of Parquet files, opened read-only."""

    def __init__(self, path: str):
        import duckdb
        self.path = Path(path)
        self.parquet = self.path.is_dir()
        try:
            self.con = duckdb.connect() if self.parquet else duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise SourceError(f"the source {path} is not a DuckDB file or a folder of Parquet files: "
                              f"{str(exc).splitlines()[0][:200]}") from None

    def close(self) -> None:
        self.con.close()

    def _from(self, table: str) -> tuple[str, list]:
        """The FROM of a table (names are the contract's; a Parquet path travels as a parameter)."""
        if self.parquet:
            return "read_parquet(?)", [str(self.path / f"{table}.parquet")]
        return f'"{table}"', []

    def _exists(self, table: str) -> bool:
        if self.parquet:
            return (self.path / f"{table}.parquet").is_file()
        found = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                                 "AND table_schema = current_schema()", [table]).fetchone()
        return bool(found[0])

    def problems(self) -> list[str]:
        """What keeps the source from being copied: missing tables and columns, wrong types."""
        found = []
        for table in schema.TABLES:
            if not self._exists(table.name):
                found.append(f"it lacks the table {table.name}")
                continue
            source, params = self._from(table.name)
            described = self.con.execute(f"DESCRIBE SELECT * FROM {source}", params).fetchall()
            types = {row[0]: row[1] for row in described}
            for column in table.c:
                if column.name not in types:
                    found.append(f"{table.name}.{column.name} is missing")
                    continue
                problem = type_problem(column, duckdb_type(types[column.name]), "duckdb")
                if problem:
                    found.append(f"{table.name}.{column.name}: {problem}")
        return found

    def frames(self, table):
        """The table's contract columns in frames of at most CHUNK_ROWS rows, typed as the demo's frames."""
        source, params = self._from(table.name)
        columns = ", ".join(f'"{c.name}"' for c in table.c)
        self.con.execute(f"SELECT {columns} FROM {source}", params)
        while True:
            frame = self.con.fetch_df_chunk(CHUNK_ROWS // VECTOR, date_as_object=True)
            if frame.empty:
                return
            for c in table.c:
                if isinstance(c.type, Date):  # dates as date or None (not NaT), as every loader takes them
                    frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), None)
            yield frame


def copy(source_path: str, url: str) -> float:
    """Copy the warehouse at `source_path` into `url` (then build the marts there); returns seconds taken.
    SourceError when the source is not a warehouse of the contract (the target untouched)."""
    started = time.perf_counter()
    source = Source(source_path)
    counts = dict.fromkeys(schema.TABLE_NAMES, 0)
    try:
        problems = source.problems()
        if problems:
            raise SourceError(f"the source {source_path} cannot be loaded ({'; '.join(problems)}); nothing was "
                              "written")

        def fill(engine) -> None:
            for table in schema.TABLES:
                for frame in source.frames(table):
                    load.load_frames(engine, {table.name: frame})
                    counts[table.name] += len(frame)
            marts.build_into(engine)

        whole.write(url, fill)
    finally:
        source.close()
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{counts[name]:,} {name}" for name in schema.TABLE_NAMES)
    print(f"loaded {source_path} into {describe_safely(url)}: {summary} in {seconds:.1f} s")
    return seconds

