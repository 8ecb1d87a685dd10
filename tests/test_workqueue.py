"""The work-queue datasets beyond the oracle matrix (tests/test_reports.py runs diagnosis,
provider_scorecard and provider_cohorts against tests/oracle.py on every backend): thresholds
from a rules file, bad rules files, the export's word on its thresholds, and the edge cases that
METRICS.md's definitions make interesting, each checked to be present in the edge warehouse."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine

import oracle
from data_access.export.csv_file import csv_bytes
from data_access.metrics import rules
from data_access.metrics.diagnosis import diagnosis
from data_access.metrics.provider_scores import provider_cohorts, provider_scorecard
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from edge_warehouse import (
    DONE_ON_AS_OF_BRAND,
    LAST_DAY,
    NO_ORDERS_BRAND,
    ONLY_2020_BRAND,
    TIE_PROVIDER,
    ZERO_GMV_BRAND,
    edge_frames,
)
from test_reports import assert_frames_match

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
D = dt.date
OVERRIDE = """# stricter on steps 1 and 3, looser on step 2; 4 and 5 keep METRICS.md's bars
[thresholds]
burst_coefficient = 20
public_gmv_growth = 0.8
self_live_share = 0.25
"""
OVERRIDDEN = {1: 20.0, 2: 0.8, 3: 0.25}


@pytest.fixture
def rules_file(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(OVERRIDE, encoding="utf-8")
    return path


# ---------------------------------------------------------------- thresholds overridden, every backend

@pytest.mark.parametrize("source", ["marts", "raw"])
@pytest.mark.parametrize("f", [Filters(), Filters(as_of=D(2021, 6, 30), stalled_days=30)], ids=["defaults", "mid-year"])
def test_overridden_thresholds_equal_the_oracle(warehouse, rules_file, source, f):
    overridden = rules.load_rules(rules_file)
    got = diagnosis(warehouse.source(source), f, rules=overridden)
    want = oracle.oracle_diagnosis(warehouse.frames, f, thresholds=OVERRIDDEN)
    label = f"diagnosis with a rules file on {warehouse.backend}"
    assert_frames_match(got, want, oracle.REQUIRED["diagnosis"], label=label)
    defaults = oracle.oracle_diagnosis(warehouse.frames, f)
    assert list(want["evidence_met"]) != list(defaults["evidence_met"]), "the override must change a verdict"
    assert set(got["threshold"]) <= {20.0, 0.8, 0.25, 0.20, 0.10}


def test_a_rules_file_names_its_source_and_keeps_defaults_it_leaves_out(rules_file, monkeypatch):
    monkeypatch.setenv(rules.RULES_ENV, str(rules_file))
    loaded = rules.load_rules()
    assert dict(loaded.thresholds) == {1: 20.0, 2: 0.8, 3: 0.25, 4: 0.20, 5: 0.10}
    assert str(rules_file) in loaded.describe() and "burst_coefficient>=20" in loaded.describe()
    monkeypatch.delenv(rules.RULES_ENV)
    assert rules.load_rules() == rules.DEFAULT_RULES
    assert dict(rules.DEFAULT_RULES.thresholds) == oracle.DEFAULT_THRESHOLDS
    assert "METRICS.md defaults" in rules.DEFAULT_RULES.describe()


def test_the_example_rules_file_is_metrics_md_s_defaults():
    example = rules.load_rules(rules.PROJECT_ROOT / "docs" / "rules.example.toml")
    assert dict(example.thresholds) == oracle.DEFAULT_THRESHOLDS


@pytest.mark.parametrize("text, complaint", [
    ("[thresholds\n", "cannot be read"),
    ("[thresholds]\nburst = 3\n", "unknown threshold 'burst'"),
    ("[thresholds]\nself_live_share = 30\n", "between 0 and 1"),
    ("[thresholds]\nprivate_share = -0.1\n", "must be a number"),
    ("[thresholds]\npublic_gmv_growth = \"1.5\"\n", "must be a number"),
    ("[thresholds]\nburst_coefficient = true\n", "must be a number"),
    ("[thresholds]\nburst_coefficient = nan\n", "must be a number"),
    ("thresholds = 3\n", "must be a table"),
    ("[threshold]\nburst_coefficient = 3\n", "unknown table or key 'threshold'"),
])
def test_a_bad_rules_file_is_one_clear_line(tmp_path, text, complaint):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(rules.RulesError) as err:
        rules.load_rules(path)
    message = str(err.value)
    assert complaint in message and str(path) in message and "\n" not in message


def test_a_rules_path_that_is_not_a_file_is_an_error_not_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv(rules.RULES_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(rules.RulesError, match="not a file"):
        rules.load_rules()


# ---------------------------------------------------------------- the export

@pytest.fixture(scope="module")
def duckdb_url(tmp_path_factory):
    url = f"duckdb:///{tmp_path_factory.mktemp('workqueue') / 'edge.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    return url


def export(url, *args, rules_path=None):
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", rules.RULES_ENV)}
    env["WAREHOUSE_URL"] = url
    if rules_path is not None:
        env[rules.RULES_ENV] = str(rules_path)
    return subprocess.run([sys.executable, "-m", "data_access", "export", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120, check=False)


def test_the_export_says_which_thresholds_it_used(duckdb_url, rules_file):
    done = export(duckdb_url, "diagnosis", "--stalled-days", "60", rules_path=rules_file)
    assert done.returncode == 0, done.stderr.decode()
    assert f"thresholds ({rules_file})" in done.stderr.decode()
    f = Filters(stalled_days=60)
    assert done.stdout == csv_bytes(diagnosis(Warehouse(duckdb_url), f, rules=rules.load_rules(rules_file)))
    plain = export(duckdb_url, "diagnosis", "--stalled-days", "60")
    assert plain.returncode == 0 and "thresholds (METRICS.md defaults)" in plain.stderr.decode()
    assert plain.stdout != done.stdout


def test_an_export_with_a_bad_rules_file_exits_2_with_one_line(duckdb_url, tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text("[thresholds]\nself_live_share = 30\n", encoding="utf-8")
    done = export(duckdb_url, "diagnosis", rules_path=bad)
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b""
    assert err.startswith("error: the rules file") and err.count("\n") == 1 and "Traceback" not in err


# ---------------------------------------------------------------- the edge cases, present and as decided

def test_a_step_completed_on_the_as_of_day_leaves_the_queue_and_joins_the_peers(warehouse):
    m = warehouse.frames["steps_milestones"]
    assert ((m.brand_id == DONE_ON_AS_OF_BRAND) & (m.completed_on == LAST_DAY)).any()
    queue = diagnosis(warehouse.wh, Filters())
    assert DONE_ON_AS_OF_BRAND not in set(queue.brand_id)
    assert oracle.burst_coefficient(warehouse.frames, DONE_ON_AS_OF_BRAND) is not None, "so it counts as a peer"
    step1 = queue[queue.current_step == 1]
    without = Filters(brand_ids=tuple(int(b) for b in warehouse.frames["brands"].brand_id if b != DONE_ON_AS_OF_BRAND))
    other = diagnosis(warehouse.wh, without)
    assert step1.peer_evidence.iloc[0] != other[other.current_step == 1].peer_evidence.iloc[0]


def test_a_brand_without_gmv_in_its_window_has_empty_unmet_evidence(warehouse):
    row = diagnosis(warehouse.wh, Filters()).set_index("brand_id").loc[ONLY_2020_BRAND]
    assert row.current_step == 3 and row.gmv_30d == 0
    assert row.evidence != row.evidence and not row.evidence_met   # NaN: empty, and not met


def test_the_queue_holds_every_status_in_order(warehouse):
    queue = diagnosis(warehouse.wh, Filters())
    assert set(queue.status) == {"stalled", "at_risk", "on_track"}
    ranks = [("stalled", "at_risk", "on_track").index(s) for s in queue.status]
    assert ranks == sorted(ranks)
    for _, rows in queue.groupby("status"):
        assert list(rows.gmv_30d) == sorted(rows.gmv_30d, reverse=True)


def test_a_tie_for_main_belt_goes_to_the_smaller_belt_id_as_text(warehouse):
    brands = warehouse.frames["brands"].set_index("brand_id")
    belts = {brands.belt_id[ZERO_GMV_BRAND], brands.belt_id[NO_ORDERS_BRAND]}
    assert belts == {"shenzhen-electronics", None}, "the tie is between a belt and no belt"
    card = provider_scorecard(warehouse.wh, Filters()).set_index("provider_id")
    assert card.loc[TIE_PROVIDER, "gmv_cny"] == 0 and card.loc[TIE_PROVIDER, "main_belt"] == "none"


def test_a_provider_alone_in_its_belt_has_no_percentiles(warehouse):
    card = provider_scorecard(warehouse.wh, Filters())
    alone = card[card.peers == 1]
    assert len(alone), "the edge warehouse has a provider alone in its main belt"
    pct = alone[[c for c in card.columns if c.endswith(("_pct", "_peer_median"))]]
    assert pct.isna().all().all()
    crowded = card[card.peers > 1]
    assert crowded[[c for c in card.columns if c.endswith("_pct")]].notna().any().any()
    assert (card.peers == card.groupby("main_belt").provider_id.transform("size")).all()


def test_an_assignment_ending_inside_its_30_days_counts_only_its_own_days(warehouse):
    a = warehouse.frames["provider_assignments"]
    short = a[(a.provider_id == TIE_PROVIDER) & a.end_on.notna()]
    assert ((short.end_on - short.start_on).map(lambda d: d.days) < 29).all() and len(short) == 1
    cohorts = provider_cohorts(warehouse.wh, Filters(date_from=D(2021, 3, 1), date_to=D(2021, 3, 31)))
    row = cohorts.set_index("provider_id").loc[TIE_PROVIDER]
    assert row.month_start == D(2021, 3, 1) and row.assignments == 2 and row.gmv_after == 0
    assert row.after_multiple != row.after_multiple                # 0 / 0: empty
    assert (cohorts.platform_after_multiple == cohorts.platform_after_multiple.iloc[0]).all()


# ---------------------------------------------------------------- the demo warehouse

@pytest.fixture(scope="module")
def demo_wh(tmp_path_factory):
    from data_access.demo import synthesis as demo
    from data_access.warehouse.marts import build as marts
    frames = demo.generate(orders=200_000, seed=7)
    url = f"duckdb:///{tmp_path_factory.mktemp('workqueue_demo') / 'demo.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, frames)
    marts.build_into(engine)
    engine.dispose()
    wh = Warehouse(url)
    yield wh, frames
    wh.engine.dispose()


def test_the_demo_queue_holds_every_status(demo_wh):
    wh, _ = demo_wh
    assert set(diagnosis(wh, Filters()).status) == {"stalled", "at_risk", "on_track"}


def test_the_demo_has_a_provider_clearly_above_and_one_clearly_below_its_peers(demo_wh):
    wh, frames = demo_wh
    a = frames["provider_assignments"]
    busiest = a[a.start_on >= D(2021, 1, 1)].provider_id.value_counts()
    busiest = busiest.reset_index().sort_values(["count", "provider_id"], ascending=[False, True]).provider_id
    star, laggard = int(busiest.iloc[0]), int(busiest.iloc[1])   # the demo's standouts, by its own rule
    card = provider_scorecard(wh, Filters()).set_index("provider_id")
    for figure in ("refund_rate", "return_rate", "median_days_per_step"):   # lower is better for all three
        assert card.loc[star, f"{figure}_pct"] >= 0.75, (figure, card.loc[star])
        assert card.loc[star, figure] < card.loc[star, f"{figure}_peer_median"] * 0.75
        assert card.loc[laggard, f"{figure}_pct"] <= 0.25, (figure, card.loc[laggard])
        assert card.loc[laggard, figure] > card.loc[laggard, f"{figure}_peer_median"] * 1.1
    assert card.loc[star, "peers"] >= 10 and card.loc[laggard, "peers"] >= 3
