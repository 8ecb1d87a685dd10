"""What only a real browser shows: routing on a fresh server, URL state, clicks, downloads, fonts.

A real `streamlit run dashboard.py` on a free port, driven by Debian's Chromium through
Playwright, reading the edge-case warehouse (its brand names look like spreadsheet formulas).
"""
import csv
import datetime as dt
import io
import re
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import create_engine

from data_access.export.csv_file import BOM
from data_access.metrics.reports import brand_multiples
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from tests.browser_support import (
    RECORD_GRID_TEXTS,
    StreamlitServer,
    download,
    grid_texts,
    patient,
    truncated_tile_texts,
    wait_for_app,
)
from tests.edge_warehouse import edge_frames

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.conftest_browser"]

PAGES = {  # url path -> (Chinese title, English title)
    "overview": ("总览", "Overview"),
    "onboarding": ("品牌入驻增长", "Onboarding growth"),
    "sales": ("销量倍数", "Sales multiples"),
    "providers": ("服务商", "Providers"),
    "steps": ("STEPS 五步法", "STEPS"),
    "work_queue": ("待办", "Work queue"),
    "brand": ("品牌", "Brand"),
    "trust_roi": ("信任与 ROI", "Trust & ROI"),
}
SHARED = {"lang": "zh", "preset": "custom", "from": "2021-04-01", "to": "2021-06-30", "grain": "quarter",
          "belt": "linyi-apparel"}


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "edge.duckdb"
    url = f"duckdb:///{path}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    return url


def start_server(warehouse_url, tmp_path_factory) -> StreamlitServer:
    server = StreamlitServer(warehouse_url, tmp_path_factory.mktemp("server") / "streamlit.log")
    server.wait_healthy()
    return server


@pytest.fixture(scope="module")
def server(warehouse_url, tmp_path_factory, browser):
    server = start_server(warehouse_url, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = patient(browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                           accept_downloads=True))
    context.add_init_script(RECORD_GRID_TEXTS)  # what the tables draw on their canvas, for "no None in a cell"
    page = context.new_page()
    yield page
    context.close()


