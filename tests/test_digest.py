"""Digests (`python -m data_access digest`): what they say, whose data, and their delivery to real servers.

The AppTest demo warehouse (tests/conftest_app.py, 20,000 orders) with the access tests' users (two operators, a
provider, a manager: tests/conftest_access.py). Delivery goes to an aiosmtpd SMTP server and an HTTP receiver
answering as WeCom, DingTalk and Feishu robots do, both on 127.0.0.1 (tests/delivery_support.py); a robot that
answers 500 and an SMTP port nobody listens on are the failures. Figures are held against tests/oracle.py."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import html
import io
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from data_access import cli
from data_access.access import audit, recipients, roles as access
from data_access.digest import compose as digest, delivery, render as digest_render
from data_access.export.csv_file import BOM
from data_access.metrics import events, rules
from data_access.metrics.catalogue import DATASETS
from data_access.views import links
from data_access.warehouse.filters import Filters
from tests import delivery_support
from tests.access_support import MANAGER, NO_BELTS_USER, OPERATOR_A, OPERATOR_B, PROVIDER_USER, roles_toml, scope_brands
from tests.oracle import oracle_onboarding, oracle_roi, oracle_steps

pytest_plugins = ["tests.conftest_app", "tests.conftest_access"]
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # plain SMTP, on 127.0.0.1

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2021, 12, 12)      # a window with 双12 in it
BASE = "https://beltboard.example.com"
KEYS = {"a-wecom": "wk-5f1d9c0e-aa11", "a-broken": "bk-77c2e9d1-bb22", "b-dingtalk": "dt-0c8e51aa-cc33",
        "p-feishu": "fs-3a9b6d2f-dd44", "boss-generic": "gn-e4d2a7b1-ee55"}
SIGNING = {"b-dingtalk": "SECdt-9f8e7d6c5b4a", "p-feishu": "fs-sign-1a2b3c4d5e"}
TEAM_A = ("team.a@example.com", "lead.a@example.com")
PARTNER_INBOX = "inbox@provider.example"


def digest_roles(users) -> str:
    """The access tests' roles file plus who gets which digest."""
    return roles_toml(users) + f'''
[roles.region-a.digest]
email = ["{TEAM_A[0]}", "{TEAM_A[1]}"]
webhooks = ["a-wecom", "a-broken"]

[roles.region-b.digest]
webhooks = ["b-dingtalk"]
lang = "en"

[roles.partner.digest]
email = ["{PARTNER_INBOX}"]
webhooks = ["p-feishu"]

[digest."{MANAGER}"]
webhooks = ["boss-generic"]
lang = "en"
'''


@dataclass
class Servers:
    inbox: delivery_support.Inbox
    receiver: delivery_support.Receiver
    http_base: str
    smtp_port: int


