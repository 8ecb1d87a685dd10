"""Access control against a running server, over real HTTP and the WebSocket a browser uses.

A real `streamlit run serve.py` (as `make run`), with its roles file at the default path
`.streamlit/roles.toml` of a copy of the project (so that no test touches this checkout's own), and
identity from the trusted header `X-Forwarded-Email`. The client is tests/streamlit_client.py: it
sends exactly the headers it is given (two of the same, if asked) and any message a browser could
send, such as Streamlit's `clear_cache`.

Issue 9: the roles file deleted or broken while the server runs (item 1), one identity per request
(item 3), the caches that only a manager may clear (item 9), paths the app has no page for (item 12).
"""
from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from data_access.warehouse.build import load
from tests.access_support import MANAGER, OPERATOR_A, Users, roles_toml
from tests.browser_support import ROOT, StreamlitServer
from tests.edge_warehouse import edge_frames
from tests.streamlit_client import StreamlitClient

pytestmark = pytest.mark.slow

HEADER = "X-Forwarded-Email"
USERS = Users(belts_a=("linyi-apparel", "none"), belts_b=("zhuji-pearls",), provider_id=102)
RANGE = {"lang": "en", "preset": "custom", "from": "2021-01-01", "to": "2021-06-30"}
DATA_ELEMENTS = {"dataframe", "metric", "vega_lite_chart", "download_button", "multiselect"}
# locale: the compiled catalogues
APP_FILES = ("dashboard.py", "serve.py", "pages", "ui", "data_access", "locale", ".streamlit/config.toml")


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('server_access') / 'edge.duckdb'}"
    engine = create_engine(url)
    load.create_tables(engine)
    load.load_frames(engine, edge_frames())
    engine.dispose()
    return url


def project_copy(folder: Path) -> Path:
    """The app (no tests, no data) in `folder`: its own .streamlit/ holds the default roles path."""
    for name in APP_FILES:
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return folder


@pytest.fixture(scope="module")
def guarded(warehouse_url, tmp_path_factory):
    """A server started with .streamlit/roles.toml (header identity) at the default path of its project."""
    root = project_copy(tmp_path_factory.mktemp("guarded_app"))
    roles = root / ".streamlit" / "roles.toml"
    roles.write_text(roles_toml(USERS, header=HEADER), encoding="utf-8")
    audit_log = root / "audit.log"
    server = StreamlitServer(warehouse_url, root / "streamlit.log", root=root,
                             env={"BELTBOARD_AUDIT_LOG": str(audit_log)})
    server.wait_healthy()
    server.roles, server.audit_log = roles, audit_log
    yield server
    server.stop()


@pytest.fixture(scope="module")
def open_server(warehouse_url, tmp_path_factory):
    """A server started with no access control at all."""
    root = project_copy(tmp_path_factory.mktemp("open_app"))
    server = StreamlitServer(warehouse_url, root / "streamlit.log", root=root)
    server.wait_healthy()
    yield server
    server.stop()


def visit(server, *headers: tuple[str, str], page: str = "sales", query: dict | None = None):
    with StreamlitClient(server.base_url, headers=list(headers)) as client:
        return client.run(page, {**RANGE, **(query or {})})


def as_user(user: str) -> tuple[str, str]:
    return (HEADER, user)


def assert_no_data(run) -> None:
    assert not DATA_ELEMENTS & set(run.kinds), f"data elements shown: {DATA_ELEMENTS & set(run.kinds)}"
    assert "Linyi" not in run.text and "Signed in as" not in run.text


def assert_data(run, user: str) -> None:
    assert f"Signed in as {user}" in run.text, run.text[:500]
    assert {"dataframe", "download_button"} <= set(run.kinds)


# ---------------------------------------------------------------- item 1: the roles file goes away

def test_the_server_says_at_start_whether_it_has_access_control(guarded, open_server):
    assert re.search(r"access control is on \(the roles file .*roles\.toml\)", guarded.log())
    assert "local mode" not in guarded.log()
    assert "no access control is configured" in open_server.log() and "local mode" in open_server.log()
    assert "Local mode" in visit(open_server).text


