"""Every report, on every backend, under many filters, equals the independent oracle.

The oracle (tests/oracle.py) is plain pandas over the raw frames, written from METRICS.md and
docs/metrics-notes.md. A failure prints which rows and cells differ, keyed by the row's identity.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import oracle
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import GROUP_BYS, Filters
from edge_warehouse import empty_column_filters

try:
    from data_access.metrics import reports
    _IMPORT_ERROR = None
except Exception as exc:  # noqa: BLE001 - reported by every test below, not at collection
    reports, _IMPORT_ERROR = None, exc

D = dt.date
CUSTOM = dict(date_from=D(2021, 2, 15), date_to=D(2021, 5, 10))   # crosses Q1/Q2; base range 2020-11-22..2021-02-14

# Filter cases for every report.
CASES = {
    "defaults": Filters(),
    "range-month": Filters(**CUSTOM),
    "range-quarter": Filters(**CUSTOM, grain="quarter"),
    "range-year": Filters(**CUSTOM, grain="year"),
    "year-2020": Filters(date_from=D(2020, 1, 1), date_to=D(2020, 12, 31), grain="quarter"),  # base before data
    "one-day": Filters(date_from=D(2021, 3, 31), date_to=D(2021, 3, 31)),
    "two-years": Filters(date_from=D(2020, 1, 1), date_to=D(2021, 12, 31), grain="year"),
    "belt-and-none": Filters(belts=("linyi-apparel", "none")),
    "provinces": Filters(provinces=("Zhejiang", "Shandong"), **CUSTOM),
    "category-type-managed": Filters(categories=("apparel", "food", "home"), brand_types=("new", "belt_upgrade"),
                                     managed_by=("provider",)),
    "matches-nothing": Filters(belts=("baigou-bags",)),               # a belt without brands
    "scope": Filters(scope_belts=("yiwu-small-goods", "none"), belts=("yiwu-small-goods", "linyi-apparel")),
    "as-of-stalled-30": Filters(as_of=D(2021, 6, 30), stalled_days=30),
    "as-of-q2": Filters(as_of=D(2021, 6, 30), date_from=D(2021, 4, 1), date_to=D(2021, 6, 30), grain="quarter"),
    "from-only": Filters(date_from=D(2020, 7, 1)),                      # to = as-of
    "to-only": Filters(date_to=D(2020, 6, 30)),                         # from = min(1 Jan of as-of year, to)
    "beyond-as-of": Filters(date_from=D(2021, 10, 1), date_to=D(2022, 3, 31), grain="quarter"),
    "leap-base": Filters(date_from=D(2020, 3, 1), date_to=D(2020, 3, 31)),  # base range ends 2020-02-29
    "empty-scope": Filters(scope_belts=()),                             # a user allowed no belts sees nothing
    **empty_column_filters(),  # no completed step, no campaign, no provider, no orders among the brands
}
# --by cases, for the reports that break down by group.
BY_CASES = {f"by-{by}": Filters(by=by) for by in GROUP_BYS}
BY_CASES.update({
    "by-province-range-quarter": Filters(**CUSTOM, grain="quarter", by="province"),
    "by-belt-2020": Filters(date_from=D(2020, 1, 1), date_to=D(2020, 12, 31), by="belt"),
    "by-belt-nothing": Filters(belts=("baigou-bags",), by="belt"),
    "by-province-filtered": Filters(belts=("none", "zhuji-pearls"), by="province", grain="quarter"),
    "by-managed-as-of": Filters(as_of=D(2021, 6, 30), by="managed_by", grain="year"),
    "by-category-beyond-as-of": Filters(date_from=D(2021, 11, 15), date_to=D(2022, 1, 31), by="category"),
    "by-brand-type-scope": Filters(scope_belts=("none", "shenzhen-electronics"), by="brand_type", grain="quarter"),
})

REPORT_NAMES = list(oracle.ORACLES)
SOURCES = ("marts", "raw")  # every report both from the pre-aggregated marts and from the raw tables
PARAMS = [(r, c, s) for r in REPORT_NAMES for c in CASES for s in SOURCES]
PARAMS += [(r, c, s) for r in REPORT_NAMES if r in oracle.GROUPED for c in BY_CASES for s in SOURCES]
ALL_CASES = {**CASES, **BY_CASES}

KEY_COLUMNS = ("period_start", "group", "brand_id", "provider_id", "step")
ID_COLUMNS = {"brand_id", "provider_id", "step"}
MONEY_TOLERANCE = 0.005
REL_TOLERANCE = 1e-9

_expected: dict[tuple[str, str], pd.DataFrame] = {}


def expected(report: str, case: str, frames) -> pd.DataFrame:
    """The oracle's answer, computed once per session (the frames are the same on every backend)."""
    key = (report, case)
    if key not in _expected:
        _expected[key] = oracle.ORACLES[report](frames, ALL_CASES[case])
    return _expected[key]


# ---------------------------------------------------------------- comparison
_MISSING = object()


