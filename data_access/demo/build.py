"""Building the demo warehouse: synthesis.py makes its rows, warehouse.build.whole writes them."""
from __future__ import annotations

import argparse
import time

from sqlalchemy.engine import make_url

from .. import config
from ..warehouse import schema
from ..warehouse.build import load, whole
from ..warehouse.connection import describe_safely
from ..warehouse.marts import build as marts
from .synthesis import Demo, synthesize

CHUNK_ROWS = 2_000_000


def _load_demo(engine, demo: Demo) -> None:
    load.load_frames(engine, demo.frames)
    orders, demo.orders = demo.orders, None  # the marts read the warehouse: the arrays go once loaded
    for start in range(0, len(orders), CHUNK_ROWS):
        load.load_frames(engine, {"orders": orders.frame(start, start + CHUNK_ROWS)})
    del orders
    marts.build_into(engine)  # the pre-aggregated marts, refreshed with the data


def build(url: str | None = None, orders: int = 1_000_000, seed: int = 7) -> float:
    """Build the demo warehouse at url (None: the embedded DuckDB file); returns seconds taken.

    A DuckDB or SQLite file is replaced atomically (a new file, renamed over the old). A
    PostgreSQL or MariaDB database is built in a staging schema / database and swapped in at
    once (writing.staged). Any warehouse that already holds contract tables that beltboard did
    not create is refused."""
    started = time.perf_counter()
    demo = synthesize(orders, seed)
    counts = {name: len(frame) for name, frame in demo.frames.items()} | {"orders": len(demo.orders)}
    target_url = make_url(url or config.default_url())
    whole.write(target_url, lambda engine: _load_demo(engine, demo))
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{counts[name]:,} {name}" for name in schema.TABLE_NAMES)
    print(f"demo warehouse ({describe_safely(target_url)}) seed {seed}: {summary} in {seconds:.1f} s")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.demo.build", description="build the demo warehouse")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="target (default: the embedded DuckDB file data/warehouse.duckdb)")
    args = parser.parse_args(argv)
    build(args.url, orders=args.orders, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
