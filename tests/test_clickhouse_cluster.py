"""The local two-shard cluster of the test matrix and the benchmark (scripts/clickhouse_cluster.py): it
serves, it lays orders out by brand over its shards, and it leaves no process behind — not when a node
fails to start, and not when the process that started it is killed outright."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from data_access.warehouse import schema
from scripts.clickhouse_cluster import Cluster, ClusterError

ROOT = Path(__file__).resolve().parent.parent


def _nodes_running(directory: Path) -> list[int]:
    """Pids of cluster nodes serving from under `directory` (from /proc, whoever started them)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"scripts.clickhouse_cluster\x00node" in cmdline and str(directory).encode() in cmdline:
            pids.append(int(proc.name))
    return pids


def _gone(directory: Path, within_s: float = 30.0) -> bool:
    deadline = time.monotonic() + within_s
    while _nodes_running(directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("warehouse", ["cluster"], indirect=True)
def test_every_node_answers_and_orders_lie_on_the_shards_by_brand(warehouse, clickhouse_cluster):
    for node in clickhouse_cluster.nodes:
        assert int(node.pid_file.read_text()) == node.process.pid
        with urllib.request.urlopen(f"http://127.0.0.1:{node.http_port}/ping", timeout=10) as response:
            assert response.read() == b"Ok.\n"
    wh, frames = warehouse.wh, warehouse.frames
    per_shard = wh.frame(select(text("_shard_num AS shard"), func.count().label("orders"),
                                func.uniqExact(schema.orders.c.brand_id).label("brands"))
                         .select_from(schema.orders).group_by(text("shard")))
    assert sorted(per_shard["shard"]) == [1, 2] and per_shard["orders"].sum() == len(frames["orders"])
    spread = wh.scalar(select(func.max(text("shards"))).select_from(
        select(func.uniqExact(text("_shard_num")).label("shards")).select_from(schema.orders)
        .group_by(schema.orders.c.brand_id).subquery()))
    assert spread == 1, "a brand's orders are on one shard"


def test_a_node_that_cannot_start_is_one_line_and_no_node_is_left(tmp_path):
    cluster = Cluster(tmp_path / "broken")
    (tmp_path / "broken" / "shard2").mkdir(parents=True)
    (tmp_path / "broken" / "shard2" / "data").write_text("not a directory")  # chDB cannot open it
    with pytest.raises(ClusterError, match="shard2 exited"):
        cluster.start()
    assert _gone(tmp_path / "broken")
    assert not any((tmp_path / "broken" / n.name / "node.pid").exists() for n in cluster.nodes)


def test_killing_the_process_that_started_a_cluster_ends_its_nodes(tmp_path):
    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom scripts.clickhouse_cluster import Cluster\n"
         f"Cluster({str(tmp_path / 'c')!r}).start()\nprint('up', flush=True)\ntime.sleep(600)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert starter.stdout.readline().strip() == "up"
        assert len(_nodes_running(tmp_path / "c")) == 3
    finally:
        starter.send_signal(signal.SIGKILL)  # no atexit, no handler: the kernel's parent-death signal
        starter.wait()
    assert _gone(tmp_path / "c"), "a node outlived the process that started it"


def test_demo_and_build_marts_write_a_cluster_through_its_url(clickhouse_cluster, capsys):
    from data_access import cli
    from data_access.warehouse.connection import Warehouse
    from data_access.warehouse.marts import read as marts
    url = clickhouse_cluster.database("democli")
    assert cli.main(["demo", "--orders", "2000", "--url", url]) == 0
    assert "(cluster beltboard)" in capsys.readouterr().out
    wh = Warehouse(url)
    try:
        assert wh.scalar(select(func.count()).select_from(schema.orders)) == 2000 and marts.fresh(wh)
        shards = [int(n.command("SELECT count() FROM democli.orders")) for n in clickhouse_cluster.shards]
        assert sum(shards) == 2000 and min(shards) > 0  # the coordinator holds none of them itself
        brands = [int(n.command("SELECT count() FROM democli.brands")) for n in clickhouse_cluster.nodes]
        assert len(set(brands)) == 1 and brands[0] > 0  # a dimension is whole on every node
        assert cli.main(["build-marts", "--url", url]) == 0
        assert marts.fresh(Warehouse(url))
    finally:
        wh.engine.dispose()
