"""Hostile URLs: whatever a user types into a link, no traceback, no row outside their scope, no SQL.

An operator (tests/access_support.py) opens every page with every URL parameter (the frame's and
the pages' own) set to a belt outside their scope, an empty value, a 10,000-character value and
SQL-like values. Each value is dropped with a notice, so the page equals the operator's default
page, download for download; the warehouse's tables keep their row counts. Below the UI, the
same strings handed straight to the reports (and to the export command) match nothing and
change nothing, on every backend: they only ever travel as bound parameters.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from data_access.metrics.catalogue import REPORTS
from data_access.warehouse import schema
from data_access.warehouse.filters import Filters
from tests.access_support import OPERATOR_A, assert_inside, downloads, read_csv
from tests.app_support import ROOT, texts

pytest_plugins = ["tests.conftest_app", "tests.conftest_access"]

PAGES = ["pages/overview.py", "pages/onboarding.py", "pages/sales.py", "pages/providers.py", "pages/steps.py",
         "pages/brand.py", "pages/trust_roi.py"]
KEYS = ["lang", "preset", "from", "to", "grain", "belt", "province", "category", "brand_type", "managed_by",
        "brand", "provider", "stalled", "by", "trust_by"]
SQL_LIKE = ["' OR '1'='1", "'; DROP TABLE brands;--", "read_text('/etc/passwd')"]
HOSTILE = {"outside": None, "empty": "", "10k": "x" * 10_000, "or-1-1": SQL_LIKE[0], "drop-table": SQL_LIKE[1],
           "read-text": SQL_LIKE[2]}


def table_counts(wh) -> dict[str, int]:
    return {t.name: int(wh.scalar(select(func.count()).select_from(t))) for t in schema.TABLES}


@pytest.fixture(scope="module")
def counts_before(app_warehouse):
    return table_counts(app_warehouse.wh)


@pytest.fixture(scope="module")
def defaults() -> dict:
    return {}


def default_downloads(run_as, page: str, cache: dict) -> dict[str, bytes]:
    if page not in cache:
        cache[page] = downloads(run_as(OPERATOR_A, {"lang": []}, page))
    return cache[page]


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_value_in_every_parameter_is_dropped(run_as, app_warehouse, users, counts_before, defaults,
                                                       page, name):
    value = HOSTILE[name] if HOSTILE[name] is not None else users.belts_b[0]
    expected = default_downloads(run_as, page, defaults)
    at = run_as(OPERATOR_A, {key: value for key in KEYS}, page)
    files = downloads(at)
    assert files == expected, "every value was dropped: the page is the operator's default page"
    assert_inside(files, app_warehouse.frames, users.belts_a)
    words = texts(at)
    assert "Traceback" not in words
    if value:
        assert "ignored" in words or "忽略" in words, "the user is told what was dropped"
        if len(value) > 100:
            assert value[:100] not in words, "a long value is shown shortened"
    assert not [e.value for e in at.error]


def test_repeated_values_keep_the_last_valid_one_and_drop_the_rest(run_as, app_warehouse, users):
    mine = users.belts_a[0]
    messy = {"belt": [mine, mine, users.belts_b[0], SQL_LIKE[0], ""], "grain": ["year", "quarter"],
             "category": ["apparel", "apparel", SQL_LIKE[1]], "from": ["2021-01-01", "bad"], "preset": "custom",
             "to": ["2021-06-30"], "stalled": ["30", "31"]}
    clean = {"belt": mine, "grain": "quarter", "category": "apparel", "from": "2021-01-01", "to": "2021-06-30",
             "preset": "custom", "stalled": "31"}
    for page in ("pages/sales.py", "pages/steps.py"):
        got = downloads(run_as(OPERATOR_A, messy, page))
        assert got and got == downloads(run_as(OPERATOR_A, clean, page))
        assert_inside(got, app_warehouse.frames, (mine,))


def test_the_warehouse_tables_are_intact_after_the_hostile_links(app_warehouse, counts_before):
    # Runs after the tests above (file order): nothing they sent changed a table.
    assert table_counts(app_warehouse.wh) == counts_before


# ---------------------------------------------------------------- below the UI, on every backend

@pytest.mark.parametrize("text", SQL_LIKE + ["x" * 10_000])
def test_hostile_strings_reach_the_reports_only_as_values(warehouse, text):
    wh = warehouse.wh
    before = table_counts(wh)
    for f in (Filters(belts=(text,)), Filters(provinces=(text,)), Filters(scope_belts=(text,)),
              Filters(scope_belts=(text, "linyi-apparel"), belts=(text,))):
        assert REPORTS["brand_multiples"](wh, f).empty
        assert REPORTS["steps"](wh, f).empty
        assert int(REPORTS["sales"](wh, f)["orders"].sum()) == 0
    assert table_counts(wh) == before


@pytest.mark.parametrize("text", SQL_LIKE)
def test_the_export_command_refuses_hostile_belts(app_warehouse, tmp_path, text):
    env = {**os.environ, "WAREHOUSE_URL": app_warehouse.url, "BELTBOARD_AUDIT_LOG": str(tmp_path / "audit.log")}
    env.pop("BELTBOARD_ROLES", None)
    done = subprocess.run([sys.executable, "-m", "data_access", "export", "brand_multiples", "--belt", text,
                           "--province", text], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().count("\n") == 1 and "unknown value" in done.stderr.decode()
    rows = read_csv(subprocess.run([sys.executable, "-m", "data_access", "export", "brand_multiples"], cwd=ROOT,
                                   env=env, capture_output=True, timeout=120, check=True).stdout)
    assert rows, "the warehouse still answers"