@pytest.fixture(scope="module")
def servers():
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own notes on its test setup
    controller, inbox = delivery_support.smtp_server()
    http, receiver, thread = delivery_support.http_receiver()
    try:
        yield Servers(inbox, receiver, f"http://127.0.0.1:{http.server_address[1]}", controller.port)
    finally:
        controller.stop()
        http.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def roles_file(users, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("digest_roles") / "roles.toml"
    path.write_text(digest_roles(users), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def parsed_roles(roles_file) -> access.Roles:
    return access.load_roles(roles_file)


def secrets_env(base: str, smtp_port: int) -> dict[str, str]:
    hooks = {"a-wecom": f"{base}/wecom/send?key={KEYS['a-wecom']}", "a-broken": f"{base}/broken?key={KEYS['a-broken']}",
             "b-dingtalk": f"{base}/dingtalk/robot/send?access_token={KEYS['b-dingtalk']}",
             "p-feishu": f"{base}/feishu/open-apis/bot/v2/hook/{KEYS['p-feishu']}",
             "boss-generic": f"{base}/generic/{KEYS['boss-generic']}"}
    kinds = {"a-wecom": "wecom", "a-broken": "wecom", "b-dingtalk": "dingtalk", "p-feishu": "feishu",
             "boss-generic": "generic"}
    env = {"BELTBOARD_SMTP_HOST": "127.0.0.1", "BELTBOARD_SMTP_PORT": str(smtp_port), "BELTBOARD_SMTP_SECURITY": "none",
           "BELTBOARD_SMTP_USER": delivery_support.SMTP_USER, "BELTBOARD_SMTP_PASSWORD": delivery_support.SMTP_PASSWORD,
           "BELTBOARD_SMTP_SENDER": "beltboard <digest@beltboard.example.com>", "BELTBOARD_DIGEST_RETRY_WAIT": "0.01",
           "BELTBOARD_BASE_URL": BASE}
    for name, url in hooks.items():
        prefix = delivery.env_name(name)
        env[f"{prefix}_URL"], env[f"{prefix}_KIND"] = url, kinds[name]
        if name in SIGNING:
            env[f"{prefix}_SECRET"] = SIGNING[name]
    return env


def every_secret(env: dict[str, str]) -> list[str]:
    return [*KEYS.values(), *SIGNING.values(), delivery_support.SMTP_PASSWORD, delivery_support.SMTP_USER,
            *(v for k, v in env.items() if k.endswith("_URL"))]


def run_digest(args, app_warehouse, roles_path: Path, audit_path: Path, env: dict[str, str]):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BELTBOARD_")}
    environ.update({"WAREHOUSE_URL": app_warehouse.url, access.ROLES_ENV: str(roles_path),
                    audit.AUDIT_ENV: str(audit_path), **env})
    return subprocess.run([sys.executable, "-m", "data_access", "digest", *args], cwd=ROOT, env=environ,
                          capture_output=True, timeout=300)


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def text_of(mail) -> tuple[str, str]:
    """(plain text, HTML) of a received digest."""
    return mail.message.get_body(("plain",)).get_content(), mail.message.get_body(("html",)).get_content()


def attachment_rows(mail) -> list[dict]:
    parts = [p for p in mail.message.iter_attachments() if p.get_filename().endswith(".csv")]
    assert len(parts) == 1, [p.get_filename() for p in parts]
    data = parts[0].get_payload(decode=True).decode("utf-8")
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM):])))


def scoped(users_scope, app_warehouse, as_of=AS_OF) -> Filters:
    return users_scope.apply(Filters(as_of=as_of)).resolved(app_warehouse.as_of)


# ---------------------------------------------------------------- delivery to real servers


