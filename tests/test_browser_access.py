"""Access control and hostile names in a real browser, and ten people using the dashboard at once.

A real `streamlit run dashboard.py` with a roles file whose identity comes from a trusted header
(`X-Forwarded-Email`), as an authenticating proxy would set it; Playwright sends it with every
request (extra_http_headers), including the WebSocket the app runs over. This is the path
AppTest cannot take (it has no request headers).

The warehouse is the edge-case one with a brand and a provider named
`<img src=x onerror=alert(1)>`: the pages must show that as text, never as an element.

The load test drives 10 browser contexts at once (asyncio, one Chromium) through page loads and
filter changes, and prints the p95 time from an action to a finished page.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import threading
import time
import urllib.parse

import pytest
from sqlalchemy import create_engine

from data_access.demo import build as demo_build
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from tests.access_support import MANAGER, OPERATOR_A, OPERATOR_B, Users, write_roles
from tests.browser_support import (
    PATIENCE_MS,
    StreamlitServer,
    download,
    patient,
    wait_for_app,
)
from tests.edge_warehouse import edge_frames

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.conftest_browser"]

HEADER = "X-Forwarded-Email"
IMG = "<img src=x onerror=alert(1)>"
IMG_PROVIDER = "<img src=y onerror=alert(2)>"
LINK_BRAND = '=HYPERLINK("http://evil.example/x")\nhidden after a line break www.evil.example'
LINK_PROVIDER = "Agency https://evil.example/p?q=1 or mail a@evil.example"
BELTS_A = ("linyi-apparel", "none")
BELTS_B = ("zhuji-pearls", "yiwu-small-goods")
RANGE = {"lang": "en", "preset": "custom", "from": "2021-01-01", "to": "2021-06-30"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The edge warehouse with an <img> brand (in linyi-apparel, with orders) and an <img> provider."""
    frames = edge_frames()
    brands, orders = frames["brands"], frames["orders"]
    sold = set(orders.loc[orders["ordered_at"] >= "2021-01-01", "brand_id"])
    candidates = brands[(brands["belt_id"] == "linyi-apparel") & brands["brand_id"].isin(sold)
                        & brands["name"].str.startswith("Brand ")]
    brand_id, link_brand_id = (int(b) for b in candidates["brand_id"].iloc[:2])
    brands.loc[brands["brand_id"] == brand_id, "name"] = IMG
    brands.loc[brands["brand_id"] == link_brand_id, "name"] = LINK_BRAND
    a = frames["provider_assignments"]
    linyi = brands.loc[brands["belt_id"] == "linyi-apparel", "brand_id"]
    serving = a[a["brand_id"].isin(linyi) & (a["start_on"] <= dt.date(2021, 6, 30))
                & (a["end_on"].isna() | (a["end_on"] >= dt.date(2021, 1, 1)))]
    provider_id, link_provider_id = (int(p) for p in serving["provider_id"].unique()[:2])  # in operator A's league
    providers = frames["providers"]
    providers.loc[providers["provider_id"] == provider_id, "name"] = IMG_PROVIDER
    providers.loc[providers["provider_id"] == link_provider_id, "name"] = LINK_PROVIDER
    path = tmp_path_factory.mktemp("browser_access") / "hostile.duckdb"
    url = f"duckdb:///{path}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, frames)
    engine.dispose()
    return {"url": url, "brand_id": brand_id, "provider_id": provider_id, "frames": frames,
            "link_brand_id": link_brand_id, "link_provider_id": link_provider_id}


@pytest.fixture(scope="module")
def server(hostile, tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("browser_access_server")
    roles = write_roles(folder / "roles.toml", Users(belts_a=BELTS_A, belts_b=BELTS_B, provider_id=101),
                        header=HEADER)
    server = StreamlitServer(hostile["url"], folder / "streamlit.log", env={"BELTBOARD_ROLES": str(roles)})
    server.wait_healthy()
    yield server
    server.stop()


def open_as(browser, server, user: str | None, path: str, params: dict):
    headers = {HEADER: user} if user else {}
    context = patient(browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US",
                                          extra_http_headers=headers))
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.base_url}/{path}?{urllib.parse.urlencode(params, doseq=True)}")
    wait_for_app(page)
    return context, page, dialogs


