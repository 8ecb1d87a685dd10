"""The Work queue page, the brand page's diagnosis and the providers page's scorecard, through dashboard.py
(figures against the `diagnosis`, `provider_scorecard` and `provider_cohorts` datasets, which
tests/test_reports.py holds against the oracle), and the evidence sentence in both languages."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from data_access.export.csv_file import csv_bytes
from data_access.metrics.catalogue import REPORTS
from data_access.metrics.queue_words import evidence_sentence
from data_access.warehouse.filters import Filters
from tests.app_support import cli_export, download_bytes, metric, texts, untranslated_columns
from ui import fmt

pytest_plugins = ["tests.conftest_app"]
PAGE = "pages/work_queue.py"


def queue_of(app_warehouse, **changes):
    return REPORTS["diagnosis"](app_warehouse.wh, Filters(**changes))


def queue_table(at):
    found = [d for d in at.dataframe if d.key and d.key.startswith("work_queue")]
    assert found, [d.key for d in at.dataframe]
    return found[0]


# ---------------------------------------------------------------- the evidence in words (pure)

def test_the_evidence_sentence_in_both_languages():
    assert evidence_sentence(3, 0.12, 0.30, 0.34, "zh") == "自播占比 12%，低于 30% 门槛；完成此步的品牌中位数 34%"
    assert evidence_sentence(3, 0.12, 0.30, 0.34, "en") == (
        "self-broadcast share 12%, below the 30% bar; brands that completed this step had 34%")


def test_the_evidence_sentence_says_met_unmeasurable_and_no_peers():
    assert evidence_sentence(1, 3.5, 3.0, 4.25, "en") == (
        "burst coefficient 3.5×, meets the 3.0× bar; brands that completed this step had 4.2×")
    assert evidence_sentence(4, float("nan"), 0.2, None, "en") == (
        "private-traffic share cannot be measured yet (no sales to measure it on); "
        "no selected brand has completed this step yet")
    assert evidence_sentence(2, 1.0, 1.5, 2.0, "zh") == "公域 GMV 增长 1.0×，低于 1.5× 门槛；完成此步的品牌中位数 2.0×"


# ---------------------------------------------------------------- the page

@pytest.mark.parametrize("lang, title, stalled", [("en", "Work queue", "Stalled"), ("zh", "待办", "停滞")])
def test_the_page_renders_its_tiles_in_both_languages(run_app, app_warehouse, lang, title, stalled):
    at = run_app({"lang": lang}, page=PAGE)
    assert at.title[0].value == title
    queue = queue_of(app_warehouse)
    as_of = app_warehouse.as_of
    month_before = dt.date(as_of.year, as_of.month, 1) - dt.timedelta(days=1)
    before = queue_of(app_warehouse, as_of=month_before)
    n_now, n_then = int((queue["status"] == "stalled").sum()), int((before["status"] == "stalled").sum())
    tile = metric(at, stalled)
    assert tile.value == fmt.count(n_now, lang)
    assert tile.proto.delta.lstrip("+-") == fmt.signed_count(n_now - n_then, lang).lstrip("+-")
    assert month_before.isoformat() in tile.proto.delta_description
    at_stake = queue.loc[queue["status"] == "stalled", "gmv_30d"].sum()
    assert fmt.money(at_stake, lang) in texts(at)
    assert "METRICS.md" in texts(at), "the page says which thresholds it used"
    assert not untranslated_columns(at)


def test_the_queue_hides_on_track_brands_until_asked_and_then_equals_the_export(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    queue = queue_of(app_warehouse)
    attention = queue[queue["status"] != "on_track"].reset_index(drop=True)
    assert set(queue["status"]) == {"stalled", "at_risk", "on_track"}, "the demo has every status"
    assert len(queue_table(at).value) == len(attention)
    assert download_bytes(at, "dl_work-queue") == csv_bytes(attention)
    at.toggle(key="p_wq_on_track").set_value(True).run()
    assert not at.exception
    assert len(queue_table(at).value) == len(queue)
    assert download_bytes(at, "dl_work-queue") == cli_export(app_warehouse.url, "diagnosis")


def test_a_changed_rules_file_is_read_afresh_by_the_next_run(run_app, app_warehouse, tmp_path, monkeypatch):
    """The queue is cached by the rules in force too: after the file changes, the same session's next run shows
    (and downloads) the queue judged by the new thresholds, equal to the export's."""
    from data_access.metrics import rules
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text("[thresholds]\nself_live_share = 0.3\n", encoding="utf-8")
    monkeypatch.setenv(rules.RULES_ENV, str(rules_file))
    at = run_app({"lang": "en"}, page=PAGE)
    at.toggle(key="p_wq_on_track").set_value(True).run()
    before = download_bytes(at, "dl_work-queue")
    assert before == cli_export(app_warehouse.url, "diagnosis")
    rules_file.write_text("[thresholds]\nself_live_share = 0.01\n", encoding="utf-8")
    os.utime(rules_file, (rules_file.stat().st_atime + 10, rules_file.stat().st_mtime + 10))
    at.run()
    assert not at.exception
    after = download_bytes(at, "dl_work-queue")
    assert after != before and after == cli_export(app_warehouse.url, "diagnosis")
    assert ",0.01," in after.decode("utf-8-sig")


