"""The worked example of docs/mapping/: a team's own PostgreSQL warehouse, mapped onto the contract
with views in a schema of their own, read by `check`, `build-marts --schema`, every report and the app.

The source warehouse is filled from the demo generator's frames (tests/mapping_source.py: other
names, fen, codes, SCD2 brands); through the views every report must equal the oracle over the
original frames, from the marts built into the views' schema and from the views themselves.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

import oracle
from data_access import demo, marts
from data_access.filters import Filters
from data_access.reports import REPORTS
from data_access.warehouse import Warehouse
from tests import mapping_source, server_databases
from tests.test_contract_check import expected_warnings
from tests.test_reports import ALL_CASES, assert_frames_match

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDERS = 20_000
SCHEMA = mapping_source.VIEWS_SCHEMA
CASES = ("defaults", "range-quarter", "year-2020", "two-years", "belt-and-none", "scope", "as-of-q2", "empty-scope",
         "by-belt", "by-category", "by-managed_by")


@pytest.fixture(scope="module")
def frames():
    return demo.generate(orders=ORDERS, seed=7)


@pytest.fixture(scope="module")
def source_url(frames):
    """The team's warehouse: source tables in schema `shop`, the contract's views in `beltboard`."""
    try:
        with server_databases.database("postgresql", "mapping") as url:
            mapping_source.build(url, frames)
            yield url
    except DBAPIError as exc:
        reason = f"postgresql unreachable: {str(exc.orig).splitlines()[0][:200]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def cli(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", "WAREHOUSE_SCHEMA")}
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=ROOT, env=env, capture_output=True,
                          timeout=600)


def test_check_is_clean_through_the_views(source_url, frames):
    done = cli("check", "--url", source_url, "--schema", SCHEMA, "--sample", "1000", "--format", "json")
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()
    out = json.loads(done.stdout)
    assert out["errors"] == 0 and out["tables"] == 7
    assert out["rows"] == sum(len(f) for f in frames.values())
    got = {f["rule"]: f["examples"] for f in out["findings"] if f["rule"] != "stale_marts"}
    assert got == expected_warnings(frames)


def test_check_without_the_schema_finds_no_contract_tables(source_url):
    done = cli("check", "--url", source_url, "--format", "json")
    out = json.loads(done.stdout)
    assert done.returncode == 1
    assert sorted(f["table"] for f in out["findings"] if f["rule"] == "missing_table") == sorted(
        t.name for t in marts.load.schema.TABLES)


@pytest.fixture(scope="module")
def with_marts(source_url):
    done = cli("build-marts", "--url", source_url, "--schema", SCHEMA, "--owned")
    assert done.returncode == 0, done.stderr.decode()
    return source_url


def test_build_marts_puts_the_marts_beside_the_views(with_marts):
    wh = Warehouse(with_marts, schema=SCHEMA)
    try:
        tables = set(inspect(wh.engine).get_table_names(schema=SCHEMA))
        assert {m.name for m in marts.MARTS} | {marts.MARTS_META.name} <= tables
        assert not {m.name for m in marts.MARTS} & set(inspect(wh.engine).get_table_names(schema="public"))
        assert marts.fresh(wh)
    finally:
        wh.engine.dispose()


@pytest.fixture(scope="module")
def readers(with_marts):
    both = {"marts": Warehouse(with_marts, schema=SCHEMA), "raw": Warehouse(with_marts, schema=SCHEMA, use_marts=False)}
    yield both
    for wh in both.values():
        wh.engine.dispose()


_expected: dict = {}


@pytest.mark.parametrize("source", ("marts", "raw"))
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("report", sorted(oracle.ORACLES))
def test_every_report_through_the_views_equals_the_oracle(readers, frames, report, case, source):
    f: Filters = ALL_CASES[case]
    if f.by and report not in oracle.GROUPED:
        pytest.skip(f"{report} has no breakdown")
    wh = readers[source]
    assert marts.fresh(wh) == (source == "marts")
    if (report, case) not in _expected:
        _expected[report, case] = oracle.ORACLES[report](frames, f)
    want = _expected[report, case].copy()
    got = REPORTS[report](wh, f)
    extras = list(oracle.EXTRAS.get(report, []))
    if report == "steps" and "burst_coefficient" in got.columns:
        want["burst_coefficient"] = pd.Series([oracle.burst_coefficient(frames, b) for b in want.brand_id], dtype=object)
        extras.append("burst_coefficient")
    assert_frames_match(got, want, oracle.required_columns(report, f), extras,
                        label=f"{report} [{case}] through the views from {source}")
