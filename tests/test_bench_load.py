"""The server load test's protocol exchange (bench/load.py), small: a few sessions against a real `streamlit run
serve.py` on a small demo warehouse. What is checked is the exchange — every run answered, finished and free of
errors, filters and pages changed within a session, the figures summarised — never a time.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from bench import load as bench_load
from data_access.demo import synthesis as demo
from data_access.warehouse.build import load
from tests.browser_support import StreamlitServer
from tests.streamlit_client import StreamlitClient

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('bench_load') / 'demo.duckdb'}"
    engine = create_engine(url)
    try:
        load.create_tables(engine)
        engine.dispose()
        load.load_frames(engine, demo.generate(orders=20_000, seed=11))
    finally:
        engine.dispose()
    return url


def test_a_few_sessions_change_filters_and_pages_and_every_run_finishes_cleanly(warehouse_url, tmp_path):
    result = bench_load.run_load(warehouse_url, sessions=3, seconds=12, think=(0.2, 0.6), seed=3, log_dir=tmp_path)
    assert result["error_count"] == 0, result["errors"]
    assert result["all"]["n"] == result["visits"] >= 6
    assert sum(s["n"] for s in result["pages"].values()) == result["all"]["n"]
    assert result["after_open"]["n"] == result["all"]["n"] - 3, "each session opened one page, then moved on"
    assert result["all"]["p50"] <= result["all"]["p95"] <= result["all"]["max"]
    assert 0 < result["idle_rss_mb"] <= result["peak_rss_mb"] and result["server_cpu_s"] > 0


def test_a_filter_change_in_one_session_is_what_the_next_run_shows(warehouse_url, tmp_path):
    """The load's sessions change filters through the URL in the same session: the page must follow them."""
    server = StreamlitServer(warehouse_url, tmp_path / "streamlit.log")
    try:
        server.wait_healthy()
        with StreamlitClient(server.base_url) as client:
            english = client.run("sales", {"lang": "en", "preset": "custom", "from": "2021-01-01",
                                           "to": "2021-03-31"})
            assert bench_load.check(english) == "", english.text[:500]
            assert "Sales multiples" in english.text and "2021-03-31" in english.text
            chinese = client.run("sales", {"lang": "zh", "preset": "custom", "from": "2021-04-01",
                                           "to": "2021-06-30"})
            assert bench_load.check(chinese) == ""
            assert "销量倍数" in chinese.text and "2021-06-30" in chinese.text and "2021-03-31" not in chinese.text
            other = client.run("trust_roi", {"lang": "en"})
            assert bench_load.check(other) == "" and "Trust & ROI" in other.text
    finally:
        server.stop()


def test_a_run_that_failed_is_told_apart():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from tests.streamlit_client import Run
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    assert bench_load.check(Run(texts=["x"], kinds=["markdown"], messages=[finished])) == ""
    assert bench_load.check(Run(texts=["KeyError: boom"], kinds=["markdown", "exception"],
                                messages=[finished])).startswith("exception: KeyError")
    assert bench_load.check(Run(messages=[finished], page_not_found=True)) == "page not found"
    assert bench_load.check(Run(messages=[finished])) == "no elements"
    broken = ForwardMsg()
    broken.script_finished = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
    assert "COMPILE_ERROR" in bench_load.check(Run(kinds=["markdown"], messages=[broken]))
