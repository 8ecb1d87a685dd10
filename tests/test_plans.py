"""The date arithmetic pages plan their data with (data_access.views.plans), without Streamlit."""
import datetime as dt

import pandas as pd

from data_access.views.plans import extended, last_full_period, row_at, within
from data_access.warehouse.filters import Filters

D = dt.date


def test_the_last_full_period_and_the_one_before():
    pair = last_full_period(D(2021, 1, 1), D(2021, 12, 15), "month")
    assert (pair.current, pair.previous, pair.partial) == (D(2021, 11, 1), D(2021, 10, 1), False)
    pair = last_full_period(D(2021, 1, 1), D(2021, 6, 30), "quarter")  # the quarterly review: Q2 against Q1
    assert (pair.current, pair.previous, pair.partial) == (D(2021, 4, 1), D(2021, 1, 1), False)
    pair = last_full_period(D(2021, 10, 1), D(2021, 12, 15), "quarter")  # no full quarter: the last, partial
    assert (pair.current, pair.previous, pair.partial) == (D(2021, 10, 1), D(2021, 7, 1), True)
    pair = last_full_period(D(2021, 3, 5), D(2022, 2, 10), "year")
    assert (pair.current, pair.previous, pair.partial) == (D(2021, 1, 1), D(2020, 1, 1), False)


def test_the_extended_range_reaches_back_one_period_of_the_grain():
    f = Filters(date_from=D(2021, 4, 15), date_to=D(2021, 6, 30), grain="quarter", belts=("linyi-apparel",))
    ext = extended(f)
    assert (ext.date_from, ext.date_to, ext.belts) == (D(2021, 1, 1), D(2021, 6, 30), ("linyi-apparel",))
    assert extended(f, "month").date_from == D(2021, 3, 1)
    assert extended(f.with_(grain="year")).date_from == D(2020, 1, 1)


def test_the_row_of_a_period_or_none():
    df = pd.DataFrame({"period_start": [D(2021, 1, 1), D(2021, 2, 1)], "orders": [3, 5]})
    assert row_at(df, D(2021, 2, 1))["orders"] == 5
    assert row_at(df, D(2021, 3, 1)) is None


def test_a_year_back_and_one_period_of_the_grain():
    """The tiles compare a period with the one before (环比) and the same period a year earlier (同比)."""
    pair = last_full_period(D(2021, 1, 1), D(2021, 6, 30), "quarter")
    assert pair.year_ago == D(2020, 4, 1)
    f = Filters(date_from=D(2021, 1, 1), date_to=D(2021, 6, 30), grain="quarter")
    assert extended(f, year=True).date_from == D(2020, 1, 1)  # Q2 2020 and Q4 2020 are rows too
    assert (within(f, pair.previous).date_from, within(f, pair.previous).date_to) == (D(2021, 1, 1), D(2021, 3, 31))
    assert within(f, D(2020, 2, 1), "month").date_to == D(2020, 2, 29)
