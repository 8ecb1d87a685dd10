"""`make bench`: build the benchmark warehouses (cached under data/bench/), time every page's
data work in fresh processes, print a table and write docs/benchmarks.md.

    python -m bench.run [--runs 5] [--only duckdb-10m,postgresql-10m] [--no-write]

Per warehouse and page, each run is a new process (bench/worker.py): cold is the page's calls
through ui/data.py with a new engine and empty caches, warm the same calls again (st.cache_data
hits), and the process's peak RSS. Beside them: the same SQL replayed on the raw driver (the
floor), the naive select-* pattern, and the page with marts switched off. On the 10M DuckDB warehouse, also
what `build-marts` costs after one more day of orders against a full build (bench/refresh.py), and the server
under load: 20 sessions changing filters for two minutes, no browser (bench/load.py).
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "data" / "bench"
PG_SERVER = os.environ.get("BELTBOARD_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class Target:
    name: str          # duckdb-10m …
    url: str
    orders: int


def targets() -> list[Target]:
    out = [Target(f"duckdb-{n}", f"duckdb:///{BENCH_DIR / f'duckdb-{n}.duckdb'}", orders)
           for n, orders in (("1m", 1_000_000), ("10m", 10_000_000), ("50m", 50_000_000), ("100m", 100_000_000))]
    out.append(Target("postgresql-10m", f"{PG_SERVER}/beltboard_bench_10m", 10_000_000))
    out.append(Target("chdb-10m", f"chdb:///{BENCH_DIR / 'chdb-10m'}", 10_000_000))
    out.append(Target(CLUSTER, "", 10_000_000))  # its URL once the cluster runs (ports are chosen then)
    return out


CLUSTER = "cluster-10m"  # a two-shard ClickHouse cluster (scripts/clickhouse_cluster.py), data in data/bench/


# ---------------------------------------------------------------- building the warehouses

def ensure_built(t: Target) -> None:
    """Build the demo warehouse unless one with these orders and fresh marts is already there."""
    if _ready(t):
        print(f"  {t.name}: cached")
        return
    if t.url.startswith("postgresql"):
        _ensure_pg_database(t.url)
    copy_of = BENCH_DIR / "duckdb-10m.duckdb"
    if t.name == CLUSTER and _ready(Target("duckdb-10m", f"duckdb:///{copy_of}", t.orders)):
        print(f"  {t.name}: loading {t.orders:,} orders from {copy_of.name} …", flush=True)
        command = ["load", "--from", str(copy_of), "--url", t.url]  # the same demo data, copied
    else:
        print(f"  {t.name}: building {t.orders:,} orders …", flush=True)
        command = ["demo", "--orders", str(t.orders), "--url", t.url]
    subprocess.run([sys.executable, "-m", "data_access", *command], cwd=ROOT, check=True)


def _ready(t: Target) -> bool:
    code = ("import sys\nfrom sqlalchemy import func, select\nfrom data_access.warehouse.connection import Warehouse\n"
            "from data_access.warehouse import schema\nfrom data_access.warehouse.marts import read as marts\n"
            f"wh = Warehouse({t.url!r})\nrows = wh.scalar(select(func.count()).select_from(schema.orders))\n"
            f"sys.exit(0 if rows == {t.orders} and marts.fresh(wh) else 1)")
    if t.url.startswith("duckdb") and not Path(t.url.split(":///", 1)[1]).exists():
        return False
    if t.url.startswith("chdb") and not Path(t.url.split(":///", 1)[1]).exists():
        return False
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True).returncode == 0


def _ensure_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}).scalar():
                conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        admin.dispose()


# ---------------------------------------------------------------- measuring

def worker(*args: str, timeout: int = 1800, tries: int = 2) -> dict:
    """One measurement in a new process; tried again once (a shared server may drop a connection)."""
    for _ in range(tries):
        out = subprocess.run([sys.executable, "-m", "bench.worker", *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=timeout)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode == 0 and lines:
            return json.loads(lines[-1])
    raise RuntimeError(f"bench.worker {' '.join(args)} failed:\n{out.stderr[-2000:]}")


def medians(results: list[dict]) -> dict:
    keys = results[0].keys()
    return {k: statistics.median(r[k] for r in results) for k in keys if isinstance(results[0][k], (int, float))}


def record_plans(t: Target, ids: dict) -> Path:
    """Every page's data calls, recorded while the page runs (bench/plans.py), once per warehouse."""
    plan = BENCH_DIR / f"plan-{t.name}.pkl"
    subprocess.run([sys.executable, "-m", "bench.plans", "--url", t.url, "--out", str(plan), "--brand",
                    str(ids["brand"]), "--provider", str(ids["provider"])], cwd=ROOT, check=True, timeout=3600)
    return plan


