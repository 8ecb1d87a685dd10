"""The oracle itself, checked on tiny warehouses whose answers are computed by hand.

If the oracle were wrong, the report-vs-oracle tests would chase the wrong number; these pin
a few definitions from METRICS.md to numbers worked out on paper.
"""
import datetime as dt

import pandas as pd
import pytest

import oracle
from data_access.warehouse.filters import Filters
from edge_warehouse import LAST_DAY, edge_frames

D = dt.date


def tiny(brands, orders=(), assignments=(), milestones=(), campaigns=(), providers=()):
    """Frames with the contract's columns from short tuples (other columns get dull defaults)."""
    belts = pd.DataFrame([("linyi-apparel", "临沂服装", "Linyi apparel", "Shandong", "Linyi", "apparel"),
                          ("yiwu-small-goods", "义乌小商品", "Yiwu small goods", "Zhejiang", "Yiwu", "home")],
                         columns=["belt_id", "name_zh", "name_en", "province", "city", "main_category"])
    b = pd.DataFrame([(bid, f"b{bid}", belt, "apparel", "new", "provider", on, None) for bid, belt, on in brands],
                     columns=["brand_id", "name", "belt_id", "category", "brand_type", "managed_by",
                              "onboarded_on", "offsite_gmv_cny"])
    o = pd.DataFrame(
        [(i + 1, bid, buyer, pd.Timestamp(ts), channel, traffic, camp, False, gmv, refunded, False, False)
         for i, (bid, buyer, ts, gmv, channel, traffic, camp, refunded) in enumerate(orders)],
        columns=["order_id", "brand_id", "buyer_id", "ordered_at", "channel", "traffic_source", "campaign_id",
                 "channel_exclusive", "gmv_cny", "refunded", "returned", "return_shipping_insured"])
    p = pd.DataFrame([(pid, name, "Zhejiang", "agency", D(2020, 1, 1), 1) for pid, name in providers],
                     columns=["provider_id", "name", "province", "provider_type", "joined_on", "live_ops_experts"])
    a = pd.DataFrame(list(assignments), columns=["brand_id", "provider_id", "start_on", "end_on"])
    m = pd.DataFrame(list(milestones), columns=["brand_id", "step", "started_on", "completed_on"])
    c = pd.DataFrame([(cid, bid, pid, start, spend, "live") for cid, bid, pid, start, spend in campaigns],
                     columns=["campaign_id", "brand_id", "provider_id", "start_on", "spend_cny", "objective"])
    return {"industry_belts": belts, "providers": p, "brands": b, "provider_assignments": a,
            "steps_milestones": m, "campaigns": c, "orders": o}


def order(brand, buyer, ts, gmv, channel="store", traffic="public", campaign=None, refunded=False):
    return (brand, buyer, ts, gmv, channel, traffic, campaign, refunded)


def test_burst_coefficient_over_step_one_30_days():
    frames = tiny(
        brands=[(1, None, D(2020, 12, 1))],
        milestones=[(1, 1, D(2021, 1, 1), None)],
        orders=[
            order(1, 7, "2021-01-01 00:00:00", 200.00, "distribution"),
            order(1, 8, "2021-01-01 23:59:59", 100.00, "distribution"),   # same day: 300 on day 1
            order(1, 7, "2021-01-05 12:00:00", 100.00, "distribution"),
            order(1, 9, "2021-01-06 12:00:00", 1000.00, "self_live"),     # not distribution
            order(1, 9, "2021-01-31 00:00:00", 5000.00, "distribution"),  # day 31: outside the window
        ],
    )
    # window 2021-01-01..2021-01-30: total 400, mean 400/30, peak 300 -> 22.5
    assert oracle.burst_coefficient(frames, 1) == pytest.approx(22.5)
    no_step1 = tiny(brands=[(1, None, D(2020, 12, 1))], milestones=[(1, 2, D(2021, 1, 1), None)],
                    orders=[order(1, 7, "2021-01-01 10:00:00", 5.0, "distribution")])
    assert oracle.burst_coefficient(no_step1, 1) is None