def test_all_delivers_every_digest_and_a_robot_that_fails_does_not_stop_the_others(servers, app_warehouse, users,
                                                                                   parsed_roles, roles_file, tmp_path):
    inbox, receiver = servers.inbox, servers.receiver
    env = secrets_env(servers.http_base, servers.smtp_port)
    done = run_digest(["--all", "--as-of", AS_OF.isoformat()], app_warehouse, roles_file, tmp_path / "audit.log", env)

    # the broken robot: tried three times, then named with its reason; the exit code says it
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert err.splitlines() == ["error: digest for role region-a: webhook:a-broken: failed after 3 attempts: the "
                                "webhook answered HTTP 500"]
    assert len(receiver.at("/broken")) == 3
    # every other recipient got its digest, once
    for address in (*TEAM_A, PARTNER_INBOX):
        assert len(inbox.to(address)) == 1, address
    assert delivery_support.SMTP_USER in inbox.logins
    assert [len(receiver.at(p)) for p in ("/wecom", "/dingtalk", "/feishu", "/generic")] == [1, 1, 1, 1]

    # an operator's e-mail: to its address only, the window in the subject, Chinese text, the queue in its belts
    mail = inbox.to(TEAM_A[0])[0]
    assert mail.recipients == [TEAM_A[0]] and mail.message["To"] == TEAM_A[0]
    assert mail.message["Subject"] == "beltboard 简报 · 2021-12-06 至 2021-12-12"
    plain, page = text_of(mail)
    assert "待办" in page and "双12" in page and '<html lang="zh">' in page and "待办" in plain
    rows = attachment_rows(mail)
    operator = parsed_roles.scope_for(OPERATOR_A)
    assert rows and {r["belt_id"] or "none" for r in rows} <= set(users.belts_a)
    expected = DATASETS["diagnosis"].compute(app_warehouse.wh, scoped(operator, app_warehouse), rules.DEFAULT_RULES)
    assert [int(r["brand_id"]) for r in rows] == list(expected["brand_id"])  # the rows `export diagnosis` writes
    first = expected[expected["status"] != "on_track"].iloc[0]
    assert html.escape(str(first["brand_name"]), quote=False) in page  # the queue's head is in the mail

    # robots: each its own message shape, signed where a secret is set
    wecom = receiver.at("/wecom")[0].body
    assert wecom["msgtype"] == "markdown" and len(wecom["markdown"]["content"].encode()) <= delivery.MAX_BYTES["wecom"]
    assert wecom["markdown"]["content"].startswith("# beltboard 简报")
    ding = receiver.at("/dingtalk")[0]
    stamp, secret = ding.query["timestamp"][0], SIGNING["b-dingtalk"]
    signed = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert ding.query["sign"] == [signed.decode()] and ding.query["access_token"] == [KEYS["b-dingtalk"]]
    assert ding.body["msgtype"] == "markdown" and "Work queue" in ding.body["markdown"]["text"]  # region-b: English
    feishu = receiver.at("/feishu")[0].body
    key = f"{feishu['timestamp']}\n{SIGNING['p-feishu']}".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu["msg_type"] == "interactive" and "## " not in feishu["card"]["elements"][0]["content"]
    generic = receiver.at("/generic")[0].body
    assert generic["user"] == MANAGER and generic["as_of"] == AS_OF.isoformat() and "<!DOCTYPE html>" in generic["html"]

    # one audit line per recipient; no secret anywhere we wrote
    lines = [line for line in audit_lines(tmp_path / "audit.log") if line["event"] == "digest"]
    assert sorted((line["target"], line["status"]) for line in lines) == sorted(
        [(f"email:{a}", "ok") for a in (*TEAM_A, PARTNER_INBOX)]
        + [(f"webhook:{w}", "ok") for w in ("a-wecom", "b-dingtalk", "p-feishu", "boss-generic")]
        + [("webhook:a-broken", "error:delivery")])
    written = done.stdout.decode() + err + (tmp_path / "audit.log").read_text(encoding="utf-8")
    for secret_value in every_secret(env):
        assert secret_value not in written, secret_value


def test_an_unreachable_smtp_server_is_retried_and_named_and_the_chat_still_gets_it(servers, app_warehouse,
                                                                                    roles_file, tmp_path, monkeypatch,
                                                                                    capsys, caplog):
    env = secrets_env(servers.http_base, delivery_support.free_port())  # nobody listens there
    for name, value in {"WAREHOUSE_URL": app_warehouse.url, access.ROLES_ENV: str(roles_file),
                        audit.AUDIT_ENV: str(tmp_path / "audit.log"), **env}.items():
        monkeypatch.setenv(name, value)
    before = len(servers.receiver.at("/wecom"))
    with caplog.at_level(logging.DEBUG):  # whatever any logger says, at every level
        code = cli.main(["digest", "--as-user", OPERATOR_A, "--send", "--as-of", AS_OF.isoformat(), "--days", "14"])
    out = capsys.readouterr()
    err = out.err.splitlines()
    assert code == 1
    for address in TEAM_A:
        assert f"error: digest for role region-a: email:{address}: failed after 3 attempts: cannot reach the SMTP " \
               "server (Connection refused)" in err
    assert len(err) == 3 and "webhook:a-broken" in err[-1]
    assert len(servers.receiver.at("/wecom")) == before + 1  # the others were still served
    assert "2021-11-29" in servers.receiver.at("/wecom")[-1].body["markdown"]["content"]  # --days 14
    written = out.out + out.err + caplog.text + (tmp_path / "audit.log").read_text(encoding="utf-8")
    for secret_value in every_secret(env):
        assert secret_value not in written, secret_value
    lines = audit_lines(tmp_path / "audit.log")
    assert {line["user"] for line in lines} == {OPERATOR_A.lower()} and {line["attempts"] for line in lines} == {1, 3}


# ---------------------------------------------------------------- whose data

def words_of(d: digest.Digest) -> str:
    return digest_render.markdown(d) + digest_render.html_page(d) + d.queue_csv.decode("utf-8")


