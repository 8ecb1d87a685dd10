"""The cache edge between the pages and `data_access`, and where access control is enforced.

The Warehouse (its pooled engine) is a `st.cache_resource` keyed by the warehouse URL. Every
report is kept in a cache bounded by bytes (ui.cache.FrameCache: st.cache_data bounds only the
count of entries, and a few big answers filled the server) keyed by everything that changes its
answer: the URL, the data's generation, the report name and the Filters (a frozen, hashable
dataclass). `refresh()` drops them all. The generation (Warehouse.generation: a stat() of a file,
a server's orders and marts record at most every generation_check_s() seconds) is looked at
before each cached call, so a rebuilt or changed warehouse is read afresh by itself, with no
Refresh, and entries of the old generation are never served again.
`refresh()` is a manager's: the caches are every user's (the sidebar offers "Refresh data" to
managers only). Streamlit's own clear-cache (its menu item, its `c` shortcut, the `clear_cache`
message any client can send over the WebSocket) would drop them for anyone, signed in or not: this
module switches it off for the whole server (`_ignore_clear_cache`).

Access control: every public function here (`meta`, `report`, `provider_data`) takes the scope
from this run's identity (ui.identity.scope(), never from its arguments) and writes it into the
Filters (`Scope.apply` replaces the scope fields) before the cached call, so the scope is in
every cache key and in every query's WHERE clause (data_access.warehouse.filters.brand_conditions). The
belt list (`meta`) is the scope's too. Pages have no other road to the warehouse.

A `WarehouseError` becomes a page-level message saying what is wrong and what to do; a
traceback is never shown. Errors are raised, never returned, so `st.cache_data` keeps none:
the next run asks the warehouse again (a restarted server recovers by itself). The same holds for
the frame cache.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.app_session import AppSession

from data_access.access import audit
from data_access.access.scope import AccessDenied, Scope
from data_access.cli import export_command
from data_access.config import warehouse_schema, warehouse_url
from data_access.export import xlsx
from data_access.export.csv_file import Where, csv_bytes
from data_access.metrics import events, reference, reports, rules
from data_access.metrics.catalogue import DATASETS
from data_access.warehouse import contract_check, schema
from data_access.warehouse.connection import (
    DEMO_COMMAND,
    EmptyWarehouse,
    MissingTables,
    QueryTimeout,
    Warehouse,
    WarehouseError,
    WarehouseUnreachable,
)
from data_access.warehouse.filters import DataSpan, Filters
from data_access.words import messages as words

from . import audit_log, identity, state
from .cache import FrameCache
from .i18n import t
from .text import plain

log = logging.getLogger("beltboard.downloads")
TTL_SECONDS = 600
MAX_ENTRIES = 256
CACHE_BYTES = 256 * 2**20  # what every session's cached figures may hold together
FRAMES = FrameCache(max_bytes=CACHE_BYTES, ttl=TTL_SECONDS)


@dataclass(frozen=True)
class Call:
    """One data call of a run, as `recording` keeps it: what a page asks the warehouse for."""
    kind: str                       # "meta", "report" or "provider"
    name: str = ""                  # the catalogue's dataset
    f: Filters | None = None        # inside the run's scope
    provider_id: int | None = None


_RECORDINGS: list[list[Call]] = []


@contextlib.contextmanager
def recording():
    """Keep every data call of the runs made inside (meta, report, provider_data, with the scoped Filters): the
    benchmark learns each page's data plan from the page itself (bench/plans.py), never from a copy."""
    calls: list[Call] = []
    _RECORDINGS.append(calls)
    try:
        yield calls
    finally:
        _RECORDINGS.remove(calls)


def _record(call: Call) -> None:
    for calls in _RECORDINGS:
        calls.append(call)


@dataclass(frozen=True)
class Meta:
    """What the frame needs before any report: the as-of date, the belts this user may choose and the days
    with data (which date ranges are kept near)."""
    url: str
    as_of: dt.date
    belts: pd.DataFrame  # belt_id, name_zh, name_en, province, sorted by province then name_zh
    span: DataSpan       # the first and last day with data
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


def _source() -> tuple[str, tuple]:
    """(URL, generation token) of the warehouse now: the first two parts of every cache key."""
    url = current_url()
    return url, _warehouse(url).generation().token


def _scope() -> Scope:
    """This run's scope, from its identity; a run that may see nothing ends here with a message."""
    try:
        return identity.scope(state.run_language())
    except AccessDenied as exc:
        st.error(plain(str(exc)), icon=":material/lock:")  # it may name the user
        st.stop()


def scoped(f: Filters) -> Filters:
    """`f` inside this run's scope (the scope fields replaced, whatever `f` held)."""
    return _scope().apply(f)


