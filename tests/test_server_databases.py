"""The suite's own set-up on the local servers: test databases never outlive their run.

A fresh machine has none of our databases; a crashed run leaves some. Both must work: what a
fixture makes it drops (also when the test inside fails), what a dead run left is dropped at
the next start, and `python -m tests.server_databases --check` (run by `make test`) names any
that a run left behind.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy.exc import DBAPIError

from tests import server_databases as sd

KINDS = ("postgresql", "mariadb")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # finished and reaped: no process has it (until the kernel reuses it, long after)


@pytest.fixture(params=KINDS)
def kind(request):
    try:
        sd.names(request.param)
    except DBAPIError as exc:
        reason = f"{request.param} unreachable: {str(exc.orig).splitlines()[0][:200]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: every backend must run)", pytrace=False)
        pytest.skip(reason)
    return request.param


def test_a_fixture_database_is_dropped_when_the_test_inside_fails(kind):
    name = sd.name_for("setupcheck")
    with pytest.raises(RuntimeError):
        with sd.database(kind, "setupcheck"):
            assert name in sd.names(kind)
            raise RuntimeError("the test failed")
    assert name not in sd.names(kind)


def test_a_crashed_runs_database_is_dropped_and_a_live_runs_is_kept(kind):
    stale = f"beltboard_crashed_{_dead_pid()}"
    live = sd.name_for("alive")
    sd.create(kind, stale)
    sd.create(kind, live)
    try:
        assert stale in sd.orphaned(kind) and live not in sd.orphaned(kind)
        assert stale in sd.drop_stale(kind)
        assert stale not in sd.names(kind) and live in sd.names(kind)
    finally:
        sd.drop(kind, stale)
        sd.drop(kind, live)


def test_the_check_fails_on_a_leftover_and_names_it(kind):
    stale = f"beltboard_leftover_{_dead_pid()}"
    sd.create(kind, stale)
    try:
        run = subprocess.run([sys.executable, "-m", "tests.server_databases", "--check"], capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 1 and stale in run.stderr, run
    finally:
        sd.drop(kind, stale)
    run = subprocess.run([sys.executable, "-m", "tests.server_databases", "--check"], capture_output=True, text=True,
                         timeout=120)
    assert stale not in run.stdout + run.stderr

