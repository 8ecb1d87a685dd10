"""Fixtures for the AppTests of the dashboard (loaded with `pytest_plugins` by tests/test_app_*.py).

`app_warehouse`: a small demo warehouse (data_access.demo.synthesis.generate), built once per session in a
temporary DuckDB file; WAREHOUSE_URL points at it for the session.
`run_app(...)`: an AppTest of dashboard.py, run once (optionally with query parameters, a
browser locale, and then switched to a page), with the download buttons' bytes recorded.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest, app_test as app_test_module

from data_access.demo import synthesis as demo
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from tests.app_support import (
    DASHBOARD,
    DEMO_ORDERS,
    DEMO_SEED,
    AppWarehouse,
    RecordingMediaFileManager,
    RecordingMediaStorage,
)


@pytest.fixture(scope="session")
def app_warehouse(tmp_path_factory) -> AppWarehouse:
    path = tmp_path_factory.mktemp("app") / "demo.duckdb"
    url = f"duckdb:///{path}"
    frames = demo.generate(orders=DEMO_ORDERS, seed=DEMO_SEED)
    engine = create_engine(url)
    try:
        load.create_tables(engine)
        engine.dispose()  # a fresh connection for the bulk load
        load.load_frames(engine, frames)
    finally:
        engine.dispose()  # duckdb: the app's read-only engine cannot open a file a writer holds
    saved = os.environ.get("WAREHOUSE_URL")
    os.environ["WAREHOUSE_URL"] = url
    wh = Warehouse(url)
    try:
        yield AppWarehouse(url=url, wh=wh, frames=frames)
    finally:
        wh.engine.dispose()
        if saved is None:
            os.environ.pop("WAREHOUSE_URL", None)
        else:
            os.environ["WAREHOUSE_URL"] = saved


@pytest.fixture
def run_app(app_warehouse, monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingMediaStorage)
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)

    def run(query: dict | None = None, page: str | None = None, locale: str | None = None) -> AppTest:
        at = AppTest.from_file(DASHBOARD, default_timeout=60)
        at.query_params.update(query or {})
        if locale:
            at.context["locale"] = locale
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if page:
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run
