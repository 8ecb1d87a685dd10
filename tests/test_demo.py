"""The demo warehouse: deterministic, referentially whole, and shaped like the source's figures.

Everything is checked with plain pandas over the generated frames (a small warehouse of
50,000 orders); the anchors (DOMAIN.md) are checked within tolerances.
"""
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from data_access.demo import build as demo_build, synthesis as demo_synthesis
from data_access.warehouse import schema

ORDERS = 50_000
DATA_END = pd.Timestamp("2021-12-31")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo_synthesis.generate(orders=ORDERS, seed=7)


def _ts(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series)


def _quarter(series: pd.Series) -> pd.Series:
    return _ts(series).dt.to_period("Q").astype(str)


# --- determinism -----------------------------------------------------------------------------

def test_same_seed_gives_identical_frames(frames):
    again = demo_synthesis.generate(orders=ORDERS, seed=7)
    assert list(again) == list(schema.TABLE_NAMES)
    for name in schema.TABLE_NAMES:
        pd.testing.assert_frame_equal(frames[name], again[name], check_exact=True, obj=name)


def test_the_data_do_not_depend_on_the_piece_size(frames, monkeypatch):
    """Order-level arrays are computed PIECE orders at a time (so that 100M orders fit in memory): with
    pieces of 4,999 orders — partial ones everywhere, the draws split mid-way — every table is the same."""
    monkeypatch.setattr(demo_synthesis, "PIECE", 4_999)
    pieces = demo_synthesis.generate(orders=ORDERS, seed=7)
    for name in schema.TABLE_NAMES:
        pd.testing.assert_frame_equal(frames[name], pieces[name], check_exact=True, obj=name)


def test_another_seed_gives_another_warehouse(frames):
    other = demo_synthesis.generate(orders=ORDERS, seed=8)
    pd.testing.assert_frame_equal(frames["industry_belts"], other["industry_belts"])  # real places, fixed
    for name in ("providers", "brands", "orders"):
        assert not frames[name].equals(other[name]), name


# --- shape and referential integrity -----------------------------------------------------------

def test_every_table_has_exactly_its_contract_columns(frames):
    for table in schema.TABLES:
        assert list(frames[table.name].columns) == [c.name for c in table.c], table.name
        required = [c.name for c in table.c if not c.nullable]
        assert not frames[table.name][required].isna().any().any(), table.name


def test_sizes(frames):
    assert 25 <= len(frames["industry_belts"]) <= 40
    assert 150 <= len(frames["providers"]) <= 250
    assert 4000 <= len(frames["brands"]) <= 6000
    assert len(frames["orders"]) == ORDERS
    assert frames["orders"].order_id.tolist() == list(range(1, ORDERS + 1))
    for table in schema.TABLES:
        keys = [c.name for c in table.primary_key.columns]
        assert not frames[table.name].duplicated(keys).any(), table.name


def test_enumerations_are_valid(frames):
    belts, providers, brands = frames["industry_belts"], frames["providers"], frames["brands"]
    assert set(belts.main_category) <= set(schema.CATEGORIES)
    assert belts.belt_id.str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*").all()
    assert set(providers.provider_type) == set(schema.PROVIDER_TYPES)
    assert set(brands.category) == set(schema.CATEGORIES)
    assert set(brands.brand_type) == set(schema.BRAND_TYPES)
    assert set(brands.managed_by) == set(schema.MANAGED_BY)
    assert set(frames["campaigns"].objective) == set(schema.OBJECTIVES)
    assert set(frames["steps_milestones"].step) == set(schema.STEPS)
    orders = frames["orders"]
    assert set(orders.channel) == set(schema.CHANNELS)
    assert set(orders.traffic_source) == set(schema.TRAFFIC_SOURCES)


def test_every_foreign_key_resolves(frames):
    belts = set(frames["industry_belts"].belt_id)
    providers = set(frames["providers"].provider_id)
    brands = set(frames["brands"].brand_id)
    campaigns = set(frames["campaigns"].campaign_id)
    assert set(frames["brands"].belt_id.dropna()) <= belts
    for name in ("provider_assignments", "steps_milestones", "campaigns", "orders"):
        assert set(frames[name].brand_id) <= brands, name
    assert set(frames["provider_assignments"].provider_id) <= providers
    assert set(frames["campaigns"].provider_id.dropna()) <= providers
    assert set(frames["orders"].campaign_id.dropna()) <= campaigns


