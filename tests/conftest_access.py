"""Fixtures for the access-control AppTests (loaded with `pytest_plugins` next to tests.conftest_app).

`users`: two operators (the busiest belt with "none"; the next two belts), a provider (with clients, and a
former client another provider took over), from the
AppTest demo warehouse. `roles`: a roles file for them (BELTBOARD_ROLES), audit lines to a
temporary file. `run_as(user, query, page)`: an AppTest of dashboard.py signed in as `user`
through the OIDC path (tests/access_support.py says why).
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest, app_test as app_test_module

from data_access.access import audit
from tests.access_support import AUTH_SECRETS, Users, provider_with_a_past, write_roles
from tests.app_support import DASHBOARD, RecordingMediaFileManager, RecordingMediaStorage


@pytest.fixture(scope="module")
def users(app_warehouse) -> Users:
    frames = app_warehouse.frames
    busiest = list(frames["brands"]["belt_id"].value_counts().index)
    provider_id, _, _ = provider_with_a_past(frames, app_warehouse.as_of)  # clients now, and one it lost
    return Users(belts_a=(str(busiest[0]), "none"), belts_b=(str(busiest[1]), str(busiest[2])),
                 provider_id=provider_id)


@pytest.fixture
def audit_file(tmp_path, monkeypatch):
    path = tmp_path / "audit.log"
    monkeypatch.setenv(audit.AUDIT_ENV, str(path))
    return path


@pytest.fixture
def roles(users, tmp_path, monkeypatch, audit_file):
    path = write_roles(tmp_path / "roles.toml", users)
    monkeypatch.setenv("BELTBOARD_ROLES", str(path))
    return path


@pytest.fixture
def run_as(roles, app_warehouse, monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingMediaStorage)
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)

    def run(user: str | None, query: dict | None = None, page: str | None = None, auth: bool = True) -> AppTest:
        at = AppTest.from_file(DASHBOARD, default_timeout=60)
        if auth:
            at.secrets = {k: dict(v) for k, v in AUTH_SECRETS.items()}
        at.user = {"is_logged_in": True, "email": user} if user else {"is_logged_in": False}
        at.query_params.update({"lang": "en", **(query or {})})
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if page:
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run