def test_repeat_buyers_rates_and_private_share_by_month():
    frames = tiny(
        brands=[(1, "linyi-apparel", D(2020, 1, 1)), (2, None, D(2020, 1, 1))],
        orders=[
            order(1, 100, "2021-01-03 10:00:00", 10.00, traffic="private"),
            order(1, 100, "2021-01-20 10:00:00", 30.00, refunded=True),          # buyer 100 repeats at brand 1
            order(1, 200, "2021-01-31 23:59:59", 60.00),
            order(2, 100, "2021-01-05 10:00:00", 0.00, traffic="private"),       # same buyer, other brand
            order(1, 200, "2021-02-01 00:00:00", 0.00),                          # February: GMV 0
        ],
    )
    t = oracle.oracle_trust(frames, Filters(date_from=D(2021, 1, 1), date_to=D(2021, 2, 28)))
    assert list(t.period_start) == [D(2021, 1, 1), D(2021, 2, 1)]
    jan, feb = t.iloc[0], t.iloc[1]
    assert jan.orders == 4
    assert jan.refund_rate == pytest.approx(0.25)
    assert jan.private_share == pytest.approx(10 / 100)
    assert jan.repeat_buyer_rate == pytest.approx(1 / 3)     # (1,100) of (1,100), (1,200), (2,100)
    assert feb.orders == 1 and feb.repeat_buyer_rate == 0.0
    assert feb.private_share is None                          # GMV 0: empty, not 0
    by_belt = oracle.oracle_trust(frames, Filters(date_from=D(2021, 1, 1), date_to=D(2021, 1, 31), by="belt"))
    assert list(by_belt.group) == ["linyi-apparel", "none"]
    assert list(by_belt.orders) == [3, 1]


def test_roi_windows_include_day_t_plus_n_and_t30_completeness():
    frames = tiny(
        brands=[(1, None, D(2020, 1, 1))],
        campaigns=[(9, 1, None, D(2021, 3, 1), 100.00), (10, 1, None, D(2021, 3, 5), 300.00)],
        orders=[
            order(1, 1, "2021-02-28 23:59:59", 320.00, campaign=9),   # T-1: in no window
            order(1, 1, "2021-03-01 00:00:00", 10.00, campaign=9),    # T+0
            order(1, 1, "2021-03-11 23:59:59", 20.00, campaign=9),    # T+10
            order(1, 1, "2021-03-12 00:00:00", 40.00, campaign=9),    # T+11
            order(1, 1, "2021-03-31 23:59:59", 80.00, campaign=9),    # T+30
            order(1, 1, "2021-04-01 00:00:00", 160.00, campaign=9),   # T+31; also the as-of day
            order(1, 2, "2021-03-02 00:00:00", 999.00),               # no campaign
        ],
    )
    r = oracle.oracle_roi(frames, Filters()).iloc[0]           # as-of 2021-04-01, range 2021-01-01..
    assert r.campaigns == 2 and r.spend_cny == pytest.approx(400.0)
    assert (r.gmv_t0, r.gmv_t10, r.gmv_t30) == pytest.approx((10.0, 30.0, 150.0))
    assert (r.roi_t0, r.roi_t10, r.roi_t30) == pytest.approx((10 / 400, 30 / 400, 150 / 400))
    # campaign 9: T+30 = 03-31 <= as-of; campaign 10: T+30 = 04-04 > as-of
    assert r.t30_complete_share == pytest.approx(100 / 400)
    empty = oracle.oracle_roi(frames, Filters(date_from=D(2021, 1, 1), date_to=D(2021, 1, 31))).iloc[0]
    assert empty.campaigns == 0 and empty.roi_t0 is None and empty.t30_complete_share is None


def test_onboarding_multiples_previous_and_year_earlier():
    frames = tiny(
        brands=[(1, None, D(2020, 3, 15)), (2, None, D(2021, 1, 1)), (3, None, D(2021, 1, 31)),
                (4, None, D(2021, 3, 1)), (5, None, D(2021, 3, 31)), (6, None, D(2021, 3, 31)),
                (7, None, D(2021, 4, 1))],
        orders=[order(1, 1, "2021-04-01 12:00:00", 1.0)],
    )
    t = oracle.oracle_onboarding(frames, Filters(date_from=D(2021, 1, 1), date_to=D(2021, 3, 31)))
    assert t.to_dict("list") == {
        "period_start": [D(2021, 1, 1), D(2021, 2, 1), D(2021, 3, 1)],
        "brands_onboarded": [2, 0, 3],
        "growth_multiple": [None, 0.0, None],     # Dec 2020: 0 -> empty; Feb: 0/2 = 0; Mar: 3/0 -> empty
        "yoy_multiple": [None, None, 3.0],        # Mar 2020 had one
        "cumulative_brands": [3, 3, 6],           # all history, not only the range
    }
    q = oracle.oracle_onboarding(frames, Filters(date_from=D(2021, 2, 15), date_to=D(2021, 4, 10), grain="quarter"))
    assert list(q.period_start) == [D(2021, 1, 1), D(2021, 4, 1)]   # whole quarters, counted in full
    assert list(q.brands_onboarded) == [5, 1]
    assert list(q.growth_multiple) == [None, pytest.approx(0.2)]


