"""The cache edge between the pages and `data_access`, and where access control is enforced.

The Warehouse (its pooled engine) is a `st.cache_resource` keyed by the warehouse URL. Every
report is a `st.cache_data` keyed by everything that changes its answer: the URL, the report
name and the Filters (a frozen, hashable dataclass). `refresh()` drops them all.

Access control: every public function here (`meta`, `report`, `provider_data`) takes the scope
from this run's identity (ui.identity.scope(), never from its arguments) and writes it into the
Filters (`Scope.apply` replaces the scope fields) before the cached call, so the scope is in
every cache key and in every query's WHERE clause (data_access.filters.brand_conditions). The
belt list (`meta`) is the scope's too. Pages have no other road to the warehouse.

A `WarehouseError` becomes a page-level message saying what is wrong and what to do; a
traceback is never shown. Errors are raised, never returned, so `st.cache_data` keeps none:
the next run asks the warehouse again (a restarted server recovers by itself).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access import cohorts, contract_check, reference, schema
from data_access.access import AccessDenied, Scope
from data_access.config import warehouse_schema, warehouse_url
from data_access.filters import Filters
from data_access.reports import REPORTS
from data_access.warehouse import (
    DEMO_COMMAND, EmptyWarehouse, MissingTables, QueryTimeout, Warehouse, WarehouseError, WarehouseUnreachable,
)

from . import audit_log, identity
from .i18n import t

TTL_SECONDS = 600
MAX_ENTRIES = 256

# Everything a page can ask for: the METRICS.md reports, plus aggregates the UI needs.
DATA = {**REPORTS, "cohort_gmv": cohorts.cohort_gmv}

WHAT = {  # words for the spinner
    "onboarding": "brands_onboarded", "sales": "gmv_cny", "brand_multiples": "multiple",
    "steps": "STEPS", "steps_funnel": "STEPS", "providers": "Providers", "roi": "ROI T+30",
    "trust": "orders", "cohort_gmv": "Cohort GMV",
}


@dataclass(frozen=True)
class Meta:
    """What the frame needs before any report: the as-of date and the belts this user may choose."""
    url: str
    as_of: dt.date
    belts: pd.DataFrame  # belt_id, name_zh, name_en, province, sorted by province then name_zh
    no_belt: bool = True  # whether "no belt" (brands without a belt) is in the scope

    @property
    def belt_ids(self) -> list[str]:
        return list(self.belts["belt_id"])

    @property
    def provinces(self) -> list[str]:
        return sorted(set(self.belts["province"]))


def current_url() -> str:
    return warehouse_url()


def _release(wh: Warehouse) -> None:
    wh.engine.dispose()  # refresh() or eviction: close the pool's connections now


@st.cache_resource(show_spinner=False, max_entries=8, on_release=_release)
def _warehouse(url: str) -> Warehouse:
    return Warehouse(url)


def _scope() -> Scope:
    """This run's scope, from its identity; a run that may see nothing ends here with a message."""
    try:
        return identity.scope()
    except AccessDenied as exc:
        from .widgets import plain
        st.error(plain(str(exc)), icon=":material/lock:")  # it may name the user
        st.stop()


def scoped(f: Filters) -> Filters:
    """`f` inside this run's scope (the scope fields replaced, whatever `f` held)."""
    return _scope().apply(f)


def _counted(df: pd.DataFrame) -> pd.DataFrame:
    audit_log.count(len(df))  # the audit line's `rows`
    return df


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _meta(url: str, scope: Filters) -> tuple[dt.date, pd.DataFrame]:
    wh = _warehouse(url)
    as_of = wh.as_of()
    return as_of, reference.belts(wh, scope)


def meta() -> Meta:
    """The as-of date and the belts of this run's scope."""
    url = current_url()
    scope = scoped(Filters())
    as_of, belts = _meta(url, scope)
    no_belt = scope.scope_belts is None or schema.NO_BELT in scope.scope_belts
    return Meta(url=url, as_of=as_of, belts=belts, no_belt=no_belt)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _report(url: str, name: str, f: Filters) -> pd.DataFrame:
    return DATA[name](_warehouse(url), f)


def report(name: str, f: Filters) -> pd.DataFrame:
    """A report's frame for these filters, inside this run's scope (a copy: callers may add columns)."""
    f = scoped(f)
    with st.spinner(t("Loading {what}…", what=t(WHAT.get(name, name)))):
        return _counted(_report(current_url(), name, f).copy())


def refresh() -> None:
    """Forget every cached figure and the engine: the next run reads the warehouse again."""
    _report.clear()
    _provider_data.clear()
    _meta.clear()
    _contract_check.clear()
    _warehouse.clear()


# ---------------------------------------------------------------- errors

