"""The server under load, without browsers: N sessions change filters and pages against one `streamlit run
serve.py` for a while; each page's time from the request to the run's end, and the server's RSS.

    python -m bench.load [--url URL] [--sessions 20] [--seconds 120] [--think 2,6] [--seed 7]
                         [--results data/bench/results.json] [--no-write]

Each session is one WebSocket speaking Streamlit's own protocol (tests/streamlit_client.py: the BackMsg a
browser sends, the ForwardMsgs it gets back), so the server does for it all it does for a browser: runs the
page script, its data calls and charts, and streams every element. A session opens a page, then, after a
pause to read it (`--think`, seconds, uniform), either changes the filters (a new preset or date range, a
grain, belts, a category, …: what the sidebar writes into the URL) or goes to another page with the same
filters, until the time is up. A page's time is from sending the request to the server's `script_finished`
(reruns the page asks for included) — what a reader waits for, less the browser's drawing. The server's
RSS is sampled every half second (and its peak, VmHWM, read at the end). Every run must finish with no
exception element and no "page not found": a run that does not counts as an error and is reported.

By default every filter change asks for a view nobody asked for before (every answer computed, none from the
cache: the worst case); with `--shared-views K` the readers pick among K views, as a team follows the same few
links. The figures go into the results file (key "load", or "load_shared") and docs/benchmarks.md
(bench/report.py).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/: the server and the protocol client the tests use

from data_access.views.links import PRESETS  # noqa: E402
from data_access.warehouse import schema  # noqa: E402
from data_access.warehouse.filters import GRAINS  # noqa: E402

DEFAULT_URL = f"duckdb:///{ROOT / 'data' / 'bench' / 'duckdb-10m.duckdb'}"
RESULTS = ROOT / "data" / "bench" / "results.json"
# The pages a reader moves between, weighted roughly as a brand team uses them (Data health is the contract
# check, managers only, at most once an hour for every session together: left out, as in bench/plans.py).
PAGES = {"overview": 4, "sales": 3, "trust_roi": 2, "providers": 2, "steps": 2, "brand": 2, "onboarding": 1,
         "work_queue": 1}
THINK, SEED = (2.0, 6.0), 7  # a reader's pause between pages (seconds, uniform); the sessions' random seed
FIRST_DAY, LAST_DAY = dt.date(2020, 1, 1), dt.date(2021, 12, 31)  # the demo warehouse's calendar


@dataclass(frozen=True)
class Choices:
    """What the filters can be set to on this warehouse."""
    belts: tuple[str, ...]
    provinces: tuple[str, ...]
    brands: tuple[int, ...]      # the brand page shows one of the largest
    providers: tuple[int, ...]
    views: tuple[dict, ...] = ()  # with --shared-views: the views every reader picks from (a team's usual links)


def warehouse_choices(url: str) -> Choices:
    from sqlalchemy import func, select

    from data_access.warehouse.connection import create_warehouse_engine
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as conn:
            belts = conn.execute(select(schema.industry_belts.c.belt_id, schema.industry_belts.c.province)).all()
            brands = conn.execute(select(schema.brands.c.brand_id)
                                  .order_by(schema.brands.c.offsite_gmv_cny.desc().nulls_last(),
                                            schema.brands.c.brand_id).limit(50)).scalars().all()
            pa = schema.provider_assignments
            providers = conn.execute(select(pa.c.provider_id).group_by(pa.c.provider_id)
                                     .order_by(func.count().desc(), pa.c.provider_id).limit(20)).scalars().all()
    finally:
        engine.dispose()
    return Choices(tuple(sorted(b for b, _ in belts)) + (schema.NO_BELT,), tuple(sorted({p for _, p in belts})),
                   tuple(int(b) for b in brands), tuple(int(p) for p in providers))


def random_filters(rng: random.Random, choices: Choices, lang: str) -> dict[str, list[str]]:
    """One view's URL parameters, as the sidebar writes them: a preset (or a custom range), a grain, and
    sometimes belts, a province, categories, a brand type, who manages the brands; one of the shared views when
    there are some."""
    if choices.views:
        return {**rng.choice(choices.views), "lang": [lang]}
    q: dict[str, list[str]] = {"lang": [lang], "preset": [rng.choice(PRESETS)], "grain": [rng.choice(GRAINS)]}
    if q["preset"] == ["custom"]:
        start = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days - 30))
        end = min(LAST_DAY, start + dt.timedelta(days=rng.randrange(30, 540)))
        q["from"], q["to"] = [start.isoformat()], [end.isoformat()]
    if rng.random() < 0.3:
        q["belt"] = rng.sample(choices.belts, rng.choice((1, 1, 2, 3)))
    if rng.random() < 0.15:
        q["province"] = [rng.choice(choices.provinces)]
    if rng.random() < 0.3:
        q["category"] = rng.sample(schema.CATEGORIES, rng.choice((1, 2)))
    if rng.random() < 0.2:
        q["brand_type"] = [rng.choice(schema.BRAND_TYPES)]
    if rng.random() < 0.2:
        q["managed_by"] = [rng.choice(schema.MANAGED_BY)]
    return q


def page_query(rng: random.Random, page: str, filters: dict, choices: Choices) -> dict[str, list[str]]:
    """The filters plus what the page itself needs (the brand page: a brand; providers: sometimes one)."""
    extra = {}
    if page == "brand":
        extra["brand"] = [str(rng.choice(choices.brands))]
    elif page == "providers" and rng.random() < 0.5:
        extra["provider"] = [str(rng.choice(choices.providers))]
    return {**filters, **extra}


@dataclass
class Visit:
    session: int
    page: str
    action: str       # open, filters, page
    started: float    # seconds since the load began
    seconds: float
    error: str = ""   # why the run did not count as a good page (exception, not found, timeout)
    elements: int = 0


def check(run) -> str:
    """Why a run is not a good page, or "" (tests/streamlit_client.Run)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    if run.page_not_found:
        return "page not found"
    if "exception" in run.kinds:
        return "exception: " + next((t for t in run.texts if ":" in t), "")[:200]
    status = run.messages[-1].script_finished if run.messages else None
    if status != ForwardMsg.FINISHED_SUCCESSFULLY:
        return f"finished as {ForwardMsg.ScriptFinishedStatus.Name(status) if status is not None else 'nothing'}"
    if not run.kinds:
        return "no elements"
    return ""


