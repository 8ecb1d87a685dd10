"""Report frames as CSV bytes that Excel opens cleanly: the one format for the CLI and the pages.

Money columns (data_access.metrics.columns: kind money) are written with two decimals, other numbers in full.

Text is written printable (`printable`: no NUL or other control character; a line break or tab is a
space) and neutralised (`neutralise`: a spreadsheet never runs it as a formula)."""
import csv
import datetime as dt
import io
import numbers

import numpy as np
import pandas as pd

from ..metrics.columns import is_money
from ..words.text import is_empty, printable

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix ' to text a spreadsheet would run as a formula (also behind leading spaces or quotes)."""
    if text.lstrip(" \"'").startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell(value, money: bool) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        return f"{value:.2f}" if money else repr(value)
    return neutralise(printable(str(value)))


def csv_text(df: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [str(c) for c in df.columns]
    writer.writerow([neutralise(printable(c)) for c in columns])
    money = [is_money(c) for c in columns]
    for row in df.itertuples(index=False, name=None):
        writer.writerow([cell(v, m) for v, m in zip(row, money)])
    return BOM + buffer.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    return csv_text(df).encode("utf-8")


Where = tuple[tuple[str, tuple[str, ...]], ...]  # ((column, values it may hold), …): rows a person narrowed to


def narrowed(df: pd.DataFrame, where: Where) -> pd.DataFrame:
    """The rows whose every named column holds one of its values, compared as the CSV writes the cell ("" for an
    empty one): the export's `--where COLUMN=VALUE` and a page's own row pickers (the Work queue's owner)."""
    keep = pd.Series(True, index=df.index)
    for name, values in where:
        if name not in df.columns:
            raise KeyError(name)
        money = is_money(name)
        keep &= pd.Series([cell(v, money) in values for v in df[name]], index=df.index)
    return df[keep].reset_index(drop=True)


def file_name(dataset: str, f, extension: str) -> str:
    """`providers_2021-04-01_2021-06-30_linyi-apparel+caoxian-hanfu.xlsx`: the dataset, the range and, when
    narrowed, the belts (safe characters only)."""
    parts = [dataset]
    if f.date_from and f.date_to:
        parts += [f.date_from.isoformat(), f.date_to.isoformat()]
    belts = f.belts or (f.scope_belts or ())
    if belts:
        parts.append("+".join(belts))
    if f.brand_ids:
        parts.append("brand-" + "+".join(str(b) for b in f.brand_ids))
    name = "_".join(parts)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_+.") else "-" for c in name)[:150]
    return f"{safe}.{extension}"
