"""Seconds from navigation to Streamlit's "finished running" for each page, in Debian Chromium, at 10M orders.

    .venv/bin/python bench/browser.py   # after make bench has built data/bench/duckdb-10m.duckdb
"""
import sys
import tempfile
import time
from pathlib import Path

# The checkout this file lives in (not a fixed path): its tests package and its data/bench/ warehouse.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import sync_playwright

from tests.browser_support import StreamlitServer, launch_chromium, wait_for_app

ROOT = Path(__file__).resolve().parent.parent
url = f"duckdb:///{ROOT / 'data' / 'bench' / 'duckdb-10m.duckdb'}"
pages = ["overview", "onboarding", "sales", "providers", "steps", "work_queue", "brand", "trust_roi"]
server = StreamlitServer(url, Path(tempfile.mkdtemp()) / "log")
server.wait_healthy()
try:
    with sync_playwright() as p:
        b = launch_chromium(p)
        for label in ("first visit (cold caches)", "again (warm caches)"):
            page = b.new_page(viewport={"width": 1440, "height": 900})
            times = {}
            for name in pages:
                t = time.perf_counter()
                page.goto(f"{server.base_url}/{name}?lang=en" + ("&brand=1" if name == "brand" else ""))
                wait_for_app(page)
                times[name] = time.perf_counter() - t
            page.close()
            print(label, {k: round(v, 2) for k, v in times.items()}, "max", round(max(times.values()), 2))
        b.close()
finally:
    server.stop()