def _counted(df: pd.DataFrame) -> pd.DataFrame:
    audit_log.count(len(df))  # the audit line's `rows`
    return df


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _meta(url: str, generation: tuple, scope: Filters) -> tuple[dt.date, pd.DataFrame]:
    wh = _warehouse(url)
    as_of = wh.as_of()
    return as_of, reference.belts(wh, scope)


@st.cache_data(ttl=TTL_SECONDS, max_entries=8, show_spinner=False)
def _span(url: str, generation: tuple) -> DataSpan:
    return reference.data_span(_warehouse(url))


def meta() -> Meta:
    """The as-of date and the belts of this run's scope."""
    url, generation = _source()
    scope = scoped(Filters())
    _record(Call("meta", f=scope))
    as_of, belts = _meta(url, generation, scope)
    no_belt = scope.scope_belts is None or schema.NO_BELT in scope.scope_belts
    return Meta(url=url, as_of=as_of, belts=belts, span=_span(url, generation), no_belt=no_belt)


@st.cache_data(ttl=TTL_SECONDS, max_entries=8, show_spinner=False)
def _warehouse_events(url: str, generation: tuple) -> tuple[events.Event, ...] | None:
    return events.warehouse_events(_warehouse(url))


def platform_events() -> tuple[events.Event, ...]:
    """The platform's events for the time charts (the same for every scope: a calendar, not data about brands):
    the warehouse's `platform_events` table when it has one (looked for once per generation), else the calendar
    file (re-read when it changes). Raises EventsError for a calendar that cannot be used."""
    found = _warehouse_events(*_source())
    return events.calendar() if found is None else found


@FRAMES.cached
def _report(url: str, generation: tuple, name: str, f: Filters, used: rules.Rules | None) -> pd.DataFrame:
    dataset = DATASETS[name]
    if dataset.ruled:
        return dataset.compute(_warehouse(url), f, used)
    return dataset.run(_warehouse(url), f)


def report(name: str, f: Filters) -> pd.DataFrame:
    """A dataset of the catalogue (about the selected brands, or one brand: `f.brand_ids`) for these filters,
    inside this run's scope (a copy: callers may add columns). A dataset that depends on the rules file is
    keyed by the rules in force too, so a changed file is read afresh."""
    f = scoped(f)
    _record(Call("report", name, f))
    dataset = DATASETS[name]
    used = rules.load_rules() if dataset.ruled else None
    lang = state.run_language()
    with st.spinner(t("Loading {what}…", lang, what=t(dataset.what, lang))):
        return _counted(_report(*_source(), name, f, used).copy())


def peer_bands(f: Filters, league: pd.DataFrame) -> pd.DataFrame:
    """Median, P90 and the best decile's edge of each provider figure (data_access.metrics.reports.peer_bands): over the
    league shown, or for a provider user over its peers, from data_access (its league holds only its own row)."""
    if scoped(f).scope_provider is None:
        return reports.peer_bands(league)
    return report("provider_peers", f)


def refresh() -> None:
    """Forget every cached figure and the engine: the next run reads the warehouse again. A manager's
    action: for anyone else this does nothing (the rerun of their click retries what failed, as errors
    are never cached)."""
    ident = identity.current(state.run_language())
    if not (ident.allowed and ident.scope.everything):
        return
    _report.clear()
    _provider_data.clear()
    _meta.clear()
    _span.clear()
    _warehouse_events.clear()
    _contract_check.clear()
    _warehouse.clear()


def _ignore_clear_cache(session: AppSession) -> None:
    logging.getLogger("beltboard.cache").warning(
        "ignored a clear_cache request from a browser session: only a manager's “Refresh data” clears the caches")


AppSession._handle_clear_cache_request = _ignore_clear_cache  # Streamlit's clear-cache, for every session


# ---------------------------------------------------------------- errors

def explain(exc: WarehouseError, lang: str) -> tuple[str, str]:
    """(what is wrong, what to do) for a warehouse error, in the reader's language."""
    if isinstance(exc, MissingTables):
        return t("The warehouse is missing tables.", lang), t(
            "What to do: build the demo warehouse with `{command}`, or point WAREHOUSE_URL at a warehouse "
            "that has these tables, then press “Refresh data”.", lang, command=DEMO_COMMAND)
    if isinstance(exc, WarehouseUnreachable):
        return t("The warehouse cannot be reached.", lang), t(
            "What to do: check WAREHOUSE_URL (or .streamlit/secrets.toml) and that the database server is "
            "running, then press “Refresh data”.", lang)
    if isinstance(exc, QueryTimeout):
        return t("The warehouse took too long to answer.", lang), t(
            "What to do: narrow the filters (fewer belts, a shorter date range) and try again; the next query runs "
            "normally. If it keeps happening, tell the data team.", lang)
    if isinstance(exc, EmptyWarehouse):
        return t("The warehouse holds no orders yet.", lang), t(
            "What to do: load orders into the warehouse (or build the demo with `{command}`), then press "
            "“Refresh data”.", lang, command=DEMO_COMMAND)
    return t("The warehouse could not answer.", lang), t(
        "What to do: press “Refresh data”; if it persists, tell the data team and include this message.", lang)


