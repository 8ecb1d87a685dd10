"""Numbers and dates in the reader's convention, through Babel (CLDR). Pure functions: no Streamlit.

The one implementation of how a figure reads: tiles and tooltips call these functions (through ui.fmt),
chart axes are labelled by them (ui.charts), tables take their number formats from `column_format`, and
the digests (data_access.digest.compose) write their figures with them.
`lang` is a language of locale/ and a CLDR locale ("zh", "en", "zh_Hant").

Money is compact, in the units CLDR gives the language: zh ¥1.2亿 / ¥3,456万 / ¥8,000;
en ¥1.2B / ¥120M / ¥34.6K / ¥950. Languages that count in myriads (万/亿, 萬/億) show one
decimal below 100 of a unit and whole units above; the others three significant digits.
Multiples 4.5×, rates 3.1%, counts 1,234; empty (None/NaN) is "—".
Periods: zh 2021年4月 / 2021年Q2 / 2021年; en Apr 2021 / Q2 2021 / 2021.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

import pandas as pd
from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

from .messages import t
from .text import is_empty  # noqa: F401 - one test of an empty figure for CSV, Excel, pages and digests

EMPTY = "—"
YUAN = "¥"
NEUTRAL = "root"  # CLDR's root locale: Latin digits, "," and "." (what zh and en both use)


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


# ---------------------------------------------------------------- money

def money(value, lang: str) -> str:
    """A compact amount of yuan: ¥3,456万 / ¥34.6M."""
    if is_empty(value):
        return EMPTY
    loc = locale(lang)
    amount = Decimal(repr(abs(float(value))))
    divisor, pattern = _unit(amount, loc)
    shown = _rounded(amount / divisor, divisor, loc)
    carried = _unit(shown * divisor, loc)
    if carried[0] != divisor:  # rounding reached the next unit: 999,999 is ¥1M, not ¥1000K
        divisor, pattern = carried
        shown = _rounded(amount / divisor, divisor, loc)
    digits = "#,##0" + ("." + "#" * -shown.as_tuple().exponent if shown.as_tuple().exponent < 0 else "")
    text = _placed(format_decimal(shown, digits, locale=loc), pattern)
    return (loc.number_symbols["latn"]["minusSign"] if float(value) < 0 else "") + text


def _unit(amount: Decimal, loc: Locale) -> tuple[int, str]:
    """(divisor, pattern) of the compact unit CLDR uses for `amount`, e.g. (10_000, "¤0万"); below the
    first unit (1, the language's plain currency pattern)."""
    compact = loc.compact_currency_formats["short"]["other"]
    unit = (1, loc.currency_formats["standard"].pattern)
    for magnitude in sorted(int(m) for m in compact):
        pattern = compact[str(magnitude)].pattern
        if amount >= magnitude and pattern != "0":
            unit = (magnitude // 10 ** (pattern.count("0") - 1), pattern)
        elif amount >= magnitude:
            unit = (1, loc.currency_formats["standard"].pattern)
    return unit


def _by_myriads(loc: Locale) -> bool:
    """Whether the language's units step by 10,000 (万, 萬) rather than by 1,000 (K, M)."""
    return loc.compact_currency_formats["short"]["other"]["10000"].pattern.count("0") == 1


def _rounded(scaled: Decimal, divisor: int, loc: Locale) -> Decimal:
    if divisor == 1:
        places = 0
    elif _by_myriads(loc):
        places = 1 if scaled < 100 else 0
    else:
        places = 2 if scaled < 10 else 1 if scaled < 100 else 0
    return scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN).normalize() + 0


def _placed(number: str, pattern: str) -> str:
    """`number` in a CLDR currency pattern: "¤0万" -> "¥3.5万", "¤#,##0.00" -> "¥950"."""
    positive = pattern.split(";")[0].replace("'", "")
    return re.sub(r"[#0,.]+", lambda _: number, positive, count=1).replace("¤", YUAN)


# ---------------------------------------------------------------- other numbers

def multiple(value, lang: str = NEUTRAL) -> str:
    return EMPTY if is_empty(value) else format_decimal(float(value), "#,##0.0", locale=locale(lang)) + "×"


def rate(value, lang: str = NEUTRAL) -> str:
    return EMPTY if is_empty(value) else format_percent(float(value), "#,##0.0%", locale=locale(lang))


def count(value, lang: str = NEUTRAL) -> str:
    return EMPTY if is_empty(value) else format_decimal(int(value), "#,##0", locale=locale(lang))


def signed_count(value, lang: str = NEUTRAL) -> str:
    return EMPTY if is_empty(value) else format_decimal(int(value), "+#,##0;-#,##0", locale=locale(lang))


def points(change, lang: str = NEUTRAL) -> str:
    """A change of a rate in percentage points: +0.4 pp / -1.2 pp (0.004 -> +0.4 pp)."""
    if is_empty(change):
        return EMPTY
    return format_decimal(float(change) * 100, "+#,##0.0;-#,##0.0", locale=locale(lang)) + " pp"


def ratio(value, lang: str = NEUTRAL) -> str:
    """A plain ratio such as an ROI: 2 decimals."""
    return EMPTY if is_empty(value) else format_decimal(float(value), "#,##0.00", locale=locale(lang))


def days(value, lang: str) -> str:
    """A number of days: "43 天" / "47.5 d"."""
    if is_empty(value):
        return EMPTY
    return t("{n} d", lang, n=format_decimal(float(value), "#,##0.#", locale=locale(lang)))


def column_format(kind: str, lang: str) -> str | None:
    """The printf format of a table column of numbers (tables keep numbers, so they sort as numbers;
    their amounts are whole yuan, not compact); None for kinds that are not numbers."""
    return {"money": YUAN + "%,.0f", "count": "%,d", "multiple": "%.1f×", "rate": "%.1f%%", "ratio": "%.2f",
            "days": t("{n} d", lang, n="%.1f")}.get(kind)


# ---------------------------------------------------------------- dates

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
    if grain == "quarter":
        return t("Q{quarter} {year}", lang, quarter=(d.month - 1) // 3 + 1, year=d.year)
    return format_skeleton("y" if grain == "year" else "yMMM", d, locale=locale(lang))


def date_range(start, end, lang: str) -> str:
    return t("{start} – {end}", lang, start=day(start), end=day(end))