def names_outside(inside_text: str, names) -> list[str]:
    """The names (of brands, belts, providers outside a scope) that a digest's text holds; a name that is part of a
    name inside the scope cannot tell, and is left out."""
    return [n for n in set(map(str, names)) if n and n in inside_text]


def build(app_warehouse, scope, lang="zh", **kwargs) -> digest.Digest:
    return digest.build(app_warehouse.wh, scope, lang=lang, base_url=BASE, as_of=AS_OF, used=rules.DEFAULT_RULES,
                        events=events.calendar(), **kwargs)


@pytest.fixture(scope="module")
def built(app_warehouse, parsed_roles):
    """user -> lang -> their digest as of AS_OF, each built once for the module."""
    cache = {}

    def get(user: str, lang: str) -> digest.Digest:
        if (user, lang) not in cache:
            cache[user, lang] = build(app_warehouse, parsed_roles.scope_for(user), lang)
        return cache[user, lang]

    return get


def test_an_operator_s_digest_names_nothing_outside_their_belts(app_warehouse, users, built):
    frames = app_warehouse.frames
    mine = scope_brands(frames["brands"], users.belts_b)
    d = built(OPERATOR_B, "zh")
    text = words_of(d)
    brands = frames["brands"]
    inside = brands[brands["brand_id"].isin(mine)]
    assert any(name in text for name in inside["name"]), "the digest shows some of their brands"
    inside_names = " ".join(map(str, inside["name"]))
    a = frames["provider_assignments"]
    serving = a[(a["start_on"] <= AS_OF) & (a["end_on"].isna() | (a["end_on"].map(lambda e: e is None or e >= AS_OF)))]
    their_providers = set(serving.loc[serving["brand_id"].isin(mine), "provider_id"])
    providers = frames["providers"]
    inside_names += " ".join(providers.loc[providers["provider_id"].isin(their_providers), "name"])
    belts = frames["industry_belts"]
    outside = [*brands.loc[~brands["brand_id"].isin(mine), "name"],
               *belts.loc[~belts["belt_id"].isin(users.belts_b), "name_zh"],
               *belts.loc[~belts["belt_id"].isin(users.belts_b), "name_en"],
               *providers.loc[~providers["provider_id"].isin(their_providers), "name"]]
    leaked = [n for n in names_outside(text, outside) if n not in inside_names]
    assert leaked == []
    for row in csv.DictReader(io.StringIO(d.queue_csv.decode("utf-8")[len(BOM):])):
        assert row["belt_id"] in users.belts_b


def test_a_provider_s_digest_names_no_other_provider_and_carries_its_scorecard(app_warehouse, users, built):
    d = built(PROVIDER_USER, "en")
    text = words_of(d)
    providers = app_warehouse.frames["providers"]
    own = providers.loc[providers["provider_id"] == users.provider_id, "name"].iloc[0]
    others = providers.loc[providers["provider_id"] != users.provider_id, "name"]
    assert [n for n in names_outside(text, others) if n not in own] == []
    card = d.section("scorecard")
    assert len(card.lines) == len(digest.SCORECARD)
    assert all("/providers?" in p.url and f"provider={users.provider_id}" in p.url
               for line in card.lines for p in line if p.url)
    assert "scorecard" not in [s.key for s in built(MANAGER, "zh").sections]


# ---------------------------------------------------------------- what it says

def linked_brands(section: digest.Section) -> list[int]:
    return [int(parse_qs(urlsplit(p.url).query)["brand"][0]) for line in section.lines for p in line
            if p.url and "/brand?" in p.url]


