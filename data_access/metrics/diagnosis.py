"""The work queue (METRICS.md, "Work queue"): which brands need help in STEPS, and why.

`diagnosis(wh, f)` -> one row per selected brand in progress at the as-of date A: its current
step's evidence against the step's threshold and against the evidence that peers had when they
completed that step, days in step against the typical days, the owner and the GMV at stake.

Built on the `steps` and `steps_funnel` reports (state, days in step, typical days) and the
burst coefficient of data_access.metrics.brand; the windows are sums over the daily order mart (or the
raw orders, data_access.warehouse.marts.definitions). Decisions where METRICS.md is silent: docs/metrics-notes.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import and_, select

from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions, days_after
from ..warehouse.marts import read as marts
from ..warehouse.schema import brands, providers, steps_milestones
from ..warehouse.sqlfuncs import add_days
from .brand import burst_coefficients
from .reports import ratio, resolve, steps, steps_funnel, sum_where, with_brands
from .rules import EVIDENCE, Rules, load_rules

WINDOW_DAYS = 30          # evidence windows: D-29 … D; step 2 compares with D-59 … D-30
STATUSES = ("stalled", "at_risk", "on_track")

# The columns, in order (each declared in data_access.metrics.columns).
COLUMNS = ["brand_id", "brand_name", "belt_id", "provider_id", "managed_by", "current_step", "days_in_step",
           "typical_days", "evidence", "threshold", "evidence_met", "peer_evidence", "gmv_30d", "status",
           "evidence_name", "provider_name", "current_step_started_on"]


def diagnosis(wh: Warehouse, f: Filters, rules: Rules | None = None) -> pd.DataFrame:
    """The work queue as of f.as_of, thresholds from `rules` (default: the rules file, else METRICS.md).

    Ordered by status (stalled, at_risk, on_track), then gmv_30d descending, then brand_id."""
    rules = rules or load_rules()
    f = resolve(wh, f)
    queue = steps(wh, f)
    queue = queue[queue["state"] == "in_progress"].drop(columns=["state"]).reset_index(drop=True)
    queue["current_step"] = queue["current_step"].astype(int)
    queue["days_in_step"] = queue["days_in_step"].astype(int)

    now = _window_sums_at(wh, f)
    queue = queue.merge(now, how="left", on="brand_id")
    burst = burst_coefficients(wh, f)[["brand_id", "burst_coefficient"]]  # step 1's evidence, in and at completion
    queue = queue.merge(burst, how="left", on="brand_id")
    queue["evidence"] = _evidence(queue)
    queue["gmv_30d"] = queue["gmv"].fillna(0.0).round(2)

    typical = steps_funnel(wh, f).set_index("step")["median_days_to_complete"]
    queue["typical_days"] = queue["current_step"].map(typical).astype(float)
    queue["peer_evidence"] = queue["current_step"].map(_peer_evidence(wh, f, burst)).astype(float)
    queue["threshold"] = queue["current_step"].map(dict(rules.thresholds)).astype(float)
    queue["evidence_met"] = (queue["evidence"] >= queue["threshold"]).fillna(False).astype(bool)
    queue["evidence_name"] = queue["current_step"].map(EVIDENCE)

    stalled = queue["days_in_step"] > f.stalled_days
    at_risk = queue["typical_days"].notna() & (queue["days_in_step"] > queue["typical_days"])
    queue["status"] = np.where(stalled, "stalled", np.where(at_risk, "at_risk", "on_track"))
    queue["provider_name"] = _provider_names(wh, queue["provider_id"])

    queue["_rank"] = queue["status"].map(STATUSES.index)
    queue = queue.sort_values(["_rank", "gmv_30d", "brand_id"], ascending=[True, False, True], kind="stable")
    return queue.reset_index(drop=True)[COLUMNS]


# ---------------------------------------------------------------- windows

def _window_measures(d, window_start):
    """Sums over a 60-day span whose window starts on `window_start` (D-29): GMV of D-29 … D by what each
    step's evidence needs, and public GMV of D-59 … D-30 (the rows must already lie in D-59 … D)."""
    inside = d.c.day >= window_start
    return [
        sum_where(inside, d.c.gmv_cny).label("gmv"),
        sum_where(inside, d.c.public_gmv).label("public"),
        sum_where(~inside, d.c.public_gmv).label("public_before"),
        sum_where(inside, d.c.self_live_gmv).label("self_live"),
        sum_where(inside, d.c.private_gmv).label("private"),
        sum_where(inside, d.c.exclusive_gmv).label("exclusive"),
    ]


