"""Memory under hostile load (issue 9, item 10): a served 1M-order demo stays under 1 GB of RSS.

Eight sessions asking for brand series over 400-year ranges once grew the server from 516 MB to
1.85 GB, and it stayed there: the caches were bounded by entry count, not size, and nothing bounded a
range. Here a real `streamlit run dashboard.py` (127.0.0.1, a free port) serves the 1M-order demo
(the `make run` default) and eight sessions talk to it at once as a browser does, over the
/_stcore/stream websocket in Streamlit's own protobuf messages (no Chromium needed). Each opens every
page with a range of its own from the 1600s to the as-of date (so no two sessions would share a
cached answer, were the range not capped), then the onboarding breakdowns by belt, province and
category, and the brand pages of three more brands. Every run must finish without an exception;
the server's resident memory (VmRSS) and its peak (VmHWM) are read from /proc before and after,
printed, and must stay under 1 GB. Bounded: 8 sessions x 13 page runs, each run given at most 5
minutes. Measured on the 2-core machine: before the range cap and the byte-bounded cache this load
took the server from 336 MB to 1.40 GB (peak 1.77 GB) in 10 minutes; now to 468 MB (peak 512 MB) in
under 2 minutes.
"""
from __future__ import annotations

import asyncio
import time
import urllib.parse
from dataclasses import dataclass, field

import pytest
import websockets
from sqlalchemy import select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from data_access.demo import build as demo
from data_access.warehouse import schema
from data_access.warehouse.connection import Warehouse
from tests.browser_support import StreamlitServer

pytestmark = pytest.mark.slow

SESSIONS = 8
BRANDS = 4  # brands per session: one on the first round of pages, then a page each
BREAKDOWNS = ("belt", "province", "category")  # the onboarding page's ?by=
PAGES = ("", "onboarding", "sales", "providers", "steps", "brand", "trust_roi")  # url paths; "" is the overview
LIMIT_BYTES = 1_000_000_000
RUN_TIMEOUT_S = 300


@dataclass
class Session:
    """What one session asks for (its query, then its brands' pages) and what the server sent back."""
    query: dict[str, str]
    brands: tuple[int, ...] = ()
    runs: int = 0
    received: int = 0
    exceptions: list[str] = field(default_factory=list)


def memory(pid: int) -> dict[str, int]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in bytes."""
    out = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out


@pytest.fixture(scope="module")
def demo_1m(tmp_path_factory):
    url = f"duckdb:///{tmp_path_factory.mktemp('load1m') / 'warehouse.duckdb'}"
    demo.build(url, orders=1_000_000, seed=7)
    return url


def hostile_sessions(url: str) -> list[Session]:
    """Per session: a range of its own from the 1600s to the as-of date, and BRANDS brands of its own."""
    wh = Warehouse(url)
    try:
        b = schema.brands.c
        ids = [int(x) for x in wh.frame(select(b.brand_id).where(b.onboarded_on <= wh.as_of())
                                        .order_by(b.brand_id).limit(SESSIONS * BRANDS))["brand_id"]]
    finally:
        wh.engine.dispose()
    assert len(ids) == SESSIONS * BRANDS
    sessions = []
    for i in range(SESSIONS):
        brands = tuple(ids[i * BRANDS:(i + 1) * BRANDS])
        sessions.append(Session({"lang": "en", "preset": "custom", "from": f"{1600 + 7 * i}-01-01",
                                 "to": "2021-12-31", "grain": "month", "brand": str(brands[0])}, brands))
    return sessions


async def open_page(ws, session: Session, page: str, **query: str) -> None:
    """Ask for `page` with the session's query (and `query`), as the browser does on navigation; read until
    the run ends."""
    message = BackMsg()
    message.rerun_script.query_string = urllib.parse.urlencode({**session.query, **query})
    message.rerun_script.page_name = page
    await ws.send(message.SerializeToString())
    while True:
        data = await asyncio.wait_for(ws.recv(), RUN_TIMEOUT_S)
        session.received += len(data)
        forward = ForwardMsg()
        forward.ParseFromString(data)
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            if element.WhichOneof("type") == "exception":
                session.exceptions.append(f"{page or 'overview'}: {element.exception.message[:200]}")
        if kind == "script_finished" and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            assert forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY, (page, forward.script_finished)
            session.runs += 1
            return


async def browse(port: int, session: Session, pages=PAGES) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        for page in pages:
            await open_page(ws, session, page)
        for by in BREAKDOWNS if session.brands else ():
            await open_page(ws, session, "onboarding", by=by)
        for brand in session.brands[1:]:
            await open_page(ws, session, "brand", brand=str(brand))


def test_eight_hostile_sessions_keep_the_server_under_1_gb(demo_1m, tmp_path):
    sessions = hostile_sessions(demo_1m)
    server = StreamlitServer(demo_1m, tmp_path / "streamlit.log")
    try:
        server.wait_healthy()
        asyncio.run(browse(server.port, Session({"lang": "en"}), pages=("",)))  # the app imported, the warehouse open
        before = memory(server.process.pid)
        started = time.monotonic()

        async def all_at_once():
            await asyncio.gather(*(browse(server.port, s) for s in sessions))

        asyncio.run(all_at_once())
        after = memory(server.process.pid)
        seconds = time.monotonic() - started
    finally:
        server.stop()
    mb = 2**20
    print(f"\nserver RSS before {before['VmRSS'] / mb:.0f} MB, after {after['VmRSS'] / mb:.0f} MB, "
          f"peak {after['VmHWM'] / mb:.0f} MB; {sum(s.runs for s in sessions)} page runs in {seconds:.0f} s, "
          f"{sum(s.received for s in sessions) / mb:.1f} MB sent")
    assert [e for s in sessions for e in s.exceptions] == []
    assert all(s.runs == len(PAGES) + len(BREAKDOWNS) + BRANDS - 1 for s in sessions)
    assert after["VmRSS"] < LIMIT_BYTES and after["VmHWM"] < LIMIT_BYTES, (before, after)
