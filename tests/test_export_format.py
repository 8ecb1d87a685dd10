"""The CSV format shared by the export command and the page downloads."""
import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from data_access.export.csv_file import BOM, csv_bytes, neutralise


def rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):])))


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1", "-x", "@SUM(A1)", "  =1", "|cmd", "%x", "\tx", "\rx",
                                  "'=1", '"=1', ' "+2'])
def test_formula_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["星罗电商", "plain", "a=b", "1-2", "", "x+"])
def test_ordinary_text_is_untouched(text):
    assert neutralise(text) == text


def test_cells_headers_numbers_and_nulls():
    df = pd.DataFrame({
        "brand_name": ["=cmd", "临沂, \"服装\" 🎉"],
        "=header": [1, 2],
        "gmv_cny": [-1234.5, 0.0],
        "multiple": [-0.125, np.nan],
        "period_start": [dt.date(2021, 4, 1), None],
        "new_in_current": [True, False],
        "orders": pd.array([3, None], dtype="Int64"),
    })
    got = rows(csv_bytes(df))
    assert got[0] == ["brand_name", "'=header", "gmv_cny", "multiple", "period_start", "new_in_current", "orders"]
    assert got[1] == ["'=cmd", "1", "-1234.50", "-0.125", "2021-04-01", "true", "3"]
    assert got[2] == ["临沂, \"服装\" 🎉", "2", "0.00", "", "", "false", ""]


def test_ratios_keep_full_precision():
    value = 1 / 3
    assert float(rows(csv_bytes(pd.DataFrame({"refund_rate": [value]})))[1][0]) == value


def test_control_characters_never_reach_a_csv():
    df = pd.DataFrame({"brand\x00_name": ["a\x00b", "line\nbreak\r\n", "\t=1", "\x1b[31mred\x7f", "星\u0085罗"]})
    got = rows(csv_bytes(df))
    assert got == [["brand_name"], ["ab"], ["line break "], ["' =1"], ["[31mred"], ["星 罗"]]
