"""Each page's data plan, learned from the page itself: the page runs in Streamlit's AppTest against the
warehouse (a manager's default view: no URL parameters but the brand or provider it shows), and ui/data.py
records every data call at the cache edge (`ui.data.recording`). The timing workers replay those calls in
fresh processes (bench/pages.py). So the benchmark asks the warehouse exactly what the pages ask, and a
change to a page changes its plan with no list to keep in step.

    python -m bench.plans --url URL --out FILE [--brand ID] [--provider ID]   (every page's plan, pickled)
"""
from __future__ import annotations

import argparse
import logging
import os
import pickle
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT_S = 900  # the page's first run reads a 100M-order warehouse cold


def pages() -> tuple[str, ...]:
    """The url paths of the pages a manager sees with data (Data health is the contract check, not a page's
    figures: it runs at most once an hour for every session together)."""
    from ui.navigation import PAGES
    return tuple(url_path for _, url_path, _, _ in PAGES if url_path != "data_health")


def _query(page: str, brand_id: int | None, provider_id: int | None) -> dict[str, str]:
    if page == "brand" and brand_id is not None:
        return {"brand": str(brand_id)}
    if page == "providers" and provider_id is not None:
        return {"provider": str(provider_id)}
    return {}


def record(url: str, page: str, brand_id: int | None = None, provider_id: int | None = None) -> list:
    """The data calls (ui.data.Call) of one run of `page` through dashboard.py, as a manager opening it."""
    from streamlit.testing.v1 import AppTest

    from ui import data
    from ui.navigation import PAGES

    os.environ["WAREHOUSE_URL"] = url
    path = next(p for p, url_path, _, _ in PAGES if url_path == page)
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S)
    at.query_params.update(_query(page, brand_id, provider_id))
    if page == "overview":  # the home page: the first run is the page's
        with data.recording() as calls:
            at.run()
    else:
        at.run()
        with data.recording() as calls:
            at.switch_page(path).run()
    if at.exception:
        raise RuntimeError(f"{page}: the page failed: {[e.value for e in at.exception]}")
    return list(calls)


def main(argv=None) -> int:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bench.plans")
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--brand", type=int)
    parser.add_argument("--provider", type=int)
    args = parser.parse_args(argv)
    plans = {page: record(args.url, page, args.brand, args.provider) for page in pages()}
    with open(args.out, "wb") as fh:
        pickle.dump(plans, fh)
    for page, calls in plans.items():
        print(f"{page}: {len(calls)} calls", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
