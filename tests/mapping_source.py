"""The worked example's source warehouse (docs/mapping/), filled from contract frames (the demo's).

`source_frames(frames)` turns the seven contract tables into the team's own tables of
docs/mapping/source_postgresql.sql: other names, fen, codes, and a brand dimension with history
(every third brand changed its name, category and operator once; its orders before the change point
at the old version). `build(url, frames)` creates that schema on PostgreSQL, loads it with COPY and
creates the contract views of docs/mapping/views_postgresql.sql; reading the views must give back
exactly the frames it started from.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from data_access.warehouse import schema

MAPPING = Path(__file__).resolve().parent.parent / "docs" / "mapping"
SOURCE_SQL = MAPPING / "source_postgresql.sql"
VIEWS_SQL = MAPPING / "views_postgresql.sql"
VIEWS_SCHEMA = "beltboard"

CATEGORY_CODE = {name: i + 1 for i, name in enumerate(schema.CATEGORIES)}
SEGMENT_CODE = {name: i + 1 for i, name in enumerate(schema.BRAND_TYPES)}
PARTNER_KIND = {"agency": "AG", "mcn": "MC", "supply_chain": "SC"}
CHANNEL_CODE = {"distribution": 10, "self_live": 20, "short_video": 30, "store": 40}
GOAL_CODE = {"live": 1, "short_video": 2, "store": 3}
LAST_DAY = dt.date(2021, 12, 31)


def _fen(yuan: pd.Series) -> pd.Series:
    return (pd.to_numeric(yuan) * 100).round().astype("Int64")


def _brand_versions(brands: pd.DataFrame) -> pd.DataFrame:
    """SCD2: every brand's current version, and for every third brand an older one before its change day."""
    b = brands.reset_index(drop=True)
    onboarded = pd.to_datetime(b.onboarded_on)
    change = (onboarded + pd.to_timedelta(30 + b.brand_id % 300, unit="D")).dt.date
    changed = (b.brand_id % 3 == 0) & (change <= LAST_DAY)
    current = pd.DataFrame({
        "brand_sk": b.brand_id * 10 + 2, "brand_no": b.brand_id, "brand_name": b["name"],
        "cluster_code": b.belt_id, "category_code": b.category.map(CATEGORY_CODE),
        "segment_code": b.brand_type.map(SEGMENT_CODE),
        "operated_by": b.managed_by.map({"platform": "P", "provider": "S"}),
        "offsite_gmv_fen": _fen(b.offsite_gmv_cny), "valid_from": np.where(changed, change, b.onboarded_on),
        "valid_to": None,
    })
    old = current[changed].copy()
    old["brand_sk"] = old.brand_no * 10 + 1
    old["brand_name"] = old.brand_name + " (old name)"
    old["category_code"] = old.category_code % len(schema.CATEGORIES) + 1  # it was filed under another category
    old["operated_by"] = old.operated_by.map({"P": "S", "S": "P"})
    old["valid_from"] = b.onboarded_on[changed].values
    old["valid_to"] = [day - dt.timedelta(days=1) for day in change[changed]]
    return pd.concat([old, current], ignore_index=True)


