"""The naive Streamlit pattern, for comparison: `select *` of the orders table into pandas
(what `st.connection("sql").query("select * from orders")` does: pd.read_sql through
SQLAlchemy), kept in st.cache_data, then the page's figures aggregated in pandas.

The figures are those of a sales-and-trust page for the year to date: GMV, net GMV and
orders per month with their multiples, refund/return/insured rates and the repeat-buyer rate
per month, and each brand's multiple over the range of equal length before.
"""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st
from sqlalchemy import create_engine

FROM, TO = pd.Timestamp("2021-01-01"), pd.Timestamp("2022-01-01")
BASE_FROM = pd.Timestamp("2020-01-01")


@st.cache_data(show_spinner=False)
def load(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = create_engine(url)
    try:
        return pd.read_sql("select * from orders", engine), pd.read_sql("select * from brands", engine)
    finally:
        engine.dispose()


def figures(orders: pd.DataFrame, brands: pd.DataFrame) -> dict[str, pd.DataFrame]:
    o = orders.merge(brands[["brand_id", "name", "belt_id"]], on="brand_id")
    o["gmv_cny"] = o["gmv_cny"].astype(float)
    o["month"] = o["ordered_at"].dt.to_period("M")
    year = o[(o["ordered_at"] >= FROM) & (o["ordered_at"] < TO)]
    monthly = year.groupby("month").agg(gmv_cny=("gmv_cny", "sum"), orders=("order_id", "count"),
                                        refunded=("refunded", "mean"), returned=("returned", "mean"),
                                        insured=("return_shipping_insured", "mean"))
    monthly["net_gmv_cny"] = year[~year["refunded"].astype(bool)].groupby("month")["gmv_cny"].sum()
    monthly["gmv_multiple"] = monthly["gmv_cny"] / monthly["gmv_cny"].shift(1)
    pairs = year.groupby(["month", "brand_id", "buyer_id"]).size()
    monthly["repeat_buyer_rate"] = (pairs >= 2).groupby(level="month").mean()
    base = o[(o["ordered_at"] >= BASE_FROM) & (o["ordered_at"] < FROM)].groupby("brand_id")["gmv_cny"].sum()
    current = year.groupby("brand_id")["gmv_cny"].sum()
    multiples = pd.DataFrame({"base_gmv_cny": base, "current_gmv_cny": current}).fillna(0.0)
    base_gmv = multiples["base_gmv_cny"]
    multiples["multiple"] = multiples["current_gmv_cny"] / base_gmv.where(base_gmv > 0)
    return {"monthly": monthly, "multiples": multiples.sort_values("current_gmv_cny", ascending=False)}


def measure(url: str) -> dict:
    import resource
    started = time.perf_counter()
    figures(*load(url))
    first = time.perf_counter() - started
    started = time.perf_counter()
    figures(*load(url))  # st.cache_data hit: a copy of the cached frames, then the same pandas work
    cached = time.perf_counter() - started
    return {"cold": first, "warm": cached, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
