"""The worked example of docs/mapping/: a team's own warehouse (PostgreSQL, and MariaDB with the same views)
mapped onto the contract with views in a schema of their own, read by `check`, `build-marts --schema`,
every table and report, and the app.

The source warehouse is filled from the demo generator's frames (tests/mapping_source.py: other
names, fen, codes, SCD2 brands); through the views every report must equal the oracle over the
original frames, from the marts built into the views' schema and from the views themselves.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import DateTime, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import oracle
from data_access.demo import synthesis as demo
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse import freshness as marts_freshness, schema
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from data_access.warehouse.marts import definitions as marts_definitions, read as marts_read
from tests import mapping_source, server_databases
from tests.test_contract_check import expected_warnings
from tests.test_reports import ALL_CASES, assert_frames_match

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDERS = 20_000
SCHEMA = mapping_source.VIEWS_SCHEMA
CASES = ("defaults", "scope", "by-belt")  # every table is compared whole, below


@pytest.fixture(scope="module")
def frames():
    return demo.generate(orders=ORDERS, seed=7)


@dataclass(frozen=True)
class Mapped:
    backend: str
    url: str      # connects to the team's own tables (PostgreSQL: schema public, MariaDB: the source database)
    schema: str   # where the contract's views are


@pytest.fixture(scope="module", params=("postgresql", "mariadb"))
def team(request, frames):
    """The team's warehouse: the source tables (schema `shop`), the contract's views in a schema of their own."""
    try:
        if request.param == "postgresql":
            with server_databases.database("postgresql", "mapping") as url:
                mapping_source.build(url, frames)
                yield Mapped("postgresql", url, SCHEMA)
            return
        with server_databases.database("mariadb", "mapsrc") as url, \
                server_databases.database("mariadb", "mapviews") as views_url:
            source_db, views_db = make_url(url).database, make_url(views_url).database
            mapping_source.build_mariadb(url, frames, source_db, views_db)
            yield Mapped("mariadb", url, views_db)
    except DBAPIError as exc:
        reason = f"{request.param} unreachable: {str(exc.orig).splitlines()[0][:200]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", "WAREHOUSE_SCHEMA")}
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=ROOT, env=env, capture_output=True,
                          timeout=600)


def test_check_is_clean_through_the_views(team, frames):
    done = cli("check", "--url", team.url, "--schema", team.schema, "--sample", "1000", "--format", "json")
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()
    out = json.loads(done.stdout)
    assert out["errors"] == 0 and out["tables"] == 7
    assert out["rows"] == sum(len(f) for f in frames.values())
    got = {f["rule"]: f["examples"] for f in out["findings"] if f["rule"] != "stale_marts"}
    assert got == expected_warnings(frames)


def test_check_without_the_schema_finds_no_contract_tables(team):
    done = cli("check", "--url", team.url, "--format", "json")
    out = json.loads(done.stdout)
    assert done.returncode == 1
    assert sorted(f["table"] for f in out["findings"] if f["rule"] == "missing_table") == sorted(
        t.name for t in schema.TABLES)


@pytest.fixture(scope="module")
def with_marts(team):
    done = cli("build-marts", "--url", team.url, "--schema", team.schema, "--owned")
    assert done.returncode == 0, done.stderr.decode()
    return team


def test_build_marts_puts_the_marts_beside_the_views(with_marts):
    wh = Warehouse(with_marts.url, schema=with_marts.schema)
    try:
        tables = set(inspect(wh.engine).get_table_names(schema=with_marts.schema))
        assert {m.name for m in marts_definitions.MARTS} | {marts_freshness.MARTS_META.name} <= tables
        # not beside the source
        assert not {m.name for m in marts_definitions.MARTS} & set(inspect(wh.engine).get_table_names())
        assert marts_read.fresh(wh)
    finally:
        wh.engine.dispose()


@pytest.fixture(scope="module")
def readers(with_marts):
    url, schema_name = with_marts.url, with_marts.schema
    both = {"marts": Warehouse(url, schema=schema_name), "raw": Warehouse(url, schema=schema_name, use_marts=False)}
    yield both
    for wh in both.values():
        wh.engine.dispose()


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_every_contract_table_through_the_views_is_the_original(readers, frames, table):
    """The views undo the source's names, fen, codes and history: each reads back exactly the frame it came from."""
    keys = [c.name for c in table.primary_key.columns]
    got = readers["raw"].frame(select(*table.c).order_by(*table.primary_key.columns))
    want = frames[table.name].sort_values(keys, ignore_index=True)
    for c in table.c:
        if isinstance(c.type, DateTime):  # timestamps compared as text: the comparison helper knows dates only
            got[c.name], want[c.name] = got[c.name].map(str), pd.to_datetime(want[c.name]).map(str)
    assert_frames_match(got, want, [c.name for c in table.c], label=f"{table.name} through the views")


_expected: dict = {}


@pytest.mark.parametrize("source", ("marts", "raw"))
@pytest.mark.parametrize("report, case", [  # a breakdown case only for the reports that have one
    (report, case) for report in sorted(oracle.ORACLES) for case in CASES
    if not ALL_CASES[case].by or report in oracle.GROUPED])
def test_every_report_through_the_views_equals_the_oracle(readers, frames, report, case, source):
    f: Filters = ALL_CASES[case]
    wh = readers[source]
    assert marts_read.fresh(wh) == (source == "marts")
    if (report, case) not in _expected:
        _expected[report, case] = oracle.ORACLES[report](frames, f)
    want = _expected[report, case].copy()
    got = REPORTS[report](wh, f)
    extras = list(oracle.EXTRAS.get(report, []))
    if report == "steps" and "burst_coefficient" in got.columns:
        want["burst_coefficient"] = pd.Series([oracle.burst_coefficient(frames, b) for b in want.brand_id],
                                              dtype=object)
        extras.append("burst_coefficient")
    assert_frames_match(got, want, oracle.required_columns(report, f), extras,
                        label=f"{report} [{case}] through the views from {source}")


def test_the_app_reads_the_views_of_the_configured_schema(with_marts, frames, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app_support import DASHBOARD, texts
    monkeypatch.setenv("WAREHOUSE_URL", with_marts.url)
    monkeypatch.setenv("WAREHOUSE_SCHEMA", with_marts.schema)
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert at.metric, "the overview's tiles"
    as_of = frames["orders"].ordered_at.max().date().isoformat()
    assert f"Data as of {as_of}" in texts(at)
    at.switch_page("pages/data_health.py").run()
    assert [m.value for m in at.metric if m.label == "Errors"] == ["0"]
