"""Calendar periods named by their first day, on the Python side of a report."""
import datetime as dt


def period_start(day: dt.date, grain: str) -> dt.date:
    if grain == "year":
        return dt.date(day.year, 1, 1)
    if grain == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, day.month, 1)


MONTHS = {"month": 1, "quarter": 3, "year": 12}
FIRST_MONTH, LAST_MONTH = 1 * 12, 9999 * 12 + 11  # January of year 1, December 9999: the calendar's ends


def _month_index(start: dt.date, grain: str, n: int) -> int:
    return start.year * 12 + start.month - 1 + MONTHS[grain] * n


def shift(start: dt.date, grain: str, n: int) -> dt.date:
    """The start of the period n periods after (n < 0: before) the one starting at `start`, held at the
    calendar's first and last month rather than overflowing."""
    index = min(max(_month_index(start, grain, n), FIRST_MONTH), LAST_MONTH)
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(start: dt.date, grain: str) -> dt.date:
    """The last day of the period starting at `start` (the calendar's last day for its last period)."""
    if _month_index(start, grain, 1) > LAST_MONTH:
        return dt.date.max
    return shift(start, grain, 1) - dt.timedelta(days=1)


def periods_overlapping(date_from: dt.date, date_to: dt.date, grain: str) -> list[dt.date]:
    """Every whole period that overlaps [from, to], by first day."""
    out, start = [], period_start(date_from, grain)
    while start <= date_to:
        out.append(start)
        end = period_end(start, grain)
        if end >= date_to:
            break
        start = end + dt.timedelta(days=1)
    return out


def key_to_date(key: int) -> dt.date:
    """Inverse of sqlfuncs.period_key: 202104 -> 2021-04-01."""
    key = int(key)
    return dt.date(key // 100, key % 100, 1)


def date_to_key(day: dt.date) -> int:
    return day.year * 100 + day.month
