"""Sales multiples page through dashboard.py."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    cli_export,
    deferred_bytes,
    download_bytes,
    last_full_period,
    metric,
    nothing_matches,
    previous_period,
    row,
    texts,
    tile_lines,
    untranslated_columns,
)
from ui import fmt, state

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/sales.py"


def test_default_view_figures_equal_the_report(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    as_of = app_warehouse.as_of
    f = Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of)
    p = last_full_period(f.date_from, f.date_to, "month")
    report = REPORTS["sales"](app_warehouse.wh, f.with_(date_from=previous_period(p, "month")))
    now, before = row(report, p), row(report, previous_period(p, "month"))
    label = fmt.period(p, "month", "en")
    gmv = metric(at, f"GMV · {label}")
    assert (gmv.value, gmv.proto.delta) == (fmt.money(now["gmv_cny"], "en"), fmt.multiple(now["gmv_multiple"]))
    assert gmv.proto.delta_description == f"vs {fmt.period(previous_period(p, 'month'), 'month', 'en')}"
    assert tile_lines(at, f"GMV · {label}")[0] == f"{fmt.money(before['gmv_cny'], 'en')} → " \
        f"{fmt.money(now['gmv_cny'], 'en')}", "both sides of the ratio"
    net = metric(at, f"Net GMV · {label}")
    assert net.value == fmt.money(now["net_gmv_cny"], "en")
    assert net.proto.delta == fmt.multiple(now["net_gmv_cny"] / before["net_gmv_cny"])
    orders = metric(at, f"Orders · {label}")
    assert (orders.value, orders.proto.delta) == (fmt.count(now["orders"]), fmt.multiple(now["orders_multiple"]))


def test_top_movers_are_the_highest_multiples(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    as_of = app_warehouse.as_of
    multiples = REPORTS["brand_multiples"](app_warehouse.wh, Filters(date_from=dt.date(as_of.year, 1, 1),
                                                                     date_to=as_of))
    movers = [d for d in at.dataframe if d.key and d.key.startswith("movers_multiple")][0].value
    on_a_base = multiples[multiples["base_gmv_cny"] >= state.MIN_BASE_DEFAULT]  # a small base is no headline
    expected = on_a_base.dropna(subset=["multiple"]).sort_values(
        ["multiple", "current_gmv_cny", "brand_id"], ascending=[False, False, True]).head(20)
    assert list(movers["brand_name"]) == list(expected["brand_name"])
    assert download_bytes(at, "dl_top-movers") != b""


def test_ranking_by_growth_and_a_lower_minimum_base(run_app, app_warehouse):
    """Ranked by growth in yuan, whatever the base; a minimum base from the URL ranks smaller bases by multiple,
    and the table marks them small base against the default."""
    at = run_app({"lang": "en", "rank": "growth"}, page=PAGE)
    as_of = app_warehouse.as_of
    multiples = REPORTS["brand_multiples"](app_warehouse.wh, Filters(date_from=dt.date(as_of.year, 1, 1),
                                                                     date_to=as_of))
    growth = (multiples["current_gmv_cny"] - multiples["base_gmv_cny"])
    expected = multiples.assign(growth=growth).sort_values(["growth", "brand_id"], ascending=[False, True]).head(20)
    movers = [d for d in at.dataframe if d.key and d.key.startswith("movers_growth")][0].value
    assert list(movers["brand_name"]) == list(expected["brand_name"])
    assert list(movers["small_base"]) == [0 < b < state.MIN_BASE_DEFAULT for b in expected["base_gmv_cny"]]
    at = run_app({"lang": "en", "min_base": "1"}, page=PAGE)
    assert at.sidebar.number_input(key="f_min_base").value == 1
    movers = [d for d in at.dataframe if d.key and d.key.startswith("movers_multiple")][0].value
    top = multiples.dropna(subset=["multiple"]).sort_values(["multiple", "current_gmv_cny", "brand_id"],
                                                           ascending=[False, False, True]).head(20)
    assert list(movers["brand_name"]) == list(top["brand_name"])


def test_selecting_a_brand_opens_the_brand_page(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"lang": "en", "belt": belt, "rank": "growth"}, page=PAGE)  # one belt: few bases reach ¥1万
    movers = [d for d in at.dataframe if d.key and d.key.startswith("movers_growth")][0]
    first_brand = movers.value.iloc[0]["brand_name"]
    brands = app_warehouse.frames["brands"]
    brand_id = int(brands.loc[(brands["name"] == first_brand) & (brands["belt_id"] == belt), "brand_id"].iloc[0])
    at.session_state[movers.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Brand"
    assert at.query_params["brand"] == str(brand_id)
    assert at.query_params["belt"] == belt, "the filters travel with the link"


def test_cohorts_come_from_the_warehouse(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    table = [d.value for d in at.dataframe if "months_since_onboarding" in d.value.columns][0]
    as_of = app_warehouse.as_of
    orders = app_warehouse.frames["orders"]
    in_range = orders[pd.to_datetime(orders["ordered_at"]).dt.date >= dt.date(as_of.year, 1, 1)]
    assert table["gmv_cny"].sum() == pytest.approx(in_range["gmv_cny"].sum())
    assert download_bytes(at, "dl_cohort-gmv").startswith("\ufeffcohort_quarter,months_since_onboarding".encode())


def test_belt_filter_and_csv_downloads_equal_the_export_command(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    query = {"belt": [belt, "none"], "preset": "custom", "from": "2021-04-01", "to": "2021-09-15", "grain": "quarter",
             "managed_by": "provider"}
    at = run_app(query, page=PAGE)
    args = ["--from", "2021-04-01", "--to", "2021-09-15", "--grain", "quarter", "--belt", belt, "--belt", "none",
            "--managed-by", "provider"]
    assert download_bytes(at, "dl_sales") == cli_export(app_warehouse.url, "sales", *args)
    assert download_bytes(at, "dl_brand-multiples") == cli_export(app_warehouse.url, "brand_multiples", *args)


def test_the_excel_download_equals_the_export_command_s_workbook(run_app, app_warehouse):
    """Cell for cell and format for format (not bytes: a workbook carries the time it was written)."""
    import io

    import openpyxl
    belt = busiest_belt(app_warehouse.frames)
    query = {"belt": [belt, "none"], "preset": "custom", "from": "2021-04-01", "to": "2021-09-15", "grain": "quarter",
             "lang": "zh"}
    at = run_app(query, page=PAGE)
    args = ["--from", "2021-04-01", "--to", "2021-09-15", "--grain", "quarter", "--belt", belt, "--belt", "none",
            "--format", "xlsx", "--lang", "zh"]
    for key, dataset in (("xl_sales", "sales"), ("xl_brand-multiples", "brand_multiples")):
        page = openpyxl.load_workbook(io.BytesIO(deferred_bytes(at, key)))
        cli = openpyxl.load_workbook(io.BytesIO(cli_export(app_warehouse.url, dataset, *args)))
        assert page.sheetnames == cli.sheetnames == ["数据", "说明"]
        cells = [[(c.value, c.number_format) for c in row] for row in page.worksheets[0].iter_rows()]
        assert cells == [[(c.value, c.number_format) for c in row] for row in cli.worksheets[0].iter_rows()]
        assert len(cells) > 1
        about = [row for row in page.worksheets[1].iter_rows(values_only=True) if row[0] != "生成时间"]
        assert about == [row for row in cli.worksheets[1].iter_rows(values_only=True) if row[0] != "生成时间"]
    import json
    from pathlib import Path

    from data_access.access import audit
    lines = [json.loads(x) for x in Path(os.environ[audit.AUDIT_ENV]).read_text(encoding="utf-8").splitlines()]
    downloads = [x for x in lines if x["event"] == "download"]
    assert {x["target"] for x in downloads} >= {"sales.xlsx", "brand_multiples.xlsx"}
    assert all(x["rows"] > 0 and x["filters"]["belts"] == sorted([belt, "none"]) for x in downloads[-2:])


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    assert not at.metric


def test_a_range_before_any_data_shows_the_empty_state(run_app, app_warehouse):
    at = run_app({"preset": "custom", "from": "2000-01-01", "to": "2000-03-31", "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    frames = app_warehouse.frames  # and says where the data is: the first order or onboarding to the as-of date
    first = min(frames["orders"]["ordered_at"].min().date(), min(frames["brands"]["onboarded_on"]))
    assert f"The warehouse holds data from {first.isoformat()} to {app_warehouse.as_of.isoformat()}." in texts(at)


def test_bad_url_values_warn_and_the_page_still_renders(run_app):
    at = run_app({"belt": "nope", "from": "2021-13-99", "grain": "week", "lang": "en"}, page=PAGE)
    assert "from=2021-13-99" in "\n".join(w.value for w in at.warning)
    assert at.title[0].value == "Sales multiples"


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh"}, page=PAGE), run_app({"lang": "en"}, page=PAGE)
    assert "按入驻季度的品牌队列" in [s.value for s in zh.subheader]
    assert "Cohorts by onboarding quarter" in [s.value for s in en.subheader]
    assert not untranslated_columns(zh) and not untranslated_columns(en)
