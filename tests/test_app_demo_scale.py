"""Every page renders on the 1M-order demo warehouse (the `make run` default), in both languages.

The other AppTests use a small warehouse for speed; this one proves the real default scale:
no exception, no error element, and each page's title, in Chinese and in English.
"""
import os

import pytest
from streamlit.testing.v1 import AppTest

from data_access.demo import build as demo
from tests.app_support import DASHBOARD

PAGES = ("pages/overview.py", "pages/onboarding.py", "pages/sales.py", "pages/providers.py", "pages/steps.py",
         "pages/brand.py", "pages/trust_roi.py")
TITLES = {
    "zh": ("总览", "品牌入驻增长", "销量倍数", "服务商", "STEPS 五步法", "品牌", "信任与 ROI"),
    "en": ("Overview", "Onboarding growth", "Sales multiples", "Providers", "STEPS", "Brand", "Trust & ROI"),
}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"duckdb:///{tmp_path_factory.mktemp('demo1m') / 'warehouse.duckdb'}"
    demo.build(url, orders=1_000_000, seed=7)
    saved = os.environ.get("WAREHOUSE_URL")
    os.environ["WAREHOUSE_URL"] = url
    yield url
    if saved is None:
        os.environ.pop("WAREHOUSE_URL", None)
    else:
        os.environ["WAREHOUSE_URL"] = saved


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_on_the_default_demo(demo_url, lang):
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    for page, title in zip(PAGES, TITLES[lang]):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert title in [h.value for h in at.title], (page, [h.value for h in at.title])
