"""Providers page through dashboard.py: league table = the providers report, peer bands, one provider."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.export.csv_file import csv_bytes
from data_access.metrics import brand
from data_access.metrics.catalogue import REPORTS
from data_access.metrics.reports import PROVIDER_COLUMNS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    chart_frames,
    cli_export,
    download_bytes,
    metric,
    nothing_matches,
    texts,
    tile_lines,
    untranslated_columns,
)
from ui import fmt

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/providers.py"


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, **changes)


def league_table(at):
    return [d for d in at.dataframe if d.key and d.key.startswith("league")][0]


def top_provider(app_warehouse) -> pd.Series:
    return REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse)).iloc[0]


def test_default_view_figures_equal_the_report(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    f = ytd(app_warehouse)
    report = REPORTS["providers"](app_warehouse.wh, f)
    before = REPORTS["providers"](app_warehouse.wh, f.with_(date_from=f.base_range[0], date_to=f.base_range[1]))
    table = league_table(at).value
    assert len(table) == len(report), "one row per provider of the report"
    assert set(PROVIDER_COLUMNS) <= set(table.columns), "every column of the providers report"
    assert list(table["provider_name"]) == list(report["provider_name"])
    assert list(table["gmv_cny"]) == pytest.approx(list(report["gmv_cny"]))
    assert list(table["refund_rate"].dropna()) == pytest.approx(list(report["refund_rate"].dropna() * 100)), \
        "rates shown in per cent"

    active = metric(at, "Active providers")
    assert active.value == fmt.count(len(report))
    assert active.proto.delta == fmt.signed_count(len(report) - len(before))
    served = metric(at, "Served GMV")
    assert served.value == fmt.money(report["gmv_cny"].sum(), "en")
    assert served.proto.delta == fmt.multiple(report["gmv_cny"].sum() / before["gmv_cny"].sum())
    assert metric(at, "New brands").value == fmt.count(report["new_brands"].sum())
    assert metric(at, "Steps completed").value == fmt.count(report["steps_completed"].sum())
    assert download_bytes(at, "dl_providers") == csv_bytes(report)


def test_league_csv_equals_the_export_command(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    query = {"belt": [belt, "none"], "preset": "custom", "from": "2021-04-01", "to": "2021-09-15",
             "managed_by": "provider"}
    at = run_app(query, page=PAGE)
    args = ["--from", "2021-04-01", "--to", "2021-09-15", "--belt", belt, "--belt", "none", "--managed-by", "provider"]
    assert download_bytes(at, "dl_providers") == cli_export(app_warehouse.url, "providers", *args)


def test_belt_filter_from_the_url(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "lang": "en"}, page=PAGE)
    report = REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse, belts=(belt,)))
    assert 0 < len(league_table(at).value) == len(report)
    assert metric(at, "Served GMV").value == fmt.money(report["gmv_cny"].sum(), "en")


def test_peer_bands_are_the_median_and_90th_percentile_of_the_providers_shown(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    report = REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse))
    bands = pd.read_csv(pd.io.common.BytesIO(download_bytes(at, "dl_provider-peer-bands")), encoding="utf-8-sig")
    for name in ("gmv_cny", "refund_rate", "roi_t30", "median_days_per_step"):
        values = report[name].dropna().astype(float).sort_values().to_numpy()
        band = bands.set_index("metric").loc[name]
        assert band["median"] == pytest.approx(float(pd.Series(values).median()))
        position = 0.9 * (len(values) - 1)  # linear interpolation between the closest ranks
        low = int(position)
        high = min(low + 1, len(values) - 1)
        assert band["p90"] == pytest.approx(values[low] + (values[high] - values[low]) * (position - low))
        assert band["providers"] == len(values)
    rules = [frame for frame in chart_frames(at) if "band" in frame.columns]
    assert len(rules) == 3, "GMV, ROI T+30 and refund rate, each with its median and P90 lines"
    gmv_rules = sorted(rules[0]["value"])
    assert gmv_rules == pytest.approx(sorted(bands.set_index("metric").loc["gmv_cny", ["median", "p90"]]))
    refunds = report["refund_rate"].dropna().astype(float)  # lower is better: its best 10% begin at the 10th
    refund_rules = sorted(rules[2]["value"])
    assert refund_rules == pytest.approx(sorted([refunds.median(), refunds.quantile(0.1)]))


def test_a_provider_in_the_url_opens_its_view(run_app, app_warehouse):
    top = top_provider(app_warehouse)
    provider_id = int(top["provider_id"])
    at = run_app({"provider": str(provider_id), "lang": "en"}, page=PAGE)
    assert at.query_params["provider"] == str(provider_id), "kept in the URL"
    assert at.selectbox(key="p_provider").value == provider_id
    assert any(top["provider_name"] in m.value for m in at.markdown)

    f = ytd(app_warehouse)
    report = REPORTS["providers"](app_warehouse.wh, f)
    roi = metric(at, "ROI T+30")
    median = report["roi_t30"].dropna().median()
    assert roi.value == fmt.ratio(top["roi_t30"])
    assert roi.proto.delta == f"{top['roi_t30'] - median:+,.2f}"
    assert f"median {fmt.ratio(median)}" in " ".join(tile_lines(at, "ROI T+30")), "the peers' median, in full"
    refund = metric(at, "Refund rate")
    assert refund.value == fmt.rate(top["refund_rate"])

    served = brand.provider_brands(app_warehouse.wh, f, provider_id)
    steps = REPORTS["steps"](app_warehouse.wh, f)
    brands_table = [d for d in at.dataframe if d.key and d.key.startswith("provider_brands")][0].value
    assert len(brands_table) == len(served.merge(steps, on="brand_id"))
    series = brand.provider_series(app_warehouse.wh, f, provider_id)
    assert download_bytes(at, f"dl_provider-{provider_id}-gmv") == csv_bytes(series)


def test_selecting_a_row_of_the_league_table_picks_the_provider(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    table = league_table(at)
    second = table.value.iloc[1]
    at.session_state[table.key] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["provider"] == str(second["provider_id"])
    assert at.selectbox(key="p_provider").value == int(second["provider_id"])
    assert "Its brands and their STEPS state" in texts(at)


def test_choosing_in_the_box_writes_the_url_and_clearing_it_removes_it(run_app, app_warehouse):
    provider_id = int(top_provider(app_warehouse)["provider_id"])
    at = run_app({"lang": "en"}, page=PAGE)
    at.selectbox(key="p_provider").set_value(provider_id).run()
    assert not at.exception
    assert at.query_params["provider"] == str(provider_id)
    at.selectbox(key="p_provider").set_value(None).run()
    assert not at.exception
    assert "provider" not in at.query_params


def test_a_brand_of_the_provider_opens_the_brand_page(run_app, app_warehouse):
    provider_id = int(top_provider(app_warehouse)["provider_id"])
    at = run_app({"provider": str(provider_id), "grain": "quarter", "lang": "en"}, page=PAGE)
    brands_table = [d for d in at.dataframe if d.key and d.key.startswith("provider_brands")][0]
    f = ytd(app_warehouse)
    shown = brand.provider_brands(app_warehouse.wh, f, provider_id).merge(REPORTS["steps"](app_warehouse.wh, f),
                                                                          on="brand_id")
    at.session_state[brands_table.key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Brand"
    assert at.query_params["brand"] == str(int(shown["brand_id"].iloc[2]))
    assert at.query_params["grain"] == "quarter", "the filters travel with the link"
    assert at.query_params["brand"] == str(int(shown["brand_id"].iloc[2]))


@pytest.mark.parametrize("bad", ["-1", "abc", "1e3", "99999999999999999999999"])
def test_a_malformed_provider_in_the_url_is_a_notice_not_an_exception(run_app, bad):
    at = run_app({"provider": bad, "lang": "en"}, page=PAGE)
    assert f"provider={bad}" in "\n".join(w.value for w in at.warning)
    assert "provider" not in at.query_params, "the URL is cleaned"
    assert at.title[0].value == "Providers"
    assert at.selectbox(key="p_provider").value is None


def test_an_unknown_provider_in_the_url_is_a_notice(run_app):
    at = run_app({"provider": "987654321", "lang": "en"}, page=PAGE)
    assert "Provider 987654321 serves none of the selected brands" in "\n".join(i.value for i in at.info)
    assert at.selectbox(key="p_provider").value is None


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    assert not at.metric and not at.dataframe


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh"}, page=PAGE), run_app({"lang": "en"}, page=PAGE)
    assert zh.title[0].value == "服务商" and en.title[0].value == "Providers"
    assert "服务商排行榜" in [s.value for s in zh.subheader]
    assert "League table" in [s.value for s in en.subheader]
    assert metric(zh, "活跃服务商") and metric(zh, "服务 GMV")
    assert not untranslated_columns(zh) and not untranslated_columns(en)
