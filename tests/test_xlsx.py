"""Excel exports for people (data_access/export/xlsx.py): `export --format xlsx` for every dataset of the catalogue,
opened again with openpyxl — headers in the language, numbers as numbers with the catalogue's formats, dates as
dates, names beside ids, text never a formula, the About sheet naming the filters and whose data it is — and an
operator's file holding only their belts and saying so."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine

from data_access import cli
from data_access.access import roles as access_roles, scope as access_scope
from data_access.export.csv_file import file_name
from data_access.metrics.catalogue import DATASETS
from data_access.metrics.columns import column
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters
from data_access.words.messages import enum, t
from tests.access_support import OPERATOR_A, Users, write_roles
from tests.edge_warehouse import edge_frames

ROOT = Path(__file__).resolve().parent.parent
RANGE = ["--from", "2021-01-01", "--to", "2021-06-30"]
FORMATS = {"money": '"¥"#,##0.00', "rate": "0.0%", "multiple": '0.0"×"', "ratio": "0.00", "count": "#,##0"}


@pytest.fixture(scope="module")
def frames():
    return edge_frames()


@pytest.fixture(scope="module")
def url(frames, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "edge.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    load.create_tables(engine)
    load.load_frames(engine, frames)
    engine.dispose()
    return f"duckdb:///{path}"


def subject_args(frames, name: str) -> list[str]:
    subject = DATASETS[name].subject
    if subject == "brand":
        busy = set(frames["orders"]["brand_id"]) & set(frames["steps_milestones"]["brand_id"])
        return ["--brand", str(min(busy))]
    if subject == "provider":
        return ["--provider", str(int(frames["provider_assignments"]["provider_id"].iloc[0]))]
    return []


def export_xlsx(url: str, name: str, out: Path, *args: str) -> openpyxl.Workbook:
    assert cli.main(["export", name, "--url", url, "--format", "xlsx", "--out", str(out), *args]) == 0
    return openpyxl.load_workbook(out)


def about(book) -> dict[str, str]:
    """The About sheet's lines above the column table: label -> value."""
    lines = {}
    for label, value, *_ in book.worksheets[1].iter_rows(values_only=True):
        if label is None:
            break
        lines[label] = value
    return lines


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_as_xlsx_in_chinese(url, frames, tmp_path, name):
    args = [*RANGE, "--lang", "zh", *subject_args(frames, name)]
    book = export_xlsx(url, name, tmp_path / f"{name}.xlsx", *args)
    data = book.worksheets[0]
    assert book.sheetnames == ["数据", "说明"]
    assert data.freeze_panes == "A2" and data.auto_filter.ref
    headers = [c.value for c in data[1]]
    frame = dataset_frame(url, frames, name)
    expected = []
    for c in frame.columns:
        expected.append(t("Industry belt ID", "zh") if c == "belt_id" else t(c, "zh"))
        if c == "belt_id":
            expected.append(t("belt", "zh"))
    assert headers == expected
    assert len(list(data.iter_rows(min_row=2))) == len(frame)
    for c in frame.columns:  # each figure's cells: numbers in the catalogue's format
        kind = column(c).kind
        cells = [row[headers.index(t(c, "zh"))] for row in data.iter_rows(min_row=2)]
        shown = [cell for cell in cells if cell.value is not None]
        if kind in FORMATS and not column(c).enum:
            assert all(isinstance(cell.value, (int, float)) and cell.number_format == FORMATS[kind]
                       for cell in shown), c
        if kind == "date":
            assert all(isinstance(cell.value, dt.datetime) for cell in shown), c
        assert all(cell.data_type != "f" for cell in cells), f"{c}: a formula"
    lines = about(book)
    assert lines["数据集"].startswith(name) and lines["日期范围"] == "2021-01-01 – 2021-06-30"
    assert lines["用户"] == access_scope.LOCAL_USER and lines["数据范围"] == t("manager · every belt", "zh")


def dataset_frame(url: str, frames, name: str):
    """The rows the export writes, from the catalogue directly."""
    extra = subject_args(frames, name)
    f = Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30),
                brand_ids=(int(extra[1]),) if extra[:1] == ["--brand"] else ())
    wh = Warehouse(url)
    try:
        return DATASETS[name].run(wh, f, int(extra[1]) if extra[:1] == ["--provider"] else None)
    finally:
        wh.engine.dispose()


