"""`python -m data_access check`: does a warehouse honour the contract (../shared/WAREHOUSE.md)?

The contract is data_access/warehouse/schema.py: the seven tables, their types, NOT NULL, enumerated
values (`schema.allowed_values`) and references (`schema.REFERENCES`). A finding names its
severity, table, column, a count and up to `sample` example keys:

- errors: figures would be wrong (a missing table or column, a type that cannot hold the
  contract's values, duplicate keys, unknown references, values outside the contract, NULL
  where forbidden, a step completed before it started or outside 1–5, overlapping
  assignments, negative money);
- warnings: figures are right but suspicious (orders in the future or before the first brand,
  brands onboarded after their first order, steps started out of order, campaigns with spend
  0, belts without brands, stale marts).

Everything is counted inside the warehouse: each table's row rules in one aggregate scan, each
set rule (keys, references, overlaps …) in one aggregate query; example keys are fetched only
for a rule that found something. Nothing is written, every query runs under the reader's
statement timeout, and no table is pulled into Python.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    func,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.exc import DBAPIError, NoSuchTableError
from sqlalchemy.types import NullType, TypeEngine

from . import schema
from .connection import Warehouse, WarehouseError, WarehouseUnreachable
from .freshness import MARTS_META
from .marts.read import fresh
from .sqlfuncs import day_of

ERROR, WARNING = "error", "warning"
RULES = {  # every finding's rule, by severity
    ERROR: ("missing_table", "missing_column", "wrong_type", "duplicate_key", "unknown_reference",
            "value_not_in_contract", "null", "completed_before_started", "step_out_of_range",
            "overlapping_assignments", "negative_amount", "check_failed"),
    WARNING: ("future_order", "order_before_first_brand", "onboarded_after_first_order", "steps_out_of_order",
              "zero_spend", "belt_without_brands", "stale_marts"),
}
ONE = literal_column("1").label("n")  # each key counts once
PLATFORM_TZ = ZoneInfo("Asia/Shanghai")  # the contract's timestamps are naive platform local time


@dataclass(frozen=True)
class Finding:
    severity: str            # ERROR or WARNING
    rule: str                # e.g. "duplicate_key"
    table: str
    column: str              # "" when the finding is about the whole table
    count: int               # rows, keys or brands affected (the detail says which)
    detail: str
    examples: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table

    def line(self) -> str:
        examples = f"; e.g. {', '.join(self.examples)}" if self.examples else ""
        return f"{self.severity:<7}  {self.where:<34} {self.rule:<26} {self.count:>11,}  {self.detail}{examples}"


@dataclass(frozen=True)
class Result:
    where: str
    checked_at: dt.datetime
    tables: int              # contract tables present
    rows: int                # their rows, together
    seconds: float
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        return (f"check: {self.tables} of {len(schema.TABLES)} tables, {self.rows:,} rows, {len(self.errors)} errors, "
                f"{len(self.warnings)} warnings in {self.seconds:.1f} s ({self.where})")

    def text(self) -> str:
        return "\n".join([f.line() for f in self.findings] + [self.summary()])

    def json(self) -> str:
        return json.dumps({
            "warehouse": self.where, "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "tables": self.tables, "rows": self.rows, "errors": len(self.errors), "warnings": len(self.warnings),
            "seconds": round(self.seconds, 3), "findings": [asdict(f) for f in self.findings],
        }, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- the run

def check(wh: Warehouse, sample: int = 5) -> Result:
    """Every rule of the contract against `wh`; raises WarehouseUnreachable when it cannot be reached."""
    started = time.perf_counter()
    checked_at = dt.datetime.now().replace(microsecond=0)
    _reach(wh)
    run = _Run(wh, sample)
    present = {table: run.structure(table) for table in schema.TABLES}
    rows = sum(run.row_rules(table) for table in schema.TABLES if present[table])
    for table in schema.TABLES:
        if present[table]:
            run.duplicate_keys(table)
    for referring, referred in schema.REFERENCES:
        run.unknown_references(referring, referred)
    run.set_rules()
    order = {ERROR: 0, WARNING: 1}
    findings = tuple(sorted(run.findings, key=lambda f: (order[f.severity], schema.TABLE_NAMES.index(f.table)
                                                          if f.table in schema.TABLE_NAMES else 99, f.column, f.rule)))
    return Result(where=wh.where, checked_at=checked_at, tables=sum(map(bool, present.values())), rows=rows,
                  seconds=time.perf_counter() - started, findings=findings)


def _reach(wh: Warehouse) -> None:
    try:
        with wh.engine.connect():
            pass
    except DBAPIError as exc:
        raise WarehouseUnreachable(f"cannot reach the warehouse ({wh.where}): {wh.detail(exc)}") from None


class _Run:
    def __init__(self, wh: Warehouse, sample: int):
        self.wh = wh
        self.sample = sample
        self.findings: list[Finding] = []
        self.usable: dict[str, set[str]] = {}   # per table: columns present with a type that holds the contract's

    def add(self, severity, rule, column: Column | None, count, detail, examples=(), table: str | None = None):
        self.findings.append(Finding(severity, rule, table or column.table.name, "" if column is None else column.name,
                                     int(count), detail, tuple(examples)))

    def ok(self, *columns: Column) -> bool:
        return all(c.name in self.usable.get(c.table.name, ()) for c in columns)

    def counted(self, stmt, rule: str, table: str) -> tuple[int, list[str]]:
        """(how many, up to `sample` examples) of a select whose first column `n` is the weight of each row and
        whose other columns are the example's key: one query, the total a window over all of them."""
        inner = stmt.subquery("bad")
        keys = [c for c in inner.c if c.name != "n"]
        total = func.sum(inner.c.n).over().label("total")
        df = self.frame(select(total, *keys).order_by(*keys).limit(max(self.sample, 1)), rule, table)
        if df is None or df.empty:
            return 0, []
        names = [k.name for k in keys]
        return int(df["total"].iloc[0]), [_key(row, names) for _, row in df.head(self.sample).iterrows()]

    def frame(self, stmt, rule: str, table: str):
        try:
            return self.wh.frame(stmt)
        except WarehouseUnreachable:
            raise
        except WarehouseError as exc:  # a timeout, or a value the database refuses: say so, go on
            self.findings.append(Finding(ERROR, "check_failed", table, "", 0, f"the {rule} rule could not run: {exc}"))
            return None

    # ------------------------------------------------------------ structure
    def structure(self, table: Table) -> bool:
        columns = present_columns(self.wh, table)
        if columns is None:
            self.add(ERROR, "missing_table", None, 0, "the table (or view) does not exist", table=table.name)
            return False
        usable = set()
        for column in table.c:
            if column.name not in columns:
                self.add(ERROR, "missing_column", column, 0, "the column does not exist")
                continue
            problem = type_problem(column, columns[column.name], self.wh.dialect)
            if problem:
                self.add(ERROR, "wrong_type", column, 0, problem)
            else:
                usable.add(column.name)
        self.usable[table.name] = usable
        return True

    # ------------------------------------------------------------ rules on single rows, one scan per table
    def row_rules(self, table: Table) -> int:
        rules = [r for r in _row_rules(table, self.wh.dialect) if self.ok(*r.columns)]
        counts = [func.coalesce(func.sum(case((r.condition, 1), else_=0)), 0).label(f"r{i}")
                  for i, r in enumerate(rules)]
        df = self.frame(select(func.count().label("rows"), *counts).select_from(table), "row", table.name)
        if df is None:
            return 0
        keys = [c for c in table.primary_key.columns if self.ok(c)]
        for i, rule in enumerate(rules):
            n = int(df[f"r{i}"].iloc[0])
            if n:
                examples = []
                if keys and self.sample:
                    sample = select(*keys).where(rule.condition).order_by(*keys).limit(self.sample)
                    found = self.frame(sample, rule.rule, table.name)
                    names = [k.name for k in keys]
                    examples = [] if found is None else [_key(row, names) for _, row in found.iterrows()]
                self.add(rule.severity, rule.rule, rule.columns[0], n, rule.detail, examples)
        return int(df["rows"].iloc[0])

    # ------------------------------------------------------------ rules over sets of rows
    def duplicate_keys(self, table: Table) -> None:
        keys = list(table.primary_key.columns)
        if not self.ok(*keys) or declared_key(self.wh, table):
            return  # a declared primary key is enforced by the database (at 10M orders the GROUP BY takes 9 s)
        stmt = select(ONE, *keys).group_by(*keys).having(func.count() > 1)
        n, examples = self.counted(stmt, "duplicate_key", table.name)
        if n:
            self.add(ERROR, "duplicate_key", keys[0] if len(keys) == 1 else None, n,
                     f"keys ({', '.join(k.name for k in keys)}) held by more than one row", examples, table=table.name)

    def unknown_references(self, referring: Column, referred: Column) -> None:
        if not self.ok(referring, referred):
            return
        parent = referred.table
        stmt = (select(func.count().label("n"), referring)
                .select_from(referring.table.outerjoin(parent, referred == referring))
                .where(referring.is_not(None), referred.is_(None)).group_by(referring))
        n, examples = self.counted(stmt, "unknown_reference", referring.table.name)
        if n:
            self.add(ERROR, "unknown_reference", referring, n, f"rows referring to {parent.name} that do not exist",
                     examples)

    def set_rules(self) -> None:
        a1, a2 = schema.provider_assignments.alias("a1"), schema.provider_assignments.alias("a2")
        if self.ok(*schema.provider_assignments.c):
            far = dt.date(9999, 12, 31)
            other = or_(a1.c.start_on < a2.c.start_on,
                        and_(a1.c.start_on == a2.c.start_on, a1.c.provider_id < a2.c.provider_id))
            overlap = (select(ONE, a1.c.brand_id)
                       .select_from(a1.join(a2, a1.c.brand_id == a2.c.brand_id))
                       .where(other, a2.c.start_on <= func.coalesce(a1.c.end_on, far)).distinct())
            self._set_rule(ERROR, "overlapping_assignments", schema.provider_assignments.c.start_on, overlap,
                           "brands with two providers on the same day")
        m = schema.steps_milestones
        m1, m2 = m.alias("m1"), m.alias("m2")
        if self.ok(m.c.brand_id, m.c.step, m.c.started_on):
            early = (select(ONE, m2.c.brand_id)
                     .select_from(m1.join(m2, and_(m1.c.brand_id == m2.c.brand_id, m2.c.step == m1.c.step + 1)))
                     .where(m2.c.started_on < m1.c.started_on).distinct())
            self._set_rule(WARNING, "steps_out_of_order", m.c.started_on, early,
                           "brands that started a step before the step before it")
        b, o = schema.brands, schema.orders
        if self.ok(b.c.brand_id, b.c.onboarded_on, o.c.brand_id, o.c.ordered_at):
            first = (select(o.c.brand_id, func.min(o.c.ordered_at).label("first_at"))
                     .group_by(o.c.brand_id).subquery("first_orders"))
            late = (select(ONE, b.c.brand_id)
                    .select_from(b.join(first, first.c.brand_id == b.c.brand_id))
                    .where(day_of(first.c.first_at) < b.c.onboarded_on))
            self._set_rule(WARNING, "onboarded_after_first_order", b.c.onboarded_on, late,
                           "brands onboarded after their first order")
        belts = schema.industry_belts
        if self.ok(belts.c.belt_id, b.c.belt_id):
            used = select(b.c.belt_id.label("used")).where(b.c.belt_id.is_not(None)).distinct().subquery("used")
            empty = (select(ONE, belts.c.belt_id)
                     .select_from(belts.outerjoin(used, used.c.used == belts.c.belt_id)).where(used.c.used.is_(None)))
            self._set_rule(WARNING, "belt_without_brands", belts.c.belt_id, empty, "belts that no brand belongs to")
        self.stale_marts()

    def _set_rule(self, severity, rule, column, stmt, detail) -> None:
        n, examples = self.counted(stmt, rule, column.table.name)
        if n:
            self.add(severity, rule, column, n, detail, examples)

    def stale_marts(self) -> None:
        try:
            built = self.wh.scalar(select(func.count()).select_from(MARTS_META))
        except WarehouseUnreachable:
            raise
        except WarehouseError:
            return  # no marts: the reports read the raw tables
        if built and self.ok(schema.orders.c.order_id) and not fresh(self.wh):
            self.add(WARNING, "stale_marts", None, 0, "the marts were built from other orders than the warehouse "
                     "holds now (pages read the raw tables, slower): run `python -m data_access build-marts`",
                     table=MARTS_META.name)