def source_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The contract frames as the source tables of docs/mapping/source_postgresql.sql (name → frame)."""
    belts, providers, brands = frames["industry_belts"], frames["providers"], frames["brands"]
    a, m, c, o = (frames[t] for t in ("provider_assignments", "steps_milestones", "campaigns", "orders"))
    versions = _brand_versions(brands)
    changes = pd.to_datetime(versions[versions.valid_to.notna()].set_index("brand_no").valid_to)
    before_change = o.ordered_at.dt.normalize() <= pd.to_datetime(o.brand_id.map(changes))  # NaT: never changed
    return {
        "region_cluster": pd.DataFrame({
            "cluster_code": belts.belt_id, "title_cn": belts.name_zh, "title_en": belts.name_en,
            "province_en": belts.province, "city_en": belts.city,
            "lead_category_code": belts.main_category.map(CATEGORY_CODE)}),
        "partner": pd.DataFrame({
            "partner_no": providers.provider_id, "partner_name": providers["name"], "province_en": providers.province,
            "partner_kind": providers.provider_type.map(PARTNER_KIND), "programme_joined": providers.joined_on,
            "live_ops_headcount": providers.live_ops_experts}),
        "dim_brand": versions,
        "brand_partner_link": pd.DataFrame({"brand_no": a.brand_id, "partner_no": a.provider_id,
                                            "served_from": a.start_on, "served_to": a.end_on}),
        "brand_step_progress": pd.DataFrame({"brand_no": m.brand_id, "step_no": m.step, "began_on": m.started_on,
                                             "achieved_on": m.completed_on}),
        "ad_campaign": pd.DataFrame({
            "campaign_no": c.campaign_id, "brand_no": c.brand_id, "partner_no": c.provider_id.astype("Int64"),
            "launch_day": c.start_on, "spend_fen": _fen(c.spend_cny), "goal_code": c.objective.map(GOAL_CODE)}),
        "trade_order": pd.DataFrame({
            "order_no": o.order_id, "brand_sk": o.brand_id * 10 + np.where(before_change, 1, 2),
            "buyer_no": o.buyer_id, "created_at": o.ordered_at,
            "channel_code": o.channel.astype(str).map(CHANNEL_CODE),
            "visitor_source": o.traffic_source.astype(str).map({"public": "PUB", "private": "PRI"}),
            "first_touch_campaign": o.campaign_id.astype("Int64"), "exclusive_flag": o.channel_exclusive.astype(int),
            "amount_fen": _fen(o.gmv_cny), "after_sale_code": o.refunded.astype(int) + 2 * o.returned.astype(int),
            "shipping_insured_flag": o.return_shipping_insured.astype(int)}),
    }


def _copy(raw, table: str, df: pd.DataFrame) -> None:
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d %H:%M:%S")
    columns = ", ".join(f'"{c}"' for c in df.columns)  # names of this module's frames
    copy_sql = f'COPY shop."{table}" ({columns}) FROM STDIN (FORMAT csv, NULL \'\\N\')'
    with raw.cursor() as cur, cur.copy(copy_sql) as copy:
        copy.write(buffer.getvalue())


def build(url: str, frames: dict[str, pd.DataFrame], chunk: int = 2_000_000) -> None:
    """Create the source schema at `url` (PostgreSQL), load `frames` into it, create the contract views."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(SOURCE_SQL.read_text())
        raw = engine.raw_connection()
        try:
            for name, df in source_frames(frames).items():
                for start in range(0, len(df), chunk):
                    _copy(raw.driver_connection, name, df.iloc[start:start + chunk])
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.exec_driver_sql(VIEWS_SQL.read_text())
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def statements(sql: str, names: dict[str, str]) -> list[str]:
    """The example's SQL for MariaDB: its schemas renamed (a MariaDB schema is a database, server-wide),
    `timestamp` as DATETIME (MariaDB's TIMESTAMP converts time zones), one statement at a time, without
    the CREATE SCHEMA lines (the databases are made by the caller)."""
    lines = [re.sub(r"--.*$", "", line) for line in sql.splitlines()]
    text = "\n".join(lines).replace(" timestamp ", " DATETIME ")
    for old, new in names.items():
        text = re.sub(rf"\b{old}\.", f"{new}.", text)
    return [s.strip() for s in text.split(";") if s.strip() and not s.strip().upper().startswith("CREATE SCHEMA")]


def build_mariadb(url: str, frames: dict[str, pd.DataFrame], source_db: str, views_db: str) -> None:
    """The same example on MariaDB: the source tables in database `source_db`, the views in `views_db`."""
    names = {"shop": source_db, VIEWS_SCHEMA: views_db}
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements(SOURCE_SQL.read_text(), names):
                conn.exec_driver_sql(statement)
        for name, df in source_frames(frames).items():
            df.astype(object).where(df.notna(), None).to_sql(name, engine, schema=source_db, if_exists="append",
                                                             index=False, chunksize=5_000, method="multi")
        with engine.begin() as conn:
            for statement in statements(VIEWS_SQL.read_text(), names):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