def query(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def path_of(page) -> str:
    return urllib.parse.urlparse(page.url).path.strip("/") or "overview"


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def assert_clean(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def goto(page, base_url: str, path: str, params: dict) -> None:
    page.goto(f"{base_url}/{path}?{urllib.parse.urlencode(params, doseq=True)}")
    wait_for_app(page)


def test_first_session_after_start_restores_a_shared_link(browser, warehouse_url, tmp_path_factory):
    """The very first session of a fresh server: legacy pages/ mode must not misroute it."""
    server = start_server(warehouse_url, tmp_path_factory)
    context = patient(browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN"))
    try:
        page = context.new_page()
        goto(page, server.base_url, "trust_roi", SHARED)
        assert path_of(page) == "trust_roi"
        assert heading(page) == PAGES["trust_roi"][0]
        assert page.get_by_text("Page not found").count() == 0, "legacy routing must not leak a notice"

        assert page.get_by_text("数据截至").count() >= 1, "the frame (sidebar, data as of) wraps the page"
        assert_clean(page)
        for key, value in SHARED.items():
            assert query(page).get(key) == [value], (key, page.url)

        page.locator('[data-testid="stSidebarNav"] a', has_text=PAGES["providers"][0]).first.click()
        page.wait_for_url("**/providers**")
        wait_for_app(page)
        assert heading(page) == PAGES["providers"][0]
        for key, value in SHARED.items():
            assert query(page).get(key) == [value], ("after switching pages", key, page.url)

        page.reload()
        wait_for_app(page)
        assert path_of(page) == "providers"
        for key, value in SHARED.items():
            assert query(page).get(key) == [value], ("after a reload", key, page.url)
        assert_clean(page)
    finally:
        context.close()
        server.stop()


def cjk_renders(page) -> bool:
    """A CJK string is drawn with real glyphs: its width differs from the same count of missing glyphs."""
    return page.evaluate("""() => {
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = '20px ' + getComputedStyle(document.querySelector('h1')).fontFamily;
        return Math.abs(ctx.measureText('品牌入驻增长').width - ctx.measureText('\\u0378'.repeat(6)).width) > 1;
    }""")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_with_charts(server, page, path, lang):
    """Each page at 1440 px in each language: its title and tab title, its charts in CJK glyphs, every tile's text
    in full (no ellipsis), and no table cell drawing "None"."""
    params = {**SHARED, "lang": lang, "belt": []}
    if path == "brand":
        params["brand"] = "1"
    goto(page, server.base_url, path, params)
    title = PAGES[path][0 if lang == "zh" else 1]
    assert heading(page) == title
    assert_clean(page)
    page.wait_for_function("t => document.title === t", arg=f"{title} · beltboard")  # its own browser-tab title
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.wait_for()  # every page draws at least one chart
    charts.first.locator("canvas, svg").first.wait_for()
    assert cjk_renders(page), "Chinese text must render with a CJK font, not as empty boxes"
    if lang == "zh":
        assert page.get_by_text("数据截至").count() >= 1
    assert page.locator('[data-testid="stMetric"]').count() > 0
    assert truncated_tile_texts(page) == [], "a tile's label, value, change and trail read in full"
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.wait_for_function("() => window.__gridTexts && window.__gridTexts.size > 0")
    drawn = grid_texts(page)
    assert "None" not in drawn and not [t for t in drawn if t.startswith("None")], sorted(drawn)[:40]


def pick_option(page, widget, text: str, attempts: int = 3, shown: str | None = None) -> None:
    """Open a multiselect, type to search and click the matching option, the one showing `shown` (default: the text
    typed); a rerun may close it: retry."""
    for attempt in range(attempts):
        widget.locator("input").first.click()
        page.keyboard.type(text)
        option = page.get_by_role("option").filter(has_text=shown or text).first
        try:
            option.wait_for(timeout=30_000)
            option.click()
            page.keyboard.press("Escape")
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)


def test_choosing_a_belt_in_the_sidebar_narrows_and_updates_the_url(server, page):
    """In the Chinese UI, typing a belt's pinyin (its English name) finds it: "linyi" is 临沂服装."""
    goto(page, server.base_url, "overview", {**SHARED, "belt": []})
    assert "belt" not in query(page)
    belts = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    pick_option(page, belts, "linyi", shown="临沂服装")
    page.wait_for_function("() => location.search.includes('belt=linyi-apparel')")
    wait_for_app(page)
    assert query(page)["belt"] == ["linyi-apparel"]
    assert_clean(page)


def test_clicking_a_belt_in_a_chart_narrows_the_filters(server, page):
    goto(page, server.base_url, "onboarding", {**SHARED, "belt": [], "grain": "year", "from": "2020-01-01",
                                               "to": "2021-12-31"})
    # The belt ranking is the chart after the caption that invites a click.
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text="产业带").filter(has_text="点击")
    chart = caption.first.locator("xpath=following::*[@data-testid='stVegaLiteChart'][1]")
    chart.locator("canvas, svg").first.wait_for()
    chart.scroll_into_view_if_needed()
    box = chart.locator("canvas, svg").first.bounding_box()
    # The top bar is the biggest belt: click inside it, near the left of the plot, and give each click time to
    # reach the server and the URL (seconds on a loaded machine) before trying a little lower.
    for dy in range(10, 60, 6):
        page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + dy)
        try:
            page.wait_for_function("() => location.search.includes('belt=')", timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_function("() => location.search.includes('belt=')")
    wait_for_app(page)
    assert len(query(page)["belt"]) == 1
    assert_clean(page)


def test_csv_download_matches_the_table_and_is_excel_safe(server, page, warehouse_url):
    params = {**SHARED, "belt": [], "lang": "en"}
    goto(page, server.base_url, "sales", params)
    expander = page.locator('[data-testid="stExpander"]', has_text="All brands with sales").first
    expander.locator("summary").click()
    csv_button = expander.locator('.st-key-dl_brand-multiples').get_by_role("button", name="Download CSV")
    got = download(page, csv_button.first)
    assert got.suggested_filename == "brand-multiples_2021-04-01_2021-06-30.csv"  # what is inside
    data = open(got.path(), "rb").read()
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[len(BOM):])))
    expected = brand_multiples(Warehouse(warehouse_url), Filters(date_from=dt.date(2021, 4, 1),
                                                                 date_to=dt.date(2021, 6, 30), grain="quarter"))
    assert len(rows) - 1 == len(expected)
    assert [r[0] for r in rows[1:]] == [str(b) for b in expected["brand_id"]]
    names = [r[1] for r in rows[1:]]
    risky = [n for n in names if n.lstrip(" \"'").startswith(("=", "+", "-", "@", "|", "%"))]
    assert risky and all(n.startswith("'") for n in risky), risky