def _brands_as_of(f: Filters) -> list:
    return [brands.c.onboarded_on <= f.as_of, *brand_conditions(f)]


def _window_sums_at(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Per selected brand, the window sums with D = the as-of date."""
    first = days_after(f.as_of, -(2 * WINDOW_DAYS - 1))
    d = marts.daily(wh, first, f.as_of)
    stmt = (
        select(d.c.brand_id, *_window_measures(d, days_after(f.as_of, -(WINDOW_DAYS - 1))))
        .select_from(with_brands(d)).where(*_brands_as_of(f)).group_by(d.c.brand_id)
    )
    return _floats(wh.frame(stmt))


def _completions(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Every milestone of a selected brand completed by the as-of date, with its window sums (D = completed_on;
    empty for step 1, whose evidence is the burst coefficient, and for a window without orders)."""
    m = steps_milestones
    # Each window's bounds are computed once per milestone, so the join to the daily mart is a plain range
    # on its day (a server can use the mart's (brand_id, day) order), and one outer join gives the
    # milestones and their sums in one statement. Still the queue's costliest statement (about half its
    # CPU at 10M orders on DuckDB): a per-milestone evidence mart would be the next step.
    done = (select(m.c.brand_id, m.c.step, m.c.completed_on,
                   add_days(m.c.completed_on, -(2 * WINDOW_DAYS - 1)).label("first_day"),
                   add_days(m.c.completed_on, -(WINDOW_DAYS - 1)).label("window_start"))
            .select_from(with_brands(m)).where(m.c.completed_on <= f.as_of, *_brands_as_of(f))
            .subquery("done"))
    d = marts.daily(wh)
    in_window = and_(d.c.brand_id == done.c.brand_id, done.c.step > 1, d.c.day >= done.c.first_day,
                     d.c.day <= done.c.completed_on)
    stmt = (
        select(done.c.brand_id, done.c.step, done.c.completed_on, *_window_measures(d, done.c.window_start))
        .select_from(done.outerjoin(d, in_window))
        .group_by(done.c.brand_id, done.c.step, done.c.completed_on)
    )
    out = _floats(wh.frame(stmt))
    out["step"] = out["step"].astype(int)
    return out


def _peer_evidence(wh: Warehouse, f: Filters, burst: pd.DataFrame) -> dict[int, float]:
    """Step -> the median evidence at completion (empty values skipped; NaN over nothing)."""
    done = _completions(wh, f).rename(columns={"step": "current_step"})
    done = done.merge(burst, how="left", on="brand_id")
    done["evidence"] = _evidence(done)
    medians = done.groupby("current_step")["evidence"].median()
    return {step: float(medians.get(step, np.nan)) for step in EVIDENCE}


def _evidence(rows: pd.DataFrame) -> pd.Series:
    """Each row's evidence for its `current_step` from its window sums (NaN when a denominator is 0)."""
    by_step = {
        1: rows["burst_coefficient"],
        2: ratio(rows["public"], rows["public_before"]),
        3: ratio(rows["self_live"], rows["gmv"]),
        4: ratio(rows["private"], rows["gmv"]),
        5: ratio(rows["exclusive"], rows["gmv"]),
    }
    out = pd.Series(np.nan, index=rows.index, dtype=float)
    for step, values in by_step.items():
        mask = rows["current_step"] == step
        out[mask] = pd.Series(values, dtype=float).to_numpy()[mask.to_numpy()]
    return out


def _floats(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("gmv", "public", "public_before", "self_live", "private", "exclusive"):
        df[c] = df[c].astype(float)
    if "brand_id" in df:
        df["brand_id"] = df["brand_id"].astype("int64")
    return df


def _provider_names(wh: Warehouse, ids: pd.Series) -> pd.Series:
    wanted = sorted({int(i) for i in ids.dropna()})
    if not wanted:
        return pd.Series([None] * len(ids), index=ids.index, dtype=object)
    names = wh.frame(select(providers.c.provider_id, providers.c.name).where(providers.c.provider_id.in_(wanted)))
    lookup = dict(zip(names["provider_id"].astype("int64"), names["name"]))
    return pd.Series([None if pd.isna(i) else lookup.get(int(i)) for i in ids], index=ids.index, dtype=object)