# ---------------------------------------------------------------- rules on single rows

@dataclass(frozen=True)
class _RowRule:
    severity: str
    rule: str
    columns: tuple[Column, ...]   # the first is the one the finding names
    condition: object
    detail: str


def _row_rules(table: Table, dialect: str) -> list[_RowRule]:
    rules = []
    for column in table.c:
        if not column.nullable:
            rules.append(_RowRule(ERROR, "null", (column,), column.is_(None), "NULL where the contract forbids it"))
        values = schema.allowed_values(column)
        if values is not None:
            outside = _exact(column, dialect).not_in(values)
            if column is schema.steps_milestones.c.step:
                rules.append(_RowRule(ERROR, "step_out_of_range", (column,), outside, "steps outside 1–5"))
            else:
                rules.append(_RowRule(ERROR, "value_not_in_contract", (column,), outside,
                                      f"values other than {', '.join(values)}"))
    o, c, b, m = schema.orders.c, schema.campaigns.c, schema.brands.c, schema.steps_milestones.c
    tomorrow = dt.datetime.combine(dt.datetime.now(PLATFORM_TZ).date() + dt.timedelta(days=1), dt.time())
    first_brand = select(func.min(b.onboarded_on)).scalar_subquery()
    more = {
        "orders": [
            _RowRule(ERROR, "negative_amount", (o.gmv_cny,), o.gmv_cny < 0, "negative GMV"),
            _RowRule(WARNING, "future_order", (o.ordered_at,), o.ordered_at >= tomorrow, "orders dated in the future"),
            _RowRule(WARNING, "order_before_first_brand", (o.ordered_at, b.onboarded_on),
                     day_of(o.ordered_at) < first_brand, "orders dated before the first brand was onboarded"),
        ],
        "brands": [_RowRule(ERROR, "negative_amount", (b.offsite_gmv_cny,), b.offsite_gmv_cny < 0, "negative GMV")],
        "campaigns": [
            _RowRule(ERROR, "negative_amount", (c.spend_cny,), c.spend_cny < 0, "negative spend"),
            _RowRule(WARNING, "zero_spend", (c.spend_cny,), c.spend_cny == 0, "campaigns with spend 0 (no ROI)"),
        ],
        "steps_milestones": [_RowRule(ERROR, "completed_before_started", (m.completed_on, m.started_on),
                                      m.completed_on < m.started_on, "steps completed before they started")],
    }
    return rules + more.get(table.name, [])