def test_names_beside_ids_words_for_codes_and_text_never_a_formula(url, frames, tmp_path):
    book = export_xlsx(url, "steps", tmp_path / "steps.xlsx", *RANGE, "--lang", "en")
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    rows = list(data.iter_rows(min_row=2, values_only=True))
    belts = frames["industry_belts"].set_index("belt_id")["name_en"]
    belt_col, name_col = headers.index(t("Industry belt ID", "en")), headers.index(t("belt", "en"))
    assert name_col == belt_col + 1
    for row in rows:
        if row[belt_col] and row[belt_col] in belts:
            assert row[name_col] == belts[row[belt_col]]
    steps = {row[headers.index(t("current_step", "en"))] for row in rows}
    assert steps <= {enum("step", k, "en") for k in range(6)}
    assert {row[headers.index(t("state", "en"))] for row in rows} <= {
        enum("state", s, "en") for s in ("not_started", "in_progress", "completed")}
    names = [c for c in data.iter_cols(min_col=headers.index(t("brand_name", "en")) + 1, max_col=headers.index(
        t("brand_name", "en")) + 1, min_row=2)][0]
    risky = [c for c in names if str(c.value).lstrip(" \"'").startswith(("=", "+", "-", "@"))]
    assert risky, "the edge warehouse has names a spreadsheet would run"
    assert all(c.data_type == "s" for c in risky)
    flags = [row[headers.index(t("stalled", "en"))] for row in rows]
    assert {type(v) for v in flags if v is not None} == {bool}


def test_an_operator_s_workbook_holds_their_belts_only_and_says_so(url, frames, tmp_path, monkeypatch):
    roles = write_roles(tmp_path / "roles.toml", Users(belts_a=("linyi-apparel", "none"), belts_b=("zhuji-pearls",),
                                                       provider_id=101))
    monkeypatch.setenv(access_roles.ROLES_ENV, str(roles))
    book = export_xlsx(url, "steps", tmp_path / "ops.xlsx", *RANGE, "--lang", "zh", "--as-user", OPERATOR_A)
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    belt_ids = {row[headers.index(t("Industry belt ID", "zh"))] for row in data.iter_rows(min_row=2, values_only=True)}
    assert belt_ids and belt_ids <= {"linyi-apparel", "none", None}
    lines = about(book)
    linyi = frames["industry_belts"].set_index("belt_id").loc["linyi-apparel", "name_zh"]
    assert lines["用户"] == OPERATOR_A and linyi in lines["数据范围"] and "产业带" in lines["数据范围"]


@pytest.mark.parametrize("args, named", [(["--format", "pdf"], "--format"), (["--lang", "fr"], "--lang")])
def test_a_bad_format_or_language_exits_2_with_one_line(url, args, named):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    done = subprocess.run([sys.executable, "-m", "data_access", "export", "sales", "--url", url, *args], cwd=ROOT,
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 2 and done.stdout == b""
    message = done.stderr.decode().strip()
    assert len(message.splitlines()) == 1 and named in message


def test_xlsx_on_stdout_is_the_same_workbook(url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    done = subprocess.run([sys.executable, "-m", "data_access", "export", "trust", "--url", url, *RANGE,
                           "--format", "xlsx", "--lang", "en"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from_stdout = openpyxl.load_workbook(io.BytesIO(done.stdout))
    from_file = export_xlsx(url, "trust", tmp_path / "trust.xlsx", *RANGE, "--lang", "en")
    assert [list(r) for r in from_stdout.worksheets[0].values] == [list(r) for r in from_file.worksheets[0].values]


def test_file_names_say_what_is_inside():
    f = Filters(date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 6, 30), belts=("linyi-apparel", "caoxian-hanfu"))
    named = file_name("providers", f, "xlsx")  # the belts sorted, as Filters keeps them
    assert named == "providers_2021-04-01_2021-06-30_caoxian-hanfu+linyi-apparel.xlsx"
    assert file_name("a/b 品牌", Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 1, 31)),
                          "xlsx") == "a-b---_2021-01-01_2021-01-31.xlsx"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) is not installed: "
                    "make test installs it with apt-get when run as root")
def test_libreoffice_opens_the_workbook_with_chinese_intact_and_numbers_numeric(url, tmp_path):
    """Another spreadsheet than the library that wrote it: LibreOffice Calc, headless, converts the file and we
    read what it kept."""
    export_xlsx(url, "providers", tmp_path / "providers.xlsx", *RANGE, "--lang", "zh")
    out = tmp_path / "converted"
    done = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                           "--outdir", str(out), str(tmp_path / "providers.xlsx")],
                          env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out / "providers.xlsx")
    assert book.sheetnames == ["数据", "说明"]
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    assert headers[:3] == [t("provider_id", "zh"), t("provider_name", "zh"), t("brands_served", "zh")]
    gmv = [row[headers.index(t("gmv_cny", "zh"))] for row in data.iter_rows(min_row=2)]
    assert gmv and all(isinstance(c.value, (int, float)) and "¥" in c.number_format for c in gmv)
    refund = [row[headers.index(t("refund_rate", "zh"))].value for row in data.iter_rows(min_row=2)]
    assert any(isinstance(v, float) and 0 <= v <= 1 for v in refund)
    assert book.worksheets[1]["A1"].value == "数据集"
