"""Access control below the UI: the roles file, scopes, the export's --as-user, the audit log, the hardened reader.

The dashboard's side is in tests/test_app_access.py (AppTest) and tests/test_browser_access.py (Chromium).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from data_access.access import audit, roles as access_roles, scope as access_scope
from data_access.access.roles import RolesError, load_roles, parse_roles
from data_access.access.scope import AccessDenied, Scope
from data_access.config import statement_timeout_s
from data_access.export.csv_file import csv_text
from data_access.metrics import reference
from data_access.metrics.catalogue import REPORTS
from data_access.metrics.reports import MIN_PEERS
from data_access.warehouse.build import load
from data_access.warehouse.connection import Warehouse, WarehouseError
from data_access.warehouse.filters import Filters
from tests.access_support import provider_with_a_past, scope_brands
from tests.edge_warehouse import edge_frames

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "roles.example.toml"
D = dt.date


# ---------------------------------------------------------------- the roles file

def test_the_documented_example_roles_file_is_valid():
    roles = load_roles(EXAMPLE)
    kinds = {scope.kind for scope in roles.users.values()}
    assert kinds == {"manager", "operator", "provider"}
    assert roles.header == "X-Forwarded-Email"
    assert any(scope.belts and "none" in scope.belts for scope in roles.users.values())


def roles_of(toml: str):
    import tomllib
    return parse_roles(tomllib.loads(toml), Path("roles.toml"))


GOOD = '''
[roles.boss]
kind = "manager"
users = ["Boss@Example.com"]
[roles.sd]
kind = "operator"
belts = ["linyi-apparel", "none"]
users = ["ops@example.com"]
[roles.idle]
kind = "operator"
belts = []
users = ["idle@example.com"]
[roles.p]
kind = "provider"
provider_id = 104
users = ["p@example.com"]
'''


def test_users_map_to_scopes_whatever_the_case_and_strangers_see_nothing():
    roles = roles_of(GOOD)
    assert roles.scope_for("  boss@EXAMPLE.com ").everything
    ops = roles.scope_for("OPS@example.com")
    assert (ops.kind, ops.belts, ops.role) == ("operator", ("linyi-apparel", "none"), "sd")
    assert roles.scope_for("p@example.com").provider_id == 104
    for user in ("stranger@example.com", "", None, "idle@example.com"):
        assert roles.scope_for(user).denied
    assert "not in the roles file" in roles.scope_for("stranger@example.com").reason
    assert "has no belts" in roles.scope_for("idle@example.com").reason


@pytest.mark.parametrize("toml,complaint", [
    ("", "names no [roles"),
    ('[roles.x]\nkind = "admin"\nusers = ["a@b"]', "kind must be one of"),
    ('[roles.x]\nkind = "operator"\nusers = ["a@b"]', "belts must be a list"),
    ('[roles.x]\nkind = "operator"\nbelts = "linyi-apparel"\nusers = ["a@b"]', "belts must be a list"),
    ('[roles.x]\nkind = "provider"\nusers = ["a@b"]', "provider_id must be a whole number"),
    ('[roles.x]\nkind = "manager"\nusers = "a@b"', "users must be a list"),
    ('[roles.x]\nkind = "manager"\nusers = ["a@b"]\n[roles.y]\nkind = "operator"\nbelts = []\nusers = ["A@B"]',
     "is in two roles"),
    ('[identity]\nheader = ""\n[roles.x]\nkind = "manager"\nusers = []', "identity.header"),
])
def test_a_bad_roles_file_is_refused_with_the_reason(toml, complaint):
    with pytest.raises(RolesError, match=re.escape(complaint)):
        roles_of(toml)


@pytest.mark.parametrize("given,key", [
    ("Boss@Example.COM", "boss@example.com"), ("  ops.a+x@example.com ", "ops.a+x@example.com"),
    ("o'brien@example.com", "o'brien@example.com"),
])
def test_a_user_is_compared_after_nfkc_and_casefold(given, key):
    assert access_roles.user_key(given) == key
    assert roles_of(GOOD.replace("Boss@Example.com", given.strip())).scope_for(key.upper()).kind == "manager"


@pytest.mark.parametrize("user", [
    "ops.\u212a@example.com",            # the Kelvin sign: NFKC and lower() would make it a k
    "ｏｐｓ@example.com",                 # fullwidth letters
    "boss@example.com, ops@example.com",  # two identities in one value
    "boss@example.com ops@example.com", "boss@exa\tmple.com", "boss@example.com\x00", "a" * 300 + "@example.com",
])
def test_look_alikes_lists_and_control_characters_identify_nobody(user):
    assert access_roles.user_key(user) is None
    roles = roles_of(GOOD.replace('"Boss@Example.com"', '"boss@example.com", "ops.k@example.com"'))
    assert roles.scope_for(user).denied
    with pytest.raises(RolesError, match="is not an e-mail address"):
        roles_of(GOOD.replace('"Boss@Example.com"', json.dumps(user)))


def test_once_access_control_was_seen_a_missing_roles_file_is_an_error_not_local_mode(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(access_roles, "DEFAULT_ROLES_PATH", tmp_path / "default-roles.toml")
    assert load_roles() is None and access_roles.access_control_seen() is None  # never configured: local
    monkeypatch.setenv(access_roles.ROLES_ENV, str(path))
    assert load_roles().scope_for("ops@example.com").kind == "operator"
    monkeypatch.delenv(access_roles.ROLES_ENV)
    with pytest.raises(RolesError, match="is missing, but this server has had access control"):
        load_roles()


def test_the_roles_file_path_comes_from_the_environment_and_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(access_roles.ROLES_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(RolesError, match="not a file"):
        load_roles()
    path = tmp_path / "roles.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv(access_roles.ROLES_ENV, str(path))
    assert load_roles().scope_for("ops@example.com").kind == "operator"
    path.write_text(GOOD.replace('"linyi-apparel", ', ""), encoding="utf-8")  # edited: read again
    os.utime(path, ns=(1, 2))
    assert load_roles().scope_for("ops@example.com").belts == ("none",)


def test_a_scope_replaces_whatever_scope_the_filters_held():
    operator = Scope(user="o", kind="operator", belts=("b", "a"))
    f = Filters(belts=("a",), scope_belts=None, scope_provider=7)
    scoped = operator.apply(f)
    assert (scoped.scope_belts, scoped.scope_provider, scoped.belts) == (("a", "b"), None, ("a",))
    assert access_scope.LOCAL_MANAGER.apply(Filters(scope_belts=("x",))).scope_belts is None
    assert hash(scoped) != hash(operator.apply(Filters())), "the scope is part of the cache key"
    with pytest.raises(AccessDenied):
        access_scope.nobody("x", "no").apply(f)
    with pytest.raises(AccessDenied):
        Scope(user="o", kind="operator", belts=()).apply(f)


# ---------------------------------------------------------------- scopes on every backend

def test_a_provider_scope_is_its_clients_in_every_report_and_its_own_row_of_the_league(warehouse):
    frames, wh = warehouse.frames, warehouse.wh
    provider_id, clients, _ = provider_with_a_past(frames, wh.as_of())
    for base in (Filters(), Filters(date_from=D(2020, 1, 1), date_to=D(2021, 12, 31), grain="quarter", by="belt")):
        for name, report in REPORTS.items():
            got = report(wh, base.with_(scope_provider=provider_id))
            if name == "providers":  # its own row, as a manager sees it, and no other
                league = report(wh, base)
                expected = league[league["provider_id"] == provider_id].reset_index(drop=True)
                assert len(got) == 1
            elif name in ("provider_scorecard", "provider_cohorts"):  # its own rows, as a manager sees them ...
                everyone = report(wh, base)
                expected = everyone[everyone["provider_id"] == provider_id].reset_index(drop=True)
                if name == "provider_scorecard":  # ... its peers only in its percentiles, and only when 5 or more
                    against = [c for c in expected.columns if c.endswith(("_pct", "_peer_median"))]
                    expected.loc[expected["peers"] - 1 < MIN_PEERS, against] = np.nan
                assert set(got["provider_id"]) <= {provider_id}
            else:
                expected = report(wh, base.with_(brand_ids=clients))
            pd.testing.assert_frame_equal(got, expected, obj=f"{name} {base}")


def test_a_provider_sees_its_peers_only_as_a_median_and_a_top_decile(warehouse):
    from data_access.metrics.reports import MIN_PEERS, provider_peers
    wh = warehouse.wh
    provider_id, _, _ = provider_with_a_past(warehouse.frames, wh.as_of())
    f = Filters(date_from=D(2021, 1, 1), date_to=D(2021, 12, 31))
    others = REPORTS["providers"](wh, f)
    others = others[others["provider_id"] != provider_id]
    bands = provider_peers(wh, f.with_(scope_provider=provider_id)).set_index("metric")
    assert list(bands.columns) == ["providers", "median", "p90", "best_decile"], "aggregates only: no id, no name"
    lower_is_better = {"refund_rate", "return_rate", "median_days_per_step"}
    for metric, band in bands.iterrows():
        values = others[metric].dropna().astype(float)
        assert band["providers"] == len(values)
        if len(values) >= MIN_PEERS:
            assert band["median"] == pytest.approx(values.median())
            assert band["p90"] == pytest.approx(values.quantile(0.9))
            best = values.quantile(0.1 if metric in lower_is_better else 0.9)  # the best 10% of peers begin here
            assert band["best_decile"] == pytest.approx(best)
        else:
            assert pd.isna(band["median"]) and pd.isna(band["p90"]), "too few peers: the band would give one away"
    few = Filters(date_from=D(2021, 5, 10), date_to=D(2021, 5, 10), belts=("linyi-apparel",))
    lonely = provider_peers(wh, few.with_(scope_provider=provider_id))
    few_peers = lonely["providers"] < MIN_PEERS
    assert few_peers.any() and lonely.loc[few_peers, "median"].isna().all()


def test_a_provider_never_sees_who_else_served_its_brands(warehouse):
    from data_access.metrics import brand
    wh = warehouse.wh
    frames = warehouse.frames
    provider_id, clients, former = provider_with_a_past(frames, wh.as_of())
    scope = Filters(scope_provider=provider_id)
    everyone = {int(p) for p in frames["providers"]["provider_id"]}
    # a former client is nothing to it: no profile, no history naming the provider that took it over
    assert brand.brand_profile(wh, former, f=scope) is None
    assert brand.provider_history(wh, former, f=scope).empty
    assert former not in set(REPORTS["brand_multiples"](wh, scope.with_(date_from=D(2020, 1, 1)))["brand_id"])
    # its clients' history shows only its own assignments, even those with predecessors
    for brand_id in clients:
        history = brand.provider_history(wh, brand_id, f=scope)
        assert set(history["provider_id"]) == {provider_id}
    # an earlier as-of neither brings back a former client nor names the provider serving then
    early = REPORTS["steps"](wh, scope.with_(as_of=D(2020, 6, 30)))
    assert set(early["brand_id"]) <= set(clients)
    assert set(early["provider_id"].dropna().astype(int)) <= {provider_id}
    # another provider's own data is empty for it
    other = next(p for p in sorted(everyone) if p != provider_id)
    f = scope.with_(date_from=D(2020, 1, 1), date_to=D(2021, 12, 31))
    assert brand.provider_brands(wh, f, other).empty
    assert brand.provider_series(wh, f, other)["gmv_cny"].sum() == 0
    mine = brand.provider_series(wh, f, provider_id)
    assert mine["gmv_cny"].sum() == pytest.approx(
        brand.provider_series(wh, Filters(date_from=f.date_from, date_to=f.date_to), provider_id)["gmv_cny"].sum()), \
        "its own served GMV counts every brand it served, as its row of the league does"


def test_a_provider_scope_is_never_read_unresolved():
    from data_access.warehouse.filters import brand_conditions
    with pytest.raises(ValueError, match="resolved"):
        brand_conditions(Filters(scope_provider=104))
    assert Filters(scope_provider=104, as_of=D(2020, 1, 1)).resolved(D(2021, 12, 31)).scope_day == D(2021, 12, 31)


def test_the_belt_list_is_the_scope_s(warehouse):
    wh = warehouse.wh
    every = reference.belts(wh)
    assert list(reference.belts(wh, Filters())["belt_id"]) == list(every["belt_id"])
    mine = reference.belts(wh, Filters(scope_belts=("zhuji-pearls", "linyi-apparel", "none")))
    assert list(mine["belt_id"]) == [b for b in every["belt_id"] if b in ("zhuji-pearls", "linyi-apparel")]
    assert reference.belts(wh, Filters(scope_belts=("none",))).empty
    brands = warehouse.frames["brands"]
    provider_id, clients, _ = provider_with_a_past(warehouse.frames, wh.as_of())
    served = brands[brands["brand_id"].isin(clients)]
    theirs = reference.belts(wh, Filters(scope_provider=provider_id))
    assert set(theirs["belt_id"]) == set(served["belt_id"].dropna())


# ---------------------------------------------------------------- the export command

@pytest.fixture(scope="module")
def export_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export_access")
    url = f"duckdb:///{folder / 'edge.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    roles = folder / "roles.toml"
    roles.write_text(GOOD, encoding="utf-8")
    return {"url": url, "roles": roles, "audit": folder / "audit.log"}


def export(env: dict, *args: str, roles: bool = True):
    environ = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", access_roles.ROLES_ENV)}
    environ.update({"WAREHOUSE_URL": env["url"], audit.AUDIT_ENV: str(env["audit"])})
    if roles:
        environ[access_roles.ROLES_ENV] = str(env["roles"])
    return subprocess.run([sys.executable, "-m", "data_access", "export", *args], cwd=ROOT, env=environ,
                          capture_output=True, timeout=120)


def one_line(done) -> str:
    err = done.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_with_a_roles_file_an_export_without_as_user_refuses(export_env):
    done = export(export_env, "brand_multiples")
    assert done.returncode == 2 and done.stdout == b""
    assert "pass --as-user EMAIL" in one_line(done)


@pytest.mark.parametrize("args,complaint", [
    (["--as-user", "stranger@example.com"], "not in the roles file"),
    (["--as-user", "idle@example.com"], "has no belts"),
    (["--as-user", "ops@example.com", "--belt", "zhuji-pearls"], "outside the belts of --as-user"),
])
def test_an_export_as_a_user_who_may_not_see_it_refuses(export_env, args, complaint):
    done = export(export_env, "brand_multiples", *args)
    assert done.returncode == 2 and done.stdout == b"" and complaint in one_line(done)


def test_without_a_roles_file_as_user_is_a_bad_argument(export_env):
    done = export(export_env, "sales", "--as-user", "ops@example.com", roles=False)
    assert done.returncode == 2 and "no roles file" in one_line(done)


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_an_export_as_an_operator_is_their_belts_only(export_env, report):
    args = ["--from", "2021-01-01", "--to", "2021-06-30", "--grain", "quarter"]
    mine = export(export_env, report, *args, "--as-user", "OPS@example.com")
    assert mine.returncode == 0, mine.stderr
    as_manager = export(export_env, report, *args, "--belt", "linyi-apparel", "--belt", "none",
                        "--as-user", "boss@example.com")
    assert mine.stdout == as_manager.stdout
    everything = export(export_env, report, *args, roles=False)
    if report in ("brand_multiples", "steps", "providers"):
        assert mine.stdout != everything.stdout


def test_an_operator_s_brands_are_inside_their_belts(export_env):
    done = export(export_env, "steps", "--as-user", "ops@example.com")
    text_ = done.stdout.decode("utf-8-sig")
    ids = {int(line.split(",")[0]) for line in text_.splitlines()[1:]}
    assert ids and ids <= scope_brands(edge_frames()["brands"], ("linyi-apparel", "none"))


def test_every_export_writes_one_audit_line(export_env, tmp_path):
    env = {**export_env, "audit": tmp_path / "audit.log"}
    assert export(env, "sales", "--as-user", "ops@example.com", "--by", "belt").returncode == 0
    assert export(env, "steps", "--as-of", "2021-06-30", roles=False, ).returncode == 0
    first, second = [json.loads(line) for line in env["audit"].read_text(encoding="utf-8").splitlines()]
    assert (first["event"], first["user"], first["scope"], first["target"]) == (
        "export", "ops@example.com", "operator:linyi-apparel,none", "sales")
    assert first["filters"]["by"] == "belt" and first["rows"] > 0 and first["duration_ms"] > 0
    assert (second["user"], second["scope"], second["filters"]["as_of"]) == ("local", "manager", "2021-06-30")


def unwritable(tmp_path: Path, where: str) -> str:
    """An audit path no line can be added to, even by root: a device that refuses writes, or below a file."""
    if where == "dev-full":
        return "/dev/full"
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    return str(tmp_path / "a-file" / "audit.log")


@pytest.mark.parametrize("where", ["dev-full", "below-a-file"])
@pytest.mark.parametrize("to_file", [True, False])
def test_with_a_roles_file_an_export_that_cannot_be_audited_writes_nothing_and_exits_1(export_env, tmp_path,
                                                                                        where, to_file):
    out = tmp_path / "out.csv"
    env = {**export_env, "audit": unwritable(tmp_path, where)}
    done = export(env, "sales", "--as-user", "ops@example.com", *(["--out", str(out)] if to_file else []))
    assert done.returncode == 1 and done.stdout == b"" and not out.exists()
    assert "audit log" in one_line(done) and "nothing was exported" in done.stderr.decode()


def test_without_a_roles_file_an_export_that_cannot_be_audited_still_runs_and_says_so(export_env, tmp_path):
    done = export({**export_env, "audit": "/dev/full"}, "sales", roles=False)
    assert done.returncode == 0 and done.stdout.startswith(b"\xef\xbb\xbf")
    assert "cannot write the audit log /dev/full" in done.stderr.decode()


def test_refused_and_failed_exports_are_audit_lines_too(export_env, tmp_path):
    env = {**export_env, "audit": tmp_path / "audit.log"}
    assert export(env, "brand_multiples").returncode == 2                                # no --as-user
    assert export(env, "sales", "--as-user", "stranger@example.com").returncode == 2
    assert export(env, "steps", "--as-user", "ops@example.com", "--belt", "zhuji-pearls").returncode == 2
    assert export(env, "nosuchreport", "--as-user", "ops@example.com").returncode == 2
    failed = {**env, "url": "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"}
    assert export(failed, "sales", "--as-user", "ops@example.com").returncode == 1
    lines = [json.loads(line) for line in env["audit"].read_text(encoding="utf-8").splitlines()]
    assert [(line["event"], line["user"], line["target"], line["status"]) for line in lines] == [
        ("export", "-", "brand_multiples", "refused"),
        ("export", "stranger@example.com", "sales", "refused"),
        ("export", "ops@example.com", "steps", "refused"),
        ("export", "-", "-", "refused"),
        ("export", "ops@example.com", "sales", "error:WarehouseUnreachable"),
    ]
    assert "pass --as-user" in lines[0]["reason"] and "not in the roles file" in lines[1]["reason"]
    assert "outside the belts" in lines[2]["reason"] and lines[3]["filters"]["argv"][1] == "nosuchreport"


def test_the_audit_check_adds_nothing_and_names_what_is_wrong(tmp_path):
    good = tmp_path / "logs" / "audit.log"
    assert audit.check(good) is None and good.read_bytes() == b""
    assert "No space left" in audit.check(Path("/dev/full"))
    assert "cannot write the audit log" in audit.check(Path(unwritable(tmp_path, "below-a-file")))
    with pytest.raises(audit.AuditError, match="No space left"):
        audit.record("export", user="u", scope="s", target="t", filters={}, rows=0, duration_ms=0,
                     path=Path("/dev/full"), required=True)


def test_an_audit_line_survives_hostile_and_endless_values(tmp_path):
    path = tmp_path / "a" / "audit.log"
    audit.record("page_view", user="u\n{", scope="s", target="t", filters={"belt": ["x" * 10_000, "'\n\""]},
                 rows=1, duration_ms=1.26, path=path)
    (line,) = path.read_text(encoding="utf-8").splitlines()
    parsed = json.loads(line)
    assert parsed["user"] == "u\n{" and len(parsed["filters"]["belt"][0]) < 300 and parsed["duration_ms"] == 1.3


# ---------------------------------------------------------------- the hardened reader

@pytest.fixture(scope="module")
def duckdb_file(tmp_path_factory):
    return f"duckdb:///{tmp_path_factory.mktemp('hard') / 'edge.duckdb'}"


@pytest.fixture(scope="module")
def duckdb_reader(duckdb_file):
    engine = create_engine(duckdb_file)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    return Warehouse(duckdb_file)


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT 1) TO '/tmp/beltboard-should-not-exist.csv'",
    "ATTACH '/tmp/beltboard-other.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "CREATE TABLE x (a INTEGER)",
    "DELETE FROM brands",
])
def test_the_duckdb_reader_reads_its_file_and_nothing_else(duckdb_reader, statement):
    with pytest.raises(DBAPIError):
        with duckdb_reader.engine.connect() as conn:
            conn.execute(text(statement)).fetchall()
    assert not Path("/tmp/beltboard-should-not-exist.csv").exists()
    assert len(REPORTS["steps"](duckdb_reader, Filters())) > 0


def test_a_url_option_cannot_switch_external_access_back_on(duckdb_reader, duckdb_file):
    wh = Warehouse(duckdb_file + "?enable_external_access=true&lock_configuration=false")
    with pytest.raises(DBAPIError, match="disabled by configuration"):
        with wh.engine.connect() as conn:
            conn.execute(text("SELECT * FROM read_text('/etc/passwd')")).fetchall()
    wh.engine.dispose()


def test_the_statement_timeout_is_configurable(monkeypatch):
    monkeypatch.delenv("BELTBOARD_STATEMENT_TIMEOUT", raising=False)
    assert statement_timeout_s() == 30
    monkeypatch.setenv("BELTBOARD_STATEMENT_TIMEOUT", "2.5")
    assert statement_timeout_s() == 2.5
    monkeypatch.setenv("BELTBOARD_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(WarehouseError, match="number of seconds"):
        Warehouse("duckdb:///:memory:")


# ---------------------------------------------------------------- the browser-facing configuration

def test_streamlit_config_keeps_xsrf_on_and_cors_restricted():
    import tomllib
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert not config["server"].get("corsAllowedOrigins")
    assert config["client"]["showErrorDetails"] == "none"


def test_no_page_renders_html_of_its_own():
    """Data reaches the page only as plain text: no unsafe_allow_html, st.html or custom components."""
    sources = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    offenders = [f"{path.relative_to(ROOT)}: {pattern}" for path in sources
                 for pattern in ("unsafe_allow_html", "st.html(", "components.v1", "st.components", "st.iframe(")
                 if pattern in path.read_text(encoding="utf-8")]
    assert not offenders


def test_formula_text_is_neutralised_and_numbers_are_not():
    names = ['=HYPERLINK("x")', "+1", "-x", "@SUM(A1)", "  =1", "|cmd", "%x", "<img src=x onerror=alert(1)>"]
    df = pd.DataFrame({"brand_name": names, "gmv_multiple": [-1.5] * len(names), "orders": [-3] * len(names)})
    lines = csv_text(df).splitlines()[1:]
    for name, line in zip(names, lines):
        cell = next(iter(__import__("csv").reader([line])))
        expected = name if name.startswith("<") else "'" + name
        assert cell == [expected, "-1.5", "-3"], line