def test_filtering_by_owner_and_belt(run_app, app_warehouse):
    at = run_app({"lang": "en"}, page=PAGE)
    shown = queue_table(at).value
    owner = shown["owner"].value_counts().index[0]
    at.multiselect(key="p_wq_owner").set_value([owner]).run()
    assert not at.exception
    narrowed = queue_table(at).value
    assert len(narrowed) == int((shown["owner"] == owner).sum()) < len(shown)
    assert set(narrowed["owner"]) == {owner}
    queue = queue_of(app_warehouse)
    belt = queue.loc[queue["status"] != "on_track", "belt_id"].dropna().value_counts().index[0]
    at.multiselect(key="p_wq_owner").set_value([]).run()
    at.multiselect(key="p_wq_belt").set_value([belt]).run()
    assert not at.exception
    want = queue[(queue["status"] != "on_track") & (queue["belt_id"] == belt)].reset_index(drop=True)
    assert len(queue_table(at).value) == len(want)
    assert download_bytes(at, "dl_work-queue") == csv_bytes(want)


def test_picking_a_row_opens_the_brand_page_with_its_diagnosis(run_app, app_warehouse):
    at = run_app({"lang": "en", "grain": "quarter"}, page=PAGE)
    table = queue_table(at)
    queue = queue_of(app_warehouse)
    first = queue[queue["status"] != "on_track"].iloc[0]
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Brand"
    assert at.query_params["brand"] == str(int(first["brand_id"]))
    assert at.query_params["grain"] == "quarter", "the filters travel with the link"
    assert "Diagnosis" in [s.value for s in at.subheader]
    assert metric(at, "Days in step").value == fmt.days(first["days_in_step"], "en")
    step = int(first["current_step"])
    sentence = evidence_sentence(step, first["evidence"], first["threshold"], first["peer_evidence"], "en")
    assert sentence in texts(at)


def test_a_brand_not_in_progress_opens_without_a_diagnosis(run_app, app_warehouse):
    steps = REPORTS["steps"](app_warehouse.wh, Filters())
    done = steps[steps["state"] != "in_progress"].iloc[0]
    at = run_app({"lang": "en", "brand": str(int(done["brand_id"]))}, page="pages/brand.py")
    assert not at.exception
    assert "Diagnosis" not in [s.value for s in at.subheader]


# ---------------------------------------------------------------- the providers page's scorecard

def test_the_scorecard_shows_percentiles_and_peer_medians(run_app, app_warehouse):
    as_of = app_warehouse.as_of
    f = Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of)
    card = REPORTS["provider_scorecard"](app_warehouse.wh, f)
    r = card.dropna(subset=["refund_rate_pct"]).sort_values("gmv_cny", ascending=False).iloc[0]
    at = run_app({"lang": "en", "provider": str(int(r["provider_id"]))}, page="pages/providers.py")
    assert not at.exception
    assert "Scorecard against its belt's peers" in [s.value for s in at.subheader]
    refund = [m for m in at.metric if m.label == "Refund rate" and "better than" in m.proto.delta]
    assert refund, [(m.label, m.proto.delta) for m in at.metric]
    assert refund[0].value == fmt.rate(r["refund_rate"], "en")
    assert fmt.rate(r["refund_rate_pct"], "en") in refund[0].proto.delta
    shown = re.sub(r"\\(.)", r"\1", texts(at))  # the trail lines are plain text: Markdown escapes undone
    assert f"peer median {fmt.rate(r['refund_rate_peer_median'], 'en')}" in shown
    assert "Brands taken on, month by month, against the platform" in texts(at)