def session(number: int, base_url: str, choices: Choices, seed: int, t0: float, until: float,
            think: tuple[float, float], visits: list[Visit], lock: threading.Lock) -> None:
    """One reader: open a page, then change filters or pages after a pause, until `until`."""
    from tests.streamlit_client import StreamlitClient
    rng = random.Random(seed * 1000 + number)
    lang = rng.choice(("zh", "en"))
    names, weights = list(PAGES), list(PAGES.values())
    page, filters, action = rng.choices(names, weights)[0], random_filters(rng, choices, lang), "open"
    try:
        with StreamlitClient(base_url, timeout=120) as client:
            while True:
                started = time.perf_counter()
                error, elements = "", 0
                try:
                    run = client.run(page, page_query(rng, page, filters, choices))
                    error, elements = check(run), len(run.kinds)
                except TimeoutError as exc:
                    error = f"timeout: {exc}"[:200]
                elapsed = time.perf_counter() - started
                with lock:
                    visits.append(Visit(number, page, action, started - t0, elapsed, error, elements))
                if error.startswith("timeout"):
                    return  # the connection's state is unknown: this reader gives up, as a person would
                pause = rng.uniform(*think)
                if time.perf_counter() + pause >= until:
                    return
                time.sleep(pause)
                if rng.random() < 0.6:
                    filters, action = random_filters(rng, choices, lang), "filters"
                else:
                    page, action = rng.choices([n for n in names if n != page],
                                               [w for n, w in PAGES.items() if n != page])[0], "page"
    except OSError as exc:  # the connection refused or dropped: one error, this reader stops
        with lock:
            visits.append(Visit(number, page, action, time.perf_counter() - t0, 0.0, f"connection: {exc}"[:200]))


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0…1) by linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(visits: list[Visit]) -> dict:
    good = [v.seconds for v in visits if not v.error]

    def stats(values):
        return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
                "max": max(values)} if values else {"n": 0}
    return {"all": stats(good), "after_open": stats([v.seconds for v in visits if not v.error and v.action != "open"]),
            "pages": {p: stats([v.seconds for v in visits if not v.error and v.page == p]) for p in PAGES},
            "errors": [dataclasses.asdict(v) for v in visits if v.error][:20],
            "error_count": sum(1 for v in visits if v.error)}


