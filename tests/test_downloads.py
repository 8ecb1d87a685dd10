"""Every download on every page is a dataset of the catalogue: its Excel file's About sheet names the export
command that writes the same rows, and that command's CSV is byte for byte the page's CSV (issue 17)."""
from __future__ import annotations

import io
import shlex

import openpyxl

from data_access import cli
from tests.app_support import deferred_bytes, download_bytes

pytest_plugins = ["tests.conftest_app"]

COMMAND = {"zh": "命令行", "en": "Command line"}


def _views(frames) -> list[tuple[str, dict]]:
    """Every page, and the views that show more downloads (a breakdown, one brand, one provider)."""
    brand = int(frames["orders"]["brand_id"].value_counts().index[0])
    provider = int(frames["provider_assignments"]["provider_id"].value_counts().index[0])
    return [("pages/overview.py", {}), ("pages/onboarding.py", {}), ("pages/onboarding.py", {"by": "belt"}),
            ("pages/onboarding.py", {"by": "category"}), ("pages/sales.py", {}),
            ("pages/sales.py", {"rank": "growth", "min_base": "500"}), ("pages/brand.py", {}),
            ("pages/providers.py", {"provider": str(provider)}), ("pages/steps.py", {}),
            ("pages/work_queue.py", {}), ("pages/brand.py", {"brand": str(brand)}), ("pages/trust_roi.py", {}),
            ("pages/trust_roi.py", {"trust_by": "provider"})]


def _command(book: openpyxl.Workbook, lang: str) -> str | None:
    for label, value, *_ in book.worksheets[1].iter_rows(values_only=True):
        if label == COMMAND[lang]:
            return value
    return None


def _exported(command: str, out) -> bytes:
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "data_access", "export"], command
    assert cli.main([*words[3:], "--out", str(out)]) == 0, command
    return out.read_bytes()


def test_every_page_download_is_a_dataset_s_export(run_app, app_warehouse, tmp_path):
    checked, problems = 0, []
    for page, query in _views(app_warehouse.frames):
        at = run_app({**query, "lang": "en"}, page=page)
        keys = [b.key for b in at.get("download_button") if b.key.startswith("dl_")]
        assert keys, f"{page} {query}: no download"
        for key in keys:
            book = openpyxl.load_workbook(io.BytesIO(deferred_bytes(at, "xl_" + key.removeprefix("dl_"))))
            command = _command(book, "en")
            if not command:
                problems.append(f"{page} {query} {key}: its About sheet names no export command")
                continue
            if download_bytes(at, key) != _exported(command, tmp_path / f"{checked}.csv"):
                problems.append(f"{page} {query} {key}: differs from `{command}`")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 30