MONEY_FORMAT, RATE_FORMAT, MULTIPLE_FORMAT, COUNT_FORMAT = '"¥"#,##0.00', "0.0%", '0.0"×"', "#,##0"
EXCEL_OF_PAGE = {  # page -> (the download taken, the number formats its table must show)
    "overview": ("managed-by-split", {MONEY_FORMAT, RATE_FORMAT}),
    "onboarding": ("onboarding", {COUNT_FORMAT}),  # brands onboarded: the page has no money or rate
    "sales": ("sales", {MONEY_FORMAT, MULTIPLE_FORMAT}),
    "providers": ("providers", {MONEY_FORMAT, RATE_FORMAT}),
    "steps": ("steps-evidence", {MONEY_FORMAT, RATE_FORMAT}),
    "work_queue": ("work-queue", {MONEY_FORMAT}),
    "trust_roi": ("roi", {MONEY_FORMAT, RATE_FORMAT}),
    "brand": ("brand-{brand}-gmv", {MONEY_FORMAT}),
}


@pytest.mark.parametrize("path", list(EXCEL_OF_PAGE))
def test_every_page_s_excel_download_opens_in_chinese_with_its_about_sheet(server, page, warehouse_url, path):
    """One Excel file per page, downloaded in Chinese as a person would: Chinese headers, numbers as numbers in
    their formats (money in ¥ and rates as percentages where the table has them), and the About sheet naming the
    filters and whose data it is."""
    import openpyxl

    from data_access.words.messages import t
    params = dict(SHARED)
    key, formats = EXCEL_OF_PAGE[path]
    if path == "brand":
        linyi = Filters(date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 6, 30), belts=("linyi-apparel",))
        params["brand"] = str(int(brand_multiples(Warehouse(warehouse_url), linyi)["brand_id"].iloc[0]))
        key = key.format(brand=params["brand"])
    goto(page, server.base_url, path, params)
    button = page.locator(f".st-key-xl_{key} button").first
    button.wait_for(state="attached")
    if not button.is_visible():  # inside a closed expander
        button.locator("xpath=ancestor::details[1]/summary").click()
    button.scroll_into_view_if_needed()
    got = download(page, button)
    assert got.suggested_filename.endswith("linyi-apparel.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(got.path(), "rb").read()))  # the path has no .xlsx
    assert book.sheetnames == ["数据", "说明"]
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    assert headers and all(any("\u4e00" <= ch <= "\u9fff" for ch in h) or h.isupper() for h in headers), headers
    numbers = [c for row in data.iter_rows(min_row=2) for c in row if isinstance(c.value, (int, float))
               and not isinstance(c.value, bool)]
    assert numbers and all(c.number_format != "General" for c in numbers)
    assert formats <= {c.number_format for c in numbers}, {c.number_format for c in numbers}
    about = {}
    for label, value, *_ in book.worksheets[1].iter_rows(values_only=True):
        if label is None:
            break  # the column definitions follow a blank row
        about[label] = value
    assert about["日期范围"] == "2021-04-01 – 2021-06-30" and "临沂" in about["产业带"]
    assert about["数据范围"] == t("manager · every belt", "zh")


def test_a_table_s_toolbar_offers_no_download_of_its_own(server, page):
    """The only way out of a table is our Download CSV (neutralised, audited, the CLI's bytes): Streamlit's own
    toolbar download (and copy) is switched off (client.disableDataExport), while its other tools stay."""
    goto(page, server.base_url, "sales", {**SHARED, "belt": [], "lang": "en"})
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    grid.hover()
    container = grid.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]")
    toolbar = container.locator('[data-testid="stElementToolbar"]').filter(has=page.locator("button")).first
    toolbar.wait_for()
    labels = [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.locator("button").all()]
    assert labels, "the toolbar shows its other tools"
    assert not [label for label in labels if "download" in label.lower()], labels


