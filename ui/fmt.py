"""Numbers and dates in the reader's convention. Pure functions: no Streamlit.

Money: zh ¥1.2亿 / ¥3,456万 / ¥8,000; en ¥1.2B / ¥120M / ¥34.6K / ¥950.
Multiples 4.5×, rates 3.1%, counts 1,234; empty (None/NaN) is "—".
Periods: zh 2021年4月 / 2021年Q2 / 2021年; en Apr 2021 / Q2 2021 / 2021.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers

import pandas as pd

EMPTY = "—"
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_empty(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Real):
        return math.isnan(float(value)) or math.isinf(float(value))
    return False


def money(value, lang: str) -> str:
    if is_empty(value):
        return EMPTY
    value = float(value)
    sign = "-" if value < 0 else ""
    amount = abs(value)
    text = _money_zh(amount) if lang == "zh" else _money_en(amount)
    return f"{sign}¥{text}"


def _money_zh(amount: float) -> str:
    if amount >= 1e8 or round(amount / 1e4) >= 10_000:
        return f"{_one_decimal(amount / 1e8)}亿"
    if round(amount) >= 10_000:
        wan = amount / 1e4
        return f"{_one_decimal(wan)}万" if wan < 100 else f"{wan:,.0f}万"
    return f"{amount:,.0f}"


def _one_decimal(x: float) -> str:
    return f"{x:,.1f}".removesuffix(".0")


def _money_en(amount: float) -> str:
    units = ((1e9, "B"), (1e6, "M"), (1e3, "K"), (1.0, ""))
    for i, (size, suffix) in enumerate(units):
        if amount >= size or suffix == "":
            scaled = _three_digits(amount / size)
            if scaled >= 1000 and i > 0:  # 999.96K rounds to 1000K: say ¥1M
                size, suffix = units[i - 1]
                scaled = _three_digits(amount / size)
            if suffix == "":
                return f"{scaled:,.0f}"
            return f"{_trim(scaled)}{suffix}"
    raise AssertionError("unreachable")


def _three_digits(x: float) -> float:
    """x rounded to three significant digits."""
    if x >= 100:
        return float(round(x))
    if x >= 10:
        return round(x, 1)
    return round(x, 2)


def _trim(x: float) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def multiple(value) -> str:
    return EMPTY if is_empty(value) else f"{float(value):,.1f}×"


def rate(value) -> str:
    return EMPTY if is_empty(value) else f"{float(value) * 100:.1f}%"


def count(value) -> str:
    return EMPTY if is_empty(value) else f"{int(value):,}"


def signed_count(value) -> str:
    return EMPTY if is_empty(value) else f"{int(value):+,}"


def ratio(value) -> str:
    """A plain ratio such as an ROI: 2 decimals."""
    return EMPTY if is_empty(value) else f"{float(value):,.2f}"


def as_date(value) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def day(value) -> str:
    return EMPTY if is_empty(value) else as_date(value).isoformat()


def period(value, grain: str, lang: str) -> str:
    """The name of the period that starts on `value`."""
    if is_empty(value):
        return EMPTY
    d = as_date(value)
    if grain == "year":
        return f"{d.year}年" if lang == "zh" else str(d.year)
    if grain == "quarter":
        q = (d.month - 1) // 3 + 1
        return f"{d.year}年Q{q}" if lang == "zh" else f"Q{q} {d.year}"
    return f"{d.year}年{d.month}月" if lang == "zh" else f"{MONTHS_EN[d.month - 1]} {d.year}"


def date_range(start, end, lang: str) -> str:
    return f"{day(start)} 至 {day(end)}" if lang == "zh" else f"{day(start)} – {day(end)}"
