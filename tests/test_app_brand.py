"""Brand page through dashboard.py: ?brand=<id>, profile, tiles, STEPS, GMV by channel, providers, ROI, trust."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.export.csv_file import csv_bytes
from data_access.metrics import brand
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    chart_frames,
    cli_export,
    download_bytes,
    last_full_period,
    metric,
    nothing_matches,
    period_end,
    previous_period,
    texts,
    untranslated_columns,
)
from ui import fmt, widgets

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/brand.py"


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, **changes)


def busy_brand(app_warehouse) -> int:
    """The brand with the most campaigns starting this year (so every section has figures)."""
    campaigns = app_warehouse.frames["campaigns"]
    this_year = campaigns[pd.to_datetime(campaigns["start_on"]).dt.year == app_warehouse.as_of.year]
    counts = this_year.groupby("brand_id").size().sort_values(ascending=False, kind="stable")
    return int(counts.index[0])


def test_a_brand_in_the_url_shows_its_figures(run_app, app_warehouse):
    brand_id = busy_brand(app_warehouse)
    at = run_app({"brand": str(brand_id), "lang": "en"}, page=PAGE)
    assert at.title[0].value == "Brand", "one title: the page's"
    assert at.query_params["brand"] == str(brand_id)
    profile = brand.brand_profile(app_warehouse.wh, brand_id)
    assert [h.value for h in at.header] == [widgets.plain(profile["name"])]
    words = texts(at)
    if profile["belt_id"]:
        assert profile["name_en"] in words and profile["name_zh"] not in words, "the belt in the reader's language"
    assert profile["onboarded_on"].isoformat().replace("-", "\\-") in words

    f = ytd(app_warehouse)
    fb = f.with_(brand_ids=(brand_id,))
    p = last_full_period(f.date_from, f.date_to, "month")
    series = brand.brand_series(app_warehouse.wh, fb.with_(date_from=previous_period(p, "month")), brand_id)
    per_period = series.groupby("period_start")["gmv_cny"].sum()
    gmv = metric(at, f"GMV · {fmt.period(p, 'month', 'en')}")
    assert gmv.value == fmt.money(per_period[p], "en")
    roi = REPORTS["roi"](app_warehouse.wh, fb)
    assert int(roi.iloc[0]["campaigns"]) > 0
    in_period = REPORTS["roi"](app_warehouse.wh, fb.with_(date_from=p, date_to=period_end(p, "month")))
    assert metric(at, f"ROI T+30 · {fmt.period(p, 'month', 'en')}").value == fmt.ratio(in_period.iloc[0]["roi_t30"]), \
        "the same period as the GMV tile"
    assert download_bytes(at, f"dl_brand-{brand_id}-roi") == csv_bytes(roi)
    trust = REPORTS["trust"](app_warehouse.wh, fb)
    assert download_bytes(at, f"dl_brand-{brand_id}-trust") == csv_bytes(trust)
    assert download_bytes(at, f"dl_brand-{brand_id}-gmv") == csv_bytes(brand.brand_series(app_warehouse.wh, fb,
                                                                                          brand_id))
    history = brand.provider_history(app_warehouse.wh, brand_id, f=fb)
    if not history.empty:
        assert download_bytes(at, f"dl_brand-{brand_id}-providers") == csv_bytes(history)
    milestones = brand.brand_milestones(app_warehouse.wh, brand_id, f=fb)
    assert download_bytes(at, f"dl_brand-{brand_id}-steps") == csv_bytes(milestones)
    by_channel = [frame for frame in chart_frames(at) if "channel_label" in frame.columns][0]
    whole = brand.brand_series(app_warehouse.wh, fb, brand_id)
    assert by_channel["gmv_cny"].sum() == pytest.approx(whole["gmv_cny"].sum()) and whole["gmv_cny"].sum() > 0


def directory(at):
    tables = [d for d in at.dataframe if d.key and d.key.startswith("directory_")]
    assert tables, "the brand page without a brand is a directory of brands"
    return tables[0]


@pytest.mark.parametrize("bad", ["abc", "-5", "12.0", "99999999999999999999999"])
def test_a_malformed_brand_in_the_url_is_a_notice_and_the_directory(run_app, bad):
    at = run_app({"brand": bad, "lang": "en"}, page=PAGE)
    assert f"brand={bad}" in "\n".join(w.value for w in at.warning)
    assert "brand" not in at.query_params
    directory(at)
    assert not at.header and not at.metric


def test_an_unknown_brand_is_a_notice_and_the_directory(run_app):
    at = run_app({"brand": "987654321", "lang": "en"}, page=PAGE)
    assert "The warehouse has no brand with id 987654321" in "\n".join(i.value for i in at.info)
    directory(at)


def test_a_brand_outside_the_belt_filter_says_to_widen_the_filters(run_app, app_warehouse):
    brand_id = busy_brand(app_warehouse)
    profile = brand.brand_profile(app_warehouse.wh, brand_id)
    other = next(b for b in app_warehouse.frames["industry_belts"]["belt_id"] if b != profile["belt_id"])
    at = run_app({"brand": str(brand_id), "belt": other, "lang": "en"}, page=PAGE)
    assert f"Brand {brand_id} is not among the brands these filters select: widen the filters" in \
        "\n".join(i.value for i in at.info)
    assert not at.header


def test_the_directory_lists_searches_and_opens_a_brand(run_app, app_warehouse):
    """Every selected brand, by GMV in the range, 50 a page; a search by name, id or belt narrows it; picking a
    row opens the brand; the download is the whole directory, the export command's bytes."""
    at = run_app({"lang": "en"}, page=PAGE)
    assert not at.header, "no brand until one is picked"
    want = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse))
    table = directory(at)
    assert len(table.value) == min(50, len(want))
    assert f"{fmt.count(len(want))} brands · page 1 of {-(-len(want) // 50)}" in texts(at)
    assert download_bytes(at, "dl_brand-directory") == cli_export(app_warehouse.url, "brand_directory", "--from",
                                                                  f"{app_warehouse.as_of.year}-01-01", "--to",
                                                                  app_warehouse.as_of.isoformat())
    brand_id = busy_brand(app_warehouse)
    name = brand.brand_profile(app_warehouse.wh, brand_id)["name"]
    at.text_input(key="p_brand_q").set_value(str(brand_id)).run()
    assert list(directory(at).value["brand_id"]) == [str(brand_id)], "an id finds its brand"
    belt = app_warehouse.frames["industry_belts"].iloc[0]
    at.text_input(key="p_brand_q").set_value(belt["name_en"].upper()).run()
    on_belt = set(want.loc[want["belt_id"] == belt["belt_id"], "brand_id"])
    assert len(directory(at).value) == min(50, len(on_belt)), "a belt's English name finds its brands"
    at.text_input(key="p_brand_q").set_value(belt["name_zh"]).run()
    assert len(directory(at).value) == min(50, len(on_belt)), "and its Chinese name"
    at.text_input(key="p_brand_q").set_value(str(brand_id)).run()
    table = directory(at)
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["brand"] == str(brand_id)
    assert at.header[0].value == widgets.plain(name)


