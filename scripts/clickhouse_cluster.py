"""A local two-shard ClickHouse cluster: two shard processes and a coordinator holding Distributed tables.

A modern ClickHouse server cannot be installed here (Debian ships 18.16, from 2018), but chDB's embedded
clickhouse-local serves the real TCP and HTTP protocols: through chDB's low-level call
`chdb._chdb.query(sql, "TabSeparated", path=DATA_DIR)`, `SYSTEM START LISTEN QUERIES ALL` opens the
listeners named by the `config.xml` in the process's working directory, and they stay open while that call
runs, so the same call goes on with a query that sleeps until the process is ended. One such call per
process: each node is its own process (about 300 MB, 1–2 s to start). The output format must be
TabSeparated: it becomes the HTTP default, and clickhouse-connect cannot read the server version in CSV.

    with Cluster(base_dir) as cluster:           # tests and `make bench`: stopped at the end, whatever happens
        url = cluster.url()                      # clickhousedb://127.0.0.1:PORT/default?cluster=beltboard

    python -m scripts.clickhouse_cluster [--dir DIR]   # by hand: serve until Ctrl-C, then stop

Ports are chosen free, each node writes a PID file, readiness is a GET /ping answering "Ok.", and every
node is stopped when the block ends, at exit, on SIGTERM/SIGINT, and — should this process be killed
outright — by the kernel (each node asks for SIGKILL when its parent dies), so no node outlives a run.
A PID file left by a run that died is honoured the next time the same directory is started.
"""
from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

CLUSTER_NAME = "beltboard"
SHARDS = 2
HOST = "127.0.0.1"
READY_WAIT_S = 90.0  # a node starts in 1–2 s; a loaded 2-core machine may take many times that
STOP_WAIT_S = 10.0
PORT_ATTEMPTS = 3  # a free port taken by someone else before the node binds it: new ports, again
# The node's one call: open the listeners, then sleep (one row a second, for ten years) until ended.
SERVE_SQL = ("SYSTEM START LISTEN QUERIES ALL; "
             "SELECT sleepEachRow(1) FROM numbers(315360000) SETTINGS max_block_size = 1")
PR_SET_PDEATHSIG = 1