def assert_clean(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def sidebar_text(page) -> str:
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stCaptionContainer"]').first.wait_for()
    return sidebar.inner_text()


def belt_options(page, attempts: int = 6) -> list[str]:
    """The options of the sidebar's belt box (a rerun may close the list while it opens: retry soon, as the
    list opens in the browser alone; the last attempt waits patiently)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    for attempt in range(attempts):
        wait_for_app(page)
        box.locator("input").first.focus()
        page.keyboard.press("ArrowDown")  # opens the list from the keyboard (a click may only focus the box)
        options = page.get_by_role("option")
        try:
            options.first.wait_for(timeout=5_000 if attempt < attempts - 1 else PATIENCE_MS)
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        texts = [t.strip() for t in options.all_inner_texts() if t.strip() != "Select all"]
        page.keyboard.press("Escape")
        return texts


def test_the_trusted_header_signs_an_operator_in_to_their_belts_only(browser, server, hostile):
    context, page, _ = open_as(browser, server, OPERATOR_A.upper(), "sales", RANGE)
    try:
        assert_clean(page)
        assert f"Signed in as {OPERATOR_A}" in sidebar_text(page)
        note = page.get_by_text("Your belts:").first
        note.wait_for()
        assert note.inner_text().startswith("Your belts: Shandong · Linyi apparel, No belt."), note.inner_text()
        assert belt_options(page) == ["Shandong · Linyi apparel · 临沂服装", "No belt"], "with its other name"
        body = page.locator("body").inner_text()
        belts = hostile["frames"]["industry_belts"].set_index("belt_id")["name_en"]
        for other in ("zhuji-pearls", "yiwu-small-goods", "shenzhen-electronics"):
            assert belts[other] not in body
    finally:
        context.close()


def test_an_out_of_scope_belt_in_the_link_is_dropped_with_a_notice(browser, server):
    context, page, _ = open_as(browser, server, OPERATOR_B, "onboarding", {**RANGE, "belt": ["linyi-apparel"]})
    try:
        assert_clean(page)
        assert page.get_by_text("Not one of your belts, so left out").count() == 1  # not "not understood"
        assert page.get_by_text("were not understood").count() == 0
        assert "belt" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert [" · ".join(o.split(" · ")[:2]) for o in belt_options(page)] == [
            "Zhejiang · Yiwu small goods", 'Zhejiang · Zhuji pearls, "freshwater"']
    finally:
        context.close()


@pytest.mark.parametrize("user,message", [
    (None, "No identity reached the dashboard"),
    ("stranger@example.com", "has no access to this dashboard"),
])
def test_without_a_known_identity_the_browser_gets_a_message_and_no_data(browser, server, hostile, user, message):
    context, page, _ = open_as(browser, server, user, "sales", {**RANGE, "belt": "linyi-apparel"})
    try:
        assert_clean(page)
        assert page.get_by_text(message).count() == 1
        assert page.locator('[data-testid="stDataFrame"], [data-testid="stDownloadButton"], '
                            '[data-testid="stMultiSelect"], [data-testid="stMetric"]').count() == 0
        assert "Linyi" not in page.locator("body").inner_text()
    finally:
        context.close()


def assert_plain(page, text: str, dialogs: list) -> None:
    shown = page.get_by_role("heading", name=text, exact=True)  # st.header / a Markdown heading
    shown.first.wait_for()
    assert shown.first.is_visible() and shown.first.inner_text().strip() == text
    injected = page.evaluate("""() => [...document.querySelectorAll('img, [onerror]')]
        .filter(e => e.hasAttribute('onerror') || ['x', 'y'].includes(e.getAttribute('src'))).length""")
    assert injected == 0, "a name became an element"
    assert dialogs == []


def test_a_brand_named_like_html_is_shown_as_text(browser, server, hostile):
    context, page, dialogs = open_as(browser, server, MANAGER, "brand", {**RANGE, "brand": str(hostile["brand_id"])})
    try:
        assert_clean(page)
        assert_plain(page, IMG, dialogs)  # the brand page's header
        page.wait_for_timeout(1000)
        assert dialogs == []
    finally:
        context.close()


def test_a_provider_named_like_html_is_shown_as_text_to_the_operator_it_serves(browser, server, hostile):
    context, page, dialogs = open_as(browser, server, OPERATOR_A, "providers",
                                     {**RANGE, "provider": str(hostile["provider_id"])})
    try:
        assert_clean(page)
        assert_plain(page, IMG_PROVIDER, dialogs)  # the provider view's heading
    finally:
        context.close()


def assert_one_line_and_no_link(page, name: str) -> None:
    shown = page.get_by_role("heading").filter(has_text="evil.example").first
    shown.wait_for(timeout=30_000)
    assert shown.inner_text().replace("\u2060", "").strip() == name.replace("\n", " ")
    links = page.evaluate("""() => [...document.querySelectorAll('a')].map(a => new URL(a.href))
        .filter(u => u.protocol === 'mailto:' || u.hostname.includes('evil')).map(u => u.href)""")
    assert links == [], "a name became a link"  # (a heading's own #anchor is no way out)


def test_a_brand_name_with_a_url_and_a_line_break_is_one_line_of_text(browser, server, hostile):
    context, page, _ = open_as(browser, server, MANAGER, "brand", {**RANGE, "brand": str(hostile["link_brand_id"])})
    try:
        assert_clean(page)
        assert_one_line_and_no_link(page, LINK_BRAND)  # the brand page's header
    finally:
        context.close()


def test_a_provider_name_with_a_url_and_an_email_is_text(browser, server, hostile):
    context, page, _ = open_as(browser, server, OPERATOR_A, "providers",
                               {**RANGE, "provider": str(hostile["link_provider_id"])})
    try:
        assert_clean(page)
        assert_one_line_and_no_link(page, LINK_PROVIDER)  # the provider view's heading
    finally:
        context.close()


@pytest.mark.parametrize("path,lang,title", [
    ("brand/12", "en", "Page not found"), ("pages/brand.py", "zh", "页面不存在"), ("nope", "en", "Page not found")])
def test_a_path_with_no_page_shows_a_notice_and_the_pages_not_a_blank_page(browser, server, path, lang, title):
    context, page, _ = open_as(browser, server, MANAGER, path, {"lang": lang})
    try:
        assert_clean(page)
        page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
        main = page.locator('[data-testid="stMain"]')
        assert main.locator('[data-testid="stPageLink-NavLink"]').count() == 9  # every page a manager sees
        assert main.locator('[data-testid="stDataFrame"], [data-testid="stMetric"]').count() == 0
    finally:
        context.close()


def test_an_operator_s_csv_in_the_browser_is_excel_safe_and_inside_their_belts(browser, server, hostile):
    import csv
    import io
    context, page, _ = open_as(browser, server, OPERATOR_A, "sales", RANGE)
    try:
        expander = page.locator('[data-testid="stExpander"]', has_text="All brands with sales").first
        expander.locator("summary").click()
        csv_button = expander.locator(".st-key-dl_brand-multiples").get_by_role("button", name="Download CSV")
        got = download(page, csv_button.first)
        rows = list(csv.DictReader(io.StringIO(open(got.path(), encoding="utf-8-sig").read())))
        expected = REPORTS["brand_multiples"](Warehouse(hostile["url"]), Filters(
            belts=BELTS_A, date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30)))
        assert [int(r["brand_id"]) for r in rows] == [int(b) for b in expected["brand_id"]]
        assert {r["belt_id"] for r in rows} <= {"linyi-apparel", ""}
        risky = [r["brand_name"] for r in rows if r["brand_name"].lstrip(" \"'").startswith(("=", "+", "-", "@"))]
        assert risky and all(name.startswith("'") for name in risky)
        assert IMG in [r["brand_name"] for r in rows], "HTML is not a formula: it stays as it is"
    finally:
        context.close()


# ---------------------------------------------------------------- ten sessions at once

# more sessions than cores, every role at least once; BELTBOARD_LOAD_SESSIONS=10 for a heavier run by hand
SESSIONS = int(os.environ.get("BELTBOARD_LOAD_SESSIONS", "5"))
LOAD_PAGES = ["overview", "sales", "onboarding", "providers", "steps", "trust_roi"]
GRAIN_STEPS = ["Quarter", "Year", "Month"]


@pytest.fixture(scope="module")
def load_server(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    url = f"duckdb:///{folder / 'demo_synthesis.duckdb'}"
    demo_build.build(url, orders=200_000, seed=5)  # with its marts, as `make run` builds it
    frames_belts = Warehouse(url).frame(__import__("sqlalchemy").text("SELECT belt_id FROM industry_belts"))
    belts = sorted(frames_belts["belt_id"])
    roles = write_roles(folder / "roles.toml", Users(belts_a=(belts[0], belts[1], "none"), belts_b=(belts[2],),
                                                    provider_id=1), header=HEADER)
    server = StreamlitServer(url, folder / "streamlit.log", env={"BELTBOARD_ROLES": str(roles)})
    server.wait_healthy()
    yield server
    server.stop()


FINISHED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    return !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]');
}"""


async def _session(browser, base_url: str, index: int, timings: list, problems: list) -> None:
    user = [MANAGER, OPERATOR_A, OPERATOR_B][index % 3]
    context = patient(await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US",
                                                extra_http_headers={HEADER: user}))
    page = await context.new_page()
    action = "start"

    async def finished(started: float) -> None:
        await page.wait_for_function(FINISHED, timeout=PATIENCE_MS, polling=50)
        timings.append(time.perf_counter() - started)
        if await page.locator('[data-testid="stException"]').count():
            problems.append(f"session {index} {action}: an exception")
        errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
        if errors:
            problems.append(f"session {index} {action}: {errors}")

    async def choose(label: str, url_check: str) -> float:
        """Click the grain's radio until the URL shows it; the time of the first click. On a loaded machine a
        click can land while a rerun redraws the sidebar and be lost; clicking a chosen radio again is harmless."""
        started = time.perf_counter()
        deadline = started + PATIENCE_MS / 1000
        while True:
            await page.wait_for_function(FINISHED, timeout=PATIENCE_MS, polling=50)
            await page.locator('[data-testid="stSidebar"] label').filter(has_text=label).first.click()
            try:
                await page.wait_for_function(url_check, timeout=30_000)
                return started
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: the click was lost, click again
                if time.perf_counter() > deadline:
                    raise

    try:
        for step in range(2):
            path = LOAD_PAGES[(index + step) % len(LOAD_PAGES)]
            action = f"open {path}"
            started = time.perf_counter()
            await page.goto(f"{base_url}/{path}?lang=en&preset=last90")
            await page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stRadio"]', timeout=PATIENCE_MS)
            await finished(started)
            for grain in GRAIN_STEPS:
                action = f"{path} grain {grain}"
                expected = "grain=" + grain.lower() if grain != "Month" else None
                check = (f"() => location.search.includes('{expected}')" if expected
                         else "() => !location.search.includes('grain=')")
                await finished(await choose(grain, check))
    except Exception as exc:  # noqa: BLE001 - reported with the session's number and step
        problems.append(f"session {index} at {action}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def _drive(base_url: str, sessions: range, timings: list, problems: list) -> None:
    from playwright.async_api import async_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            await asyncio.gather(*(_session(chromium, base_url, i, timings, problems) for i in sessions))
        finally:
            await chromium.close()


def _in_a_thread(base_url: str, sessions: range) -> tuple[list[float], list[str], float]:
    """Drive the sessions at once, in a thread of its own (the async API must not share the sync fixtures'
    event loop); (timings, problems, wall seconds)."""
    timings: list[float] = []
    problems: list[str] = []
    worker = threading.Thread(target=lambda: asyncio.run(_drive(base_url, sessions, timings, problems)))
    started = time.perf_counter()
    worker.start()
    worker.join(timeout=1200)
    assert not worker.is_alive(), "the sessions did not finish in 20 minutes"
    return timings, problems, time.perf_counter() - started


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_concurrent_sessions_changing_filters(load_server, capsys):
    alone, problems, _ = _in_a_thread(load_server.base_url, range(3, 4))  # the same steps, one session
    assert not problems, problems
    cpu_before = cpu_seconds(load_server.process.pid)
    timings, problems, wall = _in_a_thread(load_server.base_url, range(SESSIONS))
    server_cpu = cpu_seconds(load_server.process.pid) - cpu_before
    assert not problems, problems
    assert len(timings) == SESSIONS * 2 * (1 + len(GRAIN_STEPS))
    with capsys.disabled():
        print(f"\n[load] one session alone: median {statistics.median(alone):.2f} s, p95 {p95(alone):.2f} s; "
              f"{SESSIONS} concurrent sessions (manager and two operators, one Chromium, {os.cpu_count()} CPUs "
              f"shared with the server): {len(timings)} page loads and filter changes in {wall:.1f} s, "
              f"median {statistics.median(timings):.2f} s, p95 {p95(timings):.2f} s, max {max(timings):.2f} s "
              f"to a finished page; the server used {server_cpu:.0f} CPU-seconds of it")
