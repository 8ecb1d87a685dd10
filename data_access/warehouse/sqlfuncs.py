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
    first, second = list(element.clauses)
    return compiler.process(first, **kw), compiler.process(second, **kw)


def _spell_two(element_class, spellings: dict[tuple[str, ...], str]) -> None:
    """A function of two arguments in each dialect's words: `spellings` maps dialect names (() for the
    default) to SQL with {0} and {1} where the compiled arguments go."""
    for dialects, sql in spellings.items():
        def compile_two(element, compiler, sql=sql, **kw):
            return sql.format(*_two(element, compiler, **kw))
        for dialect in dialects or (None,):
            compiles(element_class, *([dialect] if dialect else []))(compile_two)


_spell_two(days_between, {  # {0} later, {1} earlier
    (): "(CAST({0} AS DATE) - CAST({1} AS DATE))",
    ("duckdb",): "date_diff('day', CAST({1} AS DATE), CAST({0} AS DATE))",
    ("mysql", "mariadb"): "DATEDIFF({0}, {1})",
    ("sqlite",): "CAST(julianday(date({0})) - julianday(date({1})) AS INTEGER)",
    ("chdb", "clickhousedb"): "dateDiff('day', toDate({1}), toDate({0}))",
})


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


_spell_two(add_days, {  # {0} the date, {1} the days
    (): "(CAST({0} AS DATE) + {1})",  # DuckDB, PostgreSQL: date + integer is a date
    ("mysql", "mariadb"): "DATE_ADD({0}, INTERVAL {1} DAY)",
    ("sqlite",): "date({0}, printf('%+d days', {1}))",
    ("chdb", "clickhousedb"): "addDays(toDate({0}), {1})",
})


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
