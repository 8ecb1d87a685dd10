"""Pages people can work from (issue 10), in a real browser, on the demo warehouse as it stood on 30 June 2021 (the
day after the quarter the source report reviews): the quarterly review in one click, every page on a phone in both
languages with its tiles readable in full, and the dark theme a browser asks for.

One server for the module; each page load checks several things. The figures come from the oracle over the same
frames (tests/oracle.py), never from the app.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse

import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access.demo import synthesis as demo
from data_access.warehouse.build import load
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import build as marts
from tests import oracle
from tests.browser_support import StreamlitServer, patient, truncated_tile_texts, wait_for_app
from ui import fmt

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.conftest_browser"]

DAY = dt.date(2021, 6, 30)  # the warehouse ends here: the last full quarter is Q2 2021
ORDERS = 60_000
PAGES = {  # url path -> (Chinese title, English title)
    "overview": ("总览", "Overview"), "onboarding": ("品牌入驻增长", "Onboarding growth"),
    "sales": ("销量倍数", "Sales multiples"), "providers": ("服务商", "Providers"), "steps": ("STEPS 五步法", "STEPS"),
    "work_queue": ("待办", "Work queue"), "brand": ("品牌", "Brand"), "trust_roi": ("信任与 ROI", "Trust & ROI"),
}


def as_it_stood(frames: dict[str, pd.DataFrame], day: dt.date) -> dict[str, pd.DataFrame]:
    """The demo's seven tables as a warehouse would have held them at the end of `day`: nothing that happened
    later (orders, brands, campaigns, milestones and assignments after it; what ended later still open)."""
    end = pd.Timestamp(day)

    def on_or_before(series):
        return pd.to_datetime(series) <= end

    out = dict(frames)
    out["brands"] = frames["brands"][on_or_before(frames["brands"]["onboarded_on"])]
    out["orders"] = frames["orders"][on_or_before(frames["orders"]["ordered_at"].dt.floor("D"))]
    out["campaigns"] = frames["campaigns"][on_or_before(frames["campaigns"]["start_on"])]
    for name, start, finish in (("provider_assignments", "start_on", "end_on"),
                                ("steps_milestones", "started_on", "completed_on")):
        rows = frames[name][on_or_before(frames[name][start])].copy()
        later = pd.to_datetime(rows[finish]) > end
        rows[finish] = rows[finish].astype(object).where(~later, None)
        out[name] = rows
    return out


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    frames = as_it_stood(demo.generate(orders=ORDERS, seed=7), DAY)
    url = f"duckdb:///{tmp_path_factory.mktemp('review') / 'warehouse.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, frames)
    marts.build_into(engine)
    engine.dispose()
    return url, frames


@pytest.fixture(scope="module")
def server(review, tmp_path_factory, browser):
    server = StreamlitServer(review[0], tmp_path_factory.mktemp("server") / "streamlit.log")
    server.wait_healthy()
    yield server
    server.stop()


def goto(page, base_url: str, path: str, params: dict) -> None:
    page.goto(f"{base_url}/{path}?{urllib.parse.urlencode(params, doseq=True)}")
    wait_for_app(page)


def tile(page, label: str):
    """The bordered tile whose st.metric label starts with `label`."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator("xpath=ancestor::*[@data-testid='stVerticalBlock'][1]")