def test_the_digest_s_figures_are_the_oracle_s(app_warehouse, users, built):
    frames = app_warehouse.frames
    d = built(OPERATOR_B, "zh")
    belts = users.belts_b
    now = oracle_steps(frames, Filters(belts=belts, as_of=AS_OF))
    before = oracle_steps(frames, Filters(belts=belts, as_of=AS_OF - dt.timedelta(days=7)))
    became = set(now.loc[now["stalled"], "brand_id"]) - set(before.loc[before["stalled"], "brand_id"])
    stalled = d.section("stalled")
    assert stalled.rows == len(became) and set(linked_brands(stalled)) <= became
    assert len(linked_brands(stalled)) == min(len(became), digest.TOP)
    had = dict(zip(before["brand_id"], before["steps_completed"]))
    gained = {b for b, n in zip(now["brand_id"], now["steps_completed"]) if n > had.get(b, 0)}
    completed = d.section("completed")
    assert completed.rows == len(gained) and set(linked_brands(completed)) <= gained

    onboarded = oracle_onboarding(frames, Filters(belts=belts, date_from=dt.date(2021, 10, 1), date_to=AS_OF))
    november = onboarded[onboarded["period_start"] == dt.date(2021, 11, 1)].iloc[0]
    period = d.section("period")
    assert period.title == "上一个完整周期：2021年11月"
    assert [p.text for p in period.lines[0] if p.url][0] == f"{int(november['brands_onboarded']):,}"

    roi = oracle_roi(frames, Filters(belts=belts, date_from=dt.date(2021, 11, 6), date_to=dt.date(2021, 11, 12),
                                     as_of=AS_OF)).iloc[0]
    campaigns = d.section("campaigns")
    if int(roi["campaigns"]) == 0:
        assert campaigns.lines == ()
    else:
        figures = [p.text for p in campaigns.lines[0] if p.url]
        assert figures[0].startswith(f"{int(roi['campaigns'])} ") and figures[2] == f"{roi['roi_t30']:,.2f}"
    assert [digest_render.md_line(line) for line in d.section("events").lines] == ["双12 (2021-12-08 至 2021-12-12)"]


def test_each_figure_links_to_its_page_with_the_filters_it_counts(built):
    d = built(PROVIDER_USER, "en")
    seen = {}
    for section in d.sections:
        for line in (*section.lines, section.intro):
            for piece in line:
                if piece.url:
                    parts = urlsplit(piece.url)
                    assert piece.url.startswith(BASE + "/")
                    view = links.decode(parse_qs(parts.query), known_belts=(), known_provinces=()).view
                    assert view.lang == "en"
                    seen.setdefault(section.key, set()).add((parts.path, view.date_from, view.date_to))
    assert seen["period"] == {("/onboarding", dt.date(2021, 11, 1), dt.date(2021, 11, 30)),
                              ("/sales", dt.date(2021, 11, 1), dt.date(2021, 11, 30)),
                              ("/trust_roi", dt.date(2021, 11, 1), dt.date(2021, 11, 30))}
    assert {path for path, _, _ in seen["queue"]} <= {"/work_queue", "/brand"}
    assert {path for path, _, _ in seen["scorecard"]} == {"/providers"}
    if "campaigns" in seen:
        assert seen["campaigns"] == {("/trust_roi", dt.date(2021, 11, 6), dt.date(2021, 11, 12))}


def test_each_section_says_when_it_has_nothing(app_warehouse, parsed_roles):
    quiet = digest.build(app_warehouse.wh, parsed_roles.scope_for(OPERATOR_B), lang="en", base_url=BASE,
                         as_of=dt.date(2021, 12, 31), used=rules.DEFAULT_RULES, events=(), stalled_days=10_000)
    assert quiet.section("stalled").lines == quiet.section("events").lines == ()
    md, page = digest_render.markdown(quiet), digest_render.html_page(quiet)
    for said in ("No brand became stalled in these days.", "No platform event falls in these days."):
        assert said in md and said in page


def test_a_robot_s_message_fits_its_limit_and_keeps_every_section(built):
    d = built(MANAGER, "zh")
    full, short = digest_render.markdown(d), digest_render.markdown(d, 4000)
    assert len(full.encode()) > 4000 >= len(short.encode())
    for section in d.sections:
        assert f"## {section.title}" in short
    assert "更多" in short  # the lists point at the rest


# ---------------------------------------------------------------- refused

@pytest.fixture
def digest_env(app_warehouse, roles_file, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_URL", app_warehouse.url)
    monkeypatch.setenv(access.ROLES_ENV, str(roles_file))
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "audit.log"))
    return tmp_path


