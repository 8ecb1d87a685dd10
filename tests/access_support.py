"""Helpers for the access-control tests: a roles file, users, and what a run showed.

AppTest cannot set request headers (st.context.headers is empty there), but it can seed
`st.user` (AppTest.user) and secrets (AppTest.secrets): the AppTests sign users in through the
app's real OIDC path ([auth] configured, st.user.is_logged_in). The trusted-header path is
proved in a real browser (tests/test_browser_access.py, Playwright extra_http_headers).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from data_access.export.csv_file import BOM
from data_access.metrics.catalogue import REPORTS
from data_access.warehouse.filters import Filters

# An [auth] section as Streamlit's OIDC needs it; AppTest never contacts the provider.
AUTH_SECRETS = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret",
    "client_id": "beltboard-test", "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}}
MANAGER = "boss@example.com"
OPERATOR_A = "ops.a@example.com"
OPERATOR_B = "ops.b@example.com"
PROVIDER_USER = "partner@provider.example"
NO_BELTS_USER = "nobelts@example.com"


@dataclass(frozen=True)
class Users:
    belts_a: tuple[str, ...]
    belts_b: tuple[str, ...]
    provider_id: int


def roles_toml(users: Users, header: str | None = None, audit_path: str | None = None) -> str:
    def quoted(values):
        return ", ".join(f'"{v}"' for v in values)
    parts = []
    if header:
        parts.append(f'[identity]\nheader = "{header}"\n')
    if audit_path:
        parts.append(f'[audit]\npath = "{audit_path}"\n')
    parts.append(f'[roles.managers]\nkind = "manager"\nusers = ["{MANAGER}"]\n')
    parts.append(f'[roles.region-a]\nkind = "operator"\nbelts = [{quoted(users.belts_a)}]\n'
                 f'users = ["{OPERATOR_A.upper()}"]\n')  # emails match whatever their case
    parts.append(f'[roles.region-b]\nkind = "operator"\nbelts = [{quoted(users.belts_b)}]\nusers = ["{OPERATOR_B}"]\n')
    parts.append(f'[roles.partner]\nkind = "provider"\nprovider_id = {users.provider_id}\n'
                 f'users = ["{PROVIDER_USER}"]\n')
    parts.append(f'[roles.unassigned]\nkind = "operator"\nbelts = []\nusers = ["{NO_BELTS_USER}"]\n')
    return "\n".join(parts)


def write_roles(path: Path, users: Users, **kwargs) -> Path:
    path.write_text(roles_toml(users, **kwargs), encoding="utf-8")
    return path


def scope_brands(brands: pd.DataFrame, belts: tuple[str, ...]) -> set[int]:
    """brand_ids an operator with these belts may see ("none": brands without a belt)."""
    inside = brands["belt_id"].isin([b for b in belts if b != "none"])
    if "none" in belts:
        inside |= brands["belt_id"].isna()
    return {int(b) for b in brands.loc[inside, "brand_id"]}


def read_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM):])))


def downloads(at: AppTest) -> dict[str, bytes]:
    """Every CSV download button of a run: key -> the bytes it serves."""
    from tests.app_support import download_bytes
    return {b.key: download_bytes(at, b.key) for b in at.get("download_button") if b.key.startswith("dl_")}


def excel_downloads(at: AppTest) -> dict[str, list[list]]:
    """Every Excel download of a run (written when clicked): key -> the rows of its data sheet, header first."""
    import openpyxl

    from tests.app_support import deferred_bytes
    out = {}
    for button in at.get("download_button"):
        if button.key.startswith("xl_"):
            book = openpyxl.load_workbook(io.BytesIO(deferred_bytes(at, button.key)), read_only=True)
            out[button.key] = [list(row) for row in book.worksheets[0].values]
    return out


def tables(at: AppTest) -> list[pd.DataFrame]:
    return [t.value.reset_index(drop=True) for t in at.dataframe]


def belts_of(users: Users, user: str) -> tuple[str, ...]:
    return {OPERATOR_A: users.belts_a, OPERATOR_B: users.belts_b}[user]


def ytd(app_warehouse, **changes) -> Filters:
    as_of = app_warehouse.as_of
    return Filters(date_from=as_of.replace(month=1, day=1), date_to=as_of, **changes)


def page_params(params: dict, app_warehouse, belts: tuple[str, ...]) -> dict:
    """Fill "{brand}" / "{provider}" with one inside these belts."""
    f = ytd(app_warehouse, belts=belts)  # () : every belt
    out = dict(params)
    if out.get("brand") == "{brand}":
        out["brand"] = str(int(REPORTS["brand_multiples"](app_warehouse.wh, f).iloc[0]["brand_id"]))
    if out.get("provider") == "{provider}":
        out["provider"] = str(int(REPORTS["providers"](app_warehouse.wh, f).iloc[0]["provider_id"]))
    return out


def providers_serving(frames, brand_ids: set[int]) -> set[int]:
    a = frames["provider_assignments"]
    c = frames["campaigns"]
    return ({int(p) for p in a.loc[a["brand_id"].isin(brand_ids), "provider_id"]}
            | {int(p) for p in c.loc[c["brand_id"].isin(brand_ids), "provider_id"].dropna()})


def assert_inside(files: dict[str, bytes], frames, belts: tuple[str, ...]) -> int:
    """Every row of every CSV lies inside the scope of these belts; returns how many rows were checked."""
    brand_ids = scope_brands(frames["brands"], belts)
    providers = providers_serving(frames, brand_ids)
    checked = 0
    for key, data in files.items():
        for row in read_csv(data):
            checked += 1
            if "brand_id" in row:
                assert int(row["brand_id"]) in brand_ids, (key, row)
            if "belt_id" in row:
                assert row["belt_id"] in belts or (row["belt_id"] == "" and "none" in belts), (key, row)
            if "group" in row and "belt" in key:
                assert row["group"] in belts, (key, row)
            if row.get("provider_id"):
                assert int(row["provider_id"]) in providers, (key, row)
    return checked


def provider_with_a_past(frames, as_of: dt.date) -> tuple[int, tuple[int, ...], int]:
    """(a provider, its clients on the as-of day, a former client of it that another provider took over)."""
    a = frames["provider_assignments"].copy()
    a["end"] = a["end_on"].apply(lambda e: dt.date(9999, 12, 31) if e is None or pd.isna(e) else e)
    serving = a[(a["start_on"] <= as_of) & (a["end"] >= as_of)]
    for provider_id, rows in serving.groupby("provider_id"):
        mine = a[a["provider_id"] == provider_id]
        former = [int(b) for b, end in zip(mine["brand_id"], mine["end"]) if end < as_of
                  and ((a["brand_id"] == b) & (a["provider_id"] != provider_id) & (a["start_on"] > end)).any()]
        if len(rows) >= 3 and former:
            return int(provider_id), tuple(sorted(int(b) for b in rows["brand_id"])), former[0]
    raise AssertionError("no provider with three clients and a client taken over")
