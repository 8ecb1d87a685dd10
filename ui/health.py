"""The contract check in the dashboard: which pages a failing check affects, the frame's notice, and
the Data health page's table of findings (data_access.warehouse.contract_check; cached in ui.data)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.warehouse.connection import WarehouseError
from data_access.warehouse.contract_check import Result

from . import data
from .i18n import N_, t

# Words for the rules and severities of data_access.warehouse.contract_check (message ids; the catalogues say them).
RULE_WORDS = (
    N_("error"), N_("warning"), N_("missing_table"), N_("missing_column"), N_("wrong_type"), N_("duplicate_key"),
    N_("unknown_reference"), N_("value_not_in_contract"), N_("null"), N_("completed_before_started"),
    N_("step_out_of_range"), N_("overlapping_assignments"), N_("negative_amount"), N_("check_failed"),
    N_("future_order"), N_("order_before_first_brand"), N_("onboarded_after_first_order"), N_("steps_out_of_order"),
    N_("zero_spend"), N_("belt_without_brands"), N_("stale_marts"),
)
EVERY_PAGE = ("Overview", "Onboarding growth", "Sales multiples", "Providers", "STEPS", "Brand", "Trust & ROI")
# The pages whose figures read each contract table (titles as in ui.navigation.PAGES).
AFFECTS = {
    "industry_belts": EVERY_PAGE,   # the belt filter and every by-belt breakdown
    "brands": EVERY_PAGE,           # every figure is over selected brands
    "providers": ("Providers", "Brand"),
    "provider_assignments": ("Providers", "STEPS", "Brand"),
    "steps_milestones": ("Overview", "STEPS", "Brand"),
    "campaigns": ("Overview", "Brand", "Trust & ROI"),
    "orders": ("Overview", "Sales multiples", "Providers", "STEPS", "Brand", "Trust & ROI"),
}

def violations(result: Result) -> list:
    """The errors that break the contract (a rule that could not run, e.g. timed out, says nothing about figures)."""
    return [f for f in result.errors if f.rule != "check_failed"]


def affected_pages(result: Result) -> list[str]:
    """The titles of the pages whose figures the check's errors make wrong, in navigation order."""
    hit = {page for f in violations(result) for page in AFFECTS.get(f.table, EVERY_PAGE)}
    return [page for page in EVERY_PAGE if page in hit]


def notice(lang: str) -> None:
    """In the frame, above every page: when the warehouse breaks the contract, say which figures it affects."""
    try:
        result = data.contract_findings()
    except WarehouseError:
        return  # the page says itself what is wrong with the warehouse
    errors = violations(result)
    if not errors:
        return
    where = ", ".join(dict.fromkeys(f.where for f in errors))
    pages = ", ".join(t(p, lang) for p in affected_pages(result))
    st.warning(t("The warehouse breaks its contract in {where}: figures on {pages} may be wrong. A manager sees the "
                 "details under Data health.", lang, where=where, pages=pages), icon=":material/report:")


def findings_frame(result: Result, lang: str) -> pd.DataFrame:
    """One row per finding, as the command prints them, with words for the rule."""
    return pd.DataFrame({
        t("Severity", lang): [t(f.severity, lang) for f in result.findings],
        t("Table", lang): [f.table for f in result.findings],
        t("Column", lang): [f.column for f in result.findings],
        t("Finding", lang): [t(f.rule, lang) for f in result.findings],
        t("Count", lang): [f.count for f in result.findings],
        t("Detail", lang): [f.detail for f in result.findings],
        t("Examples", lang): [", ".join(f.examples) for f in result.findings],
    }, columns=[t(c, lang) for c in ("Severity", "Table", "Column", "Finding", "Count", "Detail", "Examples")])
