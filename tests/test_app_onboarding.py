"""Onboarding growth page through dashboard.py."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    cli_export,
    click_chart_selection,
    download_bytes,
    last_full_period,
    metric,
    nothing_matches,
    previous_period,
    row,
    texts,
    untranslated_columns,
)
from ui import fmt, widgets

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/onboarding.py"


def test_default_view_figures_equal_the_report(run_app, app_warehouse):
    at = run_app(page=PAGE)
    as_of = app_warehouse.as_of
    f = Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of)
    p = last_full_period(f.date_from, f.date_to, "month")
    report = REPORTS["onboarding"](app_warehouse.wh, f.with_(date_from=previous_period(p, "month", 12)))
    now, before = row(report, p), row(report, previous_period(p, "month"))
    year_ago = row(report, previous_period(p, "month", 12))
    label = fmt.period(p, "month", "zh")
    growth = metric(at, f"入驻品牌 · {label}")
    assert growth.value == fmt.count(now["brands_onboarded"])
    small = 0 < before["brands_onboarded"] < widgets.MIN_COUNT_BASE
    assert growth.proto.delta == ("基数小" if small else fmt.multiple(now["growth_multiple"]))
    small = 0 < year_ago["brands_onboarded"] < widgets.MIN_COUNT_BASE
    assert metric(at, f"同比 · {label}").value == ("基数小" if small else fmt.multiple(now["yoy_multiple"]))
    cumulative = metric(at, f"累计品牌 · {label}")
    assert cumulative.value == fmt.count(now["cumulative_brands"])
    assert cumulative.proto.delta == fmt.signed_count(now["cumulative_brands"] - before["cumulative_brands"])
    table = at.dataframe[0].value
    assert len(table) == len(REPORTS["onboarding"](app_warehouse.wh, f)), "every period of the report is a row"


def test_breakdown_from_the_url_and_its_csv_equals_the_export(run_app, app_warehouse):
    at = run_app({"by": "province", "grain": "quarter", "lang": "en"}, page=PAGE)
    assert at.query_params["by"] == "province"
    as_of = app_warehouse.as_of
    args = ["--from", f"{as_of.year}-01-01", "--to", as_of.isoformat(), "--grain", "quarter", "--by", "province"]
    assert download_bytes(at, "dl_onboarding-by-province") == cli_export(app_warehouse.url, "onboarding", *args)


def test_breakdown_selector_writes_the_url(run_app):
    at = run_app({"lang": "en"}, page=PAGE)
    at.button_group(key="p_by").set_value("category").run()
    assert not at.exception
    assert at.query_params["by"] == "category"
    assert any(s.value == "Breakdown" for s in at.subheader)


def test_belt_filter_from_the_url(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "preset": "custom", "from": "2021-01-01", "to": "2021-06-30", "grain": "quarter",
                  "lang": "en"}, page=PAGE)
    report = REPORTS["onboarding"](app_warehouse.wh, Filters(
        belts=(belt,), date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30), grain="quarter"))
    q2 = row(report, dt.date(2021, 4, 1))
    tile = metric(at, "Brands onboarded · Q2 2021")
    assert (tile.value, tile.proto.delta) == (fmt.count(q2["brands_onboarded"]), fmt.multiple(q2["growth_multiple"]))
    args = ["--from", "2021-01-01", "--to", "2021-06-30", "--grain", "quarter", "--belt", belt]
    assert download_bytes(at, "dl_onboarding") == cli_export(app_warehouse.url, "onboarding", *args)


def test_clicking_a_belt_bar_narrows_the_filters_to_it(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"lang": "en"}, page=PAGE)
    click_chart_selection(at, "belt_rank", {"belt_pick": [{"belt_id": belt}]})
    assert not at.exception
    assert at.query_params["belt"] == belt
    assert at.sidebar.multiselect(key="f_belt").value == [belt]
    assert at.title[0].value == "Onboarding growth"


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    assert not at.metric


def test_bad_url_values_warn_and_the_page_still_renders(run_app):
    at = run_app({"belt": "nope", "from": "2021-13-99", "grain": "week", "by": "weather", "lang": "en"}, page=PAGE)
    warnings = "\n".join(w.value for w in at.warning)
    assert "grain=week" in warnings and "by=weather" in warnings
    assert at.title[0].value == "Onboarding growth"


def test_the_belt_ranking_ranks_belts_and_counts_brands_without_a_belt_apart(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    f = Filters(date_from=dt.date(app_warehouse.as_of.year, 1, 1), date_to=app_warehouse.as_of, by="belt")
    by_belt = REPORTS["onboarding"](app_warehouse.wh, f).groupby("group")["brands_onboarded"].sum()
    assert by_belt.get("none", 0) > 0, "the demo onboards brands without a belt this year"
    ranked = pd.read_csv(io.BytesIO(download_bytes(at, "dl_belt-ranking")), encoding="utf-8-sig")
    assert "none" not in set(ranked["belt_id"]) and len(ranked) == int((by_belt.drop("none") > 0).sum())
    assert f"Brands without a belt are not ranked: {fmt.count(int(by_belt['none']))} onboarded" in texts(at)


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh", "by": "belt"}, page=PAGE), run_app({"lang": "en", "by": "belt"}, page=PAGE)
    assert "产业带排行" in [s.value for s in zh.subheader]
    assert "Belt ranking" in [s.value for s in en.subheader]
    assert not untranslated_columns(zh) and not untranslated_columns(en)
