"""Numbers and dates for the pages: data_access.words.fmt (Babel, CLDR), the one implementation, shared with the
digests. Pages and charts say `fmt.money(value, lang)`."""
from data_access.words.fmt import (  # noqa: F401 - the pages' formats come from here
    EMPTY,
    NEUTRAL,
    YUAN,
    as_date,
    column_format,
    count,
    date_range,
    day,
    days,
    is_empty,
    locale,
    money,
    multiple,
    period,
    points,
    rate,
    ratio,
    signed_count,
)
