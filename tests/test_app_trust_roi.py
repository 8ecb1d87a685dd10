"""Trust & ROI page through dashboard.py: trust rates over time and by belt or provider, ROI windows."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    chart_frames,
    cli_export,
    click_chart_selection,
    download_bytes,
    last_full_period,
    metric,
    nothing_matches,
    period_end,
    previous_period,
    row,
    texts,
    untranslated_columns,
)
from ui import fmt

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/trust_roi.py"


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, **changes)


def test_default_view_figures_equal_the_reports(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    f = ytd(app_warehouse)
    p = last_full_period(f.date_from, f.date_to, "month")
    before = previous_period(p, "month")
    trust = REPORTS["trust"](app_warehouse.wh, f.with_(date_from=before))
    label = fmt.period(p, "month", "en")
    for name, title in (("refund_rate", "Refund rate"), ("return_rate", "Return rate"),
                        ("insured_share", "Insured share")):
        tile = metric(at, f"{title} · {label}")
        assert tile.value == fmt.rate(row(trust, p)[name])
        assert tile.proto.delta == f"{(row(trust, p)[name] - row(trust, before)[name]) * 100:+.1f} pp"
    roi = REPORTS["roi"](app_warehouse.wh, f).iloc[0]
    # the ROI tile compares the same periods as its row: campaigns starting in the period and the one before
    roi_now, roi_before = (REPORTS["roi"](app_warehouse.wh, f.with_(date_from=d, date_to=period_end(d, "month")))
                           .iloc[0] for d in (p, before))
    tile = metric(at, f"ROI T+30 · {label}")
    assert tile.value == fmt.ratio(roi_now["roi_t30"])
    if not (pd.isna(roi_now["roi_t30"]) or pd.isna(roi_before["roi_t30"])):
        assert tile.proto.delta == f"{roi_now['roi_t30'] - roi_before['roi_t30']:+.2f}"

    shown = [d.value for d in at.dataframe if "period_start" in d.value.columns and "belt_id" not in d.value.columns]
    assert len(shown[0]) == len(REPORTS["trust"](app_warehouse.wh, f))
    roi_table = [d.value for d in at.dataframe if "t30_complete_share" in d.value.columns
                 and "belt_id" not in d.value.columns][0]
    assert roi_table.iloc[0]["roi_t10"] == pytest.approx(roi["roi_t10"])
    assert roi_table.iloc[0]["t30_complete_share"] == pytest.approx(roi["t30_complete_share"] * 100)


def test_incomplete_t30_spend_is_said(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    roi = REPORTS["roi"](app_warehouse.wh, ytd(app_warehouse)).iloc[0]
    assert roi["t30_complete_share"] < 1, "the demo has campaigns younger than 30 days"
    warning = "\n".join(w.value for w in at.warning)
    assert f"T+30 is not final yet for {fmt.rate(1 - roi['t30_complete_share'])} of the spend" in warning
    young = (app_warehouse.as_of - dt.timedelta(days=29)).isoformat()
    assert young in warning
    bars = [frame for frame in chart_frames(at) if "window" in frame.columns][0]
    lighter = bars[bars["_shown"] == "T+30 not final yet"]  # their own colour, named in the legend
    assert len(lighter) and set(lighter["window"]) == {"ROI T+30"}, "only T+30 bars of groups not final are pale"


def test_csv_downloads_equal_the_export_command(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    query = {"belt": [belt, "none"], "preset": "custom", "from": "2021-03-15", "to": "2021-11-20",
             "grain": "quarter", "managed_by": "provider", "lang": "en"}
    at = run_app(query, page=PAGE)
    args = ["--from", "2021-03-15", "--to", "2021-11-20", "--grain", "quarter", "--belt", belt, "--belt", "none",
            "--managed-by", "provider"]
    url = app_warehouse.url
    assert download_bytes(at, "dl_trust") == cli_export(url, "trust", *args)
    assert download_bytes(at, "dl_trust-by-belt") == cli_export(url, "trust", *args, "--by", "belt")
    assert download_bytes(at, "dl_roi") == cli_export(url, "roi", *args)
    assert download_bytes(at, "dl_roi-by-belt") == cli_export(url, "roi", *args, "--by", "belt")


def test_refund_rates_by_belt_weigh_each_period_by_its_orders(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    orders = app_warehouse.frames["orders"].merge(app_warehouse.frames["brands"][["brand_id", "belt_id"]],
                                                  on="brand_id")
    orders = orders[pd.to_datetime(orders["ordered_at"]).dt.year == app_warehouse.as_of.year]
    expected = orders.assign(belt_id=orders["belt_id"].fillna("none")).groupby("belt_id")["refunded"].mean()
    shown = pd.read_csv(pd.io.common.BytesIO(download_bytes(at, "dl_trust-belts")), encoding="utf-8-sig",
                        keep_default_na=False)
    assert dict(zip(shown["belt_id"], shown["refund_rate"])) == pytest.approx(expected.to_dict())


def test_belt_filter_from_the_url(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "lang": "en"}, page=PAGE)
    f = ytd(app_warehouse, belts=(belt,))
    p = last_full_period(f.date_from, f.date_to, "month")
    roi = REPORTS["roi"](app_warehouse.wh, f.with_(date_from=p, date_to=period_end(p, "month"))).iloc[0]
    assert metric(at, "ROI T+30 · ").value == fmt.ratio(roi["roi_t30"])
    by_belt = [d.value for d in at.dataframe if "t30_complete_share" in d.value.columns
               and "belt_id" in d.value.columns][0]
    assert len(by_belt) == 1


@pytest.mark.parametrize("chart, selection", [("trust_by_belt", "trust_belt"), ("roi_by_belt_chart", "roi_belt")])
def test_clicking_a_belt_narrows_the_filters_to_it(run_app, app_warehouse, chart, selection):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"lang": "en"}, page=PAGE)
    at = click_chart_selection(at, chart, {selection: [{"belt_id": belt}]})
    assert not at.exception
    assert at.query_params["belt"] == belt
    at.run()
    assert at.sidebar.multiselect(key="f_belt").value == [belt]


def test_by_provider_lists_the_providers_and_opens_one(run_app, app_warehouse):
    at = run_app({"trust_by": "provider", "lang": "en"}, page=PAGE)
    providers = REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse))
    table = [d for d in at.dataframe if d.key and d.key.startswith("trust_providers")][0]
    assert len(table.value) == len(providers)
    expected = providers.sort_values(["orders", "provider_id"], ascending=[False, True])
    assert list(table.value["provider_name"]) == list(expected["provider_name"])
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Providers"
    assert at.query_params["provider"] == str(int(expected.iloc[0]["provider_id"]))


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    assert not at.metric


def test_bad_url_values_warn_and_the_page_still_renders(run_app):
    at = run_app({"trust_by": "weather", "belt": "nope", "lang": "en"}, page=PAGE)
    warning = "\n".join(w.value for w in at.warning)
    assert "trust_by=weather" in warning and "belt=nope" in warning
    assert at.title[0].value == "Trust & ROI"


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh"}, page=PAGE), run_app({"lang": "en"}, page=PAGE)
    assert zh.title[0].value == "信任与 ROI" and en.title[0].value == "Trust & ROI"
    assert "T+0、T+10 与 T+30 的 ROI" in [s.value for s in zh.subheader]
    assert "ROI at T+0, T+10 and T+30" in [s.value for s in en.subheader]
    assert not untranslated_columns(zh) and not untranslated_columns(en)
