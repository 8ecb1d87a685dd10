"""The benchmark's page plans are learned from the pages (bench/plans.py records each data call at ui/data.py's
cache edge while AppTest runs the page) and replay through the benchmark's own cache edge (bench/pages.py)."""
from __future__ import annotations

import pickle

from bench import pages as bench_pages, plans
from data_access.metrics.catalogue import DATASETS

pytest_plugins = ["tests.conftest_app"]


def test_every_page_is_planned():
    from ui.navigation import PAGES
    assert set(plans.pages()) == {url_path for _, url_path, _, _ in PAGES} - {"data_health"}


def test_a_recorded_plan_names_catalogue_datasets_and_replays(app_warehouse, tmp_path):
    brand = int(app_warehouse.frames["brands"]["brand_id"].iloc[0])
    recorded = {page: plans.record(app_warehouse.url, page, brand_id=brand) for page in ("overview", "brand")}
    for page, calls in recorded.items():
        reports = [c for c in calls if c.kind == "report"]
        assert calls[0].kind == "meta" and reports, page
        assert all(c.name in DATASETS for c in reports), page
    # the overview asks for the GMV of the range and, for its tiles, of the range reaching back one period
    sales = [c.f for c in recorded["overview"] if c.name == "sales"]
    assert len(sales) == 2 and sales[1].date_from < sales[0].date_from
    # the brand page asks for that brand's datasets
    assert any(c.name == "brand_profile" and c.f.brand_ids == (brand,) for c in recorded["brand"])
    path = tmp_path / "plan.pkl"
    path.write_bytes(pickle.dumps(recorded))
    bench_pages.run_calls(bench_pages.load_plan(str(path), "brand"), app_warehouse.url)
