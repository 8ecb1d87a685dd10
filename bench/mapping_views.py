"""Time `check` and the Overview's data work through the worked example's views (docs/mapping/, PostgreSQL).

    python -m bench.mapping_views [ORDERS]        # default 10,000,000

Builds the example's source warehouse from the demo generator's data in a database of its own
(`beltboard_measure_<pid>`, dropped at the end), creates the contract views, then times, each in a
new process: `check --schema beltboard`; the Overview's calls (bench.worker page) without marts, i.e.
on the views themselves; `build-marts --schema beltboard --owned`; the Overview again with the marts.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

from data_access.demo import synthesis as demo
from tests import mapping_source, server_databases

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _timed(label: str, args: list[str], env: dict) -> None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    tail = (done.stdout.decode().strip().splitlines() or [""])[-1]
    print(f"{label}: exit {done.returncode}, {seconds:.1f} s wall | {tail[:300]} {done.stderr.decode()[-300:]}",
          flush=True)


def main(orders: int) -> None:
    name = server_databases.name_for("measure")
    url = server_databases.create("postgresql", name)
    try:
        started = time.perf_counter()
        frames = demo.generate(orders=orders, seed=7)
        print(f"generated {orders:,} orders in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        mapping_source.build(url, frames)
        del frames
        print(f"source warehouse and views built in {time.perf_counter() - started:.1f} s", flush=True)
        env = {**os.environ, "WAREHOUSE_SCHEMA": mapping_source.VIEWS_SCHEMA, "BELTBOARD_STATEMENT_TIMEOUT": "600"}
        schema = ["--schema", mapping_source.VIEWS_SCHEMA]
        _timed("check", ["data_access", "check", "--url", url, *schema], env)
        _timed("overview, views only", ["bench.worker", "page", "--url", url, "--page", "overview", "--no-marts"], env)
        _timed("build-marts", ["data_access", "build-marts", "--url", url, *schema, "--owned"], env)
        _timed("overview, marts", ["bench.worker", "page", "--url", url, "--page", "overview"], env)
    finally:
        server_databases.drop("postgresql", name)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
