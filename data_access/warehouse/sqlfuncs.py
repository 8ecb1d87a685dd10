"""Functions that every dialect spells differently (dates, a row hash), as SQLAlchemy Core constructs.

Each construct compiles to the native form of the dialect in use, so report queries stay
one portable `select()` whatever the warehouse is.
"""
from sqlalchemy import BigInteger, Date, Integer, bindparam, case, cast, extract, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_of(FunctionElement):
    """The calendar date of a timestamp."""
    type = Date()
    inherit_cache = True
    name = "day_of"


@compiles(day_of)
def _day_of_default(element, compiler, **kw):
    return "CAST(%s AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):
    # SQLite has no DATE type: CAST(... AS DATE) would yield the year as a number.
    return "date(%s)" % compiler.process(element.clauses, **kw)


@compiles(day_of, "chdb")
@compiles(day_of, "clickhousedb")
def _day_of_clickhouse(element, compiler, **kw):
    # toDate keeps NULL-ability (CAST(NULL AS DATE) is an error in ClickHouse).
    return "toDate(%s)" % compiler.process(element.clauses, **kw)


class days_between(FunctionElement):
    """Whole days from `earlier` to `later` (later - earlier), both dates."""
    type = Integer()
    inherit_cache = True
    name = "days_between"


def _two(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return compiler.process(later, **kw), compiler.process(earlier, **kw)


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "(CAST(%s AS DATE) - CAST(%s AS DATE))" % (later, earlier)


@compiles(days_between, "duckdb")
def _days_between_duckdb(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "date_diff('day', CAST(%s AS DATE), CAST(%s AS DATE))" % (earlier, later)


@compiles(days_between, "mysql")
@compiles(days_between, "mariadb")
def _days_between_mysql(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "DATEDIFF(%s, %s)" % (later, earlier)


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "CAST(julianday(date(%s)) - julianday(date(%s)) AS INTEGER)" % (later, earlier)


@compiles(days_between, "chdb")
@compiles(days_between, "clickhousedb")
def _days_between_clickhouse(element, compiler, **kw):
    later, earlier = _two(element, compiler, **kw)
    return "dateDiff('day', toDate(%s), toDate(%s))" % (earlier, later)


class prior_value(FunctionElement):
    """The value `n` rows back in a window (NULL when there is none): lag(expr, n), used with .over()."""
    inherit_cache = True
    name = "prior_value"

    def __init__(self, expr, n: int):
        super().__init__(expr, literal_column(str(int(n))))
        self.type = expr.type


@compiles(prior_value)
def _prior_value_default(element, compiler, **kw):
    expr, n = list(element.clauses)
    return "lag(%s, %s)" % (compiler.process(expr, **kw), compiler.process(n, **kw))


@compiles(prior_value, "chdb")
@compiles(prior_value, "clickhousedb")
def _prior_value_clickhouse(element, compiler, **kw):
    # ClickHouse's lag yields the type's default (1970-01-01) where no row precedes, unless Nullable.
    expr, n = list(element.clauses)
    return "lag(toNullable(%s), %s)" % (compiler.process(expr, **kw), compiler.process(n, **kw))


def period_key(column, grain):
    """year * 100 + the period's first month: 202104 is Q2 2021 at quarter grain."""
    year = extract("year", column)
    if grain == "year":
        return cast(year * 100 + 1, Integer)
    month = extract("month", column)
    if grain == "quarter":
        month = case((month <= 3, 1), (month <= 6, 4), (month <= 9, 7), else_=10)
    return cast(year * 100 + month, Integer)


class add_days(FunctionElement):
    """The date `n` whole days after `date` (n < 0: before). `n` is a constant of the code, written into the
    SQL as a number (it is no user input), so that a window's bounds are plain dates computed once per
    window, which an index or a range join can use (rather than `days_between(day, start) <= n` per row)."""
    type = Date()
    inherit_cache = True
    name = "add_days"

    def __init__(self, date, n: int):
        super().__init__(date, literal_column(str(int(n))))


@compiles(add_days)
def _add_days_default(element, compiler, **kw):  # DuckDB, PostgreSQL: date + integer is a date
    date, n = _two(element, compiler, **kw)
    return "(CAST(%s AS DATE) + %s)" % (date, n)


@compiles(add_days, "mysql")
@compiles(add_days, "mariadb")
def _add_days_mysql(element, compiler, **kw):
    date, n = _two(element, compiler, **kw)
    return "DATE_ADD(%s, INTERVAL %s DAY)" % (date, n)


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    date, n = _two(element, compiler, **kw)
    return "date(%s, printf('%%+d days', %s))" % (date, n)


@compiles(add_days, "chdb")
@compiles(add_days, "clickhousedb")
def _add_days_clickhouse(element, compiler, **kw):
    date, n = _two(element, compiler, **kw)
    return "addDays(toDate(%s), %s)" % (date, n)


class date_value(FunctionElement):
    """A date of the code's (a bound parameter) where SQL must know it is a date, as a branch of a CASE
    beside date columns."""
    type = Date()
    inherit_cache = True
    name = "date_value"

    def __init__(self, value):
        super().__init__(bindparam(None, value, type_=Date()))


@compiles(date_value)
def _date_value_default(element, compiler, **kw):  # the driver sends a date: typed already
    return compiler.process(element.clauses, **kw)


@compiles(date_value, "clickhousedb")
def _date_value_clickhouse_server(element, compiler, **kw):
    # clickhouse-connect binds a date as the text '2021-04-01', and a CASE of Date and String has no type
    return "toDate(%s)" % compiler.process(element.clauses, **kw)


class row_hash(FunctionElement):
    """A hash of one row's values in the engine's own hash function, for checksums: summed over a table, it
    changes when any row is rewritten. The first argument is the same values as one integer expression of
    the code's (`portable`), for an engine without a hash function (SQLite); the others are the values."""
    type = BigInteger()
    inherit_cache = True
    name = "row_hash"

    def __init__(self, portable, *values):
        super().__init__(portable, *values)


def _values(element, compiler, **kw) -> str:
    return ", ".join(compiler.process(v, **kw) for v in list(element.clauses)[1:])


@compiles(row_hash)
def _row_hash_portable(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(row_hash, "duckdb")
def _row_hash_duckdb(element, compiler, **kw):
    return "hash(%s)" % _values(element, compiler, **kw)  # UBIGINT


@compiles(row_hash, "postgresql")
def _row_hash_postgresql(element, compiler, **kw):
    return "hash_record_extended(ROW(%s), 0)" % _values(element, compiler, **kw)  # PostgreSQL 14+


@compiles(row_hash, "mysql")
@compiles(row_hash, "mariadb")
def _row_hash_mysql(element, compiler, **kw):
    return "CRC32(CONCAT_WS('|', %s))" % _values(element, compiler, **kw)  # 32 bits; a NULL is left out


@compiles(row_hash, "chdb")
@compiles(row_hash, "clickhousedb")
def _row_hash_clickhouse(element, compiler, **kw):
    # UInt64, and NULL for any NULL argument: so a NULL-able column goes in as (is it NULL, its value or 0)
    values = []
    for v in list(element.clauses)[1:]:
        sql = compiler.process(v, **kw)
        values += [f"isNull({sql})", f"assumeNotNull({sql})"] if getattr(v, "nullable", False) else [sql]
    return "cityHash64(%s)" % ", ".join(values)


XOR_TOTALS = ("duckdb", "postgresql", "mysql", "mariadb", "chdb", "clickhousedb")  # hash_total is an XOR there


class hash_total(FunctionElement):
    """The row hashes of a set of rows combined, an aggregate: their XOR (a sum modulo 2^64 is as good, but
    DuckDB's sum() of 64-bit values is twice as slow); SQLite, which has no XOR, sums its smaller hashes."""
    type = BigInteger()
    inherit_cache = True
    name = "hash_total"


@compiles(hash_total)
def _hash_total_sum(element, compiler, **kw):
    return "sum(%s)" % compiler.process(element.clauses, **kw)


@compiles(hash_total, "duckdb")
@compiles(hash_total, "postgresql")
@compiles(hash_total, "mysql")
@compiles(hash_total, "mariadb")
def _hash_total_xor(element, compiler, **kw):
    return "bit_xor(%s)" % compiler.process(element.clauses, **kw)


@compiles(hash_total, "chdb")
@compiles(hash_total, "clickhousedb")
def _hash_total_clickhouse(element, compiler, **kw):
    return "groupBitXor(%s)" % compiler.process(element.clauses, **kw)
