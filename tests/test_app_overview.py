"""Overview page through dashboard.py: figures equal data_access, filters, empty state, languages, CSV."""
from __future__ import annotations

import datetime as dt

from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters
from tests.app_support import (
    busiest_belt,
    chart_frames,
    cli_export,
    download_bytes,
    last_full_period,
    metric,
    nothing_matches,
    period_end,
    previous_period,
    row,
    texts,
    tile_lines,
    untranslated_columns,
)
from ui import fmt, state

pytest_plugins = ["tests.conftest_app"]


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, **changes)


def expected_tiles(app_warehouse, f: Filters, lang: str) -> dict[str, tuple[str, str]]:
    """Every tile reports the last full period, computed here from the reports over that period alone."""
    wh = app_warehouse.wh
    p = last_full_period(f.date_from, f.date_to, f.grain)
    before = previous_period(p, f.grain)
    both = f.with_(date_from=before, date_to=f.date_to)
    one = f.with_(date_from=p, date_to=period_end(p, f.grain))
    onboarding, sales = REPORTS["onboarding"](wh, both), REPORTS["sales"](wh, both)
    providers = REPORTS["providers"](wh, one)
    roi = REPORTS["roi"](wh, one).iloc[0]
    label = fmt.period(p, f.grain, lang)
    base = row(sales, before)["gmv_cny"]
    gmv_delta = fmt.multiple(row(sales, p)["gmv_multiple"])
    if 0 < base < state.MIN_BASE_DEFAULT:  # a small base is said, not headlined
        gmv_delta = "基数小" if lang == "zh" else "small base"
    return {
        ("入驻品牌 · " if lang == "zh" else "Brands onboarded · ") + label: (
            fmt.count(row(onboarding, p)["brands_onboarded"]), fmt.multiple(row(onboarding, p)["growth_multiple"])),
        "GMV · " + label: (fmt.money(row(sales, p)["gmv_cny"], lang), gmv_delta),
        ("活跃服务商 · " if lang == "zh" else "Active providers · ") + label: (
            fmt.count((providers["brands_served"] > 0).sum()), None),
        "ROI T+30 · " + label: (fmt.ratio(roi["roi_t30"]), None),
        "ROI T+0 · " + label: (fmt.ratio(roi["roi_t0"]), None),
    }


def check_tiles(at, expected):
    for label, (value, delta) in expected.items():
        tile = metric(at, label)
        assert tile.value == value, label
        if delta is not None:
            assert tile.proto.delta == delta, label


def test_default_view_figures_equal_the_reports(run_app, app_warehouse):
    at = run_app()
    check_tiles(at, expected_tiles(app_warehouse, ytd(app_warehouse), "zh"))
    f = ytd(app_warehouse)
    p = last_full_period(f.date_from, f.date_to, f.grain)
    before, year_ago = previous_period(p, "month"), previous_period(p, "month", 12)
    onboarding = REPORTS["onboarding"](app_warehouse.wh, f.with_(date_from=year_ago))
    tile = metric(at, "入驻品牌 · ")
    then, now, last_year = (row(onboarding, d)["brands_onboarded"] for d in (before, p, year_ago))
    assert tile.proto.delta_description == f"对比 {fmt.period(before, 'month', 'zh')}", "names its base period"
    lines = tile_lines(at, "入驻品牌 · ")
    assert lines[0] == f"{fmt.count(then)} → {fmt.count(now)}", "both sides of the ratio (环比)"
    assert lines[1].startswith("同比：") and f"{fmt.period(year_ago, 'month', 'zh')}（{fmt.count(last_year)} → " \
        f"{fmt.count(now)}）" in lines[1], "and the same period a year earlier (同比)"


def test_steps_figures_count_brands_by_current_step(run_app, app_warehouse):
    at = run_app({"lang": "en"})
    steps = REPORTS["steps"](app_warehouse.wh, ytd(app_warehouse))
    assert metric(at, "Brands in STEPS").value == fmt.count((steps["current_step"] > 0).sum())
    bars = [d for d in chart_frames(at) if "step_label" in d.columns]
    assert bars, "a chart of brands by current step"
    assert dict(zip(bars[0]["step_label"], bars[0]["brands"])) == {
        label: int((steps["current_step"] == step).sum())
        for step, label in enumerate(["Not started", "1 Influencer distribution", "2 Public-domain traffic",
                                      "3 Brand self-broadcast", "4 Private-domain repurchase",
                                      "5 Channel-exclusive products"])}


def test_quarter_grain_shows_the_q2_anchor(run_app, app_warehouse):
    """The source's 4.5×: brands onboarded in Q2 2021 over Q1 2021, named and audited on the tile."""
    at = run_app({"preset": "custom", "from": "2021-01-01", "to": "2021-06-30", "grain": "quarter", "lang": "en"})
    onboarding = REPORTS["onboarding"](app_warehouse.wh, Filters(
        date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30), grain="quarter"))
    q1, q2 = row(onboarding, dt.date(2021, 1, 1)), row(onboarding, dt.date(2021, 4, 1))
    tile = metric(at, "Brands onboarded · Q2 2021")
    assert tile.value == fmt.count(q2["brands_onboarded"])
    assert tile.proto.delta == fmt.multiple(q2["growth_multiple"])
    assert tile.proto.delta_description == "vs Q1 2021"
    assert tile_lines(at, "Brands onboarded · Q2 2021")[0] == (
        f"{fmt.count(q1['brands_onboarded'])} → {fmt.count(q2['brands_onboarded'])}")
    assert tile_lines(at, "Brands onboarded · Q2 2021")[1].startswith("Year over year: "), "同比 visible too"


def test_belt_filter_from_the_url(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "lang": "en"})
    assert at.sidebar.multiselect(key="f_belt").value == [belt]
    check_tiles(at, expected_tiles(app_warehouse, ytd(app_warehouse, belts=(belt,)), "en"))


def test_filters_matching_nothing_show_the_empty_state(run_app, app_warehouse):
    at = run_app({**nothing_matches(app_warehouse.frames), "lang": "en"})
    assert "No brands match these filters" in texts(at)
    assert not at.metric


def test_bad_url_values_warn_and_the_page_still_renders(run_app):
    at = run_app({"belt": "nope", "from": "2021-13-99", "grain": "week", "lang": "en"})
    assert "belt=nope" in "\n".join(w.value for w in at.warning)
    assert at.title[0].value == "Overview"
    assert at.metric


def test_both_languages(run_app):
    zh, en = run_app({"lang": "zh"}), run_app({"lang": "en"})
    assert not untranslated_columns(zh) and not untranslated_columns(en)
    assert "官方运营与服务商服务的品牌" in [s.value for s in zh.subheader]
    assert "Platform-run and provider-served brands" in [s.value for s in en.subheader]
    assert metric(zh, "入驻品牌 · ").value == metric(en, "Brands onboarded · ").value


def test_csv_downloads_equal_the_export_command(run_app, app_warehouse):
    belt = busiest_belt(app_warehouse.frames)
    at = run_app({"belt": belt, "preset": "custom", "from": "2021-02-15", "to": "2021-09-30", "grain": "quarter"})
    args = ["--from", "2021-02-15", "--to", "2021-09-30", "--grain", "quarter", "--belt", belt]
    assert download_bytes(at, "dl_onboarding") == cli_export(app_warehouse.url, "onboarding", *args)
    assert download_bytes(at, "dl_sales") == cli_export(app_warehouse.url, "sales", *args)
