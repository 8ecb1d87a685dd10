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
from sqlalchemy import and_, case, func, or_, select

from ..warehouse.connection import Warehouse
from ..warehouse.filters import Filters, brand_conditions, days_after
from ..warehouse.marts import read as marts
from ..warehouse.schema import brands, providers, steps_milestones
from ..warehouse.sqlfuncs import add_days
from .brand import BURST_WINDOW_DAYS, burst_of
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
    windows = _milestone_windows(wh, f)
    burst = _burst(windows)  # step 1's evidence, in and at completion
    queue = queue.merge(burst, how="left", on="brand_id")
    queue["evidence"] = _evidence(queue)
    queue["gmv_30d"] = queue["gmv"].fillna(0.0).round(2)

    typical = steps_funnel(wh, f).set_index("step")["median_days_to_complete"]
    queue["typical_days"] = queue["current_step"].map(typical).astype(float)
    queue["peer_evidence"] = queue["current_step"].map(_peer_evidence(windows, f, burst)).astype(float)
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


def _milestone_windows(wh: Warehouse, f: Filters) -> pd.DataFrame:
    """Every step-1 milestone and every completed one of a selected brand, with its window sums, in one range
    join over the daily mart: step 1 its burst window (started_on … started_on + 29: the peak and the total
    distribution GMV, data_access.metrics.brand), a completed milestone the windows before D = completed_on.

    The milestones do not depend on the as-of date (the callers keep those completed by theirs), so the queue
    and the queue of the period before (the page's tiles) ask the same statement, and the warehouse answers
    the second from the first (Warehouse.frame): this join is the queue's costliest statement."""
    m = steps_milestones
    first_day = case((m.c.step == 1, m.c.started_on), else_=add_days(m.c.completed_on, -(2 * WINDOW_DAYS - 1)))
    last_day = case((m.c.step == 1, add_days(m.c.started_on, BURST_WINDOW_DAYS - 1)), else_=m.c.completed_on)
    ms = (select(m.c.brand_id, m.c.step, m.c.completed_on, brands.c.onboarded_on, first_day.label("first_day"),
                 last_day.label("last_day"),
                 add_days(m.c.completed_on, -(WINDOW_DAYS - 1)).label("window_start"))
          .select_from(with_brands(m)).where(or_(m.c.step == 1, m.c.completed_on.is_not(None)), *brand_conditions(f))
          .subquery("ms"))
    d = marts.daily(wh)
    in_window = and_(d.c.brand_id == ms.c.brand_id, d.c.day >= ms.c.first_day, d.c.day <= ms.c.last_day)
    stmt = (  # grouped by the milestone's key alone (its dates are one per group): fewer keys to hash
        select(ms.c.brand_id, ms.c.step, func.max(ms.c.completed_on).label("completed_on"),
               func.max(ms.c.onboarded_on).label("onboarded_on"), *_window_measures(d, ms.c.window_start),
               func.max(d.c.distribution_gmv).label("peak_day_gmv"), func.sum(d.c.distribution_gmv).label("window_gmv"))
        .select_from(ms.outerjoin(d, in_window))
        .group_by(ms.c.brand_id, ms.c.step)
    )
    out = _floats(wh.frame(stmt))
    out["step"] = out["step"].astype(int)
    return out


def _burst(windows: pd.DataFrame) -> pd.DataFrame:
    """brand_id, burst_coefficient of the step-1 windows (as data_access.metrics.brand.burst_coefficients)."""
    step1 = windows[windows["step"] == 1]
    return pd.DataFrame({"brand_id": step1["brand_id"].to_numpy(),
                         "burst_coefficient": burst_of(step1["peak_day_gmv"], step1["window_gmv"])})


def _completions(windows: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The milestones of brands onboarded by the as-of date completed by it; step 1's evidence is its burst."""
    as_of = f.as_of
    done = [c is not None and c <= as_of and o is not None and o <= as_of
            for c, o in zip(windows["completed_on"], windows["onboarded_on"])]
    return windows[np.array(done, dtype=bool)]


def _peer_evidence(windows: pd.DataFrame, f: Filters, burst: pd.DataFrame) -> dict[int, float]:
    """Step -> the median evidence at completion (empty values skipped; NaN over nothing)."""
    done = _completions(windows, f)[["brand_id", "step", "gmv", "public", "public_before", "self_live", "private",
                                     "exclusive"]].rename(columns={"step": "current_step"})
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
