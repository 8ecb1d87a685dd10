"""`make bench`'s refresh figures: what bringing the marts up to date after one more day of orders costs, against
a full build, on a DuckDB warehouse (issue 13: ≤ 5 % at 10M orders).

    python -m bench.refresh --url duckdb:///data/bench/duckdb-10m.duckdb [--runs 5]

Each run works on a copy of the warehouse in data/bench/ (the source is never written), each step in a new
process, timed by build-marts itself (data_access.warehouse.marts.refresh.Outcome.seconds: from the engine, made
once its driver is imported, through the first connection to the last write and CHECKPOINT), and by that
process's CPU time
over the same call (the driver's import included: it is load-independent):
- full: `build-marts --full` on the copy;
- a day: the last day's orders again, one day later, with new order ids (the same buyers of the same
  brands ordering again, so that existing pairs get new orders), and the last day's campaigns again as
  new campaigns (not timed);
- refresh: `build-marts`, which must refresh incrementally.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIES = ROOT / "data" / "bench"  # gitignored


def append_a_day(path: str) -> int:
    """Append to the DuckDB file at `path` its last day's orders and campaigns once more, a day later, with new ids;
    returns the number of orders appended."""
    import duckdb
    con = duckdb.connect(path)
    try:
        last_day, max_order, max_campaign = con.execute(
            "SELECT max(CAST(ordered_at AS DATE)), max(order_id), (SELECT max(campaign_id) FROM campaigns) "
            "FROM orders").fetchone()
        first_of_day = con.execute("SELECT min(order_id) FROM orders WHERE ordered_at >= ?", [last_day]).fetchone()[0]
        con.execute("INSERT INTO campaigns SELECT campaign_id + ?, brand_id, provider_id, start_on + 1, spend_cny, "
                    "objective FROM campaigns WHERE start_on = ?", [max_campaign, last_day])
        shift = max_order + 1 - first_of_day  # the new ids follow the last one
        con.execute("INSERT INTO orders SELECT order_id + ?, brand_id, buyer_id, ordered_at + INTERVAL 1 DAY, channel, "
                    "traffic_source, campaign_id, channel_exclusive, gmv_cny, refunded, returned, "
                    "return_shipping_insured FROM orders WHERE ordered_at >= ?", [shift, last_day])
        appended = con.execute("SELECT count(*) FROM orders WHERE order_id > ?", [max_order]).fetchone()[0]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return int(appended)


def _build_marts(url: str, full: bool) -> dict:
    """build-marts (--full) in a new process; its outcome."""
    code = ("import json, time\nfrom data_access.warehouse.marts.refresh import refresh\n"
            "cpu = time.process_time()\n"
            f"o = refresh({url!r}, full={full}, quiet=True)\n"
            "print(json.dumps({'how': o.plan.how, 'seconds': o.seconds, 'cpu': time.process_time() - cpu, "
            "'reason': o.plan.reason, 'new_orders': o.plan.new_orders, 'new_campaigns': o.plan.new_campaigns}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(url: str, runs: int) -> dict:
    """`runs` pairs of (full build, refresh after a day), each on a new copy of the warehouse at `url`: every run's
    seconds, CPU seconds and load, their medians, and the refresh's share of a full build (the median of the runs'
    ratios: a full build and its refresh run back to back, under the same load)."""
    source = url.split(":///", 1)[1]
    COPIES.mkdir(parents=True, exist_ok=True)
    copy = str(COPIES / "refresh-copy.duckdb")  # never beside the source, which may be a shared read-only one
    measured = []
    try:
        for _ in range(runs):
            shutil.copyfile(source, copy)
            full = _build_marts(f"duckdb:///{copy}", full=True)
            appended = append_a_day(copy)
            refreshed = _build_marts(f"duckdb:///{copy}", full=False)
            if refreshed["how"] != "incremental":
                raise RuntimeError(f"the refresh after a day was not incremental: {refreshed}")
            measured.append({"full": full["seconds"], "full_cpu": full["cpu"], "refresh": refreshed["seconds"],
                             "refresh_cpu": refreshed["cpu"], "orders": appended,
                             "campaigns": refreshed["new_campaigns"], "load": os.getloadavg()[0]})
            m = measured[-1]
            print(f"    full {m['full']:.2f} s ({m['full_cpu']:.2f} s CPU), a day ({appended:,} orders, "
                  f"{m['campaigns']} campaigns) {m['refresh']:.2f} s ({m['refresh_cpu']:.2f} s CPU), "
                  f"{m['refresh'] / m['full']:.1%}, load {m['load']:.1f}", flush=True)
    finally:
        for path in (copy, copy + ".wal"):
            if os.path.exists(path):
                os.remove(path)

    def median(key):
        return statistics.median(m[key] for m in measured)
    return {"runs": measured, "full": median("full"), "refresh": median("refresh"), "full_cpu": median("full_cpu"),
            "refresh_cpu": median("refresh_cpu"), "orders": measured[-1]["orders"],
            "campaigns": measured[-1]["campaigns"],
            "ratio": statistics.median(m["refresh"] / m["full"] for m in measured),
            "cpu_ratio": statistics.median(m["refresh_cpu"] / m["full_cpu"] for m in measured)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refresh")
    parser.add_argument("--url", required=True, help="a DuckDB warehouse with fresh marts (copied, never written)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    result = measure(args.url, args.runs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
