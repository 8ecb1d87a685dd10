"""Extreme dates (issue 9, item 5): ranges are kept near the data and ten years long, and the date
arithmetic behind every report holds at the calendar's ends instead of overflowing.

`filters.bounded_range` is what the pages clamp a link's or a typed range with (ui/sidebar.py) and
what the export refuses (`check_range`); the pages and the CLI are tested in tests/test_app_extremes.py
and tests/test_cli.py. Here: the rules themselves, and every data function a page can ask for run
straight through the Python API with ranges in year 1 and year 9999.
"""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.metrics.catalogue import DATASETS
from data_access.views import periods
from data_access.warehouse.filters import (
    DATA_MARGIN_DAYS,
    MAX_RANGE_DAYS,
    DataSpan,
    FilterError,
    Filters,
    bounded_range,
    check_range,
    days_after,
)
from data_access.warehouse.marts.definitions import day_bounds

DATA = {name: d.compute for name, d in DATASETS.items() if d.subject != "provider"}  # (wh, f)
PROVIDER_DATA = {name: d.compute for name, d in DATASETS.items() if d.subject == "provider"}  # (wh, f, id)

D = dt.date
SPAN = DataSpan(first=D(2020, 1, 1), last=D(2021, 12, 31))
LONG = DataSpan(first=D(2000, 1, 1), last=D(2021, 12, 31))   # 22 years of data


def test_a_range_inside_the_data_and_its_margin_is_kept():
    for date_from, date_to in [(D(2021, 1, 1), D(2021, 6, 30)), (SPAN.low, SPAN.high), (D(2021, 12, 31),) * 2]:
        assert bounded_range(date_from, date_to, SPAN) == (date_from, date_to)
    assert SPAN.low == D(2020, 1, 1) - dt.timedelta(days=DATA_MARGIN_DAYS)
    assert SPAN.high == D(2021, 12, 31) + dt.timedelta(days=DATA_MARGIN_DAYS)


def test_an_end_beyond_the_margin_is_clamped_to_it():
    assert bounded_range(D(1, 1, 1), D(2021, 6, 30), SPAN) == (SPAN.low, D(2021, 6, 30))
    assert bounded_range(D(1100, 1, 1), D(2021, 12, 31), SPAN) == (SPAN.low, D(2021, 12, 31))
    assert bounded_range(D(2021, 7, 1), D(9999, 12, 31), SPAN) == (D(2021, 7, 1), SPAN.high)


def test_a_range_wholly_beyond_the_margin_moves_to_its_edge_keeping_its_length():
    assert bounded_range(D(9999, 12, 1), D(9999, 12, 31), SPAN) == (SPAN.high - dt.timedelta(days=30), SPAN.high)
    assert bounded_range(D(1, 1, 1), D(1, 12, 31), SPAN) == (SPAN.low, SPAN.low + dt.timedelta(days=364))
    assert bounded_range(D(2000, 1, 1), D(2000, 3, 31), SPAN) == (SPAN.low, SPAN.low + dt.timedelta(days=90))
    assert bounded_range(D(1, 1, 1), D(1500, 1, 1), SPAN) == (SPAN.low, SPAN.high), "never wider than the margins"


def test_a_range_is_at_most_ten_years_keeping_its_end():
    date_from, date_to = bounded_range(D(1999, 1, 1), D(2021, 12, 31), LONG)
    assert date_to == D(2021, 12, 31) and date_from == D(2012, 1, 1)
    assert (date_to - date_from).days + 1 == MAX_RANGE_DAYS
    assert bounded_range(D(2012, 1, 1), D(2021, 12, 31), LONG) == (D(2012, 1, 1), D(2021, 12, 31))


def test_check_range_refuses_what_a_page_would_clamp():
    check_range(Filters(date_from=D(2021, 1, 1), date_to=D(2021, 3, 31)).resolved(SPAN.last), SPAN)
    for f, argument in [(Filters(date_from=D(1, 1, 1), date_to=D(1, 12, 31)), "from"),
                        (Filters(date_from=D(2021, 1, 1), date_to=D(9999, 12, 31)), "to"),
                        (Filters(as_of=D(1, 1, 1), date_from=D(2021, 1, 1), date_to=D(2021, 1, 2)), "as_of")]:
        with pytest.raises(FilterError) as refused:
            check_range(f.resolved(SPAN.last), SPAN)
        assert refused.value.argument == argument
    with pytest.raises(FilterError, match="ten years"):
        check_range(Filters(date_from=D(2005, 1, 1), date_to=D(2021, 12, 31)).resolved(LONG.last), LONG)


def test_a_start_after_the_last_day_without_an_end_is_a_filter_error():
    with pytest.raises(FilterError) as refused:
        Filters(date_from=D(2022, 1, 1)).resolved(D(2021, 12, 31))
    assert refused.value.argument == "from" and "2021-12-31" in refused.value.message


def test_date_arithmetic_holds_at_the_calendar_ends():
    assert days_after(D(1, 1, 5), -10) == dt.date.min and days_after(D(9999, 12, 30), 10) == dt.date.max
    assert Filters(date_from=D(1, 1, 1), date_to=D(1, 12, 31)).base_range == (dt.date.min, dt.date.min)
    before = Filters(date_from=D(1100, 1, 1), date_to=D(2021, 12, 31))
    base_from, base_to = before.base_range        # the range before the base: the overview's providers
    assert before.with_(date_from=base_from, date_to=base_to).base_range[0] == dt.date.min
    for grain in ("month", "quarter", "year"):
        assert periods.shift(D(1, 1, 1), grain, -1) == D(1, 1, 1)
        assert periods.shift(D(9999, 12, 1), grain, 1) == D(9999, 12, 1)
        last = periods.period_start(D(9999, 12, 31), grain)
        assert periods.period_end(last, grain) == dt.date.max
        assert periods.periods_overlapping(D(9999, 11, 15), D(9999, 12, 31), grain)[-1] == last
        assert periods.periods_overlapping(D(1, 1, 1), D(1, 1, 31), grain) == [D(1, 1, 1)]
    assert periods.periods_overlapping(D(9999, 11, 15), D(9999, 12, 31), "month") == [D(9999, 11, 1),
                                                                                     D(9999, 12, 1)]
    assert day_bounds(D(9999, 12, 31), dt.date.max)[1] == dt.datetime.max


RANGES = {"year-1": (D(1, 1, 1), D(1, 12, 31)), "year-9999": (D(9999, 12, 1), D(9999, 12, 31))}
BRAND_LEVEL = ("brand_profile", "brand_series", "provider_history", "brand_milestones")


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
@pytest.mark.parametrize("name", sorted(RANGES))
def test_every_data_function_runs_at_the_calendar_ends(warehouse, name, grain):
    """Through the Python API, where nothing clamps: no overflow in Python (the pages and the export
    never get here: they bound ranges first). MariaDB's and ClickHouse's DATE types start in year
    1000 and 1970, so the query itself would fail there; the arithmetic is the same on every engine."""
    if warehouse.backend in ("mariadb", "chdb", "cluster"):
        pytest.skip(f"{warehouse.backend}'s DATE type cannot hold year 1 or 9999")
    date_from, date_to = RANGES[name]
    f = Filters(date_from=date_from, date_to=date_to, grain=grain)
    for source in ("marts", "raw"):
        wh = warehouse.source(source)
        for data_name, function in DATA.items():
            function(wh, f.with_(brand_ids=(1,)) if data_name in BRAND_LEVEL else f)
        for function in PROVIDER_DATA.values():
            function(wh, f, 101)
