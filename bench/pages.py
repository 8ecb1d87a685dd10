"""The pages' cache edge, rebuilt for timing: each page's recorded data calls (bench/plans.py: learned from
the page itself through ui/data.py's recording) replayed as ui/data.py runs them.

An st.cache_resource Warehouse per URL and st.cache_data per (URL, generation, name, Filters), each answer
copied as `ui.data.report` does; what each name computes is the catalogue's (data_access.metrics.catalogue.DATASETS).
The edge is rebuilt here rather than imported, so that the timing does not depend on the UI's session
state (identity, scope) outside `streamlit run`; the calls carry the scope they were recorded in.
"""
from __future__ import annotations

import datetime as dt
import pickle

import pandas as pd
import streamlit as st

from data_access.metrics import reference
from data_access.metrics.catalogue import DATASETS
from data_access.warehouse.connection import Warehouse
from data_access.warehouse.filters import Filters


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


def load_plan(path: str, page: str) -> list:
    """The recorded calls of one page (bench/plans.py's file)."""
    with open(path, "rb") as fh:
        return pickle.load(fh)[page]


def run_calls(calls, url: str) -> None:
    for call in calls:
        generation = _warehouse(url).generation().token  # ui.data._source: looked at before each call
        if call.kind == "meta":
            _meta(url, generation, call.f)
        elif call.kind == "report":
            _report(url, generation, call.name, call.f).copy()
        else:
            _provider_data(url, generation, call.name, call.f, call.provider_id).copy()


def refresh(url: str) -> None:
    """The app's Refresh data: the engine closed, every cache cleared."""
    _warehouse(url).engine.dispose()
    for cached in (_meta, _report, _provider_data, _warehouse):
        cached.clear()
