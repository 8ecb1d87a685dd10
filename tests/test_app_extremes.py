"""Every page under filters that empty a column, and under links with extreme dates (issue 9, items 4, 5).

Item 4: ordinary filters (a belt, a category, who runs the brand: found in the demo's raw frames by
tests/app_support.filters_leaving_empty) whose brands have no completed current step, no campaign,
no provider or no orders once crashed STEPS, Overview and Brand under pandas 3. Each page must
render them, keeping the filters, with no error.

Item 5: links asking for year 9999, year 1, or a range whose base range and the range before that
overflow the calendar. Each page must render with a notice, the range clamped near the data
(the URL rewritten to it), in both languages.
"""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.warehouse.filters import DATA_MARGIN_DAYS
from tests.app_support import EMPTY_COLUMNS, brand_without_anything, filters_leaving_empty, texts

pytest_plugins = ["tests.conftest_app"]

PAGES = ["pages/overview.py", "pages/onboarding.py", "pages/sales.py", "pages/providers.py", "pages/steps.py",
         "pages/brand.py", "pages/trust_roi.py"]
HOSTILE_DATES = {
    "year-9999": {"preset": "custom", "from": "9999-12-01", "to": "9999-12-31"},
    "year-1": {"from": "0001-01-01"},
    "base-of-base-overflows": {"from": "1100-01-01", "to": "2021-12-31"},
}
NOTICE = {"en": "reach beyond the warehouse's data", "zh": "超出数据仓库的数据范围"}


@pytest.mark.parametrize("what", EMPTY_COLUMNS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_filters_that_leave_a_column_empty(run_app, app_warehouse, page, what):
    query = filters_leaving_empty(app_warehouse.frames, what)
    at = run_app({**query, "lang": "en"}, page)          # run_app: no exception on either run
    assert not [e.value for e in at.error], (page, query)
    assert {key: at.query_params[key] for key in query} == query, \
        "the filters were kept, not dropped"
    assert "not understood" not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_a_brand_with_nothing(run_app, app_warehouse, page):
    brand_id = brand_without_anything(app_warehouse.frames)
    at = run_app({"brand": str(brand_id), "lang": "en"}, page)
    assert not [e.value for e in at.error], page
    if page == "pages/brand.py":
        assert at.query_params["brand"] == str(brand_id) and at.header, "the brand's page, not the directory"


CLAMP_CASES = [(page, name, "en") for page in PAGES for name in HOSTILE_DATES]
CLAMP_CASES += [(PAGES[0], name, "zh") for name in HOSTILE_DATES]


@pytest.mark.parametrize(("page", "name", "lang"), CLAMP_CASES)
def test_every_page_clamps_a_hostile_date_range_with_a_notice(run_app, app_warehouse, page, name, lang):
    at = run_app({**HOSTILE_DATES[name], "lang": lang}, page)
    assert not [e.value for e in at.error], (page, name)
    words = texts(at)
    assert NOTICE[lang] in words and "Traceback" not in words
    frames = app_warehouse.frames
    first = min(frames["orders"]["ordered_at"].min().date(), frames["brands"]["onboarded_on"].min())
    last = app_warehouse.as_of
    date_from = dt.date.fromisoformat(at.query_params["from"])
    date_to = dt.date.fromisoformat(at.query_params["to"])
    margin = dt.timedelta(days=DATA_MARGIN_DAYS)
    assert first - margin <= date_from <= date_to <= last + margin, "the link now holds the clamped range"