def test_provider_switch_splits_served_orders_on_the_switch_day():
    frames = tiny(
        brands=[(1, None, D(2020, 1, 1))],
        providers=[(1, "P1, 一号"), (2, "P2")],
        assignments=[(1, 1, D(2021, 1, 1), D(2021, 1, 15)), (1, 2, D(2021, 1, 16), None)],
        milestones=[(1, 1, D(2021, 1, 2), D(2021, 1, 15)), (1, 2, D(2021, 1, 15), D(2021, 1, 16))],
        orders=[order(1, 5, "2021-01-15 23:59:59", 50.0), order(1, 5, "2021-01-16 00:00:00", 70.0),
                order(1, 6, "2020-12-31 12:00:00", 35.0)],   # before any assignment
    )
    p = oracle.oracle_providers(frames, Filters(date_from=D(2021, 1, 1), date_to=D(2021, 1, 31)))
    assert list(p.provider_id) == [2, 1]                   # by gmv descending
    assert list(p.gmv_cny) == [70.0, 50.0] and list(p.orders) == [1, 1]
    assert list(p.gmv_multiple) == [None, None]            # nothing served in the base range
    assert list(p.steps_completed) == [1, 1] and list(p.median_days_per_step) == [1, 13]
    assert list(p.new_brands) == [1, 1] and list(p.repeat_buyer_rate) == [0.0, 0.0]
    assert list(p.roi_t0) == [None, None]


def test_steps_state_days_and_stalled_threshold():
    frames = tiny(
        brands=[(1, None, D(2020, 1, 1)), (2, None, D(2020, 1, 1)), (3, None, D(2020, 1, 1)),
                (4, None, D(2021, 7, 1))],
        milestones=[(1, 1, D(2021, 1, 1), D(2021, 2, 1)), (1, 3, D(2021, 3, 1), None),   # out of order
                    (2, 1, D(2021, 5, 1), D(2021, 6, 1)),
                    (3, 1, D(2021, 7, 1), None)],                                          # after A
        assignments=[(1, 7, D(2021, 1, 1), D(2021, 6, 30)), (2, 8, D(2021, 7, 1), None)],
        orders=[order(1, 1, "2021-12-31 08:00:00", 1.0)],
    )
    s = oracle.oracle_steps(frames, Filters(as_of=D(2021, 6, 30), stalled_days=120))
    assert list(s.brand_id) == [1, 2, 3]                  # brand 4 joins after A
    assert list(s.current_step) == [3, 1, 0]
    assert list(s.state) == ["in_progress", "completed", "not_started"]
    assert list(s.days_in_step) == [121, None, None]
    assert list(s.stalled) == [True, False, False]
    assert list(s.provider_id) == [7, None, None]         # 7's assignment ends on A: still serving
    assert list(s.current_step_started_on) == [D(2021, 3, 1), D(2021, 5, 1), None]
    funnel = oracle.oracle_steps_funnel(frames, Filters(as_of=D(2021, 6, 30)))
    assert list(funnel.brands_reached) == [2, 0, 1, 0, 0]
    assert list(funnel.conversion_from_previous) == [None, 0.0, None, 0.0, None]  # 0/2, 1/0, 0/1, 0/0
    assert list(funnel.median_days_to_complete) == [31, None, None, None, None]


def test_edge_warehouse_has_its_edges():
    frames = edge_frames()
    o = frames["orders"]
    assert o.ordered_at.max() == pd.Timestamp("2021-12-31 23:59:59")
    assert (o.ordered_at.dt.microsecond == 0).all()
    assert 8000 <= len(o) <= 15000
    assert (o.gmv_cny == 0).any() and o.campaign_id.isna().any()
    assert frames["brands"].belt_id.isna().any()
    assert frames["provider_assignments"].end_on.isna().any()
    assert frames["steps_milestones"].completed_on.isna().any()
    assert frames["campaigns"].provider_id.isna().any()
    young = frames["campaigns"].start_on > LAST_DAY - dt.timedelta(days=30)
    assert young.any()
    again = edge_frames()
    for name, df in frames.items():
        pd.testing.assert_frame_equal(df, again[name])
    # ROI windows can only grow with N (METRICS.md: roi_t0 <= roi_t10 <= roi_t30)
    roi = oracle.oracle_roi(frames, Filters(date_from=D(2020, 1, 1), date_to=D(2021, 12, 31), by="belt"))
    assert (roi.roi_t0 <= roi.roi_t10).all() and (roi.roi_t10 <= roi.roi_t30).all()
