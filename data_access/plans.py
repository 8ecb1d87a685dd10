"""The date arithmetic every page plans its data with, as pure functions of the filters (no Streamlit): which
period a tile reports, the period before it, and the range reaching back one period so that period is a row.

    pair = plans.last_full_period(f.date_from, f.date_to, f.grain)   # the tile's period and the one before
    ext = report("sales", plans.extended(f))                          # rows for both
    now, before = plans.row_at(ext, pair.current), plans.row_at(ext, pair.previous)

The range of equal length before [from, to] (a brand's or provider's multiple) is `Filters.base_range`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import periods
from .filters import Filters


@dataclass(frozen=True)
class PeriodPair:
    """The period a tile reports (the range's last full period) and the one before it."""
    current: dt.date
    previous: dt.date
    partial: bool  # the range has no full period: `current` is its last, incomplete one


def last_full_period(date_from: dt.date, date_to: dt.date, grain: str) -> PeriodPair:
    """The last period overlapping [from, to] that ends on or before `to` (else the last one)."""
    shown = periods.periods_overlapping(date_from, date_to, grain)
    full = [p for p in shown if periods.period_end(p, grain) <= date_to]
    current = full[-1] if full else shown[-1]
    return PeriodPair(current, periods.shift(current, grain, -1), partial=not full)


def extended(f: Filters, grain: str | None = None) -> Filters:
    """Filters whose range reaches back one period, so the period before the first one is a row too."""
    grain = grain or f.grain
    start = periods.shift(periods.period_start(f.date_from, grain), grain, -1)
    return f.with_(date_from=start)


def row_at(df: pd.DataFrame, period: dt.date) -> pd.Series | None:
    """The row of a per-period frame for the period starting on `period`, or None."""
    rows = df[df["period_start"] == period]
    return None if rows.empty else rows.iloc[0]
