"""Access control through dashboard.py: two regional operators, a provider and a manager on every page.

Users sign in through the app's OIDC path (AppTest seeds st.user; see tests/access_support.py).
The strongest check is an equivalence: an operator's page shows, and downloads, exactly what a
manager's page shows with the belt filter set to the operator's belts — every table, every CSV
byte. On top of that every row of every download is checked to lie inside the scope, and the
cache is shown not to carry one operator's rows to another.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_access.access import roles as access
from data_access.metrics.catalogue import REPORTS
from tests.access_support import (
    MANAGER,
    NO_BELTS_USER,
    OPERATOR_A,
    OPERATOR_B,
    PROVIDER_USER,
    assert_inside,
    belts_of,
    downloads,
    excel_downloads,
    page_params,
    provider_with_a_past,
    read_csv,
    scope_brands,
    tables,
    ytd,
)
from tests.app_support import texts

pytest_plugins = ["tests.conftest_app", "tests.conftest_access"]

# page, page-specific URL parameters ("{brand}" / "{provider}": one inside the user's scope)
VARIANTS = [
    ("pages/overview.py", {}),
    ("pages/onboarding.py", {"by": "belt"}),
    ("pages/sales.py", {}),
    ("pages/providers.py", {"provider": "{provider}"}),
    ("pages/steps.py", {}),
    ("pages/brand.py", {"brand": "{brand}"}),
    ("pages/trust_roi.py", {}),
    ("pages/trust_roi.py", {"trust_by": "provider"}),
]


@pytest.mark.parametrize("user", [OPERATOR_A, OPERATOR_B])
@pytest.mark.parametrize("page,params", VARIANTS, ids=[f"{p.split('/')[-1][:-3]}{'-' + '-'.join(q) if q else ''}"
                                                        for p, q in VARIANTS])
def test_an_operator_sees_exactly_the_manager_view_of_their_belts(run_as, app_warehouse, users, user, page, params):
    belts = belts_of(users, user)
    query = page_params(params, app_warehouse, belts)
    mine = run_as(user, query, page)
    theirs = run_as(MANAGER, {**query, "belt": list(belts)}, page)

    files = downloads(mine)
    assert files, "every variant offers at least one download"
    assert files == downloads(theirs)
    assert assert_inside(files, app_warehouse.frames, belts) > 0
    sheets = excel_downloads(mine)  # each table's Excel twin: the same rows as its CSV, the manager's narrowed
    assert sheets == excel_downloads(theirs)
    assert {key[3:]: len(rows) - 1 for key, rows in sheets.items()} == {
        key[3:]: len(read_csv(data)) for key, data in files.items()}
    mine_tables, their_tables = tables(mine), tables(theirs)
    assert len(mine_tables) == len(their_tables) > 0
    for a, b in zip(mine_tables, their_tables):
        pd.testing.assert_frame_equal(a, b)
    assert "Your belts:" in texts(mine), "an operator's totals are labelled as their belts'"
    assert "Your belts:" not in texts(theirs)
    belt_box = mine.sidebar.multiselect[0]
    listed = {" · ".join(option.split(" · ")[:2]) for option in belt_box.options}  # then the other language's name
    assert listed == {mine.session_state["_bb_context"].belt_label(b) for b in belts}


@pytest.mark.parametrize("page,params", VARIANTS, ids=[f"{p.split('/')[-1][:-3]}{'-' + '-'.join(q) if q else ''}"
                                                        for p, q in VARIANTS])
def test_a_signed_in_manager_sees_everything_on_every_page(run_as, app_warehouse, monkeypatch, page, params):
    query = page_params(params, app_warehouse, ())
    manager = downloads(run_as(MANAGER, query, page))
    monkeypatch.delenv("BELTBOARD_ROLES")
    access.forget_access_control()  # as a server restarted without access control: no roles file, no sign-in
    local = downloads(run_as(None, query, page, auth=False))  # no access control at all
    assert manager and manager == local


def test_the_manager_sees_every_belt(run_as, app_warehouse, users):
    at = run_as(MANAGER, {}, "pages/sales.py")
    rows = read_csv(downloads(at)["dl_brand-multiples"])
    expected = REPORTS["brand_multiples"](app_warehouse.wh, ytd(app_warehouse))
    assert [int(r["brand_id"]) for r in rows] == [int(b) for b in expected["brand_id"]]
    outside = scope_brands(app_warehouse.frames["brands"], users.belts_a + users.belts_b)
    assert {int(r["brand_id"]) for r in rows} - outside, "the manager sees brands outside both operators' belts"
    assert "Your belts:" not in texts(at)
    assert "manager" in "\n".join(c.value for c in at.sidebar.caption)


def brand_ids(files: AppTest | dict, key: str = "dl_brand-multiples") -> set[int]:
    files = downloads(files) if isinstance(files, AppTest) else files
    return {int(r["brand_id"]) for r in read_csv(files[key])}


def test_operator_b_after_a_on_identical_filters_never_gets_a_cached_row(run_as, app_warehouse, users):
    query = {"preset": "custom", "from": "2021-04-01", "to": "2021-09-30", "grain": "quarter"}
    frames = app_warehouse.frames
    only_a = scope_brands(frames["brands"], users.belts_a)
    only_b = scope_brands(frames["brands"], users.belts_b)
    # downloads are read right after each run: the recorded media are the latest run's
    a = downloads(run_as(OPERATOR_A, query, "pages/sales.py"))
    b = downloads(run_as(OPERATOR_B, query, "pages/sales.py"))
    a_again = downloads(run_as(OPERATOR_A, query, "pages/sales.py"))
    b_as_manager = downloads(run_as(MANAGER, {**query, "belt": list(users.belts_b)}, "pages/sales.py"))
    assert brand_ids(a) and brand_ids(a) <= only_a
    assert brand_ids(b) and brand_ids(b) <= only_b
    assert a == a_again
    assert a["dl_sales"] != b["dl_sales"], "period totals are each operator's own"
    assert b == b_as_manager


def test_a_provider_sees_only_its_clients(run_as, app_warehouse, users):
    _, clients, _ = provider_with_a_past(app_warehouse.frames, app_warehouse.as_of)
    at = run_as(PROVIDER_USER, {}, "pages/sales.py")
    seen = brand_ids(at)
    expected = REPORTS["brand_multiples"](app_warehouse.wh, ytd(app_warehouse, brand_ids=clients))
    assert seen and seen == {int(b) for b in expected["brand_id"]}
    assert f"provider #{users.provider_id}" in texts(at)


def everything_shown(at: AppTest) -> tuple[str, list[pd.DataFrame]]:
    """Every word of a run (texts, sidebar, pickers' options) and every frame (tables, downloads, charts)."""
    from tests.app_support import chart_frames
    words = [texts(at), "\n".join(str(c.value) for c in at.sidebar.caption)]
    for box in list(at.selectbox) + list(at.sidebar.selectbox) + list(at.multiselect) + list(at.sidebar.multiselect):
        words += [str(o) for o in box.options]
    frames = tables(at) + chart_frames(at)
    frames += [pd.DataFrame(read_csv(data)) for data in downloads(at).values()]
    return "\n".join(words), frames


PROVIDER_VIEWS = VARIANTS + [("pages/providers.py", {"provider": "{competitor}"}),
                             ("pages/brand.py", {"brand": "{former}"})]


@pytest.mark.parametrize("page,params", PROVIDER_VIEWS,
                         ids=[f"{p.split('/')[-1][:-3]}-{'-'.join(q.values()) or 'plain'}" for p, q in PROVIDER_VIEWS])
def test_a_provider_user_never_sees_another_provider(run_as, app_warehouse, users, page, params):
    frames = app_warehouse.frames
    provider_id, clients, former = provider_with_a_past(frames, app_warehouse.as_of)
    a = frames["provider_assignments"]
    predecessors = a[a["brand_id"].isin(clients) & (a["provider_id"] != provider_id)]
    competitor = int(a.loc[a["provider_id"] != provider_id, "provider_id"].value_counts().index[0])
    brand = int(predecessors["brand_id"].iloc[0]) if not predecessors.empty else clients[0]  # a client it took over
    fill = {"{brand}": str(brand), "{provider}": str(provider_id), "{competitor}": str(competitor),
            "{former}": str(former)}
    at = run_as(PROVIDER_USER, {k: fill.get(v, v) for k, v in params.items()}, page)

    words, shown = everything_shown(at)
    others = frames["providers"][frames["providers"]["provider_id"] != provider_id]
    named = [name for name in others["name"] if name in words or any(
        (frame.astype(str) == name).any().any() for frame in shown)]
    assert not named, f"other providers' names on the page: {named[:5]}"
    for frame in shown:
        if "provider_id" in frame.columns:
            ids = {int(float(v)) for v in frame["provider_id"] if str(v) not in ("", "nan", "<NA>", "None")}
            assert ids <= {provider_id}, f"other providers' ids: {sorted(ids - {provider_id})[:5]}"
    if params.get("brand") == "{former}":
        assert f"Brand {former} is not one of your clients, so it is not shown." in words
        assert set(downloads(at)) <= {"dl_brand-directory"}, "only the directory of its own clients"
    if params.get("provider") == "{competitor}":
        assert f"Provider {competitor} serves none" in words
        assert not [k for k in downloads(at) if str(competitor) in k]


def assert_nothing_shown(at: AppTest, frames) -> str:
    assert not at.get("download_button") and not at.dataframe and not at.metric
    assert not at.sidebar.multiselect and not at.sidebar.selectbox, "no filters, so no belt names either"
    words = texts(at) + "\n".join(str(c.value) for c in at.sidebar.caption)
    for name in list(frames["industry_belts"]["name_en"]) + list(frames["industry_belts"]["belt_id"]):
        assert name not in words
    return words


@pytest.mark.parametrize("user,message", [
    ("stranger@example.com", "has no access to this dashboard"),
    (NO_BELTS_USER, "has no industry belts assigned"),
])
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/sales.py", "pages/brand.py"])
def test_an_unknown_user_or_a_role_without_belts_sees_no_data(run_as, app_warehouse, user, message, page):
    at = run_as(user, {"belt": "linyi-apparel", "brand": "1"}, page)
    assert message in assert_nothing_shown(at, app_warehouse.frames)
    assert [e.value for e in at.error]


def test_nobody_signed_in_is_asked_to_sign_in(run_as, app_warehouse):
    at = run_as(None, {}, "pages/sales.py")
    assert "Sign in to see the dashboard." in assert_nothing_shown(at, app_warehouse.frames)
    assert [b.label for b in at.button] == ["Sign in"]


def test_without_any_auth_the_app_is_a_local_manager_and_says_so(run_as, monkeypatch, app_warehouse):
    monkeypatch.delenv("BELTBOARD_ROLES")
    at = run_as(None, {}, "pages/sales.py", auth=False)
    assert "Local mode" in "\n".join(c.value for c in at.sidebar.caption)
    assert len(brand_ids(at)) == len(REPORTS["brand_multiples"](app_warehouse.wh, ytd(app_warehouse)))


@pytest.mark.parametrize("problem", ["auth-without-roles", "roles-without-sign-in", "broken-roles", "missing-roles"])
def test_a_half_configured_sign_in_fails_closed(run_as, monkeypatch, tmp_path, app_warehouse, problem):
    auth = True
    if problem == "auth-without-roles":
        monkeypatch.delenv("BELTBOARD_ROLES")
    elif problem == "roles-without-sign-in":
        auth = False
    elif problem == "broken-roles":
        broken = tmp_path / "broken.toml"
        broken.write_text('[roles.x]\nkind = "operator"\nbelts = "linyi-apparel"\nusers = ["a@b"]\n')
        monkeypatch.setenv("BELTBOARD_ROLES", str(broken))
    else:
        monkeypatch.setenv("BELTBOARD_ROLES", str(tmp_path / "nowhere.toml"))
    at = run_as(MANAGER, {}, "pages/overview.py", auth=auth)
    assert_nothing_shown(at, app_warehouse.frames)
    assert [e.value for e in at.error], "a message says what is wrong"


def test_every_page_view_writes_one_audit_line(run_as, audit_file, users):
    run_as(OPERATOR_A, {"belt": users.belts_a[0]}, "pages/sales.py")
    run_as("stranger@example.com", {}, "pages/steps.py")
    lines = [json.loads(line) for line in audit_file.read_text(encoding="utf-8").splitlines()]
    views = [(line["user"], line["target"], line["status"]) for line in lines]
    assert views == [(OPERATOR_A, "overview", "ok"), (OPERATOR_A, "sales", "ok"),
                     ("stranger@example.com", "overview", "denied"), ("stranger@example.com", "steps", "denied")]
    sales = lines[1]
    assert sales["scope"] == "operator:" + ",".join(sorted(users.belts_a))
    assert sales["filters"]["belts"] == [users.belts_a[0]] and sales["filters"]["date_from"]
    assert sales["rows"] > 0 and sales["duration_ms"] > 0 and sales["event"] == "page_view" and sales["ts"]
    assert lines[2]["rows"] == 0 and lines[2]["scope"] == "none"


def test_a_brand_or_provider_outside_the_scope_cannot_be_opened_by_id(run_as, app_warehouse, users):
    brand_b = page_params({"brand": "{brand}"}, app_warehouse, users.belts_b)["brand"]
    at = run_as(OPERATOR_A, {"brand": brand_b}, "pages/brand.py")
    assert f"Brand {brand_b} is not a brand of your belts, so it is not shown." in texts(at), "not 'widen the filters'"
    assert not at.metric and not at.header
    assert set(downloads(at)) <= {"dl_brand-directory"}, "only the directory of the operator's own brands"
    at = run_as(OPERATOR_A, {"brand": "987654321"}, "pages/brand.py")  # none at all: the same words, nothing given away
    assert "Brand 987654321 is not a brand of your belts, so it is not shown." in texts(at)

    every = REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse))
    league_a = REPORTS["providers"](app_warehouse.wh, ytd(app_warehouse, belts=users.belts_a))
    outside = sorted(set(int(p) for p in every["provider_id"]) - set(int(p) for p in league_a["provider_id"]))
    assert outside, "some provider serves none of operator A's brands"
    at = run_as(OPERATOR_A, {"provider": str(outside[0])}, "pages/providers.py")
    assert f"Provider {outside[0]} serves none of the selected brands" in texts(at)
    assert not [k for k in downloads(at) if k.startswith(f"dl_provider-{outside[0]}")]