def show_error(exc: WarehouseError, lang: str) -> None:
    audit_log.failed(type(exc).__name__)
    what, todo = explain(exc, lang)
    details = t("Details: {message}", lang, message=plain(str(exc)))
    st.error(f"**{what}**\n\n{todo}\n\n{details}", icon=":material/error:")


@contextlib.contextmanager
def page_errors():
    """Run a page's data work; a WarehouseError ends the page with a readable message."""
    try:
        yield
    except WarehouseError as exc:
        show_error(exc, state.run_language())
        st.stop()


# ---------------------------------------------------------------- one provider's datasets
# They need its id beside the Filters: `provider_data`, cached by (URL, name, Filters, id).


@FRAMES.cached
def _provider_data(url: str, generation: tuple, name: str, f: Filters, provider_id: int) -> pd.DataFrame:
    return DATASETS[name].run(_warehouse(url), f, provider_id)


def provider_data(name: str, f: Filters, provider_id: int) -> pd.DataFrame:
    """One provider's dataset of the catalogue (its brands, its served GMV per period) for these filters,
    inside this run's scope."""
    f = scoped(f)
    _record(Call("provider", name, f, int(provider_id)))
    lang = state.run_language()
    with st.spinner(t("Loading {what}…", lang, what=t("Providers", lang))):
        return _counted(_provider_data(*_source(), name, f, int(provider_id)).copy())


# ---------------------------------------------------------------- Excel downloads

def excel_about(name: str, ctx: state.PageContext, f: Filters | None = None, provider_id: int | None = None,
                where: Where = ()) -> tuple[xlsx.About, Filters]:
    """What an Excel download's About sheet says for this run's user (their scope in words, the filters as the
    rows were asked for: `f`, by default the page's; the export command that writes the same rows), and the
    page's filters in the user's scope (the file's name says the page's range and belts)."""
    f = f or ctx.filters
    scope = ctx.ident.scope
    scoped_f = scope.apply(f).resolved(ctx.as_of)
    dataset = DATASETS.get(name)
    user = scope.user if ctx.ident.source != "local" else None  # with access control, the export needs --as-user
    subject = (f"provider {provider_id}" if provider_id is not None
               else f"brand {f.brand_ids[0]}" if len(f.brand_ids) == 1 else None)
    about = xlsx.About(
        dataset=name, description=dataset.description if dataset else "", filters=scoped_f, user=scope.user,
        scope=words.scope_words(scope.kind, scope.belts, scope.provider_id, ctx.export_names, ctx.lang),
        belt_names=ctx.export_names, subject=subject,
        command=export_command(name, f, provider_id, user, where) if dataset else "")
    return about, scope.apply(ctx.filters).resolved(ctx.as_of)


def download_writer(df: pd.DataFrame, about: xlsx.About, lang: str, kind: str, ident: identity.Identity):
    """The callable a deferred download runs on click (in a thread of its own, without this run's context):
    the file (`kind` csv: the CLI's bytes; xlsx: the workbook), after its audit line, as the CLI writes one per
    export. With access control, a line that cannot be written means no file: the click fails, and the refusal
    is itself recorded where it can be."""
    path = audit.audit_path(ident.audit_log)
    required = ident.source != "local"
    line = dict(user=about.user, scope=ident.scope.describe(), target=f"{about.dataset}.{kind}",
                filters=audit.filters_dict(about.filters), rows=len(df), path=path)

    def write() -> bytes:
        started = time.perf_counter()
        body = csv_bytes(df) if kind == "csv" else xlsx.xlsx_bytes(df, about, lang)
        try:
            audit.record("download", duration_ms=(time.perf_counter() - started) * 1000, required=required, **line)
        except audit.AuditError as exc:
            log.warning("refused a download: %s", exc)
            raise
        return body

    return write


# ---------------------------------------------------------------- the contract check (Data health, the frame's notice)
CHECK_TTL_SECONDS = 3600  # it reads the whole warehouse: at most once an hour, shared by every session


@st.cache_data(ttl=CHECK_TTL_SECONDS, max_entries=8, show_spinner=False)
def _contract_check(url: str, schema_name: str | None) -> contract_check.Result:
    return contract_check.check(_warehouse(url))


def contract_findings(again: bool = False) -> contract_check.Result:
    """The warehouse checked against the contract (data_access.warehouse.contract_check), with when it ran; `again`
    runs it now rather than take the last hour's."""
    if again:
        _contract_check.clear()
    return _contract_check(current_url(), warehouse_schema())