def run_load(url: str, sessions: int, seconds: float, think: tuple[float, float], seed: int,
             log_dir: Path | None = None, shared_views: int = 0) -> dict:
    """Start a server on `url`, drive `sessions` readers for `seconds`, stop it; the figures. With shared_views,
    the readers' filters are drawn from that many views (so they share cached answers), else each is new."""
    from tests.browser_support import StreamlitServer
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    choices = warehouse_choices(url)
    if shared_views:
        rng = random.Random(seed)
        choices = dataclasses.replace(choices, views=tuple(random_filters(rng, choices, "zh")
                                                           for _ in range(shared_views)))
    server = StreamlitServer(url, log_dir / "streamlit.log")
    try:
        server.wait_healthy()
        idle_rss, cpu_before = rss_mb(server.process.pid), cpu_seconds(server.process.pid)
        visits: list[Visit] = []
        lock = threading.Lock()
        samples: list[float] = []
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        until = t0 + seconds
        readers = [threading.Thread(target=session, daemon=True,
                                    args=(i, server.base_url, choices, seed, t0, until, think, visits, lock))
                   for i in range(sessions)]
        for reader in readers:
            reader.start()
            time.sleep(0.1)  # readers arrive over two seconds, not in one instant
        while any(r.is_alive() for r in readers):
            samples.append(rss_mb(server.process.pid))
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        peak = rss_mb(server.process.pid, "VmHWM")
        server_cpu = cpu_seconds(server.process.pid) - cpu_before
    finally:
        server.stop()
    return {"url": url.rsplit("/", 1)[-1], "sessions": sessions, "seconds": seconds, "wall": wall,
            "think": list(think), "seed": seed, "shared_views": shared_views, "visits": len(visits),
            "idle_rss_mb": idle_rss,
            "peak_rss_mb": peak, "server_cpu_s": server_cpu, "end_rss_mb": samples[-1] if samples else None,
            "median_rss_mb": statistics.median(samples) if samples else None,
            "load_before": load_before, "load_after": os.getloadavg(), "nice": os.nice(0),
            "at": dt.datetime.now().isoformat(timespec="seconds"), **summarise(visits)}


def print_summary(result: dict) -> None:
    a = result["all"]
    views = f"{result['shared_views']} shared views" if result.get("shared_views") else "every view new"
    print(f"{result['sessions']} sessions, {result['seconds']:.0f} s (think {result['think'][0]:g}–"
          f"{result['think'][1]:g} s, {views}) on {result['url']}: {a['n']} pages, {result['error_count']} errors")
    if a["n"]:
        print(f"  page time p50 {a['p50']:.2f} s, p95 {a['p95']:.2f} s, max {a['max']:.2f} s")
    for page, s in result["pages"].items():
        if s["n"]:
            print(f"    {page:11s} n={s['n']:3d}  p50 {s['p50']:.2f} s  p95 {s['p95']:.2f} s  max {s['max']:.2f} s")
    if a["n"]:
        print(f"  server CPU {result['server_cpu_s']:.0f} s over {result['wall']:.0f} s: "
              f"{result['server_cpu_s'] / result['visits']:.2f} CPU s a page")
    print(f"  server RSS: idle {result['idle_rss_mb']:.0f} MB, median {result['median_rss_mb']:.0f} MB, "
          f"peak {result['peak_rss_mb']:.0f} MB; load {result['load_before']} → {result['load_after']}")
    for e in result["errors"][:5]:
        print(f"  error: session {e['session']} {e['page']}: {e['error']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", default=f"{THINK[0]:g},{THINK[1]:g}",
                        help="a reader's pause between pages: MIN,MAX seconds")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--shared-views", type=int, default=0,
                        help="draw the filters from this many views the readers share (default 0: every view new)")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--no-write", action="store_true", help="print only; leave the results and docs alone")
    args = parser.parse_args(argv)
    try:
        low, high = (float(x) for x in args.think.split(","))
    except ValueError:
        parser.error("--think takes MIN,MAX seconds, e.g. 2,6")
    if not (0 <= low <= high) or args.sessions < 1 or args.seconds <= 0:
        parser.error("need 0 ≤ MIN ≤ MAX think seconds, at least one session and a positive duration")
    result = run_load(args.url, args.sessions, args.seconds, (low, high), args.seed, shared_views=args.shared_views)
    print_summary(result)
    if not args.no_write:
        write(result, Path(args.results))
    return 0 if result["all"]["n"] and not result["error_count"] else 1


def write(result: dict, results_path: Path) -> None:
    """Into the results file (key "load", or "load_shared" with shared views), then docs/benchmarks.md
    regenerated from it."""
    from bench.plans import pages as page_names
    from bench.report import render
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["load_shared" if result["shared_views"] else "load"] = result
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1, default=str))
    print("wrote", results_path)
    if "machine_before" in results:  # a make bench run's file: the page figures are there too
        (ROOT / "docs" / "benchmarks.md").write_text(render(results, list(page_names())))
        print("wrote docs/benchmarks.md")


if __name__ == "__main__":
    raise SystemExit(main())