def test_orders_come_after_onboarding_and_within_the_data(frames):
    orders = frames["orders"].merge(frames["brands"][["brand_id", "onboarded_on"]], on="brand_id")
    day = orders.ordered_at.dt.normalize()
    assert (day >= _ts(orders.onboarded_on)).all()
    assert orders.ordered_at.min() >= pd.Timestamp("2020-01-01")
    assert orders.ordered_at.max() <= pd.Timestamp("2021-12-31 23:59:59")
    assert orders.ordered_at.max().date() == dt.date(2021, 12, 31)
    assert (orders.ordered_at == orders.ordered_at.dt.floor("s")).all()
    assert (orders.gmv_cny >= 0).all() and (orders.gmv_cny.round(2) == orders.gmv_cny).all()


def test_campaign_orders_belong_to_the_campaign_brand_on_or_after_day_t(frames):
    paid = frames["orders"].dropna(subset=["campaign_id"]).merge(
        frames["campaigns"][["campaign_id", "brand_id", "start_on"]], on="campaign_id", suffixes=("", "_campaign"))
    assert len(paid) > 0.3 * ORDERS
    assert (paid.brand_id == paid.brand_id_campaign).all()
    assert (paid.ordered_at.dt.normalize() >= _ts(paid.start_on)).all()
    # first touch: a buyer brought by a campaign has all its orders with that brand carry it
    touches = frames["orders"].groupby(["brand_id", "buyer_id"]).campaign_id.agg(
        lambda c: c.isna().all() or (c.notna().all() and c.nunique() == 1))
    assert touches.all()
    # most paid buyers order on day T itself, the rest within days
    first = paid.groupby(["campaign_id", "buyer_id"]).agg(day=("ordered_at", "min"), start=("start_on", "first"))
    lag = (first.day.dt.normalize() - _ts(first.start)).dt.days
    assert 0.5 < (lag == 0).mean() < 0.75 and (lag <= 7).all()


def test_campaigns_lie_in_their_brand_life_and_spend_is_plausible(frames):
    campaigns = frames["campaigns"].merge(frames["brands"][["brand_id", "onboarded_on"]], on="brand_id")
    assert (_ts(campaigns.start_on) >= _ts(campaigns.onboarded_on)).all()
    assert (_ts(campaigns.start_on) <= DATA_END).all()
    assert campaigns.spend_cny.between(1000, 500_000).all()
    assert 0.6 <= campaigns.provider_id.notna().mean() <= 0.8


def test_a_campaign_provider_served_the_brand_on_day_t(frames):
    campaigns = frames["campaigns"].dropna(subset=["provider_id"])
    serving = campaigns.merge(frames["provider_assignments"], on=["brand_id", "provider_id"], suffixes=("", "_a"))
    start, begin = _ts(serving.start_on), _ts(serving.start_on_a)
    end = _ts(serving.end_on)
    covered = serving[(begin <= start) & (end.isna() | (start <= end))].campaign_id.unique()
    assert set(covered) == set(campaigns.campaign_id)


def test_at_most_one_provider_per_brand_per_day(frames):
    a = frames["provider_assignments"].assign(start=lambda d: _ts(d.start_on), end=lambda d: _ts(d.end_on))
    a = a.sort_values(["brand_id", "start"])
    assert (a.end.isna() | (a.end >= a.start)).all()
    following = a.groupby("brand_id").start.shift(-1)
    has_next = following.notna()
    assert a.end[has_next].notna().all()
    assert (a.end[has_next] < following[has_next]).all()
    # switches hand over the day after; some brands switched, some assignments just ended
    handover = (following[has_next] - a.end[has_next]).dt.days == 1
    assert handover.all()
    switched = a.groupby("brand_id").size() > 1
    assert 0.08 < switched.mean() < 0.25
    assert (a.end.notna() & ~has_next).sum() > 0
    joined = a.merge(frames["providers"][["provider_id", "joined_on"]], on="provider_id")
    assert (_ts(joined.joined_on) <= joined.start).all()
    assert (a.start <= DATA_END).all() and (a.end.dropna() <= DATA_END).all()


