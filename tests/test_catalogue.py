"""The catalogue (data_access.metrics.catalogue, data_access.metrics.columns) is the one declaration of every dataset
and column:
each dataset really carries the columns it declares, every column it carries is declared, the export command
offers every dataset, and the documents (METRICS.md, the README) name the same datasets and columns."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from data_access.export.csv_file import csv_text
from data_access.metrics.catalogue import DATASETS, REPORTS
from data_access.metrics.columns import COLUMNS, KINDS, column
from data_access.warehouse.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
METRICS = ROOT.parent / "shared" / "METRICS.md"
RANGE = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30))


def _filters_and_subject(warehouse, dataset) -> tuple[Filters, int | None]:
    if dataset.subject == "brand":
        frames = warehouse.frames  # a brand with orders, milestones and providers: every one of its datasets has rows
        busy = (set(frames["orders"]["brand_id"]) & set(frames["steps_milestones"]["brand_id"])
                & set(frames["provider_assignments"]["brand_id"]))
        return RANGE.with_(brand_ids=(int(min(busy)),)), None
    if dataset.subject == "provider":
        return RANGE, int(warehouse.frames["provider_assignments"]["provider_id"].iloc[0])
    return RANGE, None


@pytest.mark.parametrize("warehouse", ["duckdb"], indirect=True)
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_carries_its_declared_columns_in_order_and_no_undeclared_one(warehouse, name):
    dataset = DATASETS[name]
    f, provider_id = _filters_and_subject(warehouse, dataset)
    df = dataset.run(warehouse.wh, f, provider_id)
    assert len(df) > 0, f"{name}: the edge warehouse should give rows for {f}"
    declared = set(dataset.columns)
    assert [c for c in df.columns if c in declared] == list(dataset.columns)
    assert not [c for c in df.columns if c not in COLUMNS], f"{name}: undeclared columns"


def test_a_dataset_about_one_brand_or_provider_refuses_to_run_without_it():
    with pytest.raises(ValueError, match="one brand"):
        DATASETS["brand_series"].run(None, Filters())
    with pytest.raises(ValueError, match="provider"):
        DATASETS["provider_series"].run(None, Filters())


def test_columns_have_known_kinds_and_enums_name_their_words():
    from ui.i18n import ENUMS
    assert {c.kind for c in COLUMNS.values()} <= set(KINDS)
    assert {c.enum for c in COLUMNS.values() if c.enum} <= set(ENUMS)
    assert column("no_such_column").kind == "text"


def test_money_in_the_csv_is_what_the_catalogue_calls_money():
    import pandas as pd
    money = [name for name, c in COLUMNS.items() if c.kind == "money"]
    assert {"gmv_cny", "gmv_30d", "gmv_before", "spend_cny"} <= set(money)
    row = pd.DataFrame({"gmv_30d": [1.5], "refund_rate": [1.5]})
    assert csv_text(row).splitlines()[1] == "1.50,1.5"


def test_export_list_names_every_dataset_with_its_description():
    done = subprocess.run([sys.executable, "-m", "data_access", "export", "--list"], cwd=ROOT, capture_output=True,
                          timeout=120, env={k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"})
    assert done.returncode == 0, done.stderr
    listed = dict(line.split("\t", 1) for line in done.stdout.decode().splitlines())
    assert listed == {name: d.description for name, d in DATASETS.items()}


def _metrics_tables() -> dict[str, list[str]]:
    """METRICS.md's export table: report -> its columns (without the optional [group])."""
    found = {}
    for line in METRICS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`[a-z_]+`", cells[0]):
            found[cells[0].strip("`")] = [c for c in re.findall(r"`([a-z_0-9]+)`", cells[2].split(" (")[0])
                                          if c != "group"]
    return found


@pytest.mark.skipif(not METRICS.is_file(), reason="../shared/METRICS.md is beside the project, not in it")
def test_metrics_md_reports_and_datasets_are_in_the_catalogue_with_their_columns():
    tables = _metrics_tables()
    assert len(tables) == 8
    for report, columns in tables.items():
        assert report in REPORTS
        assert list(DATASETS[report].columns[:len(columns)]) == columns, report  # "at least these, in order"
    named = set(re.findall(r"\(dataset `([a-z_]+)`\)", METRICS.read_text(encoding="utf-8")))
    assert named == {"diagnosis", "provider_scorecard", "provider_cohorts"} and named <= set(REPORTS)


def test_the_readme_names_every_dataset_and_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exporting CSVs and Excel files from the command line", 1)[1].split("\n## ", 1)[0]
    paragraph = section.split("Every dataset a page shows", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", paragraph))
    assert set(DATASETS) <= named
    assert not {n for n in named if n not in DATASETS and n in COLUMNS}