def explain(exc: WarehouseError) -> tuple[str, str]:
    """(what is wrong, what to do) for a warehouse error, in the reader's language."""
    if isinstance(exc, MissingTables):
        return t("The warehouse is missing tables."), t(
            "What to do: build the demo warehouse with `{command}`, or point WAREHOUSE_URL at a warehouse "
            "that has these tables, then press “Refresh data”.", command=DEMO_COMMAND)
    if isinstance(exc, WarehouseUnreachable):
        return t("The warehouse cannot be reached."), t(
            "What to do: check WAREHOUSE_URL (or .streamlit/secrets.toml) and that the database server is "
            "running, then press “Refresh data”.")
    if isinstance(exc, QueryTimeout):
        return t("The warehouse took too long to answer."), t(
            "What to do: narrow the filters (fewer belts, a shorter date range) and try again; the next query runs "
            "normally. If it keeps happening, tell the data team.")
    if isinstance(exc, EmptyWarehouse):
        return t("The warehouse holds no orders yet."), t(
            "What to do: load orders into the warehouse (or build the demo with `{command}`), then press "
            "“Refresh data”.", command=DEMO_COMMAND)
    return t("The warehouse could not answer."), t(
        "What to do: press “Refresh data”; if it persists, tell the data team and include this message.")


def show_error(exc: WarehouseError) -> None:
    audit_log.failed(type(exc).__name__)
    what, todo = explain(exc)
    details = t("Details: {message}", message=_plain(str(exc)))
    st.error(f"**{what}**\n\n{todo}\n\n{details}", icon=":material/error:")


def _plain(text: str) -> str:
    """Text shown inside Markdown literally: escape what Markdown would interpret."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in text)


@contextlib.contextmanager
def page_errors():
    """Run a page's data work; a WarehouseError ends the page with a readable message."""
    try:
        yield
    except WarehouseError as exc:
        show_error(exc)
        st.stop()


# ---------------------------------------------------------------- providers / STEPS / brand / trust pages
# data_access.brand: figures over the selected brands take Filters like the reports; the figures of one
# brand take Filters(brand_ids=(id,)), the brand page's filters, so `DATA` (and `report`) hold them all.
# Those of one provider need its id too: `provider_data`, cached by (URL, name, Filters, id).


def _the_brand(f: Filters) -> int:
    if len(f.brand_ids) != 1:
        raise ValueError(f"a brand's figures need exactly one brand_id in the filters, not {f.brand_ids!r}")
    return f.brand_ids[0]


def _profile_frame(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """brand.brand_profile as a frame of one row (none when the brand is unknown or not selected)."""
    profile = brand.brand_profile(wh, _the_brand(f), f=f)
    return pd.DataFrame([profile] if profile else [], columns=brand.PROFILE_COLUMNS)


from data_access import brand  # noqa: E402

DATA.update({
    "step_evidence": brand.step_evidence,
    "burst_coefficients": brand.burst_coefficients,
    "brand_profile": _profile_frame,
    "brand_series": lambda wh, f: brand.brand_series(wh, f, _the_brand(f)),
    "provider_history": lambda wh, f: brand.provider_history(wh, _the_brand(f), f=f),
    "brand_milestones": lambda wh, f: brand.brand_milestones(wh, _the_brand(f), f=f),
})
WHAT.update({"step_evidence": "STEPS", "burst_coefficients": "STEPS", "brand_profile": "Brand",
             "brand_series": "gmv_cny", "provider_history": "Providers", "brand_milestones": "STEPS"})

PROVIDER_DATA = {"provider_brands": brand.provider_brands, "provider_series": brand.provider_series}


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _provider_data(url: str, name: str, f: Filters, provider_id: int) -> pd.DataFrame:
    return PROVIDER_DATA[name](_warehouse(url), f, provider_id)


def provider_data(name: str, f: Filters, provider_id: int) -> pd.DataFrame:
    """One provider's frame (`PROVIDER_DATA`: its brands, its served GMV per period) for these filters,
    inside this run's scope."""
    f = scoped(f)
    with st.spinner(t("Loading {what}…", what=t("Providers"))):
        return _counted(_provider_data(current_url(), name, f, int(provider_id)).copy())


# ---------------------------------------------------------------- the contract check (Data health, the frame's notice)
CHECK_TTL_SECONDS = 3600  # it reads the whole warehouse: at most once an hour, shared by every session


@st.cache_data(ttl=CHECK_TTL_SECONDS, max_entries=8, show_spinner=False)
def _contract_check(url: str, schema_name: str | None) -> contract_check.Result:
    return contract_check.check(_warehouse(url))


def contract_findings(again: bool = False) -> contract_check.Result:
    """The warehouse checked against the contract (data_access.contract_check), with when it ran; `again`
    runs it now rather than take the last hour's."""
    if again:
        _contract_check.clear()
    return _contract_check(current_url(), warehouse_schema())

