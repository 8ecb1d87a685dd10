"""STEPS page through dashboard.py: funnel, stalled brands (threshold in the URL), timeline, evidence."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.export.csv_file import csv_bytes
from data_access.metrics import brand
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    chart_frames,
    cli_export,
    click_chart_selection,
    download_bytes,
    metric,
    nothing_matches,
    texts,
    tiles,
    untranslated_columns,
)
from ui import fmt

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/steps.py"


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, **changes)


def table(at, key: str):
    found = [d for d in at.dataframe if d.key and d.key.startswith(key)]
    assert found, f"no table {key!r}; have {[d.key for d in at.dataframe]}"
    return found[0]


def test_default_view_figures_equal_the_reports(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    f = ytd(app_warehouse)
    steps = REPORTS["steps"](app_warehouse.wh, f)
    as_of = app_warehouse.as_of
    month_before = dt.date(as_of.year, as_of.month, 1) - dt.timedelta(days=1)
    before = REPORTS["steps"](app_warehouse.wh, f.with_(as_of=month_before))

    started = metric(at, "Brands in STEPS")
    assert started.value == fmt.count((steps["current_step"] >= 1).sum())
    assert started.proto.delta == fmt.signed_count((steps["current_step"] >= 1).sum()
                                                   - (before["current_step"] >= 1).sum())
    assert month_before.isoformat() in started.proto.delta_description
    assert metric(at, "In progress").value == fmt.count((steps["state"] == "in_progress").sum())
    assert metric(at, "All five steps completed").value == fmt.count((steps["steps_completed"] == 5).sum())
    stalled = metric(at, "Stalled (> 90 days)")
    assert stalled.value == fmt.count(steps["stalled"].sum())

    funnel = REPORTS["steps_funnel"](app_warehouse.wh, f)
    shown = [d.value for d in at.dataframe if "brands_reached" in d.value.columns][0]
    assert list(shown["brands_reached"]) == list(funnel["brands_reached"])
    assert list(shown["brands_completed"]) == list(funnel["brands_completed"])
    assert len(table(at, "stalled_").value) == int(steps["stalled"].sum()) > 0
    assert len(table(at, "steps_all").value) == len(steps)
    assert download_bytes(at, "dl_steps-funnel") == cli_export(app_warehouse.url, "steps_funnel")
    assert download_bytes(at, "dl_steps") == cli_export(app_warehouse.url, "steps")


def test_stalled_threshold_from_the_url_feeds_the_list_and_the_csv(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"stalled": "30", "belt": belt, "managed_by": "provider", "lang": "en"}, page=PAGE)
    assert at.number_input(key="p_stalled").value == 30
    assert at.query_params["stalled"] == "30"
    f = ytd(app_warehouse, belts=(belt,), managed_by=("provider",), stalled_days=30)
    steps = REPORTS["steps"](app_warehouse.wh, f)
    assert metric(at, "Stalled (> 30 days)").value == fmt.count(steps["stalled"].sum())
    assert len(table(at, "stalled_").value) == int(steps["stalled"].sum())
    args = ["--belt", belt, "--managed-by", "provider", "--stalled-days", "30"]
    assert download_bytes(at, "dl_steps") == cli_export(app_warehouse.url, "steps", *args)
    assert download_bytes(at, "dl_stalled-brands") == csv_bytes(steps[steps["stalled"]].sort_values(
        ["days_in_step", "brand_id"], ascending=[False, True]).reset_index(drop=True))
    assert download_bytes(at, "dl_steps-funnel") == cli_export(app_warehouse.url, "steps_funnel", *args)


def test_the_number_input_writes_the_url(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    assert "stalled" not in at.query_params, "the default is left out"
    at.number_input(key="p_stalled").set_value(45).run()
    assert not at.exception
    assert at.query_params["stalled"] == "45"
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse, stalled_days=45))
    assert len(table(at, "stalled_").value) == int(steps["stalled"].sum())
    at.number_input(key="p_stalled").set_value(90).run()
    assert "stalled" not in at.query_params


@pytest.mark.parametrize("bad", ["xyz", "-5", "1.5", "", "99999999"])
def test_a_bad_threshold_in_the_url_is_a_notice_and_the_default_applies(run_app, bad):
    at = run_app({"stalled": bad, "lang": "en"}, page=PAGE)
    assert not at.exception
    if bad:
        assert f"stalled={bad}" in "\n".join(w.value for w in at.warning)
    assert at.number_input(key="p_stalled").value == 90
    assert "stalled" not in at.query_params
    assert metric(at, "Stalled (> 90 days)")


def test_belt_filter_from_the_url(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "lang": "en"}, page=PAGE)
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse, belts=(belt,)))
    assert len(table(at, "steps_all").value) == len(steps)
    evidence = brand.step_evidence(app_warehouse.wh, ytd(app_warehouse, belts=(belt,)))
    assert download_bytes(at, "dl_steps-evidence") == csv_bytes(evidence)


def test_stalled_brands_are_counted_by_belt_and_provider_and_a_click_narrows_to_a_belt(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse))
    stalled = steps[steps["stalled"]]
    by_belt = pd.read_csv(pd.io.common.BytesIO(download_bytes(at, "dl_stalled-by-belt")), encoding="utf-8-sig",
                          keep_default_na=False)
    expected = stalled["belt_id"].fillna("none").value_counts()
    assert dict(zip(by_belt["belt_id"], by_belt["brands"])) == expected.to_dict()
    by_provider = pd.read_csv(pd.io.common.BytesIO(download_bytes(at, "dl_stalled-by-provider")),
                              encoding="utf-8-sig")
    assert by_provider["brands"].sum() == len(stalled)
    assert by_provider["brands"].max() == stalled["provider_id"].value_counts(dropna=False).max()

    belt = expected.drop("none", errors="ignore").index[0]
    at = click_chart_selection(at, "stalled_by_belt", {"stalled_belt": [{"belt_id": belt}]})
    assert not at.exception
    assert at.query_params["belt"] == belt
    at.run()
    assert at.sidebar.multiselect(key="f_belt").value == [belt]


def test_timeline_and_evidence_of_the_chosen_brand(run_app, app_warehouse):
    f = ytd(app_warehouse)
    evidence = brand.step_evidence(app_warehouse.wh, f)
    steps = REPORTS["steps"](app_warehouse.wh, f)
    with_steps = evidence[evidence["brand_id"].isin(steps.loc[steps["current_step"] >= 3, "brand_id"])]
    chosen = with_steps.iloc[0]
    at = run_app({"lang": "en"}, page=PAGE)
    at.selectbox(key="p_steps_brand").set_value(int(chosen["brand_id"])).run()
    assert not at.exception
    milestones = brand.brand_milestones(app_warehouse.wh, int(chosen["brand_id"]))
    gantt = [frame for frame in chart_frames(at) if "started_on" in frame.columns and "step_label" in frame.columns]
    assert gantt and len(gantt[0]) == int((pd.to_datetime(milestones["started_on"]).dt.date
                                           <= app_warehouse.as_of).sum())
    evidence_tiles = {lines[0]: m.value for m, lines in tiles(at) if m.label.startswith("Step ") and lines}
    assert evidence_tiles["Distribution share"] == fmt.rate(chosen["distribution_share"])
    assert evidence_tiles["Self-broadcast share"] == fmt.rate(chosen["self_live_share"])
    assert evidence_tiles["Channel-exclusive share"] == fmt.rate(chosen["exclusive_share"])
    assert evidence_tiles["Burst coefficient"] == fmt.multiple(chosen["burst_coefficient"])
    at.button(key="open_timeline_brand").click().run()
    assert not at.exception
    assert at.title[0].value == "Brand"
    assert at.query_params["brand"] == str(int(chosen["brand_id"]))


def test_selecting_a_stalled_brand_opens_the_brand_page(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    stalled = table(at, "stalled_")
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse))
    first = steps[steps["stalled"]].sort_values(["days_in_step", "brand_id"], ascending=[False, True]).iloc[0]
    at.session_state[stalled.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Brand"
    assert at.query_params["brand"] == str(int(first["brand_id"]))


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"}, page=PAGE)
    assert "No brands match these filters" in texts(at)
    assert not at.metric


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh"}, page=PAGE), run_app({"lang": "en"}, page=PAGE)
    assert zh.title[0].value == "STEPS 五步法" and en.title[0].value == "STEPS"
    assert "STEPS 漏斗" in [s.value for s in zh.subheader]
    assert "The STEPS funnel" in [s.value for s in en.subheader]
    assert metric(zh, "停滞（> 90 天）")
    assert not untranslated_columns(zh) and not untranslated_columns(en)


def test_the_charts_of_these_pages_have_tooltips_on_every_mark():
    from ui import charts
    milestones = pd.DataFrame({"step": [1, 2], "started_on": [dt.date(2021, 1, 1), dt.date(2021, 3, 1)],
                               "completed_on": [dt.date(2021, 2, 1), None], "days": [31, 305]})
    funnel = pd.DataFrame({"step": [1, 2], "brands_reached": [10, 6], "brands_completed": [8, 2],
                           "conversion_from_previous": [None, 0.6]})
    peers = pd.DataFrame({"provider_id": [1, 2, 3], "provider_name": ["a", "b", "c"], "roi_t30": [1.0, 2.0, 4.0]})
    windows = pd.DataFrame({"label": ["All", "Linyi"], "belt_id": [None, "linyi-apparel"], "roi_t0": [1.0, 1.2],
                            "roi_t10": [2.0, 2.1], "roi_t30": [3.0, 3.3], "t30_complete_share": [0.9, 1.0]})
    steps = {s: f"step {s}" for s in range(6)}
    built = [
        charts.steps_gantt(milestones, as_of=dt.date(2021, 12, 31), step_labels=steps, lang="en", step_title="Step",
                           start_title="Start", end_title="End", days_title="Days", status_title="State",
                           status_labels={"completed": "done", "in_progress": "going"}),
        charts.funnel_bars(funnel, step_labels=steps, measures=[("brands_reached", "R"), ("brands_completed", "C")],
                           step_title="Step", value_title="Brands", measure_title="", lang="zh",
                           tooltips=[("conversion_from_previous", "Conv", "rate")]),
        charts.peer_strip(peers, value="roi_t30", label="provider_name", label_title="P", value_title="ROI",
                          lang="en", kind="ratio", bands=[("Median", 2.0), ("P90", 3.6)], key="provider_id",
                          highlight=2),
        charts.window_bars(windows, label="label", windows=[("roi_t0", "T+0"), ("roi_t10", "T+10"),
                                                            ("roi_t30", "T+30")],
                           label_title="Belt", window_title="Window", value_title="ROI", lang="en", key="belt_id",
                           selection="roi_belt", incomplete="t30_complete_share", incomplete_title="final"),
    ]
    for chart in built:
        spec = chart.to_dict()
        for layer in spec.get("layer", [spec]):
            assert layer["encoding"]["tooltip"], layer["mark"]
    gantt = list(built[0].to_dict()["datasets"].values())[0]
    assert [r["status"] for r in gantt] == ["done", "going"], "in progress runs to the as-of date"
    assert gantt[1]["end"].startswith("2021-12-31")
