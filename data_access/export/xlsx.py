"""Datasets as Excel workbooks a person reads (XlsxWriter): the CLI's `--format xlsx` and every page's
"Download Excel" write the same cells.

Sheet one holds the rows: headers in the reader's language (the catalogue's words), names beside ids
(a belt's name after its `belt_id`), enum codes in words, real cell types (numbers, dates, true/false,
blank for empty) with the catalogue's kind as the number format (money in ¥ with thousands, rates as
percentages, multiples as 0.0×), a frozen header row, an autofilter and column widths that fit.
Sheet two, "About", says what the dataset is, the filters and range in words, the as-of date, whose
data it is (user and scope), when it was written, and what each column means.

Text goes in through XlsxWriter's string writer, never as a formula (`strings_to_formulas` off), with
control characters stripped: a name like `=HYPERLINK(…)` stays text. Large datasets are written in
XlsxWriter's constant-memory mode, row by row.
"""
from __future__ import annotations

import datetime as dt
import io
import numbers
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter

from ..metrics.columns import column
from ..warehouse import schema
from ..warehouse.filters import Filters
from ..words.messages import N_, enum, join, province, t
from ..words.text import is_empty, printable

NUMBER_FORMATS = {"money": '"¥"#,##0.00', "rate": "0.0%", "multiple": '0.0"×"', "ratio": "0.00",
                  "count": "#,##0", "days": "0.0", "id": "0"}
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
SAMPLE_ROWS = 2000  # rows looked at to size a column
GRAIN_WORDS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}


@dataclass(frozen=True)
class About:
    """What the About sheet says besides the dataset's own words."""
    dataset: str                     # its name in the catalogue
    description: str                 # its description (an English message)
    filters: Filters                 # resolved: the range and as-of date are dates
    user: str
    scope: str                       # in words, in the reader's language
    belt_names: Mapping[str, str] = field(default_factory=dict)  # belt_id -> name in the reader's language
    generated_at: dt.datetime | None = None                    # None: now
    subject: str | None = None       # "brand 42", "provider 7" for a dataset about one of them
    extra: tuple[tuple[str, str], ...] = ()  # (label message, value) more lines, e.g. the rules used
    command: str = ""                # the export command that writes the same rows (cli.export_command)


# ---------------------------------------------------------------- the rows

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class _Column:
    header: str
    kind: str
    values: list


def _columns(df: pd.DataFrame, f: Filters, lang: str, belt_names: Mapping[str, str]) -> list[_Column]:
    """The sheet's columns: each of the frame's, in words where it holds codes, and a belt's name after its id."""
    out = []
    for name in df.columns:
        declared = column(str(name))
        values = list(df[name])
        kind = declared.kind
        by = f.by if name == "group" else None
        if declared.enum or by in ("category", "brand_type", "managed_by"):
            words_of = declared.enum or by
            values = [None if is_empty(v) else enum(words_of, v, lang) for v in values]
            kind = "text"
        elif name == "province" or by == "province":
            values = [None if is_empty(v) else province(v, lang) for v in values]
        # a belt's id and its name side by side: the id's header must not read like the name's
        header = t("Industry belt ID", lang) if name == "belt_id" else t(str(name), lang)
        out.append(_Column(header, kind, values))
        if name == "belt_id" or by == "belt":
            names = [None if is_empty(b) else t("No belt", lang) if b == schema.NO_BELT else belt_names.get(b, b)
                     for b in df[name]]
            out.append(_Column(t("belt", lang), "text", names))
    return out


def _cell(ws, row: int, col: int, value, kind: str, formats: dict) -> None:
    if is_empty(value):
        ws.write_blank(row, col, None)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value))
    elif isinstance(value, (pd.Timestamp, dt.datetime)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime().replace(tzinfo=None), formats["date"])
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif isinstance(value, numbers.Number):
        ws.write_number(row, col, float(value), formats.get(kind))
    else:
        ws.write_string(row, col, printable(str(value)))


def _about_lines(about: About, lang: str) -> list[tuple[str, str]]:
    f = about.filters

    def chosen(values, words) -> str:
        return join([words(v) for v in values], lang) if values else t("All", lang)

    lines = [
        (t("Dataset", lang), f"{about.dataset} · {t(about.description, lang)}" if about.description else about.dataset),
        (t("Date range", lang), f"{f.date_from.isoformat()} – {f.date_to.isoformat()}" if f.date_from else ""),
        (t("Period", lang), t(GRAIN_WORDS[f.grain], lang)),
        (t("Industry belts", lang), chosen(f.belts, lambda b: t("No belt", lang) if b == schema.NO_BELT
                                           else about.belt_names.get(b, b))),
        (t("Provinces", lang), chosen(f.provinces, lambda p: province(p, lang))),
        (t("Categories", lang), chosen(f.categories, lambda c: enum("category", c, lang))),
        (t("Brand types", lang), chosen(f.brand_types, lambda b: enum("brand_type", b, lang))),
        (t("Managed by", lang), chosen(f.managed_by, lambda m: enum("managed_by", m, lang))),
    ]
    if f.by:
        lines.append((t("Breakdown", lang), enum("by", f.by, lang)))
    if about.subject:
        lines.append((t("Brand or provider", lang), about.subject))
    lines += [(t(label, lang), value) for label, value in about.extra]
    generated = about.generated_at or dt.datetime.now().replace(microsecond=0)
    lines += [
        (t("As of", lang), f.as_of.isoformat() if f.as_of else ""),
        (t("User", lang), about.user),
        (t("Scope", lang), about.scope),
        (t("Generated", lang), generated.isoformat(sep=" ")),
    ]
    if about.command:
        lines.append((t("Command line", lang), about.command))
    return lines


def xlsx_bytes(df: pd.DataFrame, about: About, lang: str) -> bytes:
    """The workbook: the rows on sheet one, About on sheet two."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bottom": 1})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}
    formats["date"] = book.add_format({"num_format": DATE_FORMAT})
    columns = _columns(df.reset_index(drop=True), about.filters, lang, about.belt_names)

    data = book.add_worksheet(t("Data", lang)[:31])
    for col, c in enumerate(columns):  # widths first: constant-memory mode writes row by row
        sample = [printable(str(v)) for v in c.values[:SAMPLE_ROWS] if not is_empty(v)]
        widest = max([_width(c.header), *(_width(s) for s in sample)], default=8)
        data.set_column(col, col, min(MAX_WIDTH, max(8, widest + 2)), formats["date"] if c.kind == "date" else None)
    for col, c in enumerate(columns):
        data.write_string(0, col, printable(c.header), bold)
    for row in range(len(df)):
        for col, c in enumerate(columns):
            _cell(data, row + 1, col, c.values[row], c.kind, formats)
    data.freeze_panes(1, 0)
    if columns:
        data.autofilter(0, 0, max(len(df), 1), len(columns) - 1)

    sheet = book.add_worksheet(t("About", lang)[:31])
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 90)
    sheet.set_column(2, 2, 90)
    lines = _about_lines(about, lang)
    for row, (label, value) in enumerate(lines):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, printable(value))
    row = len(lines) + 1
    for col, header in enumerate((t("Column", lang), t("Name in the data", lang), t("What it means", lang))):
        sheet.write_string(row, col, header, bold)
    for name in df.columns:
        row += 1
        meaning = column(str(name)).help
        sheet.write_string(row, 0, t(str(name), lang))
        sheet.write_string(row, 1, str(name))
        sheet.write_string(row, 2, t(meaning, lang) if meaning else "")
    book.close()
    return buffer.getvalue()
