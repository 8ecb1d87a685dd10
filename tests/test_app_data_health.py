"""The Data health page and the frame's notice: the contract check in the dashboard.

A manager sees the check's findings (the same as `python -m data_access check` computes) and when
it ran, in both languages; an operator gets no page and no findings; on a warehouse that breaks the
contract every page says which figures are affected, and still shows them.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.contract_check import RULES, check
from tests.access_support import MANAGER, OPERATOR_B
from tests.app_support import texts
from tests.test_contract_check import DEFECTS
from ui import i18n

pytest_plugins = ["tests.conftest_app", "tests.conftest_access"]

PAGE = "pages/data_health.py"


@pytest.mark.parametrize("lang, title, errors", [("en", "Data health", "Errors"), ("zh", "数据健康", "错误")])
def test_a_manager_sees_the_findings_of_the_check(run_app, app_warehouse, lang, title, errors):
    at = run_app({"lang": lang}, page=PAGE)
    want = check(Warehouse(app_warehouse.url, schema=""), sample=5)
    assert [h.value for h in at.title] == [title]
    assert [m.value for m in at.metric if m.label == errors] == [str(len(want.errors))]
    shown = at.dataframe[0].value if want.findings else None
    assert want.findings, "the demo carries warnings (steps started out of order)"
    assert len(shown) == len(want.findings)
    assert list(shown.iloc[:, 1]) == [f.table for f in want.findings]
    assert list(shown.iloc[:, 4]) == [f.count for f in want.findings]
    assert list(shown.iloc[:, 6]) == [", ".join(f.examples) for f in want.findings]
    assert ("Checked at" if lang == "en" else "检查于") in texts(at)
    assert not at.warning, "a warehouse with warnings only puts no notice on the pages"


def test_an_operator_has_no_data_health_page(run_as):
    manager = run_as(MANAGER, page=PAGE)
    assert manager.dataframe, "the manager's navigation has the page, with the findings"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(OPERATOR_B, page=PAGE)  # not in an operator's navigation: the findings name every belt's keys


@pytest.fixture
def broken_warehouse(tmp_path, monkeypatch):
    """The edge warehouse with negative GMV in two orders: figures of the order pages would be wrong."""
    url = f"duckdb:///{tmp_path / 'broken.duckdb'}"
    engine = create_engine(url)
    try:
        load.create_tables(engine)
        load.load_frames(engine, DEFECTS["negative_amount"].frames)
    finally:
        engine.dispose()
    monkeypatch.setenv("WAREHOUSE_URL", url)
    return url


def test_with_errors_every_page_says_which_figures_they_affect(run_app, broken_warehouse):
    at = run_app({"lang": "en"})  # the overview
    notice = [w.value for w in at.warning if "breaks its contract" in w.value]
    assert len(notice) == 1 and "orders.gmv_cny" in notice[0]
    assert "Sales multiples" in notice[0] and "Onboarding growth" not in notice[0]
    assert at.metric, "the page still shows its figures, under the notice"
    at = run_app({"lang": "en"}, page=PAGE)
    assert [m.value for m in at.metric if m.label == "Errors"] == ["1"]
    assert any("Sales multiples" in e.value for e in at.error)


def test_every_rule_has_words_in_both_languages():
    rules = {rule for by_severity in RULES.values() for rule in by_severity}
    assert {d.rule for d in DEFECTS.values()} | {"check_failed"} == rules, "a planted test per rule"
    for rule in rules:  # words, not the rule's id, in the catalogues
        assert i18n.t(rule, "zh") != rule and i18n.t(rule, "en") != rule, rule
    assert {(d.rule, d.severity) for d in DEFECTS.values()} <= {(r, s) for s, rs in RULES.items() for r in rs}



def test_only_contract_errors_name_pages():
    """A rule that could not run (a statement timeout on a slow warehouse) fails the command, but says nothing
    about the figures: no page is named for it."""
    import datetime as dt

    from data_access.warehouse.contract_check import ERROR, Finding, Result
    from ui import health

    def result(*findings):
        return Result(where="w", checked_at=dt.datetime(2021, 1, 1), tables=7, rows=1, seconds=0.1, findings=findings)

    timed_out = result(Finding(ERROR, "check_failed", "orders", "", 0, "the row rule could not run: timeout"))
    assert timed_out.exit_code == 1 and health.affected_pages(timed_out) == []
    spend = result(Finding(ERROR, "negative_amount", "campaigns", "spend_cny", 1, "negative spend"))
    assert health.affected_pages(spend) == ["Overview", "Brand", "Trust & ROI"]