def _exact(column: Column, dialect: str):
    """The column compared byte for byte: MySQL's default collations ignore case and trailing spaces."""
    if dialect in ("mysql", "mariadb") and isinstance(column.type, String):
        return column.collate("utf8mb4_bin")
    return column


def _key(row, names: list[str]) -> str:
    parts = [f"{name}={_plain(row[name])}" for name in names]
    return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"


def _plain(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "NULL"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0 \
            else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- structure: columns and types

# DuckDB: duckdb-engine's reflection fails (it asks pg_catalog for what DuckDB lacks); the
# information schema has every table and view with its columns' types.
_ISC = Table("columns", MetaData(), Column("table_catalog", String), Column("table_schema", String),
             Column("table_name", String), Column("column_name", String), Column("data_type", String),
             Column("numeric_precision", Integer), Column("numeric_scale", Integer), schema="information_schema")


def present_columns(wh: Warehouse, table: Table) -> dict[str, TypeEngine] | None:
    """The columns of `table` in the warehouse (its schema) with their types; None when there is no such table."""
    try:
        if wh.dialect == "duckdb":
            return _duckdb_columns(wh, table)
        with wh.engine.connect() as conn:
            columns = inspect(conn).get_columns(table.name, schema=wh.schema)
        return {c["name"]: c["type"] for c in columns}
    except NoSuchTableError:
        return None
    except DBAPIError as exc:
        raise wh.explain(exc) from None


def declared_key(wh: Warehouse, table: Table) -> bool:
    """Whether the warehouse declares the contract's primary key on `table` (a table, not a view), so that it
    enforces it. Not on ClickHouse, whose primary key is a sort order; False whenever unsure."""
    want = {c.name for c in table.primary_key.columns}
    try:
        if wh.dialect == "duckdb":
            d = func.duckdb_constraints().table_valued("database_name", "schema_name", "table_name", "constraint_type",
                                                       "constraint_column_names")
            found = wh.frame(select(d.c.constraint_column_names).where(
                d.c.table_name == table.name, d.c.constraint_type == "PRIMARY KEY",
                d.c.schema_name == (wh.schema or func.current_schema()), d.c.database_name == func.current_database()))
            return any(set(columns) == want for columns in found["constraint_column_names"])
        if wh.dialect in ("postgresql", "mysql", "mariadb", "sqlite"):
            with wh.engine.connect() as conn:
                declared = inspect(conn).get_pk_constraint(table.name, schema=wh.schema)
            return set(declared.get("constrained_columns") or ()) == want
    except (WarehouseError, DBAPIError, NoSuchTableError):
        pass
    return False


def _duckdb_columns(wh: Warehouse, table: Table) -> dict[str, TypeEngine] | None:
    i = _ISC.c
    in_schema = i.table_schema == (wh.schema if wh.schema else func.current_schema())
    rows = wh.frame(select(i.column_name, i.data_type, i.numeric_precision, i.numeric_scale)
                    .where(i.table_name == table.name, in_schema, i.table_catalog == func.current_database()))
    if rows.empty:
        return None
    return {row.column_name: _duckdb_type(str(row.data_type), _int(row.numeric_precision), _int(row.numeric_scale))
            for row in rows.itertuples()}


def duckdb_type(data_type: str) -> TypeEngine:
    """The SQLAlchemy type of a DuckDB type as DuckDB writes it ('DECIMAL(12,2)', 'BIGINT', …), for
    type_problem (the `load` command checks its source's columns so)."""
    digits = re.fullmatch(r"\s*(?:DECIMAL|NUMERIC)\s*\((\d+)\s*,\s*(\d+)\)\s*", data_type, re.IGNORECASE)
    return _duckdb_type(data_type, *(map(int, digits.groups()) if digits else (None, None)))


def _duckdb_type(data_type: str, precision: int | None, scale: int | None) -> TypeEngine:
    from duckdb_engine import Dialect
    base = re.sub(r"\(.*", "", data_type).strip().lower()
    if base in ("decimal", "numeric"):
        return Numeric(precision, scale)
    if base in ("timestamp with time zone", "timestamptz"):
        return DateTime(timezone=True)
    kind = Dialect.ischema_names.get(_DUCKDB_ALIASES.get(base, base))
    return kind() if kind else Unrecognised(data_type)


_DUCKDB_ALIASES = {"double": "double precision", "bool": "boolean", "int": "integer", "long": "bigint"}


class Unrecognised(TypeEngine):
    """A type this check does not know, named as the warehouse names it: it holds none of the contract's."""

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


_BITS = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INTEGER": 32, "INT": 32, "BIGINT": 64, "HUGEINT": 128}


def _bits(t: TypeEngine, dialect: str) -> int:
    if dialect == "sqlite":
        return 64  # every SQLite integer is 64-bit
    name = type(t).__name__.upper()
    found = re.fullmatch(r"U?INT(\d+)", name)  # ClickHouse Int8 … UInt256
    if found:
        return int(found.group(1))
    if name in _BITS:
        return _BITS[name]
    if isinstance(t, schema.BigInteger):
        return 64
    return 16 if isinstance(t, SmallInteger) else 32


def contract_type(column: Column) -> str:
    """The column's type as WAREHOUSE.md writes it."""
    t = column.type
    if isinstance(t, Numeric):
        return f"DECIMAL({t.precision},{t.scale})"
    if isinstance(t, String):
        return f"VARCHAR({t.length})"
    if isinstance(t, DateTime):
        return "TIMESTAMP"
    return type(t).__name__.upper().replace("BIGINTEGER", "BIGINT").replace("SMALLINTEGER", "SMALLINT")


def type_problem(column: Column, actual: TypeEngine, dialect: str) -> str | None:
    """Why a column of type `actual` cannot hold the contract's values of `column`, or None when it can (also
    when the type is unknown, as for an expression in a SQLite view)."""
    want, shown = column.type, _shown(actual)
    if isinstance(actual, NullType):
        return None
    cannot = f"{shown} cannot hold the contract's {contract_type(column)}"
    if isinstance(want, Boolean):
        return None if isinstance(actual, (Boolean, Integer)) else cannot
    if isinstance(want, Integer):
        return _integer_problem(want, actual, dialect, cannot)
    if isinstance(want, Numeric):
        return _money_problem(want, actual, cannot)
    if isinstance(want, DateTime):
        return _timestamp_problem(actual, cannot)
    if isinstance(want, Date):
        return None if isinstance(actual, Date) and not isinstance(actual, DateTime) else cannot
    if isinstance(want, String):
        return None if _is_text(actual) else cannot
    return None


def _is_text(t: TypeEngine) -> bool:
    # clickhouse-connect reflects String / FixedString (also LowCardinality, Nullable) as its own types,
    # not as subclasses of SQLAlchemy's String
    return isinstance(t, String) or type(t).__name__ in ("String", "FixedString")


def _integer_problem(want: Integer, actual: TypeEngine, dialect: str, cannot: str) -> str | None:
    """type_problem for an integer column: an integer type (not a boolean) with at least the contract's bits."""
    if not isinstance(actual, Integer) or isinstance(actual, Boolean):
        return cannot
    need = 64 if isinstance(want, schema.BigInteger) else 16 if isinstance(want, SmallInteger) else 32
    return None if _bits(actual, dialect) >= need else cannot


def _money_problem(want: Numeric, actual: TypeEngine, cannot: str) -> str | None:
    """type_problem for a DECIMAL (money) column: an exact decimal keeping the cents and enough digits."""
    if isinstance(actual, Float) or not isinstance(actual, Numeric) or isinstance(actual, Integer):
        return f"{cannot}: money must be an exact decimal with cents (cast it in the view)"
    scale, precision = actual.scale, actual.precision
    if scale is not None and scale < want.scale:
        return f"{cannot}: it drops the cents"
    if precision is not None and scale is not None and precision - scale < want.precision - want.scale:
        return f"{cannot}: too few digits"
    return None


def _timestamp_problem(actual: TypeEngine, cannot: str) -> str | None:
    """type_problem for a TIMESTAMP column: a timestamp type without a time zone."""
    if not isinstance(actual, DateTime):
        return cannot
    return f"{cannot}: a time zone shifts the contract's naive local times" if actual.timezone is True else None


def _shown(t: TypeEngine) -> str:
    try:
        return str(t)
    except Exception:  # noqa: BLE001 - a dialect type without a generic rendering
        return type(t).__name__.upper()