def normalise(value):
    """One plain Python value per cell: None for every NULL, date for dates, float for decimals."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def cell_problem(column: str, want, got) -> str | None:
    """None when the cells agree, else why not."""
    want, got = normalise(want), normalise(got)
    if want is None or got is None:
        return None if want is None and got is None else "NULL position differs"
    if isinstance(want, bool):
        return None if isinstance(got, bool) and got == want else "boolean differs"
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"not a number ({type(got).__name__})"
        if column in ID_COLUMNS or column.endswith("_id"):
            exact = isinstance(got, int) or float(got).is_integer()
            return None if exact and int(got) == want and (isinstance(got, int) or abs(want) < 2**53) \
                else "id differs (ids must stay exact ints)"
        if column in oracle.MONEY_COLUMNS:
            return None if abs(got - want) <= MONEY_TOLERANCE else f"money differs by {got - want:+.4f}"
        return None if math.isclose(got, want, rel_tol=REL_TOLERANCE, abs_tol=1e-12) else "number differs"
    if isinstance(want, dt.date):
        if type(got) is not dt.date:
            return f"not a date ({type(got).__name__})"
        return None if got == want else "date differs"
    return None if got == want else "value differs"


def assert_frames_match(got: pd.DataFrame, want: pd.DataFrame, required: list[str], extras: list[str] = (),
                        label: str = "", max_lines: int = 25) -> None:
    """`got` has the required columns first, in order, the extras somewhere, and want's rows and cells."""
    assert isinstance(got, pd.DataFrame), f"{label}: a report returns a DataFrame, not {type(got).__name__}"
    head = [str(c) for c in got.columns[:len(required)]]
    assert head == required, f"{label}: columns\n  want {required}\n  got  {list(got.columns)}"
    missing = [c for c in extras if c not in got.columns]
    assert not missing, f"{label}: extra columns named in metrics-notes.md are missing: {missing}"
    columns = list(required) + list(extras)
    keys = [c for c in KEY_COLUMNS if c in columns]

    def key_of(frame, i):
        return ", ".join(f"{k}={normalise(frame[k].iloc[i])!r}" for k in keys) or f"row {i}"

    lines = []
    if len(got) != len(want):
        got_keys = [key_of(got, i) for i in range(len(got))]
        want_keys = [key_of(want, i) for i in range(len(want))]
        only_want = [k for k in want_keys if k not in got_keys]
        only_got = [k for k in got_keys if k not in want_keys]
        raise AssertionError(
            f"{label}: {len(got)} rows, expected {len(want)}\n"
            f"  expected but missing: {only_want[:10]}\n  unexpected: {only_got[:10]}")
    for i in range(len(want)):
        for c in columns:
            w, g = want[c].iloc[i], got[c].iloc[i]
            problem = cell_problem(c, w, g)
            if problem:
                lines.append(f"  [{key_of(want, i)}] {c}: expected {normalise(w)!r}, got {normalise(g)!r}"
                             f" ({problem})")
    if lines:
        shown = "\n".join(lines[:max_lines])
        more = f"\n  … and {len(lines) - max_lines} more" if len(lines) > max_lines else ""
        raise AssertionError(f"{label}: {len(lines)} cell(s) differ\n{shown}{more}")


# ---------------------------------------------------------------- the matrix
@pytest.mark.parametrize(("report", "case", "source"), PARAMS, ids=[f"{r}-{c}-{s}" for r, c, s in PARAMS])
def test_report_matches_oracle(warehouse, report, case, source):
    if _IMPORT_ERROR is not None:
        pytest.fail(f"data_access.metrics.reports is not importable: {_IMPORT_ERROR!r}", pytrace=False)
    f = ALL_CASES[case]
    got = REPORTS[report](warehouse.source(source), f)
    want = expected(report, case, warehouse.frames).copy()
    extras = list(oracle.EXTRAS.get(report, []))
    if report == "steps" and "burst_coefficient" in got.columns:   # optional extra: check it when present
        want["burst_coefficient"] = pd.Series(
            [oracle.burst_coefficient(warehouse.frames, b) for b in want.brand_id], dtype=object)
        extras.append("burst_coefficient")
    assert_frames_match(got, want, oracle.required_columns(report, f), extras,
                        label=f"{report} [{case}] on {warehouse.backend} from {source}")


def test_every_report_is_registered():
    if _IMPORT_ERROR is not None:
        pytest.fail(f"data_access.metrics.reports is not importable: {_IMPORT_ERROR!r}", pytrace=False)
    assert set(REPORTS) == set(oracle.ORACLES)


def test_roi_windows_are_monotonic_on_every_backend(warehouse):
    if _IMPORT_ERROR is not None:
        pytest.fail(f"data_access.metrics.reports is not importable: {_IMPORT_ERROR!r}", pytrace=False)
    got = REPORTS["roi"](warehouse.wh, Filters(date_from=D(2020, 1, 1), date_to=D(2021, 12, 31), by="belt"))
    r = got[["roi_t0", "roi_t10", "roi_t30"]].astype(float)
    assert (r.roi_t0 <= r.roi_t10 + 1e-12).all() and (r.roi_t10 <= r.roi_t30 + 1e-12).all()