def test_steps_are_dated_sensibly(frames):
    steps = frames["steps_milestones"].assign(
        started=lambda d: _ts(d.started_on), completed=lambda d: _ts(d.completed_on))
    assert (steps.completed.isna() | (steps.completed >= steps.started)).all()
    assert (steps.started <= DATA_END).all() and (steps.completed.dropna() <= DATA_END).all()
    with_onboarding = steps.merge(frames["brands"][["brand_id", "onboarded_on"]], on="brand_id")
    assert (with_onboarding.started >= _ts(with_onboarding.onboarded_on)).all()
    wide = steps.pivot(index="brand_id", columns="step", values="started")
    out_of_order = (wide[3] < wide[2]).sum()
    assert 0 < out_of_order < 0.05 * len(wide)  # usually, not always, in order
    reached = steps.groupby("brand_id").step.max().value_counts()
    assert reached[[1, 2, 3]].sum() > reached[[4, 5]].sum()  # many brands only reach step 1-3


# --- the anchors --------------------------------------------------------------------------------

def test_onboarding_anchors(frames):
    brands = frames["brands"]
    per_quarter = _quarter(brands.onboarded_on).value_counts()
    assert per_quarter["2021Q2"] / per_quarter["2021Q1"] == pytest.approx(4.5, rel=0.1)
    year = _ts(brands.onboarded_on).dt.year
    assert (year == 2021).sum() / (year == 2020).sum() == pytest.approx(1.5, rel=0.1)


def test_brand_mix(frames):
    brands = frames["brands"]
    assert (brands.managed_by == "platform").mean() == pytest.approx(0.2, abs=0.03)
    assert brands.belt_id.isna().mean() == pytest.approx(0.25, abs=0.05)
    assert brands.offsite_gmv_cny.isna().mean() == pytest.approx(0.4, abs=0.08)
    assert (brands.brand_type[brands.belt_id.isna()] != "belt_upgrade").all()
    luxury = brands[brands.brand_type == "luxury"]
    assert 0 < len(luxury) < 0.02 * len(brands) and (_ts(luxury.onboarded_on) >= "2021-07-01").all()
    on_belt = brands.dropna(subset=["belt_id"]).merge(frames["industry_belts"], on="belt_id")
    assert (on_belt.category == on_belt.main_category).mean() > 0.75
    offsite = brands.groupby("managed_by").offsite_gmv_cny.median()
    assert offsite["platform"] > 5 * offsite["provider"]  # the head brands are the big ones


def test_sales_grow_eightfold_in_q2_2021(frames):
    gmv = frames["orders"].groupby(_quarter(frames["orders"].ordered_at)).gmv_cny.sum()
    assert gmv["2021Q2"] / gmv["2021Q1"] == pytest.approx(8.0, rel=0.1)
    assert frames["orders"].gmv_cny.median() == pytest.approx(80, rel=0.1)
    assert 0 < (frames["orders"].gmv_cny == 0).mean() < 0.02


def test_roi_is_judged_better_at_t30_than_t0(frames):
    campaigns, orders = frames["campaigns"], frames["orders"]
    paid = orders.dropna(subset=["campaign_id"]).merge(campaigns, on="campaign_id", suffixes=("", "_c"))
    lag = (paid.ordered_at.dt.normalize() - _ts(paid.start_on)).dt.days
    spend = campaigns.spend_cny.sum()
    roi = {n: paid.gmv_cny[lag <= n].sum() / spend for n in (0, 10, 30)}
    assert 1.0 <= roi[0] <= 1.5
    assert 2.5 <= roi[30] <= 4.0
    assert roi[0] < roi[10] < roi[30]


