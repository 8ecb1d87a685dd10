"""`python -m data_access check`: clean where the contract holds, and each kind of defect found exactly.

Clean: the edge warehouse on all five backends has no error, and exactly the warnings that plain
pandas finds in its frames (it holds a belt without brands, a brand selling before it onboarded
and steps started out of order, on purpose). Defects: each test plants one kind into a copy of the
edge warehouse (DuckDB and PostgreSQL; tables without constraints, as a team's tables or views may
be) and expects that finding, with the planted count and example keys, and exit code 1 (errors)
or 0 (warnings only).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

import pandas as pd
import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, text
from sqlalchemy.exc import DBAPIError

from data_access import cli
from data_access.warehouse import schema
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.contract_check import ERROR, WARNING, check, declared_key
from data_access.warehouse.marts import build as marts
from tests import server_databases
from tests.edge_warehouse import edge_frames

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- what pandas says about the edge frames

def expected_warnings(frames) -> dict[str, list[str]]:
    """rule → example keys (all of them, sorted as the warehouse sorts them), computed in pandas."""
    b, o, m, belts = frames["brands"], frames["orders"], frames["steps_milestones"], frames["industry_belts"]
    first = o.groupby("brand_id").ordered_at.min().dt.date
    onboarded = b.set_index("brand_id").onboarded_on
    late = sorted(int(k) for k, day in first.items() if k in onboarded.index and day < onboarded[k])
    started = m.set_index(["brand_id", "step"]).started_on
    early = sorted({int(bid) for (bid, step), day in started.items()
                    if (bid, step - 1) in started.index and day < started[(bid, step - 1)]})
    empty = sorted(set(belts.belt_id) - set(b.belt_id.dropna()))
    found = {"onboarded_after_first_order": [f"brand_id={x}" for x in late],
             "steps_out_of_order": [f"brand_id={x}" for x in early],
             "belt_without_brands": [f"belt_id={x}" for x in empty]}
    return {rule: keys for rule, keys in found.items() if keys}


def by_rule(result, severity=None) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.findings:
        if severity is None or f.severity == severity:
            out.setdefault(f.rule, []).append(f)
    return out


def test_the_edge_warehouse_is_clean_on_every_backend(warehouse):
    result = check(Warehouse(warehouse.url, schema=""), sample=50)
    assert result.errors == [], result.text()
    assert result.exit_code == 0
    assert result.tables == 7
    assert result.rows == sum(len(f) for f in warehouse.frames.values())
    want = expected_warnings(warehouse.frames)
    assert set(want) == {"onboarded_after_first_order", "steps_out_of_order", "belt_without_brands"}, \
        "the edge warehouse is meant to carry these three"
    got = {rule: list(fs[0].examples) for rule, fs in by_rule(result, WARNING).items()}
    assert got == want
    assert {rule: fs[0].count for rule, fs in by_rule(result, WARNING).items()} == {r: len(k) for r, k in want.items()}


def test_a_declared_primary_key_is_trusted_only_where_the_database_enforces_it(warehouse):
    """The duplicate-key rule is skipped for a table whose key the database enforces (a scan of 10M keys saved);
    ClickHouse's primary key is a sort order, and a team's views or loose tables declare none (planted tests)."""
    wh = Warehouse(warehouse.url, schema="")
    try:
        assert [declared_key(wh, t) for t in schema.TABLES] == [warehouse.backend not in ("chdb", "cluster")] * len(
            schema.TABLES)
    finally:
        wh.engine.dispose()


# ---------------------------------------------------------------- planted defects

def loose_metadata(drop_table: str | None = None) -> MetaData:
    """The contract's tables without keys or NOT NULL: a team's tables, which may hold anything."""
    md = MetaData()
    for table in schema.TABLES:
        if table.name != drop_table:
            Table(table.name, md, *[Column(c.name, c.type, nullable=True) for c in table.c])
    return md


@dataclass
class Defect:
    rule: str
    severity: str
    table: str
    column: str
    count: int
    examples: list[str]
    frames: dict = field(repr=False, default=None)
    drop_table: str | None = None
    ddl: dict[str, str] = field(default_factory=dict)  # backend → statement run after loading
    stale_marts: bool = False


def _first(df: pd.DataFrame, key: str, n: int, where=None) -> list:
    rows = df if where is None else df[where(df)]
    return sorted(rows[key].tolist())[:n]


def _set(df: pd.DataFrame, key: str, ids, **values) -> pd.DataFrame:
    df = df.copy()
    for column, value in values.items():
        if value is None:
            df[column] = df[column].astype("Int64" if df[column].dtype.kind in "iu" else object)
        df.loc[df[key].isin(ids), column] = pd.NA if value is None and df[column].dtype == "Int64" else value
    return df


def defects() -> dict[str, Defect]:
    f = edge_frames()
    base = expected_warnings(f)
    o, b, m, c, a = (f[t] for t in ("orders", "brands", "steps_milestones", "campaigns", "provider_assignments"))
    out = {}

    def add(name, rule, severity, table, column, count, examples, **changed):
        frames = {**f, **{t: v for t, v in changed.items() if t in f}}
        extra = {k: v for k, v in changed.items() if k not in f}
        out[name] = Defect(rule, severity, table, column, count, examples, frames, **extra)

    ids = _first(o, "order_id", 3)
    add("null", "null", ERROR, "orders", "channel", 3, [f"order_id={i}" for i in ids],
        orders=_set(o, "order_id", ids, channel=None))
    ids = _first(o, "order_id", 2, lambda d: d.traffic_source == "public")
    add("value_not_in_contract", "value_not_in_contract", ERROR, "orders", "traffic_source", 2,
        [f"order_id={i}" for i in ids], orders=_set(o, "order_id", ids, traffic_source="Public"))
    dup = _first(b, "brand_id", 2)
    add("duplicate_key", "duplicate_key", ERROR, "brands", "brand_id", 2, [f"brand_id={i}" for i in dup],
        brands=pd.concat([b, b[b.brand_id.isin(dup)]], ignore_index=True))
    ids = _first(o, "order_id", 3)
    add("unknown_reference", "unknown_reference", ERROR, "orders", "brand_id", 3, ["brand_id=999999"],
        orders=_set(o, "order_id", ids, brand_id=999_999))
    add("missing_table", "missing_table", ERROR, "campaigns", "", 0, [], drop_table="campaigns")
    add("missing_column", "missing_column", ERROR, "orders", "returned", 0, [],
        ddl={"duckdb": "ALTER TABLE orders DROP COLUMN returned",
             "postgresql": "ALTER TABLE orders DROP COLUMN returned"})
    add("wrong_type", "wrong_type", ERROR, "orders", "gmv_cny", 0, [],
        ddl={"duckdb": "ALTER TABLE orders ALTER gmv_cny TYPE DOUBLE",
             "postgresql": "ALTER TABLE orders ALTER COLUMN gmv_cny TYPE double precision"})
    done = m[m.completed_on.notna()]
    keys = sorted(zip(done.brand_id, done.step))[:2]
    late = m.copy()
    for bid, step in keys:
        row = (late.brand_id == bid) & (late.step == step)
        late.loc[row, "completed_on"] = late.loc[row, "started_on"].iloc[0] - DAY
    add("completed_before_started", "completed_before_started", ERROR, "steps_milestones", "completed_on", 2,
        [f"(brand_id={x}, step={s})" for x, s in keys], steps_milestones=late)
    one = m[m.step == 5].sort_values("brand_id").iloc[0]
    bad_step = m.copy()
    bad_step.loc[(bad_step.brand_id == one.brand_id) & (bad_step.step == 5), "step"] = 6
    add("step_out_of_range", "step_out_of_range", ERROR, "steps_milestones", "step", 1,
        [f"(brand_id={one.brand_id}, step=6)"], steps_milestones=bad_step)
    served = a[a.end_on.isna()].sort_values("brand_id").iloc[0]
    other = int(f["providers"].provider_id[f["providers"].provider_id != served.provider_id].iloc[0])
    overlap = pd.concat([a, pd.DataFrame([{"brand_id": served.brand_id, "provider_id": other,
                                           "start_on": served.start_on + DAY, "end_on": served.start_on + 10 * DAY}])],
                        ignore_index=True)
    add("overlapping_assignments", "overlapping_assignments", ERROR, "provider_assignments", "start_on", 1,
        [f"brand_id={served.brand_id}"], provider_assignments=overlap)
    ids = _first(o, "order_id", 2)
    add("negative_amount", "negative_amount", ERROR, "orders", "gmv_cny", 2, [f"order_id={i}" for i in ids],
        orders=_set(o, "order_id", ids, gmv_cny=-1.0))
    # warnings
    future = o.copy()
    future.loc[future.order_id == ids[0], "ordered_at"] = pd.Timestamp(dt.date.today() + 3 * DAY)
    add("future_order", "future_order", WARNING, "orders", "ordered_at", 1, [f"order_id={ids[0]}"], orders=future)
    early = o.copy()
    early.loc[early.order_id == ids[0], "ordered_at"] = pd.Timestamp(b.onboarded_on.min() - DAY)
    add("order_before_first_brand", "order_before_first_brand", WARNING, "orders", "ordered_at", 1,
        [f"order_id={ids[0]}"], orders=early)
    taken = {int(k.split("=")[1]) for k in base["onboarded_after_first_order"]}
    seller = int(o[~o.brand_id.isin(taken)].sort_values("order_id").brand_id.iloc[0])
    first_day = o[o.brand_id == seller].ordered_at.min().date()
    add("onboarded_after_first_order", "onboarded_after_first_order", WARNING, "brands", "onboarded_on",
        len(base["onboarded_after_first_order"]) + 1,
        sorted(base["onboarded_after_first_order"] + [f"brand_id={seller}"], key=lambda k: int(k.split("=")[1])),
        brands=_set(b, "brand_id", [seller], onboarded_on=first_day + 5 * DAY))
    swapped = m.copy()
    has_12 = sorted(set(m.brand_id[m.step == 1]) & set(m.brand_id[m.step == 2]) - {30})
    bid = has_12[0]
    s1 = swapped.loc[(swapped.brand_id == bid) & (swapped.step == 1), "started_on"].iloc[0]
    swapped.loc[(swapped.brand_id == bid) & (swapped.step == 2), "started_on"] = s1 - DAY
    swapped.loc[(swapped.brand_id == bid) & (swapped.step == 2), "completed_on"] = None
    add("steps_out_of_order", "steps_out_of_order", WARNING, "steps_milestones", "started_on", 2,
        sorted([f"brand_id={bid}", "brand_id=30"], key=lambda k: int(k.split("=")[1])), steps_milestones=swapped)
    ids = _first(c, "campaign_id", 2)
    add("zero_spend", "zero_spend", WARNING, "campaigns", "spend_cny", 2, [f"campaign_id={i}" for i in ids],
        campaigns=_set(c, "campaign_id", ids, spend_cny=0.0))
    belts = pd.concat([f["industry_belts"], pd.DataFrame([{
        "belt_id": "aaa-empty", "name_zh": "空", "name_en": "Empty", "province": "Hebei", "city": "X",
        "main_category": "home"}])], ignore_index=True)
    add("belt_without_brands", "belt_without_brands", WARNING, "industry_belts", "belt_id", 2,
        ["belt_id=aaa-empty", "belt_id=baigou-bags"], industry_belts=belts)
    add("stale_marts", "stale_marts", WARNING, "beltboard_marts", "", 0, [], stale_marts=True)
    return out


DEFECTS = defects()
PLANT_BACKENDS = ("duckdb", "postgresql")


@contextlib.contextmanager
def planted(backend: str, defect: Defect, tmp_path):
    """A copy of the edge warehouse with `defect` in it, as a URL; a server database is dropped after."""
    if backend == "duckdb":
        url = f"duckdb:///{tmp_path / 'planted.duckdb'}"
        yield _fill(url, backend, defect)
        return
    try:
        with server_databases.database(backend, "check") as url:
            yield _fill(url, backend, defect)
    except DBAPIError as exc:
        pytest.skip(f"{backend} unreachable: {str(exc.orig).splitlines()[0][:200]}")


def _fill(url: str, backend: str, defect: Defect) -> str:
    engine = create_engine(url)
    try:
        loose_metadata(defect.drop_table).create_all(engine)
        load.load_frames(engine, {k: v for k, v in defect.frames.items() if k != defect.drop_table})
        if defect.stale_marts:
            marts.build_into(engine)
            last = defect.frames["orders"].sort_values("order_id").tail(1)
            extra = last.assign(order_id=last.order_id + 1)  # one order more than the marts were built from
            load.load_frames(engine, {"orders": extra})
        if defect.ddl:
            with engine.begin() as conn:
                conn.execute(text(defect.ddl[backend]))  # a fixed statement of this test
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("backend", PLANT_BACKENDS)
@pytest.mark.parametrize("name", list(DEFECTS))
def test_a_planted_defect_is_found_with_its_count_and_keys(backend, name, tmp_path, capsys):
    defect = DEFECTS[name]
    with planted(backend, defect, tmp_path) as url:
        code = cli.main(["check", "--url", url, "--sample", "5", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    found = [f for f in out["findings"] if f["rule"] == defect.rule]
    assert len(found) == 1, out["findings"]
    finding = found[0]
    assert (finding["severity"], finding["table"], finding["column"]) == (defect.severity, defect.table, defect.column)
    assert finding["count"] == defect.count
    assert finding["examples"] == defect.examples[:5]
    errors = {f["rule"] for f in out["findings"] if f["severity"] == ERROR}
    assert errors == ({defect.rule} if defect.severity == ERROR else set()), "nothing else is an error"
    assert code == (1 if defect.severity == ERROR else 0)
    assert out["errors"] == len(errors)


# ---------------------------------------------------------------- as a user runs it

def run(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", "WAREHOUSE_SCHEMA")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "data_access", "check", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=300)


def test_the_command_prints_one_line_per_finding_and_a_summary(tmp_path):
    with planted("duckdb", DEFECTS["negative_amount"], tmp_path) as url:
        done = run("--sample", "1", env_extra={"WAREHOUSE_URL": url})
    lines = done.stdout.decode().strip().splitlines()
    assert done.returncode == 1, done.stderr.decode()
    negative = [line for line in lines if "negative_amount" in line]
    assert len(negative) == 1 and negative[0].startswith("error") and "orders.gmv_cny" in negative[0]
    first = DEFECTS["negative_amount"].examples[0]
    assert f"e.g. {first}" in negative[0] and negative[0].endswith(first), "--sample 1: one example"
    summary = lines[-1]
    rows = sum(len(f) for f in DEFECTS["negative_amount"].frames.values())
    assert summary.startswith("check: 7 of 7 tables") and f"{rows:,} rows" in summary
    assert "1 errors" in summary and len(lines) == 1 + 1 + len(expected_warnings(edge_frames()))


@pytest.mark.parametrize("url, host", [
    ("postgresql+psycopg://analyst:Sup3r-Secret@127.0.0.1:1/warehouse", "127.0.0.1"),
    ("mysql+pymysql://analyst:Sup3r-Secret@127.0.0.1:1/warehouse", "127.0.0.1"),
])
def test_an_unreachable_warehouse_exits_1_with_one_line_and_no_password(url, host):
    done = run("--url", url)
    message = done.stderr.decode().strip()
    assert done.returncode == 1 and done.stdout == b""
    assert len(message.splitlines()) == 1, message
    assert host in message and "Sup3r-Secret" not in message


@pytest.mark.parametrize("args, named", [
    (["--sample", "-1"], "--sample"),
    (["--sample", "many"], "--sample"),
    (["--format", "xml"], "--format"),
    (["--colour"], "--colour"),
])
def test_a_bad_argument_exits_2_with_one_line_naming_it(args, named):
    done = run(*args)
    message = done.stderr.decode().strip()
    assert done.returncode == 2 and done.stdout == b""
    assert len(message.splitlines()) == 1, message
    assert named in message
