"""The export command: bytes, columns, exit codes and messages, as a user runs it."""
import csv
import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine

from data_access.export.csv_file import BOM, csv_bytes
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from tests.edge_warehouse import edge_frames

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def duckdb_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "edge.duckdb"
    url = f"duckdb:///{path}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    return url


def run(*args, url=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    if url:
        env["WAREHOUSE_URL"] = url
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)


def parse(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM), "exports start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(text[len(BOM):])))


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_every_report_exports_what_the_report_computes(duckdb_url, report):
    args = ["export", report, "--from", "2021-02-15", "--to", "2021-06-30", "--grain", "quarter"]
    done = run(*args, url=duckdb_url)
    assert done.returncode == 0, done.stderr.decode()
    expected = REPORTS[report](Warehouse(duckdb_url), Filters(
        date_from=dt.date(2021, 2, 15), date_to=dt.date(2021, 6, 30),
        grain="quarter"))
    assert done.stdout == csv_bytes(expected)
    assert parse(done.stdout)[0][: len(expected.columns)] == list(expected.columns)


def test_out_file_equals_stdout(duckdb_url, tmp_path):
    out = tmp_path / "trust.csv"
    to_file = run("export", "trust", "--by", "belt", "--out", str(out), url=duckdb_url)
    to_stdout = run("export", "trust", "--by", "belt", url=duckdb_url)
    assert to_file.returncode == 0 and to_file.stdout == b""
    assert out.read_bytes() == to_stdout.stdout


def test_formula_names_are_neutralised_in_a_real_export(duckdb_url):
    done = run("export", "steps", url=duckdb_url)
    names = [row[1] for row in parse(done.stdout)[1:]]
    risky = [n for n in names if n.lstrip(" \"'").startswith(("=", "+", "-", "@", "|", "%"))]
    assert risky, "the edge warehouse has brand names that look like formulas"
    assert all(n.startswith("'") for n in risky), risky


@pytest.mark.parametrize("args, named", [
    (["export", "nope"], "report"),
    (["export", "sales", "--from", "2021-13-01"], "--from"),
    (["export", "sales", "--to", "yesterday"], "--to"),
    (["export", "sales", "--from", "2021-06-01", "--to", "2021-01-01"], "--from"),
    (["export", "sales", "--grain", "week"], "--grain"),
    (["export", "sales", "--by", "color"], "--by"),
    (["export", "sales", "--category", "cars"], "--category"),
    (["export", "sales", "--brand-type", "old"], "--brand-type"),
    (["export", "sales", "--managed-by", "nobody"], "--managed-by"),
    (["export", "steps", "--stalled-days", "-1"], "--stalled-days"),
    (["export", "steps", "--as-of", "31/12/2021"], "--as-of"),
    (["export", "sales", "--belt", "atlantis-widgets"], "--belt"),
    (["export", "sales", "--province", "Atlantis"], "--province"),
    (["export", "steps", "--where", "status"], "--where"),
    (["export", "steps", "--where", "colour=red"], "--where"),
])
def test_bad_argument_exits_2_with_one_line_naming_it(duckdb_url, args, named):
    done = run(*args, url=duckdb_url)
    message = done.stderr.decode().strip()
    assert done.returncode == 2
    assert done.stdout == b""
    assert len(message.splitlines()) == 1, message
    assert named in message


@pytest.mark.parametrize("args, named", [
    (["--from", "0001-01-01", "--to", "0001-12-31"], "--from"),
    (["--from", "9999-12-01", "--to", "9999-12-31"], "--to"),
    (["--from", "1100-01-01", "--to", "2021-12-31"], "--from"),   # its base range and the one before overflow
    (["--from", "0001-01-01"], "--from"),
    (["--to", "9999-12-31"], "--to"),
    (["--from", "2022-01-01"], "--from"),                        # after the as-of date, and no --to
    (["--as-of", "0001-01-01"], "--as-of"),
])
def test_a_range_beyond_the_data_exits_2_with_one_line(duckdb_url, args, named):
    """What a page would clamp (issue 9, item 5) the export refuses: one line, exit 2, no traceback."""
    done = run("export", "sales", *args, url=duckdb_url)
    message = done.stderr.decode().strip()
    assert done.returncode == 2, message
    assert done.stdout == b""
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert message.startswith(f"error: argument {named}:"), message


@pytest.mark.parametrize("url, host", [
    ("postgresql+psycopg://analyst:Sup3r-Secret@127.0.0.1:1/warehouse", "127.0.0.1"),
    ("mysql+pymysql://analyst:Sup3r-Secret@127.0.0.1:1/warehouse", "127.0.0.1"),
])
def test_unreachable_warehouse_exits_1_naming_host_not_password(url, host):
    done = run("export", "sales", url=url)
    message = done.stderr.decode().strip()
    assert done.returncode == 1
    assert len(message.splitlines()) == 1, message
    assert host in message and "warehouse" in message
    assert "Sup3r-Secret" not in message


def test_missing_tables_are_named_with_the_demo_command(tmp_path):
    done = run("export", "sales", url=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    message = done.stderr.decode().strip()
    assert done.returncode == 1
    assert "orders" in message and "python -m data_access demo" in message
    assert len(message.splitlines()) == 1


def test_where_narrows_the_rows_as_the_csv_writes_their_cells(duckdb_url):
    """`--where COLUMN=VALUE` keeps the rows whose cell is one of the values (an empty value: an empty cell)."""
    everything = parse(run("export", "steps", url=duckdb_url).stdout)
    header, rows = everything[0], everything[1:]
    state, provider = header.index("state"), header.index("provider_id")
    done = run("export", "steps", "--where", "state=in_progress", "--where", "state=completed", "--where",
               "provider_id=", url=duckdb_url)
    assert done.returncode == 0, done.stderr
    narrowed = parse(done.stdout)[1:]
    want = [r for r in rows if r[state] in ("in_progress", "completed") and r[provider] == ""]
    assert narrowed == want and 0 < len(want) < len(rows)
