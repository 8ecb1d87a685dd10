"""One measurement in a fresh process; prints one JSON line. Run by bench/run.py.

    python -m bench.worker page  --url URL --plan FILE --page P [--no-marts] [--record FILE]
    python -m bench.worker pages --url URL --plan FILE (every page in one process: the app's peak RSS)
    python -m bench.worker sql   --replay FILE        (the same statements on the raw driver: the floor)
    python -m bench.worker naive --url URL            (select * from orders into pandas, then pandas)

`page` replays the page's recorded data calls (bench/plans.py) through the pages' cache edge (bench/pages.py,
as ui/data.py): cold is the first run of the page's calls in this new process (new engine, empty
st.cache_data), warm is the same calls again, answered by st.cache_data as on a rerun. Imports are
done before the clock starts.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import resource
import sys
import time
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)  # st.cache_data's "No runtime found" outside `streamlit run`


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pick_ids(url: str) -> tuple[int, int]:
    """The brand and provider the one-brand / one-provider views show: the largest by 2021 GMV."""
    from sqlalchemy import create_engine, text

    from data_access.warehouse.connection import create_warehouse_engine
    engine = create_warehouse_engine(url) if url.startswith(("chdb", "clickhousedb")) else create_engine(url)
    try:
        with engine.connect() as conn:
            brand = conn.execute(text("SELECT brand_id FROM brands ORDER BY offsite_gmv_cny DESC NULLS LAST, brand_id"
                                      " LIMIT 1")).scalar()
            provider = conn.execute(text("SELECT provider_id FROM provider_assignments GROUP BY provider_id "
                                         "ORDER BY count(*) DESC, provider_id LIMIT 1")).scalar()
    finally:
        engine.dispose()
    return int(brand), int(provider)


def _import_dialect(url: str) -> None:
    """Import the SQLAlchemy dialect's module (SQLAlchemy would on the first engine): import time
    is not data work, and a running app has done it."""
    from sqlalchemy.engine import make_url
    make_url(url).get_dialect()


def page(args) -> dict:
    from bench.pages import load_plan, refresh, run_calls
    from data_access.warehouse.marts import read as marts
    _import_dialect(args.url)
    if args.no_marts:
        marts.fresh = lambda wh: False  # read the raw tables only, as for a warehouse without marts
    recorded = []
    if args.record:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        @event.listens_for(Engine, "before_cursor_execute")
        def _record(conn, cursor, statement, parameters, context, executemany):
            recorded.append((statement, parameters))
    calls = load_plan(args.plan, args.page)
    started = time.perf_counter()
    run_calls(calls, args.url)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    run_calls(calls, args.url)
    warm = time.perf_counter() - started
    if args.record:
        with open(args.record, "wb") as fh:
            pickle.dump(recorded, fh)
    rss = peak_rss_mb()
    # The app's "Refresh data": the engine closed and every cache cleared, in a process that has
    # already run (imports and SQLAlchemy's dialect set up, as in a running server).
    refresh(args.url)
    started = time.perf_counter()
    run_calls(calls, args.url)
    cold_engine = time.perf_counter() - started
    return {"cold": cold, "warm": warm, "cold_engine": cold_engine, "calls": len(calls), "rss_mb": rss,
            "statements": len(recorded)}


def pages(args) -> dict:
    from bench.pages import load_plan, run_calls
    from bench.plans import pages as page_names
    _import_dialect(args.url)
    plans = [load_plan(args.plan, name) for name in page_names()]
    started = time.perf_counter()
    for calls in plans:
        run_calls(calls, args.url)
    return {"cold": time.perf_counter() - started, "rss_mb": peak_rss_mb()}


def sql(args) -> dict:
    """Replay recorded statements on a new raw DBAPI connection: what the engine itself takes."""
    from sqlalchemy.engine import make_url
    with open(args.replay, "rb") as fh:
        statements = pickle.load(fh)
    url = make_url(args.url)
    backend = url.get_backend_name()
    import chdb.dbapi  # noqa: F401 - imported before the clock starts, like the app's modules
    import clickhouse_connect
    import duckdb
    import psycopg

    from data_access.warehouse import cluster
    from data_access.warehouse.connection import CLICKHOUSE_CLUSTER_SETTINGS, CLICKHOUSE_SETTINGS
    started = time.perf_counter()
    if backend == "duckdb":  # read as Arrow, as the app reads DuckDB (Warehouse.frame): the fastest fetch
        con = duckdb.connect(url.database, read_only=True)
        for statement, params in statements:
            con.execute(statement, params or None)
            con.to_arrow_table() if hasattr(con, "to_arrow_table") else con.fetch_arrow_table()
    elif backend == "postgresql":
        con = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
        with con.cursor() as cur:
            for statement, params in statements:
                cur.execute(statement, params or None)
                cur.fetchall()
    elif backend == "chdb":
        con = chdb.dbapi.connect(path="/" + url.database.lstrip("/"))
        cur = con.cursor()
        cur.execute("SET join_use_nulls = 1")
        for statement, params in statements:
            cur.execute(statement, params or None)
            cur.fetchall()
    elif backend == "clickhousedb":  # a server or a cluster's coordinator, with the app's session settings
        url, on_cluster = cluster.split_url(url)
        client = clickhouse_connect.get_client(
            host=url.host, port=url.port, username=url.username or "default", password=url.password or "",
            database=url.database, settings={**CLICKHOUSE_SETTINGS, **(CLICKHOUSE_CLUSTER_SETTINGS if on_cluster
                                                                       else {})})
        for statement, params in statements:
            client.query(statement, parameters=params or None)  # the whole result, read
    else:
        raise SystemExit(f"no raw replay for {backend}")
    return {"cold": time.perf_counter() - started, "statements": len(statements), "rss_mb": peak_rss_mb()}


def naive(args) -> dict:
    from bench import naive as naive_page
    return naive_page.measure(args.url)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("page", "pages", "sql", "naive"))
    parser.add_argument("--url", required=True)
    parser.add_argument("--page")
    parser.add_argument("--plan", help="the pages' recorded data calls (python -m bench.plans)")
    parser.add_argument("--no-marts", action="store_true")
    parser.add_argument("--record")
    parser.add_argument("--replay")
    parser.add_argument("--pick-ids", action="store_true", help="print the brand and provider to show, then exit")
    args = parser.parse_args(argv)
    if args.pick_ids:
        brand, provider = _pick_ids(args.url)
        print(json.dumps({"brand": brand, "provider": provider}))
        return 0
    result = {"page": page, "pages": pages, "sql": sql, "naive": naive}[args.mode](args)
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (chDB's embedded server can take a while to stop)


if __name__ == "__main__":
    raise SystemExit(main())