def test_picking_a_brand_in_a_table_opens_its_page(server, page):
    goto(page, server.base_url, "steps", {**SHARED, "belt": [], "lang": "en"})
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text="Select a row to open the brand page").first
    grid = caption.locator("xpath=preceding::*[@data-testid='stDataFrame'][1]")
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 18)  # the first row's selection box
    page.wait_for_url("**/brand?**")
    wait_for_app(page)
    assert query(page).get("brand"), page.url
    assert heading(page) != PAGES["steps"][1]
    assert_clean(page)


def test_the_brand_page_without_a_brand_is_a_directory(server, page):
    """No brand in the link: a table of the selected brands (money as the tiles write it), searched by a belt's
    English name, and a picked row opens the brand."""
    goto(page, server.base_url, "brand", {**SHARED, "lang": "zh", "belt": []})
    assert heading(page) == PAGES["brand"][0]
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    page.wait_for_function("() => window.__gridTexts && window.__gridTexts.size > 0")
    drawn = grid_texts(page)
    assert "品牌" in drawn and "None" not in drawn, sorted(drawn)[:40]
    money = [t for t in drawn if t.startswith("¥")]
    assert money and not [t for t in money if re.fullmatch(r"¥\d{1,3}(,\d{3}){2,}", t)], "¥6,518万, not ¥65,182,426"
    before = page.locator('[data-testid="stCaptionContainer"]', has_text="页").first.inner_text()
    search = page.locator('[data-testid="stTextInput"] input').first
    search.fill("Linyi")
    search.press("Enter")
    page.wait_for_function("b => ![...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
                           ".some(c => c.innerText === b)", arg=before)
    wait_for_app(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 18)  # the first row's selection box
    page.wait_for_function("() => new URLSearchParams(location.search).has('brand')")
    wait_for_app(page)
    page.get_by_role("button", name="全部品牌").wait_for()  # the brand's own page, with its way back
    page.locator('[data-testid="stMetric"]').first.wait_for()  # and its tiles
    wait_for_app(page)
    assert_clean(page)


def test_a_brand_the_warehouse_contradicts_says_what_it_holds(server, page, warehouse_url):
    """managed_by = provider and no provider assignment ever (a real warehouse may hold one): said plainly."""
    frames = edge_frames()
    brands, assigned = frames["brands"], set(frames["provider_assignments"]["brand_id"])
    brand_id = int(brands.loc[(brands["managed_by"] == "provider") & ~brands["brand_id"].isin(assigned),
                              "brand_id"].iloc[0])
    goto(page, server.base_url, "brand", {**SHARED, "lang": "en", "belt": [], "brand": str(brand_id)})
    page.locator('[data-testid="stMetric"]').first.wait_for()
    note = page.locator('[data-testid="stAlert"]', has_text="managed_by = provider")
    assert note.count() == 1 and "holds no provider assignment" in note.inner_text()
    assert page.get_by_text("No provider has served this brand: it is run by platform staff").count() == 0