# ---------------------------------------------------------------- the comparison helper itself
def test_assert_frames_match_normalises_and_reports_readably():
    want = pd.DataFrame({"period_start": pd.Series([D(2021, 1, 1), D(2021, 2, 1)], dtype=object),
                         "gmv_cny": pd.Series([10.0, None], dtype=object),
                         "stalled": pd.Series([True, False], dtype=object)})
    same = pd.DataFrame({"period_start": [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01")],
                         "gmv_cny": [Decimal("10.004"), np.nan], "stalled": np.array([True, False])})
    assert_frames_match(same, want, ["period_start", "gmv_cny", "stalled"])
    wrong = same.assign(gmv_cny=[Decimal("10.01"), 0.0])
    with pytest.raises(AssertionError) as err:
        assert_frames_match(wrong, want, ["period_start", "gmv_cny", "stalled"], label="t")
    text = str(err.value)
    assert "2 cell(s) differ" in text and "NULL position differs" in text
    assert "period_start=datetime.date(2021, 2, 1)" in text
    assert cell_problem("provider_id", 2**53 + 1, float(2**53 + 1)) is not None   # a float id lost precision
    assert cell_problem("provider_id", 7, 7.0) is None
    assert cell_problem("period_start", D(2021, 1, 1), "2021-01-01") is not None  # dates are dates


@pytest.mark.parametrize("source", ["marts", "raw"])
def test_the_managed_by_split_is_the_oracle_s_onboarding_and_sales_by_who_runs_the_brands(warehouse, source):
    from data_access.metrics.catalogue import DATASETS
    f = Filters(date_from=D(2021, 1, 1), date_to=D(2021, 6, 30), grain="quarter")
    got = DATASETS["managed_by_split"].run(warehouse.source(source), f).set_index("managed_by")
    onboarded = oracle.ORACLES["onboarding"](warehouse.frames, f.with_(by="managed_by"))
    last = onboarded[onboarded["period_start"] == onboarded["period_start"].max()].set_index("group")
    gmv = oracle.ORACLES["sales"](warehouse.frames, f.with_(by="managed_by")).groupby("group")["gmv_cny"].sum()
    assert list(got.index) == [m for m in ("platform", "provider") if m in last.index or m in gmv.index]
    for m in got.index:
        assert got.loc[m, "brands"] == last.loc[m, "cumulative_brands"]
        assert got.loc[m, "gmv_cny"] == pytest.approx(float(gmv.get(m, 0.0)), abs=MONEY_TOLERANCE)
    assert got["brands_share"].sum() == pytest.approx(1.0) and got["gmv_share"].sum() == pytest.approx(1.0)
    assert got.loc["platform", "brands_share"] == pytest.approx(got.loc["platform", "brands"] / got["brands"].sum())


DIRECTORY_CASES = ("range-quarter", "scope", "as-of-q2", "matches-nothing")


@pytest.mark.parametrize("source", SOURCES)
def test_the_brand_directory_is_the_oracle_s_roster_with_gmv_and_refunds(warehouse, source):
    """The Brand page without a brand lists every selected brand: its STEPS place, GMV in the range and the one
    before, and refund rate, as the oracle counts them from raw rows (a few filter cases per backend)."""
    from data_access.metrics.catalogue import DATASETS
    dataset = DATASETS["brand_directory"]
    for case in DIRECTORY_CASES:
        f = ALL_CASES[case]
        want = oracle.oracle_brand_directory(warehouse.frames, f)
        got = dataset.run(warehouse.source(source), f)
        assert_frames_match(got, want, list(dataset.columns), label=f"brand_directory [{case}] on {warehouse.backend}")


@pytest.mark.parametrize("source", SOURCES)
def test_the_rankings_by_multiple_leave_a_small_base_out_and_growth_ranks_every_base(warehouse, source):
    """top_movers keeps bases of at least Filters.min_base; top_growth ranks by yuan grown whatever the base and
    marks a small base; the histogram counts small bases apart (all over the oracle's brand multiples)."""
    from data_access.metrics.catalogue import DATASETS
    f = Filters(**CUSTOM, min_base=500)
    want = oracle.oracle_brand_multiples(warehouse.frames, f)
    base = pd.to_numeric(want["base_gmv_cny"]).astype(float)
    movers = DATASETS["top_movers"].run(warehouse.source(source), f)
    assert (movers["base_gmv_cny"].astype(float) >= 500).all()
    eligible = want[want["multiple"].notna() & (base >= 500)]
    assert len(movers) == min(20, len(eligible))
    growth = DATASETS["top_growth"].run(warehouse.source(source), f)
    grown = (pd.to_numeric(want["current_gmv_cny"]).astype(float) - base).sort_values(ascending=False)
    assert list(growth["gmv_growth_cny"]) == pytest.approx(list(grown.head(20)), abs=MONEY_TOLERANCE * 2)
    assert list(growth["small_base"]) == [0 < b < 500 for b in growth["base_gmv_cny"].astype(float)]
    histogram = DATASETS["multiple_histogram"].run(warehouse.source(source), f).set_index("multiple_range")
    assert histogram.loc["small base", "brands"] == int(((base > 0) & (base < 500)).sum())