def test_a_roles_file_deleted_broken_or_unreadable_while_running_shows_nobody_anything(guarded):
    assert_data(visit(guarded, as_user(MANAGER)), MANAGER)
    good = guarded.roles.read_text(encoding="utf-8")
    with StreamlitClient(guarded.base_url, headers=[as_user(MANAGER)]) as open_session:
        assert_data(open_session.run("sales", RANGE), MANAGER)
        try:
            guarded.roles.unlink()
            for headers in ([as_user(MANAGER)], [as_user("stranger@example.com")], []):
                run = visit(guarded, *headers)
                assert_no_data(run)
                assert "roles.toml is missing" in run.text and "nobody sees data" in run.text, run.text
                assert "Local mode" not in run.text
            assert_no_data(open_session.run("sales", RANGE))  # a session opened before: its next run too

            guarded.roles.write_text(good[: len(good) // 2], encoding="utf-8")  # half-written
            run = visit(guarded, as_user(MANAGER))
            assert_no_data(run)
            assert "The access configuration cannot be used" in run.text

            guarded.roles.unlink()
            guarded.roles.mkdir()  # there, but unreadable as a file
            assert_no_data(visit(guarded, as_user(MANAGER)))
            guarded.roles.rmdir()
        finally:
            if guarded.roles.is_dir():
                guarded.roles.rmdir()
            guarded.roles.write_text(good, encoding="utf-8")
        assert_data(visit(guarded, as_user(MANAGER)), MANAGER)  # a valid file back: data back
    lines = [json.loads(line) for line in guarded.audit_log.read_text(encoding="utf-8").splitlines()]
    assert "local" not in {line["user"] for line in lines} and "local" not in {line["source"] for line in lines}


# ---------------------------------------------------------------- item 3: one request, one identity

@pytest.mark.parametrize("headers", [
    [as_user(MANAGER), as_user(OPERATOR_A)],                 # two headers: the first used to win
    [as_user(OPERATOR_A), as_user(MANAGER)],
    [as_user(f"{MANAGER}, {OPERATOR_A}")],                   # one header, two values
    [as_user(MANAGER), as_user(MANAGER)],                    # even twice the same
    [as_user("boss@exa\tmple.com")],                         # a character no e-mail has
    [as_user("ops.\xe2\x84\xaa@example.com")],               # U+212A as UTF-8 bytes on the wire
], ids=["manager-then-operator", "operator-then-manager", "comma", "same-twice", "tab", "kelvin"])
def test_a_request_that_does_not_carry_exactly_one_identity_is_refused(guarded, headers):
    run = visit(guarded, *headers)
    assert_no_data(run)
    if headers[0][1].strip() != MANAGER or len(headers) > 1:
        assert "The dashboard cannot identify you" in run.text, run.text


def test_one_identity_in_any_case_signs_in(guarded):
    assert_data(visit(guarded, as_user("  Boss@EXAMPLE.com ")), MANAGER)


# ---------------------------------------------------------------- item 9: who may clear the caches

def cache_bytes(server) -> int:
    """What Streamlit's caches of this app hold (its /_stcore/metrics)."""
    with urllib.request.urlopen(f"{server.base_url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(int(float(value)) for value in re.findall(
        r'^cache_memory_bytes\{cache_type="st_cache_(?:data|resource)"[^}]*\} (\S+)$', text, re.MULTILINE))


def buttons(run) -> list[str]:
    return [m.delta.new_element.button.label for m in run.messages
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
            and m.delta.new_element.WhichOneof("type") == "button"]


def test_no_one_but_a_manager_can_clear_the_caches(guarded):
    manager = visit(guarded, as_user(MANAGER))
    assert "Refresh data" in buttons(manager)
    assert "Refresh data" not in buttons(visit(guarded, as_user(OPERATOR_A))), "an operator has no Refresh"
    before = cache_bytes(guarded)
    assert before > 0
    for headers in ([], [as_user("stranger@example.com")], [as_user(OPERATOR_A)], [as_user(MANAGER)]):
        with StreamlitClient(guarded.base_url, headers=headers) as client:
            client.run("sales", RANGE)
            client.clear_cache()  # what Streamlit's menu item and its `c` shortcut send
            time.sleep(0.5)
    assert cache_bytes(guarded) >= before, "Streamlit's clear_cache emptied the caches"
    assert "ignored a clear_cache request" in guarded.log()


# ---------------------------------------------------------------- item 12: no page there

@pytest.mark.parametrize("lang,title,notice", [
    ("en", "Page not found", "There is no page at {path}. Choose one of the pages below."),
    ("zh", "页面不存在", "{path} 没有对应的页面。请从下面的页面中选择。"),
])
@pytest.mark.parametrize("path", ["/nope", "/brand/12", "/pages/brand.py"])
def test_a_path_with_no_page_gets_a_notice_with_links_to_every_page(open_server, path, lang, title, notice):
    request = urllib.request.Request(f"{open_server.base_url}{path}?lang={lang}", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=10)
        page, query = path.strip("/"), {"lang": lang}
    except urllib.error.HTTPError as redirect:  # below a page: Streamlit would serve a blank page
        assert redirect.code == 307 and path.count("/") > 1
        location = redirect.headers["Location"]
        assert location.startswith("/page-not-found?")
        page, query = "page-not-found", dict(urllib.parse.parse_qsl(location.split("?", 1)[1]))
        assert query == {"lang": lang, "path": path}
    with StreamlitClient(open_server.base_url) as client:
        run = client.run(page, query)
    assert run.texts[0] == title
    assert notice.format(path=path) in run.text
    links = [m.delta.new_element.page_link for m in run.messages if m.WhichOneof("type") == "delta"
             and m.delta.WhichOneof("type") == "new_element" and m.delta.new_element.WhichOneof("type") == "page_link"]
    assert len(links) == 9  # every page of ui.navigation.PAGES a manager sees (Work queue and Data health included)
    assert not DATA_ELEMENTS & set(run.kinds)


def test_a_known_path_is_left_alone(open_server):
    with urllib.request.urlopen(f"{open_server.base_url}/sales?lang=en", timeout=10) as response:
        assert response.status == 200
    run = visit(open_server, page="sales")
    assert "Sales multiples" in run.texts and "Page not found" not in run.text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