@pytest.mark.parametrize("args,complaint", [
    (["--as-user", "stranger@example.com"], "stranger@example.com is not in the roles file"),
    (["--as-user", NO_BELTS_USER], "has no belts"),
    ([], "pass --as-user EMAIL or --all"),
    (["--as-user", OPERATOR_A, "--days", "0"], "expected 1 to 366 days"),
])
def test_a_digest_for_someone_without_a_role_or_delivery_exits_2(digest_env, capsys, args, complaint):
    assert cli.main(["digest", *args]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and complaint in out.err
    if args and args[0] == "--as-user":
        assert audit_lines(digest_env / "audit.log")[-1]["status"] == "refused"


def test_send_without_a_delivery_for_the_user_exits_2(digest_env, users, capsys, monkeypatch):
    plain_roles = digest_env / "plain-roles.toml"
    plain_roles.write_text(roles_toml(users), encoding="utf-8")  # no [digest] anywhere
    monkeypatch.setenv(access.ROLES_ENV, str(plain_roles))
    assert cli.main(["digest", "--as-user", OPERATOR_B.upper(), "--send"]) == 2
    assert "the roles file delivers no digest to ops.b@example.com" in capsys.readouterr().err
    assert cli.main(["digest", "--all"]) == 2
    assert "delivers no digest" in capsys.readouterr().err


def test_a_malformed_events_calendar_is_one_clear_line(digest_env, capsys, monkeypatch):
    bad = digest_env / "events.toml"
    bad.write_text('[[event]]\nname_zh = "双11"\nname_en = "11.11"\nstart = 2021-11-11\nend = 2021-11-01\n',
                   encoding="utf-8")
    monkeypatch.setenv(events.EVENTS_ENV, str(bad))
    assert cli.main(["digest", "--as-user", OPERATOR_A]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: the events calendar {bad}: event 1 (11.11): it ends (2021-11-01) before it starts "
                   "(2021-11-11)\n")


def test_out_writes_markdown_html_and_the_queue(digest_env, capsys):
    out = digest_env / "digests"
    assert cli.main(["digest", "--as-user", OPERATOR_A, "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["digest_ops.a_at_example.com_2021-12-12.html", "digest_ops.a_at_example.com_2021-12-12.md",
                     f"ops.a_at_example.com_work-queue_2021-12-12_{'+'.join(sorted(parsed_belts(digest_env)))}.csv"]
    assert (out / names[1]).read_text(encoding="utf-8").startswith("# beltboard 简报")
    assert audit_lines(digest_env / "audit.log")[-1]["target"] == f"out:{out}"


def parsed_belts(digest_env) -> tuple[str, ...]:
    return access.load_roles().scope_for(OPERATOR_A).belts


# ---------------------------------------------------------------- the roles file's deliveries

def roles_with(extra: str):
    import tomllib
    base = '[roles.ops]\nkind = "operator"\nbelts = ["linyi-apparel"]\nusers = ["ops@example.com"]\n'
    return access.parse_roles(tomllib.loads(base + extra), Path("roles.toml"))


@pytest.mark.parametrize("extra,complaint", [
    ('[digest."nobody@example.com"]\nemail = ["x@example.com"]\n', "not a user of any role"),
    ('[roles.ops.digest]\nemail = ["not an address"]\n', "is not an e-mail address"),
    ('[roles.ops.digest]\nwebhooks = ["https://hook.example.com/x"]\n', "is not a webhook name"),
    ('[roles.ops.digest]\nlang = "zh"\n', "names no e-mail address and no webhook"),
    ('[roles.ops.digest]\nemail = ["a@example.com"]\nlanguage = "zh"\n', "unknown key 'language'"),
])
def test_a_bad_delivery_in_the_roles_file_is_named(extra, complaint):
    with pytest.raises(access.RolesError, match=complaint):
        roles_with(extra)


def test_a_user_s_deliveries_are_their_own_and_their_role_s():
    roles = roles_with('[roles.ops.digest]\nwebhooks = ["ops-chat"]\n[digest."OPS@example.com"]\n'
                       'email = ["ops@example.com"]\nlang = "en"\n')
    mine = roles.deliveries_for(roles.scope_for("ops@example.com"))
    assert [(d.name, d.recipients, d.scope.user) for d in mine] == [
        ("role ops", ("webhook:ops-chat",), "ops@example.com"),
        ("ops@example.com", ("email:ops@example.com",), "ops@example.com")]
    assert recipients.address_problem("ｏｐｓ@example.com")  # a full-width look-alike is no address