def test_the_quarterly_review_is_one_choice(server, browser, review):
    """From the default view, "Last full quarter" shows Q2 2021 against Q1 2021 (环比) and Q2 2020 (同比): brands
    onboarded 4.5×, GMV 8× (the source's headlines, as the demo is shaped), both sides of each ratio in full."""
    frames = review[1]
    q1, q2 = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 3, 31), grain="quarter"), \
        Filters(date_from=dt.date(2021, 4, 1), date_to=DAY, grain="quarter")
    onboarded = [int(oracle.oracle_onboarding(frames, f)["brands_onboarded"].sum()) for f in (q1, q2)]
    gmv = [float(oracle.oracle_sales(frames, f)["gmv_cny"].sum()) for f in (q1, q2)]
    onboarding_multiple, gmv_multiple = onboarded[1] / onboarded[0], gmv[1] / gmv[0]
    assert onboarding_multiple == pytest.approx(4.5, abs=0.25) and gmv_multiple == pytest.approx(8, abs=0.5), \
        "the demo is shaped like the source: Q2 2021 onboarding ≈ 4.5× Q1, GMV ≈ 8×"

    context = patient(browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US"))
    try:
        page = context.new_page()
        goto(page, server.base_url, "overview", {"lang": "en"})
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Last full quarter").click()
        page.wait_for_function("() => location.search.includes('preset=last_quarter')")
        wait_for_app(page)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query["preset"] == ["last_quarter"] and "grain" not in query, "a quarter is reviewed by quarter"

        brands = tile(page, "Brands onboarded · Q2 2021")
        brands.wait_for()
        assert brands.locator('[data-testid="stMetricValue"]').inner_text() == fmt.count(onboarded[1])
        assert brands.locator('[data-testid="stMetricDelta"]').inner_text().strip() == fmt.multiple(onboarding_multiple)
        assert fmt.multiple(onboarding_multiple) == "4.5×"
        text = brands.inner_text()
        assert "vs Q1 2021" in text and f"{fmt.count(onboarded[0])} → {fmt.count(onboarded[1])}" in text
        assert "Year over year:" in text and "vs Q2 2020" in text, "同比 is visible beside 环比"

        sales = tile(page, "GMV · Q2 2021")
        assert sales.locator('[data-testid="stMetricDelta"]').inner_text().strip() == fmt.multiple(gmv_multiple)
        assert round(gmv_multiple) == 8
        assert f"{fmt.money(gmv[0], 'en')} → {fmt.money(gmv[1], 'en')}" in sales.inner_text()
        for label in ("Active providers · Q2 2021", "ROI T+30 · Q2 2021", "Refund rate · Q2 2021"):
            assert "vs Q1 2021" in tile(page, label).inner_text(), f"{label}: the same periods as GMV"
        assert truncated_tile_texts(page) == []
    finally:
        context.close()


def test_every_page_reads_on_a_phone_in_the_dark(server, browser):
    """At 390 px, in a browser that prefers dark: the sidebar starts collapsed, tiles stack and read in full, the
    page and its charts are dark, each page has its own tab title; opened, the sidebar's dates are not cut. The
    pages take turns in Chinese and English (test_browser.py reads every page in both at 1440 px; the screenshots
    show both at 390 px)."""
    context = patient(browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                          color_scheme="dark", is_mobile=True, has_touch=True))
    try:
        page = context.new_page()
        for i, (path, titles) in enumerate(PAGES.items()):
            lang = ("zh", "en")[i % 2]
            goto(page, server.base_url, path, {"lang": lang, "preset": "custom", "from": "2021-01-01",
                                               "to": "2021-06-30", "grain": "quarter"})
            title = titles[0 if lang == "zh" else 1]
            page.wait_for_function("t => document.title === t", arg=f"{title} · beltboard")
            assert page.locator('[data-testid="stException"]').count() == 0, path
            assert not page.locator('[data-testid="stSidebar"]').is_visible(), f"{path}: the sidebar starts collapsed"
            assert page.locator('[data-testid="stExpandSidebarButton"]').is_visible()
            assert truncated_tile_texts(page) == [], path
            boxes = [m.bounding_box() for m in page.locator('[data-testid="stMetric"]').all()]
            assert all(b["width"] > 300 for b in boxes if b), f"{path}: tiles stack, one per row"
            assert luminance(page, '[data-testid="stApp"]') < 0.2, f"{path}: the dark theme"
            if path == "overview":  # Vega draws its charts as SVG on the theme's background, not on white
                page.locator('[data-testid="stVegaLiteChart"] svg').first.wait_for(state="attached")
                assert luminance(page, '[data-testid="stVegaLiteChart"] svg') < 0.2, "a chart in the dark theme"

        page.locator('[data-testid="stExpandSidebarButton"]').click()
        dates = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input')
        dates.first.wait_for()
        assert dates.count() == 2
        for i in range(2):
            value = dates.nth(i).input_value()
            assert value in ("2021-01-01", "2021-06-30")
            assert dates.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth"), f"the date {value} is not cut"
    finally:
        context.close()


def luminance(page, selector: str) -> float:
    """0 (black) … 1 (white): the element's background colour."""
    rgb = page.evaluate("""s => getComputedStyle(document.querySelector(s)).backgroundColor
                               .match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)""", selector)
    return sum(rgb) / (3 * 255)