def test_belt_filter_from_the_url_narrows_the_directory(run_app, app_warehouse):
    belt = app_warehouse.frames["brands"]["belt_id"].value_counts().index[0]
    at = run_app({"belt": belt, "lang": "en"}, page=PAGE)
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse, belts=(belt,)))
    assert f"{fmt.count(len(steps))} brands · page 1" in texts(at), "the brands of the belt"


def test_a_provider_of_the_brand_opens_the_providers_page(run_app, app_warehouse):
    history = brand.provider_history(app_warehouse.wh, busy_brand(app_warehouse))
    brand_id = busy_brand(app_warehouse)
    if history.empty:
        assignments = app_warehouse.frames["provider_assignments"]
        brand_id = int(assignments["brand_id"].iloc[0])
        history = brand.provider_history(app_warehouse.wh, brand_id)
    at = run_app({"brand": str(brand_id), "lang": "en"}, page=PAGE)
    table = [d for d in at.dataframe if d.key and d.key.startswith("history")][0]
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Providers"
    assert at.query_params["provider"] == str(int(history.iloc[0]["provider_id"]))


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)


def test_both_languages(run_app, app_warehouse):
    brand_id = busy_brand(app_warehouse)
    profile = brand.brand_profile(app_warehouse.wh, brand_id)
    zh = run_app({"brand": str(brand_id), "lang": "zh"}, page=PAGE)
    en = run_app({"brand": str(brand_id), "lang": "en"}, page=PAGE)
    assert zh.title[0].value == "品牌" and en.title[0].value == "Brand"
    assert "STEPS 时间线" in [s.value for s in zh.subheader]
    assert "STEPS timeline" in [s.value for s in en.subheader]
    if profile["belt_id"]:
        assert profile["name_zh"] in texts(zh)
    assert not untranslated_columns(zh) and not untranslated_columns(en)


def test_names_are_plain_text():
    assert widgets.plain("**x** [a](b) <i>y</i> :red[z] $1") == \
        "\\*\\*x\\*\\* \\[a\\]\\(b\\) \\<i\\>y\\</i\\> \\:red\\[z\\] \\$1"
