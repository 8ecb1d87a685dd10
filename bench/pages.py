"""The data work behind each page of the app, as the pages ask for it (read from pages/*.py).

Each page is a list of calls — the data_access functions that the page asks `ui/data.py` for
on its first run with the default view (no URL parameters: the year to date of the as-of year,
monthly grain, no belt filter, a manager's scope). `meta` is the frame's as-of date and belts,
which every page needs first. Keep these lists in step with pages/*.py.

The calls go through the same cache edge as ui/data.py: an st.cache_resource Warehouse per URL
and st.cache_data per (URL, generation, name, Filters), each answer copied as `ui.data.report`
does; what each name computes is the catalogue's (data_access.catalogue.DATASETS), as for the
pages. The edge is rebuilt here rather than imported, so that the benchmark does not depend on
the UI's session state (identity, scope) outside `streamlit run`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access import periods, plans, reference
from data_access.catalogue import DATASETS
from data_access.filters import Filters
from data_access.warehouse import Warehouse


@st.cache_resource(show_spinner=False, max_entries=8)
def _warehouse(url: str) -> Warehouse:
    return Warehouse(url)


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _meta(url: str, generation: tuple, scope: Filters) -> tuple[dt.date, pd.DataFrame]:
    wh = _warehouse(url)
    return wh.as_of(), reference.belts(wh, scope)


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _report(url: str, generation: tuple, name: str, f: Filters) -> pd.DataFrame:
    return DATASETS[name].run(_warehouse(url), f)


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _provider_data(url: str, generation: tuple, name: str, f: Filters, provider_id: int) -> pd.DataFrame:
    return DATASETS[name].run(_warehouse(url), f, provider_id)


def run_calls(calls, url: str) -> None:
    for call in calls:
        generation = _warehouse(url).generation().token  # ui.data._source: looked at before each call
        if call.kind == "meta":
            _meta(url, generation, Filters())  # a manager's scope: every belt
        elif call.kind == "report":
            _report(url, generation, call.name, call.f).copy()
        else:
            _provider_data(url, generation, call.name, call.f, call.provider_id).copy()


def refresh(url: str) -> None:
    """The app's Refresh data: the engine closed, every cache cleared."""
    _warehouse(url).engine.dispose()
    for cached in (_meta, _report, _provider_data, _warehouse):
        cached.clear()


@dataclass(frozen=True)
class Call:
    kind: str               # "meta", "report" (ui.data.report) or "provider" (ui.data.provider_data)
    name: str = ""
    f: Filters | None = None
    provider_id: int | None = None


def default_filters(as_of: dt.date) -> Filters:
    """ui.state.to_filters of the default view: the year to date, by month."""
    return Filters(date_from=dt.date(as_of.year, 1, 1), date_to=as_of, grain="month")


def page_calls(page: str, as_of: dt.date, brand_id: int | None = None, provider_id: int | None = None) -> list[Call]:
    f = default_filters(as_of)
    base_from, base_to = f.base_range
    before = f.with_(date_from=base_from, date_to=base_to)
    meta = [Call("meta")]
    pair = plans.last_full_period(f.date_from, f.date_to, f.grain)
    periods_shown = (pair.current, pair.previous, pair.year_ago)  # tiles: the period, 环比, 同比
    if page == "overview":
        ends = [min(periods.period_end(p, f.grain), as_of) for p in periods_shown]
        return meta + [
            Call("report", "onboarding", f), Call("report", "sales", f),
            Call("report", "onboarding", plans.extended(f, year=True)),
            Call("report", "sales", plans.extended(f, year=True)),
            Call("report", "trust", plans.extended(f, year=True)),
            *[Call("report", "providers", plans.within(f, p)) for p in periods_shown],
            *[Call("report", "roi", plans.within(f, p)) for p in periods_shown],
            *[Call("report", "steps", f.with_(as_of=end)) for end in ends],
            Call("report", "managed_by_split", f),
        ]
    if page == "onboarding":
        return meta + [
            Call("report", "onboarding", f), Call("report", "onboarding", plans.extended(f, year=True)),
            Call("report", "onboarding", f.with_(by="belt")),
        ]
    if page == "sales":
        return meta + [Call("report", "sales", f), Call("report", "sales", plans.extended(f, year=True)),
                       Call("report", "brand_multiples", f), Call("report", "cohort_gmv", f)]
    if page == "providers":
        calls = meta + [Call("report", "providers", f), Call("report", "providers", before)]
        if provider_id is not None:  # one provider chosen
            calls += [Call("provider", "provider_series", f, provider_id),
                      Call("provider", "provider_brands", f, provider_id), Call("report", "steps", f),
                      Call("report", "provider_scorecard", f), Call("report", "provider_cohorts", f)]
        return calls
    if page == "steps":
        previous_as_of = periods.period_start(as_of, f.grain) - dt.timedelta(days=1)
        return meta + [
            Call("report", "steps", f), Call("report", "steps", f.with_(as_of=previous_as_of)),
            Call("report", "steps_funnel", f), Call("report", "step_evidence", f),
            Call("report", "providers", f.with_(date_from=as_of, date_to=as_of)),
        ]
    if page == "work_queue":  # the queue as of the as-of date, and at the previous period's end for the tiles
        previous_as_of = periods.period_start(as_of, f.grain) - dt.timedelta(days=1)
        return meta + [Call("report", "diagnosis", f), Call("report", "diagnosis", f.with_(as_of=previous_as_of))]
    if page == "trust_roi":
        return meta + [
            Call("report", "trust", f), Call("report", "trust", plans.extended(f, year=True)),
            Call("report", "roi", f), *[Call("report", "roi", plans.within(f, p)) for p in periods_shown],
            Call("report", "roi", f.with_(by="belt")), Call("report", "trust", f.with_(by="belt")),
        ]
    if page == "brand":
        if brand_id is None:  # no brand: the directory of the selected brands
            return meta + [Call("report", "brand_directory", f)]
        fb = f.with_(brand_ids=(brand_id,))  # one brand (its diagnosis: the queue of the page's brands, its row)
        return meta + [
            Call("report", "brand_profile", fb), Call("report", "brand_series", fb),
            Call("report", "brand_series", plans.extended(fb, year=True)), Call("report", "trust", fb),
            Call("report", "trust", plans.extended(fb, year=True)), Call("report", "roi", fb),
            *[Call("report", "roi", plans.within(fb, p)) for p in periods_shown],
            Call("report", "brand_milestones", fb), Call("report", "provider_history", fb),
            Call("report", "steps", fb), Call("report", "diagnosis", f),
        ]
    raise KeyError(page)


PAGES = ("overview", "onboarding", "sales", "providers", "steps", "work_queue", "trust_roi", "brand")