@dataclass
class Node:
    name: str  # shard1, shard2, coordinator
    directory: Path
    http_port: int = 0
    tcp_port: int = 0
    process: subprocess.Popen | None = None

    @property
    def pid_file(self) -> Path:
        return self.directory / "node.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / "node.log"

    def url(self, database: str = "default") -> str:
        return f"clickhousedb://{HOST}:{self.http_port}/{database}"

    def command(self, sql: str) -> str:
        """One statement over HTTP (POST), its answer as text."""
        request = urllib.request.Request(f"http://{HOST}:{self.http_port}/", data=sql.encode(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()


class ClusterError(RuntimeError):
    """The cluster could not be started; str() says which node and why."""


class Cluster:
    """Two shards and a coordinator under `directory` (their data is kept there between runs)."""

    def __init__(self, directory: str | os.PathLike, name: str = CLUSTER_NAME, shards: int = SHARDS):
        self.directory = Path(directory).resolve()
        self.name = name
        self.shards = [Node(f"shard{i + 1}", self.directory / f"shard{i + 1}") for i in range(shards)]
        self.coordinator = Node("coordinator", self.directory / "coordinator")
        self._atexit = None

    @property
    def nodes(self) -> list[Node]:
        return [*self.shards, self.coordinator]

    def url(self, database: str = "default") -> str:
        """The coordinator's URL, naming the cluster: what beltboard is pointed at."""
        return f"{self.coordinator.url(database)}?cluster={self.name}"

    def database(self, name: str) -> str:
        """Create database `name` on every node (if missing); the coordinator's URL of it."""
        if not name.isidentifier():
            raise ValueError(f"not a database name: {name!r}")
        for node in self.nodes:
            node.command(f"CREATE DATABASE IF NOT EXISTS `{name}`")
        return self.url(name)

    # ------------------------------------------------------------------ start and stop

    def start(self) -> Cluster:
        for node in self.nodes:
            node.directory.mkdir(parents=True, exist_ok=True)
            _end_leftover(node)
        _stop_on_signals()
        for attempt in range(PORT_ATTEMPTS):
            self._remember()
            try:
                self._launch_all()
                return self
            except ClusterError as exc:
                self.stop()
                if "Address already in use" not in str(exc) or attempt == PORT_ATTEMPTS - 1:
                    raise
            except BaseException:
                self.stop()
                raise
        return self

    def _launch_all(self) -> None:
        ports = _free_ports(2 * len(self.nodes))
        for node in self.nodes:
            node.http_port, node.tcp_port = ports.pop(), ports.pop()
        for node in self.nodes:
            _write_config(node, self if node is self.coordinator else None)
            _launch(node)
        for node in self.nodes:  # they start side by side; wait for each
            _wait_ready(node)

    def stop(self) -> None:
        """End every node (SIGTERM, then SIGKILL after STOP_WAIT_S); safe to call twice."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(STOP_WAIT_S)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
                node.process = None
            with contextlib.suppress(FileNotFoundError):
                node.pid_file.unlink()
        self._forget()

    def _remember(self) -> None:
        """Stopped at exit and on SIGTERM/SIGINT, until stop()."""
        if self._atexit is None:
            self._atexit = atexit.register(self.stop)
        _RUNNING.add(self)

    def _forget(self) -> None:
        _RUNNING.discard(self)
        if self._atexit is not None:
            atexit.unregister(self.stop)
            self._atexit = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------- the pieces

_RUNNING: set = set()


def _stop_on_signals() -> None:
    """SIGTERM and SIGINT stop the nodes before this process goes (atexit alone misses SIGTERM)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if getattr(previous, "_stops_clusters", False):
            continue

        def handler(sig, frame, previous=previous):
            for cluster in list(_RUNNING):
                cluster.stop()
            if callable(previous):
                previous(sig, frame)
            else:
                raise SystemExit(128 + sig)

        handler._stops_clusters = True
        try:
            signal.signal(signum, handler)
        except ValueError:  # not the main thread: atexit and the kernel's parent-death signal remain
            return


def _free_ports(n: int) -> list[int]:
    """n ports nobody listens on now (the kernel's choice; held together so that they differ)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _write_config(node: Node, cluster: Cluster | None) -> None:
    """config.xml in the node's working directory: where it listens, and (the coordinator) the cluster."""
    servers = ""
    if cluster is not None:
        shards = "".join(f"<shard><replica><host>{HOST}</host><port>{s.tcp_port}</port></replica></shard>"
                         for s in cluster.shards)
        servers = f"<remote_servers><{escape(cluster.name)}>{shards}</{escape(cluster.name)}></remote_servers>"
    (node.directory / "config.xml").write_text(
        "<clickhouse>"
        f"<listen_host>{HOST}</listen_host><http_port>{node.http_port}</http_port><tcp_port>{node.tcp_port}</tcp_port>"
        f"{servers}"
        "<timezone>UTC</timezone><logger><level>warning</level><console>1</console></logger>"
        "</clickhouse>\n")


def _launch(node: Node) -> None:
    with node.log_file.open("ab") as log:
        node.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.clickhouse_cluster", "node", str(node.directory / "data"),
             str(os.getpid())],
            cwd=node.directory, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    # An empty pipe, not /dev/null: given a character device on stdin, chdb-core 26.9's clickhouse-local tries to
    # read it as the `table` input and fails every query (CANNOT_DETECT_FORMAT), so the node exits at once.
    node.process.stdin.close()
    node.pid_file.write_text(f"{node.process.pid}\n")


def _wait_ready(node: Node) -> None:
    """Until GET /ping answers "Ok." (the listeners are open), or the node died, or READY_WAIT_S passed."""
    deadline = time.monotonic() + READY_WAIT_S
    while True:
        if node.process.poll() is not None:
            raise ClusterError(f"ClickHouse node {node.name} exited with {node.process.returncode} before it "
                               f"listened: {_tail(node.log_file)}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{node.http_port}/ping", timeout=2) as response:
                if response.read().strip() == b"Ok.":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ClusterError(f"ClickHouse node {node.name} did not answer /ping on port {node.http_port} "
                               f"within {READY_WAIT_S:g} s: {_tail(node.log_file)}")
        time.sleep(0.1)


def _tail(path: Path) -> str:
    """The node log's last exception (e.g. `Listen [127.0.0.1]:PORT failed … Address already in use`), else its
    last line."""
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    errors = [line for line in lines if "Exception" in line]
    return (errors or lines or ["(empty log)"])[-1][:300]


def _end_leftover(node: Node) -> None:
    """A PID file from a run that died: end that node if it still runs (and is one of ours)."""
    try:
        pid = int(node.pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b""
    if b"scripts.clickhouse_cluster" in cmdline and str(node.directory).encode() in cmdline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
    node.pid_file.unlink(missing_ok=True)


def serve_node(data_dir: str, parent_pid: int) -> int:
    """The node process: die with the parent (the kernel sends SIGKILL), then serve until ended."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        return 1
    import chdb._chdb as low_level  # the private call this cluster rests on (chdb pinned in requirements.txt)
    low_level.query(SERVE_SQL, "TabSeparated", path=data_dir)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.clickhouse_cluster",
                                     description="serve a local two-shard ClickHouse cluster until Ctrl-C")
    commands = parser.add_subparsers(dest="command")
    node = commands.add_parser("node", help=argparse.SUPPRESS)
    node.add_argument("data_dir")
    node.add_argument("parent_pid", type=int)
    parser.add_argument("--dir", default="data/cluster", help="where the nodes keep their data (default data/cluster)")
    args = parser.parse_args(argv)
    if args.command == "node":
        return serve_node(args.data_dir, args.parent_pid)
    with Cluster(args.dir) as cluster:
        print(f"cluster {cluster.name} serving: {cluster.url()}  (Ctrl-C stops it)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