def test_trust_improves_through_2021(frames):
    orders = frames["orders"]
    by = orders.groupby(_quarter(orders.ordered_at))[["refunded", "returned", "return_shipping_insured"]].mean()
    in_2020 = orders[orders.ordered_at.dt.year == 2020][["refunded", "returned", "return_shipping_insured"]].mean()
    assert in_2020.refunded == pytest.approx(0.08, abs=0.01)
    assert in_2020.returned == pytest.approx(0.06, abs=0.01)
    assert by.refunded["2021Q4"] == pytest.approx(0.05, abs=0.01)
    assert by.returned["2021Q4"] == pytest.approx(0.04, abs=0.01)
    assert in_2020.refunded > by.refunded["2021Q2"] > by.refunded["2021Q4"]
    assert by.return_shipping_insured["2021Q1"] < 0.3 and by.return_shipping_insured["2021Q4"] > 0.5


def test_channels_shift_with_steps(frames):
    orders = frames["orders"].assign(day=lambda o: o.ordered_at.dt.normalize())
    started = frames["steps_milestones"].assign(started=lambda s: _ts(s.started_on))
    orders = orders.sort_values("day")
    step_at = pd.merge_asof(orders, started.sort_values("started")[["brand_id", "started", "step"]],
                            left_on="day", right_on="started", by="brand_id", direction="backward")
    step_at["step"] = step_at.step.fillna(0)
    early, late = step_at[step_at.step <= 2], step_at[step_at.step >= 4]
    assert (late.channel == "self_live").mean() > (early.channel == "self_live").mean() + 0.15
    assert (late.traffic_source == "private").mean() > (early.traffic_source == "private").mean() + 0.1
    at_step_5 = step_at[step_at.step == 5]
    assert at_step_5.channel_exclusive.mean() > 3 * early.channel_exclusive.mean()


def test_buyers_come_back(frames):
    orders = frames["orders"]
    pairs = orders.groupby(["brand_id", "buyer_id"]).size()
    assert 0.1 < (pairs >= 2).mean() < 0.6
    private_buyers = orders[orders.traffic_source == "private"][["brand_id", "buyer_id"]].drop_duplicates()
    repeat_of_private = pairs.loc[pd.MultiIndex.from_frame(private_buyers)]
    assert (repeat_of_private >= 2).mean() > 0.9  # a private-domain buyer is a returning one


def test_some_brands_are_stalled(frames):
    steps = frames["steps_milestones"]
    current = steps.loc[steps.groupby("brand_id").step.idxmax()]
    in_progress = current.completed_on.isna()
    days_in_step = (DATA_END - _ts(current.started_on)).dt.days
    stalled = (in_progress & (days_in_step > 90)).sum()
    assert 0.05 * len(current) < stalled < 0.25 * len(current)


# --- building --------------------------------------------------------------------------------------

def test_build_swaps_a_complete_duckdb_file_in(tmp_path, capsys):
    target = tmp_path / "warehouse.duckdb"
    target.write_bytes(b"an older warehouse that a reader may still hold open")
    seconds = demo_build.build(f"duckdb:///{target}", orders=5_000, seed=3)
    assert seconds > 0
    line = capsys.readouterr().out.strip()
    assert "5,000 orders" in line and "\n" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]  # no temporary or WAL left
    con = duckdb.connect(str(target), read_only=True)
    try:
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in schema.TABLE_NAMES}
    finally:
        con.close()
    expected = demo_synthesis.generate(orders=5_000, seed=3)
    assert counts == {t: len(expected[t]) for t in schema.TABLE_NAMES}
    assert np.isclose(sum(counts.values()), sum(len(f) for f in expected.values()))


def test_build_without_a_url_writes_the_default_file(tmp_path, monkeypatch, capsys):
    from data_access import config
    default = tmp_path / "data" / "warehouse.duckdb"  # the data/ directory does not exist yet
    monkeypatch.setattr(config, "DEFAULT_DUCKDB_PATH", default)
    demo_build.build(None, orders=1_000, seed=1)
    assert default.is_file() and str(default) in capsys.readouterr().out


def test_every_brand_providers_serve_has_a_provider_assignment(frames):
    """managed_by = provider with no assignment ever would contradict itself on the brand page (issue 10)."""
    brands, assigned = frames["brands"], set(frames["provider_assignments"]["brand_id"])
    served_by_providers = brands[brands["managed_by"] == "provider"]
    assert len(served_by_providers) > 0
    assert served_by_providers["brand_id"].isin(assigned).all(), \
        served_by_providers.loc[~served_by_providers["brand_id"].isin(assigned), "brand_id"].head().tolist()