# ---------------------------------------------------------------- issue 9: look-alike identities, the audit log

def test_a_look_alike_email_from_the_sign_in_is_refused(run_as, app_warehouse, tmp_path, monkeypatch):
    roles = tmp_path / "kelvin.toml"
    roles.write_text('[roles.k]\nkind = "manager"\nusers = ["ops.k@example.com"]\n', encoding="utf-8")
    monkeypatch.setenv("BELTBOARD_ROLES", str(roles))
    at = run_as("ops.\u212a@example.com", {}, "pages/sales.py")  # the Kelvin sign, which lower() makes a k
    assert "The dashboard cannot identify you" in assert_nothing_shown(at, app_warehouse.frames)
    assert downloads(run_as("OPS.K@Example.com", {}, "pages/sales.py")), "the real address, in any case, signs in"


def unwritable_audit(tmp_path, where: str) -> str:
    if where == "dev-full":
        return "/dev/full"
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    return str(tmp_path / "a-file" / "audit.log")  # below a file: no directory can be made, not even by root


@pytest.mark.parametrize("where", ["dev-full", "below-a-file"])
@pytest.mark.parametrize("page", ["pages/sales.py", "pages/providers.py"])
def test_with_access_control_a_view_that_cannot_be_audited_shows_no_data(run_as, app_warehouse, monkeypatch,
                                                                        tmp_path, where, page):
    monkeypatch.setenv("BELTBOARD_AUDIT_LOG", unwritable_audit(tmp_path, where))
    at = run_as(MANAGER, {}, page)
    words = assert_nothing_shown(at, app_warehouse.frames)
    assert "every view must be recorded in the audit log" in words and "cannot write the audit log" in words


def test_without_access_control_a_view_that_cannot_be_audited_is_shown_with_a_warning(run_as, monkeypatch):
    monkeypatch.delenv("BELTBOARD_ROLES")
    monkeypatch.setenv("BELTBOARD_AUDIT_LOG", "/dev/full")
    at = run_as(None, {}, "pages/sales.py", auth=False)
    assert downloads(at)
    assert any("The audit log cannot be written" in w.value for w in at.sidebar.warning)
