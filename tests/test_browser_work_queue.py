"""The Work queue page in a real browser on a demo warehouse: it renders in both languages with its chart and
queue, and picking a brand in the queue opens that brand's page with its diagnosis."""
import urllib.parse

import pytest
from sqlalchemy import create_engine

from data_access.demo import synthesis as demo
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from tests.browser_support import (
    StreamlitServer,
    patient,
    wait_for_app,
)

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.conftest_browser"]
ORDERS = 20_000


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"duckdb:///{tmp_path_factory.mktemp('wq_browser') / 'demo.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, demo.generate(orders=ORDERS, seed=7))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(demo_url, tmp_path_factory, browser):
    server = StreamlitServer(demo_url, tmp_path_factory.mktemp("wq_server") / "streamlit.log")
    server.wait_healthy()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = patient(browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN"))
    page = context.new_page()
    yield page
    context.close()


def open_queue(page, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/work_queue?{urllib.parse.urlencode({'lang': lang})}")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("lang, title, tile", [("zh", "待办", "停滞"), ("en", "Work queue", "Stalled")])
def test_the_work_queue_renders_on_the_demo(server, page, lang, title, tile):
    open_queue(page, server.base_url, lang)
    # the tiles come with the page's first full run: waited for (patiently), not counted at once
    page.locator('[data-testid="stMetricLabel"]', has_text=tile).first.wait_for()
    assert page.locator("h1").first.inner_text().strip() == title
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()


def test_picking_a_brand_in_the_queue_opens_its_page_with_its_diagnosis(server, page, demo_url):
    wh = Warehouse(demo_url)
    try:
        queue = REPORTS["diagnosis"](wh, Filters())
    finally:
        wh.engine.dispose()
    first = queue[queue["status"] != "on_track"].iloc[0]
    open_queue(page, server.base_url, "en")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 18)  # the first row's selection box
    page.wait_for_url("**/brand?**")
    wait_for_app(page)
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["brand"] == [str(int(first["brand_id"]))]
    page.get_by_text("Diagnosis", exact=True).first.wait_for()
