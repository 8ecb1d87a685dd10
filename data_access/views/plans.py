"""The date arithmetic every page plans its data with, as pure functions of the filters (no Streamlit): which
period a tile reports, the period before it, and the range reaching back one period so that period is a row.

    pair = plans.last_full_period(f.date_from, f.date_to, f.grain)   # the tile's period, the one before, a year ago
    ext = report("sales", plans.extended(f, year=True))               # rows for all three
    now, before = plans.row_at(ext, pair.current), plans.row_at(ext, pair.previous)
    year_ago = plans.row_at(ext, pair.year_ago)
    providers = report("providers", plans.within(f, pair.previous, f.grain))  # a figure of one period

The range of equal length before [from, to] (a brand's or provider's multiple) is `Filters.base_range`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..warehouse.filters import Filters
from . import periods


@dataclass(frozen=True)
class PeriodPair:
    """The period a tile reports (the range's last full period), the one before it (环比) and the same period a
    year earlier (同比)."""
    current: dt.date
    previous: dt.date
    partial: bool  # the range has no full period: `current` is its last, incomplete one
    year_ago: dt.date | None = None


def last_full_period(date_from: dt.date, date_to: dt.date, grain: str) -> PeriodPair:
    """The last period overlapping [from, to] that ends on or before `to` (else the last one)."""
    shown = periods.periods_overlapping(date_from, date_to, grain)
    full = [p for p in shown if periods.period_end(p, grain) <= date_to]
    current = full[-1] if full else shown[-1]
    return PeriodPair(current, periods.shift(current, grain, -1), partial=not full,
                      year_ago=periods.shift(current, "year", -1))


def extended(f: Filters, grain: str | None = None, *, year: bool = False) -> Filters:
    """Filters whose range reaches back one period, so the period before the first one is a row too; with
    `year`, back a year, so the same period a year earlier is a row too (and the one before: a year is at
    least one period)."""
    grain = grain or f.grain
    first = periods.period_start(f.date_from, grain)
    start = periods.shift(first, "year", -1) if year else periods.shift(first, grain, -1)
    return f.with_(date_from=start)


def within(f: Filters, period: dt.date, grain: str | None = None) -> Filters:
    """Filters over the one period starting on `period` (a figure of a period, such as its active providers or
    the ROI of the campaigns starting in it), its grain the filters' own."""
    return f.with_(date_from=period, date_to=periods.period_end(period, grain or f.grain))


def row_at(df: pd.DataFrame, period: dt.date) -> pd.Series | None:
    """The row of a per-period frame for the period starting on `period`, or None."""
    rows = df[df["period_start"] == period]
    return None if rows.empty else rows.iloc[0]