def measure_target(t: Target, runs: int, pages: list[str], ids: dict, raw_too: bool, floor: bool) -> dict:
    out = {}
    extra = ["--plan", str(record_plans(t, ids))]
    for page in pages:
        row = {}
        row["app"] = medians([worker("page", "--url", t.url, "--page", page, *extra) for _ in range(runs)])
        if floor:
            record = BENCH_DIR / f"statements-{t.name}-{page}.pkl"
            worker("page", "--url", t.url, "--page", page, *extra, "--record", str(record))
            row["sql"] = medians([worker("sql", "--url", t.url, "--replay", str(record)) for _ in range(runs)])
        if raw_too:  # for comparison only: 3 runs (several seconds each)
            row["no_marts"] = medians([worker("page", "--url", t.url, "--page", page, *extra, "--no-marts")
                                       for _ in range(min(runs, 3))])
        out[page] = row
        summary = f"cold {row['app']['cold']:.3f} s, warm {row['app']['warm'] * 1000:.0f} ms"
        if "sql" in row:
            summary += f", floor {row['sql']['cold']:.3f} s"
        if "no_marts" in row:
            summary += f", without marts {row['no_marts']['cold']:.3f} s"
        print(f"    {t.name} {page:11s} {summary}, rss {row['app']['rss_mb']:.0f} MB", flush=True)
    out["_all_pages"] = medians([worker("pages", "--url", t.url, *extra) for _ in range(max(1, runs // 2))])
    return out


def machine() -> dict:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load": os.getloadavg()}


def versions() -> dict:
    import chdb
    import duckdb
    import pandas
    import sqlalchemy
    import streamlit
    return {"duckdb": duckdb.__version__, "chdb": chdb.__version__, "sqlalchemy": sqlalchemy.__version__,
            "pandas": pandas.__version__, "streamlit": streamlit.__version__}


def measure_extras(t: Target, args, previous: dict) -> dict:
    """The naive pattern (1M and 10M DuckDB) and the marts' refresh after a day (10M DuckDB) of target t; with
    --merge and no runs asked for, those of the previous results are kept."""
    from bench import refresh as bench_refresh
    extras = {}
    if t.name in ("duckdb-1m", "duckdb-10m") and args.naive_runs:
        naive = extras["_naive"] = medians([worker("naive", "--url", t.url, timeout=3600)
                                            for _ in range(args.naive_runs)])
        print(f"    {t.name} naive select-*: first {naive['cold']:.2f} s, cached {naive['warm']:.2f} s, "
              f"rss {naive['rss_mb']:.0f} MB", flush=True)
    if t.name == "duckdb-10m" and args.refresh_runs:
        print(f"    {t.name}: build-marts in full and after a day, {args.refresh_runs} runs", flush=True)
        extras["_refresh"] = bench_refresh.measure(t.url, args.refresh_runs)
    return {key: previous[key] for key in ("_naive", "_refresh") if key in previous} | extras


def main(argv=None) -> int:
    from bench.plans import pages as page_names
    from bench.report import print_table, render
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="comma-separated warehouse names (default: all)")
    parser.add_argument("--pages", help="comma-separated pages (default: all)")
    parser.add_argument("--naive-runs", type=int, default=5)
    parser.add_argument("--refresh-runs", type=int, default=5,
                        help="full builds and refreshes after a day, on copies of the 10M DuckDB warehouse (0: none)")
    parser.add_argument("--load-seconds", type=float, default=120,
                        help="the server under load on the 10M DuckDB warehouse (bench/load.py), seconds (0: none)")
    parser.add_argument("--load-sessions", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--results", default=str(BENCH_DIR / "results.json"))
    parser.add_argument("--merge", action="store_true",
                        help="keep the other warehouses' figures from --results; re-measure only --only")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: print and write docs/benchmarks.md from --results")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads(Path(args.results).read_text())
        pages = args.pages.split(",") if args.pages else list(page_names())
        print_table(results, pages)
        if not args.no_write:
            (ROOT / "docs" / "benchmarks.md").write_text(render(results, pages))
        return 0
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    chosen = [t for t in targets() if not args.only or t.name in args.only.split(",")]
    pages = args.pages.split(",") if args.pages else list(page_names())

    with contextlib.ExitStack() as running:
        chosen = [t for t in (_with_cluster(t, running) for t in chosen) if t is not None]
        return _run(args, chosen, pages)


def _with_cluster(t: Target, running: contextlib.ExitStack) -> Target | None:
    """The cluster target with its URL, the cluster started (stopped when the run ends, however it ends)."""
    if t.name != CLUSTER:
        return t
    from scripts.clickhouse_cluster import Cluster, ClusterError
    try:
        cluster = running.enter_context(Cluster(BENCH_DIR / CLUSTER))
    except (ClusterError, OSError) as exc:
        print(f"  {t.name}: unavailable, skipped ({str(exc).splitlines()[0][:160]})")
        return None
    return dataclasses.replace(t, url=cluster.url())


def _run(args, chosen: list[Target], pages: list[str]) -> int:
    from bench.report import print_table, render
    print("building warehouses (cached in data/bench/)", flush=True)
    usable = []
    for t in chosen:
        try:
            ensure_built(t)
            usable.append(t)
        except Exception as exc:  # noqa: BLE001 - e.g. no PostgreSQL server here: measure the rest
            print(f"  {t.name}: unavailable, skipped ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})")
    chosen = usable

    results = {"machine_before": machine(), "versions": versions(), "runs": args.runs, "nice": os.nice(0),
               "started": dt.datetime.now().isoformat(timespec="seconds"), "targets": {}}
    previous = json.loads(Path(args.results).read_text()) if args.merge and Path(args.results).exists() else None
    if previous:
        results["targets"] = previous.get("targets", {})  # (a file bench.load wrote alone has only "load")
        results["machine_before"] = previous.get("machine_before", results["machine_before"])
        results["started"] = previous.get("started", results["started"])
        results["remeasured"] = previous.get("remeasured", []) + [
            {"targets": [t.name for t in chosen], "at": dt.datetime.now().isoformat(timespec="seconds"),
             "load_before": machine()["load"]}]
    started = time.perf_counter()
    for t in chosen:
        try:
            ids = worker("page", "--url", t.url, "--pick-ids")
            print(f"  measuring {t.name} (brand {ids['brand']}, provider {ids['provider']})", flush=True)
            entry = measure_target(t, args.runs, pages, ids, raw_too=t.name == "duckdb-10m",
                                   floor=t.name in ("duckdb-10m", "duckdb-50m", "duckdb-100m", "postgresql-10m",
                                                    "chdb-10m", CLUSTER))
            entry.update(measure_extras(t, args, results["targets"].get(t.name, {})))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"  {t.name}: measurement failed, left out ({str(exc).strip()[-600:]})", flush=True)
            continue
        results["targets"][t.name] = entry
        Path(args.results).write_text(json.dumps(results, indent=1, default=str))  # a crash keeps what was measured
    ten = next((t for t in chosen if t.name == "duckdb-10m"), None)
    if ten and args.load_seconds > 0:
        from bench import load
        print(f"  {ten.name}: {args.load_sessions} sessions under load for {args.load_seconds:.0f} s", flush=True)
        results["load"] = load.run_load(ten.url, args.load_sessions, args.load_seconds, load.THINK, load.SEED)
        load.print_summary(results["load"])
    elif previous and "load" in previous:
        results["load"] = previous["load"]
    results["seconds"] = time.perf_counter() - started + (previous.get("seconds", 0) if previous else 0)
    results["machine_after"] = machine()
    Path(args.results).write_text(json.dumps(results, indent=1, default=str))
    print_table(results, pages)
    if not args.no_write:
        (ROOT / "docs" / "benchmarks.md").write_text(render(results, pages))
        print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
